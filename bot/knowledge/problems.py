"""What is wrong with a knowledge base, each problem pointing at the file and line to fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import PolicybotError


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with the knowledge base, pointing at the file and line to fix."""

    path: str
    line: int  # 0: the path as a whole (a missing directory), no line to point at
    message: str

    def __str__(self) -> str:
        return f"{where(self.path, self.line)}: {self.message}"


def where(path: str, line: int) -> str:
    """``path:line`` for editors and CI annotations; just ``path`` when there is no line."""
    return f"{path}:{line}" if line > 0 else path


class KnowledgeError(PolicybotError):
    """The knowledge base cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))
