"""End-to-end: admins hear once when a failed reload is fixed, and nothing after that."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from .botapi import FakeBotAPI
from .harness import ADMIN_ID, StartBot, copy_knowledge, logged, visible

pytestmark = pytest.mark.timeout(40)

BROKEN_TOPICS_LINE = "  - id: [unclosed\n"
WATCHER_TASK_WARNING = "ignore:Tasks created via:telegram.warnings.PTBUserWarning"
LIBRARY_LOGGER = "bot.runtime.library"


def to_admin(text: str) -> Any:
    def match(method: str, params: dict[str, Any]) -> bool:
        return (
            method == "sendMessage"
            and params.get("chat_id") == ADMIN_ID
            and text in params.get("text", "")
        )

    return match


@pytest.mark.filterwarnings(WATCHER_TASK_WARNING)
async def test_admins_get_one_message_when_a_failed_reload_is_fixed(
    start_bot: StartBot, tmp_path: Path, botapi: FakeBotAPI
) -> None:
    knowledge = copy_knowledge(tmp_path / "knowledge")
    async with start_bot(POLICYBOT_KNOWLEDGE_DIR=knowledge, POLICYBOT_WATCH=True) as bot:
        await bot.watching()
        topics = knowledge / "topics.yaml"
        good = topics.read_text(encoding="utf-8")
        topics.write_text(good + BROKEN_TOPICS_LINE, encoding="utf-8")
        await botapi.wait_for(to_admin("Reload failed"), timeout=10)

        with logged(LIBRARY_LOGGER, lambda r: " live: " in r.getMessage()) as reloaded:
            topics.write_text(good, encoding="utf-8")  # fixed
            await asyncio.wait_for(reloaded, 10)
        [(_, fixed)] = await botapi.wait_for(to_admin("Fixed"), timeout=10)
        assert visible(fixed).startswith("✅ Fixed: the knowledge base reloads again")

        with logged(LIBRARY_LOGGER, lambda r: " live: " in r.getMessage()) as reloaded:
            topics.write_text(good + "# reviewed\n", encoding="utf-8")  # a success after one
            await asyncio.wait_for(reloaded, 10)
        await asyncio.sleep(0.2)
        assert len(await botapi.wait_for(to_admin("Fixed"), timeout=0.1)) == 1
        assert len(await botapi.wait_for(to_admin("Reload failed"), timeout=0.1)) == 1


async def test_a_reload_an_admin_fixes_by_hand_is_announced_once(
    start_bot: StartBot, tmp_path: Path, botapi: FakeBotAPI
) -> None:
    knowledge = copy_knowledge(tmp_path / "knowledge")
    async with start_bot(POLICYBOT_KNOWLEDGE_DIR=knowledge) as bot:
        topics = knowledge / "topics.yaml"
        good = topics.read_text(encoding="utf-8")
        topics.write_text(good + BROKEN_TOPICS_LINE, encoding="utf-8")
        _, done = await bot.send("/reload", user_id=ADMIN_ID)
        assert visible(done.sent[0]).startswith("❌ Reload failed")
        topics.write_text(good, encoding="utf-8")
        _, done = await bot.send("/reload", user_id=ADMIN_ID)
        assert [visible(m).split(":")[0] for m in done.sent] == ["✅ Reloaded"]
        _, again = await bot.send("/reload", user_id=ADMIN_ID)
        assert [visible(m).split(":")[0] for m in again.sent] == ["✅ Reloaded"]
