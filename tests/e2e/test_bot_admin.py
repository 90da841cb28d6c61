"""End-to-end: the error handler, admin commands, reloads, the watcher, and log hygiene."""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from telegram.warnings import PTBUserWarning

from bot.answers.render import MAX_MESSAGE_CHARS
from bot.search.engine import SearchIndex
from handlers.errors import APOLOGY
from handlers.texts import UNKNOWN_COMMAND

from .botapi import FakeBotAPI, parse_html
from .harness import (
    ADMIN_ID,
    GROUP_ID,
    OTHER_USER_ID,
    USER_ID,
    BotHandle,
    StartBot,
    copy_knowledge,
    logged,
    visible,
)

pytestmark = pytest.mark.timeout(30)

RED_LINES = "xi-four-red-lines"
STATEMENTS = "statements/xinhua-2024-12-18-wang-yi-china-us.yaml"
MARKER = "boom-marker"
BROKEN_TOPICS_LINE = "  - id: [unclosed\n"  # appended to topics.yaml: a YAML syntax error
WATCHER_TASK_WARNING = "ignore:Tasks created via:telegram.warnings.PTBUserWarning"
LIBRARY_LOGGER = "bot.runtime.library"  # logs "Knowledge base <version> live: ..." on a reload


def fail_on_boom(monkeypatch: pytest.MonkeyPatch, padding: str = "") -> None:
    """The search raises (a message with HTML in it) for questions containing "boom" only."""
    original = SearchIndex.search

    def search(self: SearchIndex, question: str, **kwargs: Any) -> Any:
        if "boom" in question:
            raise RuntimeError(f"{padding}<b>&</b> {MARKER}")
        return original(self, question, **kwargs)

    monkeypatch.setattr(SearchIndex, "search", search)


def shows(params: dict[str, Any], statement_id: str, bot: BotHandle) -> bool:
    # a fragment's card starts with "…" before the stored words
    return visible(params).removeprefix("…").startswith(bot.kb.by_id[statement_id].text[:60])


# ----------------------------------------------------------------------------- errors


