"""A finding of ``lint`` or ``validate``: ``path:line: severity: message``, and the summary line
both commands end with."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.knowledge.problems import Problem, where

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True, slots=True, order=True)
class LintFinding:
    """One finding; fields are ordered so that sorting gives file order."""

    path: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{where(self.path, self.line)}: {self.severity}: {self.message}"


def strict(findings: Iterable[LintFinding]) -> list[LintFinding]:
    """For CI: a warning nobody is allowed to ignore is an error."""
    return [LintFinding(f.path, f.line, ERROR, f.message) for f in findings]


def summary(findings: Iterable[LintFinding]) -> str:
    """``1 error, 2 warnings``: the count line ``validate`` and ``lint`` both end with."""
    counts = Counter(f.severity for f in findings)
    return f"{_count(counts[ERROR], 'error')}, {_count(counts[WARNING], 'warning')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def from_problems(problems: Iterable[Problem]) -> list[LintFinding]:
    """The loader's problems as findings: each one stops the bot loading, so each is an error."""
    return sorted(LintFinding(p.path, p.line, ERROR, p.message) for p in problems)
