"""The live knowledge base and its index, swapped atomically on reload.

Readers take ``library.index`` once per question and keep using that object, so a reload in
progress never exposes a half-built index: the new one is built completely (in a worker thread
when called from the event loop) and only then assigned, and a failed build leaves the old one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.knowledge.loader import KnowledgeError, Problem, load_knowledge
from bot.search.engine import SearchConfig, SearchIndex

logger = logging.getLogger(__name__)

RELOAD_SWITCH_INTERVAL_S = 0.0005


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Building allocates millions of objects that all survive; the cyclic collector would
    rescan them again and again (over half the load time at 100,000 statements)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class ReloadResult:
    ok: bool
    summary: str
    problems: tuple[Problem, ...] = ()
    seconds: float = 0.0


class Library:
    def __init__(
        self,
        directory: Path,
        config: SearchConfig,
        *,
        max_file_bytes: int = 8 * 1024 * 1024,
        cache_dir: Path | None = None,
    ) -> None:
        self.directory = directory
        self.cache_dir = cache_dir
        self.config = config
        self.max_file_bytes = max_file_bytes
        self._index: SearchIndex | None = None
        self._build_lock = threading.Lock()
        self.last_problems: tuple[Problem, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> Library:
        """The one way the bot, the console, the CLI and the benchmarks build their library."""
        return cls(
            settings.knowledge_dir,
            SearchConfig(
                threshold=settings.threshold,
                max_results=settings.max_results,
                max_question_chars=settings.max_question_chars,
                semantic=settings.semantic,
            ),
            max_file_bytes=settings.max_file_bytes,
            cache_dir=settings.cache_dir,
        )

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            raise RuntimeError("the knowledge base has not been loaded yet")
        return self._index

    @property
    def loaded(self) -> bool:
        return self._index is not None

    def build(self) -> SearchIndex:
        gc.unfreeze()  # whatever the last build froze may be garbage once this one is live
        with _collector_paused():
            index = self._build()
        gc.freeze()  # the new index lives until the next reload: keep it out of later collections
        return index

    def _build(self) -> SearchIndex:
        """Load, validate and index from disk; on failure raise KnowledgeError, change nothing."""
        kb = load_knowledge(
            self.directory, max_file_bytes=self.max_file_bytes, cache_dir=self.cache_dir
        )
        index_cache = self.cache_dir / "index" if self.cache_dir is not None else None
        return SearchIndex(kb, self.config, cache_dir=index_cache)

    def reload_sync(self) -> ReloadResult:
        started = time.perf_counter()
        # Under the lock: two overlapping reloads would race to assign the index, and the second
        # would save the first one's short switch interval and restore it for good.
        with self._build_lock, _short_switch_interval():
            try:
                index = self.build()
            except KnowledgeError as exc:
                self.last_problems = tuple(exc.problems)
                for problem in exc.problems:
                    logger.error("Knowledge problem: %s", problem)
                kept = (
                    f"still serving {self._index.kb.content_hash[:12]}"
                    if self._index
                    else "nothing loaded"
                )
                logger.error("Reload failed with %d problem(s); %s", len(exc.problems), kept)
                return ReloadResult(False, kept, tuple(exc.problems), time.perf_counter() - started)
            self._index = index
            self.last_problems = ()
        kb = index.kb
        seconds = time.perf_counter() - started
        logger.info(
            "Knowledge base %s live: %s (%.2f s)", kb.content_hash[:12], kb.summary(), seconds
        )
        return ReloadResult(True, f"{kb.summary()}, version {kb.content_hash[:12]}", (), seconds)

    async def reload(self) -> ReloadResult:
        """Reload off the event loop; questions meanwhile are answered from the current index."""
        return await asyncio.to_thread(self.reload_sync)


@contextlib.contextmanager
def _short_switch_interval() -> Iterator[None]:
    """The build thread and the event loop share the GIL; a shorter switch interval while a
    build runs lets the loop answer between the build's steps instead of every 5 ms at best."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, RELOAD_SWITCH_INTERVAL_S))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
