"""The maintainers' to-do list: unanswered and unhelpful questions, grouped, most asked first.

Similar questions are clustered with rapidfuzz (one `cdist` call, then greedy grouping), so
"whos won the world cup" and "who won the world cup?" count as one need. YAML output gives
stubs a maintainer can paste: alternate questions for a nearby statement, but only when that
statement was a plausible answer (its recorded confidence reaches the shipped threshold), or a
new statement skeleton. With the knowledge base at hand, each question is asked again: one
that names nothing the knowledge base knows (off-topic: "who won the world cup") is counted,
not offered as a stub, and one answered by now is said to be.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.normalize import normalize
from bot.runtime.store import UNHELPFUL, Event
from bot.search.confidence import load_model
from bot.search.engine import SearchIndex

SIMILAR = 80.0  # token_set_ratio at which two questions are "the same question"
KNOWN_SHARE = 0.5  # share of a question's weight in words the knowledge base knows: on-topic


@dataclass
class Cluster:
    questions: Counter[str] = field(default_factory=Counter)
    unhelpful: int = 0
    candidates: Counter[str] = field(default_factory=Counter)
    best_scores: dict[str, float] = field(default_factory=dict)
    disliked: set[str] = field(default_factory=set)  # statements marked 👎 for these questions

    @property
    def count(self) -> int:
        return sum(self.questions.values())

    @property
    def representative(self) -> str:
        return self.questions.most_common(1)[0][0]

    def nearest(self, limit: int = 3) -> list[tuple[str, float]]:
        ranked = sorted(self.best_scores.items(), key=lambda pair: (-pair[1], pair[0]))
        return ranked[:limit]

    def plausible(self, threshold: float) -> tuple[str, float] | None:
        """The nearest statement if it was a plausible answer: confident enough, and not the
        one these askers marked unhelpful."""
        for statement_id, score in self.nearest(limit=len(self.best_scores)):
            if statement_id not in self.disliked:
                return (statement_id, score) if score >= threshold else None
        return None


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
                group.disliked.add(event.statement_id)
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


@dataclass(frozen=True, slots=True)
class Reading:
    """A question asked again of today's knowledge base."""

    off_topic: bool = False
    answered_by: tuple[str, float] | None = None


def read_again(index: SearchIndex, question: str) -> Reading:
    """Ask again: answered by now? Off-topic (no speaker, topic or title named, and most of
    its weight in words the knowledge base does not have)?"""
    answer = index.search(question)
    if answer.answered:
        best = answer.matches[0]
        return Reading(answered_by=(best.item.statement.id, best.score))
    info = answer.explanation
    if any(info.get(key) for key in ("speakers", "topics", "titles", "unknown_owner")):
        return Reading()
    terms: dict[str, float] = info.get("terms") or {}
    total = sum(terms.values())
    known = sum(weight for term, weight in terms.items() if index.terms.known(term))
    return Reading(off_topic=not total or known / total < KNOWN_SHARE)


def format_yaml(
    clusters: list[Cluster],
    *,
    limit: int | None = None,
    threshold: float | None = None,
    index: SearchIndex | None = None,
) -> str:
    """Paste-ready stubs: alternate questions for a plausible statement, or a new statement.

    ``threshold`` (default: the shipped confidence model's) decides what is plausible; with
    ``index``, off-topic questions are counted instead of stubbed.
    """
    bar = load_model().threshold if threshold is None else threshold
    out = [
        "# Draft stubs from `policybot unanswered --format yaml`. Review before pasting:",
        "# add `questions:` lines to the named statement, or complete the new-statement skeleton",
        "# with text copied verbatim from a stored source.",
    ]
    off_topic: list[Cluster] = []
    for group in clusters[:limit]:
        reading = read_again(index, group.representative) if index is not None else Reading()
        if reading.off_topic:
            off_topic.append(group)
            continue
        out.append("")
        out.append(
            f"# {group.count}× asked" + (f", {group.unhelpful}× 👎" if group.unhelpful else "")
        )
        out += _stub(group, reading, bar)
    if off_topic:
        asked = sum(group.count for group in off_topic)
        listed = "; ".join(f"{g.representative} ({g.count}×)" for g in off_topic)
        out += ["", f"# off-topic, not offered as stubs: {asked} question(s): {listed}"]
    return "\n".join(out) + "\n"


def _stub(group: Cluster, reading: Reading, threshold: float) -> list[str]:
    questions = [q for q, _ in group.questions.most_common(5)]
    if reading.answered_by is not None and reading.answered_by[0] not in group.disliked:
        statement_id, score = reading.answered_by
        return [f"# answered by now: {statement_id} (confidence {score:.2f}); nothing to add"]
    disliked = [f"# marked unhelpful: {', '.join(sorted(group.disliked))}"] * bool(group.disliked)
    plausible = group.plausible(threshold)
    if plausible is not None:
        statement_id, score = plausible
        stub: dict[str, object] = {"id": statement_id, "questions": questions}
        head = f"# nearest statement: {statement_id} (confidence {score:.2f})"
    else:
        head = "# no statement answers it well: a new one is needed (find a source first)"
        stub = {
            "id": "TODO-new-statement-id",
            "speaker": "TODO",
            "date": "TODO",
            "kind": "reported",
            "text": "TODO: copy verbatim from the stored source text",
            "topics": [],
            "questions": questions,
        }
    return [*disliked, head, yaml.safe_dump([stub], allow_unicode=True, sort_keys=False).rstrip()]
