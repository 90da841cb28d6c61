"""Reranking the candidates and their confidence.

Confidence is *coverage*: the share of the question's information (terms weighted by rarity)
that a statement accounts for, adjusted by how squarely the statement is about the question
(precision) and how closely its maintainer-written questions match (rapidfuzz
``token_sort_ratio``). Because it is a share of the question itself, one threshold means the
same for a two-word query and a long one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.knowledge.models import StatementKind
from bot.search.index import Doc

CANDIDATES = 40
QUOTE_BOOST = 0.15
FOCUS_SHARE = 0.2
OTHER_TERM_WEIGHT = 0.5  # what each statement term the question did not ask for costs


@dataclass(frozen=True, slots=True)
class Ranked:
    """One candidate: its statement number, confidence and the signals ``--explain`` shows."""

    index: int
    confidence: float
    signals: dict[str, float] = field(compare=False)


def candidates(scores: npt.NDArray[np.float32]) -> list[int]:
    """The statements with the highest index scores (unordered), positive scores only."""
    size = len(scores)
    count = min(CANDIDATES, size)
    if count == 0:
        return []
    top = np.argpartition(-scores, count - 1)[:count] if count < size else np.arange(size)
    return [int(i) for i in top[scores[top] > 0]]


def rerank(
    top: Sequence[int],
    scores: npt.NDArray[np.float32],
    docs: Sequence[Doc],
    weights: Mapping[str, float],
    *,
    wants_quote: bool,
) -> list[Ranked]:
    total = sum(weights.values())
    query_terms = frozenset(weights)
    query_string = " ".join(sorted(query_terms))
    ranked: list[Ranked] = []
    for index in top:
        coverage = float(scores[index]) / total
        doc = docs[index]
        precision = max(
            [share(terms, query_terms, weights) for terms in doc.question_terms]
            + [share(doc.text_terms, query_terms, weights)]
        )
        similarity = 0.0
        if doc.question_strings:
            best = process.extractOne(
                query_string, doc.question_strings, scorer=fuzz.token_sort_ratio, processor=None
            )
            similarity = best[1] / 100.0 if best else 0.0
        # how much of the question it covers, scaled by how squarely it is about it
        focus = 0.8 * precision + 0.2 * similarity
        confidence = coverage * (1.0 - FOCUS_SHARE + FOCUS_SHARE * focus)
        if wants_quote and doc.statement.kind is StatementKind.QUOTE:
            confidence += QUOTE_BOOST
        confidence = min(1.0, confidence)
        signals = {
            "coverage": round(coverage, 4),
            "precision": round(precision, 4),
            "similarity": round(similarity, 4),
            "confidence": round(confidence, 4),
        }
        ranked.append(Ranked(index, confidence, signals))
    return ranked


def share(
    field_terms: tuple[str, ...], query_terms: frozenset[str], weights: Mapping[str, float]
) -> float:
    """How much of a field is about the question (penalises long texts merely mentioning it):
    the question's weight it holds, over that plus a little for each of its other terms."""
    matched = [weights[t] for t in field_terms if t in query_terms]
    if not matched:
        return 0.0
    held = sum(matched)
    return held / (held + OTHER_TERM_WEIGHT * (len(field_terms) - len(matched)))
