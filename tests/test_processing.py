"""handlers.processing: per-chat order, concurrency across chats, the bound, and the journal.

The processor is driven the way PTB drives it (``process_update`` from one task per update,
started in queue order) with real ``telegram.Update`` objects; handlers are coroutines that
yield to the loop a drawn number of times, so Hypothesis explores interleavings without any
clock. Property tests are seeded.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from telegram import Bot, Update

from bot.config import Settings
from bot.runtime.journal import Entry, Journal, State
from handlers.net import IN_FLIGHT, InFlight
from handlers.processing import ChatOrderedProcessor, Pipeline, entry_for, entry_from, order_key

BOT_ID = 123
NOW = 1_700_000_000.0


def message(update_id: int, chat_id: int, text: str = "hi", date: int = 1_700_000_000) -> Update:
    data = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": date,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": {"id": abs(chat_id), "is_bot": False, "first_name": "U"},
            "text": text,
        },
    }
    update = Update.de_json(data, None)
    assert update is not None
    return update


def inline(update_id: int, user_id: int) -> Update:
    data = {
        "update_id": update_id,
        "inline_query": {
            "id": str(update_id),
            "from": {"id": user_id, "is_bot": False, "first_name": "U"},
            "query": "q",
            "offset": "",
        },
    }
    update = Update.de_json(data, None)
    assert update is not None
    return update


async def run_directly(update: object, coroutine: Awaitable[Any]) -> None:
    await coroutine


class Recorder:
    """Handler coroutines that log their start and end and yield ``steps`` times between."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []
        self.running = 0
        self.most = 0

    async def handle(self, update_id: int, steps: int) -> None:
        self.events.append(("start", update_id))
        self.running += 1
        self.most = max(self.most, self.running)
        for _ in range(steps):
            await asyncio.sleep(0)
        self.running -= 1
        self.events.append(("end", update_id))


async def feed(
    processor: ChatOrderedProcessor, items: Sequence[tuple[Update, Awaitable[Any]]]
) -> None:
    """As PTB's update fetcher does: one task per update, created in queue order."""
    await asyncio.gather(*(processor.process_update(u, c) for u, c in items))


@seed(13)
@settings(max_examples=60)
@given(
    chats=st.lists(
        st.tuples(st.sampled_from([1, 2, 3, -4, -5]), st.integers(0, 5)), min_size=1, max_size=30
    ),
    workers=st.integers(1, 4),
)
async def test_each_chat_is_handled_in_order_one_at_a_time_within_the_bound(
    chats: list[tuple[int, int]], workers: int
) -> None:
    recorder = Recorder()
    processor = ChatOrderedProcessor(workers, run_directly)
    updates = [(message(n, chat), steps) for n, (chat, steps) in enumerate(chats, 1)]
    await feed(processor, [(u, recorder.handle(u.update_id, s)) for u, s in updates])

    by_chat: dict[int, list[int]] = defaultdict(list)
    for update, _ in updates:
        assert update.effective_chat is not None
        by_chat[update.effective_chat.id].append(update.update_id)
    chat_of = {u.update_id: u.effective_chat.id for u, _ in updates if u.effective_chat}
    open_in_chat: dict[int, int | None] = {}
    started: dict[int, list[int]] = defaultdict(list)
    for kind, update_id in recorder.events:
        chat = chat_of[update_id]
        if kind == "start":
            assert open_in_chat.get(chat) is None, f"two updates of chat {chat} at once"
            open_in_chat[chat] = update_id
            started[chat].append(update_id)
        else:
            open_in_chat[chat] = None
    assert started == by_chat  # arrival order within every chat
    assert recorder.most <= workers
    assert processor.chats_waiting == 0  # no lock is kept for a chat with nothing to do


async def test_a_chat_waiting_never_holds_up_another() -> None:
    processor = ChatOrderedProcessor(4, run_directly)
    blocked = asyncio.Event()
    done: list[int] = []

    async def stuck() -> None:
        await blocked.wait()  # e.g. Telegram's per-chat flood limit
        done.append(1)

    async def quick(update_id: int) -> None:
        done.append(update_id)

    busy = [(message(1, -4), stuck()), (message(2, -4), quick(2)), (message(3, -4), quick(3))]
    others = [(message(n, n), quick(n)) for n in range(10, 20)]
    waiting = asyncio.ensure_future(feed(processor, busy))
    await feed(processor, others)  # all ten private chats done while the group waits
    assert done == list(range(10, 20))
    assert not waiting.done()
    blocked.set()
    await waiting
    assert done[10:] == [1, 2, 3]


