"""`build_application(settings, ...)`: the one place that wires python-telegram-bot together.

`policybot run`, the end-to-end tests and the benchmarks all call it, so what is tested is what
runs. The knowledge base is loaded in ``post_init`` off the event loop; handlers reach shared
state through ``context.bot_data`` typed as :class:`BotData`.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeAlias
from urllib.parse import urlparse

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    ContextTypes,
    Defaults,
    ExtBot,
)

from bot.answers.render import split_blocks
from bot.config import Settings
from bot.knowledge.loader import KnowledgeError
from bot.runtime.library import Library, ReloadResult
from bot.runtime.limits import Cooldown, RecentAnswers, SlidingWindowLimiter
from bot.runtime.logs import protect_secret, setup_logging
from bot.runtime.store import Recorder, Store
from bot.runtime.watch import watch_knowledge
from bot.search.engine import SearchConfig
from handlers.net import ObservedRequest, OutageLog, ResilientRateLimiter, quiet_polling_errors

logger = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3
MINUTE = 60.0

PRIVATE_COMMANDS = (
    ("start", "Welcome and example questions"),
    ("help", "How to ask, and what I can do"),
    ("topics", "Topics I know about"),
    ("topic", "Statements on a topic, newest first: /topic taiwan"),
    ("speakers", "Who I have statements from"),
    ("speaker", "Statements by a speaker: /speaker Wang Yi"),
    ("latest", "The newest statements"),
    ("about", "Knowledge base version and counts"),
)
GROUP_COMMANDS = (
    ("ask", "Ask about a policy statement: /ask red lines"),
    ("topics", "Topics I know about"),
    ("latest", "The newest statements"),
    ("help", "How to use me in a group"),
)
ADMIN_COMMANDS = (
    ("reload", "Reload the knowledge base now"),
    ("unanswered", "Questions I could not answer"),
)


@dataclass
class Services:
    """Everything handlers share; built once per application."""

    settings: Settings
    library: Library
    user_limiter: SlidingWindowLimiter
    group_cooldown: Cooldown
    recent: RecentAnswers = field(default_factory=RecentAnswers)
    recorder: Recorder | None = None  # set in post_init, once the database is open
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)  # cancelled on stop

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids


class BotData:
    """``context.bot_data``: PTB creates it empty, ``build_application`` attaches the services."""

    def __init__(self) -> None:
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("bot_data.services is attached by build_application")
        return self._services

    def attach(self, services: Services) -> None:
        self._services = services


Context: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
PolicyApp: TypeAlias = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, Any
]


def build_application(
    settings: Settings,
    *,
    library: Library | None = None,
    rate_limit: bool = True,
    timeout: float = 10.0,
) -> PolicyApp:
    """Assemble the bot; nothing touches the network or the disk until it is initialised."""
    if settings.token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the Telegram application")
    protect_secret(settings.token)
    if settings.webhook_secret is not None:
        protect_secret(settings.webhook_secret.get_secret_value())
    library = library or Library(
        settings.knowledge_dir,
        SearchConfig(
            threshold=settings.threshold,
            max_results=settings.max_results,
            max_question_chars=settings.max_question_chars,
        ),
        max_file_bytes=settings.max_file_bytes,
        cache_dir=settings.cache_dir,
    )
    outage = OutageLog()  # one view of Bot API health, shared by polling and sending
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
        .context_types(ContextTypes(bot_data=BotData))
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .get_updates_request(
            ObservedRequest(
                outage,
                connection_pool_size=1,
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            )
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if rate_limit:
        limiter: Any = ResilientRateLimiter(max_retries=RATE_LIMIT_RETRIES, outage=outage)
        builder = builder.rate_limiter(limiter)
    app: PolicyApp = builder.build()
    app.bot_data.attach(
        Services(
            settings=settings,
            library=library,
            user_limiter=SlidingWindowLimiter(settings.user_rate_per_minute, MINUTE),
            group_cooldown=Cooldown(settings.group_cooldown_seconds),
        )
    )
    from handlers import register_all

    register_all(app)
    return app


async def _post_init(app: PolicyApp) -> None:
    services = app.bot_data.services
    if not services.library.loaded:
        result = await services.library.reload()
        if not result.ok:
            raise KnowledgeError(result.problems)
    store = await asyncio.to_thread(Store, services.settings.database)
    services.recorder = Recorder(store)
    await publish_commands(app)


async def _post_start(app: PolicyApp) -> None:
    """Background work that needs a running application (PTB awaits its tasks on stop)."""
    services = app.bot_data.services
    if services.settings.watch:
        spawn(app, watch_knowledge(services.library, partial(notify_reload, app)))


async def _post_shutdown(app: PolicyApp) -> None:
    services = app.bot_data.services
    await _cancel_background(app)
    recorder, services.recorder = services.recorder, None
    if recorder is not None:
        await recorder.close()


MAX_REPORTED_PROBLEMS = 60


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


async def notify_reload(app: PolicyApp, result: ReloadResult) -> None:
    """Tell the admins about a failed automatic reload (escaped, split to fit)."""
    if result.ok:
        return
    for admin_id in sorted(app.bot_data.services.settings.admin_ids):
        for chunk in reload_failure_messages(result):
            try:
                await app.bot.send_message(admin_id, chunk)
            except TelegramError as exc:
                logger.warning("Could not notify admin %s: %s", admin_id, exc)
                break


async def publish_commands(app: PolicyApp) -> None:
    """Separate command menus for private chats, groups and each admin's private chat."""
    bot = app.bot

    def commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
        return [BotCommand(name, description) for name, description in pairs]

    await bot.set_my_commands(commands(PRIVATE_COMMANDS), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(commands(GROUP_COMMANDS), scope=BotCommandScopeAllGroupChats())
    for admin_id in sorted(app.bot_data.services.settings.admin_ids):
        try:
            await bot.set_my_commands(
                commands(PRIVATE_COMMANDS + ADMIN_COMMANDS),
                scope=BotCommandScopeChat(chat_id=admin_id),
            )
        except TelegramError as exc:  # the admin has not started a chat with the bot yet
            logger.warning("Could not publish admin commands for %s: %s", admin_id, exc)


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


def spawn(app: PolicyApp, coroutine: Any) -> asyncio.Task[Any]:
    """A background task that lives as long as the application runs.

    Not ``app.create_task``: PTB awaits those on stop, and a watcher never finishes by itself.
    """
    task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coroutine)
    app.bot_data.services.tasks.append(task)
    return task


