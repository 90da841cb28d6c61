"""`policybot lint`: each rule on its own, on a small fictional knowledge base broken one way.

The base below (Minister Ada Quill of the Republic of Examplia, reported by The Example Gazette)
is lint-clean on the pinned date; each test changes one thing and asserts the exact
``path:line: severity`` it expects, taking line numbers from the file text itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import pytest
from rapidfuzz import fuzz

import bot.tools.lint
import bot.tools.lint.rules
from bot.config import BUNDLED_KNOWLEDGE
from bot.normalize import normalize, tokens
from bot.tools.cli import main
from bot.tools.lint import LintFinding, is_quoted, lint_knowledge, near_duplicates, strict, summary

TODAY = dt.date(2024, 6, 1)
SOURCE_ID = "gazette-2024-03-02-quill-canals"
STATEMENTS = f"statements/{SOURCE_ID}.yaml"
SOURCE_TEXT = f"sources/{SOURCE_ID}.txt"

ARTICLE = """\
Quill opens the canals of Examplia

EXAMPLE CITY, March 1 -- Minister Ada Quill said on Friday: "The canals of Examplia will stay \
open to every boat, whatever the weather." She added that the lantern boats would sail at dusk.

Envoy Bram Ledger said the Minister wants a lantern festival on every canal by next spring.
"""

SPEAKERS = """\
speakers:
  - id: ada-quill
    name: Ada Quill
    aliases: [Minister Quill, Minister Ada Quill]
  - id: bram-ledger
    name: Bram Ledger
    aliases: [Envoy Ledger]
"""

TOPICS = """\
topics:
  - id: canal-policy
    name: Canal policy
    aliases: [canals, waterways]
  - id: lantern-festival
    name: Lantern festival
    aliases: [lanterns]
"""

HEAD = f"""\
source:
  id: {SOURCE_ID}
  title: Quill opens the canals of Examplia
  publisher: The Example Gazette
  published: 2024-03-02

statements:
"""

CANALS_OPEN = """\
  - id: quill-canals-open
    speaker: ada-quill
    date: 2024-03-01
    kind: quote
    text: The canals of Examplia will stay open to every boat, whatever the weather.
    topics: [canal-policy]
    questions:
      - Will the canals of Examplia stay open?
"""

LANTERNS = """\
  - id: ledger-lantern-festival
    speaker: ada-quill
    relayed_by: bram-ledger
    date: 2024-03-01
    kind: reported
    text: the Minister wants a lantern festival on every canal by next spring
    topics: [lantern-festival, canal-policy]
    questions:
      - Does the Minister want a lantern festival?
"""


class LintKB:
    """A fictional knowledge directory on disk; ``line`` finds a line number by its text."""

    def __init__(self, root: Path, files: dict[str, str]) -> None:
        self.root = root
        for rel, content in files.items():
            self.write(rel, content)

    def write(self, rel: str, content: str) -> None:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")

    def shown(self, rel: str) -> str:
        return f"{self.root.name}/{rel}"

    def line(self, rel: str, needle: str, occurrence: int = 1) -> int:
        lines = (self.root / rel).read_text(encoding="utf-8").splitlines()
        hits = [number for number, text in enumerate(lines, 1) if needle in text]
        return hits[occurrence - 1]

    def at(self, rel: str, needle: str, occurrence: int = 1) -> tuple[str, int]:
        return self.shown(rel), self.line(rel, needle, occurrence)

    def lint(
        self, *, near_duplicate_threshold: int = 90, stale_days: int = 730
    ) -> list[LintFinding]:
        return lint_knowledge(
            self.root,
            today=TODAY,
            near_duplicate_threshold=near_duplicate_threshold,
            stale_days=stale_days,
        )


def write_kb(
    tmp_path: Path,
    *,
    statements: str = CANALS_OPEN + LANTERNS,
    speakers: str = SPEAKERS,
    topics: str = TOPICS,
    article: str = ARTICLE,
) -> LintKB:
    return LintKB(
        tmp_path / "knowledge",
        {
            "speakers.yaml": speakers,
            "topics.yaml": topics,
            STATEMENTS: HEAD + statements,
            SOURCE_TEXT: article,
        },
    )


def where(findings: list[LintFinding]) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.severity) for f in findings]


def test_the_fictional_base_is_clean(tmp_path: Path) -> None:
    assert write_kb(tmp_path).lint() == []


def test_finding_reads_path_line_severity_message() -> None:
    finding = LintFinding("knowledge/topics.yaml", 3, "warning", "topic 'x' is not used")
    assert str(finding) == "knowledge/topics.yaml:3: warning: topic 'x' is not used"
    assert strict([finding]) == [dataclasses.replace(finding, severity="error")]
    assert summary([finding]) == "0 errors, 1 warning"
    assert summary(strict([finding, finding])) == "2 errors, 0 warnings"


def test_a_base_that_does_not_load_gives_only_the_loader_problems_as_errors(
    tmp_path: Path,
) -> None:
    broken = CANALS_OPEN.replace("speaker: ada-quill", "speaker: nobody") + LANTERNS
    unused_topic = TOPICS + "  - id: tolls\n    name: Tolls\n"
    kb = write_kb(tmp_path, statements=broken, topics=unused_topic)
    findings = kb.lint()
    assert findings == [
        LintFinding(
            *kb.at(STATEMENTS, "speaker: nobody"),
            "error",
            "statement 'quill-canals-open': unknown speaker 'nobody'",
        )
    ]


def test_near_duplicate_is_a_warning_at_the_later_statement_naming_the_other(
    tmp_path: Path,
) -> None:
    copy = """\
  - id: quill-canals-open-again
    speaker: ada-quill
    date: 2024-03-01
    kind: position
    text: the canals of Examplia will stay open to every boat whatever the weather
    topics: [canal-policy]
