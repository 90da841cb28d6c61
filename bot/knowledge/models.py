"""The knowledge base as frozen pydantic models.

Every model forbids unknown fields: a typo in a hand-edited YAML key (``alias:`` for
``aliases:``) must be an error with a line number, not a silently ignored field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bot.knowledge.dates import PartialDate, Precision, date_words, parse_day
from bot.knowledge.verbatim import quote_closes_after

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*[a-z0-9]$"
MIN_ID_LENGTH = 2
MAX_ID_LENGTH = 48  # keeps "s_<id>" deep links and callback data well inside Telegram's 64 bytes
URL_PATTERN = r"^https?://\S+$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$"
_CONTROL_CHARS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def _clean_text(value: str) -> str:
    """Reject text that would render as something other than what a maintainer sees."""
    if not value.strip():
        raise ValueError("must not be empty")
    if _CONTROL_CHARS.search(value):
        raise ValueError("contains control, zero-width or bidirectional characters")
    return value


Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=MIN_ID_LENGTH, max_length=MAX_ID_LENGTH)]
Text = Annotated[str, AfterValidator(_clean_text)]
Day = Annotated[dt.date, BeforeValidator(parse_day)]  # a full date: 2024-12-17


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class StatementKind(StrEnum):
    """How closely the text follows the speaker's own words."""

    QUOTE = "quote"  # the speaker's own words, verbatim
    REPORTED = "reported"  # a publication's account of what was said, verbatim from that report
    POSITION = "position"  # a maintainer's summary, always labelled as such


class SourceForm(StrEnum):
    """What kind of document a source is; it decides whether quotes sit in quotation marks."""

    ARTICLE = "article"  # a publication's report: the speaker's own words are in quotation marks
    TRANSCRIPT = "transcript"  # a record of spoken words (press conference, interview, hearing)
    SPEECH = "speech"  # the text of a speech or address, in the speaker's own words throughout
    STATEMENT = "statement"  # a written statement, communiqué or op-ed by the speakers themselves

    @property
    def marks_quotes(self) -> bool:
        """Whether the speaker's own words are set off by quotation marks in this form."""
        return self is SourceForm.ARTICLE


class Role(_Frozen):
    """A title held over a period; open ends mean "not known" or "still held"."""

    title: Text
    start: Day | None = Field(default=None, alias="from")
    end: Day | None = Field(default=None, alias="until")

    model_config = ConfigDict(populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> Role:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"role ends ({self.end}) before it starts ({self.start})")
        return self

    def held_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Speaker(_Frozen):
    id: Id
    name: Text
    native_name: Text | None = None
    country: Text | None = None  # whose policy they speak for: "China's position on …"
    aliases: tuple[Text, ...] = ()
    roles: tuple[Role, ...] = ()

    def role_on(self, day: dt.date | None) -> str | None:
        """The title held on ``day``; the most recent one is never guessed for an unknown date."""
        if day is None:
            return None
        held = [role for role in self.roles if role.held_on(day)]
        return "; ".join(role.title for role in held) or None

    @property
    def names(self) -> tuple[str, ...]:
        native = (self.native_name,) if self.native_name else ()
        return (self.name, *native, *self.aliases)


class Topic(_Frozen):
    id: Id
    name: Text
    aliases: tuple[Text, ...] = ()
    description: Text | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class Source(_Frozen):
    id: Id
    title: Text
    publisher: Text
    url: Annotated[str, Field(pattern=URL_PATTERN)] | None = None
    published: Day
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN)] = "en"
    form: SourceForm = SourceForm.ARTICLE


