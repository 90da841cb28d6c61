"""Telegram-only presentation: callback data and the inline keyboards under every view.

Callback data is ``kind:arg:offset`` with an optional ``:origin``, always checked against
MAX_CALLBACK_BYTES (Telegram's 64-byte limit); anything that does not parse is stale or forged.
The origin says where a list was opened from (``a<page>``: that page of the answer on the same
message; ``m<offset>``: the topics menu), so every view carries its own way back and survives a
restart: answer card ⇄ Source, answer card → topic list ⇄ a statement of it, /topics → topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.answers.answer import Answer
from bot.answers.listing import PAGE_SIZE
from bot.answers.wording import cut_words
from bot.knowledge.models import Statement, Topic
from bot.runtime.store import Tally
from bot.search.engine import SearchIndex

MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
LABEL_CHARS = 40  # a button label that still reads on a phone (Telegram sets no limit)
MENU_LABEL_CHARS = 64  # one-per-row menu buttons: full names
MENU_PAGE = 10
MAX_TOPIC_SHARE = 0.5  # "Same topic" is not offered for a topic most statements share
HELPFUL, UNHELPFUL = 1, 0
DEEP_LINK_PREFIX = "s_"
LISTS = {"tp": "tpi", "sp": "spi", "new": "newi"}  # a list kind → the kind of its items
KINDS = frozenset(
    {
        "more",  # more::<page> — that result of the question this message answers (0 = first)
        "src",  # src:<statement>:<page> — full details of the statement on that page
        "st",  # st:<statement>:0 — one statement as a card (deep links, older messages)
        "tp",  # tp:<topic>:<offset>[:origin] — statements on a topic, newest first
        "sp",  # sp:<speaker>:<offset>[:origin] — statements by a speaker, newest first
        "new",  # new::<offset>[:origin] — newest statements
        "tpi",  # tpi:<topic>:<index>[:origin] — one statement of that list, in full
        "spi",  # spi:<speaker>:<index>[:origin]
        "newi",  # newi::<index>[:origin]
        "tps",  # tps::<offset> — the topics menu
        "fb",  # fb:<statement>:<1|0> — helpful / not helpful (one vote per user, changeable)
        "ex",  # ex::<n> — the n-th example question from /start
    }
)
_ORIGIN = re.compile(r"a\d{1,2}|m\d{1,4}")
_NEEDS_ARG = frozenset({"src", "st", "tp", "sp", "tpi", "spi", "fb"})


@dataclass(frozen=True, slots=True)
class Callback:
    kind: str
    arg: str = ""
    offset: int = 0
    origin: str = ""

    def encode(self) -> str:
        data = f"{self.kind}:{self.arg}:{self.offset}" + (f":{self.origin}" if self.origin else "")
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: object) -> Callback | None:
        """Parse button data, or None for anything stale, foreign or forged."""
        if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
            return None
        parts = data.split(":")
        if len(parts) not in (3, 4) or parts[0] not in KINDS:
            return None
        kind, arg, offset = parts[:3]
        origin = parts[3] if len(parts) == 4 else ""
        if not offset.isascii() or not offset.isdigit() or len(offset) > 4:
            return None
        if arg and not all(c.isascii() and (c.isalnum() or c == "-") for c in arg):
            return None
        if len(parts) == 4 and not _ORIGIN.fullmatch(origin):
            return None
        callback = cls(kind, arg, int(offset), origin)
        return callback if callback._plausible() else None

    def _plausible(self) -> bool:
        """The shapes this bot actually sends; anything else was not made by us."""
        if (self.kind in _NEEDS_ARG) != bool(self.arg):
            return False
        if self.origin and self.kind not in {*LISTS, *LISTS.values()}:
            return False
        if self.kind == "st":
            return self.offset == 0
        if self.kind == "fb":
            return self.offset in (HELPFUL, UNHELPFUL)
        return True

    @property
    def answer_page(self) -> int | None:
        """The answer page a list was opened from, if it was."""
        return int(self.origin[1:]) if self.origin.startswith("a") else None


def button(text: str, callback: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(cut_words(text, MENU_LABEL_CHARS), callback_data=callback.encode())


def share_button(statement: Statement) -> InlineKeyboardButton:
    """Pick a chat, and the bot's inline mode offers exactly this statement to post there."""
    return InlineKeyboardButton("↗ Share", switch_inline_query=statement.id)


def deep_link(username: str, statement: Statement) -> str:
    return f"https://t.me/{username}?start={DEEP_LINK_PREFIX}{statement.id}"