async def test_a_handler_sees_how_many_of_its_chat_wait_behind_it() -> None:
    processor = ChatOrderedProcessor(4, run_directly)
    seen: list[tuple[int, int]] = []

    async def look(update: Update) -> None:
        await asyncio.sleep(0)  # as a handler awaits: meanwhile the rest of the batch arrives
        seen.append((update.update_id, processor.waiting_behind(update)))

    group = [message(n, -4) for n in range(1, 5)]
    await feed(processor, [(u, look(u)) for u in [*group, message(9, 9)]])
    assert sorted(seen) == [(1, 3), (2, 2), (3, 1), (4, 0), (9, 0)]
    assert processor.waiting_behind(group[0]) == 0  # nothing left


async def test_updates_without_a_chat_are_ordered_per_user() -> None:
    assert order_key(inline(1, 77)) == order_key(inline(2, 77)) == ("user", 77)
    assert order_key(inline(1, 77)) != order_key(message(3, 77))
    assert order_key(message(1, -4)) == ("chat", -4)


# ----------------------------------------------------------------------------- the pipeline


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "POLICYBOT_DATABASE": tmp_path / "db.sqlite3",
        "POLICYBOT_PENDING_MAX_AGE": 3600,
        "POLICYBOT_STOP_GRACE": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
async def pipeline(tmp_path: Path) -> Pipeline:
    flow = Pipeline(make_settings(tmp_path), clock=lambda: NOW)
    await flow.open(flow.settings.journal_path, bot=Bot("123:ABC"), bot_id=BOT_ID)
    return flow


def test_the_journal_sits_beside_the_database_unless_configured(tmp_path: Path) -> None:
    assert make_settings(tmp_path).journal_path == tmp_path / "db.journal.sqlite3"
    elsewhere = tmp_path / "j" / "x.sqlite3"
    assert make_settings(tmp_path, POLICYBOT_JOURNAL=elsewhere).journal_path == elsewhere


async def test_an_update_is_queued_once_and_finished_after_its_handlers(
    pipeline: Pipeline,
) -> None:
    update = message(1, 7, "red lines")
    await pipeline.queue.put(update)
    await pipeline.queue.put(message(1, 7, "red lines"))  # delivered again: not queued again
    assert pipeline.in_flight == 1
    queued = pipeline.queue.get_nowait()
    seen: list[InFlight | None] = []

    async def handler() -> None:
        seen.append(IN_FLIGHT.get())

    await pipeline.run(queued, handler())
    pipeline.queue.task_done()
    assert pipeline.in_flight == 0
    [state] = seen
    assert state is not None
    assert (state.update_id, state.received_at) == (1, NOW)
    assert IN_FLIGHT.get() is None
    assert pipeline.journal is not None
    assert await pipeline.journal.pending(BOT_ID) == []
    await pipeline.idle()  # returns at once: nothing queued or running
    await pipeline.close()


async def test_a_polled_batch_is_journaled_at_once_and_then_queued_without_waiting(
    pipeline: Pipeline,
) -> None:
    """The poll's response is journaled in one transaction; putting its updates then never
    suspends, so stopping the Updater cannot leave half a batch unqueued."""
    await pipeline.queue.put(message(5, 7))  # known before: handled earlier
    pipeline.queue.get_nowait()
    batch = [message(5, 7), message(6, 7, "red lines"), inline(7, 8)]
    body = {"ok": True, "result": [u.to_dict() for u in batch]}
    await pipeline.admit_polled(json.dumps(body).encode())
    for update in batch:
        putting = pipeline.queue.put(update)
        with pytest.raises(StopIteration):
            putting.send(None)  # finished in one step: nothing awaited
    assert [pipeline.queue.get_nowait(), pipeline.queue.get_nowait()] == batch[1:]
    assert pipeline.queue.empty()
    assert pipeline.journal is not None
    pending = await pipeline.journal.pending(BOT_ID)
    assert [(e.update_id, e.kind, e.chat_id) for e in pending] == [
        (5, "message", 7),
        (6, "message", 7),
        (7, "inline_query", None),
    ]
    await pipeline.admit_polled(b"not json")  # PTB reports it; nothing journaled
    await pipeline.admit_polled(b'{"ok": true, "result": []}')
    assert len(await pipeline.journal.pending(BOT_ID)) == 3


