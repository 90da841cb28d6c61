"""The question → answer flow shared by private messages, /ask, mentions, replies and edits."""

from __future__ import annotations

import logging
import re

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.answers.answer import Status
from bot.answers.render import answer_html, esc
from bot.runtime.limits import Verdict
from handlers.context import Context, Services, services_of
from handlers.views import answer_keyboard

logger = logging.getLogger(__name__)

SLOW_DOWN = "You're asking faster than I can answer — please wait a few seconds and try again."
ASK_USAGE = "Ask me about an official policy statement, e.g. <code>/ask {topic}</code>."
EXAMPLE_COUNT = 3
_ASK_COMMAND = re.compile(r"^/ask(?:@\w+)?(?:\s+|$)", re.IGNORECASE)


def is_group(message: Message) -> bool:
    return message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def addressed_to_bot(message: Message, bot_id: int, username: str) -> bool:
    """In a group: a reply to one of our messages, or an @mention of us; the rest is chatter."""
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return True
    wanted = "@" + username.casefold()
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    if any(text.casefold() == wanted for text in mentions):
        return True
    return any(
        entity.user is not None and entity.user.id == bot_id
        for entity in message.parse_entities([MessageEntity.TEXT_MENTION])
    )


def question_from(message: Message, username: str) -> str:
    """The question in a message: without "/ask", "/ask@bot" or our @mention."""
    text = message.text or ""
    text = _ASK_COMMAND.sub("", text, count=1)
    text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def rate_verdict(services: Services, message: Message) -> Verdict:
    user = message.from_user
    verdict = services.user_limiter.check(user.id) if user is not None else Verdict.ALLOW
    if verdict is Verdict.ALLOW and is_group(message):
        verdict = services.group_cooldown.check(message.chat.id)
    return verdict


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Answer ``question`` as a reply to the message that asked it, within the flood limits."""
    message = update.effective_message
    if message is None:
        return
    services = services_of(context)
    if not question:
        await message.reply_text(ASK_USAGE.format(**help_examples(context)))
        return
    verdict = rate_verdict(services, message)
    if verdict is Verdict.NOTIFY:
        await message.reply_text(SLOW_DOWN)
        return
    if verdict is Verdict.SILENT:
        return
    index = services.library.index
    answer = index.search(question)
    sent = await message.reply_text(
        answer_html(answer), reply_markup=answer_keyboard(answer, index.kb), do_quote=True
    )
    services.recent.remember(message.chat.id, message.message_id, sent.message_id, question)
    recorder = services.recorder
    if recorder is not None and answer.status is Status.NOT_FOUND:  # small talk is not a gap
        await recorder.record_unanswered(answer, message.chat.type)


async def reanswer_edited(update: Update, context: Context) -> None:
    """The asker edited their question: edit our answer in place instead of sending another."""
    message = update.edited_message
    if message is None or message.text is None:
        return
    services = services_of(context)
    answer_id = services.recent.lookup(message.chat.id, message.message_id)
    if answer_id is None:
        return
    question = question_from(message, context.bot.username)
    if not question:
        return
    index = services.library.index
    answer = index.search(question)
    services.recent.remember(message.chat.id, message.message_id, answer_id, question)
    try:
        await context.bot.edit_message_text(
            answer_html(answer),
            chat_id=message.chat.id,
            message_id=answer_id,
            reply_markup=answer_keyboard(answer, index.kb),
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def example_questions(context: Context) -> list[str]:
    """Three example questions taken from the knowledge base itself, so they always answer."""
    return services_of(context).library.index.example_questions(EXAMPLE_COUNT)


def help_examples(context: Context) -> dict[str, str]:
    """Escaped examples from the live knowledge base for help texts (never hard-coded)."""
    examples = services_of(context).library.index.examples()
    return {
        "username": esc(context.bot.username),
        "question": esc(examples.question),
        "speaker": esc(examples.speaker),
        "topic": esc(examples.topic),
        "month": esc(examples.month),
        "year": esc(examples.month.split()[-1]),
    }
