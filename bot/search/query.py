"""Reading a question: dates, recency and small talk, before any matching happens."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from bot.search.text import normalize, tokens

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"

_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("day", re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<day>\d{1,2})\b")),
    (
        "day",
        re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
    ),
    ("day", re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b")),
    ("day", re.compile(r"(?P<year>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<day>\d{1,2})日")),
    ("month", re.compile(r"(?P<year>(?:19|20)\d{2})年(?P<m>\d{1,2})月")),
    ("since", re.compile(rf"\b(?:since|starting(?:\s+in)?)\s+(?:{_MONTH}\s+)?{_YEAR}\b")),
    ("since", re.compile(rf"\b(?:from\s+)?(?:{_MONTH}\s+)?{_YEAR}\s+(?:on|onwards?)\b")),
    ("after", re.compile(rf"\b(?:after)\s+(?:{_MONTH}\s+)?{_YEAR}\b")),
    ("before", re.compile(rf"\b(?:before|prior\s+to)\s+(?:{_MONTH}\s+)?{_YEAR}\b")),
    ("until", re.compile(rf"\b(?:until|till|up\s+to|through)\s+(?:{_MONTH}\s+)?{_YEAR}\b")),
    ("month", re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b")),
    ("year", re.compile(r"(?P<year>(?:19|20)\d{2})年")),
    ("year", re.compile(rf"\b{_YEAR}\b")),
)
_LATEST = re.compile(
    r"\b(?:latest|most\s+recent(?:ly)?|newest|recently|lately|last\s+said)\b|最新|最近"
)

SMALLTALK_TRIGGERS = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "heya",
        "hiya",
        "yo",
        "sup",
        "thanks",
        "thank",
        "thx",
        "ty",
        "cheers",
        "bye",
        "goodbye",
        "morning",
        "evening",
        "afternoon",
        "night",
        "gm",
        "gn",
        "你好",
        "谢谢",
        "再见",
        "ok",
        "okay",
        "cool",
        "great",
        "nice",
        "awesome",
    ]
)
SMALLTALK_HAN = frozenset("你好 您好 谢谢 谢谢你 多谢 再见 嗨 哈喽 早上好 晚上好 你是谁".split())
SMALLTALK_FILLER = frozenset(
    [
        "you",
        "u",
        "so",
        "much",
        "very",
        "a",
        "lot",
        "good",
        "there",
        "all",
        "guys",
        "everyone",
        "bot",
        "policybot",
        "how",
        "are",
        "is",
        "it",
        "going",
        "what",
        "who",
        "your",
        "name",
        "do",
        "can",
        "r",
        "doing",
        "today",
        "again",
        "and",
        "for",
        "the",
        "help",
        "me",
        "nice",
        "to",
        "meet",
    ]
)
SMALLTALK_PHRASES = frozenset(
    {
        "who are you",
        "what are you",
        "what can you do",
        "how are you",
        "what do you do",
        "help",
        "what is this",
        "are you a bot",
        "how does this work",
        "test",
        "ping",
    }
)


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of statement dates; an open end is unbounded."""

    start: dt.date | None = None
    end: dt.date | None = None
    label: str = ""

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    """What was asked, once dates and recency words are taken out of the text."""

    original: str
    text: str  # normalised, with date phrases removed
    dates: DateRange | None = None
    latest: bool = False
    smalltalk: bool = False
    wants_quote: bool = False  # "quote", "exact words": prefer the speaker's own words
    owners: tuple[str, ...] = field(default=())  # whose position is asked for: "america" in
    # "America's policy", "biden" in "What did Biden say"


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _date_range(kind: str, match: re.Match[str]) -> DateRange | None:
    groups = match.groupdict()
    year = int(groups["year"])
    month = MONTHS.get(groups.get("month") or "") or (int(groups["m"]) if groups.get("m") else None)
    label = match.group(0).strip()
    try:
        if kind == "day":
            day = dt.date(year, month or 1, int(groups["day"]))
            return DateRange(day, day, label)
        if kind == "month" and month:
            return DateRange(*_month_range(year, month), label)
        first, last = (
            _month_range(year, month) if month else (dt.date(year, 1, 1), dt.date(year, 12, 31))
        )
        if kind == "since":
            return DateRange(first, None, label)
        if kind == "after":
            return DateRange(last + dt.timedelta(days=1), None, label)
        if kind == "before":
            return DateRange(None, first - dt.timedelta(days=1), label)
        if kind == "until":
            return DateRange(None, last, label)
        return DateRange(first, last, label)
    except ValueError:  # 31 February and friends: not a date, so not a filter
        return None


_OWNER_NOUNS = (
    r"(?:own\s+|official\s+|current\s+|latest\s+|new\s+)?(?:policy|policies|stance|position|"
    r"positions|view|views|red\s+lines?|bottom\s+lines?|goals?|approach|strategy|attitude|"
    r"thoughts?|opinions?|response|reaction|remarks|comments?|statements?|line)\b"
)
_OWNER_PATTERNS = (
    re.compile(r"([^\W\d_][\w.\-]*(?:\s+[^\W\d_][\w.\-]*){0,2})['’]s?\s+" + _OWNER_NOUNS),
    re.compile(
        r"\b(?:did|does|has|have|will|would|is)\s+([^\W\d_][\w.\- ]{1,40}?)\s+"
        r"(?:say|said|says|think|thinks|mean|tell|told|comment|respond|state|stated|saying)\b"
    ),
    re.compile(r"^\s*([^\W\d_][\w.\- ]{1,30}?)\s+(?:said|says|thinks|stated)\b"),
)
_WANTS_QUOTE = re.compile(
    r"\b(?:direct\s+)?(?:quote|quotes|quoted|quotation|quotations|verbatim|exact\s+words|"
    r"own\s+words|word\s+for\s+word)\b|原话"
)
_ADDRESSING = re.compile(r"^\s*/\w+(?:@\w+)?|(?<!\w)@\w+")


def parse_question(question: str) -> ParsedQuestion:
    """Normalise a question and take out what is not matched as words: dates, recency, chat."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    owners = tuple(m.group(1) for p in _OWNER_PATTERNS for m in p.finditer(folded))
    text = _ADDRESSING.sub(" ", normalize(question))  # "/ask@bot …", "@bot …" in groups
    dates: DateRange | None = None
    for kind, pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        # An impossible date ("30 February 2024") is no filter at all, not a filter for its year.
        dates = _date_range(kind, match)
        text = text[: match.start()] + " " + text[match.end() :]
        break
    wants_quote = bool(_WANTS_QUOTE.search(text))
    if wants_quote:
        text = _WANTS_QUOTE.sub(" ", text)
    latest = bool(_LATEST.search(text))
    if latest:
        text = _LATEST.sub(" ", text)
    words = tokens(text)
    phrase = " ".join(words)
    compact = "".join(words)
    smalltalk = compact in SMALLTALK_HAN or (
        dates is None
        and not latest
        and bool(words)
        and (
            phrase in SMALLTALK_PHRASES
            or (
                any(word in SMALLTALK_TRIGGERS for word in words)
                and all(word in SMALLTALK_TRIGGERS or word in SMALLTALK_FILLER for word in words)
            )
        )
    )
    return ParsedQuestion(
        original=question,
        text=" ".join(text.split()),
        dates=dates,
        latest=latest,
        smalltalk=smalltalk,
        owners=owners,
        wants_quote=wants_quote,
    )
