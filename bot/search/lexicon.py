"""General-language word data: the word lists beside this module, and English word frequencies.

Each list says where its words come from. They hold general language (function words, the
words questions are wrapped in, names of real places and leaders), never a word chosen because
one question needed it. How common a word is in English comes from wordfreq (Robyn Speer's
maintained frequency data, CC BY-SA 4.0): a common word the knowledge base lacks is probably a
paraphrase, a rare one a name or subject it does not cover.
"""

from __future__ import annotations

from functools import cache, lru_cache
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


@cache
def sections(name: str) -> dict[str, frozenset[str]]:
    """``data/<name>.txt`` in sections headed ``[section]``: each section's words, except in a
    section named ``phrases``, whose lines are phrases."""
    found: dict[str, list[str]] = {}
    current = found.setdefault("", [])
    for line in _lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = found.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return {
        section: frozenset(
            " ".join(line.split()) if section == "phrases" else word
            for line in lines
            for word in ([line] if section == "phrases" else line.split())
        )
        for section, lines in found.items()
        if section
    }


def _lines(name: str) -> list[str]:
    text = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common ``word`` is in English on the Zipf scale: about 7 for "the", 5 for "plan",
    3 for "tram", 0 for a word wordfreq has never seen (a name, a typo, another script)."""
    from wordfreq import zipf_frequency  # loaded on first use: its data takes a moment

    return float(zipf_frequency(word, "en")) if word.isascii() else 0.0


STOPWORDS = words("stopwords") | words("question_words")
GAZETTEER = words("gazetteer")
HAN_NAMES = words("gazetteer_han")
PLACE_NAMES = phrases("place_names")
