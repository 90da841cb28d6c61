"""handlers.net.OutageLog: a stream of network failures becomes a few log lines.

The clock is a parameter of OutageLog, so the 30-second summary cadence is tested here with a
clock the test moves, in no time; the end-to-end outage (tests/e2e/test_faults.py) is shorter
than one interval and checks the lines as it begins and ends.
"""

from __future__ import annotations

import logging

import pytest
from telegram.error import NetworkError, TimedOut

from handlers.net import LOG_EVERY_S, OutageLog

START = 1000.0


class Clock:
    """A monotonic clock that stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "handlers.net"]


@pytest.fixture
def clock(caplog: pytest.LogCaptureFixture) -> Clock:
    caplog.set_level(logging.INFO, logger="handlers.net")
    return Clock()


def test_an_outage_is_logged_as_it_begins_every_interval_and_as_it_ends(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    assert LOG_EVERY_S == 30.0
    outage = OutageLog(clock)
    outage.succeeded()  # nothing to report while all is well
    assert lines(caplog) == []
    for second in range(75):  # a failed request every second
        clock.now = START + second
        outage.failed("getUpdates", NetworkError("refused"))
    clock.now = START + 80
    outage.succeeded()
    outage.succeeded()  # reported once
    assert lines(caplog) == [
        "Bot API unreachable (getUpdates: NetworkError: refused); retrying",
        "Bot API still unreachable after 30 s (31 failed requests; last: NetworkError: refused)",
        "Bot API still unreachable after 60 s (61 failed requests; last: NetworkError: refused)",
        "Bot API reachable again after 80 s (75 failed requests)",
    ]
    assert {r.levelname for r in caplog.records} == {"WARNING"}


def test_the_interval_counts_from_the_last_line_and_a_new_outage_starts_afresh(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    outage = OutageLog(clock)
    for second in (0, 29, 31, 45, 60, 61):
        clock.now = START + second
        outage.failed("sendMessage", TimedOut("slow"))
    outage.succeeded()
    clock.now = START + 100
    outage.failed("getUpdates", NetworkError("reset"))
    clock.now = START + 101
    outage.succeeded()
    assert lines(caplog) == [
        "Bot API unreachable (sendMessage: TimedOut: slow); retrying",
        "Bot API still unreachable after 31 s (3 failed requests; last: TimedOut: slow)",
        "Bot API still unreachable after 61 s (6 failed requests; last: TimedOut: slow)",
        "Bot API reachable again after 61 s (6 failed requests)",
        "Bot API unreachable (getUpdates: NetworkError: reset); retrying",
        "Bot API reachable again after 1 s (1 failed requests)",
    ]
