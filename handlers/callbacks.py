"""Inline keyboard buttons: the answer's pages, Source, Same topic and lists, examples, 👍/👎.

Buttons edit the message they sit under instead of sending new ones, so browsing never floods a
chat; only an example question posts (a new answer, through the same flood gate and chat line
as a typed question). In a group, the buttons that change a view belong to whoever asked; the
others get a short notice and the answer stays as it is. Votes are anyone's: one per user and
answer, changeable. Every press gets exactly one answerCallbackQuery; anything that does not
decode, or points at something gone, gets a short notice.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import CallbackQueryLimit
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.answers.answer import Answer
from bot.answers.card import card_html
from bot.answers.listing import count_note, listing_html
from bot.answers.render import answer_html, esc, fit_blocks, source_html, statement_html
from bot.answers.wording import plural
from bot.knowledge.models import Statement
from bot.runtime.limits import Verdict
from bot.runtime.store import Ballot, StoreDisabled, Tally, candidates_of
from handlers.common import (
    admit,
    counted_topics,
    example_questions,
    in_turn,
    is_group,
    may_change,
    question_in,
)
from handlers.context import Context, PolicyApp, services_of
from handlers.texts import GONE, NO_MORE, NOT_YOURS, SLOW_DOWN, STALE, TOPICS_HEADER, VOTED
from handlers.views import (
    HELPFUL,
    LISTS,
    Callback,
    answer_keyboard,
    card_keyboard,
    deep_link,
    details_keyboard,
    item_keyboard,
    listing_keyboard,
    topics_keyboard,
)

logger = logging.getLogger(__name__)

NOTICE_CHARS = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
OPEN_TO_ALL = frozenset({"fb", "ex"})  # a vote or an example changes nobody else's view
ITEMS = {item: kind for kind, item in LISTS.items()}


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
    if callback.kind not in OPEN_TO_ALL and not may_change(
        message, query.from_user.id, services_of(context)
    ):
        await query.answer(NOT_YOURS)
        return
    notice = await _handle(callback, message, update, context)
    await query.answer(notice[:NOTICE_CHARS] if notice else None)


async def _handle(
    callback: Callback, message: Message, update: Update, context: Context
) -> str | None:
    """One button press; returns the short notice for the callback answer, if any."""
    kind = callback.kind
    if kind == "more":
        return await _page(callback.offset, message, update, context)
    if kind == "ex":
        return await _example(callback, message, update, context)
    if kind == "fb":
        return await _vote(callback, message, update, context)
    if kind in ("src", "st"):
        return await _statement(callback, message, context)
    if kind == "tps":
        return await _topics(callback.offset, message, context)
    if kind in ITEMS:
        return await _item(callback, message, context)
    return await _listing(callback, message, context)


# ----------------------------------------------------------------------------- answers


def _question(message: Message, context: Context) -> str | None:
    """The question the answer under ``message`` belongs to (remembered, or the reply link)."""
    question = services_of(context).recent.question_for(message.chat.id, message.message_id)
    reply = message.reply_to_message
    if question is None and reply is not None and not (reply.from_user and reply.from_user.is_bot):
        question = question_in(reply, context.bot.username)
    return question


def _rerun(message: Message, context: Context) -> Answer | None:
    """The question this answer belongs to, asked again against the live knowledge base."""
    question = _question(message, context)
    return None if question is None else services_of(context).library.index.search(question)


async def _page(page: int, message: Message, update: Update, context: Context) -> str | None:
    """Result ``page`` of the answer: More, Previous, and every "Back to the answer"."""
    answer = _rerun(message, context)
    if answer is None:
        return STALE
    if page >= max(len(answer.matches), 1) or (page and not answer.answered):
        return NO_MORE
    index = services_of(context).library.index
    tally = None
    if answer.answered and update.effective_user is not None:
        statement_id = answer.matches[page].item.statement.id
        tally = await _tally(message, statement_id, update.effective_user.id, context)
    keyboard = answer_keyboard(answer, index, page, tally=tally, private=not is_group(message))
    await _edit(message, answer_html(answer, start=page), keyboard)
    services_of(context).recent.shown(message.chat.id, message.message_id, page)
    return None


async def _statement(callback: Callback, message: Message, context: Context) -> str | None:
    """Source: the full details (back to the answer page); st: one statement as a card."""
    kb = services_of(context).library.index.kb
    statement = kb.by_id.get(callback.arg)
    if statement is None:
        return GONE
    item = kb.attributed(statement)
    if callback.kind == "st":
        await _edit(message, card_html(item), card_keyboard(statement))
        return None
    page = callback.offset if _question(message, context) is not None else None
    details = fit_blocks([source_html(item), statement_html(item), _link(statement, context)])
    await _edit(message, details, details_keyboard(statement, page))
    return None


def _link(statement: Statement, context: Context) -> str:
    return f"🔗 Link to this statement: {esc(deep_link(context.bot.username, statement))}"


# ----------------------------------------------------------------------------- lists


def _resolve(kind: str, arg: str, context: Context) -> tuple[str, list[Statement], str] | None:
    """A list's title, statements (newest first) and count note; None if it is gone."""
    index = services_of(context).library.index
    kb = index.kb
    if kind == "tp":
        topic = kb.topics.get(arg)
        if topic is None:
            return None
        statements = index.statements_on(topic.id)
        return topic.name, statements, count_note(statements)
    if kind == "sp":
        speaker = kb.speakers.get(arg)
        if speaker is None:
            return None
        statements = index.statements_by(speaker.id)
        return speaker.name, statements, count_note(statements, speaker.id)
    statements = list(kb.statements)
    return "Latest statements", statements, count_note(statements)


