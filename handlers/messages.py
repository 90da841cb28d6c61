"""Plain messages: every text in a private chat is a question; in groups only when addressed.

A typed "more" (or "next", "another one") continues an answer instead of being searched: in a
private chat the last answer, in a group the answer it replies to.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from handlers.common import (
    addressed_to_bot,
    answer_question,
    continue_answer,
    question_from,
    reanswer_edited,
    wants_more,
)
from handlers.context import Context, PolicyApp


async def private_text(update: Update, context: Context) -> None:
    """A private message is a question, or "more" for the next result."""
    message = update.effective_message
    if message is None or not message.text:
        return
    question = question_from(message, context.bot.username)
    if wants_more(question):
        await continue_answer(update, context)
    else:
        await answer_question(update, context, question)


async def group_text(update: Update, context: Context) -> None:
    """In a group, answer a mention of the bot or a reply to it; stay quiet otherwise."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if not addressed_to_bot(message, context.bot.id, context.bot.username):
        return
    question = question_from(message, context.bot.username)
    if wants_more(question) and message.reply_to_message is not None:
        await continue_answer(update, context)
    else:
        await answer_question(update, context, question)


async def edited(update: Update, context: Context) -> None:
    """An edited question gets its answer edited."""
    await reanswer_edited(update, context)


def register(app: PolicyApp) -> None:
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & text, private_text))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & text, group_text))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, edited))
