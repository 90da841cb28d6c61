"""Reading a question: dates, recency and small talk, before any matching happens."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from bot.normalize import normalize, tokens
from bot.search.dates import (
    DATE_PATTERNS,
    DEADLINE,
    RELATIVE,
    DateRange,
    date_range,
    relative_range,
)
from bot.search.lexicon import sections

_LATEST = re.compile(
    r"\b(?:latest|most\s+recent(?:ly)?|newest|recently|lately|last\s+said|now|nowadays|"
    r"currently|current|these\s+days|at\s+present|at\s+the\s+moment|still|any\s+more|"
    r"anymore)\b|最新|最近|现在|目前"
)
"""Words asking for the position as it stands: the newest relevant statements come first."""

SMALLTALK = sections("smalltalk")
SMALLTALK_TRIGGERS = SMALLTALK["triggers"]
SMALLTALK_ADDRESSING = SMALLTALK["addressing"]
SMALLTALK_FILLER = SMALLTALK["filler"]
SMALLTALK_PHRASES = SMALLTALK["phrases"]
SMALLTALK_HAN = frozenset("你好 您好 谢谢 谢谢你 多谢 再见 嗨 哈喽 早上好 晚上好 你是谁".split())


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
    described: tuple[str, ...] = field(default=())  # a word before "position", "view", …:
    # "korvanian" in "the Korvanian position"; whose only if it names a country


_OWNER_NOUNS = (
    r"(?:own\s+|official\s+|current\s+|latest\s+|new\s+)?(?:policy|policies|stance|position|"
    r"positions|view|views|red\s+lines?|bottom\s+lines?|goals?|approach|strategy|attitude|"
    r"thoughts?|opinions?|response|reaction|remarks|comments?|statements?|line)\b"
)
_PREPOSITIONS = r"(?:on|about|toward|towards|regarding|in|for|with|to|at|over|since|after|before)\b"
_OWNER_PATTERNS = (
    re.compile(r"([^\W\d_][\w.\-]*(?:\s+[^\W\d_][\w.\-]*){0,2})['’]s?\s+" + _OWNER_NOUNS),
    re.compile(
        r"\b(?:did|does|has|have|will|would|is)\s+([^\W\d_][\w.\- ]{1,40}?)\s+"
        r"(?:say|said|says|think|thinks|mean|tell|told|comment|respond|state|stated|saying)\b"
    ),
    re.compile(r"^\s*([^\W\d_][\w.\- ]{1,30}?)\s+(?:said|says|thinks|stated)\b"),
    # "opposition view on …", without the possessive
    re.compile(
        r"^\s*([^\W\d_][\w.\-]*(?:\s+[^\W\d_][\w.\-]*){0,2})\s+(?:views?|position|stance)\s+on\b"
    ),
)
_WANTS_QUOTE = re.compile(
    r"\b(?:direct\s+)?(?:quote|quotes|quoted|quotation|quotations|verbatim|exact\s+words|"
    r"own\s+words|word\s+for\s+word)\b|原话"
)
_ADDRESSING = re.compile(r"^\s*/\w+(?:@\w+)?|(?<!\w)@\w+")


_NOT_OWNERS = frozenset(
    "who what which when where why how whom whose he she they it you we i anyone someone".split()
)
"""Words the owner patterns catch that name nobody: "Who said …?" asks for a speaker."""


_OWNER_AFTER_OF = re.compile(
    r"\b" + _OWNER_NOUNS + r"\s+(?:of|from)\s+(?:the\s+)?"
    r"((?:(?!" + _PREPOSITIONS + r")[^\W\d_][\w.\-]*)(?:\s+(?!" + _PREPOSITIONS + r")"
    r"[^\W\d_][\w.\-]*){0,2})"
)
"""“the red lines of Russia”, “the view of the opposition leader on …”; but in “China's view of
US sanctions” the owner is China's and the rest is what the view is about."""
_POSSESSIVE_BEFORE = re.compile(r"['’]s?\s+(?:[^\W\d_]+\s+)?$")


_DESCRIBED_OWNER = re.compile(r"\bthe\s+([^\W\d_][\w\-]*)\s+" + _OWNER_NOUNS)
"""“the Korvanian position”: whose, if the word is a country's (the knowledge base decides)."""


def _owners(folded: str) -> tuple[str, ...]:
    found = [m.group(1).strip() for p in _OWNER_PATTERNS for m in p.finditer(folded)]
    found += [
        m.group(1).strip()
        for m in _OWNER_AFTER_OF.finditer(folded)
        if not _POSSESSIVE_BEFORE.search(folded[: m.start()])
    ]
    return tuple(owner for owner in found if owner.split()[-1] not in _NOT_OWNERS)


def _take_dates(text: str, today: dt.date) -> tuple[str, DateRange | None]:
    """The first date expression becomes a filter and leaves the text; a deadline ("by 2030")
    is part of what was said and stays."""
    searchable = DEADLINE.sub(lambda m: " " * len(m.group(0)), text)
    relative = RELATIVE.search(searchable)
    if relative is not None:
        rest = text[: relative.start()] + " " + text[relative.end() :]
        return rest, relative_range(relative, today)
    for kind, pattern in DATE_PATTERNS:
        match = pattern.search(searchable)
        if match is None:
            continue
        # An impossible date ("30 February 2024") is no filter at all, not a filter for its year.
        return text[: match.start()] + " " + text[match.end() :], date_range(kind, match)
    return text, None


LONG_QUESTION_CHARS = 200
_SENTENCE_BREAK = re.compile(r"(?<=[.!?。？！])\s+")


def focus(question: str, max_chars: int) -> tuple[str, str | None]:
    """The part of a long message to answer, and a notice saying so.

    A long message usually ends with its question after some context ("…So: what are the red
    lines?"); that sentence is what to answer, whatever its length. Otherwise the message is
    cut to ``max_chars``.
    """
    if len(question) <= LONG_QUESTION_CHARS:
        return question, None
    sentences = [s for s in _SENTENCE_BREAK.split(question.strip()) if s]
    asked = [s for s in sentences if "?" in s or "？" in s]
    if len(sentences) > 1 and asked:
        kept = asked[-1][:max_chars]
        return kept, f"Your message was long, so I answered its question: “{kept}”"
    if len(question) <= max_chars:
        return question, None
    return question[:max_chars], (
        f"Your question was long, so only its first {max_chars} characters were read."
    )


def _chat_word(word: str) -> bool:
    return (
        word in SMALLTALK_TRIGGERS
        or word in SMALLTALK_ADDRESSING
        or word in SMALLTALK_FILLER
        or word.isdigit()
    )


def parse_question(question: str, today: dt.date | None = None) -> ParsedQuestion:
    """Normalise a question and take out what is not matched as words: dates, recency, chat."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    owners = _owners(folded)
    text = _ADDRESSING.sub(" ", normalize(question))  # "/ask@bot …", "@bot …" in groups
    text, dates = _take_dates(text, today or dt.date.today())
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
                any(word in SMALLTALK_TRIGGERS or word in SMALLTALK_ADDRESSING for word in words)
                and all(_chat_word(word) for word in words)
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
        described=tuple(m.group(1) for m in _DESCRIBED_OWNER.finditer(folded)),
        wants_quote=wants_quote,
    )
