"""Fixtures for end-to-end tests: a fake Bot API server on a free loopback port."""

from collections.abc import AsyncIterator

import pytest

from .botapi import FakeBotAPI


@pytest.fixture
async def botapi() -> AsyncIterator[FakeBotAPI]:
    """A started :class:`FakeBotAPI`; use ``botapi.base_url`` and ``botapi.token``."""
    async with FakeBotAPI() as api:
        yield api


# Fixtures for the end-to-end tests of the bot itself: the real application on this server.
from .harness import bot_app, clock, start_bot  # noqa: E402, F401
