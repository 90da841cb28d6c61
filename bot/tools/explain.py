"""`policybot ask --explain`: why an answer was chosen, for maintainers tuning aliases."""

from __future__ import annotations

import json

from bot.answers.answer import Answer


def explain_text(answer: Answer) -> str:
    info = answer.explanation
    lines = [f"question:    {answer.question!r}", f"status:      {answer.status}"]
    for key in ("normalised", "corrections", "speakers", "topics", "dates", "latest", "terms"):
        if key in info:
            lines.append(f"{key + ':':<12} {json.dumps(info[key], ensure_ascii=False)}")
    candidates = info.get("candidates", [])
    if candidates:
        lines.append("candidates (best first):")
        for row in candidates:
            signals = ", ".join(f"{k}={v}" for k, v in row["signals"].items())
            mark = "✓" if row["accepted"] else "·"
            lines.append(f"  {mark} {row['id']:<40} {signals}")
    if answer.suggestions:
        lines.append("suggestions: " + "; ".join(answer.suggestions))
    if answer.notice:
        lines.append(f"notice:      {answer.notice}")
    return "\n".join(lines)
