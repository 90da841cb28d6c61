"""How updates flow from Telegram to the handlers: journaled, concurrent across chats, in order
within a chat, bounded.

* The journal records every update before Telegram forgets it: a polled batch in one SQLite
  transaction as its ``getUpdates`` response arrives (:meth:`Pipeline.admit_polled`, called by
  ``handlers.net.ObservedRequest``), before PTB reads it and so before the next poll confirms
  it; a webhook update as it is queued. :class:`JournalQueue`, the application's update queue,
  does not queue an update id the journal already knew (Telegram's redelivery after a crash).
* :class:`ChatOrderedProcessor` (PTB's ``concurrent_updates``) handles updates of different
  chats at once and those of one chat one after another, in the order they arrived; updates
  without a chat (inline queries) are ordered per user. A chat waiting for Telegram's per-chat
  flood limit holds its own turn and one of the POLICYBOT_CONCURRENT_UPDATES worker slots, never
  another chat's.
* :class:`Pipeline` ties them to the journal: it marks an update finished once its handlers are
  done, re-runs on start-up what a previous run left pending, and on stop leaves updates that
  have not started within POLICYBOT_STOP_GRACE (or whose sends wait for an unreachable Bot API)
  pending for the next start.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Bot, Update
from telegram.ext import ApplicationHandlerStop, BaseUpdateProcessor

from bot.config import Settings
from bot.runtime.journal import AsyncJournal, Entry, Journal, State
from handlers.context import Context, PolicyApp
from handlers.net import IN_FLIGHT, Deferred, InFlight, possibly_delivered

logger = logging.getLogger(__name__)

# PTB acquires its own semaphore *before* do_process_update, i.e. before a chat's turn: were it
# the real bound, one busy chat's waiting updates could occupy every slot. The bound on handlers
# running at once is the processor's worker count; this one only has to be out of the way.
BACKLOG_BOUND = 1_000_000
REPLAYABLE = frozenset({"message", "edited_message"})  # a late answer still helps
PRUNE_EVERY_S = 3600.0


def order_key(update: object) -> Hashable:
    """Updates with the same key are handled one at a time, in arrival order."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        return ("update", update.update_id)
    return ("object", id(update))


def entry_from(data: dict[str, Any], bot_id: int, received_at: float) -> Entry:
    """The journal entry for an update as Telegram sent it (a JSON object): the JSON itself
    only when re-running it can help, the chat and message ids where the update has them."""
    kind = next((key for key in data if key != "update_id"), "unknown")
    body = data.get(kind)
    about = body.get("message", body) if isinstance(body, dict) else None  # a button's message
    chat = about.get("chat") if isinstance(about, dict) else None
    return Entry(
        bot_id=bot_id,
        update_id=int(data["update_id"]),
        kind=kind,
        received_at=received_at,
        chat_id=chat.get("id") if isinstance(chat, dict) else None,
        message_id=about.get("message_id") if isinstance(about, dict) else None,
        payload=json.dumps(data, ensure_ascii=False) if kind in REPLAYABLE else None,
    )


def entry_for(update: Update, bot_id: int, received_at: float) -> Entry:
    return entry_from(update.to_dict(), bot_id, received_at)


class JournalQueue(asyncio.Queue[object]):
    """The application's update queue: an update is admitted (journaled) before it is queued."""

    def __init__(self, admit: Callable[[Update], Awaitable[bool]]) -> None:
        super().__init__()
        self._admit = admit
        self.unfinished = 0  # queued or being handled

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not await self._admit(item):
            return
        await super().put(item)

    def put_nowait(self, item: object) -> None:
        super().put_nowait(item)  # also the end of put(); re-runs from the journal come here
        self.unfinished += 1

    def task_done(self) -> None:
        super().task_done()
        self.unfinished -= 1


