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


async def test_start_welcomes_with_three_example_buttons_that_answer(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/start")
    [welcome] = done.sent
    assert "Ask anything" in visible(welcome)
    assert callback_data(welcome) == ["ex::0", "ex::1", "ex::2"]
    assert all(len(row) == 1 for row in welcome["reply_markup"]["inline_keyboard"])
    questions = {q for s in bot.kb.statements for q in s.questions}
    for button in buttons(welcome):
        assert any(q.startswith(button["text"]) for q in questions), button

    message = bot.message_for(welcome)
    pressed = await bot.press("ex::1", message)
    [answer] = pressed.sent
    [notice] = pressed.notices
    assert notice is not None
    assert notice.startswith(buttons(welcome)[1]["text"])
    [statement] = [s for s in bot.kb.statements if s.questions and s.questions[0] == notice]
    assert answer["chat_id"] == USER_ID
    assert f"<blockquote>{html.escape(statement.text)}" in answer["text"]
    assert pressed.edits == []  # the welcome stays, so the other examples can be tried
    assert callback_data(bot.current(message)) == ["ex::0", "ex::1", "ex::2"]


async def test_start_deep_link_opens_that_statement(bot_app: BotHandle) -> None:
    _, done = await bot_app.send("/start s_xi-four-red-lines")
    [opened] = done.sent
    statement = bot_app.kb.by_id["xi-four-red-lines"]
    assert visible(opened).startswith(statement.text)
    assert "<blockquote>" in opened["text"]
    assert "Xi Jinping" in visible(opened)
    assert callback_data(opened) == ["src:xi-four-red-lines:0", "tp:red-lines:0"]


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


async def test_topics_lists_every_topic_with_counts_and_buttons(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/topics")
    [reply] = done.sent
    shown = visible(reply)
    index = bot.services.library.index
    for topic in bot.kb.topics.values():
        assert f"• {topic.name} ({len(index.statements_on(topic.id))})" in shown
    assert "• Taiwan (2)" in shown
    used = {t for s in bot.kb.statements for t in s.topics}
    assert sorted(callback_data(reply)) == sorted(f"tp:{t}:0" for t in used)
    assert all(len(row) <= 2 for row in reply["reply_markup"]["inline_keyboard"])

    pressed = await bot.press("tp:taiwan:0", bot.message_for(reply))
    [listing] = pressed.edits
    assert visible(listing).startswith("Taiwan (2, newest first)")
    assert pressed.sent == []


async def test_topic_shows_a_timeline_and_unknown_topics_say_so(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/topic taiwan")
    [listing] = done.sent
    shown = visible(listing)
    assert shown.startswith("Taiwan (2, newest first)")
    assert "1. 2024-12-17 — Wang Yi:" in shown
    assert "2. 2024-12-17 — Xi Jinping (via Wang Yi):" in shown
    assert callback_data(listing) == [
        "st:wang-yi-taiwan-interference-response:0",
        "st:xi-four-red-lines:0",
    ]
    assert [b["text"] for b in buttons(listing)] == ["1", "2"]

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
    assert "Wang Yi (王毅)" in shown
    assert "Xi Jinping (习近平)" in shown
    assert "President of the People's Republic of China, 2013-03-14 – now" in shown
    assert "Minister of Foreign Affairs of China, 2013-03-16 – 2022-12-30" in shown

    _, done = await bot.send("/speaker Wang Yi")
    [listing] = done.sent
    count = len(bot.services.library.index.statements_by("wang-yi"))
    assert visible(listing).startswith(f"Wang Yi ({count}, newest first)")
    assert all(d.startswith("st:") for d in callback_data(listing)[:5])
    assert "sp:wang-yi:5" in callback_data(listing)  # more than one page

    _, done = await bot.send("/speaker Nobody Special")
    [unknown] = done.sent
    assert visible(unknown).startswith("I have no statements from “Nobody Special”")


async def test_latest_pages_through_the_newest_statements(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("/latest")
    [listing] = done.sent
    total = len(bot.kb.statements)
    assert visible(listing).startswith(f"Latest statements ({total}, newest first)")
    newest = [s.id for s in bot.kb.statements]
    assert callback_data(listing) == [*(f"st:{i}:0" for i in newest[:5]), "new::5"]

    message = bot.message_for(listing)
    pressed = await bot.press("new::5", message)
    [page] = pressed.edits
    assert page["message_id"] == message["message_id"]
    assert "6. " in visible(page)
    assert "1. " not in visible(page)
    assert callback_data(page)[:5] == [f"st:{i}:0" for i in newest[5:10]]
    assert callback_data(page)[5:] == ["new::0", "new::10"]
    assert pressed.sent == []

    pressed = await bot.press("st:" + newest[6] + ":0")
    [opened] = pressed.edits
    assert visible(opened).startswith(bot.kb.by_id[newest[6]].text[:40])


async def test_about_shows_counts_newest_date_and_version(
    bot_app: BotHandle, bundled: KnowledgeBase
) -> None:
    _, done = await bot_app.send("/about")
    shown = visible(done.sent[0])
    assert "11 statements, 2 speakers, 25 topics, 1 sources" in shown
    assert "Newest statement: 2024-12-17" in shown
    assert f"Version: {bundled.content_hash[:12]}" in shown
    assert "Loaded: " in shown
