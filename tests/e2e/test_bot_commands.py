"""End-to-end: start-up, /start (examples, deep links), /help and the browsing commands."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.knowledge.models import KnowledgeBase

from .botapi import FakeBotAPI
from .harness import (
    ADMIN_ID,
    GROUP_ID,
    SUPERGROUP_ID,
    USER_ID,
    BotHandle,
    StartBot,
    buttons,
    callback_data,
    copy_knowledge,
    reply_target,
    visible,
)

pytestmark = pytest.mark.timeout(30)

USER_COMMANDS = ["start", "help", "topics", "topic", "speakers", "speaker", "latest", "about"]


@pytest.fixture(scope="module")
def bundled() -> KnowledgeBase:
    return load_knowledge(BUNDLED_KNOWLEDGE)


# ----------------------------------------------------------------------------- start-up


async def test_startup_publishes_separate_command_lists_and_loads_the_knowledge(
    start_bot: StartBot, botapi: FakeBotAPI, bundled: KnowledgeBase
) -> None:
    async with start_bot() as bot:
        assert bot.services.library.loaded
        assert bot.kb.content_hash == bundled.content_hash
        assert len(bot.kb.statements) == len(bundled.statements) > 0
        await bot.settle()
        calls = botapi.calls
        methods = [method for method, _ in calls]
        first_poll = methods.index("getUpdates")
        published = [p for m, p in calls[:first_poll] if m == "setMyCommands"]
        assert len(published) == 3  # before the first poll: nobody sees a stale menu

    def names(scope: dict[str, object]) -> list[str]:
        return [c["command"] for c in botapi.my_commands(scope)]

    assert names({"type": "all_private_chats"}) == USER_COMMANDS
    group = names({"type": "all_group_chats"})
    assert group[0] == "ask"
    assert {"reload", "unanswered", "start"}.isdisjoint(group)
    admin = names({"type": "chat", "chat_id": ADMIN_ID})
    assert admin == [*USER_COMMANDS, "reload", "unanswered"]
    assert names({"type": "chat", "chat_id": USER_ID}) == []  # only admins get the admin menu
    assert botapi.my_commands() == []  # nothing in the default scope
    for scope in ({"type": "all_private_chats"}, {"type": "all_group_chats"}):
        assert all(c["description"].strip() for c in botapi.my_commands(scope))


async def test_startup_refuses_a_broken_knowledge_base(
    start_bot: StartBot, botapi: FakeBotAPI, tmp_path: Path
) -> None:
    knowledge = copy_knowledge(tmp_path / "knowledge")
    (knowledge / "topics.yaml").write_text("topics:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        async with start_bot(POLICYBOT_KNOWLEDGE_DIR=knowledge, check=False):
            pass
    assert any("topics.yaml" in str(p) for p in caught.value.problems)
    assert not [m for m, _ in botapi.calls if m in ("getUpdates", "setMyCommands")]


# ----------------------------------------------------------------------------- /start


def shows(params: dict[str, object], statement_id: str, bot: BotHandle) -> bool:
    text = html.escape(bot.kb.by_id[statement_id].text)
    return any(f"<blockquote>{q}{text}" in str(params["text"]) for q in ("", "“", "…", "“…"))


async def test_start_welcomes_with_three_example_buttons_that_answer(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/start")
    [welcome] = done.sent
    shown = visible(welcome)
    assert "Ask anything" in shown
    # what the knowledge base covers: statements, speakers, sources, dates
    assert "I know 11 statements by Wang Yi and Xi Jinping, from 1 source (Xinhua), dated " in (
        shown
    )
    assert callback_data(welcome) == ["ex::0", "ex::1", "ex::2"]
    assert all(len(row) == 1 for row in welcome["reply_markup"]["inline_keyboard"])
    questions = {q for s in bot.kb.statements for q in s.questions}
    for button in buttons(welcome):
        assert any(q.startswith(button["text"].removesuffix("…")) for q in questions), button

    message = bot.message_for(welcome)
    pressed = await bot.press("ex::1", message)
    [answer] = pressed.sent
    [notice] = pressed.notices
    assert notice is not None
    assert notice.startswith(buttons(welcome)[1]["text"].removesuffix("…"))
    [statement] = [s for s in bot.kb.statements if s.questions and s.questions[0] == notice]
    assert answer["chat_id"] == USER_ID
    assert shows(answer, statement.id, bot)
    assert reply_target(answer) == message["message_id"]  # it answers the welcome's button
    assert pressed.edits == []  # the welcome stays, so the other examples can be tried
    assert callback_data(bot.current(message)) == ["ex::0", "ex::1", "ex::2"]


async def test_start_in_a_group_explains_how_to_ask_there(bot_app: BotHandle) -> None:
    _, done = await bot_app.send("/start", chat_type="group")
    [welcome] = done.sent
    shown = visible(welcome)
    assert "Ask anything" not in shown  # plain messages are ignored in groups
    assert "/ask your question" in shown
    assert "@policy_test_bot" in shown
    assert "reply to one of my messages" in shown
    assert callback_data(welcome) == ["ex::0", "ex::1", "ex::2"]


async def test_start_help_opens_the_help(bot_app: BotHandle) -> None:
    _, done = await bot_app.send("/start help")
    [reply] = done.sent
    assert visible(reply).startswith("How to ask")


async def test_start_deep_link_opens_that_statement(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/start s_xi-four-red-lines")
    [opened] = done.sent
    assert shows(opened, "xi-four-red-lines", bot)
    assert "Xi Jinping" in visible(opened)
    assert callback_data(opened) == ["src:xi-four-red-lines:0"]
    assert buttons(opened)[1]["switch_inline_query"] == "xi-four-red-lines"
    message = bot.message_for(opened)
    source = await bot.press("src:xi-four-red-lines:0", message)
    assert callback_data(source.edits[0]) == ["st:xi-four-red-lines:0"]  # back to it
    back = await bot.press("st:xi-four-red-lines:0", message)
    assert back.edits[0]["text"] == opened["text"]


async def test_start_deep_link_to_an_unknown_statement_says_so(bot_app: BotHandle) -> None:
    _, done = await bot_app.send("/start s_nope")
    notice, welcome = done.sent
    assert "statement I don't have" in visible(notice)
    assert callback_data(welcome) == ["ex::0", "ex::1", "ex::2"]


@pytest.mark.parametrize(
    ("text", "chat_type", "expected", "absent"),
    [
        ("/help", "private", "How to ask", "Using me in a group"),
        ("/help", "group", "Using me in a group", "How to ask"),
        ("/help@policy_test_bot", "supergroup", "Using me in a group", "How to ask"),
    ],
)
async def test_help_differs_in_private_and_group_chats(
    bot_app: BotHandle, text: str, chat_type: str, expected: str, absent: str
) -> None:
    _, done = await bot_app.send(text, chat_type=chat_type)
    [reply] = done.sent
    shown = visible(reply)
    assert expected in shown
    assert absent not in shown
    assert "@policy_test_bot" in shown
    if chat_type != "private":
        assert "/ask" in shown
        assert reply["chat_id"] in (GROUP_ID, SUPERGROUP_ID)


# ----------------------------------------------------------------------------- browsing


async def test_topics_are_buttons_with_full_names_and_counts(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/topics")
    [reply] = done.sent
    index = bot.services.library.index
    used = {t for s in bot.kb.statements for t in s.topics}
    assert visible(reply).startswith(f"Topics — {len(used)} topics, most statements first.")
    assert "•" not in visible(reply)  # buttons or text, not both
    message = bot.message_for(reply)
    labels: dict[str, str] = {}
    bot.allow_failed_calls = True
    while True:  # page through the menu
        current = bot.current(message)
        for b in buttons(current):
            if b["callback_data"].startswith("tp:"):
                labels[b["callback_data"].split(":")[1]] = b["text"]
        if "Next ▸" not in [b["text"] for b in buttons(current)]:
            break
        following = next(b for b in buttons(current) if b["text"] == "Next ▸")
        await bot.press(following["callback_data"], message)
    assert set(labels) == used
    for topic_id, label in labels.items():
        topic = bot.kb.topics[topic_id]
        assert label == f"{topic.name} ({len(index.statements_on(topic_id))})"  # full names
    assert labels["taiwan"] == "Taiwan (2)"

    while previous := [b for b in buttons(bot.current(message)) if b["text"] == "◂ Previous"]:
        await bot.press(previous[0]["callback_data"], message)
    pressed = await bot.press("tp:taiwan:0:m0", message)
    [listing] = pressed.edits
    assert visible(listing).startswith("Taiwan (2 statements, newest first)")
    assert callback_data(listing)[-1] == "tps::0"  # ◂ All topics
    assert pressed.sent == []


async def test_topic_shows_a_timeline_and_unknown_topics_say_so(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/topic taiwan")
    [listing] = done.sent
    shown = visible(listing)
    assert shown.startswith("Taiwan (2 statements, newest first)")
    assert "1. 17 Dec 2024 — Wang Yi:" in shown
    assert "2. 17 Dec 2024 — Xi Jinping (via Wang Yi):" in shown
    assert callback_data(listing) == ["tpi:taiwan:0", "tpi:taiwan:1"]
    assert [b["text"] for b in buttons(listing)] == ["1", "2"]
    message = bot.message_for(listing)
    opened = (await bot.press("tpi:taiwan:1", message)).edits[0]
    assert shows(opened, "xi-four-red-lines", bot)
    assert callback_data(opened) == ["tp:taiwan:0"]  # ◂ Back to the list
    back = (await bot.press("tp:taiwan:0", message)).edits[0]
    assert back["text"] == listing["text"]

    _, done = await bot.send("/topic atlantis <b>")
    [unknown] = done.sent
    assert visible(unknown).startswith("I don't know a topic called “atlantis <b>”")
    assert buttons(unknown) == []
    _, done = await bot.send("/topic")
    assert "Which topic?" in visible(done.sent[0])


async def test_speakers_and_speaker(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/speakers")
    shown = visible(done.sent[0])
    own = sum(1 for s in bot.kb.statements if s.speaker == "wang-yi")
    relayed = sum(1 for s in bot.kb.statements if s.relayed_by == "wang-yi")
    assert (own, relayed) == (9, 2)  # as `policybot stats` counts them: the counts agree
    assert "Wang Yi (王毅) — 9 statements, and relayed 2 more" in shown
    assert "Xi Jinping (习近平) — 2 statements" in shown
    # dated as cards date; an open end is not known, so it is not called "now"
    assert "President of the People's Republic of China, since 14 Mar 2013" in shown
    assert "Minister of Foreign Affairs of China, 16 Mar 2013 – 30 Dec 2022" in shown

    _, done = await bot.send("/speaker Wang Yi")
    [listing] = done.sent
    count = len(bot.services.library.index.statements_by("wang-yi"))
    assert count == own + relayed
    assert visible(listing).startswith(
        f"Wang Yi ({count} statements, {relayed} of them relayed, newest first)"
    )
    assert all(d.startswith("spi:wang-yi:") for d in callback_data(listing)[:5])
    assert "sp:wang-yi:5" in callback_data(listing)  # more than one page

    _, done = await bot.send("/speaker Nobody Special")
    [unknown] = done.sent
    assert visible(unknown).startswith("I have no statements from “Nobody Special”")


async def test_latest_pages_through_the_newest_statements(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/latest")
    [listing] = done.sent
    total = len(bot.kb.statements)
    assert visible(listing).startswith(f"Latest statements ({total} statements, newest first)")
    newest = [s.id for s in bot.kb.statements]
    assert callback_data(listing) == [*(f"newi::{n}" for n in range(5)), "new::5"]

    message = bot.message_for(listing)
    pressed = await bot.press("new::5", message)
    [page] = pressed.edits
    assert page["message_id"] == message["message_id"]
    assert "6. " in visible(page)
    assert "1. " not in visible(page)
    assert callback_data(page)[:5] == [f"newi::{n}" for n in range(5, 10)]
    assert callback_data(page)[5:] == ["new::0", "new::10"]
    assert pressed.sent == []

    pressed = await bot.press("newi::6")
    [opened] = pressed.edits
    assert shows(opened, newest[6], bot)
    assert callback_data(opened) == ["new::5"]  # ◂ Back to the list, at its page


async def test_about_shows_counts_newest_date_and_version(
    bot_app: BotHandle, bundled: KnowledgeBase
) -> None:
    _, done = await bot_app.send("/about")
    shown = visible(done.sent[0])
    assert "11 statements, 2 speakers, 25 topics, 1 source\n" in shown  # plurals right
    assert "Covers: 11 statements by Wang Yi and Xi Jinping, from 1 source (Xinhua)" in shown
    assert "Newest statement: 17 Dec 2024" in shown
    assert f"Version: {bundled.content_hash[:12]}" in shown
    assert "Loaded: " in shown