@dataclass
class _Line:
    """One chat's turn: whoever holds the lock is handled; the others wait in order."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, one at a time and in order within a chat, ``workers`` at most."""

    def __init__(self, workers: int, run: Callable[[object, Awaitable[Any]], Awaitable[None]]):
        super().__init__(max_concurrent_updates=BACKLOG_BOUND)
        self.workers = workers
        self._slots = asyncio.Semaphore(workers)
        self._lines: dict[Hashable, _Line] = {}
        self._run = run

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = _Line()
        line.users += 1
        try:
            # PTB starts these tasks in queue order and nothing awaits before the lock, whose
            # waiters are woken first come, first served: a chat's updates keep their order.
            async with line.lock, self._slots:
                await self._run(update, coroutine)
        finally:
            line.users -= 1
            if not line.users:
                del self._lines[key]

    @property
    def chats_waiting(self) -> int:
        return len(self._lines)

    def waiting_behind(self, update: object) -> int:
        """How many updates of ``update``'s chat wait behind the one being handled (those PTB
        has taken from the update queue: a batch from one poll, once the handler awaited)."""
        line = self._lines.get(order_key(update))
        return line.users - 1 if line is not None else 0

    async def initialize(self) -> None:
        """Nothing to set up: locks are made per chat as updates arrive."""

    async def shutdown(self) -> None:
        """Nothing to free: the application has waited for every update already."""


