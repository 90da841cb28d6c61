"""The error handler: log first, then one short apology to the user and one report to admins."""

from __future__ import annotations

import contextlib
import html
import logging
import traceback

from telegram import Update
from telegram.error import TelegramError

from bot.app import Context, PolicyApp
from bot.logs import redact
from bot.render import MAX_MESSAGE_CHARS

logger = logging.getLogger(__name__)

APOLOGY = "Sorry — something went wrong while answering. The maintainers have been told."
REPORT_OVERHEAD = 200


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
    trace = "".join(
        traceback.format_exception(type(context.error), context.error, context.error.__traceback__)
    )
    kind = "update" if isinstance(update, Update) else "job"
    budget = MAX_MESSAGE_CHARS - REPORT_OVERHEAD
    body = html.escape(redact(trace)[-budget // 2 :])
    while len(body) > budget:  # escaping can grow the text; trim from the front
        body = body[len(body) - budget :]
        body = body[body.find("\n") + 1 :] if "\n" in body else ""
    report = f"⚠️ An exception was raised while handling an {kind}.\n<pre>{body}</pre>"
    for admin_id in sorted(admins):
        try:
            await context.bot.send_message(admin_id, report)
        except TelegramError as exc:
            logger.warning("Could not notify admin %s: %s", admin_id, exc)


def register(app: PolicyApp) -> None:
    app.add_error_handler(error_handler)
