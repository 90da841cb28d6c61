"""Unicode normalisation and tokenisation, shared by the knowledge checks, the search index and
the query parser, so that all of them agree on when two spellings are the same words.

Han characters become one token each, so a Chinese alias such as 中美关系 matches as a phrase of
tokens exactly like "China-US relations" does.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_ABBREVIATION = re.compile(r"\b(?:[a-z]\.){2,}")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_APOSTROPHE = re.compile(r"['’]")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normalize(text: str) -> str:
    """Case-fold and unify the spellings users mix: width, quotes, dots in U.S., invisible marks."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).casefold()
    text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _POSSESSIVE.sub("", text)
    text = _APOSTROPHE.sub("", text)
    return text


def tokens(text: str) -> list[str]:
    """Words (and single Han characters) of already normalised text."""
    return _TOKEN.findall(text)


def has_han(token: str) -> bool:
    """Whether a token is a Han character (tokens() makes each one a token of its own)."""
    return bool(_HAN.match(token))


def contains_han(text: str) -> bool:
    return _HAN.search(text) is not None
