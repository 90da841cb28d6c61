"""The maintainers' to-do list: unanswered and unhelpful questions, grouped, most asked first.

Similar questions are clustered with rapidfuzz (one `cdist` call, then greedy grouping), so
"whos won the world cup" and "who won the world cup?" count as one need. YAML output gives
stubs a maintainer can paste: alternate questions for a nearby statement, or a new statement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.normalize import normalize
from bot.runtime.store import UNHELPFUL, Event

SIMILAR = 80.0  # token_set_ratio at which two questions are "the same question"
NEAR_ENOUGH = 0.3  # a candidate this confident is worth extending with alternate questions


@dataclass
class Cluster:
    questions: Counter[str] = field(default_factory=Counter)
    unhelpful: int = 0
    candidates: Counter[str] = field(default_factory=Counter)
    best_scores: dict[str, float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.questions.values())

    @property
    def representative(self) -> str:
        return self.questions.most_common(1)[0][0]

    def nearest(self, limit: int = 3) -> list[tuple[str, float]]:
        ranked = sorted(self.best_scores.items(), key=lambda pair: (-pair[1], pair[0]))
        return ranked[:limit]


def cluster(events: list[Event], *, similar: float = SIMILAR) -> list[Cluster]:
    """Group similar questions; the biggest group first, ties by the question text."""
    if not events:
        return []
    keys = [" ".join(normalize(e.question).split()) for e in events]
    unique = sorted(set(keys))
    scores = process.cdist(unique, unique, scorer=fuzz.token_set_ratio, workers=-1)
    owner = np.full(len(unique), -1, dtype=np.int64)
    frequency = Counter(keys)
    order = sorted(range(len(unique)), key=lambda i: (-frequency[unique[i]], unique[i]))
    for i in order:
        if owner[i] >= 0:
            continue
        members = np.flatnonzero((scores[i] >= similar) & (owner < 0))
        owner[members] = i
        owner[i] = i
    clusters: dict[int, Cluster] = {}
    position = {key: n for n, key in enumerate(unique)}
    for event, key in zip(events, keys, strict=True):
        group = clusters.setdefault(int(owner[position[key]]), Cluster())
        group.questions[event.question.strip()] += 1
        if event.kind == UNHELPFUL:
            group.unhelpful += 1
            if event.statement_id:
                group.best_scores.setdefault(event.statement_id, 0.0)
        for statement_id, score in event.candidates:
            group.best_scores[statement_id] = max(group.best_scores.get(statement_id, 0.0), score)
    return sorted(clusters.values(), key=lambda c: (-c.count, c.representative))


def format_text(clusters: list[Cluster], *, limit: int | None = None) -> str:
    if not clusters:
        return "No unanswered or unhelpful questions recorded."
    lines = []
    for group in clusters[:limit]:
        variants = [q for q, _ in group.questions.most_common() if q != group.representative]
        flag = f", {group.unhelpful} marked unhelpful" if group.unhelpful else ""
        lines.append(f"{group.count}× {group.representative}{flag}")
        if variants:
            lines.append("    also: " + " | ".join(variants[:4]))
        nearest = ", ".join(f"{i} ({s:.2f})" for i, s in group.nearest()) or "none"
        lines.append(f"    nearest: {nearest}")
    return "\n".join(lines)


def format_yaml(clusters: list[Cluster], *, limit: int | None = None) -> str:
    """Paste-ready stubs: alternate questions for a near statement, or a new statement."""
    out = [
        "# Draft stubs from `policybot unanswered --format yaml`. Review before pasting:",
        "# add `questions:` lines to the named statement, or complete the new-statement skeleton",
        "# with text copied verbatim from a stored source.",
    ]
    for group in clusters[:limit]:
        questions = [q for q, _ in group.questions.most_common(5)]
        nearest = group.nearest(1)
        out.append("")
        out.append(
            f"# {group.count}× asked" + (f", {group.unhelpful}× 👎" if group.unhelpful else "")
        )
        if nearest and nearest[0][1] >= NEAR_ENOUGH:
            statement_id, score = nearest[0]
            out.append(f"# nearest statement: {statement_id} (confidence {score:.2f})")
            stub: dict[str, object] = {"id": statement_id, "questions": questions}
        else:
            out.append("# no statement is close: a new one is needed (find a source first)")
            stub = {
                "id": "TODO-new-statement-id",
                "speaker": "TODO",
                "date": "TODO",
                "kind": "reported",
                "text": "TODO: copy verbatim from the stored source text",
                "topics": [],
                "questions": questions,
            }
        out.append(yaml.safe_dump([stub], allow_unicode=True, sort_keys=False).rstrip())
    return "\n".join(out) + "\n"
