"""User commands: /start (with deep links), /help, /ask, /topics, /topic, /speakers, /speaker,
/latest, /about. Every reply goes through the flood gate and the chat's line (handlers.common):
in a group, commands are limited per user just like questions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.answers.card import card_html
from bot.answers.listing import count_note, listing_html
from bot.answers.render import esc, fit_blocks
from bot.answers.wording import coverage, human_date, plural, said_on
from bot.knowledge.models import Speaker, Statement, Topic
from handlers.common import (
    answer_question,
    counted_topics,
    example_questions,
    help_examples,
    is_group,
    post,
    question_from,
    reply,
)
from handlers.context import Context, PolicyApp, services_of
from handlers.texts import (
    HELP_GROUP,
    HELP_PRIVATE,
    TOPICS_HEADER,
    UNKNOWN_COMMAND,
    WELCOME_GROUP,
    WELCOME_PRIVATE,
)
from handlers.views import (
    DEEP_LINK_PREFIX,
    card_keyboard,
    examples_keyboard,
    listing_keyboard,
    topics_keyboard,
)

HELP_PAYLOAD = "help"  # /start help: the inline "how to ask" button opens the help


async def start(update: Update, context: Context) -> None:
    """Welcome (with example buttons), the help, or a statement from a t.me/<bot>?start=s_<id>
    link."""
    message = update.effective_message
    if message is not None:
        await post(update, context, lambda: _start(message, context))


async def _start(message: Message, context: Context) -> None:
    index = services_of(context).library.index
    payload = context.args[0] if context.args else ""
    if payload == HELP_PAYLOAD:
        await _help(message, context)
        return
    if payload.startswith(DEEP_LINK_PREFIX):
        statement = index.kb.by_id.get(payload.removeprefix(DEEP_LINK_PREFIX))
        if statement is not None:
            await reply(
                message, card_html(index.kb.attributed(statement)), card_keyboard(statement)
            )
            return
        await reply(message, "That link points to a statement I don't have (any more).")
    template = WELCOME_GROUP if is_group(message) else WELCOME_PRIVATE
    keyboard = examples_keyboard(example_questions(context))
    await reply(message, template.format(**help_examples(context)), keyboard)


async def help_command(update: Update, context: Context) -> None:
    """How to ask; the group version explains /ask, mentions and replies."""
    message = update.effective_message
    if message is not None:
        await post(update, context, lambda: _help(message, context))


async def _help(message: Message, context: Context) -> None:
    template = HELP_GROUP if is_group(message) else HELP_PRIVATE
    await reply(message, template.format(**help_examples(context)))


async def ask(update: Update, context: Context) -> None:
    """/ask <question> (also /ask@BotName in groups)."""
    message = update.effective_message
    if message is not None:
        await answer_question(update, context, question_from(message, context.bot.username))


async def topics(update: Update, context: Context) -> None:
    """Every topic with statements, as buttons with full names and counts (no list twice)."""
    message = update.effective_message
    if message is None:
        return
    counted = counted_topics(context)
    header = TOPICS_HEADER.format(count=esc(plural(len(counted), "topic")))
    await post(update, context, lambda: reply(message, header, topics_keyboard(counted, 0)))


async def topic(update: Update, context: Context) -> None:
    """/topic <name>: statements on a topic, newest first."""
    index = services_of(context).library.index
    await _listing_by_name(
        update,
        context,
        kind="tp",
        find=index.find_topic,
        statements_of=index.statements_on,
        unknown="I don't know a topic called “{name}”. /topics lists them.",
        usage=f"Which topic? e.g. <code>/topic {esc(index.examples().topic)}</code>. "
        "/topics lists them.",
    )


async def _listing_by_name(
    update: Update,
    context: Context,
    *,
    kind: str,
    find: Callable[[str], Speaker | Topic | None],
    statements_of: Callable[[str], list[Statement]],
    unknown: str,
    usage: str,
) -> None:
    """The newest statements of whatever the user named (a topic or a speaker), with paging."""
    message = update.effective_message
    if message is None:
        return
    name = " ".join(context.args or [])
    found = find(name) if name else None
    if found is None:
        text = unknown.format(name=esc(name)) if name else usage
        await post(update, context, lambda: reply(message, text))
        return
    statements = statements_of(found.id)
    kb = services_of(context).library.index.kb
    note = count_note(statements, found.id if kind == "sp" else None)
    text = listing_html(found.name, statements, kb, 0, note=note)
    keyboard = listing_keyboard(kind, found.id, statements, 0)
    await post(update, context, lambda: reply(message, text, keyboard))


async def speakers(update: Update, context: Context) -> None:
    """Every speaker with their statements (and those they relayed) and their roles."""
    message = update.effective_message
    if message is None:
        return
    kb = services_of(context).library.index.kb
    lines = ["<b>Speakers</b> — /speaker &lt;name&gt; for their statements"]
    for speaker in sorted(kb.speakers.values(), key=lambda s: s.name):
        own = sum(1 for s in kb.statements if s.speaker == speaker.id)
        relayed = sum(1 for s in kb.statements if s.relayed_by == speaker.id)
        native = f" ({esc(speaker.native_name)})" if speaker.native_name else ""
        counts = plural(own, "statement") + (f", and relayed {relayed} more" if relayed else "")
        lines.append(f"• <b>{esc(speaker.name)}</b>{native} — {esc(counts)}")
        for role in speaker.roles:
            span = _tenure(role.start, role.end)
            lines.append(f"   {esc(role.title)}" + (f", {esc(span)}" if span else ""))
    text = fit_blocks(lines, separator="\n")
    await post(update, context, lambda: reply(message, text))


def _tenure(start: dt.date | None, end: dt.date | None) -> str:
    """ "25 Jul 2023 – 8 May 2025", "since 25 Jul 2023", "until 8 May 2022", or nothing: an
    open end is not known (or still running), so it is not written as "now" or "?"."""
    if start and end:
        return f"{human_date(start)} – {human_date(end)}"
    if start:
        return f"since {human_date(start)}"
    return f"until {human_date(end)}" if end else ""


async def speaker(update: Update, context: Context) -> None:
    """/speaker <name>: statements by (or relayed by) a speaker, newest first."""
    index = services_of(context).library.index
    await _listing_by_name(
        update,
        context,
        kind="sp",
        find=index.find_speaker,
        statements_of=index.statements_by,
        unknown="I have no statements from “{name}”. /speakers lists who I know.",
        usage=f"Whose statements? e.g. <code>/speaker {esc(index.examples().speaker)}</code>.",
    )


async def latest(update: Update, context: Context) -> None:
    """The newest statements across all topics."""
    message = update.effective_message
    if message is None:
        return
    kb = services_of(context).library.index.kb
    statements = list(kb.statements)
    text = listing_html("Latest statements", statements, kb, 0)
    keyboard = listing_keyboard("new", "", statements, 0)
    await post(update, context, lambda: reply(message, text, keyboard))


async def about(update: Update, context: Context) -> None:
    """Which knowledge base version is live and what it covers."""
    message = update.effective_message
    if message is None:
        return
    kb = services_of(context).library.index.kb
    newest = said_on(kb.statements[0]) if kb.statements else "none"
    lines = [
        "<b>policybot</b> — answers from a curated, version-controlled knowledge base.",
        f"Covers: {esc(coverage(kb))}.",
        f"Knowledge base: {esc(kb.summary())}",
        f"Newest statement: {esc(newest)}",
        f"Loaded: {esc(kb.loaded_at.strftime('%Y-%m-%d %H:%M UTC'))}",
        f"Version: <code>{esc(kb.content_hash[:12])}</code>",
    ]
    await post(update, context, lambda: reply(message, "\n".join(lines)))


async def unknown_command(update: Update, context: Context) -> None:
    """Unknown commands in private chats (admin commands look exactly the same to others)."""
    message = update.effective_message
    if message is not None:
        await post(update, context, lambda: reply(message, UNKNOWN_COMMAND))


def register(app: PolicyApp) -> None:
    # Commands answer new messages only; an edited /ask is handled by messages.edited, which
    # edits the earlier answer instead of sending a second one.
    new = filters.UpdateType.MESSAGE
    for name, callback in (
        ("start", start),
        ("help", help_command),
        ("ask", ask),
        ("topics", topics),
        ("topic", topic),
        ("speakers", speakers),
        ("speaker", speaker),
        ("latest", latest),
        ("about", about),
    ):
        app.add_handler(CommandHandler(name, callback, filters=new))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.COMMAND & filters.UpdateType.MESSAGE,
            unknown_command,
        )
    )
