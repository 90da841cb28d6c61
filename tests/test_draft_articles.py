"""`policybot draft` on articles in many house styles, scored against hand-made expectations.

``tests/fixtures/articles/styles/`` holds fictional articles written by someone who never saw
the drafter (wire copy, a translated wire report, a press-conference transcript, a speech, an
interview, a joint statement, an op-ed, a live blog, a press release, a feature; NOTES.md
gives the labelling conventions), and ``tests/fixtures/articles/more/`` a few more styles
written afterwards to check that the rules generalise. Each ``<name>.txt`` has a
``<name>.expected.yaml`` listing its candidate statements (an ``excerpt`` of the statement's
words, ``speaker`` or "unknown", ``relayed_by``, ``kind``), its ``speakers`` and the days,
places, organisations and bystanders that are ``not_speakers``.

The scorer is plain functions so a script can print the table as well::

    .venv/bin/python -m tests.test_draft_articles

Each expected statement is matched with the drafted statement whose text contains its
excerpt (whitespace normalised; the shortest such), else the one overlapping most of it.
Drafts are made without a knowledge base (every speaker is a stub, named in ``speakers``),
since no knowledge base knows these people.
"""

from __future__ import annotations

import calendar
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bot.tools.draft import draft_statements

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
STYLE_SETS = ("styles", "more")
UNKNOWN = "unknown"
MIN_OVERLAP = 0.5  # share of an excerpt a drafted text must cover when it does not contain it
CALENDAR_NAMES = frozenset(
    name.casefold() for name in [*calendar.day_name, *calendar.month_name] if name
)


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class Drafted:
    """One drafted statement, with speakers as names (stub name, or "unknown")."""

    text: str
    speaker: str
    relayed_by: str | None
    kind: str


@dataclass
class Score:
    """Counts for one article, or summed over several."""

    name: str
    statements: int = 0
    matched: int = 0
    speaker_right: int = 0
    relayed_right: int = 0
    kind_right: int = 0
    relayed: int = 0  # expected relayed statements
    relayed_marked: int = 0  # of those, drafted with the right relayer
    extra: int = 0  # drafted statements that match no expected one
    not_speakers: list[str] = field(default_factory=list)  # days, places, bodies made speakers
    strangers: list[str] = field(default_factory=list)  # drafted speakers nobody expected
    mistakes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # wrong kinds, extra statements

    @property
    def missed(self) -> int:
        return self.statements - self.matched

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.statements if self.statements else 1.0

    def add(self, other: Score) -> None:
        for name in (
            "statements",
            "matched",
            "speaker_right",
            "relayed_right",
            "kind_right",
            "relayed",
            "relayed_marked",
            "extra",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.not_speakers += [f"{other.name}: {n}" for n in other.not_speakers]
        self.strangers += [f"{other.name}: {n}" for n in other.strangers]
        self.mistakes += [f"{other.name}: {m}" for m in other.mistakes]

    def row(self) -> str:
        return (
            f"{self.name:<26} {self.statements:>4} {self.speaker_right:>4} "
            f"{self.speaker_accuracy:>6.1%} {self.missed:>5} {self.relayed_right:>5} "
            f"{self.relayed_marked:>3}/{self.relayed:<3} {self.kind_right:>4} {self.extra:>5} "
            f"{len(self.not_speakers):>4} {len(self.strangers):>4}"
        )


HEADER = (
    f"{'article':<26} {'stmt':>4} {'spkr':>4} {'acc':>6} {'miss':>5} {'relay':>5} "
    f"{'marked':>7} {'kind':>4} {'extra':>5} {'nspk':>4} {'strg':>4}"
)


def drafted_statements(draft: str) -> list[Drafted]:
    """The draft's statements with speaker ids turned into the stubs' names."""
    data = yaml.safe_load(draft) or {}
    names = {UNKNOWN: UNKNOWN} | {p["id"]: p["name"] for p in data.get("speakers") or []}
    return [
        Drafted(
            text=s["text"],
            speaker=names.get(s["speaker"], s["speaker"]),
            relayed_by=names.get(s["relayed_by"], s["relayed_by"]) if s.get("relayed_by") else None,
            kind=s["kind"],
        )
        for s in data.get("statements") or []
    ]


def _positions(article: str, text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(text), article)]


def match(article: str, excerpt: str, drafted: list[Drafted]) -> Drafted | None:
    """The drafted statement holding the excerpt: the shortest containing it, else the one that
    overlaps most of it (at least ``MIN_OVERLAP``)."""
    flat = _flat(excerpt)
    containing = [d for d in drafted if flat in _flat(d.text)]
    if containing:
        return min(containing, key=lambda d: len(d.text))
    spans = _positions(article, excerpt)
    if not spans:
        return None
    start, end = spans[0]
    best: tuple[int, Drafted] | None = None
    for candidate in drafted:
        for c_start, c_end in _positions(article, candidate.text):
            overlap = min(end, c_end) - max(start, c_start)
            if overlap > 0 and (best is None or overlap > best[0]):
                best = (overlap, candidate)
    if best is None or best[0] < MIN_OVERLAP * (end - start):
        return None
    return best[1]


def _same(drafted: str | None, expected: str | None) -> bool:
    if drafted is None or expected is None:
        return drafted is expected
    return _flat(drafted) == _flat(expected)


def _forbidden(name: str, not_speakers: Iterable[str]) -> bool:
    """Whether a drafted speaker is a day, month, place or body the article lists as not
    speaking (also when it is part of one: "Kastrani" for "the Kastrani central bank")."""
    words = _flat(name).split()
    if _flat(name) in CALENDAR_NAMES:
        return True
    for other in not_speakers:
        other_words = _flat(other).split()
        if words == other_words or (
            len(words) < len(other_words) and set(words) <= set(other_words)
        ):
            return True
    return False


