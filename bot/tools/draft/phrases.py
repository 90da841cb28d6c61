"""Cutting the phrase that names a speaker out of a clause next to a speech verb.

Three cuts: the phrase ending where the verb starts ("… the Minister of Energy of Zarvenia
Pavel Grudinov [stated]": ``phrase_before``), the phrase after an inverted verb past its
adverbials ("[said] at a briefing on Thursday the official representative … Kovrigina":
``phrase_after``) and a whole clause in apposition ("Marta Ilves, [a senior fellow …], said":
``phrase_of``). What the phrase names is ``names.classify``'s question.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from bot.tools.draft.names import ENDS_PHRASE, classify, single_kind
from bot.tools.draft.vocabulary import (
    AUXILIARIES,
    CALENDAR,
    DETERMINERS,
    DOCUMENT_NOUNS,
    GENERIC_SUBJECTS,
    GROUP_NOUNS,
    INDEFINITE,
    LOCATIVE,
    NAME_PARTICLES,
    ORGANISATION_WORDS,
    PREPOSITIONS,
    TIME_LEADS,
    TIME_WORDS,
    TITLE_CONNECTORS,
    TITLE_WORDS,
)
from bot.tools.draft.words import NONE, Phrase, Token

MIN_TITLE_TO_NAME = 4  # "the chairman of … Ada Quill"
MAX_MODIFIERS = 4  # "a senior canal official": words between a determiner and a role
NUMBERS = frozenset("two three four five six seven eight nine ten several".split())
_CLAUSE_WORDS = frozenset("that whether if how why what when".split())
_NOT_NOUNS = (
    PREPOSITIONS
    | AUXILIARIES
    | _CLAUSE_WORDS
    | GENERIC_SUBJECTS
    | ENDS_PHRASE
    | {"and", "but", "or"}
)


def _in_phrase(token: Token) -> bool:
    lower = token.lower
    return (
        token.capital
        or lower in TITLE_WORDS
        or lower in ORGANISATION_WORDS
        or lower in GROUP_NOUNS
        or lower in DOCUMENT_NOUNS
        or lower in NAME_PARTICLES
        or lower in NUMBERS
    )


def strip_time(tokens: Sequence[Token]) -> list[Token]:
    """Drop the time words between a speaker and the verb: "Holt in April", "Gao last week"."""
    words = list(tokens)
    changed = True
    while words and changed:
        changed = False
        last = words[-1].lower
        if last in AUXILIARIES or last in TIME_WORDS:
            words.pop()
            changed = True
        elif last in CALENDAR or last.isdigit():
            words.pop()
            while words and (words[-1].lower in TIME_LEADS or words[-1].lower.isdigit()):
                words.pop()
            changed = True
        elif len(words) >= 2 and words[-2].lower in TIME_LEADS and last in TIME_WORDS:
            del words[-2:]
            changed = True
    return words


def phrase_before(tokens: Sequence[Token], places: Container[str]) -> Phrase:
    """The phrase that ends where the verb starts: "… the Minister of Energy of Zarvenia Pavel
    Grudinov [stated]", "Kovrigina [also noted]", "and he [has assured]"."""
    words = strip_time(tokens)
    if words and single_kind(words[-1].lower):
        return classify(words[-1:], places)
    start = _phrase_start(words)
    if start == len(words) or not any(_in_phrase(t) for t in words[start:]):
        start = _spokesperson_for(words, start)
    start = _modified_from(words, start)
    if 0 < start < len(words) and words[start - 1].lower in TITLE_CONNECTORS:
        start = _spokesperson_for(words, start)  # "A spokesman for | the canal ministry"
    partitive = _partitive(words)
    if partitive is not None:
        return Phrase("anonymous", tuple(words[partitive:]))  # "One of them said"
    if start > 0 and words[start - 1].lower in PREPOSITIONS and not words[start - 1].stop:
        if words[start - 1].lower in LOCATIVE:
            return phrase_before(words[: start - 1], places)  # "the zoo [in Malby] says"
        return NONE  # "relations between the two countries have": not who is speaking
    phrase = classify(words[start:], places)
    return _common_noun(words) if phrase.kind == "none" else phrase


