"""End-to-end: faults on the Telegram side.

The real application (or `python -m bot run` in a subprocess) against :class:`FakeBotAPI`,
through PTB's own HTTP stack; nothing in PTB or the bot is mocked.  Each scenario asks several
questions from different users and checks what the server *applied* (``sent_messages``), not
what the bot attempted: every question answered exactly once, none lost, none duplicated, and
the bot still answers afterwards.

Fault semantics (see ``FakeBotAPI``): an HTTP error is never applied; a delayed request is
applied after the client gave up (as Telegram does); a dropped connection is applied only with
``after_processing=True``; a stopped server refuses connections.  ``handlers.net`` sends again
what never reached Telegram (refused, 5xx) or lost its connection, waiting out an outage, but
treats a timed-out send as delivered (no resend, no apology); ``ObservedRequest`` repeats a
failed poll with the same offset.

The outage scenario lasts POLICYBOT_TEST_OUTAGE_S seconds (default 3, so the suite stays quick;
``POLICYBOT_TEST_OUTAGE_S=60 pytest tests/e2e/test_faults.py -k outage_under`` runs the
60-second outage of issue 13 with the same assertions).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.answers.render import NOT_FOUND_REPLY
from bot.search.engine import SearchIndex
from handlers.errors import APOLOGY

from .botapi import FakeBotAPI, parse_html
from .harness import (
    ADMIN_ID,
    MAX_MESSAGE_CHARS,
    BotHandle,
    StartBot,
    copy_knowledge,
    reply_target,
    start_policybot,
    subprocess_environment,
    visible,
)

pytestmark = pytest.mark.timeout(60)

JSON = dict[str, Any]

SHORT_TIMEOUT = 1.0  # build_application(timeout=...): connect/read/write/pool, in seconds
SLOW_S = 3.0  # beyond the read timeout of a send (1 s) and of a 1 s long poll (1 + 1 s)
ANSWER_WAIT = 15.0  # 429 waits 1 s, 5xx back off 0.5 + 1 s, a failed poll re-polls after 1-2.5 s
USERS = (710_001, 710_002, 710_003, 710_004, 710_005)
LATER_USER = 710_099
QUESTIONS = (
    "red lines",
    "fentanyl cooperation",
    "san francisco vision",
    "taiwan interference",
    "who won the world cup",  # not found: the answer is followed by a database write
)
WAIT_S = 5.0
REPORT_MARK = "⚠️ An exception was raised while handling an update."


# ----------------------------------------------------------------------------- helpers


def ask_everyone(api: FakeBotAPI) -> list[JSON]:
    """One question from each of USERS, in their private chats, all queued at once."""
    return [
        api.inject_message(text, user_id=user, username=f"user{user}", first_name=f"U{user}")
        for user, text in zip(USERS, QUESTIONS, strict=True)
    ]


def answers_to(api: FakeBotAPI, question: JSON) -> list[JSON]:
    """The messages the server stored as replies to ``question`` (what the user sees)."""
    return [
        m
        for m in api.sent_messages(question["chat"]["id"])
        if m.get("reply_to_message", {}).get("message_id") == question["message_id"]
    ]


def apologies_in(api: FakeBotAPI, chat_id: int) -> list[JSON]:
    return [m for m in api.sent_messages(chat_id) if m["text"] == APOLOGY]


async def wait_answered(api: FakeBotAPI, questions: list[JSON], timeout: float) -> None:  # noqa: ASYNC109
    """Until the server has applied a reply to every question (a late one counts too)."""
    await api.wait_until(
        lambda: all(answers_to(api, q) for q in questions),
        timeout=timeout,
        description=f"answers to {len(questions)} question(s)",
    )


async def arrived(api: FakeBotAPI, method: str, count: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Until ``count`` calls of ``method`` reached the server (finished or still in flight)."""
    await api.wait_arrived(method, count=count, timeout=timeout)


def faults_left(api: FakeBotAPI) -> int:
    """Injected faults not yet consumed (private state: proves a scenario was not vacuous)."""
    return sum(f.times for queue in api._faults.values() for f in queue)


def polls(api: FakeBotAPI) -> int:
    return sum(1 for m, _ in api.calls if m == "getUpdates")


# ----------------------------------------------------------------------------- faults × methods

