"""The inverted index: every term of every field of every statement, with field weights.

Per-term numpy arrays of statement numbers and field weights, summed per query, pick the
candidates; terms weigh by rarity (BM25's smoothed idf). Building it is the expensive half of a
load, so the analysis is cached (``bot.search.indexcache``), keyed by the content hash.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.knowledge.models import KnowledgeBase, Statement
from bot.normalize import normalize, tokens
from bot.search.analyzer import Analyzer
from bot.search.indexcache import Analysis, load_analysis, save_analysis
from bot.search.lexicon import GAZETTEER, zipf
from bot.search.phrases import phrase

FIELD_WEIGHTS = {"questions": 1.0, "topics": 1.0, "text": 0.85, "context": 0.6}
UNKNOWN_ENTITY_FACTOR = 1.5
# How common a word is in English (Zipf scale) decides how much it says about the question:
COMMON_ZIPF, VERY_COMMON_ZIPF = 4.5, 6.0  # known words this common count down to LIGHT_FACTOR
LIGHT_FACTOR = 0.3
RARE_ZIPF = 2.5  # an unknown word this rare is a name or a subject the knowledge base lacks
UNKNOWN_COMMON_FACTOR = 0.15  # an unknown everyday word is more likely a paraphrase


@dataclass
class Doc:
    """Per-statement data the reranker needs, computed once at index time."""

    statement: Statement
    question_terms: list[tuple[str, ...]]  # distinct terms; tuples are a third of a frozenset's
    text_terms: tuple[str, ...]  # size, and the reranker only ever scans them
    question_strings: list[str]
    text_string: str  # the text's distinct terms, sorted, for token_set_ratio


class TermIndex:
    """Postings, term weights and per-statement terms for one knowledge base."""

    def __init__(self, kb: KnowledgeBase, analyzer: Analyzer, cache_dir: Path | None) -> None:
        statements = kb.statements
        self.size = len(statements)
        analysis = load_analysis(cache_dir, kb.content_hash) if cache_dir else None
        if analysis is None:
            analysis = analyse(kb, analyzer)
            if cache_dir is not None:
                save_analysis(cache_dir, kb.content_hash, analysis)
        self.analysis = analysis
        self.docs = [
            Doc(
                statement=statement,
                question_terms=questions,
                text_terms=text_terms,
                question_strings=[" ".join(sorted(terms)) for terms in questions],
                text_string=" ".join(sorted(text_terms)),
            )
            for statement, text_terms, questions in zip(
                statements, analysis.text_terms, analysis.question_terms, strict=True
            )
        ]
        self.postings = analysis.postings
        self.idf = {term: self._idf(len(ids)) for term, (ids, _) in self.postings.items()}
        self.unknown_idf = self._idf(0)

    def known(self, term: str) -> bool:
        return term in self.idf

    def weight(self, term: str, word: str) -> float:
        """How much a question's term says: its rarity in the knowledge base, damped when its
        word is common in English ("people", "time"). A word the knowledge base lacks weighs by
        how rare it is in English: a rare one (a name, a subject not covered) as much as the
        rarest known word, an everyday one (likely a paraphrase) little; a real-world place or
        leader more than any known word, so a question about it is declined."""
        known = self.idf.get(term)
        frequency = zipf(word)
        if known is not None:
            return known * _interpolate(frequency, COMMON_ZIPF, VERY_COMMON_ZIPF, LIGHT_FACTOR)
        if term in GAZETTEER or word in GAZETTEER:
            return self.unknown_idf * UNKNOWN_ENTITY_FACTOR
        return self.unknown_idf * _interpolate(
            frequency, RARE_ZIPF, VERY_COMMON_ZIPF, UNKNOWN_COMMON_FACTOR
        )

    def scores(self, weights: Mapping[str, float]) -> npt.NDArray[np.float32]:
        """Each statement's weighted share of the query terms it holds, field weights applied."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term, weight in weights.items():
            posting = self.postings.get(term)
            if posting is not None:
                ids, field_weights = posting
                scores[ids] += weight * field_weights
        return scores

    def _idf(self, df: int) -> float:
        """BM25's smoothed idf: positive even for a term in every statement, highest when unseen."""
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))


def _interpolate(value: float, low: float, high: float, floor: float) -> float:
    """1 at or below ``low``, ``floor`` at or above ``high``, linear between."""
    if value <= low:
        return 1.0
    if value >= high:
        return floor
    return 1.0 - (1.0 - floor) * (value - low) / (high - low)


def analyse(kb: KnowledgeBase, analyzer: Analyzer) -> Analysis:
    """The expensive part of indexing: every string tokenised and analysed exactly once."""
    postings: dict[str, dict[int, float]] = {}
    vocabulary: Counter[str] = Counter()
    mentions: dict[str, list[int]] = {}
    all_text_terms: list[tuple[str, ...]] = []
    all_question_terms: list[list[tuple[str, ...]]] = []
    topic_terms = {
        topic.id: analyzer.analyze(phrase(topic.name), keep_topic_words=True)
        for topic in kb.topics.values()
    }

    def index_terms(index: int, terms: Iterable[str], weight: float) -> None:
        for term in terms:
            slot = postings.setdefault(term, {})
            if slot.get(index, 0.0) < weight:
                slot[index] = weight

    for index, statement in enumerate(kb.statements):
        text_raw = tokens(normalize(statement.text))
        question_raw = [tokens(normalize(q)) for q in statement.questions]
        context_raw = tokens(normalize(statement.context)) if statement.context else []
        text_terms = analyzer.analyze(text_raw, keep_topic_words=True)
        question_terms = [analyzer.analyze(raw, keep_topic_words=True) for raw in question_raw]
        vocabulary.update(text_raw)
        vocabulary.update(context_raw)
        for raw in question_raw:
            vocabulary.update(raw)
        index_terms(index, text_terms, FIELD_WEIGHTS["text"])
        for terms in question_terms:
            index_terms(index, terms, FIELD_WEIGHTS["questions"])
        context_terms = analyzer.analyze(context_raw, keep_topic_words=True)
        index_terms(index, context_terms, FIELD_WEIGHTS["context"])
        for topic_id in statement.topics:
            index_terms(index, topic_terms.get(topic_id, ()), FIELD_WEIGHTS["topics"])
        for speaker_id in _named(analyzer, statement, (text_raw, context_raw, *question_raw)):
            mentions.setdefault(speaker_id, []).append(index)
        all_text_terms.append(tuple(dict.fromkeys(text_terms)))
        all_question_terms.append([tuple(dict.fromkeys(terms)) for terms in question_terms])
    return Analysis(
        postings={
            term: (
                np.fromiter(docs.keys(), dtype=np.int32, count=len(docs)),
                np.fromiter(docs.values(), dtype=np.float32, count=len(docs)),
            )
            for term, docs in postings.items()
        },
        vocabulary=vocabulary,
        text_terms=all_text_terms,
        question_terms=all_question_terms,
        mentions=mentions,
    )


def _named(analyzer: Analyzer, statement: Statement, fields: Sequence[list[str]]) -> set[str]:
    """Speakers a statement names without being theirs (statements *about* someone)."""
    named: set[str] = set()
    for raw in fields:
        named.update(p[0] for p in analyzer.speakers.apply(raw)[1])
    return named - {statement.speaker, statement.relayed_by or ""}
