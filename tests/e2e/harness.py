"""Shared fixtures and helpers for the end-to-end tests of the real policybot application.

The bot is built by the same ``build_application`` that ``policybot run`` uses and runs under
``handlers.lifecycle.polling`` inside the test's event loop; it talks to :class:`FakeBotAPI` over
loopback HTTP through PTB's own request stack. Nothing in PTB, the handlers or the core is mocked.

The fixtures ``start_bot`` and ``bot_app`` are registered by an import in ``conftest.py``.

Updates of different chats are handled concurrently, so "a later update was answered" proves
nothing about earlier ones. :meth:`BotHandle.settle` waits for two real signals instead: a
``getUpdates`` whose offset confirms every update injected so far reached the server (the bot
sends it only once it has queued and journaled them), then the bot's update pipeline is idle
(nothing queued, nothing being handled). That is how the tests assert that the bot did *not*
send something.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.config import BUNDLED_KNOWLEDGE, Settings
from bot.knowledge.models import KnowledgeBase
from handlers.app import build_application
from handlers.context import PolicyApp, Services
from handlers.errors import APOLOGY
from handlers.lifecycle import polling

from .botapi import (
    BOT_USERNAME,
    DEFAULT_GROUP_ID,
    DEFAULT_SUPERGROUP_ID,
    DEFAULT_USER_ID,
    FakeBotAPI,
    parse_html,
)

JSON = dict[str, Any]
Call = tuple[str, JSON]

ADMIN_ID = 42
USER_ID = DEFAULT_USER_ID
OTHER_USER_ID = 515151
BARRIER_USER_ID = 999_001  # the user whose inline queries mark "everything before is done"
GROUP_ID = DEFAULT_GROUP_ID
SUPERGROUP_ID = DEFAULT_SUPERGROUP_ID
MENTION = "@" + BOT_USERNAME
MAX_CALLBACK_BYTES = 64
MAX_MESSAGE_CHARS = 4096
ADMIN_REPORT_MARK = "An exception was raised"
WAIT = 5.0  # seconds; every expected reply arrives within milliseconds on loopback

__all__ = [
    "ADMIN_ID",
    "GROUP_ID",
    "MENTION",
    "OTHER_USER_ID",
    "SUPERGROUP_ID",
    "USER_ID",
    "BotHandle",
    "Outcome",
    "StartBot",
    "bot_app",
    "buttons",
    "callback_data",
    "copy_knowledge",
    "logged",
    "make_settings",
    "reply_target",
    "start_bot",
    "visible",
]


# ----------------------------------------------------------------------------- small helpers


def visible(params_or_text: JSON | str) -> str:
    """The text a user sees: the HTML of a sendMessage/editMessageText call, parsed."""
    text = params_or_text if isinstance(params_or_text, str) else params_or_text["text"]
    return parse_html(text)[0]


def buttons(params: JSON) -> list[JSON]:
    """Every inline button of a call's (or a stored message's) reply_markup, row by row."""
    markup = params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def callback_data(params: JSON) -> list[str]:
    return [b["callback_data"] for b in buttons(params) if "callback_data" in b]


def reply_target(params: JSON) -> int | None:
    """The message id a sendMessage call replies to (reply_parameters or the old parameter)."""
    reply = params.get("reply_parameters") or {}
    target = reply.get("message_id", params.get("reply_to_message_id"))
    return None if target is None else int(target)


def _markups(method: str, params: JSON) -> Iterator[JSON]:
    if "reply_markup" in params:
        yield params
    if method == "answerInlineQuery":
        yield from (r for r in params.get("results", []) if "reply_markup" in r)


def copy_knowledge(destination: Path, extra: dict[str, str] | None = None) -> Path:
    """A copy of the bundled knowledge base (plus ``extra`` files) that a test may break."""
    shutil.copytree(BUNDLED_KNOWLEDGE, destination)
    for rel, content in (extra or {}).items():
        target = destination / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return destination


@contextlib.contextmanager
def logged(
    name: str, match: Callable[[logging.LogRecord], bool], level: int = logging.INFO
) -> Iterator[asyncio.Future[logging.LogRecord]]:
    """A future for the first record (``level`` or above) of logger ``name`` that ``match``es
    while the block runs. Records from other threads (a reload logs from a worker thread)
    are handed to the event loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[logging.LogRecord] = loop.create_future()

    def resolve(record: logging.LogRecord) -> None:
        if not future.done():
            future.set_result(record)

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if match(record):
                loop.call_soon_threadsafe(resolve, record)

    logger = logging.getLogger(name)
    handler, previous = Catch(level), logger.level
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield future
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def make_settings(api: FakeBotAPI, tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a test bot, by environment-variable name; no ``.env`` is read."""
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "POLICYBOT_ADMIN_IDS": str(ADMIN_ID),
        "POLICYBOT_DATABASE": tmp_path / "db.sqlite3",
        "POLICYBOT_KNOWLEDGE_DIR": BUNDLED_KNOWLEDGE,
        "POLICYBOT_WATCH": False,
        "POLICYBOT_GROUP_COOLDOWN": 0,
        "POLICYBOT_USER_RATE_PER_MINUTE": 1000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


# ----------------------------------------------------------------------------- the handle


@dataclass
class Outcome:
    """The Bot API calls the bot made while handling some updates (polls left out)."""

    calls: list[Call]

    def of(self, method: str, **match: Any) -> list[JSON]:
        return [
            params
            for name, params in self.calls
            if name == method and all(params.get(k) == v for k, v in match.items())
        ]

    @property
    def sent(self) -> list[JSON]:
        return self.of("sendMessage")

    @property
    def edits(self) -> list[JSON]:
        return self.of("editMessageText")

    @property
    def notices(self) -> list[str | None]:
        """The texts of the answerCallbackQuery calls (None: answered without a notice)."""
        return [params.get("text") for params in self.of("answerCallbackQuery")]

    @property
    def methods(self) -> list[str]:
        return [name for name, _ in self.calls]


@dataclass
class BotHandle:
    """The running application and the fake server, with helpers to talk to the bot."""

    api: FakeBotAPI
    app: PolicyApp
    settings: Settings
    expect_errors: bool = False  # the error handler may apologise and report to the admins
    allow_failed_calls: bool = False  # a Bot API call may be refused (e.g. "not modified")
    callback_ids: list[str] = field(default_factory=list)
    _barrier_ids: set[str] = field(default_factory=set)
    _forged: int = 0

    @property
    def services(self) -> Services:
        return self.app.bot_data.services

    @property
    def kb(self) -> KnowledgeBase:
        return self.services.library.index.kb

    # ------------------------------------------------------------------ waiting

    async def settle(self, timeout: float = WAIT) -> None:  # noqa: ASYNC109
        """Return once every update injected so far has been handled completely."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last = self.api.last_update_id

        def past_last(method: str, params: JSON) -> bool:
            """A poll confirming every update so far (with none yet: any poll)."""
            return method == "getUpdates" and (int(params.get("offset") or 0) > last or not last)

        await self.api.wait_arrived(past_last, timeout=timeout)
        flow = self.services.flow
        assert flow is not None, "build_application attaches the update pipeline"
        try:
            await asyncio.wait_for(flow.idle(), max(deadline - loop.time(), 0.0))
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s: {flow.in_flight} update(s) still queued or being "
                "handled"
            ) from None

    async def barrier(self, timeout: float = WAIT) -> None:  # noqa: ASYNC109
        """A round trip through the whole bot: an inline query injected now, answered."""
        query = self.api.inject_inline_query("", user_id=BARRIER_USER_ID, username="barrier")
        self._barrier_ids.add(query["id"])

        def answered(method: str, params: JSON) -> bool:
            return method == "answerInlineQuery" and params.get("inline_query_id") == query["id"]

        await self.api.wait_for(answered, timeout=timeout)

    async def watching(self) -> None:
        """Return once the knowledge watcher (``POLICYBOT_WATCH=True``) watches the directory.

        Its task, started with the bot, creates the file watches synchronously in its first
        step (watchfiles' RustNotify). The loop takes that step before it can answer an inline
        query (a round trip through the server), and the coroutine's state, no longer
        "created", proves that it did.
        """
        [watcher] = [
            task
            for task in self.services.background.tasks
            if getattr(task.get_coro(), "__name__", "") == "watch_knowledge"
        ]
        await self.barrier()
        coroutine = watcher.get_coro()
        assert inspect.iscoroutine(coroutine)
        assert inspect.getcoroutinestate(coroutine) == inspect.CORO_SUSPENDED

    def mark(self) -> int:
        return len(self.api.calls)

    def since(self, mark: int) -> Outcome:
        """Calls after ``mark``, without polling and without the settle barriers."""
        return Outcome(
            [
                (method, params)
                for method, params in self.api.calls[mark:]
                if method not in ("getUpdates", "deleteWebhook")
                and not (
                    method == "answerInlineQuery"
                    and params.get("inline_query_id") in self._barrier_ids
                )
            ]
        )

    async def reply_to(self, message: JSON, timeout: float = WAIT) -> JSON:  # noqa: ASYNC109
        """Wait for the bot's sendMessage that replies to ``message``; return its parameters."""
        chat_id, message_id = message["chat"]["id"], message["message_id"]

        def replying(method: str, params: JSON) -> bool:
            return (
                method == "sendMessage"
                and params.get("chat_id") == chat_id
                and reply_target(params) == message_id
            )

        calls = await self.api.wait_for(replying, timeout=timeout)
        return calls[0][1]

    # ------------------------------------------------------------------ talking to the bot

    async def ask(self, text: str, **kwargs: Any) -> tuple[JSON, JSON]:
        """Send a message and wait for the reply to it: ``(message, sendMessage params)``."""
        message = self.api.inject_message(text, **kwargs)
        return message, await self.reply_to(message)

    async def send(self, text: str, **kwargs: Any) -> tuple[JSON, Outcome]:
        """Send a message, let the bot finish with it; ``(message, what the bot did)``."""
        mark = self.mark()
        message = self.api.inject_message(text, **kwargs)
        await self.settle()
        return message, self.since(mark)

    async def edit(self, message: JSON, new_text: str) -> Outcome:
        mark = self.mark()
        self.api.inject_edited_message(message["chat"]["id"], message["message_id"], new_text)
        await self.settle()
        return self.since(mark)

    async def press(
        self, data: str, message: JSON | None = None, *, user_id: int = USER_ID
    ) -> Outcome:
        """Press the button carrying ``data`` under ``message`` (default: the latest one)."""
        mark = self.mark()
        if message is not None:
            message = self.current(message)
        query = self.api.inject_callback_query(data, message=message, user_id=user_id)
        self.callback_ids.append(query["id"])
        await self.settle()
        return self.since(mark)

    async def forge(self, data: str, message: JSON, *, user_id: int = USER_ID) -> Outcome:
        """A callback query whose data is not on the message's keyboard (a modified client).

        Telegram issues a real query id for it, so the query is registered as open with the
        fake (its private set: the fake only opens queries for buttons that exist), then the
        update goes in through the public ``inject_update``.
        """
        self._forged += 1
        query: JSON = {
            "id": f"forged-{self._forged}",
            "from": {"id": user_id, "is_bot": False, "first_name": "Mallory"},
            "message": self.current(message),
            "chat_instance": "-7",
            "data": data,
        }
        self.api._open_callback_queries.add(query["id"])
        self.callback_ids.append(query["id"])
        mark = self.mark()
        self.api.inject_update({"callback_query": query})
        await self.settle()
        return self.since(mark)

    async def inline(self, text: str, **kwargs: Any) -> JSON:
        """An inline query; returns the answerInlineQuery parameters."""
        query = self.api.inject_inline_query(text, **kwargs)

        def answering(method: str, params: JSON) -> bool:
            return method == "answerInlineQuery" and params.get("inline_query_id") == query["id"]

        calls = await self.api.wait_for(answering)
        return calls[0][1]

    def current(self, message: JSON) -> JSON:
        """The server's current version of a message the bot sent (edits applied)."""
        chat_id = message.get("chat_id", message.get("chat", {}).get("id"))
        message_id = message["message_id"]
        for sent in self.api.sent_messages(chat_id):
            if sent["message_id"] == message_id:
                return sent
        raise AssertionError(f"the bot has no message {message_id} in chat {chat_id}")

    def message_for(self, params: JSON) -> JSON:
        """The stored message a successful sendMessage call created (matched by its text)."""
        chat_id = params["chat_id"]
        shown = visible(params) if params.get("parse_mode") == "HTML" else params["text"]
        found = [m for m in self.api.sent_messages(chat_id) if m["text"] == shown]
        assert found, f"no stored message in chat {chat_id} with text {shown[:80]!r}"
        return found[-1]

    # ------------------------------------------------------------------ invariants

    async def failed_calls(self) -> list[Call]:
        """Completed calls the server refused (polls left out)."""
        everything = await self.api.wait_for(lambda m, p: True, count=0, include_failed=True)
        succeeded = await self.api.wait_for(lambda m, p: True, count=0)
        left = Counter(json.dumps(c, sort_keys=True) for c in succeeded)
        failed = []
        for call in everything:
            key = json.dumps(call, sort_keys=True)
            if left[key]:
                left[key] -= 1
            elif call[0] != "getUpdates":
                failed.append(call)
        return failed

    async def check_invariants(self) -> None:
        """What must hold after any scenario; run by the fixtures after every test."""
        await self.settle()
        calls = self.api.calls
        for method, params in calls:
            for holder in _markups(method, params):
                for data in callback_data(holder):
                    size = len(data.encode())
                    assert size <= MAX_CALLBACK_BYTES, f"{method}: callback_data {data!r} {size}B"
        answered = Counter(
            p.get("callback_query_id") for m, p in calls if m == "answerCallbackQuery"
        )
        for query_id in self.callback_ids:
            assert answered[query_id] == 1, f"callback {query_id} answered {answered[query_id]}x"
        assert all(n == 1 for n in answered.values()), f"answered twice: {answered}"
        if not self.allow_failed_calls:
            assert await self.failed_calls() == []
        if not self.expect_errors:
            texts = [p.get("text", "") for m, p in calls if m == "sendMessage"]
            assert not [t for t in texts if APOLOGY in t], "the error handler apologised"
            assert not [t for t in texts if ADMIN_REPORT_MARK in t], "an error was reported"
            notices = [p.get("text") for m, p in calls if m == "answerCallbackQuery"]
            assert APOLOGY[:200] not in notices, "the error handler answered a callback"


