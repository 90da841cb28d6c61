"""A cache of validated knowledge files, so a warm start parses only what changed."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from pydantic import ValidationError

from bot.knowledge.models import KnowledgeFile

logger = logging.getLogger(__name__)


class ParseCache:
    """Validated files as JSON, named by a hash of their bytes and of the schema.

    JSON rather than pickle: a cache directory is not a place code should be loaded from. Any
    cache error just means parsing the file again.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.used: set[str] = set()
        self._salt = hashlib.sha256(
            json.dumps(KnowledgeFile.model_json_schema(), sort_keys=True).encode()
        ).hexdigest()[:16]

    def _key(self, text: str) -> str:
        return hashlib.sha256((self._salt + text).encode()).hexdigest()

    def get(self, text: str) -> KnowledgeFile | None:
        key = self._key(text)
        try:
            data = (self.directory / f"{key}.json").read_bytes()
            model = KnowledgeFile.model_validate_json(data)
        except (OSError, ValidationError, ValueError):
            return None
        self.hits += 1
        self.used.add(key)
        return model

    def put(self, text: str, model: KnowledgeFile) -> None:
        key = self._key(text)
        self.used.add(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".{key}.{os.getpid()}.tmp"
            tmp.write_text(model.model_dump_json(by_alias=True), encoding="utf-8")
            tmp.replace(self.directory / f"{key}.json")
        except OSError as exc:
            logger.debug("Could not write the parse cache: %s", exc)

    def forget_unused(self) -> None:
        """Drop entries no current file needs, so the cache does not grow with every edit."""
        try:
            for entry in self.directory.glob("*.json"):
                if entry.stem not in self.used:
                    entry.unlink(missing_ok=True)
        except OSError as exc:
            logger.debug("Could not prune the parse cache: %s", exc)
