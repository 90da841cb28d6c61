"""Titles as ways of naming a speaker: "the mayor", "the finance minister", "deputy governor".

A title means whoever held it at the time, so a question saying "the mayor" favours statements
made by a speaker while they held a role with that title. The phrases come from the roles in
the knowledge base by English title grammar ("Minister of Finance of X" is also "finance
minister" and "minister of finance"), never from a list of titles.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.knowledge.models import KnowledgeBase, Statement
from bot.normalize import normalize, tokens
from bot.search.phrases import Phrase, PhraseTable

ROLE_PREFIX = "@"
_QUALIFIER = re.compile(r"\s*[,(].*$")  # "Chair, Budget Committee", "Deputy Governor (Payments)"
_LINK = re.compile(r"\s+(?:of|for|at|to)\s+")
_ARTICLES = frozenset({"the", "a", "an"})
MAX_COMPLEMENT_WORDS = 3  # "Minister of Finance" → "finance minister", not longer inversions
GENERIC_HEADS = frozenset({"member", "members", "official", "representative"})


@dataclass(frozen=True, slots=True)
class Tenure:
    """A speaker holding a titled role, over an open or closed period."""

    speaker: str
    start: dt.date | None
    end: dt.date | None

    def covers(self, statement: Statement) -> bool:
        if statement.speaker != self.speaker:
            return False
        day = statement.original_date or statement.date
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def title_phrases(title: str) -> set[Phrase]:
    """Every way English names the holder of ``title``."""
    main = _QUALIFIER.sub("", normalize(title)).strip()
    parts = _LINK.split(main, maxsplit=1)
    head = tuple(tokens(parts[0]))
    out: set[Phrase] = {tuple(tokens(main))}
    if head and not set(head) <= GENERIC_HEADS:
        out.add(head)
        out.update(head[i:] for i in range(1, len(head) - 1))  # "(regional) housing minister"
    if len(parts) == 2:
        first = _LINK.split(parts[1], maxsplit=1)[0]
        words = tokens(first)
        complement = tuple(w for w in words if w not in _ARTICLES)
        if head and 0 < len(complement) <= MAX_COMPLEMENT_WORDS:
            out.add((*complement, *head))  # "finance minister", "transport deputy mayor"
            out.add((*head, *tokens(f"of {first}")))
            if words[:1] == ["the"] and not set(head) <= GENERIC_HEADS:
                # "Leader of the Opposition": "the opposition" names who speaks for it
                out.add(("the", *complement))
    return {phrase for phrase in out if phrase}


class Roles:
    """Title phrases → who held them when; ``find`` reads them in a question's words."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.tenures: dict[str, list[Tenure]] = {}
        pairs: list[tuple[Phrase, Phrase]] = []
        for speaker in kb.speakers.values():
            for role in speaker.roles:
                tenure = Tenure(speaker.id, role.start, role.end)
                for phrase in title_phrases(role.title):
                    key = ROLE_PREFIX + " ".join(phrase)
                    self.tenures.setdefault(key, []).append(tenure)
                    pairs.append((phrase, (key,)))
        self.table = PhraseTable(dict.fromkeys(pairs))

    def find(self, words: Sequence[str]) -> list[Tenure]:
        _, found = self.table.apply(words)
        return [tenure for (key,) in found for tenure in self.tenures[key]]


def held_by(tenures: Iterable[Tenure], statement: Statement) -> bool:
    return any(tenure.covers(statement) for tenure in tenures)