# ----------------------------------------------------------------------------- fixtures

StartBot = Callable[..., AbstractAsyncContextManager[BotHandle]]


@pytest.fixture
def start_bot(botapi: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StartBot:
    """Factory: ``async with start_bot(POLICYBOT_GROUP_COOLDOWN=30) as bot:`` runs the real app.

    Keyword arguments are settings by their environment names; ``api=`` uses another fake
    server, ``rate_limit=``/``timeout=`` go to ``build_application``, ``check=False`` skips
    the invariants at the end.
    """
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("POLICYBOT_")]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter is built without a warning
    monkeypatch.chdir(tmp_path)  # no stray .env or database in the repository

    @contextlib.asynccontextmanager
    async def start(
        *,
        api: FakeBotAPI | None = None,
        rate_limit: bool = True,
        timeout: float = WAIT,  # noqa: ASYNC109
        check: bool = True,
        **overrides: Any,
    ) -> AsyncIterator[BotHandle]:
        server = api or botapi
        server.add_chat(ADMIN_ID, "private", first_name="Admin")  # admins have /start-ed the bot
        settings = make_settings(server, tmp_path, **overrides)
        app = build_application(settings, rate_limit=rate_limit, timeout=timeout)
        async with polling(app, poll_timeout=1):
            handle = BotHandle(server, app, settings)
            yield handle
            if check:
                await handle.check_invariants()

    return start


