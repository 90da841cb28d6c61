"""The lint rules that need the loaded knowledge base: near-duplicates, duplicate questions,
unused names, statements without a topic, and staleness."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from bot.knowledge.dates import period_end
from bot.knowledge.models import KnowledgeBase, Statement
from bot.knowledge.yamlsafe import LineList
from bot.tools.lint.duplicates import near_duplicates, words
from bot.tools.lint.findings import WARNING, LintFinding
from bot.tools.lint.where import Where, in_file_order


def today() -> dt.date:
    """The clock, in one place so tests can stop it."""
    return dt.date.today()


# ------------------------------------------------------------------------------ the rules


def near_duplicate_statements(
    kb: KnowledgeBase, where: Where, threshold: int
) -> Iterator[LintFinding]:
    """Two statements sharing nearly all their words are usually one statement entered twice."""
    ordered = in_file_order(kb, where)
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


def _question_key(question: str) -> str:
    return " ".join(words(question))


def duplicate_questions(kb: KnowledgeBase, where: Where) -> Iterator[LintFinding]:
    """One question listed under two statements makes them tie, and the answer a coin toss."""
    first: dict[str, tuple[str, str, int]] = {}
    for statement in in_file_order(kb, where):
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


def unused(kb: KnowledgeBase, where: Where) -> Iterator[LintFinding]:
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


def untagged(kb: KnowledgeBase, where: Where) -> Iterator[LintFinding]:
    """Without a topic a statement is missing from topic listings and from topic questions."""
    for statement in kb.statements:
        if not statement.topics:
            path, line = where.statement_line(statement.id, "topics")
            yield LintFinding(path, line, WARNING, f"statement {statement.id!r} has no topic")


def stale(
    kb: KnowledgeBase, where: Where, stale_days: int, today: dt.date
) -> Iterator[LintFinding]:
    """A topic whose newest statement is old may be answered with a position since changed.

    One warning per statement that is the newest on some stale topic (the first in file order
    when several share the date), listing those topics, at its ``date:`` line.
    """
    cutoff = today - dt.timedelta(days=stale_days)
    newest: dict[str, Statement] = {}
    for statement in in_file_order(kb, where):
        for topic in statement.topics:
            held = newest.get(topic)
            if held is None or statement.date > held.date:
                newest[topic] = statement
    stale: dict[str, list[str]] = defaultdict(list)
    for topic, statement in newest.items():
        if period_end(statement.date) < cutoff:
            stale[statement.id].append(topic)
    for statement_id, topics in stale.items():
        statement = kb.by_id[statement_id]
        path, line = where.statement_line(statement_id, "date")
        age = (today - period_end(statement.date)).days
        names = ", ".join(repr(t) for t in topics)
        yield LintFinding(
            path,
            line,
            WARNING,
            f"{statement_id!r} ({statement.date}, {age} days old) is the newest statement on "
            f"{'topic' if len(topics) == 1 else 'topics'} {names}: older than {stale_days} "
            "days; look for a newer one",
        )
