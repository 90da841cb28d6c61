"""bot.runtime.journal: what is kept, for how long, and what happens when the file is bad.

The clock is a parameter, so retention is tested by moving it, in no time.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.runtime.journal import (
    DEDUP_WINDOW_S,
    MIGRATIONS,
    AsyncJournal,
    Entry,
    Journal,
    JournalSize,
    State,
    journal_size,
)

BOT = 123
START = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def entry(update_id: int, *, payload: str | None = '{"message": {}}', bot: int = BOT) -> Entry:
    return Entry(bot, update_id, "message", START, chat_id=7, message_id=update_id, payload=payload)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal(tmp_path: Path, clock: Clock) -> Journal:
    return Journal(tmp_path / "journal.sqlite3", clock=clock)


def rows(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT update_id, state, chat_id, message_id, payload FROM updates ORDER BY update_id"
        ).fetchall()
    finally:
        conn.close()


def test_an_update_is_admitted_once_and_pending_until_finished(journal: Journal) -> None:
    assert journal.admit(entry(5))
    assert not journal.admit(entry(5))  # a redelivery
    assert journal.admit(entry(5, bot=999))  # another bot's update 5 is another update
    assert journal.admit(entry(3))
    assert [e.update_id for e in journal.pending(BOT)] == [3, 5]  # oldest update first
    journal.finish(BOT, 5)
    assert not journal.admit(entry(5))  # still known once answered
    assert [e.update_id for e in journal.pending(BOT)] == [3]
    assert journal.pending(BOT)[0] == entry(3)


def test_a_batch_is_admitted_in_one_go_and_the_known_ids_reported(journal: Journal) -> None:
    journal.admit(entry(2))
    assert journal.admit_many([entry(1), entry(2), entry(3)]) == {2}
    assert [e.update_id for e in journal.pending(BOT)] == [1, 2, 3]
    assert journal.admit_many([]) == set()


def test_an_answered_update_keeps_only_its_ids(journal: Journal) -> None:
    journal.admit(entry(1))
    journal.admit(entry(2))
    journal.finish(BOT, 1)
    journal.finish(BOT, 2, State.DROPPED)
    journal.admit(entry(3))
    assert rows(journal.path) == [
        (1, "done", None, None, None),
        (2, "dropped", None, None, None),
        (3, "pending", 7, 3, '{"message": {}}'),
    ]


def test_finished_ids_are_pruned_after_the_redelivery_window(
    journal: Journal, clock: Clock
) -> None:
    journal.admit(entry(1))
    journal.admit(entry(2))
    journal.finish(BOT, 1)
    clock.now += DEDUP_WINDOW_S - 1
    assert journal.prune() == 0
    clock.now += 2
    assert journal.prune() == 1
    assert [row[0] for row in rows(journal.path)] == [2]  # a pending one is never pruned
    assert journal.admit(entry(1))  # forgotten: Telegram no longer redelivers it


def test_size_counts_pending_and_finished_and_stats_read_it_without_side_effects(
    journal: Journal, tmp_path: Path
) -> None:
    for n in range(3):
        journal.admit(entry(n))
    journal.finish(BOT, 0)
    size = journal.size()
    assert (size.pending, size.finished) == (2, 1)
    assert size.bytes > 0
    assert journal_size(journal.path) == size
    journal.close()
    assert journal_size(journal.path) == JournalSize(2, 1, journal.path.stat().st_size)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.sqlite3"]  # no -wal left
    assert journal_size(tmp_path / "missing.sqlite3") is None
    assert not (tmp_path / "missing.sqlite3").exists()
    assert "2 pending, 1 finished" in size.describe()


def test_the_schema_is_created_once_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    assert path.stat().st_mode & 0o777 == 0o600  # what users wrote: the owner's only
    Journal(path).close()  # opening again migrates nothing
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_a_corrupt_file_switches_the_journal_off_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    journal = Journal(path)
    assert not journal.enabled
    assert journal.admit(entry(1))  # off: everything is admitted, nothing deduplicated
    assert journal.admit(entry(1))
    assert journal.pending(BOT) == []
    assert journal.size().pending == 0
    [warning] = [r for r in caplog.records if r.name == "bot.runtime.journal"]
    assert "a crash may lose questions" in warning.getMessage()


def test_a_failed_write_switches_it_off_too(journal: Journal) -> None:
    journal.admit(entry(1))
    conn = sqlite3.connect(journal.path)
    try:
        conn.execute("DROP TABLE updates")
        conn.commit()
    finally:
        conn.close()
    assert journal.admit(entry(2))
    assert not journal.enabled
    assert journal.disabled_reason is not None


async def test_the_async_face_runs_the_same_journal(journal: Journal) -> None:
    face = AsyncJournal(journal)
    assert await face.admit(entry(1))
    assert not await face.admit(entry(1))
    assert await face.admit_many([entry(1), entry(2)]) == {1}
    assert [e.update_id for e in await face.pending(BOT)] == [1, 2]
    await face.finish(BOT, 1)
    assert (await face.size()).finished == 1
    assert await face.prune() == 0
    await face.close()
    assert not face.enabled
