"""``draft_statements``: the source block, the article's layout, then the reading pass.

This is where the other modules meet. ``draft_statements`` first checks that the article is
not already a stored source of the knowledge base (then it says so and drafts nothing, unless
asked for a new source id); it works out the source (dateline, title, publisher, dates) and
where the body starts; it reads who the article names (``mentions``) and how it is laid out
(``turns``: a transcript, an interview, a speech, or a report); ``reader.Reader`` then walks
the body once in reading order; last, each candidate gets a date, topics and an id, and
``writer`` renders the lot.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.normalize import has_han, normalize, tokens
from bot.search.engine import SearchIndex
from bot.search.phrases import PhraseTable
from bot.search.text import stem
from bot.tools.draft import ids
from bot.tools.draft.dates import (
    Dateline,
    fallback_date,
    filing_date,
    find_dateline,
    full_date,
)
from bot.tools.draft.mentions import Mentions
from bot.tools.draft.reader import Reader, Voice
from bot.tools.draft.records import Person
from bot.tools.draft.sentences import Quotation, masked, paragraphs, quotations
from bot.tools.draft.speakers import Cast
from bot.tools.draft.turns import Turn, label_names, speech_author, transcript
from bot.tools.draft.writer import already_stored, render

MAX_TITLE_CHARS = 200
HEADER_CHARS = 500  # where to look for the publication date when there is no dateline
_TITLE_DATE_PREFIX = re.compile(r"^(?:date:?\s*)?\d{4}-\d{2}-\d{2}\s*", re.IGNORECASE)


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
    index, or None) supplies known speakers, topics and the ids already taken. An article the
    knowledge base already stores is reported (comment lines only) instead of drafted again,
    unless ``source_id`` names a new source for it."""
    stored = stored_source(text, index)
    if stored is not None and source_id in (None, stored):
        return already_stored(article, stored)
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
    agency = dateline.agency if dateline else None
    cast = Cast(index, not_speakers=[n for n in (publisher, agency) if n])
    quotes = [q for span in spans for q in quotations(text, *span) if q.direct]
    hidden = masked(text, quotes)
    cast.mentions = Mentions(hidden, spans, [dateline.place] if dateline else [])
    reference = filed or published
    reader = Reader(text, hidden, cast, reference)
    _read(reader, spans, body, quotes)
    candidates = sorted(reader.found, key=lambda c: c.start)
    fallback = fallback_date(text, body, filed, published, reference)
    topics = _topic_table(index)
    taken = set(index.kb.by_id) if index else set()
    for candidate in candidates:
        if candidate.date is None and fallback is not None:
            candidate.date, candidate.date_note = fallback
        candidate.topics = _topics(topics, text[candidate.start : candidate.end])
        candidate.id = ids.statement_id(candidate, text, taken)
        taken.add(candidate.id)
    used = {c.speaker.id for c in candidates} | {
        c.relayed_by.id for c in candidates if c.relayed_by
    }
    stubs = cast.stubs(used)
    known_source = index is not None and source_id in index.kb.sources
    return render(text, article, source, notes, stubs, candidates, cast, known_source, stored)


def stored_source(text: str, index: SearchIndex | None) -> str | None:
    """The id of the knowledge base's source whose stored text is this article (whitespace
    aside), or None."""
    if index is None:
        return None
    flat = " ".join(text.split())
    for source_id, stored in index.kb.source_texts.items():
        if " ".join(stored.split()) == flat:
            return source_id
    return None


def _read(
    reader: Reader,
    spans: list[tuple[int, int]],
    body: list[tuple[int, int]],
    quotes: list[Quotation],
) -> None:
    """Each body paragraph in its voice: a transcript's turns, a speech's author, or none."""
    text, cast = reader.text, reader.cast
    turns = transcript(text, body)
    author = speech_author(text, spans) if turns is None else None
    speaker = cast.resolve_name(author[1]) if author else None
    voices = _voices(cast, list(turns.values())) if turns else {}
    for span in body:
        start = span[0]
        if author is not None and span == spans[author[0]]:
            continue  # "Speech by …, to the annual congress …": the introduction
        voice = Voice(speaker, note="the speech's own words") if speaker else Voice()
        if turns is not None:
            turn = turns[span]
            start = turn.words_at
            voice = voices.get(turn.label or "", Voice())
        reader.paragraph(start, span[1], [q for q in quotes if start <= q.start < span[1]], voice)


def _voices(cast: Cast, turns: list[Turn]) -> dict[str, Voice]:
    """Each transcript label's voice. Labels naming one person ("Ms Carys Wendt", "Ms Wendt")
    are one voice; a voice asks when its label says so ("Q", "Reporter") or when at least half
    its turns end with a question mark (an interviewer, a Member asking the Minister)."""
    people: dict[str, Person | None] = {}
    questions: dict[str, list[bool]] = {}
    for turn in turns:
        if turn.label is None or turn.question is None:
            continue
        if turn.label not in people:
            people[turn.label] = None if turn.asks else _label_person(cast, turn.label)
        person = people[turn.label]
        questions.setdefault(person.id if person else turn.label, []).append(turn.question)
    voices = {}
    for label, person in people.items():
        asked = questions.get(person.id if person else label, [])
        asks = person is None or sum(asked) * 2 >= len(asked)
        voices[label] = Voice(person, asks=asks, note=f"transcript: {label}")
    return voices


def _label_person(cast: Cast, label: str) -> Person | None:
    for name in label_names(label):
        person = cast.resolve_name(name)
        if person is not None:
            return person
    return None


def _title(text: str, spans: list[tuple[int, int]], dateline: Dateline | None) -> str | None:
    if not spans or (dateline is not None and dateline.paragraph == 0):
        return None
    first = text[spans[0][0] : spans[0][1]].splitlines()[0].strip()
    first = _TITLE_DATE_PREFIX.sub("", first).strip()
    return first[:MAX_TITLE_CHARS] or None


def _mostly_han(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(has_han(c) for c in letters) > len(letters) / 2


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
