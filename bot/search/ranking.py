"""Reranking the candidates and their confidence.

Each candidate gets a few features that mean the same on any knowledge base — the share of the
question's weighted terms it holds (*coverage*), how squarely it is about the question
(*precision*), how closely its maintainer-written questions and its text match, how much of the
question the knowledge base does not know at all, the margin to the runner-up — and the
confidence model (:mod:`bot.search.confidence`) turns them into the probability that the
statement answers the question. That probability ranks the candidates and decides, against
one threshold, whether to answer at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.knowledge.models import StatementKind
from bot.search.confidence import ConfidenceModel
from bot.search.index import Doc
from bot.search.roles import Tenure, held_by

CANDIDATES = 40
OTHER_TERM_WEIGHT = 0.5  # what each statement term the question did not ask for costs


@dataclass(frozen=True, slots=True)
class Ranked:
    """One candidate: its statement number, confidence and the signals ``--explain`` shows."""

    index: int
    confidence: float
    signals: dict[str, float] = field(compare=False)


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """What the reranker needs to know about the question."""

    weights: Mapping[str, float]
    unknown: float  # share of the weight in words the knowledge base lacks
    names: float  # share of the known weight in names (places, people, bodies)
    filtered: bool
    speaker_ids: Sequence[str]
    wants_quote: bool
    tenures: Sequence[Tenure] = ()
    literal: str = ""  # the question's own words (topic names included), sorted stems
    latest: bool = False  # asked for the position as it stands now
    undated: frozenset[int] = frozenset()  # outside the question's dates, naming its year
    stranger: float = 0.0  # share of whom the question asks that names no speaker
    phrase_weights: Mapping[str, float] = field(default_factory=dict)  # topic phrases' words
    rarest: float = 0.0  # the weight of a word in no statement (the index's highest idf)


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
    query: QueryTerms,
    model: ConfidenceModel,
    semantic: npt.NDArray[np.float32] | None = None,
) -> list[Ranked]:
    weights = query.weights
    total = sum(weights.values())
    query_terms = frozenset(weights)
    query_string = " ".join(sorted(query_terms))
    coverages = {index: float(scores[index]) / total if total else 0.0 for index in top}
    best = max(coverages.values(), default=0.0)
    close = {index: float(semantic[index]) for index in top} if semantic is not None else {}
    closest = max(close.values(), default=0.0)
    recency = _recency(top, docs) if query.latest else {}
    ranked: list[Ranked] = []
    for index in top:
        doc = docs[index]
        coverage = coverages[index]
        others = max((c for i, c in coverages.items() if i != index), default=0.0)
        features = {
            "coverage": coverage,
            "precision": max(
                [share(terms, query_terms, weights) for terms in doc.question_terms]
                + [share(doc.text_terms, query_terms, weights)]
            ),
            "qsim": _question_similarity(query_string, doc),
            "tsim": fuzz.token_set_ratio(
                query.literal or query_string, doc.text_string, processor=None
            )
            / 100.0,
            "unknown": query.unknown,
            "names": query.names,
            "margin": coverage - others,
            "lead": 1.0 if coverage >= best else 0.0,
            "filtered": 1.0 if query.filtered else 0.0,
            "own": own(doc, query.speaker_ids),
            "role": float(held_by(query.tenures, doc.statement)),
            "quote": float(query.wants_quote and doc.statement.kind is StatementKind.QUOTE),
            **_semantic_features(index, close, closest),
            "recency": recency.get(index, 0.0),
            "undated": float(index in query.undated),
            "stranger": query.stranger,
            "phrase": share_held(doc.text_terms, query.phrase_weights),
            # one everyday word ("great", "time") matching one statement covers all of a
            # question but is weak evidence: the weight matched, against the rarest word's
            "evidence": min(1.0, float(scores[index]) / query.rarest) if query.rarest else 0.0,
        }
        ranked.append(_scored(index, features, model))
    return sorted(
        ranked, key=lambda r: (-r.signals["rank"], -docs[r.index].statement.date.toordinal())
    )


RELEVANT_SHARE = 0.5  # for "latest": candidates ranked at least this share of the best count


def relevant_newest_first(ranked: list[Ranked], docs: Sequence[Doc]) -> list[Ranked]:
    """For "latest": of candidates best first, only those ranked close to the best (the
    relevant ones), newest first."""
    if not ranked:
        return ranked
    bar = RELEVANT_SHARE * ranked[0].signals["rank"]
    relevant = [r for r in ranked if r.signals["rank"] >= bar]
    return sorted(relevant, key=lambda r: -docs[r.index].statement.date.toordinal())


def _scored(index: int, features: dict[str, float], model: ConfidenceModel) -> Ranked:
    confidence = model.probability(features)
    signals = {name: round(value, 4) for name, value in features.items()}
    signals["rank"] = round(model.rank_score(features), 6)
    signals["confidence"] = round(confidence, 4)
    return Ranked(index, confidence, signals)


def _recency(top: Sequence[int], docs: Sequence[Doc]) -> dict[int, float]:
    days = {index: docs[index].statement.date.toordinal() for index in top}
    oldest, newest = min(days.values(), default=0), max(days.values(), default=0)
    span = newest - oldest
    return {index: (day - oldest) / span if span else 1.0 for index, day in days.items()}


def _semantic_features(index: int, close: dict[int, float], closest: float) -> dict[str, float]:
    if not close:
        return {}
    others = max((c for i, c in close.items() if i != index), default=0.0)
    return {
        "semantic": close[index],
        "semantic_margin": close[index] - others,
        "semantic_lead": 1.0 if close[index] >= closest else 0.0,
    }


def rank_bare(
    indices: Sequence[int], docs: Sequence[Doc], query: QueryTerms, model: ConfidenceModel
) -> list[Ranked]:
    """A question with nothing to match but a speaker, a title, a date or "latest" ("What did
    Xi say?"): the speaker's own words first, direct quotes first when asked for, then the
    newest; the confidence model still decides how sure that is."""
    ranked: list[Ranked] = []
    for index in indices:
        doc = docs[index]
        features = {
            "filtered": 1.0,
            "bare": 1.0,
            "own": own(doc, query.speaker_ids),
            "role": float(held_by(query.tenures, doc.statement)),
            "quote": float(query.wants_quote and doc.statement.kind is StatementKind.QUOTE),
        }
        ranked.append(_scored(index, features, model))
    ranked.sort(
        key=lambda row: (
            -row.signals["own"],
            -row.signals["role"],
            -row.signals["quote"],
            -docs[row.index].statement.date.toordinal(),
        )
    )
    return ranked


def own(doc: Doc, speaker_ids: Sequence[str]) -> float:
    """How directly a statement is the named speaker's: 1 their own words, 0.75 their words
    as relayed by someone else, 0.5 someone else's words they relayed, 0 otherwise."""
    statement = doc.statement
    if statement.speaker in speaker_ids:
        return 1.0 if statement.relayed_by is None else 0.75
    if statement.relayed_by in speaker_ids:
        return 0.5
    return 0.0


def _question_similarity(query_string: str, doc: Doc) -> float:
    if not doc.question_strings:
        return 0.0
    found = process.extractOne(
        query_string, doc.question_strings, scorer=fuzz.token_sort_ratio, processor=None
    )
    return found[1] / 100.0 if found else 0.0


def share_held(terms: tuple[str, ...], weights: Mapping[str, float]) -> float:
    """The share of ``weights`` (a question's words) that these terms (a statement's) hold."""
    total = sum(weights.values())
    return sum(weights.get(t, 0.0) for t in terms) / total if total else 0.0


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
