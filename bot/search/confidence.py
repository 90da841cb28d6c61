"""The confidence model: a small logistic regression over features that do not depend on the
knowledge base (shares of the question covered, margins, similarities), so one threshold means
the same on any knowledge base.

Its coefficients are data (``data/confidence.json``), fitted by ``policybot eval --fit`` on the
suite's ``fit`` sets and checked on the others; the file records which sets and when.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.search.lexicon import DATA

MODEL_FILE = DATA / "confidence.json"
SEMANTIC_MODEL_FILE = DATA / "confidence-semantic.json"
FEATURES: tuple[str, ...] = (
    "coverage",  # share of the question's weighted terms the statement holds
    "precision",  # share of the statement that is about the question
    "qsim",  # closest maintainer-written question (token_sort_ratio, 0-1)
    "tsim",  # the question's terms against the statement's (token_set_ratio, 0-1)
    "unknown",  # share of the question's weight in words the knowledge base lacks
    "names",  # share of what the knowledge base knows of the question that is only names
    "margin",  # coverage minus the best other candidate's
    "lead",  # 1 for the candidate with the most coverage
    "filtered",  # a speaker, date or country filter narrowed the candidates
    "own",  # 1 the named speaker's own words, .75 relayed by another, .5 relayed by them
    "role",  # the question names a title ("the mayor") its speaker held when speaking
    "bare",  # the question has no words left to match, only a speaker, date or recency
    "quote",  # a direct quote was asked for and this is one
    "semantic",  # sentence-embedding similarity, when the optional reranker is on (else 0)
    "semantic_margin",  # that similarity minus the best other candidate's
    "semantic_lead",  # 1 for the candidate the embeddings find closest
    "recency",  # asked for the latest: 1 for the newest candidate, 0 for the oldest
    "undated",  # said outside the question's dates, but its words name the year asked about
    "stranger",  # share of whom the question asks ("the police chief") that names no speaker
    "phrase",  # share of the words of the topic phrases the question names that it holds
    "evidence",  # the question's weight it holds, against a word no statement has (at most 1)
)


@dataclass(frozen=True, slots=True)
class Logistic:
    intercept: float
    weights: Mapping[str, float]

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def as_dict(self) -> dict[str, object]:
        return {"intercept": self.intercept, "weights": dict(self.weights)}

    @classmethod
    def from_vector(cls, vector: Sequence[float]) -> Logistic:
        return cls(vector[0], dict(zip(FEATURES, vector[1:], strict=True)))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Logistic:
        weights = data["weights"]
        return cls(float(data["intercept"]), {n: float(weights.get(n, 0.0)) for n in FEATURES})


@dataclass(frozen=True, slots=True)
class ConfidenceModel:
    """Two small models: the *ranker* orders a question's candidates (trained on every
    candidate), the *answer* model says how likely a candidate, taken as the answer, is right
    (trained on the candidate the ranker put first); its probability is the confidence shown
    and compared with the threshold."""

    ranker: Logistic
    answer: Logistic
    threshold: float  # the fitted probability at which to answer; the shipped default

    def rank_score(self, features: Mapping[str, float]) -> float:
        return self.ranker.probability(features)

    def probability(self, features: Mapping[str, float]) -> float:
        return self.answer.probability(features)

    def to_json(self, **meta: object) -> str:
        data = {
            "features": list(FEATURES),
            "ranker": self.ranker.as_dict(),
            "answer": self.answer.as_dict(),
            "threshold": self.threshold,
            **meta,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@cache
def load_model(path: Path = MODEL_FILE) -> ConfidenceModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return ConfidenceModel(
        Logistic.from_dict(data["ranker"]),
        Logistic.from_dict(data["answer"]),
        float(data["threshold"]),
    )
