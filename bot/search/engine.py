"""The search engine: a thin composition of named parts, rebuilt on every reload.

question → :func:`~bot.search.query.parse_question` (dates, recency, small talk, owners) →
:class:`~bot.search.spelling.Speller` → :class:`~bot.search.analyzer.Analyzer` (speakers,
synonyms, topics, stems) → :class:`~bot.search.filters.Filters` →
:class:`~bot.search.index.TermIndex` (candidates) → :mod:`~bot.search.ranking` (confidence) →
an :class:`~bot.answers.answer.Answer`. Browsing lives in :class:`~bot.search.browse.Browser`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from bot.answers.answer import Answer, Match, Status
from bot.knowledge.models import KnowledgeBase, Speaker, Statement, Topic
from bot.normalize import contains_han, tokens
from bot.search.analyzer import TOPIC_PREFIX, Analyzer
from bot.search.browse import Browser
from bot.search.filters import Filters, Mask
from bot.search.index import UNKNOWN_ENTITY_FACTOR, TermIndex
from bot.search.lexicon import HAN_NAMES
from bot.search.query import ParsedQuestion, parse_question
from bot.search.ranking import Ranked, candidates, rerank
from bot.search.spelling import Speller

EXPLAINED_CANDIDATES = 8
SUGGESTIONS = 3
SUGGESTION_SOURCES = 5  # how many of the best candidates suggest their topic on a decline
TOPIC_NAME_CUTOFF = 70


@dataclass(frozen=True, slots=True)
class SearchConfig:
    threshold: float = 0.6
    max_results: int = 5
    max_question_chars: int = 500


@dataclass
class _Understood:
    """A question after spelling, speakers, synonyms and topics: what the index is asked."""

    parsed: ParsedQuestion
    speaker_ids: list[str]
    weights: dict[str, float]
    explanation: dict[str, Any]


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


@dataclass
class SearchIndex:
    """Everything derived from one KnowledgeBase for answering; rebuilt on every reload."""

    kb: KnowledgeBase
    config: SearchConfig = field(default_factory=SearchConfig)
    cache_dir: Path | None = None  # where the analysis is cached, keyed by the content hash

    def __post_init__(self) -> None:
        kb = self.kb
        self.analyzer = Analyzer(kb)
        self.terms = TermIndex(kb, self.analyzer, self.cache_dir)
        self.speller = Speller(kb, self.terms.analysis.vocabulary, self.analyzer.stopwords)
        self.filters = Filters(kb, self.analyzer, self.terms.analysis.mentions)
        self.browser = Browser(kb, self.analyzer)
        names = [n for sp in kb.speakers.values() for n in sp.names]
        names += [n for topic in kb.topics.values() for n in topic.names]
        self._han_vocabulary = "\n".join(
            [*names, *(v for vs in kb.aliases.values() for v in vs)]
            + [s.text for s in kb.statements if contains_han(s.text)]
        )

    # ---------------------------------------------------------------- browsing, by name

    def find_topic(self, name: str) -> Topic | None:
        return self.browser.find_topic(name)

    def find_speaker(self, name: str) -> Speaker | None:
        return self.browser.find_speaker(name)

    def statements_on(self, topic_id: str) -> list[Statement]:
        return self.browser.statements_on(topic_id)

    def statements_by(self, speaker_id: str) -> list[Statement]:
        return self.browser.statements_by(speaker_id)

    def example_questions(self, count: int = 3) -> list[str]:
        return self.browser.example_questions(count)

    # ---------------------------------------------------------------- answering

    def search(self, question: str, *, limit: int | None = None) -> Answer:
        limit = limit or self.config.max_results
        notice = None
        if len(question) > self.config.max_question_chars:
            question = question[: self.config.max_question_chars]
            notice = (
                f"Your question was long, so only its first "
                f"{self.config.max_question_chars} characters were read."
            )
        parsed = parse_question(question)
        if parsed.smalltalk:
            return Answer(question=question, status=Status.SMALLTALK, notice=notice)
        understood = self._understand(parsed)
        explanation = understood.explanation
        countries, stranger = self.filters.owners(parsed.owners)
        if stranger is not None:
            explanation["unknown_owner"] = stranger
            return Answer(
                question=question,
                status=Status.NOT_FOUND,
                notice=f"I have no statements giving {_possessive(stranger.title())} position.",
                explanation=explanation,
            )
        mask = self.filters.mask(understood.speaker_ids, parsed.dates, countries)
        if not understood.weights:
            return self._by_filter_only(question, understood, mask, limit, notice)
        ranked = self._rank(understood, mask)
        accepted = [row for row in ranked if row.confidence >= self.config.threshold]
        explanation["candidates"] = [
            {
                "id": self.terms.docs[row.index].statement.id,
                "accepted": row.confidence >= self.config.threshold,
                "signals": row.signals,
            }
            for row in ranked[:EXPLAINED_CANDIDATES]
        ]
        if not accepted:
            return self._not_found(question, understood, ranked, notice)
        if parsed.latest:
            accepted.sort(key=lambda row: (-int(self.filters.dates[row.index]), -row.confidence))
        return Answer(
            question=question,
            status=Status.FOUND,
            matches=tuple(self._match(row) for row in accepted[:limit]),
            notice=notice,
            explanation=explanation,
        )

    def correct(self, word: str) -> str | None:
        return self.speller.correct(word)

    def _understand(self, parsed: ParsedQuestion) -> _Understood:
        corrections: dict[str, str] = {}
        fixed: list[str] = []
        for word in tokens(parsed.text):
            candidate = self.speller.correct(word)
            if candidate is not None:
                corrections[word] = candidate
            fixed.append(candidate or word)
        words, speakers_found = self.analyzer.speakers.apply(fixed)
        speaker_ids = sorted({found[0] for found in speakers_found})
        words = [w for w in words if w not in self.filters.code]
        topics_found: list[str] = []
        terms = dict.fromkeys(self.analyzer.analyze(words, topics_found=topics_found))
        weights = {term: self.terms.weight(term) for term in terms}
        for name in HAN_NAMES:  # Chinese has no spaces: unknown names are found as substrings
            if name in parsed.text and name not in self._han_vocabulary:
                weights["!" + name] = self.terms.unknown_idf * UNKNOWN_ENTITY_FACTOR
        dates = parsed.dates
        explanation: dict[str, Any] = {
            "normalised": parsed.text,
            "corrections": corrections,
            "speakers": speaker_ids,
            "topics": [t.removeprefix(TOPIC_PREFIX) for t in topics_found],
            "dates": (
                [dates.start and dates.start.isoformat(), dates.end and dates.end.isoformat()]
                if dates
                else None
            ),
            "latest": parsed.latest,
            "terms": {term: round(weight, 3) for term, weight in weights.items()},
        }
        return _Understood(parsed, speaker_ids, weights, explanation)

    def _rank(self, understood: _Understood, mask: Mask | None) -> list[Ranked]:
        scores = self.terms.scores(understood.weights)
        if mask is not None:
            scores[~mask] = 0.0
        ranked = rerank(
            candidates(scores),
            scores,
            self.terms.docs,
            understood.weights,
            wants_quote=understood.parsed.wants_quote,
        )
        # best first; equal confidence: the more focused statement, then the newer one
        dates = self.filters.dates
        ranked.sort(
            key=lambda row: (
                -round(row.confidence, 4),
                -row.signals["precision"],
                -int(dates[row.index]),
            )
        )
        return ranked

    def _by_filter_only(
        self,
        question: str,
        understood: _Understood,
        mask: Mask | None,
        limit: int,
        notice: str | None,
    ) -> Answer:
        """A question with no words left but a speaker, a date or "latest": newest first."""
        parsed = understood.parsed
        if not (understood.speaker_ids or parsed.dates is not None or parsed.latest):
            return Answer(
                question=question,
                status=Status.NOT_FOUND,
                notice=notice,
                suggestions=self.browser.popular_topics,
                explanation=understood.explanation,
            )
        size = len(self.kb.statements)
        indices = np.flatnonzero(mask)[:limit] if mask is not None else np.arange(min(limit, size))
        matches = tuple(self._match(Ranked(int(i), 1.0, {"filter_only": 1.0})) for i in indices)
        if not matches:
            return self._not_found(question, understood, [], notice)
        return Answer(
            question=question,
            status=Status.FOUND,
            matches=matches,
            notice=notice,
            explanation=understood.explanation,
        )

    def _match(self, row: Ranked) -> Match:
        statement = self.terms.docs[row.index].statement
        return Match(self.kb.attributed(statement), row.confidence, row.signals)

    def _not_found(
        self, question: str, understood: _Understood, ranked: list[Ranked], notice: str | None
    ) -> Answer:
        parsed = understood.parsed
        suggestions: list[str] = []
        for row in ranked[:SUGGESTION_SOURCES]:
            for topic_id in self.terms.docs[row.index].statement.topics[:1]:
                name = self.kb.topics[topic_id].name
                if name not in suggestions:
                    suggestions.append(name)
        if not suggestions:
            topic_names = [topic.name for topic in self.kb.topics.values()]
            for name, _score, _key in process.extract(
                parsed.text,
                topic_names,
                scorer=fuzz.WRatio,
                limit=SUGGESTIONS,
                score_cutoff=TOPIC_NAME_CUTOFF,
            ):
                suggestions.append(name)
        filters = []
        if understood.speaker_ids:
            filters.append(" or ".join(self.kb.speakers[s].name for s in understood.speaker_ids))
        if parsed.dates is not None:
            filters.append(parsed.dates.label)
        if filters and notice is None:
            notice = "Nothing matched with the filter: " + ", ".join(filters) + "."
        return Answer(
            question=question,
            status=Status.NOT_FOUND,
            notice=notice,
            suggestions=tuple(suggestions[:SUGGESTIONS]),
            explanation=understood.explanation,
        )
