"""Outgoing requests that wait out an outage, never answer twice by guessing, and log briefly.

PTB's AIORateLimiter keeps within Telegram's flood limits and honours RetryAfter. On top of it,
every failed request is classified by what the bot can know about it (:func:`classify`):

* **unreachable** -- it never reached Telegram (connection refused, connect or pool timeout,
  write timeout, HTTP 5xx from Telegram's front end): sending it again is safe;
* **dropped** -- the connection broke after the request was sent (most often a kept-alive
  connection the server had already closed, so nothing was applied): it is sent again, which
  duplicates it in the rare case Telegram had applied it (at-least-once);
* **timed out** -- sent, and no response within the read timeout: Telegram may well have
  applied it (it usually has; it was slow to say so), so it is *not* sent again and nobody is
  told it failed (at-most-once; no false apology);
* **answered** -- Telegram replied with an error (BadRequest, Forbidden, ...): raised as is.

While an update is being handled (:data:`IN_FLIGHT` is set by the update processor), an
unreachable or dropped send waits for the Bot API with backoff, woken early as soon as any
request succeeds, up to ``POLICYBOT_PENDING_MAX_AGE`` after the update arrived; then
:class:`GaveUp` is raised (the error handler apologises once). Stopping cuts the wait short
with :class:`Deferred`: the update stays pending in the journal and is handled after the
restart. Requests outside an update (start-up, admin notices) are retried NETWORK_RETRIES times.

``getUpdates`` never comes through the rate limiter: :class:`ObservedRequest` retries a failed
poll itself (the same offset, so nothing is lost or repeated) and reports every poll to the
:class:`OutageLog`, which turns a stream of failures into three kinds of line: one when an
outage begins, a summary at most every LOG_EVERY_S seconds, and one when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import time
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

NETWORK_RETRIES = 3  # for requests made outside an update
FIRST_BACKOFF_S = 0.5  # then doubling
SEND_BACKOFF_MAX_S = 15.0  # a waiting send probes at least this often (webhook mode's probe)
POLL_BACKOFF_MAX_S = 2.0  # a failed poll is retried at least this often: it finds the end
LOG_EVERY_S = 30.0
POLLING = "getUpdates"
DEFAULT_MAX_AGE_S = 3600.0


class Failure(Enum):
    UNREACHABLE = "unreachable"
    DROPPED = "dropped"
    TIMED_OUT = "timed out"
    ANSWERED = "answered"


_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout)
_NOT_ALL_SENT = (*_NEVER_SENT, httpx.WriteError)


def classify(exc: BaseException) -> Failure:
    """What a failed request tells about whether Telegram applied it (see the module doc)."""
    cause = exc.__cause__
    if isinstance(exc, TimedOut):
        return Failure.UNREACHABLE if isinstance(cause, _NEVER_SENT) else Failure.TIMED_OUT
    if not isinstance(exc, NetworkError) or isinstance(exc, BadRequest):
        return Failure.ANSWERED
    if isinstance(cause, _NOT_ALL_SENT):
        return Failure.UNREACHABLE
    if isinstance(cause, httpx.HTTPError):
        return Failure.DROPPED  # ReadError, RemoteProtocolError: sent, then the line broke
    return Failure.UNREACHABLE  # an HTTP 5xx (PTB raises NetworkError from the status code)


class Deferred(NetworkError):
    """The bot is stopping while the Bot API is unreachable: the update is left pending in the
    journal and handled after the restart. Not an error to apologise for."""


class GaveUp(NetworkError):
    """The Bot API stayed unreachable until the update was POLICYBOT_PENDING_MAX_AGE old."""


@dataclass
class InFlight:
    """The update being handled in this task (set by the update processor)."""

    update_id: int
    received_at: float  # wall-clock time the bot first received it (from the journal)
    deferred: bool = False  # set when a send was deferred: the update stays pending

    def defer(self, endpoint: str) -> Deferred:
        self.deferred = True
        return Deferred(f"{endpoint} deferred: stopping while the Bot API is unreachable")


IN_FLIGHT: ContextVar[InFlight | None] = ContextVar("policybot_in_flight", default=None)


class OutageLog:
    """One view of the Bot API's health, shared by polling and sending.

    Turns a stream of failures into a few log lines, and lets waiting sends sleep until the
    next probe is due or the Bot API answers again, whichever comes first. A result only counts
    for what it can prove: a success of a request that started before the outage began (a long
    poll the outage cut short, say) does not end it, and a failure of a request that started
    before the Bot API was seen answering again does not start a new one.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.failures = 0
        self.since: float | None = None
        self.last_logged = 0.0
        self.recovered_at = -math.inf
        self.stopping = False
        self._changed = asyncio.Event()

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, what: str, exc: BaseException, started_at: float | None = None) -> None:
        now = self.clock()
        if self.since is None and started_at is not None and started_at < self.recovered_at:
            return
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

    def succeeded(self, started_at: float | None = None) -> None:
        if self.since is None or (started_at is not None and started_at < self.since):
            return
        logger.warning(
            "Bot API reachable again after %.0f s (%d failed requests)",
            self.clock() - self.since,
            self.failures,
        )
        self.failures, self.since = 0, None
        self.recovered_at = self.clock()
        self._wake()

    def stop(self) -> None:
        """The bot is stopping: waiting sends give up now and leave their update pending."""
        self.stopping = True
        self._wake()

    async def wait(self, seconds: float) -> None:
        """Until ``seconds`` passed, the Bot API answered again, or the bot is stopping."""
        if self.stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def _backoff(cap: float) -> Iterator[float]:
    """0.5, 1, 2, 4, ... seconds, never more than ``cap``."""
    delay = FIRST_BACKOFF_S
    while True:
        yield min(delay, cap)
        delay *= 2


