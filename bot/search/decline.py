"""Saying no well: the topics to offer instead, and what the filters did and did not find."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot.knowledge.models import KnowledgeBase, Statement
from bot.search.dates import DateRange
from bot.search.filters import Filters
from bot.search.query import ParsedQuestion

SUGGESTIONS = 3
SUGGESTION_SOURCES = 5  # how many of the nearest candidates suggest their topic
TOPIC_NAME_CUTOFF = 70


class Decline:
    def __init__(self, kb: KnowledgeBase, filters: Filters) -> None:
        self.kb = kb
        self.filters = filters

    def suggestions(
        self,
        named: Sequence[str],
        nearest: Sequence[Statement],
        parsed: ParsedQuestion,
        speaker_ids: Sequence[str] = (),
    ) -> tuple[str, ...]:
        """The topics the question names first, then those of the nearest statements, or of
        the speakers it names, or failing all these the topic names closest to its words."""
        topics = self.kb.topics
        found = [topics[t].name for t in named if t in topics]
        found += [topics[s.topics[0]].name for s in nearest[:SUGGESTION_SOURCES] if s.topics]
        if not found and speaker_ids:
            theirs = Counter(
                t for s in self.kb.statements if s.speaker in speaker_ids for t in s.topics
            )
            found = [topics[t].name for t, _n in theirs.most_common() if t in topics]
        if not found:
            names = [topic.name for topic in topics.values()]
            found = [
                name
                for name, _score, _key in process.extract(
                    parsed.text,
                    names,
                    scorer=fuzz.WRatio,
                    limit=SUGGESTIONS,
                    score_cutoff=TOPIC_NAME_CUTOFF,
                )
            ]
        return tuple(dict.fromkeys(found))[:SUGGESTIONS]

    def filter_notice(self, speakers: Sequence[str], dates: DateRange | None) -> str | None:
        """What the filters found and what they did not, in words: "I have 9 statements by
        Wang Yi, but none that answers this", not "nothing matched with the filter"."""
        if not speakers and dates is None:
            return None
        who = " or ".join(self.kb.speakers[s].name for s in speakers)
        by = f" by {who}" if who else ""
        if dates is not None:
            both = self.filters.mask([], dates, [])
            if both is not None and speakers:
                both = both & self.filters.made_by(list(speakers))  # as the counts count
            if both is not None and not both.any():
                return self._nothing_dated(list(speakers), dates, by)
        count = self._statements(list(speakers), dates)
        when = f" dated {dates.label}" if dates is not None else ""
        return f"I have {_plural(count, 'statement')}{by}{when}, but none that answers this."

    def _statements(self, speakers: list[str], dates: DateRange | None) -> int:
        """The speakers' own statements (within ``dates``), as /speakers counts them."""
        mask = self.filters.made_by(speakers) if speakers else None
        dated = self.filters.mask([], dates, []) if dates is not None else None
        if mask is None:
            return int(dated.sum()) if dated is not None else 0
        return int((mask & dated).sum()) if dated is not None else int(mask.sum())

    def _nothing_dated(self, speakers: list[str], dates: DateRange, by: str) -> str:
        in_range = self.filters.mask([], dates, [])
        elsewhere = self._statements(speakers, None) if speakers else 0
        also = f" ({_plural(elsewhere, 'statement')}{by} at other times)" if elsewhere else ""
        nothing = "" if in_range is None or in_range.any() else " at all"
        return f"I have no statements{by} dated {dates.label}{nothing}{also}."


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