Inject = Callable[[FakeBotAPI, str], None]
FAULTS: dict[str, Inject] = {
    "429": lambda api, method: api.fail_next(method, status=429, retry_after=1),
    "500": lambda api, method: api.fail_next(method, status=500, times=2),
    "502": lambda api, method: api.fail_next(method, status=502, times=2),
    "slow": lambda api, method: api.delay_next(method, SLOW_S),
    "drop": lambda api, method: api.drop_next(method, times=2),
    "drop-after-processing": lambda api, method: api.drop_next(method, after_processing=True),
}
# "slow" and "drop-after-processing" are ambiguous: the request may have been applied. A
# timed-out send is treated as delivered; a dropped one is sent again (see handlers/net.py).
DUPLICATE_ON_AMBIGUOUS_DROP = pytest.mark.xfail(
    strict=True,
    reason=(
        "KNOWN LIMITATION (at-least-once by design): a connection dropped after the request "
        "was sent looks the same to the client whether or not Telegram applied it; "
        "handlers/net.py retries it so an answer is never lost, which duplicates the answer in the "
        "rare case Telegram had applied it before the drop"
    ),
)


def fault_cases() -> list[Any]:
    cases = []
    for method in ("getUpdates", "sendMessage"):
        for fault in FAULTS:
            marks: tuple[pytest.MarkDecorator, ...] = ()
            if (method, fault) == ("sendMessage", "drop-after-processing"):
                marks = (DUPLICATE_ON_AMBIGUOUS_DROP,)
            cases.append(pytest.param(method, fault, id=f"{method}-{fault}", marks=marks))
    return cases


@pytest.mark.parametrize(("method", "fault"), fault_cases())
async def test_every_question_is_answered_exactly_once_despite_a_fault(
    start_bot: StartBot, method: str, fault: str
) -> None:
    async with start_bot(timeout=SHORT_TIMEOUT) as bot:
        api = bot.api
        bot.allow_failed_calls = True  # the injected faults themselves
        if method == "getUpdates":
            # The next poll to arrive carries the fault; questions queue up while it is failing
            # (or, when held or dropped after processing, are returned into the void).
            seen = polls(api)
            FAULTS[fault](api, method)
            await arrived(api, "getUpdates", seen + 1)
            questions = ask_everyone(api)
        else:
            FAULTS[fault](api, method)  # the first answers hit it
            questions = ask_everyone(api)

        await wait_answered(api, questions, ANSWER_WAIT)
        await bot.settle(timeout=ANSWER_WAIT)
        assert faults_left(api) == 0, "the fault was never triggered"

        for question in questions:
            chat_id = question["chat"]["id"]
            answers = answers_to(api, question)
            assert len(answers) == 1, f"chat {chat_id}: {len(answers)} answers"
            others = [m for m in api.sent_messages(chat_id) if m not in answers]
            assert others == [], f"chat {chat_id}: unexpected {others}"  # no apology either
        assert visible(answers_to(api, questions[-1])[0]["text"]).startswith(NOT_FOUND_REPLY)
        assert api.sent_messages(ADMIN_ID) == []

        # The bot keeps running: a later question is answered at once.
        later, answer = await bot.ask("four unchanged", user_id=LATER_USER)
        assert reply_target(answer) == later["message_id"]
        assert len(api.sent_messages(LATER_USER)) == 1


