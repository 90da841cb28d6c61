"""The live library: reloads that overlap leave the process as they found it."""

from __future__ import annotations

import asyncio
import sys

from bot.config import BUNDLED_KNOWLEDGE, Settings
from bot.runtime.library import Library


async def test_overlapping_reloads_restore_the_switch_interval() -> None:
    """The watcher and /reload can overlap; the GIL switch interval must come back as it was."""
    original = sys.getswitchinterval()
    library = Library.from_settings(
        Settings(_env_file=None, POLICYBOT_KNOWLEDGE_DIR=BUNDLED_KNOWLEDGE, POLICYBOT_CACHE=False)
    )
    results = await asyncio.gather(library.reload(), library.reload(), library.reload())
    assert all(result.ok for result in results)
    assert sys.getswitchinterval() == original
    assert library.loaded
