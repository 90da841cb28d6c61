"""`build_application(settings, ...)`: the one place that wires python-telegram-bot together.

`policybot run`, the end-to-end tests and the benchmarks all call it, so what is tested is what
runs. The knowledge base is loaded in ``post_init`` off the event loop; handlers reach shared
state through ``context.bot_data`` typed as :class:`BotData`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

from bot.config import Settings
from bot.knowledge.loader import KnowledgeError
from bot.runtime.library import Library
from bot.runtime.limits import Cooldown, SlidingWindowLimiter
from bot.runtime.logs import protect_secret, setup_logging
from bot.runtime.store import Recorder, Store
from bot.runtime.watch import watch_knowledge
from handlers import admin, callbacks, commands, errors, inline, messages, processing
from handlers.admin import notify_reload
from handlers.context import BotData, PolicyApp, Services
from handlers.lifecycle import cancel_background, polling, webhook
from handlers.menus import publish_commands
from handlers.net import ObservedRequest, OutageLog, ResilientRateLimiter
from handlers.processing import Pipeline

logger = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3
HANDLER_FAMILIES = (admin, commands, messages, inline, callbacks, errors)
MINUTE = 60.0
INLINE_RATE_FACTOR = 3


def application_builder(
    settings: Settings,
    *,
    rate_limit: bool = True,
    timeout: float = 10.0,
    outage: OutageLog | None = None,
    on_updates: Callable[[bytes], Coroutine[Any, Any, None]] | None = None,
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """PTB's side of the application: Bot API address, HTML defaults, timeouts, polling request
    and rate limiter. The benchmarks build their echo baseline from this too, so both bots
    differ only in what policybot adds."""
    if settings.token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the Telegram application")
    outage = outage or OutageLog()  # one view of Bot API health, shared by polling and sending
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.telegram_api_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .get_updates_request(
            ObservedRequest(
                outage,
                on_updates=on_updates,
                connection_pool_size=1,
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            )
        )
    )
    if rate_limit:
        limiter: Any = ResilientRateLimiter(
            max_retries=RATE_LIMIT_RETRIES,
            outage=outage,
            max_age=settings.pending_max_age_seconds,
        )
        builder = builder.rate_limiter(limiter)
    return builder


def build_application(
    settings: Settings,
    *,
    library: Library | None = None,
    rate_limit: bool = True,
    timeout: float = 10.0,
) -> PolicyApp:
    """Assemble the bot; nothing touches the network or the disk until it is initialised."""
    outage = OutageLog()
    pipeline = Pipeline(settings)
    builder = (
        application_builder(
            settings,
            rate_limit=rate_limit,
            timeout=timeout,
            outage=outage,
            on_updates=pipeline.admit_polled,
        )
        .context_types(ContextTypes(bot_data=BotData))
        .update_queue(pipeline.queue)
        .concurrent_updates(pipeline.processor)
        .post_init(partial(_post_init, pipeline=pipeline))
        .post_shutdown(partial(_post_shutdown, pipeline=pipeline))
    )
    protect_secret(settings.token)
    if settings.webhook_secret is not None:
        protect_secret(settings.webhook_secret.get_secret_value())
    library = library or Library.from_settings(settings)
    app: PolicyApp = builder.build()
    services = Services(
        settings=settings,
        library=library,
        user_limiter=SlidingWindowLimiter(settings.user_rate_per_minute, MINUTE),
        # inline queries come as the user types: a looser per-user rate
        inline_limiter=SlidingWindowLimiter(
            settings.user_rate_per_minute * INLINE_RATE_FACTOR, MINUTE
        ),
        group_cooldown=Cooldown(settings.group_cooldown_seconds),
        outage=outage,
        flow=pipeline,
    )
    # On stop: sends waiting for the Bot API give up at once, the rest get a grace period.
    services.background.stoppers += [outage.stop, pipeline.stopping]
    services.background.starters.append(pipeline.prune_periodically)
    if settings.watch:
        services.background.starters.append(
            partial(watch_knowledge, library, partial(notify_reload, app))
        )
    app.bot_data.attach(services)
    processing.register(app)  # first: its error handler decides what is not worth an apology
    for family in HANDLER_FAMILIES:  # order matters: PTB runs the first matching handler
        family.register(app)
    return app


async def _post_init(app: PolicyApp, *, pipeline: Pipeline) -> None:
    services = app.bot_data.services
    if not services.library.loaded:
        result = await services.library.reload()
        if not result.ok:
            raise KnowledgeError(result.problems)
    store = await asyncio.to_thread(Store, services.settings.database)
    services.recorder = Recorder(store)
    # Before polling starts: what a previous run left unanswered is queued first.
    await pipeline.open(services.settings.journal_path, bot=app.bot, bot_id=app.bot.id)
    await publish_commands(app)


async def _post_shutdown(app: PolicyApp, *, pipeline: Pipeline) -> None:
    services = app.bot_data.services
    await cancel_background(app)
    await pipeline.close()
    recorder, services.recorder = services.recorder, None
    if recorder is not None:
        await recorder.close()


def run_bot(settings: Settings) -> int:
    """`policybot run` with a token: long polling, or a webhook when one is configured."""
    setup_logging(settings.log_level)
    app = build_application(settings)
    logger.info("Starting policybot against %s", settings.telegram_api_url)
    if settings.webhook_url and settings.webhook_secret is None:
        logger.error("POLICYBOT_WEBHOOK_SECRET is required in webhook mode")
        return 2
    try:
        asyncio.run(_serve_until_signalled(app, settings))
    except KnowledgeError as exc:
        for problem in exc.problems:
            logger.error("%s", problem)
        return 1
    return 0


SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def _serve_until_signalled(app: PolicyApp, settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM; then in-flight answers finish and the database closes.

    Polling runs through the same `polling()` the tests use, so what is tested is what runs.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in SHUTDOWN_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    serving = webhook(app, settings) if settings.webhook_url else polling(app)
    async with serving:
        logger.info("policybot is running; stop with Ctrl-C or SIGTERM")
        await stop.wait()
        logger.info("Stopping: finishing answers in flight")