class ResilientRateLimiter(AIORateLimiter):
    def __init__(
        self,
        *,
        max_retries: int = 3,
        outage: OutageLog | None = None,
        max_age: float = DEFAULT_MAX_AGE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(max_retries=max_retries)
        self.outage = outage or OutageLog()
        self.max_age = max_age
        self.clock = clock  # wall clock, as the journal's received_at

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
        state = IN_FLIGHT.get()
        delays = _backoff(SEND_BACKOFF_MAX_S)
        for attempt in itertools.count(1):
            if state is not None and self.outage.stopping and self.outage.down:
                raise state.defer(endpoint)
            started = self.outage.clock()
            try:
                result = await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except TelegramError as exc:
                failure = classify(exc)
                if failure is Failure.ANSWERED:
                    self.outage.succeeded(started)  # Telegram answered, even if with an error
                    raise
                if failure is Failure.TIMED_OUT:
                    _possibly_delivered(endpoint, data, state)
                    raise
                self.outage.failed(endpoint, exc, started)
                self._check_waiting(exc, endpoint, state, attempt)
                await self.outage.wait(next(delays))
            else:
                self.outage.succeeded(started)
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _check_waiting(
        self, exc: TelegramError, endpoint: str, state: InFlight | None, attempt: int
    ) -> None:
        """Raise if this unreachable or dropped request should not wait and try again."""
        if state is None:
            if attempt > NETWORK_RETRIES:
                raise exc
        elif self.outage.stopping:
            raise state.defer(endpoint) from exc
        elif self.clock() - state.received_at > self.max_age:
            raise GaveUp(
                f"{endpoint}: the Bot API was unreachable until the update was older than "
                f"{self.max_age:.0f} s (POLICYBOT_PENDING_MAX_AGE); last: {_describe(exc)}"
            ) from exc


def _possibly_delivered(endpoint: str, data: dict[str, Any], state: InFlight | None) -> None:
    logger.warning(
        "%s to chat %s timed out after Telegram received it; it may have been applied, so it "
        "is not sent again and no apology is sent (update %s)",
        endpoint,
        data.get("chat_id"),
        state.update_id if state is not None else None,
    )


def possibly_delivered(exc: BaseException) -> bool:
    """A send that timed out after reaching Telegram: treated as delivered."""
    return isinstance(exc, TelegramError) and classify(exc) is Failure.TIMED_OUT


class ObservedRequest(HTTPXRequest):
    """The request object for getUpdates: waits out an outage and reports every poll.

    A poll that could not reach Telegram (or got a 5xx) is repeated here, with the same offset,
    after a backoff that ends early when a send finds the Bot API back; PTB's polling loop
    (whose backoff grows to 30 s) only sees timeouts, which it retries at once. Stopping ends
    the retrying, so PTB's last confirming poll cannot hold up the shutdown.
    """

    def __init__(
        self,
        outage: OutageLog,
        *,
        on_updates: Callable[[bytes], Coroutine[Any, Any, None]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.outage = outage
        self.on_updates = on_updates  # the journal, before PTB sees (and confirms) a batch

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        delays = _backoff(POLL_BACKOFF_MAX_S)
        while True:
            started = self.outage.clock()
            try:
                code, payload = await super().do_request(*args, **kwargs)
            except TelegramError as exc:
                self.outage.failed(POLLING, exc, started)
                if classify(exc) is Failure.TIMED_OUT or self.outage.stopping:
                    raise
            else:
                if code < HTTPStatus.INTERNAL_SERVER_ERROR:
                    self.outage.succeeded(started)
                    if code == HTTPStatus.OK and self.on_updates is not None:
                        await self.on_updates(payload)
                    return code, payload
                self.outage.failed(POLLING, NetworkError(f"HTTP {code}"), started)
                if self.outage.stopping:
                    return code, payload
            await self.outage.wait(next(delays))


def quiet_polling_errors(exc: TelegramError) -> None:
    """PTB logs every failed poll with a traceback; the OutageLog already summarises."""
    logger.debug("Polling error: %s", _describe(exc))