async def _listing(callback: Callback, message: Message, context: Context) -> str | None:
    found = _resolve(callback.kind, callback.arg, context)
    if found is None:
        return STALE
    title, statements, note = found
    if callback.offset >= max(len(statements), 1):
        return STALE
    kb = services_of(context).library.index.kb
    await _edit(
        message,
        listing_html(title, statements, kb, callback.offset, note=note),
        listing_keyboard(callback.kind, callback.arg, statements, callback.offset, callback.origin),
    )
    return None


async def _item(callback: Callback, message: Message, context: Context) -> str | None:
    """One statement of a list, in full, with the way back to its page of the list."""
    kind = ITEMS[callback.kind]
    found = _resolve(kind, callback.arg, context)
    if found is None or callback.offset >= len(found[1]):
        return STALE
    statement = found[1][callback.offset]
    kb = services_of(context).library.index.kb
    text = fit_blocks([statement_html(kb.attributed(statement)), _link(statement, context)])
    keyboard = item_keyboard(kind, callback.arg, callback.offset, statement, callback.origin)
    await _edit(message, text, keyboard)
    return None


async def _topics(start: int, message: Message, context: Context) -> str | None:
    counted = counted_topics(context)
    if start >= max(len(counted), 1):
        return STALE
    header = TOPICS_HEADER.format(count=esc(plural(len(counted), "topic")))
    await _edit(message, header, topics_keyboard(counted, start))
    return None


# ----------------------------------------------------------------------------- posting, votes


async def _example(
    callback: Callback, message: Message, update: Update, context: Context
) -> str | None:
    """An example question from /start, answered in a new message — within the flood gate."""
    examples = example_questions(context)
    if callback.offset >= len(examples):
        return STALE
    verdict = admit(update, context)
    if verdict is not Verdict.ALLOW:
        return SLOW_DOWN if verdict is Verdict.NOTIFY else None
    question = examples[callback.offset]
    presser = update.effective_user.id if update.effective_user is not None else None

    async def send() -> None:
        services = services_of(context)
        index = services.library.index
        answer = index.search(question)
        sent = await message.reply_text(
            answer_html(answer),
            reply_markup=answer_keyboard(answer, index, private=not is_group(message)),
            do_quote=True,
        )
        services.recent.remember(message.chat.id, None, sent.message_id, question, owner=presser)

    await in_turn(update, context, send)
    return question


async def _vote(callback: Callback, message: Message, update: Update, context: Context) -> str:
    """👍/👎: one vote per user and answer; a second press of the other one changes it."""
    services = services_of(context)
    index = services.library.index
    statement = index.kb.by_id.get(callback.arg)
    user = update.effective_user
    if statement is None or user is None:
        return GONE
    answer = _rerun(message, context)
    helpful = callback.offset == HELPFUL
    ballot = Ballot(
        message.chat.id,
        message.message_id,
        statement.id,
        user.id,
        helpful,
        message.chat.type,
        answer.question if answer is not None else "",
        tuple(candidates_of(answer)) if answer is not None else (),
    )
    try:
        if services.recorder is None:
            raise StoreDisabled("not open yet")
        previous, tally = await services.recorder.vote(ballot)
    except StoreDisabled:
        previous, tally = services_of(context).votes.vote(ballot)
    if previous is not helpful and answer is not None and answer.answered:
        shown = [match.item.statement.id for match in answer.matches]
        if statement.id in shown:  # the buttons show the new vote (a check mark, or counts)
            page, private = shown.index(statement.id), not is_group(message)
            keyboard = answer_keyboard(answer, index, page, tally=tally, private=private)
            await _edit_markup(message, keyboard)
    return VOTED[(previous, helpful)]


async def _tally(message: Message, statement_id: str, user_id: int, context: Context) -> Tally:
    recorder = services_of(context).recorder
    key = (message.chat.id, message.message_id, statement_id, user_id)
    try:
        if recorder is None:
            raise StoreDisabled("not open yet")
        return await recorder.tally(*key)
    except StoreDisabled:
        return services_of(context).votes.tally(*key)


# ----------------------------------------------------------------------------- editing


async def _edit(message: Message, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    try:
        await message.edit_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def _edit_markup(message: Message, keyboard: InlineKeyboardMarkup | None) -> None:
    try:
        await message.edit_reply_markup(reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def register(app: PolicyApp) -> None:
    app.add_handler(CallbackQueryHandler(on_button))
