"""Everyone an article names, where, and how it describes them: read once, before drafting.

Attribution often names a person by surname alone ("Kovrigina noted"), by role ("emphasized
the minister", "the ambassador said") or by pronoun ("she said"), and the full name may stand
where nobody speaks ("The Tarn Republic's ambassador in Veranne, Sofia Lund, was more
cautious."). So the draft first collects the full names with the words describing them (their
title, the clause in apposition), every later mention of a name's parts with whether it stands
as a subject (not after "about" or "with"), and the places ("in Halvik"), which never speak.
Quotations are masked before this reads the text, so names inside someone's words do not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.tools.draft.names import split_name
from bot.tools.draft.vocabulary import (
    CALENDAR,
    DETERMINERS,
    LOCATIVE,
    NAME_PARTICLES,
    ORGANISATION_WORDS,
    PREPOSITIONS,
    TITLE_CONNECTORS,
    TITLE_WORDS,
)
from bot.tools.draft.words import Token, tokenize

MIN_NAME_WORDS = 2  # a full name: "Anika Sorvald"; one word is a surname or a place
MAX_TITLE_WORDS = 8  # "the Minister of Energy of Zarvenia Pavel Grudinov"
DESCRIPTION_WORDS = 12  # how far a clause in apposition may run and still describe a name


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    key: str  # the full name, as first written
    subject: bool  # not the object of a preposition ("about Kessel")


@dataclass
class Named:
    """A full name found in the article, with its title and describing words."""

    name: str
    title: str | None
    words: set[str] = field(default_factory=set)


class Mentions:
    """The article's people and places, from its masked text."""

    def __init__(self, masked: str, spans: Iterable[tuple[int, int]], extra_places: Iterable[str]):
        self.people: dict[str, Named] = {}
        self.places: set[str] = {p.casefold() for p in extra_places}
        self.mentions: list[Mention] = []
        chunks = [tokenize(masked[start:end], start) for start, end in spans]
        for chunk in chunks:
            self._full_names(chunk)
            self._places(chunk)
        for chunk in chunks:
            self._mentions(chunk)
        self.mentions.sort(key=lambda m: m.start)

    def _full_names(self, chunk: list[Token]) -> None:
        for first, last in _runs(chunk):
            run = chunk[first:last]
            lead = first
            while lead > 0 and first - lead < MAX_TITLE_WORDS and _connects(chunk[lead - 1]):
                lead -= 1  # "the Minister of Energy of | Zarvenia Pavel Grudinov"
            title, name = split_name(chunk[lead:first] + run, (), strict=False)
            words = [t.text for t in name]
            if len(words) < MIN_NAME_WORDS or any(t.acronym for t in name):
                continue
            key = " ".join(words)
            named = self.people.setdefault(key, Named(key, title or None))
            if title and not named.title:
                named.title = title
            named.words |= {w.casefold() for w in title.split()}
            named.words |= _apposition(chunk, first, last)

    def _places(self, chunk: list[Token]) -> None:
        for number, token in enumerate(chunk[1:], 1):
            if chunk[number - 1].lower in LOCATIVE and token.capital:
                words = [token]
                for following in chunk[number + 1 :]:
                    if not following.capital or words[-1].stop or words[-1].possessive:
                        break
                    words.append(following)
                if not any(w.lower in ORGANISATION_WORDS | CALENDAR for w in words):
                    self.places.add(" ".join(w.lower for w in words))

    def _mentions(self, chunk: list[Token]) -> None:
        parts: dict[str, str] = {}
        for name in self.people:
            for word in name.split():
                if word.casefold() not in NAME_PARTICLES:
                    parts.setdefault(word.casefold(), name)
        for first, last in _runs(chunk):
            for token in chunk[first:last]:
                key = self._who(token.lower, token.start, parts)
                if key is not None:
                    subject = _subject(chunk, first) and not chunk[last - 1].possessive
                    self.mentions.append(Mention(token.start, key, subject))
                    break

    def _who(self, word: str, position: int, parts: dict[str, str]) -> str | None:
        if word not in parts:
            return None
        last = None
        for mention in self.mentions:
            if mention.start < position and word in mention.key.casefold().split():
                last = mention.key
        return last or parts[word]

    # -------------------------------------------------------------------------- questions

    def full_name(self, word: str, position: int) -> Named | None:
        """The person a single name word means: the one last named with it, else the first."""
        folded = word.casefold()
        best: Named | None = None
        for mention in self.mentions:
            words = mention.key.casefold().split()
            if folded in words and (best is None or mention.start < position):
                best = self.people[mention.key]
        if best is None:
            best = next(
                (p for key, p in self.people.items() if folded in key.casefold().split()), None
            )
        return best

    def subject_before(self, position: int, since: int) -> Named | None:
        """The person last mentioned as a subject between ``since`` and ``position``."""
        for mention in reversed(self.mentions):
            if since <= mention.start < position and mention.subject:
                return self.people[mention.key]
        return None

    def named(self, name: str) -> Named | None:
        """The full name as the article spells it ("RUTH OKAFOR-LANE" in a label)."""
        folded = name.casefold()
        return next((p for key, p in self.people.items() if key.casefold() == folded), None)

    def subject_between(self, start: int, end: int) -> Named | None:
        """The first person mentioned as a subject between ``start`` and ``end``."""
        for mention in self.mentions:
            if start <= mention.start < end and mention.subject:
                return self.people[mention.key]
        return None

    def next_described(self, words: frozenset[str], position: int) -> Named | None:
        """The first person named after ``position`` whose description holds ``words``."""
        for mention in self.mentions:
            named = self.people[mention.key]
            if mention.start > position and words and words <= named.words:
                return named
        return None

    def latest(self, position: int) -> list[tuple[int, Named]]:
        """Everyone named before ``position``, by the place of their latest mention."""
        seen: dict[str, int] = {}
        for mention in self.mentions:
            if mention.start < position:
                seen[mention.key] = mention.start
        return [(start, self.people[key]) for key, start in seen.items()]

    def is_place(self, words: str) -> bool:
        return words.casefold() in self.places


