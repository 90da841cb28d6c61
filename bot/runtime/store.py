"""SQLite log of what the bot could not answer, of answers users marked unhelpful, and votes.

One file, WAL mode, schema created and migrated here (``PRAGMA user_version``). The event log
stores the question text, the chat type, the time and the best candidates — never user ids or
names. Votes (one row per user and answer, changeable) store keyed hashes instead of the user,
chat and message ids: the key is random per database, so a row says "this person voted once on
this answer" without saying who or where. The store is a maintainer's to-do list, not something
answering depends on: if the file is corrupt, locked or unwritable, it switches itself off with
one warning and the bot carries on (votes are then kept in memory, see :class:`MemoryVotes`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answers.answer import Answer
from bot.runtime.sqlitefile import SqliteFile

logger = logging.getLogger(__name__)

UNANSWERED = "unanswered"
UNHELPFUL = "unhelpful"
MAX_QUESTION_CHARS = 1000
MAX_CANDIDATES = 3

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
    # 2: votes, one row per (answer, statement shown, voter); ids only as keyed hashes
    """
    CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO secrets (name, value) VALUES ('vote_key', lower(hex(randomblob(32))));
    CREATE TABLE votes (
        answer TEXT NOT NULL,
        statement_id TEXT NOT NULL,
        voter TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        chat_type TEXT NOT NULL,
        event_id INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (answer, statement_id, voter)
    );
    CREATE INDEX votes_updated_at ON votes (updated_at);
    """,
)
HASH_CHARS = 32


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    question: str
    chat_type: str
    created_at: dt.datetime
    statement_id: str | None
    candidates: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Tally:
    """The votes on one answer (as a statement shown under one message), and the asker's own."""

    helpful: int = 0
    unhelpful: int = 0
    mine: bool | None = None  # this user's vote: True 👍, False 👎, None none