async def test_a_deferred_update_stays_pending(pipeline: Pipeline) -> None:
    update = message(2, 7)
    await pipeline.queue.put(update)

    async def deferred_send() -> None:
        state = IN_FLIGHT.get()
        assert state is not None
        state.defer("sendMessage")

    await pipeline.run(pipeline.queue.get_nowait(), deferred_send())
    assert pipeline.journal is not None
    assert [e.update_id for e in await pipeline.journal.pending(BOT_ID)] == [2]
    assert pipeline.deferred == 1


async def test_after_the_stop_grace_an_unstarted_update_is_left_for_the_next_start(
    pipeline: Pipeline,
) -> None:
    await pipeline.queue.put(message(3, 7))
    pipeline.stopping()  # POLICYBOT_STOP_GRACE=0: over at once
    ran: list[int] = []

    async def handler() -> None:
        ran.append(3)

    await pipeline.run(pipeline.queue.get_nowait(), handler())  # closed, never awaited
    assert ran == []
    assert pipeline.deferred == 1
    assert pipeline.journal is not None
    assert [e.update_id for e in await pipeline.journal.pending(BOT_ID)] == [3]


async def test_start_up_requeues_what_is_young_enough_and_drops_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, POLICYBOT_PENDING_MAX_AGE=600)
    journal = Journal(settings.journal_path)
    young, old = message(11, 7, "red lines"), message(10, 7, "old one")
    for update, received in ((old, NOW - 601), (young, NOW - 30)):
        journal.admit(entry_for(update, BOT_ID, received))
    journal.admit(entry_for(inline(12, 7), BOT_ID, NOW - 5))  # cannot be answered late
    journal.admit(entry_for(message(13, 7), 999, NOW))  # another bot's
    journal.close()

    flow = Pipeline(settings, clock=lambda: NOW)
    caplog.set_level(logging.INFO, logger="handlers.processing")
    await flow.open(settings.journal_path, bot=Bot("123:ABC"), bot_id=BOT_ID)
    replayed = flow.queue.get_nowait()
    assert isinstance(replayed, Update)
    assert replayed == young
    assert replayed.get_bot() is not None  # bound to the bot, so handlers can reply
    assert flow.queue.empty()
    assert flow.in_flight == 1
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("Dropped 2 update(s)") for line in lines), lines
    assert any(line.startswith("Answering 1 question(s)") for line in lines), lines
    await flow.queue.put(message(11, 7, "red lines"))  # Telegram delivers it again: skipped
    assert flow.queue.empty()

    async def handler() -> None:
        state = IN_FLIGHT.get()
        assert state is not None
        assert state.received_at == NOW - 30  # its age counts from then

    await flow.run(replayed, handler())
    assert flow.journal is not None
    assert await flow.journal.pending(BOT_ID) == []
    await flow.close()


def test_only_messages_are_journaled_with_what_re_running_needs() -> None:
    press = entry_from(
        {
            "update_id": 3,
            "callback_query": {"id": "q", "message": {"message_id": 9, "chat": {"id": -4}}},
        },
        BOT_ID,
        NOW,
    )
    assert (press.kind, press.chat_id, press.message_id, press.payload) == (
        "callback_query",
        -4,
        9,
        None,
    )
    entry = entry_for(message(1, -4, "red lines"), BOT_ID, NOW)
    assert (entry.kind, entry.chat_id, entry.message_id) == ("message", -4, 1)
    assert entry.payload is not None
    assert json.loads(entry.payload)["message"]["text"] == "red lines"
    query = entry_for(inline(2, 7), BOT_ID, NOW)
    assert (query.kind, query.chat_id, query.payload) == ("inline_query", None, None)
    assert query == Entry(BOT_ID, 2, "inline_query", NOW)


async def test_without_a_journal_everything_is_handled(tmp_path: Path) -> None:
    flow = Pipeline(make_settings(tmp_path))
    await flow.queue.put(message(1, 7))
    await flow.queue.put(message(1, 7))  # no journal: no deduplication either
    assert flow.in_flight == 2
    assert State.PENDING.value == "pending"
