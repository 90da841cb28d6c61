"""Lists of statements (a topic's, a speaker's, the newest) as pages of short numbered lines."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answers.wording import esc, plural, said_on, trim_at_sentence
from bot.knowledge.models import KnowledgeBase, Statement

PAGE_SIZE = 5
SNIPPET_CHARS = 160
MAX_LIST_CHARS = 4096  # Telegram's message limit; five snippets stay far below it


def count_note(statements: Sequence[Statement], speaker_id: str | None = None) -> str:
    """'2 statements', or for a speaker '11 statements, 2 of them relayed' (made or relayed)."""
    note = plural(len(statements), "statement")
    if speaker_id is not None:
        relayed = sum(1 for s in statements if s.relayed_by == speaker_id)
        if relayed:
            note += f", {relayed} of them relayed"
    return note


def listing_html(
    title: str,
    statements: Sequence[Statement],
    kb: KnowledgeBase,
    start: int,
    *,
    note: str | None = None,
) -> str:
    """A numbered page of statements, newest first, each short enough to scan."""
    page = statements[start : start + PAGE_SIZE]
    if not page:
        return f"<b>{esc(title)}</b>\nNothing here."
    heading = f"<b>{esc(title)}</b> ({esc(note or count_note(statements))}, newest first)"
    blocks = [heading]
    for number, statement in enumerate(page, start + 1):
        item = kb.attributed(statement)
        snippet, _ = trim_at_sentence(statement.text, SNIPPET_CHARS)
        who = esc(item.speaker.name)
        if item.relayed_by:
            who += f" (via {esc(item.relayed_by.name)})"
        blocks.append(f"{number}. <b>{esc(said_on(statement))}</b> — {who}: {esc(snippet)}")
    text = ""
    for block in blocks:  # whole blocks only, so tags stay balanced
        candidate = block if not text else f"{text}\n\n{block}"
        if len(candidate) > MAX_LIST_CHARS:
            break
        text = candidate
    return text
