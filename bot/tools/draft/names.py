"""What a noun phrase names: a person (title and name apart), a role, a body, a pronoun.

"Veldorian Foreign Minister Anika Sorvald" names a person, "the Minister of Energy of Zarvenia
Pavel Grudinov" too (the place is the title's), "the minister" a role to resolve, "a spokesman
for the ministry" an anonymous source, "The Kastrani central bank", "Both sides" and "OPA" a
body, "Halvik" a place (a capital standing for its government), "the representative of
Norland" someone in particular the article does not name, "she" a pronoun, "Officials" no one
in particular.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from bot.normalize import has_han
from bot.tools.draft.vocabulary import (
    CALENDAR,
    DEFINITE,
    DETERMINERS,
    DOCUMENT_NOUNS,
    FIRST_PERSON,
    GENERIC_SUBJECTS,
    GROUP_NOUNS,
    IMPERSONAL,
    INDEFINITE,
    NAME_PARTICLES,
    NOT_NAMES,
    ORGANISATION_WORDS,
    PRONOUNS,
    ROLE_NOUNS,
    TITLE_CONNECTORS,
    TITLE_WORDS,
)
from bot.tools.draft.words import NONE, Phrase, Token

ENDS_PHRASE = DETERMINERS | DEFINITE | INDEFINITE  # "the": the phrase may start here


def classify(tokens: Sequence[Token], places: Container[str]) -> Phrase:
    """What a phrase (already cut to the speaker's words) names."""
    if not tokens:
        return NONE
    words = tuple(tokens)
    if len(words) == 1:
        kind = single_kind(words[0].lower)
        if kind:
            return Phrase(kind, words)
    determiner = words[0].lower if words[0].lower in ENDS_PHRASE else None
    body = words[1:] if determiner else words
    title, name = split_name(body, places)
    if name:
        return Phrase("person", words, tuple(t.text for t in name), title or None)
    return _nameless(words, body, determiner)


def single_kind(lower: str) -> str | None:
    if lower in PRONOUNS:
        return "pronoun"
    if lower in FIRST_PERSON:
        return "first"
    if lower in IMPERSONAL:
        return "body"
    if lower in GENERIC_SUBJECTS:
        return "generic"
    return None


def split_name(
    body: Sequence[Token], places: Container[str], *, strict: bool = True
) -> tuple[str, list[Token]]:
    """The title and the name in a phrase: "Veldorian Foreign Minister | Anika Sorvald",
    "Minister of Energy of Zarvenia | Pavel Grudinov"; no name for "Ministry of Industry" or
    "the representative of Norland"; "Ingrid Solberg | of Vestland". With ``strict`` false
    (reading names anywhere, not next to a verb) "the invitation of Teodor Brannic" names him."""
    before, run = _last_run(body)
    if before and before[-1].lower in ORGANISATION_WORDS and not before[-1].capital:
        return "", []  # "the children's charity SafeStart Kestria": the body's own name
    if before and before[-1].lower in TITLE_CONNECTORS and run:
        if len(run) >= 3:
            if run[0].lower not in TITLE_WORDS | ORGANISATION_WORDS:
                before.append(run.pop(0))  # "of Zarvenia | Yelena Kovrigina"
        elif strict or any(t.lower in ORGANISATION_WORDS for t in before) or _is_place(run, places):
            return split_name(before[:-1], places)  # the run is what the title is "of"
    while run and run[0].lower in NOT_NAMES:
        run.pop(0)  # "Then Reznik said", "As Foreign Minister Gao said"
    titled = [n + 1 for n, t in enumerate(run) if t.lower in TITLE_WORDS | ORGANISATION_WORDS]
    cut = max(titled, default=0)
    before += run[:cut]
    name = run[cut:]
    while name and name[0].lower in NAME_PARTICLES:
        before.append(name.pop(0))
    if not name or _not_a_name(name, places):
        return "", []
    while before and before[0].lower in DETERMINERS | TITLE_CONNECTORS:
        before.pop(0)
    return " ".join(t.text for t in before), name


def _last_run(body: Sequence[Token]) -> tuple[list[Token], list[Token]]:
    """The words before the last run of capitalised words (determiners dropped), and the run."""
    start = len(body)
    while start > 0 and (body[start - 1].capital or body[start - 1].lower in NAME_PARTICLES):
        if (body[start - 1].possessive or body[start - 1].stop) and start < len(body):
            break
        start -= 1
    before = list(body[:start])
    while before and before[-1].lower in DETERMINERS:
        before.pop()
    return before, list(body[start:])


def _is_place(run: Sequence[Token], places: Container[str]) -> bool:
    return " ".join(t.lower for t in run) in places


def _not_a_name(name: Sequence[Token], places: Container[str]) -> bool:
    if len(name) == 1 and (name[0].acronym or not name[0].text[:1].isalpha()):
        return not has_han(name[0].text[:1])
    if all(t.lower in CALENDAR for t in name) or any(t.lower in ORGANISATION_WORDS for t in name):
        return True
    return _is_place(name, places) or any(t.lower in places for t in name[:1])


def _nameless(words: Sequence[Token], body: Sequence[Token], determiner: str | None) -> Phrase:
    """A phrase without a name: a role ("the minister"), an anonymous source ("a spokesman"),
    a body ("the central bank", "Both sides") or nothing worth a statement ("Officials")."""
    head_part: list[Token] = []
    for token in body:
        if token.lower in TITLE_CONNECTORS:
            break
        head_part.append(token)
    if not head_part:
        return NONE
    head = head_part[-1].lower
    if head in CALENDAR:
        return NONE
    if head in GROUP_NOUNS or (determiner == "both" and head not in ROLE_NOUNS):
        return Phrase("body", tuple(words))
    if head in ORGANISATION_WORDS or head in DOCUMENT_NOUNS or head_part[-1].acronym:
        return Phrase("body", tuple(words))
    if head in ROLE_NOUNS:
        role = {t.lower for t in head_part if t.lower in TITLE_WORDS}
        qualifier = {t.lower for t in body[len(head_part) :] if t.capital}  # "of Norland"
        qualifier |= {t.lower for t in head_part if t.possessive}  # "Quill's spokesman"
        kind = "anonymous" if determiner in INDEFINITE or _has_body(body) else "role"
        return Phrase(
            kind, tuple(words), role=frozenset(role | qualifier), qualified=bool(qualifier)
        )
    if head in GENERIC_SUBJECTS:
        return Phrase("generic", tuple(words))
    if head_part[-1].capital:
        return Phrase("body", tuple(words))  # a place or a body by its proper name: "Halvik"
    return NONE


def _has_body(body: Sequence[Token]) -> bool:
    """ "spokesman for the foreign ministry": someone speaking for a body, not named."""
    seen_connector = False
    for token in body:
        if token.lower in TITLE_CONNECTORS:
            seen_connector = True
        elif seen_connector and token.lower in ORGANISATION_WORDS:
            return True
    return False
