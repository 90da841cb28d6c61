"""Admin commands (/reload, /unanswered), for the configured admin ids only.

Telegram group-admin status is never consulted. Everyone else gets exactly the reply an unknown
command gets, so the commands' existence is not revealed; attempts are logged.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler

from bot.app import Context, PolicyApp
from bot.render import esc, fit_blocks
from handlers.commands import UNKNOWN_COMMAND
from handlers.common import services_of

logger = logging.getLogger(__name__)


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
    result = await services_of(context).library.reload()
    if result.ok:
        await message.reply_text(f"✅ Reloaded: {esc(result.summary)} ({result.seconds:.2f} s)")
        return
    lines = [f"❌ Reload failed; {esc(result.summary)}. Problems:"]
    lines += [f"<code>{esc(problem)}</code>" for problem in result.problems]
    await message.reply_text(fit_blocks(lines, separator="\n"))


def register(app: PolicyApp) -> None:
    app.add_handler(CommandHandler("reload", reload_command))
