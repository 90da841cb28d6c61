"""The question → answer flow shared by private messages, /ask, mentions, replies and edits,
and the rules for everything that makes the bot post.

Posting: a per-user flood gate first (past the rate a user gets one notice, then silence until
the window has room; a message is counted at its own date, so a backlog after an outage is
judged by when people asked). Nothing addressed to the bot is refused for being frequent: a
chat's updates are handled one at a time in arrival order (the update pipeline,
``services.flow``), and what exceeds Telegram's own limits — about 20 messages a minute in a
group — waits in PTB's rate limiter instead of failing. Only a backlog longer than
POLICYBOT_GROUP_QUEUE drops its oldest waiting questions, with one notice to the chat and a log
line for each.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.answers.answer import Status
from bot.answers.render import MAX_MESSAGE_CHARS, answer_html, esc
from bot.answers.wording import coverage
from bot.knowledge.models import Topic
from bot.runtime.limits import Verdict
from handlers.context import Context, Services, late_by, late_note, services_of
from handlers.texts import (
    ASK_USAGE,
    LAST_RESULT,
    NOTHING_FOUND_TO_CONTINUE,
    NOTHING_TO_CONTINUE,
    QUEUE_FULL,
    SLOW_DOWN,
)
from handlers.views import answer_keyboard

logger = logging.getLogger(__name__)

EXAMPLE_COUNT = 3
MORE_WORDS = frozenset(
    {"more", "next", "more please", "more results", "show more", "another", "another one"}
)
_ASK_COMMAND = re.compile(r"^/ask(?:@\w+)?(?:\s+|$)", re.IGNORECASE)
Work = Callable[[], Awaitable[None]]


# ----------------------------------------------------------------------------- messages


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


def question_in(message: Message, username: str) -> str | None:
    """The question a message asked, or None for another command (/start, /topics ...)."""
    text = message.text or ""
    if text.startswith("/") and not _ASK_COMMAND.match(text):
        return None
    return question_from(message, username) or None


def wants_more(text: str) -> bool:
    """ "more", "next", "another one" ...: continue the last answer instead of searching."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold())) in MORE_WORDS


# ----------------------------------------------------------------------------- posting


def event_time(update: Update) -> float:
    """When the user acted: a message's own date; for button presses and inline queries
    (which carry none), now — both Unix time, so one window holds both."""
    message = update.message
    return message.date.timestamp() if message is not None else time.time()


def admit(update: Update, context: Context) -> Verdict:
    """The per-user flood gate for anything that makes the bot post."""
    user = update.effective_user
    if user is None:
        return Verdict.ALLOW
    verdict = services_of(context).user_limiter.check(user.id, event_time(update))
    if verdict is not Verdict.ALLOW:  # the first refusal of a window at INFO, the rest quieter
        chat = update.effective_chat
        logger.log(
            logging.INFO if verdict is Verdict.NOTIFY else logging.DEBUG,
            "Flood: a user in a %s chat is over %d posts a minute (%s)",
            chat.type if chat is not None else "inline",
            services_of(context).settings.user_rate_per_minute,
            "told once" if verdict is Verdict.NOTIFY else "ignored",
        )
    return verdict


def waiting_behind(update: Update, context: Context) -> int:
    """Updates of this chat queued behind this one (the pipeline's count; 0 without one)."""
    flow = getattr(services_of(context), "flow", None)
    return flow.waiting_behind(update) if flow is not None else 0


async def in_turn(update: Update, context: Context, work: Work) -> None:
    """Run ``work`` (which posts), after the group's cool-down if one is set — unless more
    than POLICYBOT_GROUP_QUEUE updates wait behind this one: then it is the oldest of a backlog
    too long to answer in time, and is dropped (the chat is told once, and it is logged)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        await work()
        return
    services = services_of(context)
    waiting = waiting_behind(update, context)
    if waiting < services.settings.group_queue:
        services.told.discard(chat.id)
    else:
        logger.warning(
            "Dropped the oldest waiting update in a %s chat: %d more wait behind it "
            "(POLICYBOT_GROUP_QUEUE=%d)",
            chat.type,
            waiting,
            services.settings.group_queue,
        )
        if message is not None:
            logger.debug("The dropped message: %r", message.text)
            if chat.id not in services.told:
                services.told.add(chat.id)
                await message.reply_text(QUEUE_FULL, do_quote=True)
        return
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        delay = services.group_cooldown.reserve(chat.id)
        if delay > 0:
            await asyncio.sleep(delay)
    await work()


async def post(update: Update, context: Context, work: Work) -> None:
    """The flood gate, then the chat's line: how every command and question posts."""
    verdict = admit(update, context)
    if verdict is Verdict.SILENT:
        return
    message = update.effective_message
    if verdict is Verdict.NOTIFY:
        if message is not None:
            await in_turn(update, context, lambda: reply(message, SLOW_DOWN))
        return
    await in_turn(update, context, work)


async def reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A reply (quoting the message in groups, as PTB does by default)."""
    await message.reply_text(text, reply_markup=markup)


# ----------------------------------------------------------------------------- answering


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Answer ``question`` as a reply to the message that asked it, in turn."""
    message = update.effective_message
    if message is None:
        return
    if not question:
        usage = ASK_USAGE.format(**help_examples(context))
        await post(update, context, lambda: reply(message, usage))
        return
    late = late_by(update, context)  # held up by an outage, a restart or a backlog
    note = late_note(late) if late is not None else None
    await post(update, context, lambda: send_answer(message, context, question, note=note))


