"""The pass over an article that turns its body into candidate statements.

This is where the other modules meet, in reading order. ``draft_statements`` works out the
source (dateline, title, publisher, dates) and where the body starts; ``_Drafter`` then walks
the body once, paragraph by paragraph, so that "he" and "Wang" mean who they should, and a
paragraph opening with ``Name:`` is read as a transcript turn when the text is a transcript
(two or more labelled speakers); last, each candidate gets a date, topics and an id, and
``writer`` renders the lot.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.normalize import has_han, normalize, tokens
from bot.search.engine import SearchIndex
from bot.search.phrases import PhraseTable
from bot.search.text import stem
from bot.tools.draft import ids
from bot.tools.draft.attribution import Attribution, attribution
from bot.tools.draft.dates import (
    Dateline,
    fallback_date,
    filing_date,
    find_dateline,
    full_date,
    mentioned_date,
)
from bot.tools.draft.records import Candidate, Person
from bot.tools.draft.sentences import (
    OPENING_QUOTES,
    Quotation,
    masked,
    outside_quotes,
    paragraphs,
    quotations,
    quote_text_span,
    sentences,
    trim,
)
from bot.tools.draft.speakers import CONNECTORS, DETERMINERS, Cast
from bot.tools.draft.writer import render

MAX_TITLE_CHARS = 200
HEADER_CHARS = 500  # where to look for the publication date when there is no dateline
_TITLE_DATE_PREFIX = re.compile(r"^(?:date:?\s*)?\d{4}-\d{2}-\d{2}\s*", re.IGNORECASE)


@dataclass
class _Sentence:
    start: int
    end: int
    quotes: list[Quotation]
    said: Attribution | None = None


def draft_statements(
    text: str,
    index: SearchIndex | None,
    *,
    source_id: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
    published: dt.date | None = None,
    title: str | None = None,
    article: str = "the article",
) -> str:
    """A draft statements file (YAML text) for ``text``; ``index`` (the knowledge base's search
    index, or None) supplies known speakers, topics and the ids already taken."""
    spans = paragraphs(text)
    dateline = find_dateline(text, spans)
    notes: dict[str, str] = {}
    if published is None:
        header = text[: spans[dateline.paragraph][0]] if dateline else text[:HEADER_CHARS]
        published = full_date(header) or full_date(text)
        notes["published"] = "found in the article; check" if published else "FILL IN"
    filed = filing_date(dateline, published)
    if title is None:
        title = _title(text, spans, dateline)
        notes["title"] = "the article's first line; check" if title else "FILL IN"
    if publisher is None and dateline is not None and dateline.agency:
        publisher = dateline.agency
        notes["publisher"] = "from the dateline; check"
    if source_id is None:
        source_id = ids.source_id(publisher, published, title)
        notes["id"] = "check: it also names this file and the stored text"
    source: dict[str, object] = {
        "id": source_id,
        "title": title,
        "publisher": publisher,
        "url": url,
        "published": published,
        "language": "zh" if _mostly_han(text) else "en",
    }

    if dateline is not None:
        body = spans[dateline.paragraph :]
        body[0] = (dateline.end, body[0][1])
    else:
        body = spans[1:] if title is not None and len(spans) > 1 else spans
    cast = Cast(index, not_speakers=[n for n in (publisher, dateline and dateline.agency) if n])
    reference = filed or published
    candidates = _Drafter(text, cast, reference).run(body)
    fallback = fallback_date(text, body, filed, published, reference)
    topics = _topic_table(index)
    taken = set(index.kb.by_id) if index else set()
    for candidate in candidates:
        if candidate.date is None and fallback is not None:
            candidate.date, candidate.date_note = fallback
        candidate.topics = _topics(topics, text[candidate.start : candidate.end])
        candidate.id = ids.statement_id(candidate, text, taken)
        taken.add(candidate.id)
    stubs = cast.stubs({c.speaker.id for c in candidates})
    known_source = index is not None and source_id in index.kb.sources
    return render(text, article, source, notes, stubs, candidates, cast, known_source)


def _title(text: str, spans: list[tuple[int, int]], dateline: Dateline | None) -> str | None:
    if not spans or (dateline is not None and dateline.paragraph == 0):
        return None
    first = text[spans[0][0] : spans[0][1]].splitlines()[0].strip()
    first = _TITLE_DATE_PREFIX.sub("", first).strip()
    return first[:MAX_TITLE_CHARS] or None


def _mostly_han(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(has_han(c) for c in letters) > len(letters) / 2


_LABEL = re.compile(r"(?P<label>[^\W\d_][\w.'’ -]{0,58}?)\s*[:：]\s+")
NOT_SPEAKERS = frozenset(
    """q question questions reporter journalist moderator host interviewer anchor audience note
    editor photo source update updated correction date time place location by author tags
    keywords title subject summary published""".split()
)
MIN_TRANSCRIPT_SPEAKERS = 2  # labelled turns by someone, before the text counts as a transcript


class _Drafter:
    """One pass over the article's body, in order, so "he" and "Wang" mean who they should."""

    def __init__(self, text: str, cast: Cast, reference: dt.date | None) -> None:
        self.text = text
        self.cast = cast
        self.reference = reference
        self.found: list[Candidate] = []
        self.continuing: Person | None = None  # whose quotation the last paragraph left open

    def run(self, body: list[tuple[int, int]]) -> list[Candidate]:
        quotes = {span: [q for q in quotations(self.text, *span) if q.direct] for span in body}
        self.hidden = masked(self.text, (q for qs in quotes.values() for q in qs))
        labels = {span: self._label(*span) for span in body}
        speaking = [label for label in labels.values() if label and not _not_a_speaker(label[1])]
        transcript = len(speaking) >= MIN_TRANSCRIPT_SPEAKERS
        turn: Person | None = None
        in_turns = False
        for span in body:
            label = labels[span] if transcript else None
            if label is not None:
                in_turns = True
                words_at, name = label
                turn = None if _not_a_speaker(name) else self.cast.resolve(name, "after")
                if turn is not None:
                    self._quote(words_at, span[1], turn, f"transcript: {name}")
            elif in_turns:
                if turn is not None:
                    self._quote(span[0], span[1], turn, "transcript: continues the last turn")
            else:
                self._paragraph(*span, quotes[span])
        self.found.sort(key=lambda c: c.start)
        return self.found

    def _label(self, start: int, end: int) -> tuple[int, str] | None:
        """``Spokesperson Mao Ning: …`` at the start of a paragraph (a transcript's turn)."""
        match = _LABEL.match(self.text, start, end)
        if not match:
            return None
        name = match.group("label").strip()
        words = name.split()
        if len(words) > 6 or not all(
            w[:1].isupper() or w.casefold() in CONNECTORS | DETERMINERS for w in words
        ):
            return None
        return match.end(), name

    def _quote(self, start: int, end: int, speaker: Person, note: str) -> None:
        start, end = trim(self.text, start, end)
        if start < end:
            candidate = Candidate(start, end, "quote", speaker, notes=[note])
            _set_date(candidate, mentioned_date(self.text[start:end], self.reference))
            self.found.append(candidate)

    def _paragraph(self, start: int, end: int, quotes: list[Quotation]) -> None:
        hidden = self.hidden
        parts = [
            _Sentence(s, e, [q for q in quotes if s <= q.start < e])
            for s, e in sentences(hidden, start, end)
        ]
        for part in parts:
            part.said = attribution(hidden[part.start : part.end], self.cast)
        named_here = next((p.said.person for p in parts if p.said), None)
        continues = self.continuing if self.text[start : start + 1] in OPENING_QUOTES else None
        for number, part in enumerate(parts):
            outside = outside_quotes(hidden[part.start : part.end])
            own_date = mentioned_date(outside, self.reference)
            if part.quotes:
                speaker, how = self._quote_speaker(part, number, continues, named_here)
                if speaker is None:
                    continue
                for quote in part.quotes:
                    q_start, q_end = quote_text_span(self.text, quote)
                    if q_start < q_end:
                        candidate = Candidate(q_start, q_end, "quote", speaker, notes=how)
                        _set_date(candidate, own_date)
                        self.found.append(candidate)
            elif part.said is not None:
                s_start, s_end = trim(self.text, part.start, part.end)
                candidate = Candidate(s_start, s_end, "reported", part.said.person)
                _set_date(candidate, own_date)
                self.found.append(candidate)
        self.found += _covered_by_closing_attribution(self.text, parts, self.reference)
        self.continuing = None
        if quotes and not quotes[-1].closed:
            holder = next((p for p in parts if quotes[-1] in p.quotes), None)
            self.continuing = (
                (holder.said.person if holder and holder.said else None)
                or named_here
                or continues
                or self.cast.last
            )

    def _quote_speaker(
        self, part: _Sentence, number: int, continues: Person | None, named_here: Person | None
    ) -> tuple[Person | None, list[str]]:
        if part.said is not None:
            return part.said.person, []
        if continues is not None and number == 0:
            return continues, ["continues the quotation from the last paragraph"]
        if named_here is not None:
            return named_here, ["speaker named elsewhere in the paragraph"]
        if self.cast.last is not None:
            return self.cast.last, ["speaker taken from an earlier paragraph; check"]
        return None, []


