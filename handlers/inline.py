"""Inline mode: `@BotName query` in any chat offers up to ten statements to share."""

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

from bot.answers.answer import date_line, kind_label
from bot.answers.render import statement_html, trim_at_sentence
from bot.knowledge.models import Attributed
from handlers.context import Context, PolicyApp, services_of

MAX_RESULTS = InlineQueryLimit.RESULTS  # 50; we offer at most INLINE_RESULTS
INLINE_RESULTS = 10
CACHE_SECONDS = 300  # the knowledge base changes rarely; reloads are visible within minutes
TITLE_CHARS = 64
DESCRIPTION_CHARS = 120


def _article(item: Attributed) -> InlineQueryResultArticle:
    statement = item.statement
    title, _ = trim_at_sentence(statement.text, TITLE_CHARS)
    return InlineQueryResultArticle(
        id=statement.id,
        title=f"{item.speaker.name}: {title}",
        description=f"{date_line(item)[:10]} · {kind_label(item)} · {item.source.publisher}"[
            :DESCRIPTION_CHARS
        ],
        input_message_content=InputTextMessageContent(
            statement_html(item),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
    )


async def inline_query(update: Update, context: Context) -> None:
    """Matching statements for the query; the newest ones for an empty query."""
    query = update.inline_query
    if query is None:
        return
    index = services_of(context).library.index
    text = query.query.strip()
    if text:
        answer = index.search(text, limit=INLINE_RESULTS)
        items = [m.item for m in answer.matches] if answer.answered else []
    else:
        items = [index.kb.attributed(s) for s in index.kb.statements[:INLINE_RESULTS]]
    button = None
    if not items:
        button = InlineQueryResultsButton(text="Nothing found — how to ask", start_parameter="help")
    await query.answer(
        [_article(item) for item in items],
        cache_time=CACHE_SECONDS,
        is_personal=False,
        button=button,
    )


def register(app: PolicyApp) -> None:
    app.add_handler(InlineQueryHandler(inline_query))
