"""The Telegram layer: one module per handler family, each exposing ``register(app)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.app import PolicyApp


def register_all(app: PolicyApp) -> None:
    """Order matters: PTB runs the first matching handler of a group."""
    from handlers import admin, callbacks, commands, errors, inline, messages

    for module in (admin, commands, messages, inline, callbacks, errors):
        module.register(app)
