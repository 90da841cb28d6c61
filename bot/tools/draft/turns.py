"""Whose voice each paragraph is in: a transcript's turns, an interview, a published speech.

In a news report the article speaks and quotes others; in a transcript ("SPOKESPERSON LIN:",
"Q:", "Reporter (Daily Meridian):"), an interview ("Harbour Review:" / "Varga:") or a speech
("Speech by Oriane Delacourt, Minister of …") the official's own words carry no quotation marks,
and what they report of a third person is relayed by them. This module only reads the layout:
which paragraphs are turns, by which label, whether a label asks the questions (its turns end
in "?", or it is "Q", "Reporter", "Moderator"…), and who gives a speech.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.normalize import normalize, tokens
from bot.tools.draft.vocabulary import DETERMINERS, NAME_PARTICLES, TITLE_CONNECTORS

_LABEL = re.compile(r"(?:\d{1,3}\.\s+)?(?P<label>[^\W\d_][\w.'’ ()-]{0,78}?)\s*[:：]\s+")
_PARENTHESES = re.compile(r"\([^()]*\)")
_SPEECH = re.compile(
    r"^(?:(?:opening|closing|keynote|full|prepared)\s+)?(?:speech|remarks|address|statement|"
    r"lecture|testimony|toast|keynote)\s+(?:by|of|from)\s+(?P<who>[^,;:(\n]+)",
    re.IGNORECASE,
)
_AUTHOR_END = re.compile(r"\s(?:at|to|in|on|before|during|for)\s")
QUESTIONERS = frozenset(
    """q question questions reporter reporters journalist moderator host interviewer anchor
    presenter audience chair chairman chairwoman""".split()
)
NOT_SPEAKERS = QUESTIONERS | frozenset(
    """note editor photo source update updated correction date time place location by author
    tags keywords title subject summary published""".split()
)
MIN_TRANSCRIPT_SPEAKERS = 2  # labelled turns by someone, before the text counts as a transcript
MAX_LABEL_WORDS = 6


@dataclass(frozen=True, slots=True)
class Turn:
    """One paragraph of a transcript: where its words start, whose label, whether the label
    is one that asks ("Q", "Reporter"), and whether the turn ends with a question mark."""

    words_at: int
    label: str | None
    asks: bool
    question: bool | None = None  # None for a paragraph that continues a turn


def label_of(text: str, start: int, end: int) -> tuple[int, str] | None:
    """``Spokesperson Mao Ning: …`` at the start of a paragraph (a transcript's turn)."""
    match = _LABEL.match(text, start, end)
    if not match:
        return None
    name = match.group("label").strip()
    words = _PARENTHESES.sub(" ", name).split()
    if not words or len(words) > MAX_LABEL_WORDS:
        return None
    allowed = NAME_PARTICLES | DETERMINERS | TITLE_CONNECTORS
    if not all(w[:1].isupper() or w.casefold() in allowed for w in words):
        return None
    return match.end(), name


def label_names(label: str) -> list[str]:
    """Where a label may name its speaker: "The Minister for Ports (Mr Alun Brecker)" names
    him in brackets, "Ms Carys Wendt (Ellery South)" before them."""
    return [
        _PARENTHESES.sub(" ", label).strip(),
        *(p.strip("() ") for p in _PARENTHESES.findall(label)),
    ]


def _key(label: str) -> str:
    return " ".join(tokens(normalize(_PARENTHESES.sub(" ", label))))


def not_a_speaker(label: str) -> bool:
    key = _key(label)
    first = key.split()[:1]
    return key in NOT_SPEAKERS or (first and first[0] in QUESTIONERS) or len(key) < 2


def transcript(text: str, body: list[tuple[int, int]]) -> dict[tuple[int, int], Turn] | None:
    """Each body paragraph's turn, when the body is a transcript (two or more labelled turns
    by speakers); None for ordinary prose."""
    labels = {span: label_of(text, *span) for span in body}
    speaking = [found for found in labels.values() if found and not not_a_speaker(found[1])]
    if len(speaking) < MIN_TRANSCRIPT_SPEAKERS:
        return None
    turns: dict[tuple[int, int], Turn] = {}
    current: Turn | None = None
    for span in body:
        found = labels[span]
        if found is not None:
            words_at, label = found
            question = text[: span[1]].rstrip().endswith("?")
            current = Turn(words_at, label, not_a_speaker(label), question)
            turns[span] = current
        elif _heading(text[span[0] : span[1]]):
            current = None  # "Fishing Quotas": a new section, nobody's words
            turns[span] = Turn(span[0], None, False)
        elif current is not None:
            turns[span] = Turn(span[0], current.label, current.asks)
        else:
            turns[span] = Turn(span[0], None, False)  # an introduction before the first turn
    return turns


def _heading(paragraph: str) -> bool:
    """A short line without a full stop: a section heading, not a turn's last words."""
    words = paragraph.split()
    return len(words) <= MAX_LABEL_WORDS and paragraph.rstrip()[-1:] not in '.!?"”’'


def speech_author(text: str, spans: list[tuple[int, int]]) -> tuple[int, str] | None:
    """ "Speech by Oriane Delacourt, Minister of …": which paragraph says so (among the first
    two) and the author's words, or None when the text is not a published speech."""
    for number, (start, end) in enumerate(spans[:2]):
        match = _SPEECH.match(text[start:end])
        if match:
            who = match.group("who")
            cut = _AUTHOR_END.search(who)
            return number, (who[: cut.start()] if cut else who).strip()
    return None
