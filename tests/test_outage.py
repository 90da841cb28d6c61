"""handlers.net: which failures are sent again, how an outage is waited out, what is logged.

Requests are PTB's real exceptions raised the way PTB raises them (``from`` the httpx error);
the rate limiter is PTB's AIORateLimiter with policybot's layer on top. The first backoff is
made tiny so waits cost no time; nothing here asserts a duration.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot.config import Settings
from handlers import net
from handlers.context import Context, late_by, late_note
from handlers.net import (
    IN_FLIGHT,
    NETWORK_RETRIES,
    Deferred,
    Failure,
    GaveUp,
    InFlight,
    OutageLog,
    ResilientRateLimiter,
    classify,
)
from handlers.processing import settle_send_errors

NOW = 1_700_000_000.0


def raised(error: Exception, cause: BaseException | None) -> Exception:
    """``error`` as PTB raises it: ``raise error from cause``."""
    try:
        raise error from cause
    except Exception as exc:
        return exc


REFUSED = raised(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("refused"))
RESET = raised(
    NetworkError("httpx.RemoteProtocolError: disconnected"),
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
)
READ_TIMEOUT = raised(TimedOut(), httpx.ReadTimeout("read"))


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (REFUSED, Failure.UNREACHABLE),
        (raised(TimedOut(), httpx.ConnectTimeout("connect")), Failure.UNREACHABLE),
        (raised(TimedOut("Pool timeout"), httpx.PoolTimeout("pool")), Failure.UNREACHABLE),
        (raised(TimedOut(), httpx.WriteTimeout("write")), Failure.UNREACHABLE),
        (raised(NetworkError("httpx.WriteError"), httpx.WriteError("w")), Failure.UNREACHABLE),
        (NetworkError("Bad Gateway"), Failure.UNREACHABLE),  # PTB's error for an HTTP 502
        (RESET, Failure.DROPPED),
        (raised(NetworkError("httpx.ReadError"), httpx.ReadError("r")), Failure.DROPPED),
        (READ_TIMEOUT, Failure.TIMED_OUT),
        (TimedOut(), Failure.TIMED_OUT),  # no cause known: it may have been applied
        (BadRequest("message is too long"), Failure.ANSWERED),
        (Forbidden("bot was blocked by the user"), Failure.ANSWERED),
    ],
    ids=lambda value: getattr(value, "value", None) or type(value).__name__,
)
def test_a_failure_is_classified_by_what_it_proves(error: Exception, failure: Failure) -> None:
    assert classify(error) is failure


def test_flood_control_is_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 that outlasted AIORateLimiter's own retries is Telegram answering."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    assert classify(RetryAfter(dt.timedelta(seconds=3))) is Failure.ANSWERED


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage().split(" (")[0] for r in caplog.records if r.name == "handlers.net"]


def test_a_result_counts_only_for_what_it_can_prove(caplog: pytest.LogCaptureFixture) -> None:
    """The "reachable again" line no longer flips back and forth as an outage begins."""
    caplog.set_level(logging.WARNING, logger="handlers.net")
    clock = Clock()
    outage = OutageLog(clock)
    outage.failed("sendMessage", REFUSED, started_at=1000.0)
    clock.now = 1001.0
    outage.succeeded(started_at=990.0)  # a long poll from before the outage: proves nothing
    assert outage.down
    outage.failed("getUpdates", REFUSED, started_at=1001.0)
    clock.now = 1005.0
    outage.succeeded(started_at=1004.0)  # asked during the outage and answered: it is over
    assert not outage.down
    clock.now = 1006.0
    outage.failed("sendMessage", REFUSED, started_at=1003.0)  # old news: started before that
    assert not outage.down
    assert lines(caplog) == ["Bot API unreachable", "Bot API reachable again after 5 s"]


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(net, "FIRST_BACKOFF_S", 0.001)


class Endpoint:
    """A Bot API method that fails with ``errors`` in turn, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0
        self.called = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        self.called.set()
        if self.errors:
            raise self.errors.pop(0)
        return {"message_id": 1}


async def send(limiter: ResilientRateLimiter, endpoint: Endpoint) -> object:
    return await limiter.process_request(endpoint, (), {}, "sendMessage", {"chat_id": 7}, None)


@pytest.fixture
def in_update() -> Iterator[InFlight]:
    state = InFlight(update_id=5, received_at=NOW - 10)
    token = IN_FLIGHT.set(state)
    yield state
    IN_FLIGHT.reset(token)


def limiter(outage: OutageLog | None = None, max_age: float = 3600.0) -> ResilientRateLimiter:
    return ResilientRateLimiter(outage=outage or OutageLog(), max_age=max_age, clock=lambda: NOW)


@pytest.mark.usefixtures("quick", "in_update")
async def test_an_answer_waits_out_an_outage_however_many_attempts_it_takes() -> None:
    outage = OutageLog()
    endpoint = Endpoint(*[REFUSED] * 8, RESET, NetworkError("Bad Gateway"))
    assert await send(limiter(outage), endpoint) == {"message_id": 1}
    assert endpoint.calls == 11
    assert not outage.down


