"""Logging set-up that can never print the bot token.

httpx logs every request URL at INFO, and Bot API URLs contain the token; network errors can
quote URLs too. Quietening httpx is not enough on its own, so a log-record factory replaces the
token in every record's message and traceback at creation, whichever handler later prints it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

REDACTED = "<token>"
NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler", "bm25s")

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def _redacting_factory(base: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = base(*args, **kwargs)
        if not _secrets:
            return record
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is the caller's bug; leave it to logging
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    return factory


def quiet_noisy_loggers() -> None:
    """Libraries that log every request (with the token in its URL) or chatter at DEBUG."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def protect_secret(secret: str | None) -> None:
    """Register a secret (the token, the webhook secret) to be redacted from every log record."""
    global _installed
    quiet_noisy_loggers()
    if not secret:
        return
    with _lock:
        _secrets.add(secret)
        bot_id = secret.split(":", 1)[0]
        if ":" in secret and len(bot_id) < len(secret):
            _secrets.add(secret.split(":", 1)[1])  # the secret half alone is still a secret
        if not _installed:
            logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
            _installed = True


def setup_logging(level: str | int) -> None:
    """Root logging for `policybot run`: one format, noisy libraries quiet."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)