def _runs(chunk: list[Token]) -> Iterable[tuple[int, int]]:
    """Runs of capitalised words (a name may hold "van", "de"): ``(first, last)`` indexes."""
    index = 0
    while index < len(chunk):
        if not chunk[index].capital:
            index += 1
            continue
        first = index
        while index < len(chunk):
            token = chunk[index]
            if not (token.capital or (token.lower in NAME_PARTICLES and index > first)):
                break
            index += 1
            if token.stop or token.possessive:
                break
        yield first, index


def _connects(token: Token) -> bool:
    """Whether a word before a name may belong to its title: "Minister for", "of the"."""
    if token.stop or token.possessive:
        return False
    return token.lower in TITLE_CONNECTORS | DETERMINERS | TITLE_WORDS or token.capital


def _subject(chunk: list[Token], first: int) -> bool:
    """Whether the name at ``first`` stands as a subject, not after a preposition."""
    index = first - 1
    while index >= 0 and (chunk[index].lower in TITLE_WORDS | DETERMINERS or chunk[index].capital):
        if chunk[index].stop:
            return True
        index -= 1
    return index < 0 or chunk[index].stop or chunk[index].lower not in PREPOSITIONS


def _apposition(chunk: list[Token], first: int, last: int) -> set[str]:
    """The words of the clauses around a name set off by commas: "Kastrany's foreign
    minister, Dariusz Melek," and "Marta Ilves, a senior fellow at …,"."""
    words: set[str] = set()
    if first > 0 and chunk[first - 1].stop:
        index = first - 1
        while index >= 0 and first - index <= DESCRIPTION_WORDS:
            words.add(chunk[index].lower)
            if index - 1 < 0 or chunk[index - 1].stop:
                break
            index -= 1
    if last - 1 < len(chunk) and chunk[last - 1].stop:
        for token in chunk[last : last + DESCRIPTION_WORDS]:
            words.add(token.lower)
            if token.stop:
                break
    return words