class Pipeline:
    """The journal, the queue and the processor of one application (``services.flow``)."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock  # wall clock: journal times outlive the process
        self.journal: AsyncJournal | None = None  # opened in post_init
        self.bot_id = 0
        self.queue = JournalQueue(self.admit)
        self.processor = ChatOrderedProcessor(settings.concurrent_updates, self.run)
        self.deferred = 0  # updates left pending for the next start
        self._received: dict[int, float] = {}  # admitted, not yet handled: when they came
        self._polled: set[int] = set()  # journaled with their poll's batch, not yet queued
        self._known: set[int] = set()  # fetched by a poll, but the journal knew them
        self._stop_at: float | None = None

    # ------------------------------------------------------------------ UpdateFlow

    @property
    def in_flight(self) -> int:
        return self.queue.unfinished

    async def idle(self) -> None:
        await self.queue.join()

    def waiting_behind(self, update: object) -> int:
        return self.processor.waiting_behind(update)

    # ------------------------------------------------------------------ lifecycle

    async def open(self, path: Path, *, bot: Bot, bot_id: int) -> None:
        """Open the journal, forget what no redelivery can repeat, queue what is left (bound to
        ``bot``, as updates from Telegram are)."""
        self.journal = AsyncJournal(await asyncio.to_thread(Journal, path))
        self.bot_id = bot_id
        await self.journal.prune()
        await self._replay(bot)

    async def close(self) -> None:
        if self.deferred:
            logger.warning(
                "%d update(s) left pending in the journal; they are handled at the next start",
                self.deferred,
            )
        journal, self.journal = self.journal, None
        if journal is not None:
            await journal.close()

    def stopping(self) -> None:
        """Stopping: what has not started within the grace period waits for the next start."""
        self._stop_at = time.monotonic() + self.settings.stop_grace_seconds

    async def prune_periodically(self) -> None:
        while True:
            await asyncio.sleep(PRUNE_EVERY_S)
            if self.journal is not None:
                await self.journal.prune()

    # ------------------------------------------------------------------ the journal

    @property
    def _journaled(self) -> bool:
        return self.journal is not None and self.journal.enabled

    async def admit_polled(self, payload: bytes) -> None:
        """A ``getUpdates`` response, journaled in one transaction before PTB reads it.

        Then the Updater queues the whole batch without waiting for anything (so a stop
        cannot cut a batch in two), and its next poll, which confirms the batch to Telegram,
        is sent only after this. Called by ``handlers.net.ObservedRequest``.
        """
        if self.journal is None:
            return
        try:
            results = json.loads(payload).get("result")
        except (ValueError, AttributeError):
            return  # PTB reports the broken response
        if not isinstance(results, list) or not results:
            return
        now = self.clock()
        entries = [
            entry_from(data, self.bot_id, now)
            for data in results
            if isinstance(data, dict) and isinstance(data.get("update_id"), int)
        ]
        known = await self.journal.admit_many(entries)
        self._known |= known
        for entry in entries:
            if entry.update_id not in known:
                self._polled.add(entry.update_id)
                self._received[entry.update_id] = now

    async def admit(self, update: Update) -> bool:
        """Journal a new update; False for one the journal knows (do not handle it again).

        A polled update was journaled with its batch: this returns without waiting."""
        update_id = update.update_id
        if update_id in self._polled:
            self._polled.discard(update_id)
            return True
        if update_id in self._known:
            self._known.discard(update_id)
            logger.info("Update %s is in the journal already: not handled again", update_id)
            return False
        if self.journal is None:
            return True
        now = self.clock()  # a webhook update: one at a time
        if not await self.journal.admit(entry_for(update, self.bot_id, now)):
            logger.info("Update %s is in the journal already: not handled again", update_id)
            return False
        self._received[update_id] = now
        return True

    async def run(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle one update (its chat's turn and a worker slot are held); then journal it."""
        if not isinstance(update, Update):
            await coroutine
            return
        if self._journaled and self._stop_at is not None and time.monotonic() >= self._stop_at:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never started: nothing to undo
            self.deferred += 1
            return
        state = InFlight(update.update_id, self._received.pop(update.update_id, self.clock()))
        token = IN_FLIGHT.set(state)
        try:
            await coroutine
        finally:
            IN_FLIGHT.reset(token)
        if state.deferred:
            self.deferred += 1
        elif self.journal is not None:
            await self.journal.finish(self.bot_id, update.update_id)

    async def _replay(self, bot: Bot) -> None:
        assert self.journal is not None
        entries = await self.journal.pending(self.bot_id)
        now, max_age = self.clock(), self.settings.pending_max_age_seconds
        updates: list[tuple[Entry, Update]] = []
        dropped: list[Entry] = []
        for entry in entries:
            update = _revive(entry, bot) if now - entry.received_at <= max_age else None
            if update is None:
                dropped.append(entry)
            else:
                updates.append((entry, update))
        for entry in dropped:
            await self.journal.finish(self.bot_id, entry.update_id, State.DROPPED)
        if dropped:
            logger.warning(
                "Dropped %d update(s) a previous run left unanswered: older than %.0f s "
                "(POLICYBOT_PENDING_MAX_AGE), or button presses and inline queries, which "
                "cannot be answered late (the oldest received %.0f s ago)",
                len(dropped),
                max_age,
                now - min(entry.received_at for entry in dropped),
            )
        for entry, update in updates:
            self._received[entry.update_id] = entry.received_at
            self.queue.put_nowait(update)
        if updates:
            logger.warning(
                "Answering %d question(s) a previous run left unanswered (the oldest received "
                "%.0f s ago)",
                len(updates),
                now - updates[0][0].received_at,
            )


def _revive(entry: Entry, bot: Bot) -> Update | None:
    if entry.payload is None:
        return None
    try:
        return Update.de_json(json.loads(entry.payload), bot)
    except (ValueError, TypeError, KeyError) as exc:
        logger.warning("Cannot re-run update %s from the journal: %s", entry.update_id, exc)
        return None


async def settle_send_errors(update: object, context: Context) -> None:
    """The first error handler: send failures that are not failures to apologise for.

    A send deferred because the bot is stopping during an outage is handled after the restart;
    a send that timed out after reaching Telegram is treated as delivered (``handlers.net``
    logged it). Stopping here keeps the apology and the admin report of the next handler away.
    """
    error = context.error
    if isinstance(error, Deferred) or (error is not None and possibly_delivered(error)):
        raise ApplicationHandlerStop


def register(app: PolicyApp) -> None:
    """Registered before the other families, so its error handler runs first."""
    app.add_error_handler(settle_send_errors)