class Statement(_Frozen):
    id: Id
    speaker: Id
    relayed_by: Id | None = None
    date: PartialDate  # a day, or a month or year when the source gives no day
    original_date: PartialDate | None = None
    kind: StatementKind
    text: Text
    topics: tuple[Id, ...] = ()
    questions: tuple[Text, ...] = ()
    context: Text | None = None
    source_id: str = Field(default="", repr=False)  # set by the loader from the file's source

    @model_validator(mode="after")
    def _consistent(self) -> Statement:
        problems: list[str] = []
        if self.relayed_by is not None and self.relayed_by == self.speaker:
            problems.append("relayed_by names the speaker themself; leave it out")
        if self.original_date is not None:
            if self.relayed_by is None:
                problems.append(
                    "original_date only applies to relayed statements (those with relayed_by)"
                )
            elif self.original_date > self.date.end:
                problems.append(
                    f"original_date {self.original_date} is after the date it was relayed "
                    f"({self.date})"
                )
        repeated = sorted({t for t in self.topics if self.topics.count(t) > 1})
        if repeated:
            problems.append(f"topics lists {', '.join(map(repr, repeated))} more than once")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def date_precision(self) -> Precision:
        """``day``, or ``month`` / ``year`` when the source gives no day (``date: 2023-05``)."""
        return self.date.precision

    @property
    def original_date_precision(self) -> Precision | None:
        return self.original_date.precision if self.original_date is not None else None

    @property
    def date_text(self) -> str:
        """The date as plain text shows it: 2024-12-17, or "May 2023" / "2023" when partial."""
        return date_words(self.date)


class SpeakersFile(_Frozen):
    speakers: tuple[Speaker, ...]


class TopicsFile(_Frozen):
    topics: tuple[Topic, ...]


class AliasesFile(_Frozen):
    """Maintainers' synonym tables: every listed phrase is read as its canonical term."""

    aliases: dict[Text, tuple[Text, ...]] = {}
    stopwords: tuple[Text, ...] = ()


class StatementsFile(_Frozen):
    """One source document and the statements taken from it."""

    source: Source
    statements: tuple[Statement, ...] = ()


class KnowledgeFile(_Frozen):
    """Any ``*.yaml`` file under ``knowledge/``; every section is optional, so tables can be split.

    A file with ``statements`` must also carry their ``source``: one file per source document.
    """

    speakers: tuple[Speaker, ...] = ()
    topics: tuple[Topic, ...] = ()
    aliases: dict[Text, tuple[Text, ...]] = {}
    stopwords: tuple[Text, ...] = ()
    source: Source | None = None
    statements: tuple[Statement, ...] = ()

    @model_validator(mode="after")
    def _statements_have_source(self) -> KnowledgeFile:
        if self.statements and self.source is None:
            raise ValueError("a file with statements must also have its source block")
        return self


@dataclass(frozen=True, slots=True)
class Attributed:
    """A statement with everything needed to show it honestly: who, in what role, where from."""

    statement: Statement
    speaker: Speaker
    role: str | None
    relayed_by: Speaker | None
    relayer_role: str | None
    source: Source
    quote_ends: bool = False  # a direct quote whose speaker's words end where its text ends


@dataclass(frozen=True)
class KnowledgeBase:
    """A validated, immutable knowledge base; a reload builds a new one and swaps the reference."""

    speakers: Mapping[str, Speaker]
    topics: Mapping[str, Topic]
    sources: Mapping[str, Source]
    statements: tuple[Statement, ...]  # newest first, ties by id, so listings are stable
    aliases: Mapping[str, tuple[str, ...]]
    stopwords: frozenset[str]
    source_texts: Mapping[str, str]
    content_hash: str
    loaded_at: dt.datetime
    directory: str
    by_id: Mapping[str, Statement] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.by_id:
            object.__setattr__(self, "by_id", {s.id: s for s in self.statements})

    def attributed(self, statement: Statement) -> Attributed:
        speaker = self.speakers[statement.speaker]
        relayer = self.speakers[statement.relayed_by] if statement.relayed_by else None
        return Attributed(
            statement=statement,
            speaker=speaker,
            role=speaker.role_on(statement.original_date or statement.date),
            relayed_by=relayer,
            relayer_role=relayer.role_on(statement.date) if relayer else None,
            source=self.sources[statement.source_id],
            quote_ends=statement.kind is StatementKind.QUOTE
            and quote_closes_after(self.source_texts.get(statement.source_id, ""), statement.text),
        )

    @property
    def newest_date(self) -> dt.date | None:
        return self.statements[0].date if self.statements else None

    def summary(self) -> str:
        counts = (
            (self.statements, "statement"),
            (self.speakers, "speaker"),
            (self.topics, "topic"),
            (self.sources, "source"),
        )
        return ", ".join(_plural(len(items), noun) for items, noun in counts)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
