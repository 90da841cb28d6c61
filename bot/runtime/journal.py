"""The journal: every incoming update, written down before the bot acts on it.

Telegram forgets an update once a later ``getUpdates`` confirms it, and the bot confirms what it
has *fetched*, not what it has answered. The journal is what makes a crash lose nothing: an
update is recorded (one SQLite transaction) before it is queued for the handlers and marked
finished once its handlers are done, so on start-up the bot re-runs what is still pending, and
an update id it already knows is never run twice (Telegram redelivers unconfirmed updates after
a crash).

Retention: a pending entry holds what re-running needs (the update's JSON with the question
text, the chat id and the message id). Once finished, only the ids and times are kept, for
deduplication, and those are pruned once redelivery is impossible (Telegram keeps an update for
at most 24 hours). One file, WAL mode, schema created and migrated here with ``PRAGMA
user_version``, as ``bot.runtime.store`` does. ``synchronous=NORMAL``: a commit survives the
process being killed, not necessarily the machine losing power. No telegram import: the caller
passes plain values.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from bot.runtime.sqlitefile import SqliteFile

logger = logging.getLogger(__name__)

FILE_MODE = 0o600  # it holds what users wrote: readable by the bot's user only
DEDUP_WINDOW_S = 24 * 3600.0  # Telegram keeps an unconfirmed update for at most 24 hours

MIGRATIONS: tuple[str, ...] = (
    # 1: one row per update: pending (with what re-running needs), done or dropped (ids only)
    """
    CREATE TABLE updates (
        bot_id INTEGER NOT NULL,
        update_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dropped')),
        received_at REAL NOT NULL,
        finished_at REAL,
        chat_id INTEGER,
        message_id INTEGER,
        payload TEXT,
        PRIMARY KEY (bot_id, update_id)
    ) WITHOUT ROWID;
    CREATE INDEX updates_state ON updates (state, finished_at);
    """,
)


class State(Enum):
    PENDING = "pending"
    DONE = "done"  # handled: answered, apologised for, or treated as delivered
    DROPPED = "dropped"  # never handled: too old when the bot came back, or not re-runnable


@dataclass(frozen=True, slots=True)
class Entry:
    """One incoming update. ``payload`` is the update's JSON when it can be re-run (a message);
    None for kinds whose answer would be meaningless late (button presses, inline queries)."""

    bot_id: int
    update_id: int
    kind: str
    received_at: float
    chat_id: int | None = None
    message_id: int | None = None
    payload: str | None = None


@dataclass(frozen=True, slots=True)
class JournalSize:
    """What ``policybot stats`` shows about the journal."""

    pending: int
    finished: int
    bytes: int

    def describe(self) -> str:
        return (
            f"{self.pending:,} pending, {self.finished:,} finished update ids kept for "
            f"deduplication, {self.bytes / 1024:,.0f} KiB on disk"
        )


class Journal(SqliteFile):
    """Thread-safe and synchronous (the async face is :class:`AsyncJournal`).

    If the file cannot be opened or written, the journal switches itself off with one warning:
    the bot keeps answering, without the crash guarantee.
    """

    migrations = MIGRATIONS
    check_sql = "SELECT count(*) FROM updates"
    off_warning = "Journal off, a crash may lose questions in flight: %s"
    file_mode = FILE_MODE

    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        super().__init__(path)

    def _write(self, sql: str, args: tuple[object, ...]) -> int:
        """Run one statement in its own transaction; the affected row count (0 when off)."""
        with self._lock:
            if self._conn is None:
                return 0
            try:
                with self._conn:
                    return self._conn.execute(sql, args).rowcount
            except sqlite3.Error as exc:
                self._disable(f"write to {self.path} failed: {exc}")
                return 0

    def admit(self, entry: Entry) -> bool:
        """Record a new update as pending. False if its id is already known (a redelivery, or
        an update a previous run left pending and the start-up re-runs): do not run it again.
        When the journal is off everything is admitted."""
        if not self.enabled:
            return True
        return self._write(_ADMIT, _values(entry)) == 1 or not self.enabled

    def admit_many(self, entries: list[Entry]) -> set[int]:
        """Record a batch as pending in one transaction; the update ids it already knew."""
        with self._lock:
            if self._conn is None:
                return set()
            known: set[int] = set()
            try:
                with self._conn:
                    for entry in entries:
                        cursor = self._conn.execute(_ADMIT, _values(entry))
                        if cursor.rowcount != 1:
                            known.add(entry.update_id)
            except sqlite3.Error as exc:
                self._disable(f"write to {self.path} failed: {exc}")
                return set()
            return known

    def finish(self, bot_id: int, update_id: int, state: State = State.DONE) -> None:
        """Handled (or given up): keep only the ids, for deduplication."""
        self._write(
            "UPDATE updates SET state = ?, finished_at = ?, chat_id = NULL, message_id = NULL,"
            " payload = NULL WHERE bot_id = ? AND update_id = ?",
            (state.value, self.clock(), bot_id, update_id),
        )

    def pending(self, bot_id: int) -> list[Entry]:
        """What a previous run left unfinished, oldest update first."""
        with self._lock:
            if self._conn is None:
                return []
            rows = self._conn.execute(
                "SELECT update_id, kind, received_at, chat_id, message_id, payload FROM updates"
                " WHERE bot_id = ? AND state = 'pending' ORDER BY update_id",
                (bot_id,),
            ).fetchall()
        return [Entry(bot_id, *row) for row in rows]

    def prune(self, window_s: float = DEDUP_WINDOW_S) -> int:
        """Forget finished updates older than the redelivery window; how many were removed."""
        return self._write(
            "DELETE FROM updates WHERE state != 'pending' AND finished_at < ?",
            (self.clock() - window_s,),
        )

    def size(self) -> JournalSize:
        with self._lock:
            if self._conn is None:
                return JournalSize(0, 0, _file_bytes(self.path))
            pending, finished = self._conn.execute(
                "SELECT count(*) FILTER (WHERE state = 'pending'),"
                " count(*) FILTER (WHERE state != 'pending') FROM updates"
            ).fetchone()
        return JournalSize(int(pending), int(finished), _file_bytes(self.path))


_ADMIT = (
    "INSERT OR IGNORE INTO updates (bot_id, update_id, kind, state, received_at, chat_id,"
    " message_id, payload) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)"
)


def _values(entry: Entry) -> tuple[object, ...]:
    return (
        entry.bot_id,
        entry.update_id,
        entry.kind,
        entry.received_at,
        entry.chat_id,
        entry.message_id,
        entry.payload,
    )


def _file_bytes(path: Path) -> int:
    """The database and its write-ahead log, as they are on disk now."""
    total = 0
    for part in (path, Path(f"{path}-wal")):
        with contextlib.suppress(OSError):
            total += part.stat().st_size
    return total


def journal_size(path: Path | str) -> JournalSize | None:
    """For ``policybot stats``: the journal at ``path``, or None if there is none (yet).

    Opened without creating anything, and closed at once; a running bot's journal can be read
    at the same time (WAL)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=1.0)
        try:
            pending, finished = conn.execute(
                "SELECT count(*) FILTER (WHERE state = 'pending'),"
                " count(*) FILTER (WHERE state != 'pending') FROM updates"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        logger.warning("Cannot read the journal %s: %s", path, exc)
        return None
    return JournalSize(int(pending), int(finished), _file_bytes(path))


class AsyncJournal:
    """The journal for the event loop: every call runs in a worker thread."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    @property
    def enabled(self) -> bool:
        return self.journal.enabled

    async def admit(self, entry: Entry) -> bool:
        return await asyncio.to_thread(self.journal.admit, entry)

    async def admit_many(self, entries: list[Entry]) -> set[int]:
        return await asyncio.to_thread(self.journal.admit_many, entries)

    async def finish(self, bot_id: int, update_id: int, state: State = State.DONE) -> None:
        await asyncio.to_thread(self.journal.finish, bot_id, update_id, state)

    async def pending(self, bot_id: int) -> list[Entry]:
        return await asyncio.to_thread(self.journal.pending, bot_id)

    async def prune(self) -> int:
        return await asyncio.to_thread(self.journal.prune)

    async def size(self) -> JournalSize:
        return await asyncio.to_thread(self.journal.size)

    async def close(self) -> None:
        await asyncio.to_thread(self.journal.close)
