"""End-to-end: the inline keyboard buttons, forged or stale button data, and a button crawl."""

from __future__ import annotations

import html
import random

import pytest

from bot.answers.render import MAX_MESSAGE_CHARS

from .botapi import FakeBotAPI, parse_html
from .harness import (
    USER_ID,
    BotHandle,
    StartBot,
    buttons,
    callback_data,
    visible,
)

pytestmark = pytest.mark.timeout(30)

RED_LINES = "xi-four-red-lines"
NOTICE_CHARS = 200  # Telegram's limit for answerCallbackQuery text


def shows(params: dict[str, object], statement_id: str, bot: BotHandle) -> bool:
    """The statement's words in a blockquote: in quotation marks for a quote, after an ellipsis
    for a fragment that starts mid-sentence."""
    text = html.escape(bot.kb.by_id[statement_id].text)
    return any(f"<blockquote>{q}{text}" in str(params["text"]) for q in ("", "“", "…", "“…"))


# ----------------------------------------------------------------------------- answer buttons


async def test_more_results_edits_the_same_message_page_by_page(bot_app: BotHandle) -> None:
    bot = bot_app
    matches = [
        m.item.statement.id for m in bot.services.library.index.search("cooperation").matches
    ]
    assert len(matches) >= 3
    _, answer = await bot.ask("cooperation")
    assert shows(answer, matches[0], bot)
    assert visible(answer).startswith(f"1/{len(matches)}")
    assert callback_data(answer)[0] == "more::1"
    assert buttons(answer)[0]["text"] == f"More results ({len(matches) - 1}) ▸"
    message = bot.message_for(answer)

    for offset in range(1, len(matches)):
        done = await bot.press(f"more::{offset}", message)
        assert done.sent == []
        [edit] = done.edits
        assert edit["message_id"] == message["message_id"]
        assert edit["chat_id"] == USER_ID
        assert visible(edit).startswith(f"{offset + 1}/{len(matches)}")
        assert shows(edit, matches[offset], bot)
        data = callback_data(edit)
        assert f"src:{matches[offset]}:{offset}" in data
        assert f"fb:{matches[offset]}:1" in data
        assert data[0] == f"more::{offset - 1}"  # ◂ Previous
        assert buttons(edit)[0]["text"] == "◂ Previous"
        last = offset + 1 == len(matches)
        assert ("more::" + str(offset + 1) in data) is not last
        assert done.notices == [None]
    assert len(bot.api.sent_messages(USER_ID)) == 1


async def test_source_shows_full_details_and_back_restores_the_answer_card(
    bot_app: BotHandle,
) -> None:
    bot = bot_app
    _, answer = await bot.ask("red lines")
    message = bot.message_for(answer)
    done = await bot.press(f"src:{RED_LINES}:0", message)
    [source] = done.edits
    assert source["message_id"] == message["message_id"]
    shown = visible(source)
    assert shown.startswith(
        "China ready to maintain dialogue, enhance mutual trust, expand cooperation with U.S.: "
        "top diplomat"
    )
    assert "Publisher: Xinhua" in shown
    assert "Published: 18 Dec 2024" in shown  # dated as the card dates
    assert "Language: en" in shown
    assert "Link: not known" in shown
    assert "Context: Wang Yi's account" in shown
    # what the card leaves out is here: full roles, the undated-remarks note, the deep link
    assert "General Secretary of the CPC Central Committee; President of" in shown
    assert "the source does not date Xi Jinping's original remarks" in shown
    assert f"https://t.me/policy_test_bot?start=s_{RED_LINES}" in shown
    assert callback_data(source) == ["more::0"]
    assert buttons(source)[0]["text"] == "◂ Back to the answer"
    assert buttons(source)[1]["switch_inline_query"] == RED_LINES

    done = await bot.press("more::0", message)
    [back] = done.edits
    assert back["message_id"] == message["message_id"]
    assert back["text"] == answer["text"]
    assert back["reply_markup"] == answer["reply_markup"]  # 👍/👎 and all
    assert done.sent == []


