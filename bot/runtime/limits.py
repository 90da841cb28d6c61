"""Flood protection: a sliding window per user and a cool-down per group chat.

Both answer "may I answer now?" and "should I tell them to slow down?" — the second only once
per window, so a flood never turns into a flood of polite notices.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

MAX_TRACKED = 10_000  # chats/users remembered at once; the oldest are forgotten first


class Verdict(Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # refuse, and say so (first refusal in this window)
    SILENT = "silent"  # refuse quietly


@dataclass
class _Window:
    hits: deque[float] = field(default_factory=deque)
    notified_until: float = 0.0


class SlidingWindowLimiter:
    """At most ``limit`` events per ``period`` seconds per key."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.period = period
        self.clock = clock
        self._windows: OrderedDict[int, _Window] = OrderedDict()

    def check(self, key: int) -> Verdict:
        now = self.clock()
        window = self._windows.pop(key, None) or _Window()
        self._windows[key] = window
        while len(self._windows) > MAX_TRACKED:
            self._windows.popitem(last=False)
        while window.hits and window.hits[0] <= now - self.period:
            window.hits.popleft()
        if len(window.hits) < self.limit:
            window.hits.append(now)
            return Verdict.ALLOW
        if now >= window.notified_until:
            window.notified_until = window.hits[0] + self.period
            return Verdict.NOTIFY
        return Verdict.SILENT


class Cooldown(SlidingWindowLimiter):
    """One answer per ``seconds`` per chat (a sliding window of size one)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        super().__init__(1, seconds, clock)


class RecentAnswers:
    """Which answer message belongs to which question, for recent messages only.

    (chat, question message) → answer message lets an edited question edit its answer;
    (chat, answer message) → question text lets "More results" re-run the question.
    Bounded in size and age; after a restart the reply-to link is the fallback.
    """

    def __init__(
        self,
        max_items: int = MAX_TRACKED,
        max_age: float = 48 * 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_items = max_items
        self.max_age = max_age
        self.clock = clock
        self._items: OrderedDict[tuple[int, int], tuple[int, float]] = OrderedDict()
        self._questions: OrderedDict[tuple[int, int], str] = OrderedDict()

    def remember(
        self, chat_id: int, question_id: int | None, answer_id: int, question: str
    ) -> None:
        if question_id is not None:
            self._items[(chat_id, question_id)] = (answer_id, self.clock())
            self._items.move_to_end((chat_id, question_id))
        self._questions[(chat_id, answer_id)] = question
        self._questions.move_to_end((chat_id, answer_id))
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)
        while len(self._questions) > self.max_items:
            self._questions.popitem(last=False)

    def question_for(self, chat_id: int, answer_id: int) -> str | None:
        return self._questions.get((chat_id, answer_id))

    def lookup(self, chat_id: int, question_id: int) -> int | None:
        found = self._items.get((chat_id, question_id))
        if found is None:
            return None
        answer_id, when = found
        if self.clock() - when > self.max_age:
            del self._items[(chat_id, question_id)]
            return None
        return answer_id
