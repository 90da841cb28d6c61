"""An evaluation suite: several knowledge bases, each with its own question set.

A set's ``role`` says how it was used: ``fit`` sets may be looked at while tuning (the
confidence model is fitted on them); ``check`` sets never are, so their pooled score is the
honest estimate of how answers hold on a knowledge base nobody tuned for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

ROLES = ("fit", "check")


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    knowledge: Path
    questions: Path
    role: str
    sets_threshold: bool = True  # False: fits the model, but the bar is set by the others


def is_suite(path: Path) -> bool:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and "sets" in data


def load_suite(path: Path) -> list[EvalSet]:
    """The sets of a suite file; paths in it are relative to the file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = path.resolve().parent
    sets = []
    for entry in data["sets"]:
        role = str(entry.get("role", "check"))
        if role not in ROLES:
            raise ValueError(f"{path}: set {entry.get('name')!r}: role must be fit or check")
        sets.append(
            EvalSet(
                name=str(entry["name"]),
                knowledge=(base / entry["knowledge"]).resolve(),
                questions=(base / entry["questions"]).resolve(),
                role=role,
                sets_threshold=bool(entry.get("sets_threshold", True)),
            )
        )
    return sets