"""
    kb = write_kb(tmp_path, statements=CANALS_OPEN + LANTERNS + copy)
    findings = kb.lint()
    first = kb.at(STATEMENTS, "- id: quill-canals-open", 1)
    assert where(findings) == [(*kb.at(STATEMENTS, "- id: quill-canals-open-again"), "warning")]
    assert findings[0].message == (
        "statement 'quill-canals-open-again' is a near-duplicate of 'quill-canals-open' "
        f"({first[0]}:{first[1]}; 100% of words shared)"
    )


def test_near_duplicate_threshold_decides(tmp_path: Path) -> None:
    reworded = """\
  - id: quill-canals-open-reworded
    speaker: ada-quill
    date: 2024-03-01
    kind: position
    text: The canals of Examplia will stay open to every barge, whatever the weather.
    topics: [canal-policy]
"""
    kb = write_kb(tmp_path, statements=CANALS_OPEN + LANTERNS + reworded)
    assert len(kb.lint()) == 1  # 12 of 13 words shared: 92%
    assert kb.lint(near_duplicate_threshold=95) == []


def test_near_duplicates_misses_no_pair_that_brute_force_finds() -> None:
    """Prefix filtering must be exact: compare with scoring every pair."""
    rng = random.Random(20240301)
    vocabulary = [f"w{n}" for n in range(60)] + ["the"] * 30 + ["canal"] * 10
    texts = [" ".join(rng.choices(vocabulary, k=rng.randint(1, 14))) for _ in range(150)]
    texts += [text + " again" for text in rng.sample(texts, 20)]
    texts += [" ".join(reversed(text.split())) for text in rng.sample(texts, 10)]
    bags = [sorted(tokens(normalize(text))) for text in texts]
    for threshold in (60, 75, 90, 100):
        expected: dict[int, tuple[float, int]] = {}
        for later in range(len(texts)):
            for earlier in range(later):
                score = fuzz.ratio(bags[later], bags[earlier])
                if score >= threshold and score > expected.get(later, (-1.0, 0))[0]:
                    expected[later] = (score, earlier)
        found = {
            later: (score, earlier) for later, earlier, score in near_duplicates(texts, threshold)
        }
        assert found.keys() == expected.keys(), threshold
        for later, (score, _earlier) in found.items():
            assert score == pytest.approx(expected[later][0])


def test_a_question_under_two_statements_is_a_warning_at_the_later_one(tmp_path: Path) -> None:
    lanterns = LANTERNS.replace(
        "      - Does the Minister want a lantern festival?\n",
        "      - Does the Minister want a lantern festival?\n"
        "      - will the canals of examplia stay open\n"
        "      - Does the minister want a Lantern Festival\n",
    )
    kb = write_kb(tmp_path, statements=CANALS_OPEN + lanterns)
    findings = kb.lint()
    first = kb.at(STATEMENTS, "- Will the canals of Examplia stay open?")
    assert where(findings) == [
        (*kb.at(STATEMENTS, "- will the canals of examplia stay open"), "warning")
    ]
    assert findings[0].message == (
        "question 'will the canals of examplia stay open' is also a question of statement "
        f"'quill-canals-open' ({first[0]}:{first[1]}); it can lead to only one of them"
    )


def test_unused_topic_and_speaker_are_warnings_at_their_definitions(tmp_path: Path) -> None:
    speakers = SPEAKERS + "  - id: cora-vane\n    name: Cora Vane\n"
    topics = TOPICS + "  - id: tolls\n    name: Tolls\n    aliases: [toll, fees]\n"
    kb = write_kb(tmp_path, speakers=speakers, topics=topics)
    findings = kb.lint()
    assert where(findings) == [
        (*kb.at("speakers.yaml", "- id: cora-vane"), "warning"),
        (*kb.at("topics.yaml", "- id: tolls"), "warning"),
    ]
    assert [f.message for f in findings] == [
        "speaker 'cora-vane' is not used by any statement",
        "topic 'tolls' is not used by any statement",
    ]


def test_a_speaker_who_only_relays_is_used(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    assert "bram-ledger" in (kb.root / "speakers.yaml").read_text()
    assert not [f for f in kb.lint() if "bram-ledger" in f.message]


def test_statement_without_topic_is_a_warning(tmp_path: Path) -> None:
    no_key = CANALS_OPEN.replace("    topics: [canal-policy]\n", "")
    empty = LANTERNS.replace("topics: [lantern-festival, canal-policy]", "topics: []")
    kb = write_kb(tmp_path, statements=no_key + empty)
    findings = [f for f in kb.lint() if "has no topic" in f.message]  # the topics are unused too
    assert where(findings) == [
        (*kb.at(STATEMENTS, "- id: quill-canals-open"), "warning"),
        (*kb.at(STATEMENTS, "topics: []"), "warning"),
    ]
    assert findings[0].message == "statement 'quill-canals-open' has no topic"


def test_alias_shared_by_two_topics_once_normalised_is_an_error(tmp_path: Path) -> None:
    topics = TOPICS + (
        "  - id: straits\n    name: Straits\n    aliases: [Cross-strait]\n"
        "  - id: ferries\n    name: Ferries\n    aliases: [ferry, cross strait]\n"
    )
    statements = CANALS_OPEN + LANTERNS.replace(
        "topics: [lantern-festival, canal-policy]",
        "topics: [lantern-festival, canal-policy, straits, ferries]",
    )
    kb = write_kb(tmp_path, topics=topics, statements=statements)
    assert kb.lint() == [
        LintFinding(
            *kb.at("topics.yaml", "- id: ferries"),
            "error",
            "topic 'ferries': name or alias 'cross strait' is also used by topic 'straits'",
        )
    ]


def test_quote_outside_quotation_marks_is_a_warning(tmp_path: Path) -> None:
    mislabelled = """\
  - id: quill-lantern-boats
    speaker: ada-quill
    date: 2024-03-01
    kind: quote
    text: the lantern boats would sail at dusk
    topics: [lantern-festival]
