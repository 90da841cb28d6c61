"""Evaluation cases and what answering them scored: top-1, top-3, abstention, MRR, by kind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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


def policybot_report(index: SearchIndex, cases: Sequence[Case], *, label: str = "") -> Report:
    report = Report("policybot", label or f"{index.threshold:.2f}")
    for case in cases:
        answer = index.search(case.question, limit=3)
        ranked = [(m.item.statement.id, m.score) for m in answer.matches] if answer.answered else []
        report.outcomes.append(Outcome(case, ranked))
    return report
