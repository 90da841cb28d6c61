"""Statement dates as precise as the source: a day (``2024-12-17``), a month (``2024-12``) or
a year (``2024``).

Sources often give only "in May 2023". A :class:`PartialDate` is a ``datetime.date`` (its first
day), so sorting, comparing and the search filters keep working on it, and it remembers what
was written: ``str()`` and ``isoformat()`` give ``2023-05``, :attr:`PartialDate.end` the last
day of the period, and :func:`human_date` the words an answer shows ("May 2023").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

MIN_YEAR, MAX_YEAR = 1000, 9999
MONTH_ABBREVIATIONS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
DATE_EXAMPLE = "2024-12-17 (or 2024-12, or 2024, when the source gives no day)"
_WRITTEN = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class PartialDate(dt.date):
    """A day, a month or a year; compares as its first day, and knows its last."""

    __slots__ = ("precision",)
    precision: Precision

    def __new__(
        cls, year: int, month: int = 1, day: int = 1, precision: Precision = Precision.DAY
    ) -> PartialDate:
        self = super().__new__(cls, year, month, day)
        self.precision = Precision(precision)
        return self

    @classmethod
    def of(cls, value: dt.date) -> PartialDate:
        """A day as a PartialDate (a PartialDate stays what it is)."""
        if isinstance(value, PartialDate):
            return value
        return cls(value.year, value.month, value.day)

    @property
    def end(self) -> dt.date:
        """The last day the date may mean (itself, for a day)."""
        if self.precision is Precision.YEAR:
            return dt.date(self.year, 12, 31)
        if self.precision is Precision.MONTH:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, self.month, self.day)

    @property
    def partial(self) -> bool:
        return self.precision is not Precision.DAY

    def isoformat(self) -> str:
        if self.precision is Precision.YEAR:
            return f"{self.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        return super().isoformat()

    def __str__(self) -> str:
        return self.isoformat()

    def __repr__(self) -> str:
        return f"PartialDate({self.isoformat()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.year, self.month, self.day, self.precision))

    # ------------------------------------------------------------------ pydantic

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            parse_date,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda value: value.isoformat(), when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": _WRITTEN.pattern, "format": "partial-date"}


def parse_date(value: object) -> PartialDate:
    """A statement date as YAML gives it: a date, ``2024-12`` (text), or ``2024`` (a number)."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"must be written like {DATE_EXAMPLE}, without a time of day")
    if isinstance(value, dt.date):
        return PartialDate.of(value)
    match = _WRITTEN.match(str(value).strip()) if isinstance(value, int | str) else None
    if match is None or isinstance(value, bool):
        raise ValueError(f"must be written like {DATE_EXAMPLE}, not {_shown(value)}")
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is out of range")
    month, day = match["month"], match["day"]
    try:
        if day is not None:
            return PartialDate(year, int(month), int(day))
        if month is not None:
            return PartialDate(year, int(month), 1, Precision.MONTH)
        return PartialDate(year, 1, 1, Precision.YEAR)
    except ValueError as exc:  # 2024-13 or 2024-02-30
        raise ValueError(f"{value} is not a real date: {exc}") from None


def parse_day(value: object) -> object:
    """A full date (a role's start, a publication date) in the same words as statement dates;
    anything that is not even text is left to pydantic to refuse."""
    if isinstance(value, dt.date) or not isinstance(value, int | str) or isinstance(value, bool):
        return value
    if not _WRITTEN.match(str(value).strip()):
        raise ValueError(f"must be written like 2024-12-17, not {_shown(value)}")
    day = parse_date(value)
    if day.partial:
        raise ValueError(f"must be a full date such as 2024-12-17, not {_shown(value)}")
    return dt.date(day.year, day.month, day.day)


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def precision_of(value: dt.date) -> Precision:
    return getattr(value, "precision", Precision.DAY)


def date_words(value: dt.date) -> str:
    """A date as plain-text answers show it: ``2024-12-17`` for a day, ``May 2023`` for a
    month, ``2023`` for a year (month names in English whatever the process locale)."""
    precision = precision_of(value)
    if precision is Precision.YEAR:
        return f"{value.year:04d}"
    if precision is Precision.MONTH:
        return f"{MONTH_ABBREVIATIONS[value.month - 1]} {value.year:04d}"
    return dt.date(value.year, value.month, value.day).isoformat()


def on_date(value: dt.date) -> str:
    """``on 2024-12-17``, ``in May 2023``, ``in 2023``."""
    return ("on " if precision_of(value) is Precision.DAY else "in ") + date_words(value)


def period_end(value: dt.date) -> dt.date:
    """The last day a date may mean: itself, or the end of its month or year."""
    return value.end if isinstance(value, PartialDate) else value
