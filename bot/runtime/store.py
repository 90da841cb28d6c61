"""SQLite log of what the bot could not answer, and of answers users marked unhelpful.

One file, WAL mode, schema created and migrated here (``PRAGMA user_version``). It stores the
question text, the chat type, the time and the best candidates — never user ids or names. The
log is a maintainer's to-do list, not something answering depends on: if the file is corrupt,
locked or unwritable, the store switches itself off with one warning and the bot carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answers.answer import Answer

logger = logging.getLogger(__name__)

UNANSWERED = "unanswered"
UNHELPFUL = "unhelpful"
MAX_QUESTION_CHARS = 1000
MAX_CANDIDATES = 3
BUSY_TIMEOUT_S = 2.0

MIGRATIONS: tuple[str, ...] = (
    # 1: the event log
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('unanswered', 'unhelpful')),
        question TEXT NOT NULL,
        chat_type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        statement_id TEXT,
        candidates TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX events_created_at ON events (created_at);
    """,
)


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    question: str
    chat_type: str
    created_at: dt.datetime
    statement_id: str | None
    candidates: tuple[tuple[str, float], ...]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """Thread-safe; every method is synchronous (call through asyncio.to_thread from handlers)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.disabled_reason: str | None = None
        try:
            self._conn = self._open()
        except sqlite3.Error as exc:
            self._disable(f"cannot open {self.path}: {exc}")

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], version + 1):
                with conn:
                    conn.executescript(script)
                    conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("SELECT count(*) FROM events").fetchone()
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _disable(self, reason: str) -> None:
        if self.disabled_reason is None:
            logger.warning("Not recording unanswered questions: %s", reason)
        self.disabled_reason = reason
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def record(
        self,
        kind: str,
        question: str,
        chat_type: str,
        candidates: list[tuple[str, float]],
        statement_id: str | None = None,
        when: dt.datetime | None = None,
    ) -> bool:
        """Append one event; returns False (and stays quiet after one warning) when disabled."""
        with self._lock:
            if self._conn is None:
                return False
            try:
                with self._conn:
                    self._conn.execute(
                        "INSERT INTO events (kind, question, chat_type, created_at, statement_id,"
                        " candidates) VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            kind,
                            question[:MAX_QUESTION_CHARS],
                            chat_type,
                            (when or utcnow()).isoformat(),
                            statement_id,
                            json.dumps(candidates[:MAX_CANDIDATES]),
                        ),
                    )
                return True
            except sqlite3.Error as exc:
                self._disable(f"write to {self.path} failed: {exc}")
                return False

    def events(self, *, since: dt.datetime | None = None, kind: str | None = None) -> list[Event]:
        with self._lock:
            if self._conn is None:
                return []
            query = (
                "SELECT kind, question, chat_type, created_at, statement_id, candidates FROM events"
            )
            clauses, args = [], []
            if since is not None:
                clauses.append("created_at >= ?")
                args.append(since.isoformat())
            if kind is not None:
                clauses.append("kind = ?")
                args.append(kind)
            if clauses:
                query += " WHERE " + " AND ".join(clauses)
            rows = self._conn.execute(query + " ORDER BY id", args).fetchall()
        return list(_events(rows))

    def count(self, kind: str, since: dt.datetime) -> int:
        with self._lock:
            if self._conn is None:
                return 0
            row = self._conn.execute(
                "SELECT count(*) FROM events WHERE kind = ? AND created_at >= ?",
                (kind, since.isoformat()),
            ).fetchone()
        return int(row[0])

    def purge(self, older_than: dt.datetime) -> int:
        with self._lock:
            if self._conn is None:
                return 0
            with self._conn:
                cursor = self._conn.execute(
                    "DELETE FROM events WHERE created_at < ?", (older_than.isoformat(),)
                )
            return cursor.rowcount


def _events(rows: list[Any]) -> Iterator[Event]:
    for kind, question, chat_type, created_at, statement_id, candidates in rows:
        try:
            parsed = tuple((str(i), float(s)) for i, s in json.loads(candidates))
        except (ValueError, TypeError):
            parsed = ()
        yield Event(
            kind, question, chat_type, dt.datetime.fromisoformat(created_at), statement_id, parsed
        )


def candidates_of(answer: Answer) -> list[tuple[str, float]]:
    """The best candidates an answer considered, with their confidence."""
    rows = answer.explanation.get("candidates", [])
    out = [(row["id"], float(row["signals"].get("confidence", 0.0))) for row in rows]
    return out[:MAX_CANDIDATES]


class Recorder:
    """The async face of Store for handlers: writes happen in a worker thread."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def record_unanswered(self, answer: Answer, chat_type: str) -> None:
        await asyncio.to_thread(
            self.store.record, UNANSWERED, answer.question, chat_type, candidates_of(answer)
        )

    async def record_unhelpful(self, answer: Answer, statement_id: str, chat_type: str) -> None:
        await asyncio.to_thread(
            self.store.record,
            UNHELPFUL,
            answer.question,
            chat_type,
            candidates_of(answer),
            statement_id,
        )

    async def close(self) -> None:
        await asyncio.to_thread(self.store.close)
