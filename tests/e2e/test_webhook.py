"""Webhook mode: Telegram's secret-token header is checked on every request."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from handlers.app import build_application

from .botapi import FakeBotAPI

SECRET = "s3cret-Token_value"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def update(botapi: FakeBotAPI, update_id: int, text: str) -> dict[str, object]:
    """A real message known to the fake server, delivered by POST instead of getUpdates."""
    return {"update_id": update_id, "message": botapi.inject_message(text)}


@pytest.mark.timeout(60)
async def test_webhook_rejects_requests_without_the_secret(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    port = free_port()
    settings = Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=botapi.token,
        TELEGRAM_API_URL=botapi.base_url,
        POLICYBOT_DATABASE=tmp_path / "db.sqlite3",
        POLICYBOT_WATCH=False,
        POLICYBOT_WEBHOOK_URL="https://bot.example.org/telegram",
        POLICYBOT_WEBHOOK_SECRET=SECRET,
    )
    app = build_application(settings, timeout=5)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="telegram",
        webhook_url="https://bot.example.org/telegram",  # the public URL behind the proxy
        secret_token=SECRET,
    )
    await app.start()
    try:
        (set_webhook,) = await botapi.wait_for("setWebhook")
        assert set_webhook[1]["secret_token"] == SECRET
        url = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {HEADER: "wrong"}, {HEADER: SECRET + "x"}):
                async with http.post(
                    url, json=update(botapi, 1, "red lines"), headers=headers
                ) as resp:
                    assert resp.status == 403
            async with http.post(
                url,
                json=update(botapi, 2, "What are China's red lines with the US?"),
                headers={HEADER: SECRET},
            ) as resp:
                assert resp.status == 200
        (sent,) = await botapi.wait_for("sendMessage")
        assert "four red lines" in sent[1]["text"]
        # the rejected requests were never processed: exactly one answer
        assert [m for m, _ in botapi.calls if m == "sendMessage"] == ["sendMessage"]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