def _phrase_start(words: Sequence[Token]) -> int:
    """Back from the verb over names, titles, bodies and "of the" to where the phrase starts."""
    start = len(words)
    while start > 0:
        token = words[start - 1]
        if token.stop and start < len(words):
            break
        lower = token.lower
        if lower in ENDS_PHRASE:
            start -= 1
            if start > 0 and words[start - 1].lower in TITLE_CONNECTORS:
                continue
            break
        if lower in TITLE_CONNECTORS and start < len(words) and start > 1:
            start -= 1
            continue
        if not _in_phrase(token) and not token.possessive:
            break
        start -= 1
    return start


def _common_noun(words: Sequence[Token]) -> Phrase:
    """ "the zoo says", "a senior fellow said": a source named by a common noun, unknown."""
    for size in range(2, MAX_MODIFIERS + 1):
        tail = words[-size:]
        if len(tail) < size or tail[0].lower not in ENDS_PHRASE or tail[0].stop:
            continue
        rest = tail[1:]
        nouns = all(t.text.isalpha() and t.text.islower() and not t.stop for t in rest)
        if nouns and not any(t.lower in _NOT_NOUNS for t in rest):
            kind = "anonymous" if tail[0].lower in INDEFINITE else "body"
            return Phrase(kind, tuple(tail))
    return NONE


def _partitive(words: Sequence[Token]) -> int | None:
    """Where "one of them" or "one of the officials" starts: someone the article does not
    name; None when the phrase is not one."""
    lowered = [w.lower for w in words]
    for size in (3, 4):
        tail = lowered[-size:]
        if len(tail) < size or tail[:2] != ["one", "of"]:
            continue
        if tail[-1] == "them" or tail[-1].endswith("s"):
            return len(words) - size
    return None


def _modified_from(words: Sequence[Token], start: int) -> int:
    """ "The Kastrani central bank", "a senior canal official": back past the lower-case words
    before a body or role to their determiner, when there is one close by."""
    if start >= len(words) or words[start].lower in ENDS_PHRASE:
        return start
    head = words[-1].lower
    if head not in ORGANISATION_WORDS and head not in TITLE_WORDS and head not in GROUP_NOUNS:
        return start
    for begin in range(start - 1, max(-1, start - MAX_MODIFIERS - 1), -1):
        word = words[begin]
        if word.stop or word.lower in PREPOSITIONS | _CLAUSE_WORDS | AUXILIARIES:
            return start
        if word.lower in ENDS_PHRASE:
            return begin
    return start


def _spokesperson_for(words: Sequence[Token], start: int) -> int:
    """ "A spokeswoman for the stock exchange": a title with a body after "for"/"of", however
    the body is spelt; where that phrase starts, else ``start``."""
    for index in range(len(words) - 2, 0, -1):
        if words[index].lower in TITLE_CONNECTORS and words[index - 1].lower in TITLE_WORDS:
            begin = index - 1
            while begin > 0 and (
                words[begin - 1].lower in TITLE_WORDS | ENDS_PHRASE or words[begin - 1].capital
            ):
                begin -= 1
                if words[begin].lower in ENDS_PHRASE:
                    break
            if any(w.stop for w in words[begin:-1]):
                return start
            return begin
    return start


