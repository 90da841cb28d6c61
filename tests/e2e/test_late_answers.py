"""An answer that comes late (an outage, a restart, a backlog) says so, by Telegram's own date
of the question; an answer on time does not."""

from __future__ import annotations

import time

from .harness import BotHandle, Clock, visible

LATE_S = 10 * 60  # well past POLICYBOT_LATE_NOTE_AFTER (60 s)


async def test_a_question_asked_long_ago_gets_a_late_note(bot_app: BotHandle, clock: Clock) -> None:
    clock.now = time.time() - LATE_S  # the question was sent ten minutes ago
    _, answer = await bot_app.ask("What are the red lines?")
    shown = visible(answer)
    assert shown.startswith("Sorry for the late answer: you asked 10 minutes ago.")
    assert "red lines" in shown


async def test_a_question_on_time_gets_no_note(bot_app: BotHandle, clock: Clock) -> None:
    _, answer = await bot_app.ask("What are the red lines?")
    assert "late answer" not in visible(answer)
