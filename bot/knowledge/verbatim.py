"""Verbatim means the words: is a statement's text in its stored source, and if not, where
does it stop matching?

Words and punctuation must be the same; layout need not be. Whitespace (hard-wrapped lines, two
spaces after a full stop, non-breaking spaces) counts as one space, and typographic quotation
marks and apostrophes count as their plain forms, since pasting an article changes both without
changing a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

QUOTE_FORMS = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u2032": "'",  # ′
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u2033": '"',  # ″
    }
)
CONTEXT_WORDS = 6  # how many words of each side a mismatch message shows
MIN_MATCHED_WORDS = 3  # fewer words in common is chance ("Ada Quill"), not where a copy went wrong


@dataclass(frozen=True, slots=True)
class Folded:
    """Text with layout folded away, and for each of its characters the original position."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` of the folded ``[start, end)``."""
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str) -> Folded:
    """Whitespace runs to one space (none at either end), typographic quotes to plain ones."""
    chars: list[str] = []
    origin: list[int] = []
    pending_space = False
    for index, char in enumerate(text.translate(QUOTE_FORMS)):
        if char.isspace():
            pending_space = bool(chars)
            continue
        if pending_space:
            chars.append(" ")
            origin.append(index - 1)
            pending_space = False
        chars.append(char)
        origin.append(index)
    return Folded("".join(chars), tuple(origin))


@lru_cache(maxsize=256)
def _folded_source(source: str) -> Folded:
    """Sources are few and long, statements many: fold each source once."""
    return fold(source)


def occurrences(source: str, text: str) -> list[tuple[int, int]]:
    """Where ``text`` occurs in ``source`` (original positions), layout and quote forms aside."""
    haystack, needle = _folded_source(source), fold(text).text
    if not needle:
        return []
    found: list[tuple[int, int]] = []
    start = haystack.text.find(needle)
    while start != -1:
        found.append(haystack.span(start, start + len(needle)))
        start = haystack.text.find(needle, start + 1)
    return found


def is_verbatim(source: str, text: str) -> bool:
    needle = fold(text).text
    return bool(needle) and needle in fold(source).text


def mismatch(source: str, text: str) -> str | None:
    """``None`` when ``text`` is in ``source``; else where it stops matching, in words."""
    haystack, needle = fold(source).text, fold(text).text
    if needle and needle in haystack:
        return None
    low, high = 0, len(needle)  # the longest prefix found: found(low) holds, found(high+1) not
    while low < high:
        middle = (low + high + 1) // 2
        if needle[:middle] in haystack:
            low = middle
        else:
            high = middle - 1
    cut = needle.rfind(" ", 0, low + 1) if low < len(needle) else low
    matched = needle[: max(cut, 0)]
    if len(matched.split()) < MIN_MATCHED_WORDS:
        return f"its opening words {_words(needle)} are not there"
    at = haystack.find(matched) + len(matched)
    return (
        f"it matches up to {_words(matched, last=True)}, then has {_words(needle[len(matched) :])}"
        f" where the source has {_words(haystack[at:])}"
    )


def _words(text: str, *, last: bool = False) -> str:
    """A few words of ``text`` in quotation marks: its first ones, or its ``last`` ones."""
    words = text.split()
    if not words:
        return "nothing more"
    if last:
        cut = words[-CONTEXT_WORDS:]
        return '"' + ("…" if len(words) > CONTEXT_WORDS else "") + " ".join(cut) + '"'
    return '"' + " ".join(words[:CONTEXT_WORDS]) + ("…" if len(words) > CONTEXT_WORDS else "") + '"'


_CLOSING_QUOTES = "\"”’'»"
_PUNCTUATION_BEFORE_CLOSE = ",.;:!?…"


@lru_cache(maxsize=4096)
def quote_closes_after(source: str, text: str) -> bool:
    """Does a closing quotation mark follow ``text`` in ``source`` (perhaps after the comma or
    full stop the reporter put inside it)? Then the speaker's quoted words end where the text
    ends, though not at a full stop: ``"… a big country," Wang said``."""
    for _start, end in occurrences(source, text):
        rest = source[end : end + 3].lstrip(_PUNCTUATION_BEFORE_CLOSE)
        if rest[:1] and rest[0] in _CLOSING_QUOTES:
            return True
    return False