async def send_answer(
    message: Message, context: Context, question: str, page: int = 0, *, note: str | None = None
) -> None:
    """Search now (the live knowledge base) and reply with the answer card of ``page``, after
    ``note`` (Telegram HTML) when there is one."""
    services = services_of(context)
    index = services.library.index
    answer = index.search(question)
    group = is_group(message)
    html = answer_html(answer, start=page)
    if note is not None and len(note) + 2 + len(html) <= MAX_MESSAGE_CHARS:
        html = f"{note}\n\n{html}"
    sent = await message.reply_text(
        html,
        reply_markup=answer_keyboard(answer, index, page, private=not group),
        do_quote=True,
    )
    asker = message.from_user.id if message.from_user is not None else None
    question_id = message.message_id if page == 0 else None
    services.recent.remember(
        message.chat.id, question_id, sent.message_id, question, owner=asker, page=page
    )
    recorder = services.recorder
    if recorder is not None and answer.status is Status.NOT_FOUND:  # small talk is not a gap
        await recorder.record_unanswered(answer, message.chat.type)


async def continue_answer(update: Update, context: Context) -> None:
    """A typed "more": the next result of the answer replied to, or of the chat's last one."""
    message = update.effective_message
    if message is None:
        return
    await post(update, context, lambda: _next_result(message, context))


async def _next_result(message: Message, context: Context) -> None:
    recent = services_of(context).recent
    reply = message.reply_to_message
    last = recent.last_answer(message.chat.id)
    if reply is not None and (question := recent.question_for(message.chat.id, reply.message_id)):
        base = (reply.message_id, question, recent.page_of(message.chat.id, reply.message_id))
    elif last is not None and not is_group(message):  # in a group: only the one replied to
        base = last
    else:
        await message.reply_text(NOTHING_TO_CONTINUE, do_quote=True)
        return
    base_id, question, page = base
    answer = services_of(context).library.index.search(question)
    if not answer.answered or page + 1 >= len(answer.matches):
        template = LAST_RESULT if answer.answered else NOTHING_FOUND_TO_CONTINUE
        sent = await message.reply_text(template.format(question=esc(question)), do_quote=True)
        # "more" as a reply to this message is about the same question, still at its end
        recent.remember(message.chat.id, None, sent.message_id, question, page=page)
        return
    await send_answer(message, context, question, page + 1)
    # "more" replied to the same message again goes on from there, not back to result 2
    recent.shown(message.chat.id, base_id, page + 1)


async def reanswer_edited(update: Update, context: Context) -> None:
    """The asker edited their question: edit our answer in place instead of sending another."""
    message = update.edited_message
    if message is None or message.text is None:
        return
    services = services_of(context)
    answer_id = services.recent.lookup(message.chat.id, message.message_id)
    if answer_id is None:
        return
    asks = _ASK_COMMAND.match(message.text) is not None
    if is_group(message) and not (
        asks or addressed_to_bot(message, context.bot.id, context.bot.username)
    ):
        return  # no longer a question to the bot ("never mind"): the answer stays as it was
    question = question_from(message, context.bot.username)
    if not question:
        return
    index = services.library.index
    answer = index.search(question)
    if answer.status is Status.SMALLTALK:
        return  # "thanks", "never mind": an answer is not replaced by a greeting
    asker = message.from_user.id if message.from_user is not None else None
    before = services.recent.question_for(message.chat.id, answer_id)
    services.recent.remember(message.chat.id, message.message_id, answer_id, question, owner=asker)
    html = answer_html(answer)
    if before is not None and answer_html(index.search(before)) == html:
        return  # the same answer: Telegram would refuse an edit that changes nothing
    try:
        await context.bot.edit_message_text(
            html,
            chat_id=message.chat.id,
            message_id=answer_id,
            reply_markup=answer_keyboard(answer, index, private=not is_group(message)),
        )
    except BadRequest as exc:  # e.g. an answer paged back to the same result meanwhile
        if "not modified" not in str(exc).lower():
            raise


# ----------------------------------------------------------------------------- who may press


def asker_of(message: Message, services: Services) -> int | None:
    """Whom the bot's ``message`` answers: as remembered, else the user it replies to."""
    owner = services.recent.owner_of(message.chat.id, message.message_id)
    if owner is not None:
        return owner
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and not reply.from_user.is_bot:
        return reply.from_user.id
    return None


def may_change(message: Message, user_id: int, services: Services) -> bool:
    """In a group only the asker may page or browse under an answer; private chats are theirs."""
    if not is_group(message):
        return True
    owner = asker_of(message, services)
    return owner is None or owner == user_id


# ----------------------------------------------------------------------------- examples


def counted_topics(context: Context) -> list[tuple[int, Topic]]:
    """Topics that have statements, most statements first, with their counts."""
    index = services_of(context).library.index
    counted = [(len(index.statements_on(t.id)), t) for t in index.kb.topics.values()]
    return sorted((pair for pair in counted if pair[0]), key=lambda p: (-p[0], p[1].name))


def example_questions(context: Context) -> list[str]:
    """Three example questions taken from the knowledge base itself, so they always answer."""
    return services_of(context).library.index.example_questions(EXAMPLE_COUNT)


def help_examples(context: Context) -> dict[str, str]:
    """Escaped examples from the live knowledge base for help texts (never hard-coded)."""
    index = services_of(context).library.index
    examples = index.examples()
    return {
        "username": esc(context.bot.username),
        "question": esc(examples.question),
        "speaker": esc(examples.speaker),
        "topic": esc(examples.topic),
        "month": esc(examples.month),
        "year": esc(examples.month.split()[-1]),
        "coverage": esc(coverage(index.kb)),
    }
