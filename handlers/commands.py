"""User commands: /start (with deep links), /help, /ask, /topics, /topic, /speakers, /speaker,
/latest, /about."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.answers.render import esc, fit_blocks, statement_html
from bot.knowledge.models import Speaker, Statement, Topic
from handlers.common import (
    answer_question,
    example_questions,
    help_examples,
    is_group,
    question_from,
)
from handlers.context import Context, PolicyApp, services_of
from handlers.texts import UNKNOWN_COMMAND
from handlers.views import (
    Callback,
    button,
    listing_html,
    listing_keyboard,
    statement_keyboard,
)

DEEP_LINK_PREFIX = "s_"
MAX_TOPIC_BUTTONS = 40

HELP_PRIVATE = (
    "<b>How to ask</b>\n"
    "Just write a question, e.g. “{question}”. Typos are fine.\n"
    "Name a speaker (“What did {speaker} say about {topic}?”) or a date (“in {month}”, "
    "“since {year}”, “latest”) to narrow it down.\n\n"
    "Every answer shows the exact text, who said it and their role then, the date, and the "
    "source. Direct quotes are in quotation marks; reported speech and summaries are labelled "
    "as such. If I don't know, I say so and suggest nearby topics.\n\n"
    "/topics — what I know about · /topic &lt;name&gt; — a topic's timeline\n"
    "/speakers · /speaker &lt;name&gt; · /latest · /about\n\n"
    "In any chat you can also type <code>@{username} your question</code> to share a statement."
)
HELP_GROUP = (
    "<b>Using me in a group</b>\n"
    "<code>/ask your question</code>, mention me (<code>@{username} {topic}?</code>) or reply "
    "to one of my messages. I ignore all other messages.\n"
    "Inline: type <code>@{username} query</code> in any chat."
)


async def start(update: Update, context: Context) -> None:
    """Welcome (with example buttons), or open a statement from a t.me/<bot>?start=s_<id> link."""
    message = update.effective_message
    if message is None:
        return
    index = services_of(context).library.index
    payload = context.args[0] if context.args else ""
    if payload.startswith(DEEP_LINK_PREFIX):
        statement = index.kb.by_id.get(payload.removeprefix(DEEP_LINK_PREFIX))
        if statement is not None:
            await message.reply_text(
                statement_html(index.kb.attributed(statement)),
                reply_markup=statement_keyboard(statement, index.kb),
            )
            return
        await message.reply_text("That link points to a statement I don't have (any more).")
    examples = example_questions(context)
    keyboard = InlineKeyboardMarkup(
        [[button(q[:60], Callback("ex", "", n))] for n, q in enumerate(examples)]
    )
    await message.reply_text(
        "👋 I answer questions about official policy statements with the exact text, who said "
        "it, when, and the source — or tell you plainly that I don't know.\n\n"
        "Ask anything, or try one of these:",
        reply_markup=keyboard,
    )


async def help_command(update: Update, context: Context) -> None:
    """How to ask; the group version explains /ask, mentions and replies."""
    message = update.effective_message
    if message is None:
        return
    template = HELP_GROUP if is_group(message) else HELP_PRIVATE
    await message.reply_text(template.format(**help_examples(context)))


async def ask(update: Update, context: Context) -> None:
    """/ask <question> (also /ask@BotName in groups)."""
    message = update.effective_message
    if message is not None:
        await answer_question(update, context, question_from(message, context.bot.username))


async def topics(update: Update, context: Context) -> None:
    """Every topic with its number of statements; buttons open a topic's timeline."""
    message = update.effective_message
    if message is None:
        return
    index = services_of(context).library.index
    counted = sorted(
        ((len(index.statements_on(t.id)), t) for t in index.kb.topics.values()),
        key=lambda pair: (-pair[0], pair[1].name),
    )
    lines = ["<b>Topics</b> (statements) — /topic &lt;name&gt; for a timeline"]
    lines += [f"• {esc(topic.name)} ({count})" for count, topic in counted]
    buttons = [button(t.name[:40], Callback("tp", t.id)) for c, t in counted if c]
    rows = [buttons[i : i + 2] for i in range(0, min(len(buttons), MAX_TOPIC_BUTTONS), 2)]
    await message.reply_text(
        fit_blocks(lines, separator="\n"), reply_markup=InlineKeyboardMarkup(rows)
    )


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
        await message.reply_text(unknown.format(name=esc(name)) if name else usage)
        return
    statements = statements_of(found.id)
    kb = services_of(context).library.index.kb
    await message.reply_text(
        listing_html(found.name, statements, kb, 0),
        reply_markup=listing_keyboard(kind, found.id, statements, 0),
    )


async def speakers(update: Update, context: Context) -> None:
    """Every speaker with their roles."""
    message = update.effective_message
    if message is None:
        return
    index = services_of(context).library.index
    lines = ["<b>Speakers</b> — /speaker &lt;name&gt; for their statements"]
    for speaker in sorted(index.kb.speakers.values(), key=lambda s: s.name):
        count = len(index.statements_by(speaker.id))
        native = f" ({esc(speaker.native_name)})" if speaker.native_name else ""
        lines.append(f"• <b>{esc(speaker.name)}</b>{native} — {count} statement(s)")
        for role in speaker.roles:
            span = f"{role.start or '?'} – {role.end or 'now'}"
            lines.append(f"   {esc(role.title)}, {esc(span)}")
    await message.reply_text(fit_blocks(lines, separator="\n"))


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
    index = services_of(context).library.index
    statements = list(index.kb.statements)
    await message.reply_text(
        listing_html("Latest statements", statements, index.kb, 0),
        reply_markup=listing_keyboard("new", "", statements, 0),
    )


async def about(update: Update, context: Context) -> None:
    """Which knowledge base version is live: counts, newest statement, load time, hash."""
    message = update.effective_message
    if message is None:
        return
    kb = services_of(context).library.index.kb
    lines = [
        "<b>policybot</b> — answers from a curated, version-controlled knowledge base.",
        f"Knowledge base: {esc(kb.summary())}",
        f"Newest statement: {esc(kb.newest_date or 'none')}",
        f"Loaded: {esc(kb.loaded_at.strftime('%Y-%m-%d %H:%M UTC'))}",
        f"Version: <code>{esc(kb.content_hash[:12])}</code>",
    ]
    await message.reply_text("\n".join(lines))


async def unknown_command(update: Update, context: Context) -> None:
    """Unknown commands in private chats (admin commands look exactly the same to others)."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(UNKNOWN_COMMAND)


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
