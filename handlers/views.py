"""Telegram-only presentation: inline keyboards, callback data, and list views.

Callback data is a short ``kind:arg:offset`` string, always checked against MAX_CALLBACK_BYTES
(Telegram's 64-byte limit); anything that does not parse is treated as stale or forged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.answers.answer import Answer
from bot.answers.render import esc, fit_blocks, trim_at_sentence
from bot.knowledge.models import KnowledgeBase, Statement

MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
PAGE_SIZE = 5
HELPFUL, UNHELPFUL = 1, 0
SNIPPET_CHARS = 160
KINDS = frozenset(
    {
        "more",  # more:<offset> — next result of the question this message answers
        "src",  # src:<statement> — source details
        "st",  # st:<statement> — show one statement
        "tp",  # tp:<topic>:<offset> — statements on a topic, newest first
        "sp",  # sp:<speaker>:<offset> — statements by a speaker, newest first
        "new",  # new::<offset> — newest statements
        "fb",  # fb:<statement>:<1|0> — helpful / not helpful
        "ex",  # ex::<n> — the n-th example question from /start
    }
)


@dataclass(frozen=True, slots=True)
class Callback:
    kind: str
    arg: str = ""
    offset: int = 0

    def encode(self) -> str:
        data = f"{self.kind}:{self.arg}:{self.offset}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: object) -> Callback | None:
        """Parse button data, or None for anything stale, foreign or forged."""
        if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
            return None
        parts = data.split(":")
        if len(parts) != 3 or parts[0] not in KINDS:
            return None
        kind, arg, offset = parts
        if not offset.isdigit() or len(offset) > 4:
            return None
        if arg and not all(c.isascii() and (c.isalnum() or c == "-") for c in arg):
            return None
        callback = cls(kind, arg, int(offset))
        return callback if callback._plausible() else None

    def _plausible(self) -> bool:
        """The shapes this bot actually sends; anything else was not made by us."""
        needs_arg = self.kind in {"src", "st", "tp", "sp", "fb"}
        if needs_arg != bool(self.arg):
            return False
        if self.kind == "more":
            return self.offset >= 1  # page 0 is the answer itself
        if self.kind in {"src", "st"}:
            return self.offset == 0
        if self.kind == "fb":
            return self.offset in (HELPFUL, UNHELPFUL)
        return True


def button(text: str, callback: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callback.encode())


def answer_keyboard(
    answer: Answer, kb: KnowledgeBase, offset: int = 0, *, feedback: bool = True
) -> InlineKeyboardMarkup | None:
    """Buttons under an answer: More results, Source, Same topic, and 👍/👎."""
    if not answer.answered:
        return suggestions_keyboard(answer, kb)
    statement = answer.matches[offset].item.statement
    rows: list[list[InlineKeyboardButton]] = []
    if offset + 1 < len(answer.matches):
        remaining = len(answer.matches) - offset - 1
        rows.append([button(f"More results ({remaining}) ▸", Callback("more", "", offset + 1))])
    second = [button("Source", Callback("src", statement.id))]
    if statement.topics:
        topic = kb.topics[statement.topics[0]]
        second.append(button(f"Same topic: {topic.name}"[:40], Callback("tp", topic.id)))
    rows.append(second)
    if feedback:
        rows.append(
            [
                button("👍 Helpful", Callback("fb", statement.id, HELPFUL)),
                button("👎 Not helpful", Callback("fb", statement.id, UNHELPFUL)),
            ]
        )
    return InlineKeyboardMarkup(rows)


def suggestions_keyboard(answer: Answer, kb: KnowledgeBase) -> InlineKeyboardMarkup | None:
    by_name = {topic.name: topic.id for topic in kb.topics.values()}
    buttons = [
        [button(name[:60], Callback("tp", by_name[name]))]
        for name in answer.suggestions
        if name in by_name
    ]
    return InlineKeyboardMarkup(buttons) if buttons else None


def statement_keyboard(statement: Statement, kb: KnowledgeBase) -> InlineKeyboardMarkup:
    row = [button("Source", Callback("src", statement.id))]
    if statement.topics:
        row.append(button("Timeline", Callback("tp", statement.topics[0])))
    return InlineKeyboardMarkup([row])


def back_keyboard(statement: Statement) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("◂ Back to the statement", Callback("st", statement.id))]])


def listing_html(title: str, statements: Sequence[Statement], kb: KnowledgeBase, start: int) -> str:
    """A numbered page of statements, newest first, each short enough to scan."""
    page = statements[start : start + PAGE_SIZE]
    if not page:
        return f"<b>{esc(title)}</b>\nNothing here."
    blocks = [f"<b>{esc(title)}</b> ({len(statements)}, newest first)"]
    for number, statement in enumerate(page, start + 1):
        item = kb.attributed(statement)
        snippet, _ = trim_at_sentence(statement.text, SNIPPET_CHARS)
        who = esc(item.speaker.name)
        if item.relayed_by:
            who += f" (via {esc(item.relayed_by.name)})"
        blocks.append(f"{number}. <b>{esc(statement.date.isoformat())}</b> — {who}: {esc(snippet)}")
    return fit_blocks(blocks)


def listing_keyboard(
    kind: str, arg: str, statements: Sequence[Statement], start: int
) -> InlineKeyboardMarkup:
    page = statements[start : start + PAGE_SIZE]
    rows = [
        [
            button(str(number), Callback("st", statement.id))
            for number, statement in enumerate(page, start + 1)
        ]
    ]
    nav = []
    if start > 0:
        nav.append(button("◂ Newer", Callback(kind, arg, max(0, start - PAGE_SIZE))))
    if start + PAGE_SIZE < len(statements):
        nav.append(button("Older ▸", Callback(kind, arg, start + PAGE_SIZE)))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)
