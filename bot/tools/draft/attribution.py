"""Whose words a sentence reports, and through whom: its speech verbs and their speakers.

News copy attributes in many shapes, all read here: "X said", "said X", "X, the foreign
minister, said", "said at a briefing on Thursday the official representative … X", "according
to X", "as X recalled", "in his words", "X criticised the plan, saying", "X was quoted as
saying", "X conveyed the message of Y that". Each speech verb (or phrase) in the sentence,
quotations masked, gives a speaker; when two different people are found, the one the article
itself reports ("Wang said", "according to …", a closing "…, he added") is the relayer and
the other ("… Xi stressed that") the speaker, and that becomes a relayed statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.tools.draft.phrases import phrase_after, phrase_before, phrase_of
from bot.tools.draft.records import Person
from bot.tools.draft.speakers import Cast
from bot.tools.draft.subjects import (
    CLAUSE_BREAK,
    clauses_of,
    coordinated,
    empty_clause,
    sentence_subject,
)
from bot.tools.draft.vocabulary import (
    INVERTING_VERBS,
    MESSAGE_NOUNS,
    NOT_RELAYING,
    ONLY_INVERTED,
    PARTICIPLES,
    SPEECH_VERBS,
)
from bot.tools.draft.words import Phrase, Token, tokenize

MAX_APPOSITION_CLAUSES = 4  # "Ines Kolar, 58, whose house is under water, said"
_PASSIVE = frozenset("is are was were be been being".split())


def _alternatives(words: frozenset[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_INFINITIVES = r"(?:say|add|note|stress|point\s+out|emphasi[sz]e|warn|explain|confirm)"
_VERB = re.compile(
    rf"\b(?:went\s+on\s+to\s+{_INFINITIVES}"
    rf"|(?!(?:declin|refus|fail|decid)ed)[a-z]+ed(?:\s+back)?\s+to\s+{_INFINITIVES}"
    r"|(?:pointed|points)\s+out|(?:was|were|is|has\s+been)\s+quoted\b[^,.;]{0,40}?\bas\s+saying"
    r"|call(?:ed|s)\s+(?:on|upon|for)"
    rf"|(?P<word>{_alternatives(SPEECH_VERBS - {'pointed', 'points'})}))\b"
)
_ACCORDING = re.compile(r"\baccording\s+to\b", re.IGNORECASE)
_IN_WORDS = re.compile(r"\bin\s+(?:(?P<whose>his|her)\s+words|the\s+words\s+of)\b", re.I)
_PARTICIPLE = re.compile(rf",\s*(?:{_alternatives(PARTICIPLES)})\b")
_MESSAGE_OF = re.compile(rf"\b(?:{_alternatives(MESSAGE_NOUNS)})\s+of\b")
_TRAILING_REST = re.compile(
    r"^(?:\s+(?:on|at|in|during|to|after|before)\b(?:(?!\bthat\b)[^,;]){0,80})?"
    r"\s*[.!?]?[\"”’)]*\s*$"
)


@dataclass(frozen=True, slots=True)
class Said:
    """Who is speaking in a sentence, through whom, and whether saying so ends it."""

    person: Person
    relayed_by: Person | None = None
    trailing: bool = False  # the attribution closes the sentence: "…, he added."
    note: str = ""  # how the speaker was found, when it is a guess


@dataclass(frozen=True, slots=True)
class _Found:
    position: int
    person: Person | None  # None: a speech verb whose subject was not found
    outer: bool  # "according to X", a closing "…, X said": the article's own source
    relays: bool  # may report another's words: "X said Y stressed"
    trailing: bool


@dataclass(frozen=True, slots=True)
class Context:
    """Where a sentence stands: its offset in the article, its paragraph's, whose voice."""

    offset: int
    paragraph: int
    voice: Person | None = None


def attribution(sentence: str, cast: Cast, context: Context) -> Said | None:
    """Who the sentence (quotations masked) says is speaking, and who passes it on."""
    found = sorted(_found(sentence, cast, context), key=lambda f: f.position)
    distinct: list[_Found] = []
    for item in found:
        if item.person and not any(_same(item.person, other.person) for other in distinct):
            distinct.append(item)
    outer = next((f for f in distinct if f.outer), distinct[0] if distinct else None)
    if outer is None or outer.person is None:
        return None
    trailing = any(f.trailing for f in found)
    later = [f for f in distinct if f is not outer and (outer.outer or f.position > outer.position)]
    inner = next((f for f in later if f.relays), None) or _content_subject(
        found, outer, cast, context
    )
    if inner is None or inner.person is None:
        return Said(outer.person, None, trailing)
    relayer = None if outer.person.anonymous else outer.person
    return Said(inner.person, relayer, trailing)


def _content_subject(
    found: list[_Found], outer: _Found, cast: Cast, context: Context
) -> _Found | None:
    """ "Wang went on to point out in recent interactions …, President Xi Jinping has provided
    guidance, summarized seven points and …": a speech verb with no subject of its own, in
    what the outer speaker said, belongs to the person that account is about."""
    for item in found:
        if item.person is None and item.relays and item.position > outer.position:
            named = cast.mentions.subject_between(
                context.offset + outer.position, context.offset + item.position
            )
            person = cast.resolve_name(named.name) if named else None
            if person is not None and outer.person and not _same(person, outer.person):
                return _Found(item.position, person, False, True, False)
    return None


def _same(one: Person | None, other: Person | None) -> bool:
    if one is None or other is None:
        return False
    return one is other or (one.anonymous and other.anonymous)


