"""Flood protection and recent answers, driven by explicit times (no sleeps)."""

from __future__ import annotations

from bot.runtime.limits import Cooldown, RecentAnswers, SlidingWindowLimiter, Verdict

# ----------------------------------------------------------------------------- per user


def test_a_user_past_the_rate_is_told_once_then_ignored_until_the_window_has_room() -> None:
    limiter = SlidingWindowLimiter(3, 60.0)
    verdicts = [limiter.check(1, now=1000.0 + n) for n in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.NOTIFY] + [Verdict.SILENT] * 2
    assert limiter.check(2, now=1005.0) is Verdict.ALLOW  # someone else
    assert limiter.check(1, now=1060.5) is Verdict.ALLOW  # a minute after the first


def test_events_are_counted_at_their_own_time_even_out_of_order() -> None:
    """A backlog after an outage arrives at once; its messages' dates are what counts."""
    limiter = SlidingWindowLimiter(3, 60.0)
    dates = [1000.0, 1030.0, 1100.0, 1130.0, 1200.0]  # one every 30-70 s: never a flood
    assert [limiter.check(7, now=d) for d in dates] == [Verdict.ALLOW] * 5
    late = SlidingWindowLimiter(2, 60.0)
    assert late.check(7, now=1050.0) is Verdict.ALLOW
    assert late.check(7, now=1000.0) is Verdict.ALLOW  # an earlier message handled later
    assert late.check(7, now=1055.0) is Verdict.NOTIFY


def test_the_clock_is_the_default_time() -> None:
    now = [50.0]
    limiter = SlidingWindowLimiter(1, 10.0, clock=lambda: now[0])
    assert limiter.check(1) is Verdict.ALLOW
    assert limiter.check(1) is Verdict.NOTIFY
    now[0] = 61.0
    assert limiter.check(1) is Verdict.ALLOW


# ----------------------------------------------------------------------------- cool-down


def test_a_cooldown_spaces_posts_instead_of_refusing_them() -> None:
    now = [100.0]
    cooldown = Cooldown(10.0, clock=lambda: now[0])
    assert [cooldown.reserve(-1) for _ in range(3)] == [0.0, 10.0, 20.0]
    assert cooldown.reserve(-2) == 0.0  # per chat
    now[0] = 125.0
    assert cooldown.reserve(-1) == 5.0
    assert Cooldown(0.0).reserve(-1) == 0.0  # the default: no spacing of our own


# ----------------------------------------------------------------------------- recent answers


def test_recent_answers_know_the_asker_and_the_page_shown() -> None:
    recent = RecentAnswers()
    recent.remember(-1, 10, 11, "cooperation", owner=7)
    assert recent.question_for(-1, 11) == "cooperation"
    assert recent.owner_of(-1, 11) == 7
    assert recent.owner_of(-1, 99) is None
    assert recent.lookup(-1, 10) == 11
    recent.shown(-1, 11, 2)
    assert recent.last_answer(-1) == (11, "cooperation", 2)
    recent.remember(-1, None, 12, "red lines", owner=8, page=0)
    assert recent.last_answer(-1) == (12, "red lines", 0)
    assert recent.page_of(-1, 11) == 2
    assert recent.last_answer(-2) is None


def test_recent_answers_stay_bounded() -> None:
    recent = RecentAnswers(max_items=3)
    for n in range(10):
        recent.remember(n, n, 100 + n, f"q{n}", owner=n)
    assert recent.question_for(0, 100) is None
    assert recent.question_for(9, 109) == "q9"
    assert recent.last_answer(0) is None
