"""Shared fixtures, and the Hypothesis profile for this run.

The fictional knowledge base (``tests/fictional.py``) is valid as written; a test overrides,
inserts or deletes files through the ``make_kb`` factory so that each validation rule can be
exercised on a minimal broken copy. The bundled knowledge base is loaded once per session.

Hypothesis: no deadline anywhere (a slow machine is not a failure; the suite asserts no
durations), and in CI (the ``CI`` environment variable set, as CI services do) examples are
derandomized, so a property test fails on every run or on none. ``HYPOTHESIS_PROFILE``
chooses a profile by name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import settings

from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import KnowledgeBase
from bot.search.engine import SearchConfig, SearchIndex
from tests.fictional import DEFAULT_FILES, FictionalKB, MakeKB

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture
def make_kb(tmp_path: Path) -> MakeKB:
    """Factory: ``make_kb({"topics.yaml": "...", "aliases.yaml": None})`` writes the fictional
    knowledge base with those files overridden (``None`` leaves a file out) and returns it."""
    counter = 0

    def factory(
        overrides: Mapping[str, str | bytes | None] | None = None, *, name: str = "knowledge"
    ) -> FictionalKB:
        nonlocal counter
        counter += 1
        root = tmp_path / f"kb{counter}" / name
        root.mkdir(parents=True)
        kb = FictionalKB(root)
        files: dict[str, str | bytes | None] = {**DEFAULT_FILES, **(overrides or {})}
        for rel, content in files.items():
            if content is not None:
                kb.write(rel, content)
        return kb

    return factory


@pytest.fixture
def fictional_kb(make_kb: MakeKB) -> FictionalKB:
    return make_kb()


@pytest.fixture
def fictional_index(fictional_kb: FictionalKB) -> SearchIndex:
    return SearchIndex(fictional_kb.load(), SearchConfig())


@pytest.fixture(scope="session")
def bundled_kb() -> KnowledgeBase:
    return load_knowledge(BUNDLED_KNOWLEDGE)


@pytest.fixture(scope="session")
def bundled_index(bundled_kb: KnowledgeBase) -> SearchIndex:
    return SearchIndex(bundled_kb, SearchConfig())
