"""End-to-end: inline mode (`@policy_test_bot query` in any chat)."""

from __future__ import annotations

import pytest

from bot.answers.render import MAX_MESSAGE_CHARS

from .botapi import parse_html
from .harness import (
    BotHandle,
)

pytestmark = pytest.mark.timeout(30)

MAX_INLINE_RESULTS = 10
MAX_SENSIBLE_CACHE = 3600


def check_articles(results: list[dict[str, object]]) -> None:
    assert len(results) <= MAX_INLINE_RESULTS
    assert len({r["id"] for r in results}) == len(results)
    for result in results:
        assert result["type"] == "article"
        assert str(result["title"]).strip()
        assert str(result["description"]).strip()
        content = result["input_message_content"]
        assert isinstance(content, dict)
        assert content["parse_mode"] == "HTML"
        text, entities = parse_html(content["message_text"])  # valid Telegram HTML
        assert 0 < len(text) <= MAX_MESSAGE_CHARS
        assert entities[0]["type"] == "blockquote"
        assert "📅" in text
        assert "📰" in text


async def test_inline_query_offers_rendered_statements(bot_app: BotHandle) -> None:
    bot = bot_app
    answer = await bot.inline("red lines")
    results = answer["results"]
    assert results
    check_articles(results)
    first = results[0]
    assert first["id"] == "xi-four-red-lines"
    assert str(first["title"]).startswith("Xi Jinping: ")
    assert "2024-12-17" in str(first["description"])
    assert "Xinhua" in str(first["description"])
    text, _ = parse_html(first["input_message_content"]["message_text"])
    assert text.startswith(bot.kb.by_id["xi-four-red-lines"].text)
    assert "Xi Jinping" in text
    assert 0 < int(answer["cache_time"]) <= MAX_SENSIBLE_CACHE
    assert "button" not in answer


async def test_inline_query_with_several_matches_stays_within_ten(bot_app: BotHandle) -> None:
    answer = await bot_app.inline("cooperation", chat_type="supergroup")
    assert len(answer["results"]) > 1
    check_articles(answer["results"])


async def test_empty_inline_query_offers_the_newest_statements(bot_app: BotHandle) -> None:
    bot = bot_app
    answer = await bot.inline("")
    results = answer["results"]
    check_articles(results)
    assert [r["id"] for r in results] == [s.id for s in bot.kb.statements[:MAX_INLINE_RESULTS]]


@pytest.mark.parametrize("query", ["qwxz zzkj vvbn", "who won the world cup", "hi"])
async def test_inline_query_without_matches_returns_nothing_but_the_help_button(
    bot_app: BotHandle, query: str
) -> None:
    answer = await bot_app.inline(query)
    assert answer["results"] == []
    button = answer["button"]
    assert button["text"]
    assert button["start_parameter"]
    assert 0 < int(answer["cache_time"]) <= MAX_SENSIBLE_CACHE


async def test_the_help_button_deep_link_starts_the_bot(bot_app: BotHandle) -> None:
    """Telegram sends `/start <start_parameter>` when the button is pressed."""
    answer = await bot_app.inline("qwxz zzkj")
    _, done = await bot_app.send(f"/start {answer['button']['start_parameter']}")
    [welcome] = done.sent
    assert "Ask anything" in welcome["text"]