def _found(sentence: str, cast: Cast, context: Context) -> Iterator[_Found]:
    for match in _VERB.finditer(sentence):
        word = match.group("word") or ""
        person, trailing = _verb_speaker(sentence, match.start(), match.end(), word, cast, context)
        yield _Found(match.start(), person, trailing, word not in NOT_RELAYING, trailing)
    for match in _ACCORDING.finditer(sentence):
        phrase = phrase_after(
            _tokens(sentence, match.end(), context), cast.mentions.places, inverted=False
        )
        person = _resolve(cast, phrase, context, context.offset + match.end())
        if person is not None:
            yield _Found(match.start(), person, True, False, _closes(sentence, phrase, context))
    for match in _IN_WORDS.finditer(sentence):
        if match.group("whose"):
            phrase = Phrase("pronoun", tuple(tokenize(match.group("whose"))))
        else:
            phrase = phrase_after(
                _tokens(sentence, match.end(), context), cast.mentions.places, inverted=False
            )
        person = _resolve(cast, phrase, context, context.offset + match.start())
        if person is not None:
            yield _Found(match.start(), person, True, False, False)
    yield from _others(sentence, cast, context)


def _others(sentence: str, cast: Cast, context: Context) -> Iterator[_Found]:
    """ "…, saying": the sentence's subject; "the message of Y": Y, as relayed."""
    places = cast.mentions.places
    for match in _PARTICIPLE.finditer(sentence):
        phrase = sentence_subject(clauses_of(sentence[: match.start()], context.offset), places)
        person = _resolve(cast, phrase, context, context.offset)
        if person is not None:
            yield _Found(match.start(), person, False, False, False)
    for match in _MESSAGE_OF.finditer(sentence):
        phrase = phrase_after(_tokens(sentence, match.end(), context), places, inverted=False)
        person = _resolve(cast, phrase, context, context.offset + match.end())
        if person is not None and phrase.kind == "person":
            yield _Found(match.start(), person, False, True, False)


def _verb_speaker(
    sentence: str, start: int, end: int, word: str, cast: Cast, context: Context
) -> tuple[Person | None, bool]:
    """The speaker of one speech verb and whether the attribution closes the sentence."""
    places = cast.mentions.places
    clauses = clauses_of(sentence[:start], context.offset)
    last = clauses[-1] if clauses else []
    if _passive(last) or (word in ONLY_INVERTED and not empty_clause(last)):
        return None, False  # "the head of state is regularly informed": told, not telling
    if not empty_clause(last):
        phrase = phrase_before(last, places)
        if phrase.kind == "none" and coordinated(last):
            phrase = sentence_subject(clauses, places)  # "The ministers reviewed … and noted"
        elif _object_of_what(last, phrase):
            return None, False  # "That is not what the audit office said"
        person = _resolve(cast, phrase, context, last[-1].start)
        return person, person is not None and bool(_TRAILING_REST.match(sentence[end:]))
    if word in INVERTING_VERBS or not word:
        after = _tokens(sentence, end, context)
        phrase = phrase_after(after, places)
        person = _resolve(cast, phrase, context, context.offset + end)
        if person is not None:
            return person, _closes(sentence, phrase, context)
    return _apposition(clauses[:-1], cast, context), False


def _passive(clause: list[Token]) -> bool:
    words = [t.lower for t in clause if not t.lower.endswith("ly")]
    return bool(words) and words[-1] in _PASSIVE


def _object_of_what(clause: list[Token], phrase: Phrase) -> bool:
    """Whether the speaker's phrase follows "what" ("what the audit office said"): the verb
    then reports no content of the sentence."""
    if not phrase.tokens:
        return False
    first = next((n for n, t in enumerate(clause) if t.start == phrase.tokens[0].start), 0)
    return any(t.lower in ("what", "whatever") for t in clause[max(0, first - 3) : first])


def _apposition(clauses: list[list[Token]], cast: Cast, context: Context) -> Person | None:
    """ "Daniel Orsi, director of the charity SafeStart Kestria, said": the name, not the body;
    failing a name, a role or body in apposition ("A senior official, who …, said")."""
    places = cast.mentions.places
    candidates = list(reversed(clauses[-MAX_APPOSITION_CLAUSES:]))
    phrases = [(clause, phrase_of(clause, places)) for clause in candidates]
    for number, (clause, phrase) in enumerate(phrases):
        if phrase is not None and phrase.kind == "person":
            if number + 1 < len(phrases):
                head = phrase_after(phrases[number + 1][0], places, inverted=False)
                if head.kind == "body":  # "The company that operated the dam, Sarrow Hydro,"
                    return _resolve(cast, head, context, clause[0].start)
            return _resolve(cast, phrase, context, clause[0].start)
    for clause, phrase in phrases:
        if phrase is not None and phrase.kind in ("role", "anonymous", "body"):
            return _resolve(cast, phrase, context, clause[0].start)
    return None


def _resolve(cast: Cast, phrase: Phrase, context: Context, at: int) -> Person | None:
    return cast.resolve(phrase, at, context.paragraph, context.voice)


def _tokens(sentence: str, start: int, context: Context) -> list[Token]:
    """The words after ``start`` up to the end of their clause."""
    rest = sentence[start:]
    cut = CLAUSE_BREAK.search(rest)
    return tokenize(rest[: cut.start()] if cut else rest, context.offset + start)


def _closes(sentence: str, phrase: Phrase, context: Context) -> bool:
    if not phrase.tokens:
        return False
    rest = sentence[phrase.tokens[-1].end - context.offset :]
    return bool(_TRAILING_REST.match(rest))
