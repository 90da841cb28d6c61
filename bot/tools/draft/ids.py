"""Ids for what the draft creates: speakers, the source and each statement.

An id names a file, a stored article and a knowledge-base entry, so it must be readable
(made of the article's own words), no longer than the loader allows (``MAX_ID_LENGTH``)
and unique against both the draft and the knowledge base it will join.
"""

from __future__ import annotations

import datetime as dt

from bot.knowledge.models import MAX_ID_LENGTH
from bot.normalize import normalize, tokens
from bot.search.lexicon import STOPWORDS
from bot.tools.draft.records import Candidate

ID_KEYWORDS = 4
PUBLISHER_SLUG_CHARS = 20

SPEECH_WORDS = frozenset(
    "said says added adds noted stressed stresses told tells stated remarked declared explained "
    "went point pointed according".split()
)


def slug(text: str) -> str:
    """The ASCII words of ``text``, lower case and hyphenated, cut to an id's length."""
    words = [w for w in tokens(normalize(text)) if w.isascii()]
    return "-".join(words)[:MAX_ID_LENGTH].strip("-")


def statement_id(candidate: Candidate, text: str, taken: set[str]) -> str:
    """``<speaker>-<a few content words>``, unique in the draft and the knowledge base."""
    name_words = set(tokens(normalize(candidate.speaker.name)))
    for mention in candidate.speaker.mentions:
        name_words |= set(tokens(normalize(mention)))
    words: list[str] = []
    for word in tokens(normalize(text[candidate.start : candidate.end])):
        if (
            word.isascii()
            and not word.isdigit()
            and word not in STOPWORDS
            and word not in name_words
            and word not in SPEECH_WORDS
            and word not in words
        ):
            words.append(word)
    base = candidate.speaker.id
    for word in words[:ID_KEYWORDS]:
        if len(base) + 1 + len(word) > MAX_ID_LENGTH - 3:  # room for "-99"
            break
        base += "-" + word
    unique = base
    number = 2
    while unique in taken:
        unique = f"{base}-{number}"
        number += 1
    return unique


def source_id(publisher: str | None, published: dt.date | None, title: str | None) -> str:
    publisher_slug = slug(publisher or "")[:PUBLISHER_SLUG_CHARS].strip("-") or "source"
    head = f"{publisher_slug}-{published.isoformat() if published else 'undated'}"
    words = [w for w in slug(title or "").split("-") if w and w not in STOPWORDS]
    for word in words[:ID_KEYWORDS]:
        if len(head) + 1 + len(word) > MAX_ID_LENGTH:
            break
        head += "-" + word
    return head
