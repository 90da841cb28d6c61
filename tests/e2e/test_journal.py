"""End-to-end: a crash loses nothing and repeats nothing.

`python -m bot run` in a subprocess against :class:`FakeBotAPI`, killed with SIGKILL while it
holds 100 unanswered questions, then started again on the same journal. The fake server keeps
an update until a later ``getUpdates`` confirms it, as Telegram does, so the kill leaves both
cases a real crash leaves: questions the bot had confirmed (only its journal knows them) and
questions it had fetched but not confirmed (Telegram delivers them again).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from handlers.errors import APOLOGY

from .botapi import JSON, FakeBotAPI
from .harness import (
    WAIT,
    StartBot,
    copy_knowledge,
    logged,
    start_policybot,
    subprocess_environment,
)

pytestmark = pytest.mark.timeout(180)

TOKEN = "123:ABC"
USERS = tuple(range(730_001, 730_011))
PER_USER = 10  # 10 users x 10 questions: 10 answers in flight, 90 waiting for their chat's turn
QUESTIONS = ("red lines", "fentanyl cooperation", "san francisco vision", "four unchanged")
STARTUP_S = 30.0  # a fresh interpreter imports and indexes; usually about a second
ANSWER_S = 60.0  # 100 answers at Telegram's 30 messages a second, with margin
EXIT_S = 15.0


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server


def ask_round(api: FakeBotAPI, round_: int) -> list[JSON]:
    """One question from each user."""
    return [
        api.inject_message(
            f"{QUESTIONS[(round_ + n) % len(QUESTIONS)]} ({round_})", user_id=user, first_name="U"
        )
        for n, user in enumerate(USERS)
    ]


def confirming(through: int) -> Callable[[str, JSON], bool]:
    """A getUpdates whose offset confirms every update up to ``through``."""

    def past(method: str, params: JSON) -> bool:
        return method == "getUpdates" and int(params.get("offset") or 0) > through

    return past


def replies_to(api: FakeBotAPI, question: JSON) -> list[JSON]:
    return [
        m
        for m in api.sent_messages(question["chat"]["id"])
        if m.get("reply_to_message", {}).get("message_id") == question["message_id"]
    ]


def journal_rows(path: Path) -> list[tuple[str, object, object, object]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT state, chat_id, message_id, payload FROM updates").fetchall()
    finally:
        conn.close()


async def test_sigkill_with_100_questions_queued_answers_all_after_restart_none_twice(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    database = tmp_path / "policybot.sqlite3"
    journal = tmp_path / "policybot.journal.sqlite3"
    env = subprocess_environment(
        api,
        copy_knowledge(tmp_path / "knowledge"),
        database,
        POLICYBOT_USER_RATE_PER_MINUTE="1000",
        POLICYBOT_GROUP_COOLDOWN="0",
    )
    processes: list[asyncio.subprocess.Process] = []
    try:
        processes.append(await start_policybot(api, env, tmp_path, startup_s=STARTUP_S))
        api.hold("sendMessage")  # no answer gets through: every question stays unanswered

        # Half the questions are fetched, journaled and confirmed: only the journal has them.
        confirmed = [q for r in range(PER_USER // 2) for q in ask_round(api, r)]
        await api.wait_arrived(confirming(api.last_update_id), timeout=STARTUP_S)
        # The other half are fetched and journaled, but the poll confirming them is held.
        unconfirmed = [q for r in range(PER_USER // 2, PER_USER) for q in ask_round(api, r)]
        last = api.last_update_id
        api.hold("getUpdates", when=lambda params: int(params.get("offset") or 0) > last)
        await api.wait_arrived(confirming(last), timeout=STARTUP_S)
        await api.wait_arrived("sendMessage", count=len(USERS), in_flight=True)
        assert api.unconfirmed(last) == len(unconfirmed)

        processes[0].kill()
        await processes[0].wait()
        api.release("getUpdates")
        api.release("sendMessage")  # the held answers are dropped, never applied
        questions = confirmed + unconfirmed
        assert all(api.sent_messages(user) == [] for user in USERS)
        assert [row[0] for row in journal_rows(journal)] == ["pending"] * len(questions)

        processes.append(await start_policybot(api, env, tmp_path, runs=2, startup_s=STARTUP_S))
        await api.wait_until(
            lambda: all(replies_to(api, q) for q in questions),
            timeout=ANSWER_S,
            description="an answer to each of the 100 questions",
        )
        processes[1].send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(processes[1].communicate(), EXIT_S)
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
    output = (stdout + stderr).decode(errors="replace")
    assert processes[1].returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "Answering 100 question(s) a previous run left unanswered" in output, output[-3000:]

    for user in USERS:
        asked = [q for q in questions if q["chat"]["id"] == user]
        assert [len(replies_to(api, q)) for q in asked] == [1] * PER_USER, user  # none twice
        replies = api.sent_messages(user)
        assert len(replies) == PER_USER  # and nothing else: no apology
        assert APOLOGY not in [m["text"] for m in replies]
        order = [m["reply_to_message"]["message_id"] for m in replies]
        assert order == [q["message_id"] for q in asked], f"user {user}: answered out of order"
    assert api.pending_updates == []
    # Answered: only the ids are kept, for deduplication.
    rows = journal_rows(journal)
    assert {state for state, *_ in rows} == {"done"}
    assert {(chat, message, payload) for _, chat, message, payload in rows} == {(None,) * 3}


async def test_a_stop_during_an_outage_is_quick_and_the_next_start_answers(
    start_bot: StartBot, botapi: FakeBotAPI, tmp_path: Path
) -> None:
    """Answers waiting for an unreachable Bot API do not hold up a stop (they would wait up to
    POLICYBOT_PENDING_MAX_AGE, an hour, and the test would time out): they stay pending in the
    journal, nobody is apologised to, and the next start answers each of them once."""
    api = botapi
    users = USERS[:5]
    async with start_bot(check=False) as bot:
        api.hold("sendMessage")
        questions = [api.inject_message("red lines", user_id=user) for user in users]
        await api.wait_arrived("sendMessage", count=len(users), in_flight=True)
        with logged("handlers.net", lambda r: r.getMessage().startswith("Bot API unreach")) as down:
            await api.stop()  # the held answers are dropped; sending again is refused
            await asyncio.wait_for(down, WAIT)
        assert bot.services.flow is not None
        assert bot.services.flow.in_flight == len(users)  # all waiting for the Bot API
    pending = journal_rows(tmp_path / "db.journal.sqlite3")
    assert [state for state, *_ in pending] == ["pending"] * len(users)
    assert api.sent_messages() == []

    api.release("sendMessage")
    await api.start()
    async with start_bot() as bot:
        bot.allow_failed_calls = True  # the held answers the outage dropped, before the stop
        await api.wait_until(
            lambda: all(replies_to(api, q) for q in questions), description="the answers"
        )
        await bot.settle()
    for question in questions:
        assert api.sent_messages(question["chat"]["id"]) == replies_to(api, question)
        assert len(replies_to(api, question)) == 1