@pytest.mark.usefixtures("quick")
async def test_a_waiting_answer_gives_up_at_the_age_limit(in_update: InFlight) -> None:
    in_update.received_at = NOW - 3601
    with pytest.raises(GaveUp, match="POLICYBOT_PENDING_MAX_AGE") as caught:
        await send(limiter(), Endpoint(REFUSED))
    assert caught.value.__cause__ is REFUSED


@pytest.mark.usefixtures("quick")
async def test_stopping_defers_a_waiting_answer_and_then_tries_no_more(
    in_update: InFlight,
) -> None:
    outage = OutageLog()
    outage.stop()
    with pytest.raises(Deferred):
        await send(limiter(outage), Endpoint(REFUSED))
    assert in_update.deferred
    endpoint = Endpoint()
    with pytest.raises(Deferred):
        await send(limiter(outage), endpoint)  # the Bot API is down and we are stopping
    assert endpoint.calls == 0


@pytest.mark.usefixtures("quick", "in_update")
async def test_a_timed_out_answer_is_not_sent_again(caplog: pytest.LogCaptureFixture) -> None:
    outage = OutageLog()
    endpoint = Endpoint(READ_TIMEOUT)
    with pytest.raises(TimedOut):
        await send(limiter(outage), endpoint)
    assert endpoint.calls == 1
    assert not outage.down  # Telegram got it: not an outage
    assert "not sent again and no apology" in caplog.text


@pytest.mark.usefixtures("quick")
async def test_outside_an_update_a_request_is_retried_a_few_times_only() -> None:
    endpoint = Endpoint(*[REFUSED] * 10)
    with pytest.raises(NetworkError):
        await send(limiter(), endpoint)
    assert endpoint.calls == NETWORK_RETRIES + 1


@pytest.mark.usefixtures("in_update")
async def test_a_waiting_answer_wakes_as_soon_as_the_bot_api_answers_again() -> None:
    """The backoff here is an hour; the answer goes out when another request gets through."""
    outage = OutageLog()
    endpoint = Endpoint(REFUSED)
    waiting = asyncio.ensure_future(send(limiter(outage), endpoint))
    await endpoint.called.wait()  # it failed, and now waits
    assert outage.down
    outage.succeeded(started_at=outage.clock())  # e.g. a poll got through
    assert await asyncio.wait_for(waiting, 5.0) == {"message_id": 1}
    assert endpoint.calls == 2


class ErrorContext(SimpleNamespace):
    error: BaseException | None


@pytest.mark.parametrize(
    ("error", "stops"),
    [
        (Deferred("stopping"), True),
        (READ_TIMEOUT, True),
        (GaveUp("an hour"), False),  # one apology, and the admins are told
        (RuntimeError("a bug"), False),
        (BadRequest("can't parse entities"), False),
    ],
    ids=["deferred", "timed-out", "gave-up", "bug", "bad-request"],
)
async def test_only_real_failures_reach_the_apology(error: BaseException, stops: bool) -> None:
    context = cast(Context, ErrorContext(error=error))
    if stops:
        with pytest.raises(ApplicationHandlerStop):
            await settle_send_errors(None, context)
    else:
        await settle_send_errors(None, context)


def context_with(settings: Settings) -> Context:
    services = SimpleNamespace(settings=settings)
    return cast(Context, SimpleNamespace(bot_data=SimpleNamespace(services=services)))


def question(date: int, edit_date: int | None = None, kind: str = "message") -> Update:
    message: dict[str, Any] = {
        "message_id": 1,
        "date": date,
        "chat": {"id": 7, "type": "private"},
        "text": "red lines",
    }
    if edit_date is not None:
        message["edit_date"] = edit_date
    update = Update.de_json({"update_id": 1, kind: message}, None)
    assert update is not None
    return update


@pytest.mark.parametrize(
    ("update_of", "late"),
    [
        (lambda t: question(t - 61), dt.timedelta(seconds=61)),
        (lambda t: question(t - 60), None),  # on time at exactly the threshold
        (lambda t: question(t - 600, edit_date=t - 5), None),  # an edit counts from the edit
        (lambda t: question(t - 3600, kind="edited_message"), dt.timedelta(hours=1)),
    ],
    ids=["late", "on-time", "edited-recently", "edit-late"],
)
def test_an_answer_is_late_when_the_question_is_older_than_the_setting(
    update_of: Callable[[int], Update], late: dt.timedelta | None
) -> None:
    now = dt.datetime.fromtimestamp(NOW, dt.UTC)
    settings = Settings(_env_file=None, POLICYBOT_LATE_NOTE_AFTER=60)
    assert late_by(update_of(int(NOW)), context_with(settings), now) == late
    assert late_by(object(), context_with(settings), now) is None


@pytest.mark.parametrize(
    ("delay", "text"),
    [
        (dt.timedelta(seconds=1), "1 second"),
        (dt.timedelta(seconds=90), "1 minute"),
        (dt.timedelta(minutes=125), "2 hours"),
        (dt.timedelta(days=2, hours=3), "2 days"),
    ],
)
def test_the_late_note_says_how_late(delay: dt.timedelta, text: str) -> None:
    assert late_note(delay) == f"<i>Sorry for the late answer: you asked {text} ago.</i>"
