"""The maintainers' to-do list: recording, clustering, YAML stubs, retention, stats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.knowledge.loader import load_knowledge
from bot.runtime.journal import Entry, Journal
from bot.runtime.store import UNANSWERED, UNHELPFUL, Store, utcnow
from bot.search.confidence import load_model
from bot.search.engine import SearchIndex
from bot.tools.cli import main
from bot.tools.stats import TITLE_CHARS, short_title
from bot.tools.unanswered import cluster, format_text, format_yaml

BUNDLED = Path(__file__).resolve().parent.parent / "knowledge"
NOW = utcnow()


def seed(path: Path) -> None:
    """A month of traffic: one need asked five ways, one asked twice, one old, one 👎."""
    store = Store(path)
    recent = NOW - dt.timedelta(days=2)
    for question in (
        "who won the world cup",
        "Who won the World Cup?",
        "who won the world cup 2022",
        "whos won the world cup",
        "who won the world cup",
    ):
        store.record(
            UNANSWERED, question, "group", [("wang-yi-relations-concern-world", 0.2)], when=recent
        )
    for _ in range(2):
        store.record(
            UNANSWERED,
            "What did Wang Yi say about tariffs?",
            "private",
            [("wang-yi-opposes-suppression", 0.45)],
            when=recent,
        )
    store.record(
        UNANSWERED,
        "an old question about the weather",
        "private",
        [],
        when=NOW - dt.timedelta(days=400),
    )
    store.record(
        UNHELPFUL,
        "red lines",
        "private",
        [("xi-four-red-lines", 0.9)],
        statement_id="xi-four-red-lines",
        when=recent,
    )
    store.close()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "log.sqlite3"
    seed(path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLICYBOT_DATABASE", str(path))
    monkeypatch.setenv("POLICYBOT_KNOWLEDGE_DIR", str(BUNDLED))
    monkeypatch.setenv("POLICYBOT_CACHE", "false")
    return path


def test_similar_questions_are_one_need_most_frequent_first(database: Path) -> None:
    groups = cluster(Store(database).events())
    assert [g.count for g in groups] == [5, 2, 1, 1]
    assert groups[0].representative == "who won the world cup"
    assert groups[1].nearest() == [("wang-yi-opposes-suppression", 0.45)]
    assert groups[2].unhelpful in (0, 1)


def test_text_report(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unanswered"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "5× who won the world cup"
    assert "also: " in lines[1]
    assert "nearest: wang-yi-relations-concern-world (0.20)" in lines[2]
    assert "2× What did Wang Yi say about tariffs?" in out
    assert "1× red lines, 1 marked unhelpful" in out


def test_since_filters_old_rows(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    since = (NOW - dt.timedelta(days=30)).date().isoformat()
    assert main(["unanswered", "--since", since]) == 0
    assert "weather" not in capsys.readouterr().out
    assert main(["unanswered"]) == 0
    assert "weather" in capsys.readouterr().out


def stubs_of(out: str) -> list[dict[str, Any]]:
    stubs = [entry for entry in yaml.safe_load_all(out.replace("\n- ", "\n---\n- ")) if entry]
    return [item for entry in stubs for item in entry]


def test_yaml_stubs_are_pasteable(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    threshold = load_model().threshold
    store = Store(database)  # asked twice more, each time close to a statement
    for _ in range(2):
        store.record(
            UNANSWERED,
            "What did Wang Yi say about tariffs?",
            "private",
            [("wang-yi-opposes-suppression", threshold + 0.05)],
        )
    store.close()
    assert main(["unanswered", "--format", "yaml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Draft stubs")
    flat = stubs_of(out)
    by_id = {item["id"]: item for item in reversed(flat)}  # the first stub of each id wins
    # tariffs came close enough to an existing statement: alternate questions for it
    assert flat[0]["id"] == "wang-yi-opposes-suppression"
    assert by_id["wang-yi-opposes-suppression"]["questions"] == [
        "What did Wang Yi say about tariffs?"
    ]
    # the world cup (the most asked) is off-topic: counted, never a stub
    assert all("world cup" not in q for item in flat for q in item.get("questions", []))
    assert out.rstrip().endswith(
        "# off-topic, not offered as stubs: 6 question(s): who won the world cup (5×); "
        "an old question about the weather (1×)"
    )
    # the 👎 on an answer is not proposed as an alternate question for the same statement
    assert "# marked unhelpful: xi-four-red-lines" in out
    assert "xi-four-red-lines" not in by_id


def test_a_near_statement_below_the_threshold_is_no_alternate(tmp_path: Path) -> None:
    threshold = load_model().threshold
    store = Store(tmp_path / "log.sqlite3")
    for question, score in (
        ("What did Wang Yi say about tariffs?", threshold - 0.01),
        ("who won the world cup", 0.51),  # the case: close by score, off-topic by words
    ):
        store.record(UNANSWERED, question, "private", [("wang-yi-opposes-suppression", score)])
    groups = cluster(store.events())
    store.close()
    without_index = stubs_of(format_yaml(groups))  # no knowledge base: scores decide alone
    assert [item["id"] for item in without_index] == [
        "TODO-new-statement-id",
        "wang-yi-opposes-suppression" if threshold <= 0.51 else "TODO-new-statement-id",
    ]
    index = SearchIndex(load_knowledge(BUNDLED))
    out = format_yaml(groups, index=index)
    flat = stubs_of(out)
    assert [item["id"] for item in flat] == ["TODO-new-statement-id"]
    assert flat[0]["questions"] == ["What did Wang Yi say about tariffs?"]
    assert flat[0]["speaker"] == "TODO"
    assert "# off-topic, not offered as stubs: 1 question(s): who won the world cup (1×)" in out


def test_a_question_answered_by_now_needs_no_stub(tmp_path: Path) -> None:
    store = Store(tmp_path / "log.sqlite3")
    store.record(UNANSWERED, "What are China's red lines with the US?", "private", [])
    groups = cluster(store.events())
    store.close()
    out = format_yaml(groups, index=SearchIndex(load_knowledge(BUNDLED)))
    assert "# answered by now: xi-four-red-lines" in out
    assert stubs_of(out) == []


def test_purge_removes_rows_past_retention(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYBOT_RETENTION_DAYS", "180")
    assert main(["unanswered", "--purge"]) == 0
    assert "purged 1 row(s)" in capsys.readouterr().out
    questions = [e.question for e in Store(database).events()]
    assert "an old question about the weather" not in questions
    assert len(questions) == 8


def test_stats(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "11 statements, 2 speakers" in out
    assert "By speaker:" in out
    assert "       9  Wang Yi" in out
    assert "By year:" in out
    assert "    11  2024" in out
    assert "Last 7 days: 7 unanswered, 1 marked unhelpful" in out
    assert "Last 30 days: 7 unanswered, 1 marked unhelpful" in out
    assert "Journal: none yet" in out  # the bot has never run beside this database


def test_stats_shows_the_journal_size(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = Journal(database.with_name(f"{database.stem}.journal.sqlite3"))
    journal.admit(Entry(bot_id=1, update_id=7, kind="message", received_at=0.0, payload="{}"))
    journal.close()
    assert main(["stats"]) == 0
    assert "Journal: 1 pending, 0 finished update ids" in capsys.readouterr().out


def test_format_text_when_empty() -> None:
    assert format_text([]) == "No unanswered or unhelpful questions recorded."
    assert format_yaml([]).startswith("# Draft stubs")


def test_unanswered_without_a_usable_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database" * 50)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLICYBOT_DATABASE", str(bad))
    assert main(["unanswered"]) == 1
    assert "no usable database" in capsys.readouterr().err


def test_schema_is_migrated_from_an_older_version(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    Store(path).close()
    reopened = Store(path)  # already at the latest version: nothing to do, nothing lost
    assert reopened.record(UNANSWERED, "q", "private", [])
    assert len(reopened.events()) == 1


@pytest.mark.parametrize(
    ("title", "short"),
    [
        (
            "China ready to maintain dialogue, enhance mutual trust, expand cooperation with "
            "U.S.: top diplomat",
            "China ready to maintain dialogue, enhance mutual trust, expand …",
        ),
        ("A short title", "A short title"),
        ("x" * 80, "x" * 69 + "…"),  # one word longer than the width: cut, with a mark
    ],
)
def test_stats_never_cuts_a_source_title_mid_word(title: str, short: str) -> None:
    assert short_title(title) == short
    assert len(short) <= TITLE_CHARS
