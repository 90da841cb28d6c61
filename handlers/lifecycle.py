"""Running the application inside an existing event loop: polling, webhook, background tasks.

``policybot run``, the end-to-end tests and the benchmarks all go through :func:`polling` (or
:func:`webhook`), which call the same post_init/post_shutdown hooks as PTB's ``run_polling``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlparse

from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from handlers.context import background_of
from handlers.net import quiet_polling_errors

AnyApp = TypeVar("AnyApp", bound=Application[Any, Any, Any, Any, Any, Any])


async def cancel_background(app: AnyApp) -> None:
    await background_of(app).cancel()


@contextlib.asynccontextmanager
async def webhook(app: AnyApp, settings: Settings) -> AsyncIterator[AnyApp]:
    """Webhook mode: Telegram POSTs updates; the secret-token header is checked on each one."""
    async with _running(app, partial(_start_webhook, app, settings)):
        yield app


async def _start_webhook(app: AnyApp, settings: Settings) -> None:
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
async def polling(app: AnyApp, *, poll_timeout: float = 10.0) -> AsyncIterator[AnyApp]:
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
    app: AnyApp, start_updates: Callable[[], Awaitable[Any]]
) -> AsyncIterator[AnyApp]:
    """initialise → post_init → updates → start → background tasks; and all of it undone."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await start_updates()
        await app.start()
        background_of(app).start()
        try:
            yield app
        finally:
            background_of(app).stopping()  # outage waits end; unstarted updates get a grace
            await cancel_background(app)
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
