"""Inline mode: `@BotName query` in any chat offers up to ten statements to share (an empty
query: the newest statements, ten more each time the user scrolls to the end).

Each result's title shows the part of the statement that matched, its description says when,
who (short role) and what kind of text it is, without repeats; the message sent is the answer
card with a button back to the bot. The Share button under an answer fills in a statement's id,
which offers exactly that statement. Inline queries pass a per-user gate too (looser than for
questions, as queries come while the user types): past it, one "slow down" button, then nothing.
"""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.ext import InlineQueryHandler

from bot.answers.answer import kind_label
from bot.answers.card import card_html, matched_excerpt, short_role
from bot.answers.wording import cut_words, said_on
from bot.knowledge.models import Attributed, StatementKind
from bot.runtime.limits import Verdict
from handlers.common import event_time
from handlers.context import Context, PolicyApp, services_of
from handlers.views import DEEP_LINK_PREFIX, open_in_bot_keyboard

MAX_RESULTS = InlineQueryLimit.RESULTS  # 50; we offer at most INLINE_RESULTS
INLINE_RESULTS = 10
CACHE_SECONDS = 300  # the knowledge base changes rarely; reloads are visible within minutes
TITLE_CHARS = 80
DESCRIPTION_CHARS = 120
HELP_PARAMETER = "help"
OFFSET_DIGITS = 9  # Telegram allows 64 bytes; a page offset never needs more than this


def _article(item: Attributed, query: str, username: str) -> InlineQueryResultArticle:
    statement = item.statement
    excerpt = matched_excerpt(statement.text, query, TITLE_CHARS - len(item.speaker.name) - 2)
    role = short_role(item.speaker, statement.original_date or statement.date)
    who = f"{role}, " if role else ""
    if item.relayed_by is not None:
        who = f"{who}relayed by {item.relayed_by.name}, "
    label = kind_label(item)
    if statement.kind is not StatementKind.REPORTED:  # "reported by X" names the publisher
        label += f", {item.source.publisher}"
    return InlineQueryResultArticle(
        id=statement.id,
        title=f"{item.speaker.name}: {excerpt}",
        description=cut_words(f"{said_on(statement)} · {who}{label}", DESCRIPTION_CHARS),
        input_message_content=InputTextMessageContent(
            card_html(item),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=open_in_bot_keyboard(username, statement),
    )


def _page_start(offset: str) -> int:
    """Where a page of the newest statements starts: the ``next_offset`` we gave, or 0 (a
    client may send anything here)."""
    return int(offset) if offset.isdigit() and len(offset) <= OFFSET_DIGITS else 0


async def inline_query(update: Update, context: Context) -> None:
    """Matching statements for the query; one statement for its id; the newest when empty,
    a page at a time as the user scrolls (``next_offset``)."""
    query = update.inline_query
    if query is None:
        return
    limiter = services_of(context).inline_limiter or services_of(context).user_limiter
    verdict = limiter.check(query.from_user.id, event_time(update))
    if verdict is Verdict.SILENT:
        return
    if verdict is Verdict.NOTIFY:
        slow = InlineQueryResultsButton(
            text="Too many searches — wait a minute", start_parameter=HELP_PARAMETER
        )
        await query.answer([], cache_time=0, is_personal=True, button=slow)
        return
    index = services_of(context).library.index
    text = query.query.strip()
    next_offset: str | None = None  # None: no more pages
    shared = index.kb.by_id.get(text.removeprefix(DEEP_LINK_PREFIX))
    if shared is not None:
        items = [index.kb.attributed(shared)]
    elif text:
        answer = index.search(text, limit=INLINE_RESULTS)
        items = [m.item for m in answer.matches] if answer.answered else []
    else:
        start = _page_start(query.offset)
        page = index.kb.statements[start : start + INLINE_RESULTS]
        items = [index.kb.attributed(s) for s in page]
        if start + INLINE_RESULTS < len(index.kb.statements):
            next_offset = str(start + INLINE_RESULTS)
    button = None
    if not items and not query.offset:
        button = InlineQueryResultsButton(
            text="Nothing found — how to ask", start_parameter=HELP_PARAMETER
        )
    username = context.bot.username
    await query.answer(
        [_article(item, text, username) for item in items],
        cache_time=CACHE_SECONDS,
        is_personal=False,
        button=button,
        next_offset=next_offset,
    )


def register(app: PolicyApp) -> None:
    app.add_handler(InlineQueryHandler(inline_query))