def open_in_bot_keyboard(username: str, statement: Statement) -> InlineKeyboardMarkup:
    """Under a statement shared through inline mode: the way back to the bot."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"Open in @{username}", url=deep_link(username, statement))]]
    )


# ----------------------------------------------------------------------------- answers


def same_topic(statement: Statement, index: SearchIndex) -> Topic | None:
    """The first of the statement's topics worth browsing: more than this one statement, and
    not one that most of the knowledge base shares."""
    total = len(index.kb.statements)
    for topic_id in statement.topics:
        count = len(index.statements_on(topic_id))
        if topic_id in index.kb.topics and 2 <= count <= total * MAX_TOPIC_SHARE:
            return index.kb.topics[topic_id]
    return None


def vote_row(
    statement: Statement, tally: Tally | None, private: bool
) -> list[InlineKeyboardButton]:
    """👍/👎; a private chat's own vote carries a check mark, a group's buttons the counts."""
    up, down = "👍 Helpful", "👎 Not helpful"
    if tally is not None and private:
        up += " ✓" if tally.mine is True else ""
        down += " ✓" if tally.mine is False else ""
    elif tally is not None:
        up += f" · {tally.helpful}" if tally.helpful else ""
        down += f" · {tally.unhelpful}" if tally.unhelpful else ""
    return [
        button(up, Callback("fb", statement.id, HELPFUL)),
        button(down, Callback("fb", statement.id, UNHELPFUL)),
    ]


def answer_keyboard(
    answer: Answer,
    index: SearchIndex,
    page: int = 0,
    *,
    tally: Tally | None = None,
    private: bool = True,
) -> InlineKeyboardMarkup | None:
    """Under an answer card: ◂ Previous / More ▸, Same topic, Source and Share, 👍/👎."""
    if not answer.answered:
        return suggestions_keyboard(answer, index)
    statement = answer.matches[page].item.statement
    rows: list[list[InlineKeyboardButton]] = []
    nav = []
    if page > 0:
        nav.append(button("◂ Previous", Callback("more", "", page - 1)))
    if page + 1 < len(answer.matches):
        remaining = len(answer.matches) - page - 1
        nav.append(button(f"More results ({remaining}) ▸", Callback("more", "", page + 1)))
    if nav:
        rows.append(nav)
    if (topic := same_topic(statement, index)) is not None:
        label = cut_words(f"Same topic: {topic.name}", LABEL_CHARS)
        rows.append([button(label, Callback("tp", topic.id, 0, f"a{page}"))])
    rows.append([button("Source", Callback("src", statement.id, page)), share_button(statement)])
    rows.append(vote_row(statement, tally, private))
    return InlineKeyboardMarkup(rows)


def suggestions_keyboard(answer: Answer, index: SearchIndex) -> InlineKeyboardMarkup | None:
    by_name = {topic.name: topic.id for topic in index.kb.topics.values()}
    buttons = [
        [button(name, Callback("tp", by_name[name], 0, "a0"))]
        for name in answer.suggestions
        if name in by_name
    ]
    return InlineKeyboardMarkup(buttons) if buttons else None


def card_keyboard(statement: Statement) -> InlineKeyboardMarkup:
    """Under one statement shown on its own (a deep link): its details, and sharing."""
    return InlineKeyboardMarkup(
        [[button("Source", Callback("src", statement.id, 0)), share_button(statement)]]
    )


def details_keyboard(statement: Statement, page: int | None) -> InlineKeyboardMarkup:
    """Under the Source view: back to the answer card (or to the lone statement)."""
    back = (
        button("◂ Back to the answer", Callback("more", "", page))
        if page is not None
        else button("◂ Back to the statement", Callback("st", statement.id))
    )
    return InlineKeyboardMarkup([[back, share_button(statement)]])


# ----------------------------------------------------------------------------- lists


def back_row(origin: str) -> list[InlineKeyboardButton]:
    """Where a list goes back to: the answer it was opened from, or the topics menu."""
    if origin.startswith("a"):
        return [button("◂ Back to the answer", Callback("more", "", int(origin[1:])))]
    if origin.startswith("m"):
        return [button("◂ All topics", Callback("tps", "", int(origin[1:])))]
    return []


def listing_keyboard(
    kind: str, arg: str, statements: Sequence[Statement], start: int, origin: str = ""
) -> InlineKeyboardMarkup:
    page = statements[start : start + PAGE_SIZE]
    rows = [
        [
            button(str(number), Callback(LISTS[kind], arg, number - 1, origin))
            for number, _ in enumerate(page, start + 1)
        ]
    ]
    nav = []
    if start > 0:
        nav.append(button("◂ Newer", Callback(kind, arg, max(0, start - PAGE_SIZE), origin)))
    if start + PAGE_SIZE < len(statements):
        nav.append(button("Older ▸", Callback(kind, arg, start + PAGE_SIZE, origin)))
    rows += [row for row in (nav, back_row(origin)) if row]
    return InlineKeyboardMarkup(rows)


def item_keyboard(
    kind: str, arg: str, index: int, statement: Statement, origin: str = ""
) -> InlineKeyboardMarkup:
    """Under a statement opened from a list: back to that page of the list."""
    start = index - index % PAGE_SIZE
    back = button("◂ Back to the list", Callback(kind, arg, start, origin))
    return InlineKeyboardMarkup([[back, share_button(statement)]])


def topics_keyboard(counted: Sequence[tuple[int, Topic]], start: int) -> InlineKeyboardMarkup:
    """/topics: one button per topic with its full name and count, a page at a time."""
    rows = [
        [button(f"{topic.name} ({count})", Callback("tp", topic.id, 0, f"m{start}"))]
        for count, topic in counted[start : start + MENU_PAGE]
    ]
    nav = []
    if start > 0:
        nav.append(button("◂ Previous", Callback("tps", "", max(0, start - MENU_PAGE))))
    if start + MENU_PAGE < len(counted):
        nav.append(button("Next ▸", Callback("tps", "", start + MENU_PAGE)))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def examples_keyboard(examples: Sequence[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(q, Callback("ex", "", n))] for n, q in enumerate(examples)]
    )
