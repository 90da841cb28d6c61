"""An answer that comes late (an outage, a restart, a backlog) says so, by Telegram's own date
of the question; an answer on time does not."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from . import botapi
from .harness import BotHandle, visible

LATE_S = 10 * 60  # well past POLICYBOT_LATE_NOTE_AFTER (60 s)


@dataclass
class Clock:
    """The fake server's idea of now: message dates are taken from it."""

    now: float

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(time.time())
    monkeypatch.setattr(botapi, "time", fake)
    return fake


async def test_a_question_asked_long_ago_gets_a_late_note(bot_app: BotHandle, clock: Clock) -> None:
    clock.now = time.time() - LATE_S  # the question was sent ten minutes ago
    _, answer = await bot_app.ask("What are the red lines?")
    shown = visible(answer)
    assert shown.startswith("Sorry for the late answer: you asked 10 minutes ago.")
    assert "red lines" in shown


async def test_a_question_on_time_gets_no_note(bot_app: BotHandle, clock: Clock) -> None:
    _, answer = await bot_app.ask("What are the red lines?")
    assert "late answer" not in visible(answer)
