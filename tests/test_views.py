"""Callback data and keyboards: within Telegram's limits for the longest ids, and every view
with its way back."""

from __future__ import annotations

import pytest

from bot.answers.answer import Answer, Match, Status
from bot.knowledge.models import MAX_ID_LENGTH, KnowledgeBase
from bot.search.engine import SearchIndex
from handlers.views import (
    MAX_CALLBACK_BYTES,
    Callback,
    answer_keyboard,
    back_row,
    item_keyboard,
    listing_keyboard,
    same_topic,
    topics_keyboard,
)

LONGEST = "x" * MAX_ID_LENGTH


@pytest.mark.parametrize(
    "callback",
    [
        Callback("more", "", 9),
        Callback("src", LONGEST, 9),
        Callback("st", LONGEST),
        Callback("tp", LONGEST, 9995, "a9"),
        Callback("tpi", LONGEST, 9999, "a9"),
        Callback("spi", LONGEST, 9999, "a9"),
        Callback("tp", LONGEST, 9995, "m9990"),
        Callback("newi", "", 9999, "a9"),
        Callback("tps", "", 9990),
        Callback("fb", LONGEST, 1),
        Callback("ex", "", 2),
    ],
)
def test_the_longest_callback_data_fits_and_round_trips(callback: Callback) -> None:
    data = callback.encode()
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert Callback.decode(data) == callback


@pytest.mark.parametrize(
    "data",
    ["tp:x:0:0", "tp:x:0:a", "src:x:0:a0", "more:x:0", "fb:x:2", "st:x:1", "tp:x:0:a1:a1"],
)
def test_shapes_we_never_send_are_refused(data: str) -> None:
    assert Callback.decode(data) is None


def test_lists_link_back_to_where_they_were_opened() -> None:
    assert back_row("")  == []  # fmt: skip
    assert back_row("a2")[0].callback_data == "more::2"
    assert back_row("m10")[0].callback_data == "tps::10"


def test_answer_keyboard_pages_and_every_button_fits(bundled_index: SearchIndex) -> None:
    kb: KnowledgeBase = bundled_index.kb
    items = [Match(kb.attributed(s), 0.9) for s in kb.statements[:3]]
    answer = Answer("q", Status.FOUND, tuple(items))
    first = answer_keyboard(answer, bundled_index, 0)
    middle = answer_keyboard(answer, bundled_index, 1)
    assert first is not None
    assert middle is not None
    first_data = [b.callback_data for row in first.inline_keyboard for b in row]
    middle_data = [b.callback_data for row in middle.inline_keyboard for b in row]
    assert "more::1" in first_data
    assert "more::0" not in first_data
    assert middle_data[:2] == ["more::0", "more::2"]  # ◂ Previous, More ▸
    for keyboard in (first, middle):
        for button in (b for row in keyboard.inline_keyboard for b in row):
            assert len(button.text) <= 40


def test_same_topic_skips_topics_most_statements_share(bundled_index: SearchIndex) -> None:
    kb = bundled_index.kb
    for statement in kb.statements:
        topic = same_topic(statement, bundled_index)
        if topic is not None:
            count = len(bundled_index.statements_on(topic.id))
            assert 2 <= count <= len(kb.statements) / 2
            assert topic.id != "china-us-relations"


def test_list_and_menu_keyboards(bundled_index: SearchIndex) -> None:
    kb = bundled_index.kb
    statements = list(kb.statements)
    keyboard = listing_keyboard("new", "", statements, 5, "a1")
    data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
    assert data == [
        *(f"newi::{n}:a1" for n in range(5, 10)),
        "new::0:a1",
        "new::10:a1",
        "more::1",
    ]
    item = item_keyboard("new", "", 7, statements[7], "a1")
    assert item.inline_keyboard[0][0].callback_data == "new::5:a1"
    assert item.inline_keyboard[0][1].switch_inline_query == statements[7].id
    counted = [(len(bundled_index.statements_on(t)), kb.topics[t]) for t in kb.topics]
    menu = topics_keyboard(counted, 10)
    labels = [b.text for row in menu.inline_keyboard for b in row]
    assert labels[-2:] == ["◂ Previous", "Next ▸"]