"""
    kb = write_kb(tmp_path, statements=CANALS_OPEN + LANTERNS + mislabelled)
    findings = kb.lint()
    assert where(findings) == [(*kb.at(STATEMENTS, "text: the lantern boats"), "warning")]
    assert findings[0].message == (
        f"quote 'quill-lantern-boats' is not inside quotation marks in sources/{SOURCE_ID}.txt; "
        "is it reported speech? (For a transcript or a speech, put form: transcript or "
        "form: speech in its source)"
    )


@pytest.mark.parametrize(
    ("source", "text", "quoted"),
    [
        (
            '"China\'s policy is stable, big country," Wang added.',
            "China's policy is stable, big country",
            True,
        ),
        ("“The canals stay open.” Quill said.", "The canals stay open.", True),
        (
            'She said: "We will, as always, keep the canals open," and left.',
            "keep the canals open",
            True,
        ),
        (
            '"First paragraph of it.\n\n"Second paragraph, still quoted.',
            "Second paragraph, still quoted",
            True,
        ),
        ('"Done," she said.\n\nThe canals stay open, she added.', "The canals stay open", False),
        ("The canals stay open, Quill said.", "The canals stay open", False),
        ("It is the 'canal year', Quill said.", "canal year", True),
    ],
)
def test_is_quoted(source: str, text: str, quoted: bool) -> None:
    assert is_quoted(source, text) is quoted


def test_stale_topic_is_a_warning_at_its_newest_statement(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    later = TODAY + dt.timedelta(days=800)
    findings = lint_knowledge(kb.root, today=later)
    assert where(findings) == [
        (*kb.at(STATEMENTS, "date: 2024-03-01", 1), "warning"),
        (*kb.at(STATEMENTS, "date: 2024-03-01", 2), "warning"),
    ]
    assert findings[0].message == (
        "'quill-canals-open' (2024-03-01, 892 days old) is the newest statement on topic "
        "'canal-policy': older than 730 days; look for a newer one"
    )
    assert "topic 'lantern-festival'" in findings[1].message
    assert lint_knowledge(kb.root, today=later, stale_days=900) == []


def test_an_old_statement_on_a_topic_with_a_newer_one_is_not_stale(tmp_path: Path) -> None:
    old = CANALS_OPEN.replace("date: 2024-03-01", "date: 2019-01-01")
    kb = write_kb(tmp_path, statements=old + LANTERNS)
    assert kb.lint(stale_days=365) == []


# ------------------------------------------------------------------------------ the command


def run_lint(root: Path, *extra: str) -> int:
    """``policybot lint`` from the knowledge folder's parent, so paths read knowledge/..."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root.parent)
        return main(["--knowledge", str(root), "lint", *extra])


