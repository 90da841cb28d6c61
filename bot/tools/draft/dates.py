"""Dates in an article: the dateline, a full date, and days a sentence mentions.

A statement's date is the day it was said, not the day it was published, so the draft looks
in order at the sentence itself ("on Tuesday", "on Dec. 15", resolved backwards from the day
the story was filed: an article never reports the future), the opening paragraph, the
dateline, and only then the publication date. Month names and their pattern come from
``bot.search.query``, so articles and questions read dates alike.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.search.dates import MONTH_PATTERN, MONTHS

WEEKDAYS = {
    name: number
    for number, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z .'’-]*?),\s+" + MONTH_PATTERN + r"\s+(?P<day>\d{1,2})"
    r"(?:,\s*(?P<year>(?:19|20)\d{2}))?\s*(?:(?:\((?P<agency>[^()\n]{1,40})\)\s*)?(?:--|—|–)"
    r"|\.?\s*/(?P<agency2>[^/\n]{1,40})/\.?)\s*",  # "MORAVSK, June 12. /Tsentr-Press/."
    re.IGNORECASE,
)
_FULL_DATES = (
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b{MONTH_PATTERN}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d{{2}})\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+{MONTH_PATTERN},?\s+(?P<year>(?:19|20)\d{{2}})\b", re.I),
)
_WEEKDAY_MENTION = re.compile(
    r"\b(?:on|last)\s+(?P<weekday>" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE
)
_MONTH2 = MONTH_PATTERN.replace("?P<month>", "?P<month2>")
_DAY_MENTION = re.compile(
    rf"\bon\s+(?:{MONTH_PATTERN}\s+(?P<day>\d{{1,2}})|(?P<day2>\d{{1,2}})\s+{_MONTH2})"
    r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Dateline:
    """``BEIJING, Dec. 17 (Xinhua) --``: where the body starts, and the day it was filed."""

    paragraph: int
    end: int
    place: str
    month: int
    day: int
    year: int | None
    agency: str | None


def find_dateline(text: str, spans: list[tuple[int, int]]) -> Dateline | None:
    for number, (start, end) in enumerate(spans):
        match = _DATELINE.match(text, start, end)
        if match and match.group("place").strip().upper() == match.group("place").strip():
            year = match.group("year")
            agency = match.group("agency") or match.group("agency2") or ""
            return Dateline(
                paragraph=number,
                end=match.end(),
                place=match.group("place").strip(),
                month=MONTHS[match.group("month").lower()],
                day=int(match.group("day")),
                year=int(year) if year else None,
                agency=agency.strip() or None,
            )
    return None


def full_date(text: str) -> dt.date | None:
    """The first complete date (with a year) in ``text``, whatever its spelling."""
    found: list[tuple[int, dt.date]] = []
    for pattern in _FULL_DATES:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            month = int(groups["m"]) if groups.get("m") else MONTHS[groups["month"].lower()]
            try:
                found.append(
                    (match.start(), dt.date(int(groups["year"]), month, int(groups["day"])))
                )
            except ValueError:
                continue
            break
    return min(found)[1] if found else None


def on_or_before(reference: dt.date, month: int, day: int) -> dt.date | None:
    """The day/month nearest before ``reference`` (an article never reports the future)."""
    for year in (reference.year, reference.year - 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference:
            return candidate
    return None


def _weekday_before(reference: dt.date, weekday: int) -> dt.date:
    return reference - dt.timedelta(days=(reference.weekday() - weekday) % 7)


def mentioned_date(sentence: str, reference: dt.date | None) -> tuple[dt.date, str] | None:
    """A date the sentence itself gives ("on Tuesday", "on Dec. 15"), resolved backwards."""
    if reference is None:
        return None
    match = _DAY_MENTION.search(sentence)
    if match:
        month_name = match.group("month") or match.group("month2")
        day = int(match.group("day") or match.group("day2"))
        month = MONTHS[month_name.lower()]
        resolved: dt.date | None
        if match.group("year"):
            try:
                resolved = dt.date(int(match.group("year")), month, day)
            except ValueError:
                resolved = None
        else:
            resolved = on_or_before(reference, month, day)
        if resolved is not None and resolved <= reference:
            return resolved, match.group(0)
    weekday = _WEEKDAY_MENTION.search(sentence)
    if weekday:
        day_number = WEEKDAYS[weekday.group("weekday").lower()]
        return _weekday_before(reference, day_number), weekday.group(0)
    return None


def fallback_date(
    text: str,
    body: list[tuple[int, int]],
    filed: dt.date | None,
    published: dt.date | None,
    reference: dt.date | None,
) -> tuple[dt.date, str] | None:
    """The date of a statement whose sentence gives none: the day the opening paragraph names
    ("said … on Tuesday", the event the article is about), else the dateline, else publication."""
    lead = mentioned_date(text[body[0][0] : body[0][1]], reference) if body else None
    if lead is not None:
        return lead[0], f'"{lead[1]}" in the opening paragraph'
    if filed is not None:
        return filed, "the dateline"
    if published is not None:
        return published, "publication date; check"
    return None


def filing_date(dateline: Dateline | None, published: dt.date | None) -> dt.date | None:
    """The dateline's day; its year from the dateline, else the latest one not after publication."""
    if dateline is None:
        return None
    if dateline.year is not None:
        try:
            return dt.date(dateline.year, dateline.month, dateline.day)
        except ValueError:
            return None
    if published is None:
        return None
    return on_or_before(published, dateline.month, dateline.day)
