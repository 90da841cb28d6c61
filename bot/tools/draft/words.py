"""Words with their places in the text, and the ``Phrase`` a few of them make.

Everything the drafter reads about names works on ``Token`` lists cut from the article (or a
masked copy of it) with their offsets, so that a pronoun or a role can be resolved by where it
stands; ``Phrase`` is what a noun phrase was found to name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.normalize import has_han

_RAW = re.compile(r"\S+")
_LEAD = "\"“‘'([«「"
_TRAIL = ".,;:!?\"”’')]»」"
_STOPS = frozenset(",;:.!?)—–")


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written, punctuation and a possessive 's cut off
    start: int  # offsets in the text the token was cut from
    end: int
    possessive: bool = False
    stop: bool = False  # punctuation after it ends a clause

    @property
    def lower(self) -> str:
        return self.text.casefold()

    @property
    def capital(self) -> bool:
        first = self.text[:1]
        return first.isupper() or has_han(first)

    @property
    def acronym(self) -> bool:
        return len(self.text) >= 2 and self.text.isalpha() and self.text.isupper()


def tokenize(text: str, offset: int = 0) -> list[Token]:
    found: list[Token] = []
    for match in _RAW.finditer(text):
        raw = match.group(0)
        word = raw.lstrip(_LEAD)
        if found and raw[:1] in "([":
            found[-1] = replace(found[-1], stop=True)  # "Ms Carys Wendt (Ellery South)"
        start = match.start() + len(raw) - len(word)
        cleaned = word.rstrip(_TRAIL)
        stop = any(char in _STOPS for char in word[len(cleaned) :])
        possessive = cleaned.endswith(("'s", "’s"))
        if possessive:
            cleaned = cleaned[:-2]
        if cleaned:
            found.append(
                Token(cleaned, offset + start, offset + start + len(cleaned), possessive, stop)
            )
    return found


@dataclass(frozen=True, slots=True)
class Phrase:
    """What a noun phrase names. ``kind``: person, role, anonymous, body, pronoun, first,
    generic or none; ``role`` holds the title words that say who a bare role is."""

    kind: str
    tokens: tuple[Token, ...] = ()
    name: tuple[str, ...] = ()
    title: str | None = None
    role: frozenset[str] = frozenset()
    qualified: bool = False  # "the representative of Norland": a role of someone in particular

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)


NONE = Phrase("none")
