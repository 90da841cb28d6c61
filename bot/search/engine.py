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

from bot.answers.answer import Answer, Match, Status
from bot.knowledge.models import KnowledgeBase, Speaker, Statement, Topic
from bot.normalize import contains_han, tokens
from bot.search.analyzer import TOPIC_PREFIX, Analyzer
from bot.search.browse import Browser, Examples
from bot.search.confidence import MODEL_FILE, SEMANTIC_MODEL_FILE, ConfidenceModel, load_model
from bot.search.decline import Decline
from bot.search.filters import Filters, Mask, proper_names, speaker_words
from bot.search.index import UNKNOWN_ENTITY_FACTOR, TermIndex
from bot.search.lexicon import HAN_NAMES, PLACE_NAMES, zipf
from bot.search.query import ParsedQuestion, focus, parse_question
from bot.search.ranking import CANDIDATES as BARE_CANDIDATES
from bot.search.ranking import (
    QueryTerms,
    Ranked,
    candidates,
    rank_bare,
    relevant_newest_first,
    rerank,
)
from bot.search.roles import Roles, Tenure, held_by
from bot.search.spelling import Speller
from bot.search.vectors import StatementVectors

EXPLAINED_CANDIDATES = 8
EVERYDAY_ZIPF = 5.0  # as common in English as "late", "win", "wrong": no subject on its own


@dataclass(frozen=True, slots=True)
class SearchConfig:
    threshold: float | None = None  # None: the confidence model's fitted threshold
    max_results: int = 5
    max_question_chars: int = 500
    semantic: bool = False  # the optional sentence-embedding reranker (bot/search/semantic.py)
    every_candidate: bool = False  # for fitting: "latest" keeps the candidates it would drop


@dataclass
class _Understood:
    """A question after spelling, speakers, synonyms and topics: what the index is asked."""

    parsed: ParsedQuestion
    speaker_ids: list[str]
    weights: dict[str, float]
    unknown: float  # share of the weight in words the knowledge base lacks
    names: float  # share of the known weight in names: places, people, bodies
    tenures: list[Tenure]  # who held the titles the question names ("the mayor")
    literal: str  # the question's own words, topic names included, for text similarity
    phrase_weights: dict[str, float]  # the words of the topic phrases it names
    topics: list[str]  # topics the question names
    explanation: dict[str, Any]
    everyday: bool = False  # its one word to match is an everyday English word, not a topic


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _owner(name: str) -> str:
    """ "Japan's", "Biden's", but "the United States'" (a place name of several words)."""
    article = "the " if name in PLACE_NAMES and " " in name else ""
    return article + _possessive(name.title())


