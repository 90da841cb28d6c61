"""Two plain baselines over the same knowledge base: rapidfuzz ``token_set_ratio`` against each
statement's text, and BM25 (bm25s). Each gets its abstention cut-off tuned on the very questions
being scored, so policybot, with its one configured threshold, has to beat them fairly."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from bot.knowledge.models import KnowledgeBase
from bot.tools.evaluate.cases import Case, Outcome, Report


def _tuned(name: str, cases: Sequence[Case], scored: list[list[tuple[str, float]]]) -> Report:
    """Pick the abstention cut-off that maximises overall accuracy on these very cases."""
    candidates = sorted({round(ranked[0][1], 4) for ranked in scored if ranked} | {0.0})
    best: Report | None = None
    for cut in candidates:
        report = Report(name, f"{cut:.3g} (tuned on this set)")
        for case, ranked in zip(cases, scored, strict=True):
            keep = ranked if ranked and ranked[0][1] >= cut and ranked[0][1] > 0 else []
            report.outcomes.append(Outcome(case, keep))
        if best is None or report.metrics()["overall"] > best.metrics()["overall"]:
            best = report
    assert best is not None
    return best


def token_set_baseline(kb: KnowledgeBase, cases: Sequence[Case]) -> Report:
    ids = [s.id for s in kb.statements]
    texts = [utils.default_process(s.text) for s in kb.statements]
    scored: list[list[tuple[str, float]]] = []
    for case in cases:
        found = process.extract(
            utils.default_process(case.question),
            texts,
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=3,
        )
        scored.append([(ids[i], float(score)) for _text, score, i in found])
    return _tuned("token_set_ratio", cases, scored)


def bm25_baseline(kb: KnowledgeBase, cases: Sequence[Case]) -> Report:
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG

    ids = [s.id for s in kb.statements]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize([s.text for s in kb.statements], stopwords="en", show_progress=False),
        show_progress=False,
    )
    scored: list[list[tuple[str, float]]] = []
    for case in cases:
        tokens = bm25s.tokenize([case.question], stopwords="en", show_progress=False)
        if not tokens.vocab:
            scored.append([])
            continue
        docs, scores = retriever.retrieve(tokens, k=min(3, len(ids)), show_progress=False)
        scored.append(
            [(ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
        )
    return _tuned("BM25 (bm25s)", cases, scored)
