"""Stems for the index and the query parser, so both sides always agree.

The Snowball English stemmer (Porter2, through PyStemmer) rather than a hand-written suffix
list: "fares"/"fare", "opening"/"open", "policies"/"policy" and "stabilisation"/"stabilise" meet
the same way in every knowledge base.
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer

_ENGLISH = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of an ASCII word; other scripts and numbers are kept as they are."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    return str(_ENGLISH.stemWord(word))