def _not_a_speaker(label: str) -> bool:
    return " ".join(tokens(normalize(label))) in NOT_SPEAKERS or len(label.strip(".")) < 2


def _covered_by_closing_attribution(
    text: str, parts: list[_Sentence], reference: dt.date | None
) -> list[Candidate]:
    """News copy often attributes a whole paragraph once, at its end ("…, he added."): the
    unattributed sentences before such a closing attribution are that speaker's too."""
    if len(parts) < 2:
        return []
    closing = parts[-1].said
    if closing is None or not closing.trailing or parts[-1].quotes:
        return []
    covered = []
    for part in parts[:-1]:
        if part.said is None and not part.quotes:
            s_start, s_end = trim(text, part.start, part.end)
            candidate = Candidate(
                s_start,
                s_end,
                "reported",
                closing.person,
                notes=["attributed by the paragraph's last sentence; check"],
            )
            _set_date(candidate, mentioned_date(text[s_start:s_end], reference))
            covered.append(candidate)
    return covered


def _set_date(candidate: Candidate, found: tuple[dt.date, str] | None) -> None:
    if found is not None:
        candidate.date, candidate.date_note = found[0], f'"{found[1]}"'


def _topic_table(index: SearchIndex | None) -> PhraseTable | None:
    """Topic names and aliases by word stem, so "canal" finds the topic aliased "canals"."""
    if index is None:
        return None
    return PhraseTable(
        (tuple(stem(word) for word in tokens(normalize(name))), (topic.id,))
        for topic in index.kb.topics.values()
        for name in topic.names
    )


def _topics(table: PhraseTable | None, text: str) -> list[str]:
    if table is None:
        return []
    _, found = table.apply([stem(word) for word in tokens(normalize(text))])
    topics: list[str] = []
    for (topic,) in found:
        if topic not in topics:
            topics.append(topic)
    return topics
