"""`policybot ask --explain`: why an answer was chosen, for maintainers tuning aliases.

Every kind of question shows candidate scores. When the engine answered without ranking
(small talk, a question about someone the knowledge base lacks), the question's words are
scored anyway and shown as such, so a maintainer can see what would have matched.
"""

from __future__ import annotations

import json
from typing import Any

from bot.answers.answer import Answer, Status
from bot.search.engine import SearchIndex
from bot.search.query import parse_question

KEYS = ("normalised", "corrections", "speakers", "topics", "dates", "latest", "terms")


def explain_text(answer: Answer, index: SearchIndex | None = None) -> str:
    info = dict(answer.explanation)
    lines = [f"question:    {answer.question!r}", f"status:      {answer.status}"]
    candidates: list[dict[str, Any]] = info.get("candidates", [])
    why_unused = ""
    if "candidates" not in info and index is not None and answer.question.strip():
        why_unused = _why_unranked(answer, info)
        scored = scores_anyway(index, answer.question)
        info = {**scored, **info}
        candidates = scored.get("candidates", [])
    for key in KEYS:
        if key in info:
            lines.append(f"{key + ':':<12} {json.dumps(info[key], ensure_ascii=False)}")
    if candidates:
        lines.append(f"candidates (best first{why_unused}):")
        for row in candidates:
            signals = ", ".join(f"{k}={v}" for k, v in row["signals"].items())
            mark = "✓" if row["accepted"] and not why_unused else "·"
            lines.append(f"  {mark} {row['id']:<40} {signals}")
    elif "candidates" in info or index is not None:
        why = "no statement shares a word with it" if info.get("terms") else "no words to match"
        lines.append(f"candidates: none ({why})")
    if answer.suggestions:
        lines.append("suggestions: " + "; ".join(answer.suggestions))
    if answer.notice:
        lines.append(f"notice:      {answer.notice}")
    return "\n".join(lines)


def _why_unranked(answer: Answer, info: dict[str, Any]) -> str:
    if answer.status is Status.SMALLTALK:
        return "; not used: small talk is answered with a greeting"
    if "unknown_owner" in info:
        owner = str(info["unknown_owner"]).title()
        return f"; not used: it asks for {owner}'s position, which is not here"
    return "; not used"


def scores_anyway(index: SearchIndex, question: str) -> dict[str, Any]:
    """The parse and candidate scores of a question as if the engine had ranked it.

    Reaches into the engine's steps (understand, filter, rank) on purpose: this is a
    maintainer's view of them, for questions the engine answers without ranking.
    """
    parsed = parse_question(question)
    understood = index._understand(parsed)
    mask = index.filters.mask(understood.speaker_ids, parsed.dates, [])
    ranked = index._rank(understood, mask) if understood.weights else []
    return {**understood.explanation, "candidates": index._explained(ranked)}
