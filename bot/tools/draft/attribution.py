"""Whose words a sentence reports: its speech verb ("said", "according to") and speaker.

Kept apart from speaker recognition because the question here is grammatical (which clause,
before or after the verb, names the speaker, and does the attribution close the sentence)
while the ``Cast`` decides who that clause means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.tools.draft.records import Person
from bot.tools.draft.speakers import Cast

_VERBS = (
    r"said|says|added|adds|noted|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|underlined|"
    r"underscored|pointed\s+out|points\s+out|told|tells|stated|remarked|declared|explained|"
    r"insisted|argued|warned|urged|reiterated|affirmed|asserted|acknowledged|replied|wrote|"
    r"commented"
)
_BASE_VERBS = r"say|add|note|stress|emphasi[sz]e|underline|point\s+out|explain|warn|urge|reiterate"
_SPEECH = re.compile(
    rf"\b(?:(?:also|further|then|later|again|has|had)\s+)*(?:{_VERBS})\b"
    rf"|\bwent\s+on\s+to\s+(?:{_BASE_VERBS})\b"
)
_ACCORDING = re.compile(r"\baccording\s+to\s+", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–\"“”«»「」]|\s--?\s")
_CLAUSE_END = re.compile(
    r"[,;:.!?()\[\]—–\"“”«»「」]|\s(?:on|at|in|during|while|when|who|after|before|as|to|from|"
    r"with|for|last|this|yesterday|today|that)\b"
)
_TRAILING_REST = re.compile(r"^(?:\s+(?:on|at|in|during)\b[^,;]*)?\s*[.!?]?[\"”’)]*\s*$")


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who a sentence says is speaking, and whether saying so ends the sentence."""

    person: Person
    trailing: bool  # the attribution closes the sentence: "…, he added."


def attribution(sentence: str, cast: Cast) -> Attribution | None:
    """Who the sentence says is speaking, from its first speech verb that names someone."""
    matches: list[tuple[int, str, int, int]] = []
    for match in _SPEECH.finditer(sentence):
        matches.append((match.start(), "verb", match.start(), match.end()))
    for match in _ACCORDING.finditer(sentence):
        matches.append((match.start(), "according", match.start(), match.end()))
    for _position, how, start, end in sorted(matches):
        before = sentence[:start]
        clauses = _CLAUSE_BREAK.split(before)
        after = sentence[end:]
        cut = _CLAUSE_END.search(after)
        named = after[: cut.start()] if cut else after
        rest = after[cut.start() :] if cut else ""
        person: Person | None = None
        if how == "according":
            person = cast.resolve(named, "after")
            trailing = bool(_TRAILING_REST.match(rest))
        elif clauses[-1].strip():
            person = cast.resolve(clauses[-1], "before")
            trailing = bool(_TRAILING_REST.match(after))
        else:
            person = cast.resolve(named, "after")  # "…, said Wang."
            trailing = bool(_TRAILING_REST.match(rest))
            for clause in reversed(clauses[-3:-1]):  # "Wang Yi, China's top diplomat, said"
                if person is not None:
                    break
                person = cast.resolve(clause, "before")
                trailing = False
        if person is not None:
            return Attribution(person, trailing)
    return None
