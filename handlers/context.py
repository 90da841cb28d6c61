"""Typed shared state for handlers: ``context.bot_data`` is a :class:`BotData` holding Services.

Every handler module imports its types from here (never from the application factory), so the
factory can import the handler families without an import cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.runtime.library import Library
from bot.runtime.limits import Cooldown, MemoryVotes, RecentAnswers, SlidingWindowLimiter
from bot.runtime.store import Recorder
from handlers.net import OutageLog


@dataclass
class Background:
    """Coroutines that run as long as the application does (the knowledge watcher).

    Not ``app.create_task``: PTB awaits those on stop, and a watcher never finishes by itself.
    """

    starters: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)  # cancelled on stop
    # told first when the application stops, before polling stops and answers in flight finish
    stoppers: list[Callable[[], None]] = field(default_factory=list)

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.tasks += [loop.create_task(starter()) for starter in self.starters]

    def stopping(self) -> None:
        for stopper in self.stoppers:
            stopper()

    async def cancel(self) -> None:
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


class UpdateFlow(Protocol):
    """The update pipeline as the lifecycle and the tests see it (``handlers.processing``)."""

    @property
    def in_flight(self) -> int:
        """Updates queued or being handled."""
        ...

    async def idle(self) -> None:
        """Return once no update is queued or being handled."""
        ...

    def waiting_behind(self, update: object) -> int:
        """Updates of the same chat queued behind ``update`` (called while handling it): a
        handler can bound a chat's backlog, e.g. skip a question when too many wait."""
        ...


@dataclass
class Services:
    """Everything handlers share; built once per application."""

    settings: Settings
    library: Library
    user_limiter: SlidingWindowLimiter
    group_cooldown: Cooldown
    recent: RecentAnswers = field(default_factory=RecentAnswers)
    recorder: Recorder | None = None  # set in post_init, once the database is open
    background: Background = field(default_factory=lambda: Background())
    outage: OutageLog = field(default_factory=OutageLog)  # the Bot API's health
    flow: UpdateFlow | None = None  # the update pipeline (journal, per-chat order)
    inline_limiter: SlidingWindowLimiter | None = None  # per user; None: as user_limiter
    votes: MemoryVotes = field(default_factory=MemoryVotes)  # while the database is off
    told: set[int] = field(default_factory=set)  # chats told about dropped questions

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids


class BotData:
    """``context.bot_data``: PTB creates it empty, ``build_application`` attaches the services."""

    def __init__(self) -> None:
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("bot_data.services is attached by build_application")
        return self._services

    def attach(self, services: Services) -> None:
        self._services = services


Context: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
PolicyApp: TypeAlias = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, Any
]


def services_of(context: Context) -> Services:
    return context.bot_data.services


def background_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Background:
    """The application's background work; none for a bare PTB application (the benchmarks'
    echo baseline runs through the same lifecycle)."""
    data = app.bot_data
    return data.services.background if isinstance(data, BotData) else Background()


# ----------------------------------------------------------------------------- late answers


def late_by(
    update: object, context: Context, now: dt.datetime | None = None
) -> dt.timedelta | None:
    """How long ago the user sent (or last edited) the question being answered, when that is
    more than ``POLICYBOT_LATE_NOTE_AFTER``; None when the answer is on time.

    Telegram's own timestamp is used, so the delay counts whatever held the question up: an
    outage, a restart after a crash (the journal re-runs it), a backlog. Only questions count:
    a button pressed under an old message is not late.
    """
    if not isinstance(update, Update):
        return None
    message = update.message or update.edited_message
    if message is None:
        return None
    asked = message.edit_date or message.date
    delay = (now or dt.datetime.now(dt.UTC)) - asked
    threshold = services_of(context).settings.late_note_after_seconds
    return delay if delay.total_seconds() > threshold else None


def late_note(delay: dt.timedelta) -> str:
    """The line an answer starts with when it is late (Telegram HTML, nothing to escape)."""
    return f"<i>Sorry for the late answer: you asked {_human(delay)} ago.</i>"


def _human(delay: dt.timedelta) -> str:
    seconds = max(int(delay.total_seconds()), 1)
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    raise AssertionError("unreachable")  # pragma: no cover