@pytest.fixture
async def bot_app(start_bot: StartBot) -> AsyncIterator[BotHandle]:
    """The real application with the bundled knowledge base, running against ``botapi``."""
    async with start_bot() as handle:
        yield handle


def subprocess_environment(
    api: FakeBotAPI, knowledge: Path, database: Path, **extra: str
) -> dict[str, str]:
    """The environment for a real `python -m bot run` against ``api``: this machine's own
    POLICYBOT_/TELEGRAM_ settings removed, the checkout first on the path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POLICYBOT_", "TELEGRAM_", "PYTEST_"))
    }
    repo = Path(__file__).resolve().parents[2]
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_URL=api.base_url,
        POLICYBOT_KNOWLEDGE_DIR=str(knowledge),
        POLICYBOT_DATABASE=str(database),
        POLICYBOT_WATCH="false",
        POLICYBOT_LOG_LEVEL="INFO",
        PTB_TIMEDELTA="true",
        PYTHONUNBUFFERED="1",
        # The checkout first: an editable install made before a package gained its
        # __init__.py maps it as a namespace package outside the repository.
        PYTHONPATH=os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])),
        **extra,
    )
    return env


async def start_policybot(
    api: FakeBotAPI, env: dict[str, str], cwd: Path, *, runs: int = 1, startup_s: float = 30.0
) -> asyncio.subprocess.Process:
    """Start `python -m bot run` and return once it is polling: its ``runs``-th deleteWebhook,
    the Updater's bootstrap right before the first long poll. Fails with its stderr if it exits
    first. ``cwd`` should hold no .env of the repository's."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    started = asyncio.ensure_future(api.wait_for("deleteWebhook", count=runs, timeout=startup_s))
    exited = asyncio.ensure_future(process.wait())
    await asyncio.wait({started, exited}, return_when=asyncio.FIRST_COMPLETED)
    if not started.done():
        started.cancel()
        _, stderr = await process.communicate()
        pytest.fail(f"policybot exited early ({process.returncode}):\n{stderr.decode()}")
    exited.cancel()
    started.result()
    return process


# ----------------------------------------------------------------------------- the server's clock


@dataclass
class Clock:
    """The fake server's idea of now: message dates are taken from it, so "within 20 seconds"
    or "asked ten minutes ago" is a property of the dates, not of waiting."""

    now: float

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from . import botapi

    fake = Clock(time.time())
    monkeypatch.setattr(botapi, "time", fake)
    return fake
