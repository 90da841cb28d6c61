"""End-to-end: a group that many people share — every addressed question answered once and in
order, flood protection per user, buttons that respect who asked, and votes.

Message dates come from the fake server's clock (``botapi.time``), which the busy-group tests
replace with a :class:`Clock` they move by hand: "within 20 seconds" is a property of the dates
the bot sees, never of how long the test waits.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.config import Settings
from bot.runtime.store import Store
from handlers.texts import NOT_YOURS, QUEUE_FULL, SLOW_DOWN, VOTED

from .harness import (
    GROUP_ID,
    MENTION,
    OTHER_USER_ID,
    SUPERGROUP_ID,
    USER_ID,
    BotHandle,
    Clock,
    StartBot,
    buttons,
    callback_data,
    logged,
    reply_target,
    visible,
)

pytestmark = pytest.mark.timeout(60)

JSON = dict[str, Any]
RED_LINES = "xi-four-red-lines"
DEFAULTS = Settings.model_fields
USERS = [(700_001 + n, f"user{n}", f"User{n}") for n in range(5)]


def group_texts(bot: BotHandle, chat_id: int, mark: int) -> list[JSON]:
    return [p for p in bot.since(mark).sent if p["chat_id"] == chat_id]


def questions(bot: BotHandle, count: int) -> list[str]:
    """Questions the knowledge base answers, taken from it (never hard-coded)."""
    pool = [q for s in bot.kb.statements for q in s.questions]
    return (pool * (count // len(pool) + 1))[:count]


# ----------------------------------------------------------------------------- a busy group


async def test_five_people_asking_four_questions_each_within_20_s_are_all_answered_in_order(
    start_bot: StartBot, clock: Clock
) -> None:
    async with start_bot(
        POLICYBOT_USER_RATE_PER_MINUTE=DEFAULTS["user_rate_per_minute"].default,
        POLICYBOT_GROUP_COOLDOWN=DEFAULTS["group_cooldown_seconds"].default,
        POLICYBOT_GROUP_QUEUE=DEFAULTS["group_queue"].default,
    ) as bot:
        start = clock.now
        mark = bot.mark()
        asked: list[JSON] = []
        texts = iter(questions(bot, 20))
        for turn in range(4):
            for n, (user_id, username, name) in enumerate(USERS):
                clock.now = start + turn * 5 + n  # 20 questions, dated within 20 seconds
                question = next(texts)
                text = f"/ask {question}" if (turn + n) % 2 else f"{MENTION} {question}"
                asked.append(
                    bot.api.inject_message(
                        text, chat_type="group", user_id=user_id, username=username, first_name=name
                    )
                )
        assert asked[-1]["date"] - asked[0]["date"] < 20
        await bot.settle()
        sent = group_texts(bot, GROUP_ID, mark)
        assert [reply_target(p) for p in sent] == [m["message_id"] for m in asked]  # in order
        assert all("<blockquote>" in p["text"] for p in sent)  # each one answered
        notices = {visible(SLOW_DOWN), visible(QUEUE_FULL)}
        assert not [p for p in sent if visible(p) in notices]
        assert bot.since(mark).edits == []


async def test_a_flooding_user_gets_one_notice_then_silence_while_others_are_answered(
    start_bot: StartBot, clock: Clock
) -> None:
    rate = 4
    async with start_bot(POLICYBOT_USER_RATE_PER_MINUTE=rate) as bot:
        start = clock.now
        mark = bot.mark()
        flood, other = [], None
        with logged("handlers.common", lambda r: "Flood" in r.getMessage()) as refusal:
            for n in range(10):
                clock.now = start + n
                flood.append(bot.api.inject_message(f"/ask red lines {n}", chat_type="group"))
                if n == 6:
                    other = bot.api.inject_message(
                        "/ask taiwan", chat_type="group", user_id=OTHER_USER_ID
                    )
            await bot.settle()
            assert (await refusal).levelno == logging.INFO  # refusals are logged
        sent = group_texts(bot, GROUP_ID, mark)
        targets = [reply_target(p) for p in sent]
        answered = [m["message_id"] for m in flood[:rate]]
        assert other is not None
        assert targets == [*answered, flood[rate]["message_id"], other["message_id"]]
        assert visible(sent[rate]) == visible(SLOW_DOWN)  # one notice, then silence
        assert [visible(p) for p in sent].count(visible(SLOW_DOWN)) == 1

        # a minute after the first question (by the messages' dates) there is room again
        clock.now = start + 61
        question, answer = await bot.ask("/ask red lines again", chat_type="group")
        assert reply_target(answer) == question["message_id"]
        assert "<blockquote>" in answer["text"]


async def test_a_backlog_longer_than_the_bound_drops_its_oldest_with_one_notice(
    start_bot: StartBot,
) -> None:
    """Six questions arrive at once in a group whose bound is two. The first one's answer is
    held by the server until all six are queued: five then wait behind it. The three oldest of
    them are dropped (the chat told once, each drop logged), the two newest answered in order."""
    async with start_bot(POLICYBOT_GROUP_QUEUE=2) as bot:
        bot.allow_failed_calls = True  # the held send is lost, as if the network dropped it
        mark = bot.mark()
        with logged(
            "handlers.common", lambda r: r.getMessage().startswith("Dropped"), logging.WARNING
        ) as dropped:
            asked = [
                bot.api.inject_message(
                    f"/ask red lines {n}", chat_type="group", user_id=user_id, username=name
                )
                for n, (user_id, name, _) in enumerate([*USERS, (OTHER_USER_ID, "bob", "Bob")])
            ]
            first = asked[0]["message_id"]

            def answers_first(method: str, params: JSON) -> bool:
                return method == "sendMessage" and reply_target(params) == first

            bot.api.hold("sendMessage", when=lambda params: reply_target(params) == first)
            await bot.api.wait_arrived(answers_first, in_flight=True)
            last = bot.api.last_update_id
            await bot.api.wait_arrived(  # the bot has queued every update: five wait
                lambda m, p: m == "getUpdates" and int(p.get("offset") or 0) > last
            )
            bot.api.release("sendMessage")  # lost; the bot sends it again
            await bot.settle()
            assert dropped.done()
            assert "POLICYBOT_GROUP_QUEUE=2" in dropped.result().getMessage()
        sent = [p for p in bot.api.sent_messages(GROUP_ID)]
        assert [(m["reply_to_message"]["message_id"], m["text"] == QUEUE_FULL) for m in sent] == [
            (asked[0]["message_id"], False),
            (asked[1]["message_id"], True),  # the first dropped is told, for the chat
            (asked[4]["message_id"], False),
            (asked[5]["message_id"], False),
        ]
        assert bot.since(mark).edits == []


async def test_example_buttons_obey_the_same_per_user_limit(start_bot: StartBot) -> None:
    async with start_bot(POLICYBOT_USER_RATE_PER_MINUTE=3) as bot:
        _, done = await bot.send("/start", chat_type="group")  # the first post of three
        [welcome] = done.sent
        message = bot.message_for(welcome)
        first = await bot.press("ex::0", message)
        second = await bot.press("ex::1", message)
        assert len(first.sent) == len(second.sent) == 1
        assert reply_target(first.sent[0]) == message["message_id"]  # it answers the welcome
        third = await bot.press("ex::2", message)
        assert third.sent == []
        assert third.notices == [SLOW_DOWN]  # told once ...
        fourth = await bot.press("ex::0", message)
        assert fourth.sent == []
        assert fourth.notices == [None]  # ... then ignored (every press is still answered)
        # another user is not affected
        pressed = await bot.press("ex::0", message, user_id=OTHER_USER_ID)
        assert len(pressed.sent) == 1


async def test_commands_in_a_group_are_limited_per_user_too(start_bot: StartBot) -> None:
    async with start_bot(POLICYBOT_USER_RATE_PER_MINUTE=2) as bot:
        mark = bot.mark()
        for command in ("/topics", "/help", "/latest", "/start"):
            bot.api.inject_message(command, chat_type="supergroup")
        await bot.settle()
        sent = [p for p in bot.since(mark).sent if p["chat_id"] == SUPERGROUP_ID]
        assert len(sent) == 3
        assert visible(sent[2]) == visible(SLOW_DOWN)


# ----------------------------------------------------------------------------- whose buttons


async def test_another_members_press_does_not_change_the_askers_answer(
    bot_app: BotHandle,
) -> None:
    bot = bot_app
    _, answer = await bot.ask("/ask cooperation", chat_type="group")
    message = bot.message_for(answer)
    before = bot.current(message)
    navigation = [d for d in callback_data(answer) if not d.startswith("fb:")]
    assert {d.split(":")[0] for d in navigation} >= {"more", "src", "tp"}
    for data in navigation:
        done = await bot.press(data, message, user_id=OTHER_USER_ID)
        assert done.notices == [NOT_YOURS]
        assert done.edits == done.sent == []
    after = bot.current(message)
    assert (after["text"], after["reply_markup"]) == (before["text"], before["reply_markup"])

    # the asker still can, and the answer card can always be brought back
    done = await bot.press("more::1", message)
    [edit] = done.edits
    assert visible(edit).startswith("2/")
    done = await bot.press("more::0", message)
    assert bot.current(message)["text"] == before["text"]

    # a vote is anyone's: it changes the counts on the buttons, not the answer
    done = await bot.press(callback_data(answer)[-2], message, user_id=OTHER_USER_ID)
    assert done.notices == [VOTED[(None, True)]]
    assert bot.current(message)["text"] == before["text"]


async def test_an_example_answer_belongs_to_whoever_pressed_it(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/start", chat_type="group")
    welcome = bot.message_for(done.sent[0])
    pressed = await bot.press("ex::0", welcome, user_id=OTHER_USER_ID)
    answer = bot.message_for(pressed.sent[0])
    source = next(d for d in callback_data(answer) if d.startswith("src:"))
    refused = await bot.press(source, answer, user_id=USER_ID)
    assert refused.notices == [NOT_YOURS]
    opened = await bot.press(source, answer, user_id=OTHER_USER_ID)
    assert len(opened.edits) == 1


# ----------------------------------------------------------------------------- ways back


def is_answer_card(message: JSON) -> bool:
    """The full answer card (as stored): the words, n/N, paging, Source, and 👍/👎."""
    quoted = any(e["type"] == "blockquote" for e in message.get("entities", []))
    return quoted and any(d.startswith("fb:") for d in callback_data(message))


async def back_to_the_card(bot: BotHandle, message: JSON) -> int:
    """Follow "◂ Back" buttons until the answer card shows; return how many it took."""
    for steps in range(4):
        current = bot.current(message)
        if is_answer_card(current):
            return steps
        back = [b for b in buttons(current) if b["text"].startswith("◂ Back")]
        assert back, f"a dead end: {visible(current['text'])[:80]!r}"
        await bot.press(back[0]["callback_data"], message)
    raise AssertionError("no way back to the answer card")


@pytest.mark.parametrize("chat_type", ["private", "group"])
async def test_every_view_has_a_way_back_to_the_answer_card(
    start_bot: StartBot, chat_type: str
) -> None:
    # Well over 20 edits a minute: in a group, PTB's rate limiter would rightly space them out
    # (Telegram's group limit); this test is about where the buttons lead, not about pacing.
    async with start_bot(rate_limit=False) as bot:
        await _walk_every_view(bot, chat_type)


async def _walk_every_view(bot: BotHandle, chat_type: str) -> None:
    prefix = "/ask " if chat_type == "group" else ""
    _, answer = await bot.ask(f"{prefix}cooperation", chat_type=chat_type)
    message = bot.message_for(answer)
    total = len(bot.services.library.index.search("cooperation").matches)
    assert total >= 3
    bot.allow_failed_calls = True  # re-showing what is shown is an edit Telegram refuses
    for page in range(total):
        if page:
            await bot.press(f"more::{page}", message)  # More ▸
        card = bot.current(message)
        assert visible(card["text"]).startswith(f"{page + 1}/{total}")
        data = callback_data(card)
        assert (f"more::{page - 1}" in data) is (page > 0)  # Previous
        assert (f"more::{page + 1}" in data) is (page + 1 < total)  # More
        for first in [d for d in data if d.split(":")[0] in ("src", "tp")]:
            await bot.press(first, message)
            view = bot.current(message)
            assert await back_to_the_card(bot, message) == 1
            assert bot.current(message)["text"] == card["text"]  # the same page, as it was
            for deeper in [d for d in callback_data(view) if d.split(":")[0] in ("tpi", "tp")]:
                await bot.press(first, message)
                await bot.press(deeper, message)
                assert await back_to_the_card(bot, message) >= 1
                assert bot.current(message)["text"] == card["text"]


async def test_topics_menu_and_its_lists_link_back(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/topics")
    [menu] = done.sent
    message = bot.message_for(menu)
    first = callback_data(menu)[0]
    listing = (await bot.press(first, message)).edits[0]
    assert "tps::0" in callback_data(listing)
    item = next(d for d in callback_data(listing) if d.startswith("tpi:"))
    opened = (await bot.press(item, message)).edits[0]
    back = next(b for b in buttons(opened) if b["text"].startswith("◂ Back"))
    assert (await bot.press(back["callback_data"], message)).edits[0]["text"] == listing["text"]
    again = (await bot.press("tps::0", message)).edits[0]
    assert again["text"] == menu["text"]


# ----------------------------------------------------------------------------- votes


def vote_labels(message: JSON) -> list[str]:
    return [b["text"] for b in buttons(message) if b.get("callback_data", "").startswith("fb:")]


async def test_a_vote_is_one_per_user_and_changeable(bot_app: BotHandle) -> None:
    bot = bot_app
    _, answer = await bot.ask("red lines")
    message = bot.message_for(answer)
    up, down = f"fb:{RED_LINES}:1", f"fb:{RED_LINES}:0"

    done = await bot.press(up, message)
    assert done.notices == [VOTED[(None, True)]]
    assert vote_labels(bot.current(message)) == ["👍 Helpful ✓", "👎 Not helpful"]
    again = await bot.press(up, message)
    assert again.notices == [VOTED[(True, True)]]
    assert again.of("editMessageReplyMarkup") == []  # nothing changed, nothing edited
    changed = await bot.press(down, message)
    assert changed.notices == [VOTED[(True, False)]]
    assert vote_labels(bot.current(message)) == ["👍 Helpful", "👎 Not helpful ✓"]
    assert changed.edits == []  # the answer itself is untouched

    store = Store(bot.settings.database)
    try:
        [vote] = store.votes()
        assert (vote.statement_id, vote.helpful) == (RED_LINES, False)
        assert str(USER_ID) not in vote.voter  # who voted is not stored, only a keyed hash
        assert [e.statement_id for e in store.events(kind="unhelpful")] == [RED_LINES]
    finally:
        store.close()
    await bot.press(up, message)  # changed back: the 👎 leaves the maintainers' list
    store = Store(bot.settings.database)
    try:
        assert [v.helpful for v in store.votes()] == [True]
        assert store.events(kind="unhelpful") == []
    finally:
        store.close()


async def test_group_votes_are_counted_once_per_member(bot_app: BotHandle) -> None:
    bot = bot_app
    _, answer = await bot.ask("/ask red lines", chat_type="group")
    message = bot.message_for(answer)
    up, down = f"fb:{RED_LINES}:1", f"fb:{RED_LINES}:0"
    await bot.press(up, message, user_id=USER_ID)
    await bot.press(down, message, user_id=OTHER_USER_ID)
    await bot.press(down, message, user_id=OTHER_USER_ID)  # twice from one member: one vote
    await bot.press(down, message, user_id=USERS[0][0])
    assert vote_labels(bot.current(message)) == ["👍 Helpful · 1", "👎 Not helpful · 2"]
    done = await bot.press(up, message, user_id=OTHER_USER_ID)
    assert done.notices == [VOTED[(False, True)]]
    assert vote_labels(bot.current(message)) == ["👍 Helpful · 2", "👎 Not helpful · 1"]
    store = Store(bot.settings.database)
    try:
        assert sorted(v.helpful for v in store.votes()) == [False, True, True]
    finally:
        store.close()