async def test_same_topic_lists_the_topic_and_numbers_open_statements(bot_app: BotHandle) -> None:
    bot = bot_app
    _, answer = await bot.ask("What will China do if the US interferes on Taiwan?")
    statement = bot.kb.by_id["wang-yi-taiwan-interference-response"]
    assert shows(answer, statement.id, bot)
    index = bot.services.library.index
    topic = next(
        bot.kb.topics[t]
        for t in statement.topics
        if 2 <= len(index.statements_on(t)) <= len(bot.kb.statements) / 2
    )
    message = bot.message_for(answer)
    same = next(b for b in buttons(answer) if b["text"].startswith("Same topic"))
    assert same["callback_data"] == f"tp:{topic.id}:0:a0"

    done = await bot.press(same["callback_data"], message)
    [listing] = done.edits
    on_topic = index.statements_on(topic.id)
    assert visible(listing).startswith(f"{topic.name} ({len(on_topic)} statements, newest first)")
    dates = [s.date for s in on_topic]
    assert dates == sorted(dates, reverse=True)
    items = [f"tpi:{topic.id}:{n}:a0" for n in range(min(5, len(on_topic)))]
    assert callback_data(listing)[: len(items)] == items
    assert callback_data(listing)[-1] == "more::0"  # ◂ Back to the answer

    done = await bot.press(items[0], message)
    [opened] = done.edits
    assert shows(opened, on_topic[0].id, bot)
    assert callback_data(opened) == [f"tp:{topic.id}:0:a0"]  # ◂ Back to the list
    assert done.sent == []


async def test_same_topic_is_not_offered_for_a_topic_most_statements_share(
    bot_app: BotHandle,
) -> None:
    bot = bot_app
    index = bot.services.library.index
    common = [t for t in bot.kb.topics if len(index.statements_on(t)) > len(bot.kb.statements) / 2]
    assert common  # the bundled knowledge base has one (China–US relations)
    for question in ("cooperation", "red lines", "taiwan", "Is China's US policy stable?"):
        _, answer = await bot.ask(question)
        assert not [d for d in callback_data(answer) if d.split(":")[1:2] in ([t] for t in common)]
        for label in (b["text"] for b in buttons(answer)):
            assert len(label) <= 40
            assert not label.endswith(" …")


async def test_not_found_suggestions_open_a_topic(bot_app: BotHandle) -> None:
    bot = bot_app
    _, answer = await bot.ask("who won the world cup")
    [first, *_] = buttons(answer)
    topic_id = first["callback_data"].split(":")[1]
    topic = bot.kb.topics[topic_id]
    assert first["text"] == topic.name
    message = bot.message_for(answer)
    done = await bot.press(first["callback_data"], message)
    [listing] = done.edits
    count = len(bot.services.library.index.statements_on(topic_id))
    assert visible(listing).startswith(f"{topic.name} ({count} statement")
    assert done.sent == []
    back = await bot.press("more::0", message)  # ◂ Back to the answer
    assert back.edits[0]["text"] == answer["text"]


@pytest.mark.parametrize(
    ("data", "thanks"),
    [
        (f"fb:{RED_LINES}:1", "Thanks — noted."),
        (f"fb:{RED_LINES}:0", "Thanks — the maintainers will look at this one."),
    ],
)
async def test_feedback_buttons_thank_the_user(bot_app: BotHandle, data: str, thanks: str) -> None:
    bot = bot_app
    _, answer = await bot.ask("red lines")
    message = bot.message_for(answer)
    done = await bot.press(data, message)
    assert done.notices == [thanks]
    assert done.sent == []
    assert done.edits == []  # the answer stays; only its 👍/👎 buttons show the vote
    [marked] = done.of("editMessageReplyMarkup")
    assert any(b["text"].endswith(" ✓") for b in buttons(marked))
    assert bot.current(message)["text"] == message["text"]


async def test_more_results_still_work_after_a_restart(
    start_bot: StartBot, botapi: FakeBotAPI
) -> None:
    """The answer → question map is in memory; after a restart the reply link is the fallback."""
    async with start_bot() as bot:
        _, answer = await bot.ask("cooperation")
        message = bot.message_for(answer)
    async with start_bot() as bot:
        done = await bot.press("more::1", message)
        [edit] = done.edits
        assert edit["message_id"] == message["message_id"]
        assert visible(edit).startswith("2/")


# ----------------------------------------------------------------------------- forged data


def _random_latin1(seed: int, size: int) -> str:
    return bytes(random.Random(seed).randrange(256) for _ in range(size)).decode("latin-1")


