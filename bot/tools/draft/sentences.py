"""Cutting an article into paragraphs, quotations and sentences, by character position.

Every statement the draft proposes is a slice of the article, so everything here works on
``(start, end)`` spans of the original text and never rewrites it. Quotations are found
first and masked, so that a full stop or a "said" inside someone's words neither ends the
article's sentence nor counts as the article attributing them; the sentence splitter knows
the abbreviations ("U.S.", "Dec. 17", "Mr. Wang") that news copy is full of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.normalize import normalize, tokens

MIN_QUOTE_WORDS = 4  # shorter quoted phrases are names, titles or scare quotes

OPENING_QUOTES = '"“«「『'
CLOSING_QUOTES = '"”»」』'
_SINGLE = re.compile(
    r"(?:(?<![\w'’])(?P<open>['‘])(?=[^\W\d_]))|(?:(?<=[\w.,!?])(?P<close>['’])(?=[\s.,;:!?)—–-]|$))"
)
MASK = "\x1f"  # stands in for quoted words, so their full stops and verbs are not the article's
_SENTENCE_END = re.compile(r"[.!?]+[\"”’)\]]*(\s+)")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen sen rep gov lt col capt st no vs etc jr sr inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec fig approx".split()
)


@dataclass(frozen=True, slots=True)
class Quotation:
    """A quoted passage: where its words are, and whether it reads like someone's speech."""

    start: int  # inner text, quote marks excluded
    end: int
    closed: bool
    direct: bool


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Blank-line paragraphs; a file without blank lines has one paragraph per line."""
    separator = r"\n[ \t]*\n" if re.search(r"\n[ \t]*\n", text) else r"\n"
    spans = []
    position = 0
    for match in [*re.finditer(separator, text), None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            start = position + (len(chunk) - len(chunk.lstrip()))
            spans.append((start, start + len(stripped)))
        if match:
            position = match.end()
    return spans


def quotations(text: str, start: int, end: int) -> list[Quotation]:
    """Quoted passages of one paragraph; one left open runs to the paragraph's end.

    A passage counts as a direct quotation when it reads like speech: at least a few words,
    or a complete sentence, or one continuing into the next paragraph, and not Title Case
    (``the "San Francisco Vision,"`` names something; it quotes no one).
    """
    if not any(char in OPENING_QUOTES + CLOSING_QUOTES for char in text[start:end]):
        return _single_quotations(text, start, end)  # British style: 'We are ready,' she said.
    found: list[Quotation] = []
    opened: int | None = None
    for position in range(start, end):
        char = text[position]
        if opened is None and char in OPENING_QUOTES:
            opened = position + 1
        elif opened is not None and char in CLOSING_QUOTES:
            found.append(_quotation(text, opened, position, closed=True))
            opened = None
    if opened is not None:
        found.append(_quotation(text, opened, end, closed=False))
    return found


def _single_quotations(text: str, start: int, end: int) -> list[Quotation]:
    """Passages in single quotation marks, told from apostrophes ("isn't", "farmers' grant")
    by where they stand: an opening mark after a space and before a letter, a closing one
    after a letter or punctuation and before a space or punctuation."""
    found: list[Quotation] = []
    opened: int | None = None
    for match in _SINGLE.finditer(text, start, end):
        if opened is None and match.group("open"):
            opened = match.end()
        elif opened is not None and match.group("close"):
            found.append(_quotation(text, opened, match.start("close"), closed=True))
            opened = None
    if opened is not None:
        found.append(_quotation(text, opened, end, closed=False))
    return found


def _quotation(text: str, start: int, end: int, *, closed: bool) -> Quotation:
    inner = text[start:end]
    words = tokens(normalize(inner))
    long_words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", inner) if len(w) >= 4]
    title_case = bool(long_words) and all(w[0].isupper() for w in long_words)
    speech_like = len(words) >= MIN_QUOTE_WORDS or inner.rstrip()[-1:] in ".!?" or not closed
    return Quotation(start, end, closed, direct=bool(words) and speech_like and not title_case)


def quote_text_span(text: str, quotation: Quotation) -> tuple[int, int]:
    """The quoted words without surrounding spaces or the comma that hands over to "he said"."""
    start, end = quotation.start, quotation.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


def masked(text: str, spans: Iterable[Quotation]) -> str:
    """``text`` with quoted words blanked out (positions kept), so that the sentence splitter
    does not split inside a quotation and "said" inside one is not an attribution."""
    chars = list(text)
    for quotation in spans:
        if not quotation.direct:
            continue
        end = quotation.end
        while end > quotation.start and chars[end - 1] in ".!?":
            end -= 1  # keep the final full stop: it still ends the article's sentence
        for position in range(quotation.start, end):
            if not chars[position].isspace():
                chars[position] = MASK
    return "".join(chars)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``, not fooled by "U.S.", "Dec. 17" or "Mr. Wang"."""
    spans = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        following = text[match.end() : match.end() + 1]
        if not following or not (
            following.isupper() or following.isdigit() or following in '"“‘(['
        ):
            continue
        before = text[position : match.start()].split()
        word = before[-1].lstrip('"“‘([') if before else ""
        if text[match.start()] == "." and _is_abbreviation(word):
            continue
        spans.append((position, match.start(1)))
        position = match.end()
    if position < end and text[position:end].strip():
        spans.append((position, end))
    return spans


def _is_abbreviation(word: str) -> bool:
    return (
        word.lower() in _ABBREVIATIONS
        or len(word) == 1
        or bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))
    )


def outside_quotes(sentence: str) -> str:
    return sentence.replace(MASK, " ")


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
