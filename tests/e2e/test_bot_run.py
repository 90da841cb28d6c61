"""End-to-end: `python -m bot run` as a separate process against the fake Bot API server."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .botapi import FakeBotAPI
from .harness import (
    copy_knowledge,
    reply_target,
    start_policybot,
    subprocess_environment,
    visible,
)

pytestmark = pytest.mark.timeout(60)

TOKEN = "123:ABC"
STARTUP_S = 30.0  # importing and indexing in a fresh interpreter; usually about a second
EXIT_S = 5.0  # less than the 10 s long poll: stopping cancels it rather than waiting


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server


def environment(api: FakeBotAPI, tmp_path: Path) -> dict[str, str]:
    return subprocess_environment(
        api, copy_knowledge(tmp_path / "knowledge"), tmp_path / "policybot.sqlite3"
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_policybot_run_answers_and_stops_cleanly_on_a_signal(
    api: FakeBotAPI, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    process = await start_policybot(api, environment(api, tmp_path), tmp_path, startup_s=STARTUP_S)
    try:
        assert [c["command"] for c in api.my_commands({"type": "all_private_chats"})]
        question = api.inject_message("What are China's red lines?")

        def replying(method: str, params: dict[str, object]) -> bool:
            return method == "sendMessage" and reply_target(params) == question["message_id"]

        [(_, answer)] = await api.wait_for(replying, timeout=10)
        assert "in recent interactions with relevant U.S. leaders" in visible(answer)
        assert "Xi Jinping" in visible(answer)

        await api.wait_arrived("getUpdates", in_flight=True)  # stop mid long poll, as in life
        process.send_signal(stop_signal)
        stdout, stderr = await asyncio.wait_for(process.communicate(), EXIT_S)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (stdout + stderr).decode(errors="replace")
    assert process.returncode == 0, output[-3000:]
    assert TOKEN not in output
    assert "Traceback" not in output, output[-3000:]
    assert api.pending_updates == []  # the update was confirmed before exiting
    # The journal recorded it and marked it answered, keeping only the ids; closed cleanly.
    wal_left, rows = read_journal(tmp_path / "policybot.journal.sqlite3")
    assert not wal_left
    assert rows == [(api.last_update_id, "done", None)]  # the one update of this test


def read_journal(path: Path) -> tuple[bool, list[tuple[int, str, str | None]]]:
    """After the bot exited: is a -wal file left, and the journal's rows."""
    wal_left = Path(f"{path}-wal").exists()
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT update_id, state, payload FROM updates").fetchall()
    finally:
        conn.close()
    return wal_left, rows
