"""`policybot eval`: answer quality beside two plain baselines, on one question set or a suite.

The baselines get every advantage (their abstention threshold is tuned on the very questions
being scored); policybot uses the one threshold from configuration. If policybot still wins,
the matching is earning its complexity. A suite (see ``suite.py``) runs every knowledge base
with its own questions and pools the results, split by how each set was used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.runtime.library import Library
from bot.search.confidence import MODEL_FILE, SEMANTIC_MODEL_FILE
from bot.search.engine import SearchIndex
from bot.tools.evaluate import calibrate
from bot.tools.evaluate.baselines import bm25_baseline, token_set_baseline
from bot.tools.evaluate.cases import Report, load_cases, policybot_report
from bot.tools.evaluate.report import format_misses, format_table, threshold_sweep
from bot.tools.evaluate.suite import EvalSet, is_suite, load_suite

GATES = (("top1", "top-1"), ("top3", "top-3"), ("abstention", "abstention"))


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "semantic", False):
        settings = settings.model_copy(update={"semantic": True})
    if is_suite(args.cases):
        sets = load_suite(args.cases)
        if args.fit is not None:
            return _fit(settings, sets, args.fit)
        return _run_suite(args, settings, sets)
    if args.fit is not None:
        print("eval: --fit needs a suite file (tests/eval/suite.yaml)", file=sys.stderr)
        return 2
    index = _index(settings, args.threshold)
    cases = load_cases(args.cases)
    ours = policybot_report(index, cases, label=_label(index, args.threshold))
    reports = [token_set_baseline(index.kb, cases), bm25_baseline(index.kb, cases), ours]
    sweep = threshold_sweep(index, cases)
    if args.json:
        print(json.dumps(_json(reports, sweep, ours), ensure_ascii=False, indent=2))
    else:
        print(f"{len(cases)} cases from {args.cases}\n")
        print(format_table(reports, sweep))
        print("\npolicybot misses:")
        print(format_misses(ours))
    return _gate(ours, args)


def _index(settings: Settings, threshold: float | None) -> SearchIndex:
    index = Library.from_settings(settings).build()
    if threshold is not None:
        index.config = replace(index.config, threshold=threshold)
    return index


def _label(index: SearchIndex, override: float | None) -> str:
    return f"{index.threshold:.2f} ({'override' if override is not None else 'shipped'})"


def _gate(report: Report, args: argparse.Namespace) -> int:
    metrics = report.metrics()
    failures = [
        f"{name} {metrics[key]:.3f} < {minimum:.3f}"
        for key, name in GATES
        if metrics[key] < (minimum := getattr(args, f"min_{key}"))
    ]
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _json(reports: list[Report], sweep: list[dict[str, float]], ours: Report) -> dict[str, Any]:
    return {
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
    }


# ----------------------------------------------------------------------------- suites

SUITE_COLUMNS = ("top1", "top3", "abstention")
KIND_OF_INTEREST = "paraphrase"


def _run_suite(args: argparse.Namespace, settings: Settings, sets: list[EvalSet]) -> int:
    rows: list[tuple[EvalSet, list[Report]]] = []
    for entry in sets:
        index = _index(
            settings.model_copy(update={"knowledge_dir": entry.knowledge}), args.threshold
        )
        cases = load_cases(entry.questions)
        ours = policybot_report(index, cases, label=_label(index, args.threshold))
        rows.append(
            (entry, [token_set_baseline(index.kb, cases), bm25_baseline(index.kb, cases), ours])
        )
    pooled = {role: _pool([r for e, r in rows if e.role == role]) for role in ("fit", "check")}
    pooled["all"] = _pool([r for _e, r in rows])
    if args.json:
        print(json.dumps(_suite_json(rows, pooled), ensure_ascii=False, indent=2))
    else:
        print(_suite_table(rows, pooled))
        if getattr(args, "misses", False):
            for entry, reports in rows:
                print(f"\n{entry.name} misses:\n{format_misses(reports[-1])}")
    return _gate(pooled["all"][-1], args)


def _pool(groups: list[list[Report]]) -> list[Report]:
    """One report per column (baselines, policybot) holding every set's outcomes."""
    if not groups:
        return []
    pooled = []
    for column in range(len(groups[0])):
        first = groups[0][column]
        report = Report(first.name, "per set")
        for reports in groups:
            report.outcomes += reports[column].outcomes
        pooled.append(report)
    return pooled


