"""Clauses of a sentence and its subject: who "…, saying" and "… and noted" belong to.

A speech verb that follows a coordination ("The ministers reviewed the progress … and noted
that …", "Farah Aziz welcomed the Act but said …") or a participle ("Hedda Lunn criticised the
agreement, saying …") has the sentence's subject as its speaker, which is the first clause that
is not an adverbial ("On Monday,", "Speaking to business leaders in March,"), with a name in
apposition preferred to the role before it ("The Children's Commissioner, Farah Aziz, …").
"""

from __future__ import annotations

import re
from collections.abc import Container

from bot.tools.draft.phrases import phrase_after, phrase_of, strip_time
from bot.tools.draft.vocabulary import LEADING_LINKS, PREPOSITIONS, TIME_LEADS
from bot.tools.draft.words import Phrase, Token, tokenize

CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–\"“”«»「」\x1f]+|\s--?\s")
_ADVERBS = frozenset("however too also though meanwhile instead indeed unsurprisingly".split())
_COORDINATORS = frozenset(["and", "but", "or"])


def clauses_of(text: str, offset: int) -> list[list[Token]]:
    """``text`` cut at commas, dashes, brackets and quotations, as token lists."""
    clauses = []
    position = 0
    for match in [*CLAUSE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        clauses.append(tokenize(text[position:end], offset + position))
        if match:
            position = match.end()
    return clauses


def empty_clause(clause: list[Token]) -> bool:
    """No words, or only an adverb set off by commas ("The Federation, unsurprisingly,"), or
    an auxiliary ("Amara Diallo, had told")."""
    return all(t.lower in _ADVERBS or t.lower.endswith("ly") for t in strip_time(clause))


def coordinated(clause: list[Token]) -> bool:
    """Whether the verb follows "and"/"but": its subject is the sentence's."""
    words = strip_time(clause)
    return bool(words) and words[-1].lower in _COORDINATORS


def _adverbial(clause: list[Token]) -> bool:
    first = clause[0].lower
    return (
        first in PREPOSITIONS
        or first in LEADING_LINKS
        or first in TIME_LEADS
        or first.endswith("ing")
        or first in ("asked", "told")
    )


def sentence_subject(clauses: list[list[Token]], places: Container[str]) -> Phrase:
    """The subject of a sentence, from its clauses (see the module's docstring)."""
    for number, clause in enumerate(clauses):
        words = [t for t in clause if t.text[:1].isalpha()]
        if not words or _adverbial(words):
            continue
        phrase = phrase_after(words, places, inverted=False)
        if phrase.kind in ("role", "anonymous") and number + 1 < len(clauses):
            named = phrase_of(clauses[number + 1], places)
            if named is not None and named.kind == "person":
                return named
        return phrase
    return phrase_after([], places)
