"""The pass over an article's body, paragraph by paragraph, that proposes the statements.

Three voices a paragraph can be in. In a report (no voice) quotations and attributed sentences
become statements and unattributed prose is the article's own. In an official's voice (a
transcript turn, an interview answer, a published speech) their unquoted sentences are their
own words, runs of them one ``quote``, and a sentence reporting a third person is relayed by
them. In a question ("Q:", the interviewer) only what a third person is reported to have said
counts. The walk is in reading order so that "he", "the minister" and a surname mean who they
should, and a quotation left open runs on into the next paragraph.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.tools.draft.attribution import Context, Said, attribution
from bot.tools.draft.dates import mentioned_date
from bot.tools.draft.records import Candidate, Person
from bot.tools.draft.sentences import (
    MASK,
    OPENING_QUOTES,
    Quotation,
    outside_quotes,
    quote_text_span,
    sentences,
    trim,
)
from bot.tools.draft.speakers import Cast
from bot.tools.draft.vocabulary import PARTICIPLES

RELAY_NOTE = "relayed: check whose words these are and who passes them on"
# "…," she said, noting that …: the account after the quotation is hers too
_THEN_REPORTED = re.compile(rf",\s*((?:{'|'.join(sorted(PARTICIPLES))})\s+that\b)")


@dataclass
class _Sentence:
    start: int
    end: int
    quotes: list[Quotation]
    said: Said | None = None


@dataclass(frozen=True, slots=True)
class Voice:
    """Whose paragraph this is: ``person`` speaks in it (None: the article), ``asks`` when it
    is a question, ``note`` says where the voice came from."""

    person: Person | None = None
    asks: bool = False
    note: str = ""


class Reader:
    """One pass over the article's body, in order."""

    def __init__(self, text: str, hidden: str, cast: Cast, reference: dt.date | None) -> None:
        self.text = text
        self.hidden = hidden  # the text with quotations masked
        self.cast = cast
        self.reference = reference
        self.found: list[Candidate] = []
        self.continuing: Person | None = None  # whose quotation the last paragraph left open
        self.relay: tuple[Person, Person] | None = None  # (speaker, relayer) of the last relay

    def paragraph(self, start: int, end: int, quotes: list[Quotation], voice: Voice) -> None:
        parts = [
            _Sentence(s, e, [q for q in quotes if s <= q.start < e])
            for s, e in sentences(self.hidden, start, end)
        ]
        for part in parts:
            context = Context(part.start, start, voice.person)
            part.said = attribution(self.hidden[part.start : part.end], self.cast, context)
            if part.said is not None:
                self.cast.last = part.said.relayed_by or part.said.person
        named_here = next((p.said.person for p in parts if p.said), None)
        continues = self.continuing if self.text[start : start + 1] in OPENING_QUOTES else None
        own: list[_Sentence] = []
        for number, part in enumerate(parts):
            if voice.person is not None and _own(part.said, voice.person):
                if not voice.asks:
                    own.append(part)
                continue
            self._own_words(own, voice)
            own = []
            if part.said is None and (voice.asks or voice.person is not None):
                continue
            said = self._relayed(part.said, voice.person)
            if part.quotes:
                speaker = said or self._quote_speaker(part, number, continues, named_here)
                if speaker is not None:
                    self._quotes(part, speaker)
            elif said is not None and not self._introduces(part, number == len(parts) - 1):
                self._add(part.start, part.end, "reported", said, _relay_notes(said))
        self._own_words(own, voice)
        if voice.person is None and not voice.asks:
            self.found += self._covered(parts)
        self._left_open(parts, quotes, named_here, continues)

    def _own_words(self, run: list[_Sentence], voice: Voice) -> None:
        if run and voice.person is not None:
            note = [voice.note] if voice.note else []
            self._add(run[0].start, run[-1].end, "quote", Said(voice.person), note)

    def _relayed(self, said: Said | None, voice: Person | None) -> Said | None:
        """The voice relays a third person; and "Xi stressed" right after "Wang said Xi has"
        continues Wang's account."""
        if said is None:
            return None
        if voice is not None and said.relayed_by is None and said.person is not voice:
            said = Said(said.person, voice, said.trailing)
        elif said.relayed_by is None and self.relay and said.person is self.relay[0]:
            said = Said(said.person, self.relay[1], said.trailing)
        self.relay = (said.person, said.relayed_by) if said.relayed_by else None
        return said

    def _introduces(self, part: _Sentence, last: bool) -> bool:
        """ "Minister X said:" closing a paragraph: the quotation follows in the next one."""
        if not last or not self.hidden[part.start : part.end].rstrip().endswith(":"):
            return False
        self.continuing = part.said.person if part.said else None
        return True

    def _quote_speaker(
        self, part: _Sentence, number: int, continues: Person | None, named_here: Person | None
    ) -> Said | None:
        """Whose a quotation with no speech verb of its own is (the notes say why)."""
        named = self.cast.mentions.subject_before(part.quotes[0].start, part.start)
        if named is not None:
            person = self.cast.resolve_name(named.name, part.start)
            if person is not None:
                return Said(person)
        if continues is not None and number == 0:
            return Said(continues, note="continues the quotation from the last paragraph")
        if named_here is not None:
            return Said(named_here, note="speaker named elsewhere in the paragraph")
        if self.cast.last is not None:
            return Said(self.cast.last, note="speaker taken from an earlier paragraph; check")
        return None

    def _quotes(self, part: _Sentence, said: Said) -> None:
        notes = [said.note] if said.note else []
        if said.relayed_by is not None:
            notes.append(RELAY_NOTE)
        for quote in part.quotes:
            start, end = quote_text_span(self.text, quote)
            self._add(start, end, "quote", said, notes, outside=part)
        after = _THEN_REPORTED.search(self.hidden, part.quotes[-1].end, part.end)
        if after is not None and MASK not in self.hidden[after.start() : part.end]:
            self._add(after.start(1), part.end, "reported", said, notes, outside=part)

    def _add(
        self,
        start: int,
        end: int,
        kind: str,
        said: Said,
        notes: list[str],
        outside: _Sentence | None = None,
    ) -> None:
        start, end = trim(self.text, start, end)
        if start >= end:
            return
        candidate = Candidate(start, end, kind, said.person, said.relayed_by, notes=notes)
        where = self.hidden[outside.start : outside.end] if outside else self.text[start:end]
        found = mentioned_date(outside_quotes(where), self.reference)
        if found is not None:
            candidate.date, candidate.date_note = found[0], f'"{found[1]}"'
        self.found.append(candidate)

    def _covered(self, parts: list[_Sentence]) -> list[Candidate]:
        """News copy often attributes a whole paragraph once, at its end ("…, he added."): the
        unattributed sentences before such a closing attribution are that speaker's too."""
        if len(parts) < 2 or parts[-1].quotes or parts[-1].said is None:
            return []
        closing = parts[-1].said
        if not closing.trailing:
            return []
        before = len(self.found)
        for part in parts[:-1]:
            if part.said is None and not part.quotes:
                note = "attributed by the paragraph's last sentence; check"
                self._add(part.start, part.end, "reported", closing, [note])
        covered = self.found[before:]
        del self.found[before:]
        return covered

    def _left_open(
        self,
        parts: list[_Sentence],
        quotes: list[Quotation],
        named_here: Person | None,
        continues: Person | None,
    ) -> None:
        if not quotes or quotes[-1].closed:
            if not (parts and self._ends_with_colon(parts[-1])):
                self.continuing = None
            return
        holder = next((p for p in parts if quotes[-1] in p.quotes), None)
        self.continuing = (
            (holder.said.person if holder and holder.said else None)
            or named_here
            or continues
            or self.cast.last
        )

    def _ends_with_colon(self, part: _Sentence) -> bool:
        return not part.quotes and self.hidden[part.start : part.end].rstrip().endswith(":")


def _own(said: Said | None, voice: Person) -> bool:
    return said is None or (said.person is voice and said.relayed_by is None)


def _relay_notes(said: Said) -> list[str]:
    return [RELAY_NOTE] if said.relayed_by is not None else []
