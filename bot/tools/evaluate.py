"""`policybot eval`: answer quality on a question set, beside two plain baselines in one run.

The baselines get every advantage (their abstention threshold is tuned on the very questions
being scored); policybot uses the one threshold from configuration. If policybot still wins,
the matching is earning its complexity.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process, utils

from bot.config import Settings
from bot.knowledge.models import KnowledgeBase
from bot.runtime.library import Library
from bot.search.engine import SearchIndex

DECLINE = "none"
SWEEP = tuple(round(0.30 + 0.05 * step, 2) for step in range(13))


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    expect: frozenset[str]  # empty: the bot must decline
    kind: str

    @property
    def answerable(self) -> bool:
        return bool(self.expect)


@dataclass
class Outcome:
    case: Case
    ranked: list[tuple[str, float]]  # (statement id, score), best first; empty when declined

    @property
    def rank(self) -> int | None:
        for position, (statement_id, _score) in enumerate(self.ranked, 1):
            if statement_id in self.case.expect:
                return position
        return None

    @property
    def correct(self) -> bool:
        if not self.case.answerable:
            return not self.ranked
        return self.rank == 1


@dataclass
class Report:
    name: str
    threshold: str
    outcomes: list[Outcome] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        answerable = [o for o in self.outcomes if o.case.answerable]
        declines = [o for o in self.outcomes if not o.case.answerable]
        by_kind: dict[str, list[bool]] = defaultdict(list)
        for outcome in self.outcomes:
            by_kind[outcome.case.kind].append(outcome.correct)
        ranks = [o.rank for o in answerable]
        return {
            "name": self.name,
            "threshold": self.threshold,
            "cases": len(self.outcomes),
            "top1": _share(sum(r == 1 for r in ranks), len(answerable)),
            "top3": _share(sum(r is not None and r <= 3 for r in ranks), len(answerable)),
            "abstention": _share(sum(o.correct for o in declines), len(declines)),
            "mrr": _share(sum(1.0 / r for r in ranks if r), len(answerable)),
            "overall": _share(sum(o.correct for o in self.outcomes), len(self.outcomes)),
            "by_kind": {kind: _share(sum(v), len(v)) for kind, v in sorted(by_kind.items())},
        }


def _share(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for entry in data["cases"]:
        expect = entry["expect"]
        ids = frozenset() if expect in (DECLINE, None) else frozenset(expect)
        cases.append(Case(str(entry["q"]), ids, str(entry.get("kind", "other"))))
    return cases


def policybot_report(index: SearchIndex, cases: Sequence[Case]) -> Report:
    report = Report("policybot", f"{index.config.threshold:.2f} (config)")
    for case in cases:
        answer = index.search(case.question, limit=3)
        ranked = [(m.item.statement.id, m.score) for m in answer.matches] if answer.answered else []
        report.outcomes.append(Outcome(case, ranked))
    return report


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


def threshold_sweep(index: SearchIndex, cases: Sequence[Case]) -> list[dict[str, float]]:
    """Accuracy at each threshold: how a maintainer picks one for a new knowledge base."""
    original = index.config
    rows = []
    try:
        for threshold in SWEEP:
            index.config = replace(original, threshold=threshold)
            metrics = policybot_report(index, cases).metrics()
            rows.append(
                {
                    "threshold": threshold,
                    "top1": metrics["top1"],
                    "abstention": metrics["abstention"],
                    "overall": metrics["overall"],
                }
            )
    finally:
        index.config = original
    return rows


def _fmt(metrics: dict[str, Any], key: str) -> str:
    return f"{metrics[key]:.3f}"


def _fmt_kind(metrics: dict[str, Any], kind: str) -> str:
    return f"{metrics['by_kind'].get(kind, 0):.3f}"


def format_table(reports: Sequence[Report], sweep: list[dict[str, float]]) -> str:
    metrics = [r.metrics() for r in reports]
    width = max(24, *(len(m["threshold"]) + 2 for m in metrics))
    lines = ["".ljust(22) + "".join(m["name"].ljust(width) for m in metrics)]

    def row(label: str, get: Callable[[dict[str, Any]], Any]) -> None:
        lines.append(label.ljust(22) + "".join(str(get(m)).ljust(width) for m in metrics))

    row("threshold", lambda m: m["threshold"])
    for key, label in (
        ("top1", "top-1 (answerable)"),
        ("top3", "top-3 (answerable)"),
        ("abstention", "abstention"),
        ("mrr", "MRR"),
        ("overall", "overall"),
    ):
        row(label, partial(_fmt, key=key))
    kinds = sorted({k for m in metrics for k in m["by_kind"]})
    for kind in kinds:
        row(f"  {kind}", partial(_fmt_kind, kind=kind))
    lines.append("")
    lines.append("policybot accuracy by threshold (choose where abstention stays 1.0):")
    lines.append("  threshold  top-1   abstention  overall")
    for entry in sweep:
        lines.append(
            f"  {entry['threshold']:<9.2f}  {entry['top1']:.3f}   "
            f"{entry['abstention']:.3f}       {entry['overall']:.3f}"
        )
    return "\n".join(lines)


def format_misses(report: Report) -> str:
    lines = []
    for outcome in report.outcomes:
        if outcome.correct:
            continue
        wanted = ", ".join(sorted(outcome.case.expect)) or "decline"
        got = ", ".join(f"{i} ({s:.2f})" for i, s in outcome.ranked) or "declined"
        lines.append(
            f"  [{outcome.case.kind}] {outcome.case.question!r}\n"
            f"      wanted: {wanted}\n      got:    {got}"
        )
    return "\n".join(lines) if lines else "  none"


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    index = Library.from_settings(settings).build()
    if args.threshold is not None:
        index.config = replace(index.config, threshold=args.threshold)
    cases = load_cases(args.cases)
    ours = policybot_report(index, cases)
    reports = [token_set_baseline(index.kb, cases), bm25_baseline(index.kb, cases), ours]
    sweep = threshold_sweep(index, cases)
    metrics = ours.metrics()
    if args.json:
        print(
            json.dumps(
                {
                    "reports": [r.metrics() for r in reports],
                    "sweep": sweep,
                    "misses": [
                        {
                            "question": o.case.question,
                            "kind": o.case.kind,
                            "expect": sorted(o.case.expect),
                            "got": o.ranked,
                        }
                        for o in ours.outcomes
                        if not o.correct
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"{len(cases)} cases from {args.cases}\n")
        print(format_table(reports, sweep))
        print("\npolicybot misses:")
        print(format_misses(ours))
    failures = [
        f"{name} {metrics[key]:.3f} < {minimum:.3f}"
        for key, name, minimum in (
            ("top1", "top-1", args.min_top1),
            ("top3", "top-3", args.min_top3),
            ("abstention", "abstention", args.min_abstention),
        )
        if metrics[key] < minimum
    ]
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0
