"""Admin commands (/reload, /unanswered), for the configured admin ids only.

Telegram group-admin status is never consulted. Everyone else gets exactly the reply an unknown
command gets, so the commands' existence is not revealed; attempts are logged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import weakref

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ExtBot, filters

from bot.answers.render import esc, fit_blocks, split_blocks
from bot.runtime.library import Library, ReloadResult
from bot.runtime.store import utcnow
from bot.tools.unanswered import cluster, format_text
from handlers.context import Context, PolicyApp, services_of
from handlers.texts import UNKNOWN_COMMAND

logger = logging.getLogger(__name__)

REPORT_DAYS = 30
REPORT_CLUSTERS = 10


MAX_REPORTED_PROBLEMS = 60

_failing: weakref.WeakSet[Library] = weakref.WeakSet()  # libraries whose last reload failed


def reload_failure_messages(result: ReloadResult) -> list[str]:
    """A failed reload as Telegram messages: escaped, split to fit, syntax errors first.

    A file that does not parse is the problem to fix first (it often causes the others), so
    YAML errors lead; a very long list is cut with a count rather than silently.
    """
    problems = sorted(result.problems, key=lambda p: ("YAML:" not in p.message, p))
    lines = [f"❌ Reload failed; {html.escape(result.summary)}. Problems:"]
    lines += [html.escape(str(p)) for p in problems[:MAX_REPORTED_PROBLEMS]]
    if len(problems) > MAX_REPORTED_PROBLEMS:
        lines.append(f"… and {len(problems) - MAX_REPORTED_PROBLEMS} more: run policybot validate")
    return split_blocks(lines)


def reload_fixed_message(result: ReloadResult) -> str:
    return f"✅ Fixed: the knowledge base reloads again; now serving {esc(result.summary)}."


async def _send_admins(
    bot: ExtBot[None], admin_ids: frozenset[int], chunks: list[str], skip: int | None = None
) -> None:
    for admin_id in sorted(admin_ids - {skip}):
        for chunk in chunks:
            try:
                await bot.send_message(admin_id, chunk)
            except TelegramError as exc:
                logger.warning("Could not notify admin %s: %s", admin_id, exc)
                break


async def notify_reload(app: PolicyApp, result: ReloadResult) -> None:
    """Tell the admins about a failed automatic reload (escaped, split to fit), and once, when
    a reload succeeds again, that it is fixed; a success after a success is quiet."""
    services = app.bot_data.services
    admins = services.settings.admin_ids
    if not result.ok:
        _failing.add(services.library)
        await _send_admins(app.bot, admins, reload_failure_messages(result))
    elif services.library in _failing:
        _failing.discard(services.library)
        await _send_admins(app.bot, admins, [reload_fixed_message(result)])


async def _authorised(update: Update, context: Context) -> bool:
    user = update.effective_user
    services = services_of(context)
    if user is not None and services.is_admin(user.id):
        return True
    command = update.effective_message.text if update.effective_message else ""
    logger.warning(
        "Refused admin command %r from user %s", (command or "")[:40], user.id if user else None
    )
    message = update.effective_message
    if message is not None and message.chat.type == "private":
        await message.reply_text(UNKNOWN_COMMAND)
    return False


async def reload_command(update: Update, context: Context) -> None:
    """/reload: rebuild the knowledge base now; on failure keep the old one and list why."""
    if not await _authorised(update, context):
        return
    message = update.effective_message
    if message is None:
        return
    library = services_of(context).library
    result = await library.reload()
    if result.ok:
        await message.reply_text(f"✅ Reloaded: {esc(result.summary)} ({result.seconds:.2f} s)")
        if library in _failing:  # the other admins were told it failed: tell them it is fixed
            _failing.discard(library)
            user = update.effective_user
            await _send_admins(
                context.bot,
                services_of(context).settings.admin_ids,
                [reload_fixed_message(result)],
                user.id if user else None,
            )
        return
    _failing.add(library)
    for chunk in reload_failure_messages(result):
        await message.reply_text(chunk)


async def unanswered_command(update: Update, context: Context) -> None:
    """/unanswered: the most asked questions the bot could not answer (last 30 days)."""
    if not await _authorised(update, context):
        return
    message = update.effective_message
    if message is None:
        return
    recorder = services_of(context).recorder
    if recorder is None or not recorder.store.enabled:
        await message.reply_text("The unanswered-questions log is not recording.")
        return
    since = utcnow() - dt.timedelta(days=REPORT_DAYS)
    events = await asyncio.to_thread(recorder.store.events, since=since)
    clusters = await asyncio.to_thread(cluster, events)
    lines = [f"<b>Unanswered or unhelpful, last {REPORT_DAYS} days</b> (top {REPORT_CLUSTERS})"]
    lines += [esc(line) for line in format_text(clusters, limit=REPORT_CLUSTERS).splitlines()]
    lines.append("Full report: <code>policybot unanswered --format yaml</code>")
    await message.reply_text(fit_blocks(lines, separator="\n"))


def register(app: PolicyApp) -> None:
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("reload", reload_command, filters=new))
    app.add_handler(CommandHandler("unanswered", unanswered_command, filters=new))
