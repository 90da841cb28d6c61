"""Stems for the index and the query parser, so both sides always agree.

The stemmer is deliberately light (a suffix stripper) because it only needs to be consistent,
not linguistically right.
"""

from __future__ import annotations

from functools import lru_cache

_SUFFIXES = (
    ("ational", "ate"),
    ("ability", "abl"),
    ("ibility", "ibl"),
    ("ization", "ize"),
    ("isation", "ize"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ingly", ""),
    ("ences", ""),
    ("ence", ""),
    ("ances", ""),
    ("ance", ""),
    ("ities", "ity"),
    ("ions", ""),
    ("ion", ""),
    ("ives", ""),
    ("ive", ""),
    ("ings", ""),
    ("ing", ""),
    ("ied", "y"),
    ("ies", "y"),
    ("ed", ""),
    ("es", ""),
    ("ly", ""),
    ("s", ""),
)
_KEEP_ENDING = ("ss", "us", "is", "ous")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, consistent suffix stripper: cooperate, cooperation, cooperating → cooperate."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith(_KEEP_ENDING):
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word
