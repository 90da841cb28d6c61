"""Votes: one row per user and answer, changeable, stored without user, chat or message ids."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from bot.runtime.limits import MemoryVotes
from bot.runtime.store import MIGRATIONS, UNHELPFUL, Ballot, Store, Tally

CHAT, MESSAGE, STATEMENT = -1001234567890, 42, "xi-four-red-lines"


def ballot(user: int, helpful: bool, statement: str = STATEMENT, message: int = MESSAGE) -> Ballot:
    return Ballot(
        CHAT, message, statement, user, helpful, "supergroup", "red lines?", (("a", 0.5),)
    )


def test_one_vote_per_user_and_answer_changeable(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    assert store.vote(ballot(1, True)) == (None, Tally(1, 0, True))
    assert store.vote(ballot(1, True)) == (True, Tally(1, 0, True))  # the same again: no change
    assert store.vote(ballot(2, False)) == (None, Tally(1, 1, False))
    assert store.vote(ballot(1, False)) == (True, Tally(0, 2, False))  # changed
    assert store.tally(CHAT, MESSAGE, STATEMENT, 3) == Tally(0, 2, None)
    assert len(store.votes()) == 2
    # another statement shown on the same message, or another message, is another answer
    assert store.vote(ballot(1, True, statement="other")) == (None, Tally(1, 0, True))
    assert store.vote(ballot(1, True, message=43)) == (None, Tally(1, 0, True))
    assert len(store.votes()) == 4
    store.close()


def test_a_thumbs_down_is_on_the_maintainers_list_until_it_is_taken_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.vote(ballot(1, False))
    store.vote(ballot(1, False))
    [event] = store.events(kind=UNHELPFUL)
    assert (event.question, event.statement_id, event.chat_type) == (
        "red lines?",
        STATEMENT,
        "supergroup",
    )
    store.vote(ballot(1, True))
    assert store.events(kind=UNHELPFUL) == []
    store.vote(ballot(1, False))
    assert len(store.events(kind=UNHELPFUL)) == 1
    store.close()


def test_no_user_chat_or_message_id_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = Store(path)
    user = 987654321
    store.vote(ballot(user, True))
    store.close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT * FROM votes").fetchall()
    flat = " ".join(str(value) for row in rows for value in row)
    for secret in (str(user), str(CHAT), str(abs(CHAT))):
        assert secret not in flat
    # and the hashes are keyed per database: the same vote elsewhere looks different
    other = Store(tmp_path / "other.sqlite3")
    other.vote(ballot(user, True))
    assert other.votes()[0].voter != Store(path).votes()[0].voter
    other.close()


def test_an_old_database_gains_the_votes_table(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO events (kind, question, chat_type, created_at) "
            "VALUES ('unanswered', 'old', 'private', '2024-01-01T00:00:00+00:00')"
        )
    store = Store(path)
    assert store.enabled
    assert [e.question for e in store.events()] == ["old"]
    assert store.vote(ballot(1, True))[1] == Tally(1, 0, True)
    store.close()


def test_purge_removes_old_votes_too(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    store.vote(ballot(1, True), when=old)
    store.vote(ballot(2, True))
    assert store.purge(dt.datetime(2021, 1, 1, tzinfo=dt.UTC)) == 1
    assert len(store.votes()) == 1
    store.close()


def test_votes_in_memory_follow_the_same_rules() -> None:
    votes = MemoryVotes(max_answers=2)
    assert votes.vote(ballot(1, True)) == (None, Tally(1, 0, True))
    assert votes.vote(ballot(1, False)) == (True, Tally(0, 1, False))
    assert votes.vote(ballot(2, False)) == (None, Tally(0, 2, False))
    votes.vote(ballot(1, True, message=1))
    votes.vote(ballot(1, True, message=2))  # bounded: the oldest answer is forgotten
    assert votes.tally(CHAT, MESSAGE, STATEMENT, 1) == Tally(0, 0, None)
