"""Browsing without a question: topics and speakers by name, timelines, examples.

Timelines and examples are built on first use and kept for the life of the index: browsing
buttons must not scan 100,000 statements per press.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TypeVar

from rapidfuzz import fuzz, process

from bot.knowledge.models import KnowledgeBase, Speaker, Statement, Topic
from bot.normalize import normalize, tokens
from bot.search.analyzer import TOPIC_PREFIX, Analyzer
from bot.search.phrases import PhraseTable

EXAMPLE_POOL = 10
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
