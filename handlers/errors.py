"""The error handler: log first, then one short apology to the user and one report to admins."""

from __future__ import annotations

import contextlib
import html
import logging
import traceback

from telegram import Update
from telegram.error import TelegramError

from bot.answers.render import MAX_MESSAGE_CHARS
from bot.runtime.logs import redact
from handlers.context import Context, PolicyApp

logger = logging.getLogger(__name__)

APOLOGY = "Sorry — something went wrong while answering. The maintainers have been told."
MAX_SUMMARY_CHARS = 600


async def error_handler(update: object, context: Context) -> None:
    """Never let one update's failure affect others; keep reports escaped and short."""
    logger.error("Exception while handling an update:", exc_info=context.error)
    if isinstance(update, Update):
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(APOLOGY[:200])
        elif update.effective_chat is not None:
            try:
                await context.bot.send_message(update.effective_chat.id, APOLOGY)
            except TelegramError:
                logger.warning("Could not send the apology for update %s", update.update_id)
    admins = context.bot_data.services.settings.admin_ids
    if not admins or context.error is None:
        return
    report = error_report(context.error, "update" if isinstance(update, Update) else "job")
    for admin_id in sorted(admins):
        try:
            await context.bot.send_message(admin_id, report)
        except TelegramError as exc:
            logger.warning("Could not notify admin %s: %s", admin_id, exc)


def error_report(error: BaseException, kind: str) -> str:
    """The exception and as many of its innermost frames as fit, escaped, token removed."""
    summary = html.escape(_shorten(redact(f"{type(error).__name__}: {error}"), MAX_SUMMARY_CHARS))
    header = f"⚠️ An exception was raised while handling an {kind}.\n<pre>"
    budget = MAX_MESSAGE_CHARS - len(header) - len(summary) - len("</pre>")
    frames: list[str] = []
    for frame in reversed(traceback.format_tb(error.__traceback__)):
        escaped = html.escape(redact(frame))
        if len(escaped) > budget:
            break
        frames.insert(0, escaped)
        budget -= len(escaped)
    return f"{header}{''.join(frames)}{summary}</pre>"


def _shorten(text: str, limit: int) -> str:
    """Keep both ends of a long message: the type and the specific detail are often at the end."""
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]} … {text[-half:]}"


def register(app: PolicyApp) -> None:
    app.add_error_handler(error_handler)