async def test_a_timed_out_answer_is_neither_resent_nor_apologised_for(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    """sendMessage times out after reaching the server, which applies it late (as Telegram may):
    the bot treats it as delivered. Sending it again would risk a second answer, and an
    apology for an answer the user does get is false; the cost is at-most-once in the rare
    case a timed-out request was never applied."""
    caplog.set_level(logging.WARNING, logger="handlers")
    async with start_bot(timeout=SHORT_TIMEOUT) as bot:
        api = bot.api
        api.delay_next("sendMessage", SLOW_S)
        question = api.inject_message("red lines", user_id=USERS[0])
        await wait_answered(api, [question], ANSWER_WAIT)  # the held answer lands at 3 s
        await bot.settle()
        assert api.sent_messages(USERS[0]) == answers_to(api, question)  # that one, no apology
        assert api.sent_messages(ADMIN_ID) == []  # and no error report
        attempts = [p for m, p in api.calls if m == "sendMessage" and p["chat_id"] == USERS[0]]
        assert len(attempts) == 1  # never sent again
        _, later = await bot.ask("fentanyl cooperation", user_id=USERS[0])  # the chat goes on
        assert reply_target(later) is not None
    [line] = [r.getMessage() for r in caplog.records if "timed out" in r.getMessage()]
    assert "not sent again and no apology" in line


# ----------------------------------------------------------------------------- outage

OUTAGE_POLLS = 2  # polls refused before the Bot API is back: PTB backs off 1 s, then 1.5 s
RECOVERY_S = 15.0  # the next poll comes 2.25 s after the last refused one
MAX_OUTAGE_LINES = 5


class OutageNotLogged(AssertionError):
    """The outage left no WARNING line, or no "reachable again" line (the known bug)."""


async def refused(api: FakeBotAPI, count: int) -> None:
    """Until the unreachable server has refused ``count`` connections (the bot's polls)."""
    await api.wait_until(
        lambda: api.refused_connections >= count,
        timeout=RECOVERY_S,
        description=f"{count} refused connection(s)",
    )


def outage_phase(message: str) -> str:
    """Which of handlers.net's outage lines ``message`` is."""
    for start, phase in (
        ("Bot API unreachable", "began"),
        ("Bot API still unreachable", "summary"),
        ("Bot API reachable again", "ended"),
    ):
        if message.startswith(start):
            return phase
    return message


async def test_an_outage_is_logged_briefly_and_every_question_answered_after(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    """The outage lasts until the bot's polls have been refused OUTAGE_POLLS times: long enough
    for PTB to retry with backoff, short of the 30 s between "still unreachable" summaries
    (their cadence is tested with a fake clock in tests/test_net.py)."""
    caplog.set_level(logging.INFO, logger="bot")
    caplog.set_level(logging.INFO, logger="handlers")
    caplog.set_level(logging.INFO, logger="telegram")
    async with start_bot() as bot:
        api = bot.api
        bot.allow_failed_calls = True
        await bot.ask("red lines", user_id=LATER_USER)  # up and polling
        await api.wait_arrived("getUpdates", in_flight=True)  # the long poll the outage cuts
        caplog.clear()
        api.set_unreachable(True)
        questions = []
        for n, (user, text) in enumerate(zip(USERS, QUESTIONS, strict=True)):
            questions.append(api.inject_message(text, user_id=user))
            if n < OUTAGE_POLLS:  # questions keep coming while polls are refused
                await refused(api, n + 1)
        during = list(caplog.records)
        api.set_unreachable(False)

        await wait_answered(api, questions, RECOVERY_S)
        await bot.settle()
        for question in questions:
            assert len(api.sent_messages(question["chat"]["id"])) == 1
            assert len(answers_to(api, question)) == 1
        assert api.sent_messages(ADMIN_ID) == []

    records = [r for r in caplog.records if r.name.startswith(("bot", "handlers", "telegram"))]
    loud = [r for r in records if r.levelno >= logging.WARNING]
    shown = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in records)
    # Not a flood: a few summary lines from handlers.net, no traceback per failed poll.
    assert all(r.name == "handlers.net" for r in loud), shown
    assert len(loud) <= MAX_OUTAGE_LINES, shown
    assert not [r for r in records if r.exc_info], "a traceback per failed poll:\n" + shown
    assert len(records) <= 2 * MAX_OUTAGE_LINES, shown  # nor at INFO
    # But logged: when it began, and when it ended.
    if not [r for r in during if r.levelno >= logging.WARNING and "unreachable" in r.getMessage()]:
        raise OutageNotLogged(f"nothing at WARNING during the outage:\n{shown}")
    if "reachable again" not in loud[-1].getMessage():
        raise OutageNotLogged(f"no 'reachable again' line after the outage:\n{shown}")
    # Exactly that: one line as it began and one as it ended, for several failed polls.
    assert [outage_phase(r.getMessage()) for r in loud] == ["began", "ended"], shown
    failed = re.search(r"\((\d+) failed requests\)", loud[-1].getMessage())
    assert failed is not None, shown
    assert int(failed[1]) >= 1 + OUTAGE_POLLS, shown  # the cut long poll and the refused ones


OUTAGE_S = float(os.environ.get("POLICYBOT_TEST_OUTAGE_S") or 3.0)  # issue 13 says 60: opt in
STREAM_EVERY_S = 0.2  # a question every 0.2 s, before, during and after the outage
STREAM_USERS = tuple(range(720_001, 720_011))
STREAM_QUESTIONS = ("red lines", "fentanyl cooperation", "san francisco vision", "four unchanged")
# After the Bot API is back: the poll backoff is at most 2 s, the send backoff at most 15 s (but
# a waiting send wakes when any request succeeds), and the backlog of about
# OUTAGE_S / STREAM_EVERY_S questions goes out at 30 messages/s: a generous bound on all that.
OUTAGE_RECOVERY_S = 30.0 + 5 * (OUTAGE_S / STREAM_EVERY_S) / 30


@pytest.mark.timeout(60 + 3 * OUTAGE_S)
async def test_an_outage_under_a_steady_stream_of_questions_answers_each_exactly_once(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    """The Bot API stops for OUTAGE_S seconds (connections refused) while questions keep
    coming, as users keep writing. Sends that failed wait for it; questions asked meanwhile are
    fetched when it is back. Every question is answered exactly once, nobody gets an apology,
    and the log says once that the outage began and once that it ended."""
    caplog.set_level(logging.INFO, logger="handlers")
    async with start_bot() as bot:
        api = bot.api
        questions: list[JSON] = []
        restarted = asyncio.Event()
        after_restart: list[JSON] = []

        async def stream() -> None:
            for n in range(10**9):
                user = STREAM_USERS[n % len(STREAM_USERS)]
                text = STREAM_QUESTIONS[n % len(STREAM_QUESTIONS)]
                question = api.inject_message(text, user_id=user, first_name=f"U{user}")
                questions.append(question)
                if restarted.is_set():
                    after_restart.append(question)
                await asyncio.sleep(STREAM_EVERY_S)  # the stream's pace, not a wait for anything

        streaming = asyncio.ensure_future(stream())
        try:
            await api.wait_until(lambda: bool(questions), description="the first question")
            await wait_answered(api, questions[:1], WAIT_S)  # up and answering
            caplog.clear()
            await api.stop()
            await asyncio.sleep(OUTAGE_S)  # the outage itself: what the scenario is
            during = len(questions)
            await api.start()
            restarted.set()
            await api.wait_until(lambda: bool(after_restart), description="a question after")
            await wait_answered(api, after_restart[:1], OUTAGE_RECOVERY_S)
        finally:
            streaming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await streaming
        assert during - 1 >= OUTAGE_S / STREAM_EVERY_S / 2, "questions kept coming meanwhile"
        await wait_answered(api, questions, OUTAGE_RECOVERY_S)
        await bot.settle(timeout=OUTAGE_RECOVERY_S)

        for user in STREAM_USERS:
            asked = [q for q in questions if q["chat"]["id"] == user]
            replies = api.sent_messages(user)
            assert [len(answers_to(api, q)) for q in asked] == [1] * len(asked), user
            assert len(replies) == len(asked), f"user {user}: {len(replies)} for {len(asked)}"
            assert apologies_in(api, user) == []
            # answered in the order asked
            order = [r["reply_to_message"]["message_id"] for r in replies]
            assert order == sorted(order), user
        assert api.sent_messages(ADMIN_ID) == []

    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    shown = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in loud)
    phases = [outage_phase(r.getMessage()) for r in loud]
    assert phases[0] == "began", shown
    assert phases[-1] == "ended", shown
    assert set(phases[1:-1]) <= {"summary"}, shown  # no flapping, nothing else
    assert len(phases) - 2 <= OUTAGE_S // 30, shown  # a summary every 30 s at most
    assert not [r for r in caplog.records if r.exc_info], shown


# ----------------------------------------------------------------------------- handler errors


def fail_on_boom(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search raises (a message with HTML in it) for questions containing "boom" only."""
    original = SearchIndex.search

    def search(self: SearchIndex, question: str, **kwargs: Any) -> Any:
        if "boom" in question:
            raise RuntimeError("<b>&</b> boom-marker")
        return original(self, question, **kwargs)

    monkeypatch.setattr(SearchIndex, "search", search)


@pytest.mark.parametrize("failing", [0, 2, 4], ids=["first", "middle", "last"])
async def test_one_failing_update_never_affects_the_others(
    bot_app: BotHandle, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    bot, api = bot_app, bot_app.api
    bot.expect_errors = True
    fail_on_boom(monkeypatch)
    texts = list(QUESTIONS)
    texts[failing] = "what about boom?"
    questions = [
        api.inject_message(text, user_id=user, first_name=f"U{user}")
        for user, text in zip(USERS, texts, strict=True)
    ]  # one batch, handled one after another
    await wait_answered(api, [q for i, q in enumerate(questions) if i != failing], WAIT_S)
    await bot.settle()

    for i, question in enumerate(questions):
        stored = api.sent_messages(question["chat"]["id"])
        if i == failing:
            assert [m["text"] for m in stored] == [APOLOGY]
        else:
            assert stored == answers_to(api, question)
            assert len(stored) == 1
    [report] = api.sent_messages(ADMIN_ID)
    [call] = [p for m, p in api.calls if m == "sendMessage" and p["chat_id"] == ADMIN_ID]
    assert len(call["text"]) <= MAX_MESSAGE_CHARS
    shown, _ = parse_html(call["text"])  # valid Telegram HTML
    assert shown == report["text"]
    assert shown.startswith(REPORT_MARK)
    assert "RuntimeError: <b>&</b> boom-marker" in shown  # escaped once: shown as raised
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in call["text"]
    assert api.token not in call["text"]

    _, answer = await bot.ask("four unchanged", user_id=LATER_USER)
    assert visible(answer) != APOLOGY
    assert len(api.sent_messages(ADMIN_ID)) == 1


# ----------------------------------------------------------------------------- shutdown

TOKEN = "123:ABC"
STARTUP_S = 30.0  # a fresh interpreter imports and indexes; usually about a second
EXIT_S = 15.0
SLOW_SEND_S = 2.0  # shorter than the bot's default 10 s timeout: the answer is in flight


def environment(api: FakeBotAPI, knowledge: Path, database: Path) -> dict[str, str]:
    return subprocess_environment(api, knowledge, database, POLICYBOT_GROUP_COOLDOWN="0")


async def start_process(
    api: FakeBotAPI, env: dict[str, str], cwd: Path, runs: int
) -> asyncio.subprocess.Process:
    """`python -m bot run`; returns once it is polling (its ``runs``-th deleteWebhook)."""
    return await start_policybot(api, env, cwd, runs=runs, startup_s=STARTUP_S)


async def stop_process(process: asyncio.subprocess.Process, signum: int) -> str:
    """Send ``signum``; return everything the process printed once it exited (within EXIT_S)."""
    process.send_signal(signum)
    stdout, stderr = await asyncio.wait_for(process.communicate(), EXIT_S)
    return (stdout + stderr).decode(errors="replace")


def inspect_database(path: Path) -> tuple[bool, str, list[tuple[str]]]:
    """After the bot exited: is a -wal file left, the integrity check, the recorded questions."""
    assert path.exists()
    wal_left = Path(f"{path}-wal").exists()
    conn = sqlite3.connect(path)
    try:
        [integrity] = conn.execute("PRAGMA integrity_check").fetchone()
        rows = conn.execute("SELECT question FROM events ORDER BY id").fetchall()
    finally:
        conn.close()
    return wal_left, integrity, rows


@pytest.fixture
async def token_api() -> Any:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_mid_answer_finishes_it_closes_the_database_and_a_restart_does_not_repeat(
    token_api: FakeBotAPI, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    api = token_api
    database = tmp_path / "policybot.sqlite3"
    env = environment(api, copy_knowledge(tmp_path / "knowledge"), database)
    processes: list[asyncio.subprocess.Process] = []
    try:
        processes.append(await start_process(api, env, tmp_path, runs=1))
        # The first answer is held by the server; the others wait in the bot's update queue.
        api.delay_next("sendMessage", SLOW_SEND_S)
        texts = ("who won the world cup", "red lines", "fentanyl cooperation")
        questions = [
            api.inject_message(text, user_id=user) for user, text in zip(USERS, texts, strict=False)
        ]
        await arrived(api, "sendMessage", 1)
        assert not answers_to(api, questions[0]), "the answer should still be in flight"
        output = await stop_process(processes[0], stop_signal)
        assert processes[0].returncode == 0, output[-3000:]
        assert "Traceback" not in output, output[-3000:]
        assert TOKEN not in output
        for question in questions:  # the in-flight answer and the queued ones all delivered
            assert len(api.sent_messages(question["chat"]["id"])) == 1, output[-3000:]
            assert len(answers_to(api, question)) == 1
        assert api.pending_updates == []  # confirmed before exiting

        # The database was closed cleanly: WAL checkpointed, the late write is in it.
        wal_left, integrity, rows = inspect_database(database)
        assert not wal_left, "the -wal file was left behind"
        assert integrity == "ok"
        assert rows == [("who won the world cup",)]

        # A restart against the same server and database does not answer them again.
        before = {q["chat"]["id"]: len(api.sent_messages(q["chat"]["id"])) for q in questions}
        processes.append(await start_process(api, env, tmp_path, runs=2))
        new = api.inject_message("four unchanged", user_id=LATER_USER)
        await wait_answered(api, [new], 10)
        after = {chat: len(api.sent_messages(chat)) for chat in before}
        assert after == before
        assert len(answers_to(api, new)) == 1
        output = await stop_process(processes[1], signal.SIGTERM)
        assert processes[1].returncode == 0, output[-3000:]
        assert "Traceback" not in output, output[-3000:]
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