async def test_a_failing_update_gets_one_apology_and_one_admin_report(
    bot_app: BotHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bot = bot_app
    bot.expect_errors = True
    fail_on_boom(monkeypatch)
    _, done = await bot.send("what about boom?")
    to_user = done.of("sendMessage", chat_id=USER_ID)
    to_admin = done.of("sendMessage", chat_id=ADMIN_ID)
    assert [visible(p) for p in to_user] == [APOLOGY]
    [report] = to_admin
    assert len(report["text"]) <= MAX_MESSAGE_CHARS
    shown, entities = parse_html(report["text"])
    assert len(shown) <= MAX_MESSAGE_CHARS
    assert shown.startswith("⚠️ An exception was raised while handling an update.")
    assert [e["type"] for e in entities] == ["pre"]
    assert 'File "' in shown
    assert "in search" in shown  # the frame that raised
    assert f"RuntimeError: <b>&</b> {MARKER}" in shown  # escaped once: shown exactly as raised
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in report["text"]
    assert bot.api.token not in report["text"]
    assert any("Exception while handling an update" in r.getMessage() for r in caplog.records)

    # the next update is answered normally
    _, answer = await bot.ask("red lines")
    assert shows(answer, RED_LINES, bot)
    assert len(bot.api.sent_messages(ADMIN_ID)) == 1


@pytest.mark.parametrize("padding", ["x" * 3000, "<&>" * 4000])
async def test_the_report_of_a_huge_exception_fits_one_message(
    bot_app: BotHandle, monkeypatch: pytest.MonkeyPatch, padding: str
) -> None:
    bot = bot_app
    bot.expect_errors = True
    fail_on_boom(monkeypatch, padding=padding)
    _, done = await bot.send("boom")
    assert [visible(p) for p in done.of("sendMessage", chat_id=USER_ID)] == [APOLOGY]
    [report] = done.of("sendMessage", chat_id=ADMIN_ID)  # accepted: valid HTML
    assert len(report["text"]) <= MAX_MESSAGE_CHARS
    shown, _ = parse_html(report["text"])
    assert len(shown) <= MAX_MESSAGE_CHARS
    assert shown.startswith("⚠️ An exception was raised while handling an update.")
    _, answer = await bot.ask("red lines")
    assert shows(answer, RED_LINES, bot)


@pytest.mark.parametrize("padding", ["x" * 3000, "<&>" * 4000])
async def test_the_report_of_a_long_exception_message_still_shows_where_and_what(
    bot_app: BotHandle, monkeypatch: pytest.MonkeyPatch, padding: str
) -> None:
    bot = bot_app
    bot.expect_errors = True
    fail_on_boom(monkeypatch, padding=padding)
    _, done = await bot.send("boom")
    [report] = done.of("sendMessage", chat_id=ADMIN_ID)
    shown, _ = parse_html(report["text"])
    assert MARKER in shown
    assert 'File "' in shown


async def test_a_failing_button_gets_one_answer_and_one_report(
    bot_app: BotHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = bot_app
    _, answer = await bot.ask("red lines")
    bot.expect_errors = True

    def broken(*args: object) -> str:
        raise ValueError("source rendering <broke> & failed")

    monkeypatch.setattr("handlers.callbacks.source_html", broken)
    done = await bot.press(f"src:{RED_LINES}:0", bot.message_for(answer))
    assert done.notices == [APOLOGY[:200]]
    assert done.of("sendMessage", chat_id=USER_ID) == []
    [report] = done.of("sendMessage", chat_id=ADMIN_ID)
    assert "ValueError: source rendering <broke> & failed" in visible(report)


# ----------------------------------------------------------------------------- admin


async def test_reload_by_an_admin(bot_app: BotHandle) -> None:
    bot = bot_app
    loaded = bot.kb.loaded_at
    _, done = await bot.send("/reload", user_id=ADMIN_ID)
    [reply] = done.sent
    assert reply["chat_id"] == ADMIN_ID
    assert visible(reply).startswith("✅ Reloaded: 11 statements")
    assert bot.kb.loaded_at > loaded


@pytest.mark.parametrize("command", ["/reload", "/unanswered", "/reload@policy_test_bot now"])
async def test_admin_commands_look_unknown_to_everyone_else(
    bot_app: BotHandle, command: str
) -> None:
    bot = bot_app
    loaded = bot.kb.loaded_at
    _, unknown = await bot.send("/nosuchcommand")
    _, refused = await bot.send(command)
    [expected] = unknown.sent
    [reply] = refused.sent
    assert visible(reply) == visible(UNKNOWN_COMMAND)
    assert {k: v for k, v in reply.items()} == {k: v for k, v in expected.items()}
    assert refused.methods == unknown.methods == ["sendMessage"]
    assert bot.kb.loaded_at == loaded

    # in a group neither an unknown command nor an admin command gets any reply
    _, in_group = await bot.send(command, chat_type="group", user_id=OTHER_USER_ID)
    _, unknown_in_group = await bot.send("/nosuchcommand", chat_type="group")
    assert in_group.methods == unknown_in_group.methods == []
    assert bot.kb.loaded_at == loaded


async def test_a_broken_reload_lists_problems_and_keeps_answering(
    start_bot: StartBot, tmp_path: Path
) -> None:
    knowledge = copy_knowledge(tmp_path / "knowledge")
    async with start_bot(POLICYBOT_KNOWLEDGE_DIR=knowledge) as bot:
        version = bot.kb.content_hash
        statements = knowledge / STATEMENTS
        original = statements.read_text(encoding="utf-8")
        statements.write_text(
            original.replace("topics: [red-lines,", "topics: [red-linez,"), encoding="utf-8"
        )
        line = 1 + original.splitlines().index(
            next(t for t in original.splitlines() if "topics: [red-lines," in t)
        )
        topics = knowledge / "topics.yaml"
        good_topics = topics.read_text(encoding="utf-8")
        topics.write_text(good_topics + BROKEN_TOPICS_LINE, encoding="utf-8")
        topics_line = len(good_topics.splitlines()) + 1

        _, done = await bot.send("/reload", user_id=ADMIN_ID)
        [reply] = done.sent
        assert len(reply["text"]) <= MAX_MESSAGE_CHARS
        shown = visible(reply)
        assert shown.startswith(f"❌ Reload failed; still serving {version[:12]}")
        problems = re.findall(r"^(\S+\.yaml):(\d+): (.+)$", shown, re.MULTILINE)
        where = {(path.split("/", 1)[1], int(n)) for path, n, _ in problems}
        assert ("topics.yaml", topics_line) in where or ("topics.yaml", topics_line + 1) in where
        assert (STATEMENTS, line) in where
        assert any("red-linez" in message for _, _, message in problems)
        assert len(problems) == 2, problems  # one broken edit reads as one problem

        # the old knowledge base still answers
        assert bot.kb.content_hash == version
        _, answer = await bot.ask("What are China's red lines?")
        assert shows(answer, RED_LINES, bot)
        _, about = await bot.send("/about")
        assert f"Version: {version[:12]}" in visible(about.sent[0])

        # fixed: the reload succeeds
        topics.write_text(good_topics, encoding="utf-8")
        statements.write_text(original, encoding="utf-8")
        _, done = await bot.send("/reload", user_id=ADMIN_ID)
        assert visible(done.sent[0]).startswith("✅ Reloaded")


async def test_a_reload_with_many_problems_still_names_the_root_cause(
    start_bot: StartBot, tmp_path: Path
) -> None:
    knowledge = copy_knowledge(tmp_path / "knowledge")
    async with start_bot(POLICYBOT_KNOWLEDGE_DIR=knowledge) as bot:
        (knowledge / "topics.yaml").write_text("topics:\n" + BROKEN_TOPICS_LINE, encoding="utf-8")
        _, done = await bot.send("/reload", user_id=ADMIN_ID)
        assert done.sent
        assert all(len(p["text"]) <= MAX_MESSAGE_CHARS for p in done.sent)
        shown = "\n".join(visible(p) for p in done.sent)
        assert shown.startswith("❌ Reload failed")
        assert re.search(r"^\S*topics\.yaml:\d+: YAML", shown, re.MULTILINE), shown[-300:]


async def test_unanswered_shows_recorded_questions_to_the_admin(bot_app: BotHandle) -> None:
    bot = bot_app
    unanswerable = [
        "who won the world cup",
        "Who won the World Cup?",
        "what is the capital of mars",
    ]
    for text in unanswerable:
        await bot.ask(text)
    await bot.ask("/ask who won the world cup", chat_type="group", user_id=OTHER_USER_ID)
    _, answer = await bot.ask("red lines")
    await bot.press(f"fb:{RED_LINES}:0", bot.message_for(answer))

    _, done = await bot.send("/unanswered", user_id=ADMIN_ID)
    [report] = done.sent
    assert report["chat_id"] == ADMIN_ID
    shown = visible(report).lower()
    assert shown.startswith("unanswered or unhelpful")
    assert "world cup" in shown
    assert "capital of mars" in shown
    assert "red lines" in shown  # the 👎 on an answer is recorded too
    assert len(report["text"]) <= MAX_MESSAGE_CHARS

    _, done = await bot.send("/unanswered")  # not an admin
    assert visible(done.sent[0]) == visible(UNKNOWN_COMMAND)


async def test_small_talk_is_not_recorded_as_unanswered(bot_app: BotHandle) -> None:
    bot = bot_app
    for text in ("hi", "thanks", "who won the world cup"):
        await bot.ask(text)
    _, done = await bot.send("/unanswered", user_id=ADMIN_ID)
    lines = visible(done.sent[0]).splitlines()
    assert any("world cup" in line for line in lines)
    assert not [line for line in lines if line.endswith(("× hi", "× thanks"))]


@pytest.mark.filterwarnings(WATCHER_TASK_WARNING)  # its own test below
async def test_the_watcher_reloads_and_tells_admins_when_a_reload_fails(
    start_bot: StartBot, tmp_path: Path, botapi: FakeBotAPI
) -> None:
    knowledge = copy_knowledge(tmp_path / "knowledge")
    async with start_bot(POLICYBOT_KNOWLEDGE_DIR=knowledge, POLICYBOT_WATCH=True) as bot:
        version = bot.kb.content_hash
        await bot.watching()
        topics = knowledge / "topics.yaml"
        good_topics = topics.read_text(encoding="utf-8")
        topics.write_text(good_topics + BROKEN_TOPICS_LINE, encoding="utf-8")

        def reload_failed(method: str, params: dict[str, Any]) -> bool:
            return (
                method == "sendMessage"
                and params.get("chat_id") == ADMIN_ID
                and "Reload failed" in params.get("text", "")
            )

        [(_, notice)] = await botapi.wait_for(reload_failed, timeout=10)
        assert re.search(r"^knowledge/topics\.yaml:\d+: YAML", visible(notice), re.MULTILINE)
        assert bot.kb.content_hash == version
        _, answer = await bot.ask("red lines")
        assert shows(answer, RED_LINES, bot)

        with logged(LIBRARY_LOGGER, lambda r: " live: " in r.getMessage()) as reloaded:
            topics.write_text(
                good_topics + "  - id: lantern-festival\n    name: Lantern festival\n",
                encoding="utf-8",
            )
            await asyncio.wait_for(reloaded, 10)
        assert "lantern-festival" in bot.kb.topics
        assert len(await botapi.wait_for(reload_failed, timeout=0.1)) == 1  # success is quiet


async def test_starting_with_the_watcher_warns_nothing(start_bot: StartBot, tmp_path: Path) -> None:
    knowledge = copy_knowledge(tmp_path / "knowledge")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with start_bot(POLICYBOT_KNOWLEDGE_DIR=knowledge, POLICYBOT_WATCH=True) as bot:
            await bot.settle()
    assert [str(w.message) for w in caught if issubclass(w.category, PTBUserWarning)] == []


# ----------------------------------------------------------------------------- logs


async def test_the_token_never_appears_in_the_logs(
    start_bot: StartBot,
    botapi: FakeBotAPI,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    token = botapi.token
    secret = token.split(":", 1)[1]
    fail_on_boom(monkeypatch)
    async with start_bot() as bot:
        for name in ("httpx", "httpcore", "telegram", "bot", "handlers"):
            caplog.set_level(logging.DEBUG, logger=name)  # louder than production, on purpose
        bot.expect_errors = True
        await bot.ask("red lines")
        botapi.drop_next("getUpdates")  # a failed poll
        botapi.fail_next("sendMessage", status=502)  # a failed send, retried
        _, answer = await bot.ask("/ask cooperation", chat_type="group")
        await bot.press("more::1", bot.message_for(answer))
        await bot.inline("taiwan")
        await bot.send("boom", user_id=OTHER_USER_ID)  # the error handler logs a traceback
        await bot.send("/reload", user_id=ADMIN_ID)
        await bot.send("/reload", chat_type="group")
        bot.allow_failed_calls = True
    assert len(caplog.records) > 50
    assert any(r.name.startswith("httpx") for r in caplog.records)  # URLs with the token
    assert any(r.exc_info or r.exc_text for r in caplog.records)
    for record in caplog.records:
        for text in (record.getMessage(), record.exc_text or "", str(record.stack_info or "")):
            assert token not in text, record
            assert secret not in text, record
    assert token not in caplog.text
    assert secret not in caplog.text
    sent = [p.get("text", "") for m, p in botapi.calls if m == "sendMessage"]
    assert not [t for t in sent if secret in t]
    assert GROUP_ID in {p.get("chat_id") for m, p in botapi.calls if m == "sendMessage"}