FORGED = [
    pytest.param("x" * 64, id="64-x"),
    pytest.param(_random_latin1(1, 20), id="random-latin1-20"),
    pytest.param(_random_latin1(2, 64), id="random-latin1-64"),
    pytest.param("tp:no-such-topic:0", id="unknown-topic"),
    pytest.param("sp:nobody:0", id="unknown-speaker"),
    pytest.param("st:no-such-statement:0", id="unknown-statement"),
    pytest.param("src::0", id="source-without-id"),
    pytest.param("fb:gone-statement:1", id="feedback-unknown-statement"),
    pytest.param("more::99", id="more-beyond-the-end"),
    pytest.param("tp:red-lines:500", id="topic-page-beyond-the-end"),
    pytest.param("new::99999", id="offset-too-long"),
    pytest.param("ex::9", id="example-beyond-the-end"),
    pytest.param("st:../../etc:0", id="path-like-id"),
    pytest.param("st:<b>:0", id="html-in-id"),
    pytest.param("nope:red-lines:0", id="unknown-kind"),
    pytest.param("tp:red-lines:-1", id="negative-offset"),
    pytest.param("tp:red-lines:0:0", id="four-fields"),
    pytest.param("tp:red-lines:0:x1", id="unknown-origin"),
    pytest.param("src:red-lines:0:a0", id="origin-on-a-statement"),
    pytest.param("tp:red-lines:0:a1:a1", id="five-fields"),
    pytest.param("tp:red-lines:١", id="arabic-indic-digit"),
    pytest.param(
        "more:zzz:0",
        id="more-with-an-argument",
    ),
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_button_data_gets_a_short_notice_and_no_error(
    bot_app: BotHandle, data: str
) -> None:
    bot = bot_app
    _, answer = await bot.ask("red lines")
    message = bot.message_for(answer)
    before = bot.current(message)
    bot.allow_failed_calls = True  # an edit that changes nothing is refused by Telegram
    done = await bot.forge(data, message)
    assert done.sent == []
    [notice] = done.notices
    assert notice, f"no notice for {data!r}"
    assert len(notice) <= NOTICE_CHARS
    assert "wrong" not in notice.lower()  # not the error handler's apology
    after = bot.current(message)
    assert (after["text"], after.get("reply_markup")) == (before["text"], before["reply_markup"])
    assert await bot.failed_calls() == []


async def test_forged_data_on_a_listing_and_on_the_welcome(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/latest")
    listing = bot.message_for(done.sent[0])
    _, done = await bot.send("/start")
    welcome = bot.message_for(done.sent[0])
    for message in (listing, welcome):
        for data in ("more::1", "ex::3", "new::12345", "st:nope:0", "newi::99"):
            forged = await bot.forge(data, message)
            assert forged.sent == []
            assert forged.edits == []
            [notice] = forged.notices
            assert notice

    # a press on a message sent in inline mode carries no message, only its id
    mark = bot.mark()
    query = bot.api.inject_callback_query("more::1", inline_message_id="AgAAAFake")
    bot.callback_ids.append(query["id"])
    await bot.settle()
    done = bot.since(mark)
    assert done.methods == ["answerCallbackQuery"]
    assert done.notices[0]


# ----------------------------------------------------------------------------- crawl


async def test_every_button_reachable_is_answered_exactly_once(bot_app: BotHandle) -> None:
    """Press every button the bot offers, breadth first, from every entry point."""
    bot = bot_app
    bot.allow_failed_calls = True  # re-opening what is shown is an edit Telegram refuses
    starts = []
    entries = (
        "/start",
        "/topics",
        "/latest",
        "/speaker Wang Yi",
        "/topic Taiwan",
        "/start s_xi-four-red-lines",
        "who won the world cup",
    )
    for text in entries:
        _, done = await bot.send(text)
        starts += [bot.message_for(params) for params in done.sent]
    for question in ("cooperation", "red lines", "taiwan"):
        _, answer = await bot.ask(question)
        starts.append(bot.message_for(answer))

    pressed: set[tuple[int, str]] = set()
    queue = list(starts)
    presses = 0
    while queue and presses < 150:
        message = queue.pop(0)
        for data in callback_data(bot.current(message)):
            key = (message["message_id"], data)
            if key in pressed or data not in callback_data(bot.current(message)):
                continue
            pressed.add(key)
            presses += 1
            done = await bot.press(data, message)
            assert len(done.notices) == 1, (data, done.methods)
            assert len(done.edits) + len(done.sent) <= 1, (data, done.methods)
            for params in done.sent:  # an example question answers in a new message
                queue.append(bot.message_for(params))
            if done.edits or done.of("editMessageReplyMarkup"):
                queue.append(message)  # new buttons to try
    assert presses >= 30
    for method, params in await bot.failed_calls():
        assert method == "editMessageText", method
        text, _ = parse_html(params["text"])  # valid HTML: refused only as "not modified"
        assert len(text) <= MAX_MESSAGE_CHARS
