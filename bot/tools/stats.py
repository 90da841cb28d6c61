"""`policybot stats`: what the knowledge base holds, and how often it fell short lately."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter

from bot.knowledge.models import KnowledgeBase
from bot.runtime.journal import JournalSize
from bot.runtime.store import UNANSWERED, UNHELPFUL, Store, utcnow

WINDOWS_DAYS = (7, 30)
TITLE_CHARS = 70  # a longer source title is cut at a word, with an ellipsis


def short_title(title: str, width: int = TITLE_CHARS) -> str:
    """``title`` cut at a word boundary to fit ``width`` characters, never mid-word."""
    short = textwrap.shorten(title, width, placeholder=" …")
    if short.strip(" …"):
        return short
    return title[: width - 1] + "…"  # one word longer than the width: nothing to cut at


def stats_text(kb: KnowledgeBase, store: Store | None, journal: JournalSize | None = None) -> str:
    lines = [f"Knowledge base {kb.content_hash[:12]}: {kb.summary()}"]
    if kb.statements:
        newest, oldest = kb.statements[0], kb.statements[-1]
        lines.append(f"Newest statement: {newest.date_text} {newest.id}")
        lines.append(f"Oldest statement: {oldest.date_text} {oldest.id}")
    sections: list[tuple[str, Counter[str]]] = [
        ("By speaker", Counter(kb.speakers[s.speaker].name for s in kb.statements)),
        ("By topic", Counter(kb.topics[t].name for s in kb.statements for t in s.topics)),
        ("By source", Counter(short_title(kb.sources[s.source_id].title) for s in kb.statements)),
        ("By year", Counter(str(s.date.year) for s in kb.statements)),
    ]
    for title, counts in sections:
        lines.append(f"{title}:")
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if title == "By year":
            ordered = sorted(counts.items(), reverse=True)
        lines += [f"  {count:6d}  {name}" for name, count in ordered]
    lines.append(f"Journal: {journal.describe() if journal is not None else 'none yet'}")
    if store is None or not store.enabled:
        reason = store.disabled_reason if store is not None else "no database"
        lines.append(
            f"Unanswered/unhelpful log: not available ({reason}); it records Telegram chats,"
            " not the console chat or `ask`"
        )
        return "\n".join(lines)
    now = utcnow()
    for days in WINDOWS_DAYS:
        since = now - dt.timedelta(days=days)
        lines.append(
            f"Last {days} days: {store.count(UNANSWERED, since)} unanswered, "
            f"{store.count(UNHELPFUL, since)} marked unhelpful"
        )
    lines.append("(recorded from Telegram chats; the console chat and `ask` record nothing)")
    return "\n".join(lines)
