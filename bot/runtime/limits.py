"""Flood protection and the memory of recent answers.

* :class:`SlidingWindowLimiter` answers "may this user make the bot post now?" and "should I
  tell them to slow down?" — the second only once per window, so a flood never turns into a
  flood of polite notices. Events carry their own time (a message's date), so a backlog
  handled after an outage is judged by when people asked, not by when the bot caught up.
* :class:`Cooldown` optionally spaces a chat's posts; later ones wait, they are not refused.
* :class:`RecentAnswers` remembers which answer belongs to which question, who asked, and which
  result is shown; :class:`MemoryVotes` holds votes while the database is off.
"""

from __future__ import annotations

import bisect
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from bot.runtime.store import Ballot, Tally

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

    def check(self, key: int, now: float | None = None) -> Verdict:
        """Count one event of ``key`` at ``now`` (default: the clock) if the window has room.

        Callers that pass ``now`` must use one time scale for a key (Unix time for Telegram).
        """
        now = self.clock() if now is None else now
        window = self._windows.pop(key, None) or _Window()
        self._windows[key] = window
        while len(self._windows) > MAX_TRACKED:
            self._windows.popitem(last=False)
        while window.hits and window.hits[0] <= now - self.period:
            window.hits.popleft()
        if len(window.hits) < self.limit:
            window.hits.insert(bisect.bisect_right(window.hits, now), now)
            return Verdict.ALLOW
        if now >= window.notified_until:
            window.notified_until = window.hits[0] + self.period
            return Verdict.NOTIFY
        return Verdict.SILENT


class Cooldown:
    """At least ``seconds`` between two posts in one chat; a later post waits, never refused.

    ``reserve`` books the next slot and says how long to wait for it (0: post now).
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self._next: OrderedDict[int, float] = OrderedDict()

    def reserve(self, key: int) -> float:
        if self.seconds <= 0:
            return 0.0
        now = self.clock()
        start = max(now, self._next.pop(key, now))
        self._next[key] = start + self.seconds
        while len(self._next) > MAX_TRACKED:
            self._next.popitem(last=False)
        return start - now


@dataclass
class _Entry:
    question: str
    owner: int | None
    page: int = 0


class RecentAnswers:
    """Which answer message belongs to which question, for recent messages only.

    (chat, question message) → answer message lets an edited question edit its answer;
    (chat, answer message) → question, asker and the result shown lets buttons re-run the
    question, keep others' hands off it, and lets a typed "more" continue the last answer.
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
        self._answers: OrderedDict[tuple[int, int], _Entry] = OrderedDict()
        self._last: OrderedDict[int, int] = OrderedDict()  # chat → its latest answer message

    def remember(
        self,
        chat_id: int,
        question_id: int | None,
        answer_id: int,
        question: str,
        *,
        owner: int | None = None,
        page: int = 0,
    ) -> None:
        if question_id is not None:
            self._items[(chat_id, question_id)] = (answer_id, self.clock())
            self._items.move_to_end((chat_id, question_id))
        self._answers[(chat_id, answer_id)] = _Entry(question, owner, page)
        self._answers.move_to_end((chat_id, answer_id))
        self._last.pop(chat_id, None)
        self._last[chat_id] = answer_id
        for table in (self._items, self._answers, self._last):
            while len(table) > self.max_items:
                table.popitem(last=False)

    def question_for(self, chat_id: int, answer_id: int) -> str | None:
        entry = self._answers.get((chat_id, answer_id))
        return entry.question if entry is not None else None

    def owner_of(self, chat_id: int, answer_id: int) -> int | None:
        entry = self._answers.get((chat_id, answer_id))
        return entry.owner if entry is not None else None

    def shown(self, chat_id: int, answer_id: int, page: int) -> None:
        """The answer message now shows result ``page`` (0-based)."""
        entry = self._answers.get((chat_id, answer_id))
        if entry is not None:
            entry.page = page

    def page_of(self, chat_id: int, answer_id: int) -> int:
        entry = self._answers.get((chat_id, answer_id))
        return entry.page if entry is not None else 0

    def last_answer(self, chat_id: int) -> tuple[int, str, int] | None:
        """The chat's latest answer: (message id, question, result shown)."""
        answer_id = self._last.get(chat_id)
        entry = self._answers.get((chat_id, answer_id)) if answer_id is not None else None
        if answer_id is None or entry is None:
            return None
        return answer_id, entry.question, entry.page

    def lookup(self, chat_id: int, question_id: int) -> int | None:
        found = self._items.get((chat_id, question_id))
        if found is None:
            return None
        answer_id, when = found
        if self.clock() - when > self.max_age:
            del self._items[(chat_id, question_id)]
            return None
        return answer_id


class MemoryVotes:
    """Votes kept in memory when the database is off: one per user and answer, bounded."""

    def __init__(self, max_answers: int = 10_000) -> None:
        self.max_answers = max_answers
        self._votes: dict[tuple[int, int, str], dict[int, bool]] = {}

    def vote(self, ballot: Ballot) -> tuple[bool | None, Tally]:
        key = (ballot.chat_id, ballot.message_id, ballot.statement_id)
        votes = self._votes.pop(key, {})
        self._votes[key] = votes  # most recent last
        while len(self._votes) > self.max_answers:
            del self._votes[next(iter(self._votes))]
        previous = votes.get(ballot.user_id)
        votes[ballot.user_id] = ballot.helpful
        return previous, self.tally(*key, ballot.user_id)

    def tally(self, chat_id: int, message_id: int, statement_id: str, user_id: int) -> Tally:
        votes = self._votes.get((chat_id, message_id, statement_id), {})
        helpful = sum(votes.values())
        return Tally(helpful, len(votes) - helpful, votes.get(user_id))