@pytest.fixture
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.tools.lint.rules, "today", lambda: TODAY)


@pytest.mark.usefixtures("pinned_today")
def test_cli_warnings_pass_unless_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topics = TOPICS + "  - id: tolls\n    name: Tolls\n"
    kb = write_kb(tmp_path, topics=topics)
    line = kb.line("topics.yaml", "- id: tolls")
    assert run_lint(kb.root) == 0
    assert capsys.readouterr().out == (
        f"knowledge/topics.yaml:{line}: warning: topic 'tolls' is not used by any statement\n"
        "knowledge: 0 errors, 1 warning\n"
    )
    assert run_lint(kb.root, "--strict") == 1
    assert capsys.readouterr().out == (
        f"knowledge/topics.yaml:{line}: error: topic 'tolls' is not used by any statement\n"
        "knowledge: 1 error, 0 warnings\n"
    )


@pytest.mark.usefixtures("pinned_today")
def test_cli_errors_fail_and_findings_are_in_file_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = CANALS_OPEN + LANTERNS.replace("relayed_by: bram-ledger", "relayed_by: nobody")
    kb = write_kb(tmp_path, statements=broken.replace("speaker: ada-quill", "speaker: ghost", 1))
    assert run_lint(kb.root) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"knowledge/{STATEMENTS}:{kb.line(STATEMENTS, 'speaker: ghost')}: error: "
        "statement 'quill-canals-open': unknown speaker 'ghost'",
        f"knowledge/{STATEMENTS}:{kb.line(STATEMENTS, 'relayed_by: nobody')}: error: "
        "statement 'ledger-lantern-festival': unknown speaker 'nobody' in relayed_by",
        "knowledge: 2 errors, 0 warnings",
    ]


@pytest.mark.usefixtures("pinned_today")
def test_cli_options_reach_the_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = write_kb(tmp_path)
    assert run_lint(kb.root, "--strict", "--stale-days", "30") == 1
    assert "older than 30 days" in capsys.readouterr().out
    assert run_lint(kb.root, "--near-duplicate-threshold", "0") == 2
    assert "--near-duplicate-threshold takes 1-100" in capsys.readouterr().err


def test_bundled_knowledge_base_passes_strict(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pinned to a date when its newest statements are fresh: staleness is about the calendar,
    and this test is about the content."""
    monkeypatch.setattr(bot.tools.lint.rules, "today", lambda: dt.date(2025, 6, 1))
    assert run_lint(BUNDLED_KNOWLEDGE, "--strict") == 0
    assert capsys.readouterr().out == "knowledge: 0 errors, 0 warnings\n"
