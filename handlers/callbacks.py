"""Inline keyboard buttons: More results, Source, Same topic / Timeline, lists, examples, 👍/👎.

Buttons edit the message they sit under instead of sending new ones, so browsing never floods a
chat. Anything that does not decode, or points at something gone, gets a short notice.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.answers.answer import Answer
from bot.answers.render import answer_html, source_html, statement_html
from bot.knowledge.models import Statement
from handlers.common import example_questions, question_from
from handlers.context import Context, PolicyApp, services_of
from handlers.views import (
    HELPFUL,
    Callback,
    answer_keyboard,
    back_keyboard,
    listing_html,
    listing_keyboard,
    statement_keyboard,
)

logger = logging.getLogger(__name__)

STALE = "This button has expired — please ask again."
GONE = "That statement is no longer in the knowledge base."


async def on_button(update: Update, context: Context) -> None:
    """Dispatch a button press; exactly one answerCallbackQuery per press."""
    query = update.callback_query
    if query is None:
        return
    callback = Callback.decode(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if callback is None or message is None:
        logger.info("Refused stale or forged callback data %r", query.data)
        await query.answer(STALE)
        return
    notice = await _handle(callback, message, update, context)
    await query.answer(notice)


async def _handle(
    callback: Callback, message: Message, update: Update, context: Context
) -> str | None:
    """One button press; returns the short notice for the callback answer, if any."""
    kind = callback.kind
    if kind == "more":
        return await _more(callback, message, context)
    if kind == "ex":
        return await _example(callback, message, context)
    if kind in ("src", "st", "fb"):
        return await _statement_view(callback, message, update, context)
    return await _listing(callback, message, context)


async def _more(callback: Callback, message: Message, context: Context) -> str | None:
    answer = _rerun(message, context)
    if answer is None:
        return STALE
    if not answer.answered or callback.offset >= len(answer.matches):
        return "No more results."
    kb = services_of(context).library.index.kb
    await _edit(
        message,
        answer_html(answer, start=callback.offset),
        answer_keyboard(answer, kb, callback.offset),
    )
    return None


async def _example(callback: Callback, message: Message, context: Context) -> str | None:
    examples = example_questions(context)
    if callback.offset >= len(examples):
        return STALE
    question = examples[callback.offset]
    index = services_of(context).library.index
    answer = index.search(question)
    sent = await message.chat.send_message(
        answer_html(answer), reply_markup=answer_keyboard(answer, index.kb)
    )
    services_of(context).recent.remember(message.chat.id, None, sent.message_id, question)
    return question[:200]


async def _statement_view(
    callback: Callback, message: Message, update: Update, context: Context
) -> str | None:
    kb = services_of(context).library.index.kb
    statement = kb.by_id.get(callback.arg)
    if statement is None:
        return GONE
    if callback.kind == "fb":
        return await _feedback(statement, callback.offset == HELPFUL, message, update, context)
    item = kb.attributed(statement)
    if callback.kind == "src":
        await _edit(message, source_html(item), back_keyboard(statement))
    else:
        await _edit(message, statement_html(item), statement_keyboard(statement, kb))
    return None


async def _listing(callback: Callback, message: Message, context: Context) -> str | None:
    index = services_of(context).library.index
    kb = index.kb
    kind, arg, offset = callback.kind, callback.arg, callback.offset
    statements: list[Statement]
    if kind == "tp":
        topic = kb.topics.get(arg)
        if topic is None:
            return STALE
        title, statements = topic.name, index.statements_on(topic.id)
    elif kind == "sp":
        speaker = kb.speakers.get(arg)
        if speaker is None:
            return STALE
        title, statements = speaker.name, index.statements_by(speaker.id)
    else:  # "new"
        title, statements = "Latest statements", list(kb.statements)
    if offset >= max(len(statements), 1):
        return STALE
    await _edit(
        message,
        listing_html(title, statements, kb, offset),
        listing_keyboard(kind, arg, statements, offset),
    )
    return None


def _rerun(message: Message, context: Context) -> Answer | None:
    """The question this answer belongs to, asked again against the live knowledge base."""
    services = services_of(context)
    question = services.recent.question_for(message.chat.id, message.message_id)
    if question is None and message.reply_to_message is not None:
        question = question_from(message.reply_to_message, context.bot.username) or None
    if question is None:
        return None
    return services.library.index.search(question)


async def _feedback(
    statement: Statement, helpful: bool, message: Message, update: Update, context: Context
) -> str:
    recorder = services_of(context).recorder
    if recorder is not None and not helpful:
        answer = _rerun(message, context)
        if answer is not None:
            await recorder.record_unhelpful(answer, statement.id, message.chat.type)
    return "Thanks — noted." if helpful else "Thanks — the maintainers will look at this one."


async def _edit(message: Message, text: str, keyboard: object) -> None:
    try:
        await message.edit_text(text, reply_markup=keyboard)  # type: ignore[arg-type]
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def register(app: PolicyApp) -> None:
    app.add_handler(CallbackQueryHandler(on_button))
