"""Date expressions in questions ("in 2024", "December 2024", "since 2023", "2024年12月").

The month table and pattern are shared with the article drafter, so both read dates alike.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from bot.knowledge.dates import period_end

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
MONTH_PATTERN = r"(?P<month>" + MONTH_NAMES + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_THE = r"(?:the\s+)?"  # "after the November 2024 election"

DEADLINE = re.compile(
    rf"\b(?:by|before\s+the\s+end\s+of|by\s+the\s+end\s+of)\s+(?:{MONTH_PATTERN}\s+)?{_YEAR}\b"
)
"""A deadline inside what was said ("zero-emission buses by 2030"): words to match, not a date
on which the statement was made."""

DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("day", re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<day>\d{1,2})\b")),
    (
        "day",
        re.compile(
            rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_PATTERN},?\s+{_YEAR}\b"
        ),
    ),
    ("day", re.compile(rf"\b{MONTH_PATTERN}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b")),
    ("day", re.compile(r"(?P<year>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<day>\d{1,2})日")),
    ("month", re.compile(r"(?P<year>(?:19|20)\d{2})年(?P<m>\d{1,2})月")),
    (
        "since",
        re.compile(rf"\b(?:since|starting(?:\s+in)?)\s+{_THE}(?:{MONTH_PATTERN}\s+)?{_YEAR}\b"),
    ),
    ("since", re.compile(rf"\b(?:from\s+)?(?:{MONTH_PATTERN}\s+)?{_YEAR}\s+(?:on|onwards?)\b")),
    (
        "range",
        re.compile(
            rf"\bfrom\s+{_THE}(?:{MONTH_PATTERN}\s+)?{_YEAR}\s+(?:to|until|till)\s+"
            rf"(?:(?P<month2>{MONTH_NAMES})\.?\s+)?(?P<year2>(?:19|20)\d{{2}})\b"
        ),
    ),
    (
        "range",
        re.compile(
            rf"\bbetween\s+{_THE}(?:{MONTH_PATTERN}\s+)?{_YEAR}\s+and\s+"
            rf"(?:(?P<month2>{MONTH_NAMES})\.?\s+)?(?P<year2>(?:19|20)\d{{2}})\b"
        ),
    ),
    (
        "range",
        re.compile(
            rf"\b(?:{MONTH_PATTERN}\s+)?{_YEAR}\s*(?:-|–|—)\s*"
            rf"(?:(?P<month2>{MONTH_NAMES})\.?\s+)?(?P<year2>(?:19|20)\d{{2}})\b"
        ),
    ),
    ("after", re.compile(rf"\b(?:after)\s+{_THE}(?:{MONTH_PATTERN}\s+)?{_YEAR}\b")),
    ("before", re.compile(rf"\b(?:before|prior\s+to)\s+{_THE}(?:{MONTH_PATTERN}\s+)?{_YEAR}\b")),
    (
        "until",
        re.compile(rf"\b(?:until|till|up\s+to|through)\s+{_THE}(?:{MONTH_PATTERN}\s+)?{_YEAR}\b"),
    ),
    ("month", re.compile(rf"\b{MONTH_PATTERN}\s+(?:of\s+)?{_YEAR}\b")),
    ("year", re.compile(r"(?P<year>(?:19|20)\d{2})年")),
    ("year", re.compile(rf"\b{_YEAR}\b")),
)


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of statement dates; an open end is unbounded."""

    start: dt.date | None = None
    end: dt.date | None = None
    label: str = ""

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` may fall in the range; a month- or year-only statement date
        (:class:`bot.knowledge.dates.PartialDate`) does when its period overlaps it."""
        last = period_end(day)
        return (self.start is None or self.start <= last) and (self.end is None or day <= self.end)


RELATIVE = re.compile(r"(?<!\bthe\s)\b(?P<which>this|last|past)\s+(?P<unit>year|month)\b")
"""“last year”, “this month”: relative to the day the question is asked. With the article
(“over the last year”) it is a span of time in the question, not when something was said."""


def relative_range(match: re.Match[str], today: dt.date) -> DateRange:
    """“last year” is the previous calendar year, “this year” the current one, “past year” the
    twelve months up to today; likewise for months."""
    which, unit = match.group("which"), match.group("unit")
    label = match.group(0)
    if unit == "year":
        if which == "past":
            year_ago = today - dt.timedelta(days=365)
            return DateRange(year_ago + dt.timedelta(days=1), today, label)
        year = today.year - (which == "last")
        return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31), label)
    if which == "past":
        return DateRange(today - dt.timedelta(days=30), today, label)
    year, month = today.year, today.month
    if which == "last":
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return DateRange(*month_range(year, month), label)


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def date_range(kind: str, match: re.Match[str]) -> DateRange | None:
    groups = match.groupdict()
    year = int(groups["year"])
    month = MONTHS.get(groups.get("month") or "") or (int(groups["m"]) if groups.get("m") else None)
    # the question is case-folded by now: show month names as they are written
    label = " ".join(
        w.capitalize() if w.rstrip(".") in MONTHS else w for w in match.group(0).split()
    )
    try:
        if kind == "day":
            day = dt.date(year, month or 1, int(groups["day"]))
            return DateRange(day, day, label)
        if kind == "month" and month:
            return DateRange(*month_range(year, month), label)
        first, last = (
            month_range(year, month) if month else (dt.date(year, 1, 1), dt.date(year, 12, 31))
        )
        if kind == "since":
            return DateRange(first, None, label)
        if kind == "after":
            return DateRange(last + dt.timedelta(days=1), None, label)
        if kind == "before":
            return DateRange(None, first - dt.timedelta(days=1), label)
        if kind == "until":
            return DateRange(None, last, label)
        if kind == "range":
            end_year = int(groups["year2"])
            end_month = MONTHS.get(groups.get("month2") or "")
            end = month_range(end_year, end_month)[1] if end_month else dt.date(end_year, 12, 31)
            return DateRange(first, end, label)
        return DateRange(first, last, label)
    except ValueError:  # 31 February and friends: not a date, so not a filter
        return None
