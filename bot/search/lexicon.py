"""General-language word lists, read from the data files beside this module.

Each file says where its words come from. They hold general language (function words, common
words, names of real places and leaders), never a word chosen because one question needed it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@cache
def words(name: str) -> frozenset[str]:
    """The words of ``data/<name>.txt``: whitespace-separated, ``#`` starts a comment."""
    return frozenset(word for line in _lines(name) for word in line.split())


@cache
def phrases(name: str) -> frozenset[str]:
    """The lines of ``data/<name>.txt`` as phrases (for multi-word entries)."""
    return frozenset(" ".join(line.split()) for line in _lines(name))


def _lines(name: str) -> list[str]:
    text = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


STOPWORDS = words("stopwords")
LIGHT_WORDS = words("light_words")
GAZETTEER = words("gazetteer")
HAN_NAMES = words("gazetteer_han")
PLACE_NAMES = phrases("place_names")
