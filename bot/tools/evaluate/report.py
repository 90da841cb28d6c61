"""Printing evaluation results: one set beside its baselines, the threshold sweep, the misses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from bot.search.engine import SearchIndex
from bot.tools.evaluate.cases import Case, Report, policybot_report

SWEEP = tuple(round(0.30 + 0.05 * step, 2) for step in range(13))


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