def _cells(report: Report) -> str:
    metrics = report.metrics()
    values = [metrics[key] for key in SUITE_COLUMNS]
    values.append(metrics["by_kind"].get(KIND_OF_INTEREST, float("nan")))
    return "  ".join(f"{value:5.3f}" for value in values)


def _suite_table(rows: list[tuple[EvalSet, list[Report]]], pooled: dict[str, list[Report]]) -> str:
    header = "top-1  top-3  abst.  para."
    names = [report.name for report in rows[0][1]] if rows else []
    lines = [
        f"{'set':<22}{'role':<7}{'cases':>6}   " + "   ".join(f"{n:<27}" for n in names),
        f"{'':<35}   " + "   ".join(f"{header:<27}" for _ in names),
    ]
    for entry, reports in rows:
        cells = "   ".join(f"{_cells(r):<27}" for r in reports)
        lines.append(f"{entry.name:<22}{entry.role:<7}{len(reports[-1].outcomes):>6}   {cells}")
    for role, reports in pooled.items():
        if reports:
            cells = "   ".join(f"{_cells(r):<27}" for r in reports)
            label = f"pooled: {role}"
            lines.append(f"{label:<29}{len(reports[-1].outcomes):>6}   {cells}")
    threshold = rows[0][1][-1].threshold if rows else ""
    lines.append(
        f"\nbaselines: abstention cut-off tuned on each set itself; policybot: {threshold}"
    )
    if pooled["all"]:
        kinds = pooled["all"][-1].metrics()["by_kind"]
        lines.append(
            "policybot pooled by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in kinds.items())
        )
    return "\n".join(lines)


def _suite_json(
    rows: list[tuple[EvalSet, list[Report]]], pooled: dict[str, list[Report]]
) -> dict[str, Any]:
    return {
        "sets": [
            {
                "name": entry.name,
                "role": entry.role,
                "knowledge": str(entry.knowledge),
                "reports": [r.metrics() for r in reports],
            }
            for entry, reports in rows
        ],
        "pooled": {role: [r.metrics() for r in reports] for role, reports in pooled.items()},
    }


def _fit(settings: Settings, sets: list[EvalSet], out: Path) -> int:
    """Fit the confidence model on the ``fit`` sets, check it on the others, write it."""
    if out == Path("-"):
        out = SEMANTIC_MODEL_FILE if settings.semantic else MODEL_FILE
    questions: list[calibrate.Question] = []
    for entry in sets:
        local = settings.model_copy(update={"knowledge_dir": entry.knowledge})
        index = _index(local, None)
        questions += calibrate.collect(entry, index, load_cases(entry.questions))
    fitted_on = [entry.name for entry in sets if entry.role == "fit"]
    model = calibrate.fit([q for q in questions if q.role == "fit"])
    checked = calibrate.score([q for q in questions if q.role == "check"], model).metrics()
    fitted = calibrate.score([q for q in questions if q.role == "fit"], model).metrics()
    loko = calibrate.leave_one_out(questions)
    out.write_text(
        model.to_json(
            fitted_on=fitted_on,
            fitted=str(dt.date.today()),
            score_on_fit_sets=fitted,
            score_on_check_sets=checked,
            leave_one_knowledge_base_out=loko,
        ),
        encoding="utf-8",
    )
    print(f"wrote {out}: threshold {model.threshold:.2f}, fitted on {', '.join(fitted_on)}")
    print(f"  fit sets:   {fitted}")
    print(f"  check sets: {checked}")
    print("leave one knowledge base out (fitted on the others, threshold fitted too):")
    for name, metrics in loko.items():
        print(f"  {name:<32} {metrics}")
    return 0
