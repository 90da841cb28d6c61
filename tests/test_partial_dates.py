"""Month-only and year-only statement dates (``2023-05``, ``2023``): kept at their precision,
shown as "May 2023", treated as ranges by date filters, and sorted stably."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import re
from pathlib import Path

import pytest

from bot.answers.answer import date_line, to_json
from bot.knowledge.cache import ParseCache
from bot.knowledge.dates import Precision, date_words, parse_date, period_end
from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.search.dates import DateRange
from bot.search.engine import SearchConfig, SearchIndex
from bot.tools.lint import lint_knowledge
from tests.fictional import FictionalKB

D = dt.date
S = "statements/gazette-2024-03-02-quill-canals.yaml"


@pytest.mark.parametrize(
    ("written", "iso", "words", "precision", "end"),
    [
        (D(2024, 12, 17), "2024-12-17", "2024-12-17", Precision.DAY, D(2024, 12, 17)),
        ("2024-12-17", "2024-12-17", "2024-12-17", Precision.DAY, D(2024, 12, 17)),
        ("2023-05", "2023-05", "May 2023", Precision.MONTH, D(2023, 5, 31)),
        ("2024-2", "2024-02", "Feb 2024", Precision.MONTH, D(2024, 2, 29)),
        (2023, "2023", "2023", Precision.YEAR, D(2023, 12, 31)),
        ("2023", "2023", "2023", Precision.YEAR, D(2023, 12, 31)),
    ],
)
def test_a_date_keeps_its_precision(
    written: object, iso: str, words: str, precision: Precision, end: dt.date
) -> None:
    value = parse_date(written)
    assert value.precision is precision
    assert value.isoformat() == str(value) == f"{value}" == iso
    assert date_words(value) == words
    assert value.end == period_end(value) == end
    assert value == D(value.year, value.month, value.day)  # compares as its first day
    for copied in (copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert copied.precision is precision


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2023-13", "2023-13 is not a real date: month must be in 1..12"),
        ("2023-02-30", "2023-02-30 is not a real date: day is out of range for month"),
        ("May 2023", "must be written like 2024-12-17 (or 2024-12, or 2024, when the source"),
        (True, "must be written like"),
        (dt.datetime(2024, 1, 1, 10, 0), "without a time of day"),
        (99, "must be written like"),
    ],
)
def test_what_is_not_a_date_says_why(written: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_date(written)


def partial_kb(kb: FictionalKB) -> FictionalKB:
    """The canal quote dated to the month, the tolls position to the year."""
    kb.replace(S, "    date: 2024-03-01\n    kind: quote", "    date: 2024-03\n    kind: quote")
    kb.replace(S, "date: 2024-02-01", "date: 2024")
    return kb


def test_partial_dates_load_sort_stably_and_reach_the_json(fictional_kb: FictionalKB) -> None:
    kb = partial_kb(fictional_kb).load()
    canals, tolls = kb.by_id["quill-canals-open"], kb.by_id["quill-tolls-position"]
    assert (canals.date_precision, tolls.date_precision) == (Precision.MONTH, Precision.YEAR)
    assert (canals.date_text, tolls.date_text) == ("Mar 2024", "2024")
    # newest first by the first day of each period, ties by id: the same order every load
    assert [s.id for s in kb.statements] == [
        "ledger-lantern-festival",  # 2024-03-01
        "quill-canals-open",  # March 2024, from 2024-03-01
        "quill-tolls-position",  # 2024, from 2024-01-01
    ]
    assert [s.id for s in fictional_kb.load().statements] == [s.id for s in kb.statements]
    index = SearchIndex(kb, SearchConfig())
    answer = index.search("Will the canals of Examplia stay open?")
    assert answer.matches[0].item.statement.id == "quill-canals-open"
    assert to_json(answer)["results"][0]["date"] == "2024-03"
    assert date_line(answer.matches[0].item) == "Mar 2024"


def test_a_relay_dated_to_the_month_reads_in_words(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace(
        S,
        "relayed_by: bram-ledger\n    date: 2024-03-01",
        "relayed_by: bram-ledger\n    original_date: 2024\n    date: 2024-03",
    )
    kb = fictional_kb.load()
    item = kb.attributed(kb.by_id["ledger-lantern-festival"])
    assert date_line(item) == "2024 (relayed by Bram Ledger in Mar 2024)"
    row = to_json(SearchIndex(kb).search("Does the Chancellor want a lantern festival?"))
    assert (row["results"][0]["date"], row["results"][0]["original_date"]) == ("2024-03", "2024")


def test_date_filters_treat_partial_dates_as_ranges(fictional_kb: FictionalKB) -> None:
    index = SearchIndex(partial_kb(fictional_kb).load(), SearchConfig())

    def found(question: str) -> list[str]:
        return [m.item.statement.id for m in index.search(question).matches]

    assert "quill-canals-open" in found("What did Ada Quill say about the canals in March 2024?")
    # a year-only date may be any day of the year: a question about any month of it finds it
    assert "quill-tolls-position" in found("What did Ada Quill say about tolls in June 2024?")
    assert "quill-tolls-position" not in found("What did Ada Quill say about tolls in 2023?")
    assert "quill-tolls-position" not in found("What did Ada Quill say about tolls since 2025?")


def test_date_range_contains_a_period_that_overlaps_it() -> None:
    june = DateRange(D(2024, 6, 1), D(2024, 6, 30))
    assert june.contains(parse_date("2024"))
    assert june.contains(parse_date("2024-06"))
    assert not june.contains(parse_date("2024-05"))
    assert not june.contains(parse_date("2023"))


def test_a_partial_date_after_publication_is_refused_only_when_it_must_be(
    fictional_kb: FictionalKB,
) -> None:
    # March 2024 may be 1 March, before the 2 March publication: accepted
    fictional_kb.replace(S, "date: 2024-02-01", "date: 2024-03")
    fictional_kb.load()
    fictional_kb.replace(S, "date: 2024-03\n", "date: 2024-04\n")
    with pytest.raises(KnowledgeError) as info:
        fictional_kb.load()
    assert [p.message for p in info.value.problems] == [
        "statement 'quill-tolls-position': date 2024-04 is after its source was published "
        "(2024-03-02)"
    ]


def test_partial_dates_survive_the_parse_cache(fictional_kb: FictionalKB, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    partial_kb(fictional_kb)
    cold = load_knowledge(fictional_kb.path, cache_dir=cache_dir)
    cache = ParseCache(cache_dir)
    assert cache.get(fictional_kb.read(S)) is not None  # the statements file is cached
    warm = load_knowledge(fictional_kb.path, cache_dir=cache_dir)
    assert warm.by_id["quill-tolls-position"].date_precision is Precision.YEAR
    assert warm.by_id["quill-canals-open"].date == cold.by_id["quill-canals-open"].date
    assert str(warm.by_id["quill-canals-open"].date) == "2024-03"


def test_lint_ages_a_partial_date_from_the_end_of_its_period(fictional_kb: FictionalKB) -> None:
    partial_kb(fictional_kb)
    findings = lint_knowledge(fictional_kb.path, today=D(2026, 12, 31), stale_days=365)
    tolls = [f.message for f in findings if "'quill-tolls-position'" in f.message]
    assert tolls == [
        "'quill-tolls-position' (2024, 730 days old) is the newest statement on topic 'tolls': "
        "older than 365 days; look for a newer one"
    ]


def test_json_contract_dates_are_text(fictional_kb: FictionalKB) -> None:
    index = SearchIndex(partial_kb(fictional_kb).load())
    row = to_json(index.search("tolls"))
    json.dumps(row)  # serialisable as it is
    assert row["results"][0]["date"] == "2024"
