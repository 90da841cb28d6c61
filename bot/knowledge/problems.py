"""What is wrong with a knowledge base, each problem pointing at the file and line to fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import PolicybotError


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with the knowledge base, pointing at the file and line to fix."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeError(PolicybotError):
    """The knowledge base cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))