def score_article(path: Path) -> Score:
    """Draft ``path`` (an article ``.txt``) without a knowledge base and score the draft."""
    expected = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    article = path.read_text(encoding="utf-8")
    drafted = drafted_statements(draft_statements(article, None, article=path.name))
    score = Score(path.stem)
    used: set[int] = set()
    for statement in expected["statements"]:
        score.statements += 1
        relayer = statement.get("relayed_by")
        score.relayed += relayer is not None
        found = match(article, statement["excerpt"], drafted)
        if found is None:
            score.mistakes.append(f"missed: {statement['excerpt']!r}")
            continue
        used.add(id(found))
        score.matched += 1
        speaker_ok = _same(found.speaker, statement["speaker"])
        relayed_ok = _same(found.relayed_by, relayer)
        score.speaker_right += speaker_ok
        score.relayed_right += relayed_ok
        score.relayed_marked += relayer is not None and relayed_ok
        score.kind_right += found.kind == statement["kind"]
        if found.kind != statement["kind"]:
            score.notes.append(
                f"kind {found.kind}, expected {statement['kind']}: {found.text[:50]!r}"
            )
        if not (speaker_ok and relayed_ok):
            score.mistakes.append(
                f"{statement['excerpt'][:40]!r}: {found.speaker} (via {found.relayed_by}), "
                f"expected {statement['speaker']} (via {relayer})"
            )
    extra = [d for d in drafted if id(d) not in used]
    score.extra = len(extra)
    score.notes += [f"extra ({d.speaker}): {d.text[:60]!r}" for d in extra]
    names = {d.speaker for d in drafted} | {d.relayed_by for d in drafted if d.relayed_by}
    names.discard(UNKNOWN)
    speakers = {_flat(s) for s in expected["speakers"]}
    for name in sorted(names):
        if _forbidden(name, expected["not_speakers"]):
            score.not_speakers.append(name)
        elif _flat(name) not in speakers:
            score.strangers.append(name)
    return score


def article_paths(sets: Iterable[str] = STYLE_SETS) -> list[Path]:
    return [
        path
        for name in sets
        for path in sorted((ARTICLES / name).glob("*.txt"))
        if path.with_suffix(".expected.yaml").exists()
    ]


def score_all(paths: Iterable[Path]) -> tuple[list[Score], Score]:
    scores = [score_article(path) for path in paths]
    total = Score("total")
    for score in scores:
        total.add(score)
    return scores, total


def report(paths: Iterable[Path], *, details: bool = False) -> str:
    scores, total = score_all(paths)
    lines = [HEADER, *(s.row() for s in scores), total.row()]
    if details:
        for score in scores:
            lines += [f"{score.name}: {m}" for m in score.mistakes]
            lines += [f"{score.name}: not a speaker: {n}" for n in score.not_speakers]
            lines += [f"{score.name}: stranger: {n}" for n in score.strangers]
            lines += [f"{score.name}: {n}" for n in score.notes]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ the tests


@pytest.fixture(scope="module")
def scored() -> tuple[list[Score], Score]:
    return score_all(article_paths())


def test_the_article_set_is_there() -> None:
    assert len(article_paths(["styles"])) == 10
    assert len(article_paths(["more"])) >= 2


@pytest.mark.parametrize("path", article_paths(), ids=lambda p: p.stem)
def test_the_expectations_fit_their_article(path: Path) -> None:
    """What the set's own checker confirmed: each excerpt is in the article exactly once, and
    every speaker or relayer named is a listed speaker whose name the article spells out."""
    expected = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    article = path.read_text(encoding="utf-8")
    speakers = set(expected["speakers"])
    assert not speakers & set(expected["not_speakers"])
    for statement in expected["statements"]:
        assert article.count(statement["excerpt"]) == 1, statement["excerpt"]
        assert statement["kind"] in ("quote", "reported")
        for who in (statement["speaker"], statement["relayed_by"]):
            assert who in (None, UNKNOWN) or (who in speakers and who in article), who


def test_speaker_right_for_nine_statements_in_ten(scored: tuple[list[Score], Score]) -> None:
    _, total = scored
    assert total.speaker_accuracy >= 0.9, "\n".join(total.mistakes)


def test_never_a_day_month_place_or_organisation_as_a_speaker(
    scored: tuple[list[Score], Score],
) -> None:
    _, total = scored
    assert total.not_speakers == []


def test_relayed_statements_are_marked(scored: tuple[list[Score], Score]) -> None:
    _, total = scored
    assert total.relayed_marked >= 0.8 * total.relayed
    assert total.relayed_right >= 0.9 * total.statements


def test_few_statements_missed_and_kinds_mostly_right(scored: tuple[list[Score], Score]) -> None:
    _, total = scored
    assert total.missed <= 0.05 * total.statements
    assert total.kind_right >= 0.9 * total.statements


def test_every_article_mostly_right(scored: tuple[list[Score], Score]) -> None:
    scores, _ = scored
    assert all(score.speaker_accuracy >= 0.75 for score in scores), [
        (s.name, f"{s.speaker_accuracy:.0%}") for s in scores
    ]


def test_drafted_texts_are_verbatim() -> None:
    for path in article_paths():
        article = path.read_text(encoding="utf-8")
        for statement in drafted_statements(draft_statements(article, None)):
            assert statement.text in article, (path.name, statement.text)


if __name__ == "__main__":
    sets = sys.argv[1:] or list(STYLE_SETS)
    print(report(article_paths(sets), details=True))
