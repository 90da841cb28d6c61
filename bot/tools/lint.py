"""`policybot lint`: what a reviewer would catch, beyond "would the bot load this".

``validate`` answers one question (does the knowledge base load?) and its answer gates the bot.
Lint reports what loads fine but makes answers worse or less honest: copies of one statement,
questions that lead to two places, names nobody uses, a "quote" the article never put in
quotation marks, a topic whose newest word is years old. Those are judgement calls, so most of
them are warnings; ``--strict`` turns them into errors for CI.

Every finding points at ``path:line`` in the YAML as the maintainer wrote it: the knowledge base
is loaded once through the real loader (so lint never disagrees with ``validate`` about what
the data means) and each file is read a second time with
:func:`bot.knowledge.yamlsafe.load_yaml` only to recover line numbers.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz

from bot.knowledge.loader import (
    DEFAULT_MAX_FILE_BYTES,
    SOURCE_TEXT_DIR,
    KnowledgeError,
    knowledge_files,
    load_knowledge,
    read_text,
)
from bot.knowledge.models import KnowledgeBase, Statement, StatementKind
from bot.knowledge.yamlsafe import LineDict, LineList, load_yaml
from bot.search.text import normalize, tokens

logger = logging.getLogger(__name__)

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

DEFAULT_NEAR_DUPLICATE_THRESHOLD = 90
DEFAULT_STALE_DAYS = 730

OPENING_QUOTES = frozenset("\"“„«「『'‘")
CLOSING_QUOTES = frozenset("\"”»」』'’")
DOUBLE_QUOTES = frozenset('"“”„«»「」『』')  # single quotes double as apostrophes: not counted
QUOTE_REACH = 3  # a quote mark may sit this many characters from the text (`big country,"`)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True, slots=True, order=True)
class LintFinding:
    """One finding; fields are ordered so that sorting gives file order."""

    path: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass
class _Where:
    """The lines of everything lint may point at, read from the YAML as written."""

    statements: dict[str, tuple[str, LineDict]] = field(default_factory=dict)
    speakers: dict[str, tuple[str, LineDict]] = field(default_factory=dict)
    topics: dict[str, tuple[str, LineDict]] = field(default_factory=dict)

    def statement_line(self, statement_id: str, key: str | None = None) -> tuple[str, int]:
        path, entry = self.statements[statement_id]
        return path, entry.key_lines.get(key, entry.line) if key else entry.line


def lint_knowledge(
    directory: Path | str,
    *,
    near_duplicate_threshold: int = DEFAULT_NEAR_DUPLICATE_THRESHOLD,
    stale_days: int = DEFAULT_STALE_DAYS,
    today: dt.date | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> list[LintFinding]:
    """Every finding for ``directory``, in file order.

    A knowledge base that does not load gets its loader problems as errors and nothing else:
    the other rules need the loaded data, and the fix for a load error comes first anyway.
    """
    directory = Path(directory)
    try:
        kb = load_knowledge(directory, max_file_bytes=max_file_bytes)
    except KnowledgeError as exc:
        return sorted(LintFinding(p.path, p.line, ERROR, p.message) for p in exc.problems)
    where = _locate(directory, max_file_bytes)
    today = today or _today()
    rules: list[Callable[[], Iterable[LintFinding]]] = [
        lambda: _verbatim(kb, where),
        lambda: _near_duplicates(kb, where, near_duplicate_threshold),
        lambda: _duplicate_questions(kb, where),
        lambda: _unused(kb, where),
        lambda: _untagged(kb, where),
        lambda: _shared_names(where),
        lambda: _unquoted_quotes(kb, where),
        lambda: _stale(kb, where, stale_days, today),
    ]
    return sorted(finding for rule in rules for finding in rule())


def strict(findings: Iterable[LintFinding]) -> list[LintFinding]:
    """For CI: a warning nobody is allowed to ignore is an error."""
    return [LintFinding(f.path, f.line, ERROR, f.message) for f in findings]


def summary(findings: Iterable[LintFinding]) -> str:
    counts = Counter(f.severity for f in findings)
    return f"{counts[ERROR]} error(s), {counts[WARNING]} warning(s)"


def _today() -> dt.date:
    """The clock, in one place so tests can stop it."""
    return dt.date.today()


def _shown(directory: Path, path: Path) -> str:
    """The path exactly as the loader prints it, so lint and validate lines look alike."""
    return str(Path(directory.name) / path.relative_to(directory))


def _locate(directory: Path, max_file_bytes: int) -> _Where:
    where = _Where()
    paths, _ = knowledge_files(directory)
    for path in paths:
        if path.suffix == ".txt":
            continue
        shown = _shown(directory, path)
        text, _ = read_text(path, shown, max_file_bytes)
        raw = load_yaml(text) if text is not None else None
        if not isinstance(raw, LineDict):  # cannot happen once the knowledge base has loaded
            continue
        for section, table in (
            ("statements", where.statements),
            ("speakers", where.speakers),
            ("topics", where.topics),
        ):
            items = raw.get(section)
            if isinstance(items, LineList):
                for item in items:
                    if isinstance(item, LineDict) and isinstance(item.get("id"), str):
                        table.setdefault(item["id"], (shown, item))
    return where


def _in_file_order(kb: KnowledgeBase, where: _Where) -> list[Statement]:
    """Statements as a maintainer reads them, so "the later one" means the one added after."""
    return sorted(kb.statements, key=lambda s: where.statement_line(s.id))


# ------------------------------------------------------------------------------ the rules


def _verbatim(kb: KnowledgeBase, where: _Where) -> Iterator[LintFinding]:
    """Anything presented as someone's words must be findable in the stored source text.

    The loader enforces this for the kinds it knows are verbatim; lint states the rule on its
    own (every kind except ``position``, which is a labelled summary) so that it keeps holding
    if the loader ever exempts a kind, e.g. for sources stored in another language.
    """
    for statement in kb.statements:
        stored = kb.source_texts.get(statement.source_id)
        if stored is None or statement.kind is StatementKind.POSITION:
            continue
        if statement.text not in stored:
            path, line = where.statement_line(statement.id, "text")
            yield LintFinding(
                path,
                line,
                ERROR,
                f"text of {statement.kind} {statement.id!r} is not found verbatim in "
                f"{SOURCE_TEXT_DIR}/{statement.source_id}.txt",
            )


def _words(text: str) -> list[str]:
    return tokens(normalize(text))


def _near_duplicates(kb: KnowledgeBase, where: _Where, threshold: int) -> Iterator[LintFinding]:
    """Two statements sharing nearly all their words are usually one statement entered twice."""
    ordered = _in_file_order(kb, where)
    for later, earlier, score in near_duplicates([s.text for s in ordered], threshold):
        statement, other = ordered[later], ordered[earlier]
        path, line = where.statement_line(statement.id)
        other_path, other_line = where.statement_line(other.id)
        yield LintFinding(
            path,
            line,
            WARNING,
            f"statement {statement.id!r} is a near-duplicate of {other.id!r} "
            f"({other_path}:{other_line}; {score:.0f}% of words shared)",
        )


def near_duplicates(texts: Sequence[str], threshold: int) -> list[tuple[int, int, float]]:
    """``(later, earlier, score)`` for each text that has an earlier near-duplicate (the
    closest one), scores 0-100.

    The score is ``fuzz.ratio`` over each text's *sorted* list of normalised words: for sorted
    sequences the longest common subsequence is the shared multiset of words, so the score is
    the Dice share of words in common, indifferent to word order and punctuation. That
    exactness is what lets prefix filtering skip almost every pair without missing any: 10,000
    statements take about a second, where scoring all 50 million pairs with ``cdist`` takes
    minutes on a small machine.
    """
    bags = [sorted(_words(text)) for text in texts]
    best: dict[int, tuple[float, int]] = {}
    for i, j in _candidate_pairs(bags, threshold / 100.0):
        score = fuzz.ratio(bags[i], bags[j], processor=None, score_cutoff=threshold)
        if not score:
            continue
        later, earlier = max(i, j), min(i, j)
        current = best.get(later)
        if current is None or (score, -earlier) > (current[0], -current[1]):
            best[later] = (score, earlier)
    return sorted((later, earlier, score) for later, (score, earlier) in best.items())


def _candidate_pairs(bags: list[list[str]], threshold: float) -> set[tuple[int, int]]:
    """Pairs that can reach ``threshold`` (prefix filtering, as in the AllPairs algorithm).

    Two word multisets with Dice share ``t`` must have ``o >= t / (2 - t) * len`` words in
    common for each of them; so once each bag's words are ordered rarest first, any such pair
    shares at least one word among the first ``len - o + 1`` of either bag. Only those rare
    "prefix" words are indexed, and the length filter drops pairs too different in size.
    """
    if threshold <= 0:
        return {(i, j) for i in range(len(bags)) for j in range(i)}
    items = [
        [(word, n) for word, count in Counter(bag).items() for n in range(count)] for bag in bags
    ]
    frequency = Counter(item for bag in items for item in bag)
    ratio = threshold / (2.0 - threshold)
    index: dict[tuple[str, int], list[int]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    by_length = sorted(range(len(items)), key=lambda i: len(items[i]))
    for i in by_length:
        bag = sorted(items[i], key=lambda item: (frequency[item], item))
        size = len(bag)
        if not size:
            continue
        needed = max(1, math.ceil(ratio * size - 1e-9))  # forgive float noise in t/(2-t)*n
        prefix = bag[: size - needed + 1]
        shortest = ratio * size
        for item in prefix:
            for j in index[item]:
                if len(items[j]) >= shortest - 1e-9:
                    pairs.add((i, j) if i > j else (j, i))
            index[item].append(i)
    return pairs


def _question_key(question: str) -> str:
    return " ".join(_words(question))


def _duplicate_questions(kb: KnowledgeBase, where: _Where) -> Iterator[LintFinding]:
    """One question listed under two statements makes them tie, and the answer a coin toss."""
    first: dict[str, tuple[str, str, int]] = {}
    for statement in _in_file_order(kb, where):
        path, entry = where.statements[statement.id]
        questions = entry.get("questions")
        for index, question in enumerate(statement.questions):
            key = _question_key(question)
            if not key:
                continue
            line = (
                questions.item_lines[index]
                if isinstance(questions, LineList) and index < len(questions.item_lines)
                else entry.key_lines.get("questions", entry.line)
            )
            owner = first.setdefault(key, (statement.id, path, line))
            if owner[0] != statement.id:
                yield LintFinding(
                    path,
                    line,
                    WARNING,
                    f"question {question!r} is also a question of statement {owner[0]!r} "
                    f"({owner[1]}:{owner[2]}); it can lead to only one of them",
                )


def _unused(kb: KnowledgeBase, where: _Where) -> Iterator[LintFinding]:
    """A speaker or topic with no statement makes the bot look as if it knows more than it does."""
    speakers = {s.speaker for s in kb.statements} | {
        s.relayed_by for s in kb.statements if s.relayed_by
    }
    topics = {t for s in kb.statements for t in s.topics}
    for kind, defined, used in (
        ("speaker", where.speakers, speakers),
        ("topic", where.topics, topics),
    ):
        for item_id, (path, entry) in defined.items():
            if item_id not in used:
                yield LintFinding(
                    path, entry.line, WARNING, f"{kind} {item_id!r} is not used by any statement"
                )


def _untagged(kb: KnowledgeBase, where: _Where) -> Iterator[LintFinding]:
    """Without a topic a statement is missing from topic listings and from topic questions."""
    for statement in kb.statements:
        if not statement.topics:
            path, line = where.statement_line(statement.id, "topics")
            yield LintFinding(path, line, WARNING, f"statement {statement.id!r} has no topic")


def _shared_names(where: _Where) -> Iterator[LintFinding]:
    """Names that read the same once normalised ("Cross-strait", "cross strait") are one name.

    Questions are matched on normalised words, so such a pair is as ambiguous as an exact
    duplicate, which the loader already refuses; lint applies the same rule to the normalised
    form, for speakers as well as topics.
    """
    for kind, defined in (("speaker", where.speakers), ("topic", where.topics)):
        owner: dict[str, tuple[str, str, str, int]] = {}
        for item_id, (path, entry) in defined.items():
            for name, line in _names_with_lines(entry):
                key = " ".join(_words(name))
                if not key:
                    continue
                other = owner.setdefault(key, (item_id, name, path, line))
                if other[0] != item_id:
                    yield LintFinding(
                        path,
                        line,
                        ERROR,
                        f"{kind} name or alias {name!r} reads the same as {other[1]!r} of "
                        f"{kind} {other[0]!r} ({other[2]}:{other[3]})",
                    )


def _names_with_lines(entry: LineDict) -> Iterator[tuple[str, int]]:
    for key in ("name", "native_name"):
        if isinstance(entry.get(key), str):
            yield entry[key], entry.key_lines[key]
    aliases = entry.get("aliases")
    if isinstance(aliases, LineList):
        for alias, line in zip(aliases, aliases.item_lines, strict=True):
            if isinstance(alias, str):
                yield alias, line


def _unquoted_quotes(kb: KnowledgeBase, where: _Where) -> Iterator[LintFinding]:
    """A ``quote`` the source never put in quotation marks is probably reported speech."""
    for statement in kb.statements:
        stored = kb.source_texts.get(statement.source_id)
        if statement.kind is not StatementKind.QUOTE or stored is None:
            continue
        if statement.text not in stored:
            continue  # the verbatim rule has already said so
        if not is_quoted(stored, statement.text):
            path, line = where.statement_line(statement.id, "text")
            yield LintFinding(
                path,
                line,
                WARNING,
                f"quote {statement.id!r} is not inside quotation marks in "
                f"{SOURCE_TEXT_DIR}/{statement.source_id}.txt; is it reported speech?",
            )


def is_quoted(source: str, text: str) -> bool:
    """Whether some occurrence of ``text`` in ``source`` sits inside quotation marks.

    Either a quote mark is within a few characters of each end (``"China's … big country,"``:
    the closing mark follows a comma), or the occurrence starts after an odd number of double
    quote marks in its paragraph, which covers a quotation taken from the middle of a longer
    one and the later paragraphs of a quotation running over several (each of which, by news
    convention, opens with a quote mark and leaves the previous one unclosed).
    """
    if text[:1] in OPENING_QUOTES and text[-1:] in CLOSING_QUOTES:
        return True
    start = source.find(text)
    while start != -1:
        end = start + len(text)
        before = source[max(0, start - QUOTE_REACH) : start]
        after = source[end : end + QUOTE_REACH]
        if (any(c in OPENING_QUOTES for c in before) or text[0] in OPENING_QUOTES) and (
            any(c in CLOSING_QUOTES for c in after) or text[-1] in CLOSING_QUOTES
        ):
            return True
        breaks = list(_PARAGRAPH_BREAK.finditer(source, 0, start))
        paragraph_start = breaks[-1].end() if breaks else 0
        if sum(c in DOUBLE_QUOTES for c in source[paragraph_start:start]) % 2 == 1:
            return True
        start = source.find(text, start + 1)
    return False


def _stale(
    kb: KnowledgeBase, where: _Where, stale_days: int, today: dt.date
) -> Iterator[LintFinding]:
    """A topic whose newest statement is old may be answered with a position since changed.

    One warning per statement that is the newest on some stale topic (the first in file order
    when several share the date), listing those topics, at its ``date:`` line.
    """
    cutoff = today - dt.timedelta(days=stale_days)
    newest: dict[str, Statement] = {}
    for statement in _in_file_order(kb, where):
        for topic in statement.topics:
            held = newest.get(topic)
            if held is None or statement.date > held.date:
                newest[topic] = statement
    stale: dict[str, list[str]] = defaultdict(list)
    for topic, statement in newest.items():
        if statement.date < cutoff:
            stale[statement.id].append(topic)
    for statement_id, topics in stale.items():
        statement = kb.by_id[statement_id]
        path, line = where.statement_line(statement_id, "date")
        age = (today - statement.date).days
        names = ", ".join(repr(t) for t in topics)
        yield LintFinding(
            path,
            line,
            WARNING,
            f"{statement_id!r} ({statement.date}, {age} days old) is the newest statement on "
            f"{'topic' if len(topics) == 1 else 'topics'} {names}: older than {stale_days} "
            "days; look for a newer one",
        )