def _skip_adverbials(tokens: Sequence[Token]) -> int:
    """Where the speaker's phrase starts after the verb: past "at a briefing on Thursday"."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        lower = token.lower
        if lower in AUXILIARIES or lower in TIME_WORDS or lower in CALENDAR:
            index += 1
        elif lower in PREPOSITIONS or lower in TIME_LEADS:
            index += 1
            if index < len(tokens) and tokens[index].lower in DETERMINERS:
                index += 1
            while index < len(tokens) and tokens[index].capital:
                index += 1  # "in Halvik": the place is the preposition's, not the speaker
            while index < len(tokens) and not _starts_speaker(tokens, index):
                if tokens[index].lower in _CLAUSE_WORDS or tokens[index].stop:
                    return len(tokens)  # "said in a statement that …": no speaker follows
                index += 1
        else:
            break
    return index


def _starts_speaker(tokens: Sequence[Token], index: int) -> bool:
    token = tokens[index]
    lower = token.lower
    if lower in PREPOSITIONS or lower in TIME_LEADS:
        return True  # a new adverbial: the caller skips it in turn
    if lower in DETERMINERS and index + 1 < len(tokens):
        return tokens[index + 1].lower in TITLE_WORDS
    return (token.capital and lower not in CALENDAR) or lower in TITLE_WORDS


def phrase_after(
    tokens: Sequence[Token], places: Container[str], *, inverted: bool = True
) -> Phrase:
    """The speaker of an inverted attribution: "[said] Foreign Minister Wang Yi on Tuesday",
    "[said] the diplomat", "[said] at a briefing the official representative … Kovrigina";
    with ``inverted`` false, the phrase a clause starts with ("Opposition leader Hedda Lunn")."""
    index = _skip_adverbials(tokens) if inverted else 0
    if index < len(tokens) and single_kind(tokens[index].lower):
        return classify(tokens[index : index + 1], places)
    end = index
    if end < len(tokens) and tokens[end].lower in ENDS_PHRASE:
        end += 1
    while end < len(tokens):
        token = tokens[end]
        lower = token.lower
        if lower in TITLE_CONNECTORS or lower in DETERMINERS:
            if end + 1 < len(tokens) and not tokens[end].stop:
                end += 1
                continue
            break
        if not (_in_phrase(token) or token.possessive):
            break
        end += 1
        if token.stop:
            break
    if inverted and not _ends_subject(tokens, end):
        end = _title_to_name(tokens, index)
        if end == index:
            return NONE  # "said Kessel had …": the start of what was said, not a speaker
    words = strip_time(tokens[index:end])
    while words and words[-1].lower in TITLE_CONNECTORS | DETERMINERS:
        words.pop()
    return classify(words, places)


def _title_to_name(tokens: Sequence[Token], index: int) -> int:
    """ "[said] the deputy chairman of the assembly committee on waterways Ada Quill": a title
    whose "of"/"on" phrase runs in lower case up to a name that closes the clause; its end,
    else ``index``."""
    rest = tokens[index:]
    if len(rest) < MIN_TITLE_TO_NAME or not rest[-1].capital:
        return index
    if rest[0].lower not in ENDS_PHRASE | TITLE_WORDS:
        return index
    if any(t.stop for t in rest[:-1]):
        return index
    if any(t.lower in PREPOSITIONS - TITLE_CONNECTORS or t.lower in _CLAUSE_WORDS for t in rest):
        return index
    return len(tokens)


def _ends_subject(tokens: Sequence[Token], end: int) -> bool:
    """An inverted speaker ends the clause or is followed by an adverbial ("in an interview")."""
    if end >= len(tokens) or (end > 0 and tokens[end - 1].stop):
        return True
    following = tokens[end].lower
    return following in PREPOSITIONS or following in TIME_LEADS or following in TIME_WORDS


def phrase_of(tokens: Sequence[Token], places: Container[str]) -> Phrase | None:
    """The whole clause as one phrase ("Marta Ilves", "Kastrany's foreign minister"), or None
    when it says more than who someone is ("a senior fellow at the Lindau Institute")."""
    words = strip_time(tokens)
    if not words:
        return None
    if _modified_from(words, len(words) - 1) == 0:
        return classify(words, places)  # "A senior canal official", "The canal board"
    for number, token in enumerate(words):
        lower = token.lower
        allowed = _in_phrase(token) or token.possessive or lower in TITLE_CONNECTORS
        if number == 0:
            allowed = allowed or lower in ENDS_PHRASE
        elif lower in DETERMINERS:
            allowed = words[number - 1].lower in TITLE_CONNECTORS
        if not allowed:
            return None
    return classify(words, places)
