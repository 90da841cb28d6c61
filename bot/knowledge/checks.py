"""Rules that need the whole knowledge base: duplicate ids across files, references, dates
against the source, verbatim text, and names that two speakers or topics share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.knowledge.entries import Written
from bot.knowledge.files import SOURCE_TEXT_DIR
from bot.knowledge.messages import did_you_mean
from bot.knowledge.models import Source, Speaker, StatementKind, Topic
from bot.knowledge.problems import Problem
from bot.knowledge.verbatim import mismatch
from bot.knowledge.yamlsafe import line_of
from bot.normalize import normalize, tokens


class Registry:
    """Collects ids across files and reports a duplicate at both places."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.items: dict[str, Any] = {}
        self.where: dict[str, tuple[str, int]] = {}

    def add(self, item_id: str, item: Any, path: str, line: int, problems: list[Problem]) -> bool:
        """Register ``item``; a second definition of its id is a problem (and not kept)."""
        if item_id in self.where:
            first_path, first_line = self.where[item_id]
            problems.append(
                Problem(
                    path,
                    line,
                    f"duplicate {self.kind} id {item_id!r} "
                    f"(first defined at {first_path}:{first_line})",
                )
            )
            return False
        self.items[item_id] = item
        self.where[item_id] = (path, line)
        return True


@dataclass(frozen=True)
class Known:
    """What references may name: ids, and for "did you mean", names and aliases as well."""

    speakers: Mapping[str, str]  # id, name or alias -> id
    topics: Mapping[str, str]
    speaker_ids: frozenset[str]  # broken entries' ids included: they are reported already
    topic_ids: frozenset[str]

    @classmethod
    def of(
        cls,
        speakers: Mapping[str, Speaker],
        topics: Mapping[str, Topic],
        declared: set[tuple[str, str]],
    ) -> Known:
        """``declared``: ``(kind, id)`` of entries that failed validation ("speaker", "topic",
        or "" from a file that did not parse), so references to them are not reported too."""

        def table(items: Mapping[str, Speaker] | Mapping[str, Topic], kind: str) -> dict[str, str]:
            names = {name: item_id for item_id, item in items.items() for name in item.names}
            broken = {item_id: item_id for k, item_id in declared if k in (kind, "")}
            return {**names, **broken, **{item_id: item_id for item_id in items}}

        speaker_table, topic_table = table(speakers, "speaker"), table(topics, "topic")
        return cls(
            speaker_table,
            topic_table,
            frozenset(speaker_table.values()),
            frozenset(topic_table.values()),
        )


def check_statement(
    written: Written,
    source: Source | None,
    known: Known,
    source_texts: Mapping[str, str],
    path: str,
) -> list[Problem]:
    """References, the date against the source, and the text against the stored source, for
    whichever of them the statement has valid values."""
    entry, label = written.entry, written.label

    def at(key: str) -> int:
        return entry.key_lines.get(key, entry.line) if hasattr(entry, "key_lines") else 1

    problems: list[Problem] = []
    for key in ("speaker", "relayed_by"):
        ref = written.get(key)
        if isinstance(ref, str) and ref not in known.speaker_ids:
            where = "" if key == "speaker" else f" in {key}"
            hint = did_you_mean(ref, known.speakers)
            problems.append(
                Problem(path, at(key), f"{label}: unknown speaker {ref!r}{where}{hint}")
            )
    for index, topic in enumerate(written.get("topics") or ()):
        if topic not in known.topic_ids:
            line = line_of(entry, ("topics", index)) or at("topics")
            hint = did_you_mean(topic, known.topics)
            problems.append(Problem(path, line, f"{label}: unknown topic {topic!r}{hint}"))
    date = written.get("date")
    if source is not None and isinstance(date, dt.date) and date > source.published:
        problems.append(
            Problem(
                path,
                at("date"),
                f"{label}: date {date} is after its source was published ({source.published})",
            )
        )
    problems += _verbatim(written, source_texts, path, at("text"))
    return problems


def _verbatim(
    written: Written, source_texts: Mapping[str, str], path: str, line: int
) -> list[Problem]:
    kind, text, source_id = written.get("kind"), written.get("text"), written.get("source_id")
    stored = source_texts.get(source_id) if isinstance(source_id, str) else None
    if stored is None or text is None or kind not in (StatementKind.QUOTE, StatementKind.REPORTED):
        return []
    where = mismatch(stored, text)
    if where is None:
        return []
    return [
        Problem(
            path,
            line,
            f"{written.label}: text is not verbatim in {SOURCE_TEXT_DIR}/{source_id}.txt: {where}",
        )
    ]


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
                            f"{kind} {item_id!r}: name or alias {name!r} is also used by "
                            f"{kind} {other!r}",
                        )
                    )
    return problems
