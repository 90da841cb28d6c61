"""The one Answer structure every front end renders: console text, Telegram HTML, JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.knowledge.dates import Precision, date_words, precision_of
from bot.knowledge.models import Attributed, StatementKind


class Status(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked statement; ``signals`` holds the per-field scores that ``--explain`` prints."""

    item: Attributed
    score: float
    signals: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    status: Status
    matches: tuple[Match, ...] = ()
    suggestions: tuple[str, ...] = ()
    notice: str | None = None  # e.g. "your question was trimmed" or "nothing from X in 2019"
    explanation: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def answered(self) -> bool:
        return self.status is Status.FOUND and bool(self.matches)


KIND_LABELS = {
    StatementKind.QUOTE: "direct quote",
    StatementKind.REPORTED: "reported by {publisher}",
    StatementKind.POSITION: "summary by the knowledge base maintainers, not a quote",
}


def kind_label(item: Attributed) -> str:
    """How the text relates to the speaker's words; never lets a report pass for a quote."""
    return KIND_LABELS[item.statement.kind].format(publisher=item.source.publisher)


def speaker_line(item: Attributed) -> str:
    """'Xi Jinping (President …), as relayed by Wang Yi (Minister …)'."""
    who = item.speaker.name + (f" ({item.role})" if item.role else "")
    if item.relayed_by is not None:
        relayer = item.relayed_by.name + (f" ({item.relayer_role})" if item.relayer_role else "")
        who += f", as relayed by {relayer}"
    return who


def date_line(item: Attributed, words: Callable[[dt.date], str] = date_words) -> str:
    """The date said; for a relay, the relay date, and whether the original is dated at all.
    A date the source gives only to the month or the year reads "May 2023" or "2023";
    ``words`` writes a date (ISO days for plain text, "17 Dec 2024" where cards are)."""
    statement = item.statement
    said = words(statement.date)
    if item.relayed_by is None:
        return said
    relayer = item.relayed_by.name
    if statement.original_date is not None:
        original = words(statement.original_date)
        on = ("on " if precision_of(statement.date) is Precision.DAY else "in ") + words(
            statement.date
        )
        return f"{original} (relayed by {relayer} {on})"
    return (
        f"{said} (when {relayer} relayed it; the source does not date "
        f"{item.speaker.name}'s original remarks)"
    )


def source_line(item: Attributed) -> str:
    source = item.source
    return f"{source.publisher}, “{source.title}”, published {source.published.isoformat()}"


def to_json(answer: Answer) -> dict[str, Any]:
    """The documented ``ask --json`` contract; scripts and the evaluation depend on its shape."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "status": str(answer.status),
        "results": [_match_json(match) for match in answer.matches] if answer.answered else [],
        "suggestions": list(answer.suggestions),
        "notice": answer.notice,
    }


def _match_json(match: Match) -> dict[str, Any]:
    item = match.item
    statement = item.statement
    return {
        "id": statement.id,
        "kind": str(statement.kind),
        "text": statement.text,
        "speaker": {"id": item.speaker.id, "name": item.speaker.name, "role": item.role},
        "relayed_by": (
            {"id": item.relayed_by.id, "name": item.relayed_by.name, "role": item.relayer_role}
            if item.relayed_by
            else None
        ),
        "date": statement.date.isoformat(),
        "original_date": statement.original_date.isoformat() if statement.original_date else None,
        "topics": list(statement.topics),
        "source": {
            "id": item.source.id,
            "title": item.source.title,
            "publisher": item.source.publisher,
            "url": item.source.url,
            "published": item.source.published.isoformat(),
        },
        "context": statement.context,
        "score": round(match.score, 4),
    }