@dataclass(frozen=True, slots=True)
class Ballot:
    """One vote to cast: who, on which message and statement, and what the question was."""

    chat_id: int
    message_id: int
    statement_id: str
    user_id: int
    helpful: bool
    chat_type: str
    question: str = ""
    candidates: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class VoteRow:
    answer: str
    statement_id: str
    voter: str
    helpful: bool
    chat_type: str


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store(SqliteFile):
    """Thread-safe; every method is synchronous (call through asyncio.to_thread from handlers)."""

    migrations = MIGRATIONS
    check_sql = "SELECT count(*) FROM events"
    off_warning = "Not recording unanswered questions: %s"

    def __init__(self, path: Path | str) -> None:
        self._key = b""
        super().__init__(path)

    def _opened(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT value FROM secrets WHERE name = 'vote_key'").fetchone()
        self._key = bytes.fromhex(row[0])

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
        """Remove events and votes older than ``older_than``; returns the rows removed."""
        with self._lock:
            if self._conn is None:
                return 0
            with self._conn:
                cutoff = (older_than.isoformat(),)
                events = self._conn.execute("DELETE FROM events WHERE created_at < ?", cutoff)
                votes = self._conn.execute("DELETE FROM votes WHERE updated_at < ?", cutoff)
            return events.rowcount + votes.rowcount

    # ------------------------------------------------------------------ votes

    def _hash(self, *parts: object) -> str:
        message = ":".join(str(part) for part in parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:HASH_CHARS]

    def vote(self, ballot: Ballot, when: dt.datetime | None = None) -> tuple[bool | None, Tally]:
        """Cast or change one vote; returns the user's previous vote and the new tally.

        A 👎 also lands in the event log (the maintainers' to-do list), and a 👎 changed to 👍
        takes that event back out. Raises :class:`StoreDisabled` when the store is off.
        """
        answer = self._hash("answer", ballot.chat_id, ballot.message_id)
        voter = self._hash("user", ballot.user_id)
        stamp = (when or utcnow()).isoformat()
        with self._lock:
            conn = self._conn
            if conn is None:
                raise StoreDisabled(self.disabled_reason or "closed")
            try:
                with conn:
                    row = conn.execute(
                        "SELECT helpful, event_id FROM votes"
                        " WHERE answer = ? AND statement_id = ? AND voter = ?",
                        (answer, ballot.statement_id, voter),
                    ).fetchone()
                    previous = None if row is None else bool(row[0])
                    if previous is not ballot.helpful:
                        event_id = self._vote_event(conn, ballot, row, stamp)
                        conn.execute(
                            "INSERT INTO votes (answer, statement_id, voter, helpful, chat_type,"
                            " event_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                            " ON CONFLICT (answer, statement_id, voter) DO UPDATE SET"
                            " helpful = excluded.helpful, event_id = excluded.event_id,"
                            " updated_at = excluded.updated_at",
                            (answer, ballot.statement_id, voter, int(ballot.helpful),
                             ballot.chat_type, event_id, stamp, stamp),
                        )  # fmt: skip
                    tally = self._tally(conn, answer, ballot.statement_id, voter)
            except sqlite3.Error as exc:
                self._disable(f"write to {self.path} failed: {exc}")
                raise StoreDisabled(str(exc)) from exc
        return previous, tally

    def _vote_event(
        self, conn: sqlite3.Connection, ballot: Ballot, row: Any, stamp: str
    ) -> int | None:
        """The unhelpful event that goes with the new vote (added for 👎, removed for 👍)."""
        if row is not None and row[1] is not None:
            conn.execute("DELETE FROM events WHERE id = ?", (row[1],))
        if ballot.helpful:
            return None
        cursor = conn.execute(
            "INSERT INTO events (kind, question, chat_type, created_at, statement_id, candidates)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                UNHELPFUL,
                ballot.question[:MAX_QUESTION_CHARS],
                ballot.chat_type,
                stamp,
                ballot.statement_id,
                json.dumps(list(ballot.candidates[:MAX_CANDIDATES])),
            ),
        )
        return cursor.lastrowid

    def tally(self, chat_id: int, message_id: int, statement_id: str, user_id: int) -> Tally:
        with self._lock:
            if self._conn is None:
                raise StoreDisabled(self.disabled_reason or "closed")
            answer = self._hash("answer", chat_id, message_id)
            voter = self._hash("user", user_id)
            try:
                return self._tally(self._conn, answer, statement_id, voter)
            except sqlite3.Error as exc:
                raise StoreDisabled(str(exc)) from exc

    @staticmethod
    def _tally(conn: sqlite3.Connection, answer: str, statement_id: str, voter: str) -> Tally:
        helpful = unhelpful = 0
        mine: bool | None = None
        rows = conn.execute(
            "SELECT helpful, voter FROM votes WHERE answer = ? AND statement_id = ?",
            (answer, statement_id),
        )
        for value, who in rows:
            helpful += value == 1
            unhelpful += value == 0
            if who == voter:
                mine = bool(value)
        return Tally(helpful, unhelpful, mine)

    def votes(self) -> list[VoteRow]:
        with self._lock:
            if self._conn is None:
                return []
            rows = self._conn.execute(
                "SELECT answer, statement_id, voter, helpful, chat_type FROM votes ORDER BY rowid"
            ).fetchall()
        return [VoteRow(a, s, v, bool(h), c) for a, s, v, h, c in rows]


class StoreDisabled(Exception):
    """The store is switched off (corrupt, locked or closed); callers fall back to memory."""


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

    async def vote(self, ballot: Ballot) -> tuple[bool | None, Tally]:
        """Raises :class:`StoreDisabled` when the database is off."""
        return await asyncio.to_thread(self.store.vote, ballot)

    async def tally(self, chat_id: int, message_id: int, statement_id: str, user_id: int) -> Tally:
        return await asyncio.to_thread(self.store.tally, chat_id, message_id, statement_id, user_id)

    async def close(self) -> None:
        await asyncio.to_thread(self.store.close)
