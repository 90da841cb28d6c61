"""Rules that need the whole knowledge base: duplicate ids across files, references, dates
against the source, verbatim text, and names that two speakers or topics share."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from bot.knowledge.files import SOURCE_TEXT_DIR
from bot.knowledge.models import Source, Speaker, Statement, StatementKind, Topic
from bot.knowledge.problems import Problem
from bot.knowledge.yamlsafe import LineDict, line_of
from bot.normalize import normalize, tokens


class Registry:
    """Collects ids across files and reports a duplicate at both places."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.items: dict[str, Any] = {}
        self.where: dict[str, tuple[str, int]] = {}

    def add(self, item_id: str, item: Any, path: str, line: int, problems: list[Problem]) -> None:
        if item_id in self.items:
            first_path, first_line = self.where[item_id]
            problems.append(
                Problem(
                    path,
                    line,
                    f"duplicate {self.kind} id {item_id!r} "
                    f"(first defined at {first_path}:{first_line})",
                )
            )
            return
        self.items[item_id] = item
        self.where[item_id] = (path, line)


def check_statement(
    statement: Statement,
    source: Source | None,
    speakers: Set[str],
    topics: Set[str],
    source_texts: dict[str, str],
    path: str,
    entry: LineDict,
) -> list[Problem]:
    """Rules needing the whole knowledge base: references, dates against the source, verbatim."""
    problems: list[Problem] = []

    def at(key: str) -> int:
        return entry.key_lines.get(key, entry.line)

    for key in ("speaker", "relayed_by"):
        ref = getattr(statement, key)
        if ref is not None and ref not in speakers:
            problems.append(Problem(path, at(key), f"{key}: unknown speaker {ref!r}"))
    for index, topic in enumerate(statement.topics):
        if topic not in topics:
            line = line_of(entry, ("topics", index)) or at("topics")
            problems.append(Problem(path, line, f"topics: unknown topic {topic!r}"))
    if source is None:
        return problems
    if statement.date > source.published:
        problems.append(
            Problem(
                path,
                at("date"),
                f"date {statement.date} is after its source was published ({source.published})",
            )
        )
    stored = source_texts.get(source.id)
    verbatim = statement.kind is not StatementKind.POSITION
    if stored is not None and verbatim and statement.text not in stored:
        problems.append(
            Problem(
                path,
                at("text"),
                f"text of a {statement.kind} is not found "
                f"verbatim in {SOURCE_TEXT_DIR}/{source.id}.txt",
            )
        )
    return problems


def check_names(
    speakers: dict[str, Speaker],
    topics: dict[str, Topic],
    speaker_where: dict[str, tuple[str, int]],
    topic_where: dict[str, tuple[str, int]],
) -> list[Problem]:
    """A name or alias that means two speakers (or two topics) would make answers ambiguous."""
    problems: list[Problem] = []
    for kind, items, where in (
        ("speaker", speakers, speaker_where),
        ("topic", topics, topic_where),
    ):
        owner: dict[str, str] = {}
        for item_id, item in items.items():
            for name in item.names:
                key = " ".join(tokens(normalize(name)))  # as the search index sees it
                other = owner.setdefault(key, item_id)
                if other != item_id:
                    path, line = where[item_id]
                    problems.append(
                        Problem(
                            path,
                            line,
                            f"{kind} name or alias {name!r} is also used by {kind} {other!r}",
                        )
                    )
    return problems
