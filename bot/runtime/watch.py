"""Reload the knowledge base when its files change, after the edit settles.

watchfiles batches the events of one save (editors write, rename and chmod) into one change
set; the debounce lets a `git pull` that touches many files trigger a single reload. The
reload itself goes through Library, so a broken edit keeps the last good knowledge base.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable

from watchfiles import awatch, watch

from bot.runtime.library import Library, ReloadResult

logger = logging.getLogger(__name__)

DEBOUNCE_MS = 800


async def watch_knowledge(
    library: Library,
    on_reload: Callable[[ReloadResult], Awaitable[None]] | None = None,
    *,
    stop: asyncio.Event | None = None,
    debounce_ms: int = DEBOUNCE_MS,
) -> None:
    """Run until cancelled (or ``stop`` is set): each settled change triggers one reload."""
    async for changes in awatch(
        library.directory, debounce=debounce_ms, stop_event=stop, recursive=True
    ):
        logger.info("Knowledge files changed (%d), reloading", len(changes))
        result = await library.reload()
        if on_reload is not None:
            try:
                await on_reload(result)
            except Exception:  # a failed notification must not stop the watcher
                logger.exception("Reload notification failed")


def watch_in_thread(
    library: Library,
    on_reload: Callable[[ReloadResult], None],
    *,
    debounce_ms: int = DEBOUNCE_MS,
) -> threading.Event:
    """For the console chat, whose main thread is blocked reading stdin. Set the event to stop."""
    stop = threading.Event()

    def run() -> None:
        for _changes in watch(
            library.directory, debounce=debounce_ms, stop_event=stop, recursive=True
        ):
            on_reload(library.reload_sync())

    threading.Thread(target=run, name="knowledge-watcher", daemon=True).start()
    return stop
