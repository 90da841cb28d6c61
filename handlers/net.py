"""Outgoing requests that survive a flaky network without flooding the log.

PTB's AIORateLimiter keeps within Telegram's flood limits and honours RetryAfter. On top of it:

* a request that failed *before* Telegram answered (connection refused or dropped, HTTP 5xx)
  is retried a few times with backoff, so an answer is not lost to a blip. Timeouts are not
  retried: the request may already have been applied, and a second answer is worse than a late
  one. ``getUpdates`` never comes through here (PTB sends it past the rate limiter); its polling
  loop re-polls with the same offset, and ObservedRequest reports its failures.
* connectivity problems are logged once when they start, then as a summary at most every
  LOG_EVERY_S seconds, and once more when the Bot API is reachable again — not a line per retry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

NETWORK_RETRIES = 3
BACKOFF_S = (0.5, 1.0, 2.0)
LOG_EVERY_S = 30.0
POLLING = "getUpdates"


class OutageLog:
    """Turns a stream of network failures into a few informative log lines."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.failures = 0
        self.since: float | None = None
        self.last_logged = 0.0

    def failed(self, what: str, exc: BaseException) -> None:
        now = self.clock()
        self.failures += 1
        if self.since is None:
            self.since = self.last_logged = now
            logger.warning("Bot API unreachable (%s: %s); retrying", what, _describe(exc))
        elif now - self.last_logged >= LOG_EVERY_S:
            self.last_logged = now
            logger.warning(
                "Bot API still unreachable after %.0f s (%d failed requests; last: %s)",
                now - self.since,
                self.failures,
                _describe(exc),
            )

    def succeeded(self) -> None:
        if self.since is None:
            return
        logger.warning(
            "Bot API reachable again after %.0f s (%d failed requests)",
            self.clock() - self.since,
            self.failures,
        )
        self.failures, self.since = 0, None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def _retryable(exc: BaseException) -> bool:
    return (
        isinstance(exc, NetworkError)
        and not isinstance(exc, BadRequest | TimedOut)
        and not isinstance(exc, RetryAfter)
    )


class ResilientRateLimiter(AIORateLimiter):
    def __init__(self, *, max_retries: int = 3, outage: OutageLog | None = None) -> None:
        super().__init__(max_retries=max_retries)
        self.outage = outage or OutageLog()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        # PTB sends getUpdates past the rate limiter: every request here is an outgoing call
        attempts = NETWORK_RETRIES + 1
        for attempt in range(attempts):
            try:
                result = await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except TelegramError as exc:
                if not (_retryable(exc) or isinstance(exc, TimedOut)):
                    self.outage.succeeded()  # Telegram answered, even if with an error
                    raise
                self.outage.failed(endpoint, exc)
                if not _retryable(exc) or attempt == attempts - 1:
                    raise
                await asyncio.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            else:
                self.outage.succeeded()
                return result
        raise AssertionError("unreachable")  # pragma: no cover


class ObservedRequest(HTTPXRequest):
    """The request object for getUpdates, reporting each poll's outcome to the OutageLog.

    PTB sends getUpdates past the rate limiter, so without this an outage that only polling
    notices (the usual case for an idle bot) would never be logged at all.
    """

    def __init__(self, outage: OutageLog, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outage = outage

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except TelegramError as exc:
            self.outage.failed(POLLING, exc)
            raise
        if code >= HTTPStatus.INTERNAL_SERVER_ERROR:
            self.outage.failed(POLLING, NetworkError(f"HTTP {code}"))
        else:
            self.outage.succeeded()
        return code, payload


def quiet_polling_errors(exc: TelegramError) -> None:
    """PTB logs every failed poll with a traceback; ResilientRateLimiter already summarises."""
    logger.debug("Polling error: %s", _describe(exc))
