"""Settings from the environment and `.env` (pydantic-settings); the token is a SecretStr."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BUNDLED_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


class Settings(BaseSettings):
    """Every setting has a default except the token; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `KEY=` in .env means "use the default", not "empty string"
        extra="ignore",
        populate_by_name=True,
    )

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org/bot", alias="TELEGRAM_API_URL")
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), alias="POLICYBOT_ADMIN_IDS"
    )
    knowledge_dir: Path = Field(default=BUNDLED_KNOWLEDGE, alias="POLICYBOT_KNOWLEDGE_DIR")
    # None: the threshold fitted with the confidence model (bot/search/data/confidence.json)
    threshold: float | None = Field(default=None, ge=0.0, le=1.0, alias="POLICYBOT_THRESHOLD")
    semantic: bool = Field(default=False, alias="POLICYBOT_SEMANTIC")
    max_results: int = Field(default=5, ge=1, le=10, alias="POLICYBOT_MAX_RESULTS")
    max_question_chars: int = Field(default=500, ge=20, alias="POLICYBOT_MAX_QUESTION_CHARS")
    max_file_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, alias="POLICYBOT_MAX_FILE_BYTES")
    database: Path = Field(default=Path("policybot.sqlite3"), alias="POLICYBOT_DATABASE")
    retention_days: int = Field(default=180, ge=1, alias="POLICYBOT_RETENTION_DAYS")
    # Seconds between two posts in one group; later ones wait their turn, never refused.
    # 0: Telegram's own limit (about 20 messages a minute per group) is the only pacing.
    group_cooldown_seconds: float = Field(default=0.0, ge=0, alias="POLICYBOT_GROUP_COOLDOWN")
    user_rate_per_minute: int = Field(default=20, ge=1, alias="POLICYBOT_USER_RATE_PER_MINUTE")
    watch: bool = Field(default=True, alias="POLICYBOT_WATCH")
    webhook_url: str | None = Field(default=None, alias="POLICYBOT_WEBHOOK_URL")
    webhook_listen: str = Field(default="127.0.0.1", alias="POLICYBOT_WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, ge=1, le=65535, alias="POLICYBOT_WEBHOOK_PORT")
    webhook_secret: SecretStr | None = Field(default=None, alias="POLICYBOT_WEBHOOK_SECRET")
    log_level: str = Field(default="INFO", alias="POLICYBOT_LOG_LEVEL")
    cache: bool = Field(default=True, alias="POLICYBOT_CACHE")
    cache_root: Path | None = Field(default=None, alias="POLICYBOT_CACHE_DIR")
    # Updates waiting in one chat at most; beyond it the oldest waiting ones are dropped (the chat
    # told once, each drop logged). At Telegram's group rate, 30 is a minute and a half of answers.
    group_queue: int = Field(default=30, ge=1, alias="POLICYBOT_GROUP_QUEUE")
    # The journal of incoming updates (see bot/runtime/journal.py); None: beside the database
    journal: Path | None = Field(default=None, alias="POLICYBOT_JOURNAL")
    concurrent_updates: int = Field(default=64, ge=1, alias="POLICYBOT_CONCURRENT_UPDATES")
    pending_max_age_seconds: float = Field(default=3600.0, gt=0, alias="POLICYBOT_PENDING_MAX_AGE")
    late_note_after_seconds: float = Field(default=60.0, ge=0, alias="POLICYBOT_LATE_NOTE_AFTER")
    stop_grace_seconds: float = Field(default=5.0, ge=0, alias="POLICYBOT_STOP_GRACE")

    @property
    def journal_path(self) -> Path:
        """``POLICYBOT_JOURNAL``, or ``<database stem>.journal.sqlite3`` beside the database."""
        if self.journal is not None:
            return self.journal
        return self.database.with_name(f"{self.database.stem}.journal.sqlite3")

    @property
    def cache_dir(self) -> Path | None:
        """Where validated knowledge files are cached, one sub-directory per knowledge base."""
        if not self.cache:
            return None
        root = self.cache_root
        if root is None:
            try:
                base = os.environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
            except RuntimeError:  # no home directory: run without a cache
                return None
            root = Path(base) / "policybot"
        key = hashlib.sha256(str(self.knowledge_dir.resolve()).encode()).hexdigest()[:16]
        return root / key

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept "1, 2 3" from the environment as well as a list."""
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(",", " ").split())
        if isinstance(value, int):
            return frozenset({value})
        return value

    @property
    def token(self) -> str | None:
        value = self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else ""
        return value.strip() or None
