"""A lint finding: ``path:line: severity: message``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

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
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


def strict(findings: Iterable[LintFinding]) -> list[LintFinding]:
    """For CI: a warning nobody is allowed to ignore is an error."""
    return [LintFinding(f.path, f.line, ERROR, f.message) for f in findings]


def summary(findings: Iterable[LintFinding]) -> str:
    counts = Counter(f.severity for f in findings)
    return f"{counts[ERROR]} error(s), {counts[WARNING]} warning(s)"
