"""Browsing without a question: topics and speakers by name, timelines, examples.

Timelines and examples are built on first use and kept for the life of the index: browsing
buttons must not scan 100,000 statements per press.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz, process

from bot.knowledge.models import KnowledgeBase, Speaker, Statement, Topic
from bot.normalize import normalize, tokens
from bot.search.analyzer import TOPIC_PREFIX, Analyzer
from bot.search.phrases import PhraseTable

EXAMPLE_POOL = 10
BROAD_TOPIC_SHARE = 0.6  # a topic on more of the statements than this is too broad to suggest


@dataclass(frozen=True, slots=True)
class Examples:
    """What help texts and menus show, taken from the loaded knowledge base (never hard-coded:
    another knowledge base has other speakers and topics)."""

    question: str  # sure to be answered
    topic: str  # a topic name with statements, specific rather than overarching, as written
    # mid-sentence ("cooperation", but "Taiwan")
    speaker: str  # the speaker with the most statements
    month: str  # when the newest statement was made, e.g. "December 2024"


POPULAR_TOPICS = 3
NAME_CUTOFF = 85  # WRatio a typed name needs to mean a known one
_Named = TypeVar("_Named", Speaker, Topic)


class Browser:
    def __init__(self, kb: KnowledgeBase, analyzer: Analyzer) -> None:
        self.kb = kb
        self.analyzer = analyzer
        counts = Counter(t for s in kb.statements for t in s.topics)
        self.popular_topics = tuple(
            kb.topics[t].name for t, _ in counts.most_common(POPULAR_TOPICS) if t in kb.topics
        )
        self._by_topic: dict[str, list[Statement]] | None = None
        self._by_speaker: dict[str, list[Statement]] | None = None
        self._examples: list[str] | None = None
        self._example_set: Examples | None = None

    def find_topic(self, name: str) -> Topic | None:
        """The topic a user means by ``name`` (any alias, any script, small typos)."""
        return _find(name, self.analyzer.topics, self.kb.topics, TOPIC_PREFIX)

    def find_speaker(self, name: str) -> Speaker | None:
        return _find(name, self.analyzer.speakers, self.kb.speakers, "")

    def statements_on(self, topic_id: str) -> list[Statement]:
        """Newest first (the knowledge base is kept sorted that way)."""
        return list(self._listings()[0].get(topic_id, ()))

    def statements_by(self, speaker_id: str) -> list[Statement]:
        """Statements a speaker made or relayed, newest first."""
        return list(self._listings()[1].get(speaker_id, ()))

    def _listings(self) -> tuple[dict[str, list[Statement]], dict[str, list[Statement]]]:
        if self._by_topic is None or self._by_speaker is None:
            by_topic: dict[str, list[Statement]] = {}
            by_speaker: dict[str, list[Statement]] = {}
            for statement in self.kb.statements:
                for topic_id in statement.topics:
                    by_topic.setdefault(topic_id, []).append(statement)
                for speaker_id in {statement.speaker, statement.relayed_by} - {None}:
                    by_speaker.setdefault(str(speaker_id), []).append(statement)
            self._by_topic, self._by_speaker = by_topic, by_speaker
        return self._by_topic, self._by_speaker

    def examples(self) -> Examples:
        """Computed once per index: every help text and menu asks for them."""
        if self._example_set is None:
            self._example_set = self._make_examples()
        return self._example_set

    def _make_examples(self) -> Examples:
        kb = self.kb
        speakers = Counter(s.speaker for s in kb.statements)
        speaker_id = speakers.most_common(1)[0][0] if speakers else None
        topic = self.in_sentence(self.specific_topic(speaker_id))
        speaker = kb.speakers[speaker_id].name if speaker_id else "the minister"
        newest = kb.newest_date
        month = newest.strftime("%B %Y") if newest else "2024"
        questions = self.example_questions(1)
        question = questions[0] if questions else f"What did {speaker} say about {topic}?"
        return Examples(question=question, topic=topic, speaker=speaker, month=month)

    def in_sentence(self, name: str) -> str:
        """A name as written mid-sentence: its first word lower-cased when the knowledge base's
        own texts write that word in lower case more often than capitalised ("Cooperation" →
        "cooperation"), kept for names ("Taiwan", "China–US relations")."""
        first = name.split(maxsplit=1)[0] if name.strip() else ""
        if not first[:1].isupper() or not first[1:].islower():
            return name  # "US trade", "eTicket": written as given
        texts = [*self.kb.source_texts.values(), *(s.text for s in self.kb.statements)]
        lower = sum(len(re.findall(rf"\b{re.escape(first.lower())}\b", t)) for t in texts)
        upper = sum(len(re.findall(rf"(?<![.!?]\s)\b{re.escape(first)}\b", t)) for t in texts)
        return name[:1].lower() + name[1:] if lower > upper else name

    def specific_topic(self, speaker_id: str | None = None) -> str:
        """The most used topic (of ``speaker_id``'s statements, if given) that is not so broad
        it covers most of the knowledge base."""
        kb = self.kb
        overall = Counter(t for s in kb.statements for t in s.topics)
        broad = {t for t, n in overall.items() if n > BROAD_TOPIC_SHARE * len(kb.statements)}
        own = [s for s in kb.statements if speaker_id is None or s.speaker == speaker_id]
        counts = Counter(t for s in own for t in s.topics if t not in broad and t in kb.topics)
        if not counts:
            counts = Counter(t for t in overall if t in kb.topics)
        return kb.topics[counts.most_common(1)[0][0]].name if counts else "policy"

    def example_questions(self, count: int = 3) -> list[str]:
        """Questions that are sure to be answered: the maintainers' own, from the statements
        with the most topics (computed once; /start asks for them often)."""
        if self._examples is None:
            ranked = sorted(self.kb.statements, key=lambda s: (-len(s.topics), s.id))
            self._examples = [s.questions[0] for s in ranked if s.questions][:EXAMPLE_POOL]
        return self._examples[:count]


def _find(name: str, table: PhraseTable, items: Mapping[str, _Named], prefix: str) -> _Named | None:
    _, found = table.apply(tokens(normalize(name)))
    if found:
        return items.get(found[0][0].removeprefix(prefix))
    choices = {n: item for item in items.values() for n in item.names}
    best = process.extractOne(
        normalize(name),
        list(choices),
        scorer=fuzz.WRatio,
        processor=normalize,
        score_cutoff=NAME_CUTOFF,
    )
    return choices[best[0]] if best else None
