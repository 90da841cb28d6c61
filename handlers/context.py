"""Typed shared state for handlers: ``context.bot_data`` is a :class:`BotData` holding Services.

Every handler module imports its types from here (never from the application factory), so the
factory can import the handler families without an import cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.runtime.library import Library
from bot.runtime.limits import Cooldown, RecentAnswers, SlidingWindowLimiter
from bot.runtime.store import Recorder


@dataclass
class Background:
    """Coroutines that run as long as the application does (the knowledge watcher).

    Not ``app.create_task``: PTB awaits those on stop, and a watcher never finishes by itself.
    """

    starters: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)  # cancelled on stop

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.tasks += [loop.create_task(starter()) for starter in self.starters]

    async def cancel(self) -> None:
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


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