async def _cancel_background(app: PolicyApp) -> None:
    services = app.bot_data.services
    tasks, services.tasks = services.tasks, []
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


@contextlib.asynccontextmanager
async def webhook(app: PolicyApp, settings: Settings) -> AsyncIterator[PolicyApp]:
    """Webhook mode: Telegram POSTs updates; the secret-token header is checked on each one."""
    async with _running(app, partial(_start_webhook, app, settings)):
        yield app


async def _start_webhook(app: PolicyApp, settings: Settings) -> None:
    assert app.updater is not None
    assert settings.webhook_url is not None
    assert settings.webhook_secret is not None
    await app.updater.start_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlparse(settings.webhook_url).path.strip("/") or "telegram",
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
    )


@contextlib.asynccontextmanager
async def polling(app: PolicyApp, *, poll_timeout: float = 10.0) -> AsyncIterator[PolicyApp]:
    """Run the application inside an existing event loop, as `run_polling` would.

    The tests and the benchmarks use it; it calls the same post_init/post_shutdown hooks.
    """
    assert app.updater is not None
    start = partial(
        app.updater.start_polling,
        poll_interval=0.0,
        timeout=int(poll_timeout),
        allowed_updates=Update.ALL_TYPES,
        error_callback=quiet_polling_errors,
    )
    async with _running(app, start):
        yield app


@contextlib.asynccontextmanager
async def _running(
    app: PolicyApp, start_updates: Callable[[], Awaitable[Any]]
) -> AsyncIterator[PolicyApp]:
    """initialise → post_init → updates → start → background tasks; and all of it undone."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await start_updates()
        await app.start()
        await _post_start(app)
        try:
            yield app
        finally:
            await _cancel_background(app)
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
