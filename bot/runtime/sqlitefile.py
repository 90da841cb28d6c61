"""One SQLite file that the bot writes but never depends on: WAL mode, a schema created and
migrated with ``PRAGMA user_version``, and, when the file is corrupt, locked or unwritable, one
warning and then silence — answering goes on without it."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from pathlib import Path

BUSY_TIMEOUT_S = 2.0


class SqliteFile:
    """Subclasses say what their file holds: its migrations, a query that proves the schema is
    there, what switching off costs (for the warning), and optionally the file's mode."""

    migrations: tuple[str, ...] = ()
    check_sql = "SELECT 1"
    off_warning = "%s"
    file_mode: int | None = None  # created with this mode when set (e.g. 0o600)

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.disabled_reason: str | None = None
        try:
            self._conn = self._open()
        except (sqlite3.Error, TypeError, ValueError) as exc:
            self._disable(f"cannot open {self.path}: {exc}")

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.file_mode is not None:
            with contextlib.suppress(FileExistsError):  # an empty file is an empty database
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, self.file_mode))
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(self.migrations[version:], version + 1):
                with conn:
                    conn.executescript(script)
                    conn.execute(f"PRAGMA user_version = {number}")
            conn.execute(self.check_sql).fetchone()
            self._opened(conn)
        except (sqlite3.Error, TypeError, ValueError):
            conn.close()
            raise
        return conn

    def _opened(self, conn: sqlite3.Connection) -> None:
        """Read what the subclass needs once the schema is current (nothing by default)."""

    def _disable(self, reason: str) -> None:
        if self.disabled_reason is None:  # logged as the owner's: bot.runtime.store, …journal
            logging.getLogger(type(self).__module__).warning(self.off_warning, reason)
        self.disabled_reason = reason
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