@dataclass
class SearchIndex:
    """Everything derived from one KnowledgeBase for answering; rebuilt on every reload."""

    kb: KnowledgeBase
    config: SearchConfig = field(default_factory=SearchConfig)
    cache_dir: Path | None = None  # where the analysis is cached, keyed by the content hash
    model: ConfidenceModel | None = None  # default: the shipped one for the configured mode

    def __post_init__(self) -> None:
        kb = self.kb
        if self.model is None:
            self.model = load_model(SEMANTIC_MODEL_FILE if self.config.semantic else MODEL_FILE)
        self.vectors = StatementVectors(kb, self.cache_dir) if self.config.semantic else None
        self.analyzer = Analyzer(kb)
        self.terms = TermIndex(kb, self.analyzer, self.cache_dir)
        self.speller = Speller(kb, self.terms.analysis.vocabulary, self.analyzer.stopwords)
        self.filters = Filters(kb, self.analyzer, self.terms.analysis.mentions)
        self.browser = Browser(kb, self.analyzer)
        self.roles = Roles(kb)
        self.decline = Decline(kb, self.filters)
        # the terms of names (places, bodies, people), as the analyzer turns them into terms
        name_words = proper_names(kb) | speaker_words(kb, self.analyzer)
        self.name_terms = frozenset(self.analyzer.analyze(sorted(name_words)))
        names = [n for sp in kb.speakers.values() for n in sp.names]
        names += [n for topic in kb.topics.values() for n in topic.names]
        self._han_vocabulary = "\n".join(
            [*names, *(v for vs in kb.aliases.values() for v in vs)]
            + [s.text for s in kb.statements if contains_han(s.text)]
        )

    @property
    def threshold(self) -> float:
        """The confidence below which the bot declines: configured, or the model's own."""
        configured = self.config.threshold
        return self._model.threshold if configured is None else configured

    @property
    def _model(self) -> ConfidenceModel:
        assert self.model is not None  # set in __post_init__
        return self.model

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

    def examples(self) -> Examples:
        return self.browser.examples()

    # ---------------------------------------------------------------- answering

    def search(self, question: str, *, limit: int | None = None) -> Answer:
        limit = limit or self.config.max_results
        question, notice = focus(question, self.config.max_question_chars)
        parsed = parse_question(question)
        if parsed.smalltalk:
            return Answer(
                question=question,
                status=Status.SMALLTALK,
                notice=notice,
                suggestions=(self.browser.examples().question,),
            )
        understood = self._understand(parsed)
        explanation = understood.explanation
        countries, stranger = self.filters.owners(parsed.owners, parsed.described)
        if stranger is not None:
            explanation["unknown_owner"] = stranger
            return Answer(
                question=question,
                status=Status.NOT_FOUND,
                notice=f"I have no statements giving {_owner(stranger)} position.",
                suggestions=self.decline.suggestions(understood.topics, [], parsed),
                explanation=explanation,
            )
        if not understood.weights:
            mask = self.filters.mask(understood.speaker_ids, parsed.dates, countries)
            return self._by_filter_only(question, understood, mask, limit, notice)
        if understood.everyday and not (
            understood.speaker_ids or understood.tenures or parsed.dates or countries
        ):
            # "who won", "that's wrong": one everyday word says nothing about which statement
            # is meant, whichever one happens to use it
            explanation["everyday_only"] = True
            return self._not_found(question, understood, [], notice)
        mask = self.filters.mask(understood.speaker_ids, parsed.dates, countries, mentions=True)
        ranked = self._rank(understood, mask)
        accepted = [row for row in ranked if row.confidence >= self.threshold]
        explanation["candidates"] = self._explained(ranked)
        if not accepted:
            return self._not_found(question, understood, ranked, notice)
        if not parsed.latest:  # shown best first by the confidence they are shown with
            accepted.sort(key=lambda row: (-row.confidence, -int(self.filters.dates[row.index])))
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
        tenures = self.roles.find(fixed)
        words, speakers_found = self.analyzer.speakers.apply(fixed)
        speaker_ids = sorted({found[0] for found in speakers_found})
        words = [w for w in words if w not in self.filters.code]
        topics_found: list[str] = []
        pairs = self.analyzer.analyze_words(words, topics_found=topics_found)
        literal_pairs = self.analyzer.analyze_words(words, keep_topic_words=True)
        literal = {t for t, _ in literal_pairs}
        weights: dict[str, float] = {}
        for term, word in pairs:
            weights[term] = max(weights.get(term, 0.0), self.terms.weight(term, word))
        for name in HAN_NAMES:  # Chinese has no spaces: unknown names are found as substrings
            if name in parsed.text and name not in self._han_vocabulary:
                weights["!" + name] = self.terms.unknown_idf * UNKNOWN_ENTITY_FACTOR
        total = sum(weights.values())
        unknown = sum(w for t, w in weights.items() if not self.terms.known(t))
        unknown_share = unknown / total if total else 0.0
        named = sum(w for t, w in weights.items() if self.terms.known(t) and t in self.name_terms)
        names_share = named / (total - unknown) if total > unknown else 0.0
        # the words of a topic phrase still count for the statements that use them ("rate cut"
        # names the topic and is also what one statement says happened): a feature of their own
        phrase_weights = {
            term: self.terms.weight(term, word)
            for term, word in literal_pairs
            if term not in weights and self.terms.known(term)
        }
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
        explanation["titles"] = sorted({t.speaker for t in tenures})
        everyday = (
            len(pairs) == 1
            and len(weights) == 1
            and not pairs[0][0].startswith(TOPIC_PREFIX)
            and zipf(pairs[0][1]) >= EVERYDAY_ZIPF
        )
        return _Understood(
            parsed,
            speaker_ids,
            weights,
            unknown_share,
            names_share,
            tenures,
            " ".join(sorted(t for t in literal if not t.startswith(TOPIC_PREFIX))),
            phrase_weights,
            [t.removeprefix(TOPIC_PREFIX) for t in topics_found],
            explanation,
            everyday,
        )

    def _rank(self, understood: _Understood, mask: Mask | None) -> list[Ranked]:
        scores = self.terms.scores(understood.weights)
        if mask is not None:
            scores[~mask] = 0.0
        query = self._query(understood, mask)
        top = candidates(scores)
        semantic = None
        if self.vectors is not None:
            semantic = self.vectors.similarities(understood.parsed.original)
            top = list(dict.fromkeys([*top, *self.vectors.nearest(semantic, mask)]))
        ranked = rerank(top, scores, self.terms.docs, query, self._model, semantic)
        if self.config.every_candidate or not query.latest:
            return ranked
        return relevant_newest_first(ranked, self.terms.docs)

    def _by_filter_only(
        self,
        question: str,
        understood: _Understood,
        mask: Mask | None,
        limit: int,
        notice: str | None,
    ) -> Answer:
        """A question with no words left but a speaker, a title, a date or "latest"."""
        parsed = understood.parsed
        if not (
            understood.speaker_ids
            or understood.tenures
            or parsed.dates is not None
            or parsed.latest
        ):
            return Answer(
                question=question,
                status=Status.NOT_FOUND,
                notice=notice,
                suggestions=self.browser.popular_topics,
                explanation=understood.explanation,
            )
        if mask is None and understood.tenures:
            mask = np.array([held_by(understood.tenures, d.statement) for d in self.terms.docs])
        if understood.speaker_ids:
            # "What did X say (in 2025)?" is answered with X's words, said or relayed by X, never
            # with someone else's statement that merely mentions X
            theirs = self.filters.words_of(understood.speaker_ids)
            mask = theirs if mask is None else mask & theirs
        size = len(self.kb.statements)
        indices = np.flatnonzero(mask) if mask is not None else np.arange(size)
        ranked = rank_bare(
            [int(i) for i in indices[:BARE_CANDIDATES]],
            self.terms.docs,
            self._query(understood, mask),
            self._model,
        )
        # A request to browse ("What did Xi say?") is answered whatever the confidence, which
        # then says how likely any one statement is the one meant.
        understood.explanation["candidates"] = self._explained(ranked)
        if not ranked:
            return self._not_found(question, understood, [], notice)
        return Answer(
            question=question,
            status=Status.FOUND,
            matches=tuple(self._match(row) for row in ranked[:limit]),
            notice=notice,
            explanation=understood.explanation,
        )

    def _query(self, understood: _Understood, mask: Mask | None) -> QueryTerms:
        return QueryTerms(
            weights=understood.weights,
            unknown=understood.unknown,
            names=understood.names,
            filtered=mask is not None,
            speaker_ids=understood.speaker_ids,
            wants_quote=understood.parsed.wants_quote,
            tenures=understood.tenures,
            literal=understood.literal,
            latest=understood.parsed.latest,
            undated=self._undated(understood.parsed),
            stranger=self.filters.strangeness(understood.parsed.owners),
            phrase_weights=understood.phrase_weights,
            rarest=self.terms.unknown_idf,
        )

    def _undated(self, parsed: ParsedQuestion) -> frozenset[int]:
        """Statements outside the question's dates, let in because they name its year."""
        if parsed.dates is None:
            return frozenset()
        outside = self.filters.mentioning(parsed.dates) & ~self.filters.dated(parsed.dates)
        return frozenset(int(i) for i in np.flatnonzero(outside))

    def _explained(self, ranked: list[Ranked]) -> list[dict[str, Any]]:
        return [
            {
                "id": self.terms.docs[row.index].statement.id,
                "accepted": row.confidence >= self.threshold,
                "signals": row.signals,
            }
            for row in ranked[:EXPLAINED_CANDIDATES]
        ]

    def _match(self, row: Ranked) -> Match:
        statement = self.terms.docs[row.index].statement
        return Match(self.kb.attributed(statement), row.confidence, row.signals)

    def _not_found(
        self, question: str, understood: _Understood, ranked: list[Ranked], notice: str | None
    ) -> Answer:
        nearest = [self.terms.docs[row.index].statement for row in ranked]
        return Answer(
            question=question,
            status=Status.NOT_FOUND,
            notice=notice
            or self.decline.filter_notice(understood.speaker_ids, understood.parsed.dates),
            suggestions=self.decline.suggestions(
                understood.topics, nearest, understood.parsed, understood.speaker_ids
            ),
            explanation=understood.explanation,
        )
