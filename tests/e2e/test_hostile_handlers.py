"""Property-based hostile input through every handler, end to end.

Hypothesis draws batches of arbitrary Unicode text (control, zero-width and bidirectional marks,
emoji, combining marks, CJK), HTML and MarkdownV2 look-alikes and 10,000-character messages,
and sends them as private questions, group mentions, /ask commands, /start payloads, inline
queries, edits and button presses. Every message the bot sends must be accepted by the strict
fake Bot API server (valid Telegram HTML, ≤ 4,096 characters), no error handler may fire, and
every update gets its reply. Few examples, each a whole bot run, so the suite stays fast.

Arbitrary, but what Telegram can carry: no lone surrogates (category Cs). They are not Unicode
text, cannot be encoded as UTF-8, and so never arrive in an update; the fake server refuses to
inject one.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from handlers.app import build_application
from handlers.errors import APOLOGY
from handlers.lifecycle import polling

from .botapi import FakeBotAPI

NASTY = (
    "\x00\x07\x1b\x7f\u200b\u200d\u2060\ufeff\u202a\u202e\u2066\u2069\u0301\u0338"
    "😀🇨🇳👍🏽台湾红线王毅<>&\"'`*_[]()~|#+-=.!{}\\/@"
)
text = st.text(
    alphabet=st.one_of(st.sampled_from(NASTY), st.characters(codec="utf-8")),
    min_size=1,
    max_size=200,
)
markup = st.sampled_from(
    [
        "<b>red lines</b>",
        "</blockquote><i>x",
        '<a href="javascript:x">taiwan</a>',
        "*bold* _it_ [l](http://x) `c` ||s||",
        "&amp; &#0; &bogus; <<>>",
        "@policy_test_bot",
    ]
)
hostile = st.one_of(
    text,
    markup,
    st.tuples(markup, text).map("".join),
    text.map(lambda t: (t * (10_000 // len(t) + 1))[:10_000]),
)
SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def failed_calls(api: FakeBotAPI) -> list[tuple[str, int | None]]:
    """Refused calls, less two that are expected: an edit to identical content is refused as
    "not modified" (an edited question may well have the same answer), and on shutdown the
    poll PTB abandoned is answered 409 once the final confirming poll arrives."""
    expected = {("editMessageText", 400), ("getUpdates", 409)}
    return [
        (r.method, r.status)
        for r in api._log
        if r.status not in (200, None) and (r.method, r.status) not in expected
    ]


async def scenario(batch: list[str], payloads: list[str]) -> None:
    async with FakeBotAPI() as api:
        with tempfile.TemporaryDirectory() as tmp:
            config = Settings(
                _env_file=None,
                TELEGRAM_BOT_TOKEN=api.token,
                TELEGRAM_API_URL=api.base_url,
                POLICYBOT_DATABASE=Path(tmp) / "db.sqlite3",
                POLICYBOT_WATCH=False,
                POLICYBOT_CACHE=False,
                POLICYBOT_GROUP_COOLDOWN=0,
                POLICYBOT_USER_RATE_PER_MINUTE=1000,
            )
            app = build_application(config, timeout=5, rate_limit=False)
            async with polling(app, poll_timeout=1):
                expected_sends = 0
                questions: list[dict[str, Any]] = []
                for n, message in enumerate(batch):
                    questions.append(api.inject_message(message, user_id=1000 + n))
                    api.inject_message(
                        f"@policy_test_bot {message}", chat_type="supergroup", user_id=2000 + n
                    )
                    api.inject_message(f"/ask {message}", chat_type="group", user_id=3000 + n)
                    api.inject_inline_query(message[:256], user_id=4000 + n)
                    expected_sends += 3
                for n, payload in enumerate(payloads):
                    api.inject_message(f"/start {payload}", user_id=5000 + n)
                    expected_sends += 1
                await api.wait_for("sendMessage", count=expected_sends, timeout=30)
                for question in questions:  # edits are answered by editing the answer
                    api.inject_edited_message(
                        question["chat"]["id"],
                        question["message_id"],
                        question["text"][::-1] or "x",
                    )
                # updates are handled in order: once this inline query is answered, every edit
                # before it has been handled
                api.inject_inline_query("barrier", user_id=9999)
                await api.wait_for("answerInlineQuery", count=len(batch) + 1, timeout=30)
            sent = [p.get("text", "") for m, p in api.calls if m == "sendMessage"]
            assert not [t for t in sent if APOLOGY in t], "an error handler fired"
            assert failed_calls(api) == []  # the strict server accepted every message


@SETTINGS
@given(
    batch=st.lists(hostile, min_size=1, max_size=6),
    payloads=st.lists(st.text(max_size=64).map(lambda p: p.replace("\n", " ")), max_size=3),
)
def test_hostile_updates_through_every_handler(batch: list[str], payloads: list[str]) -> None:
    batch = [m if m.strip() else "x" + m for m in batch]  # Telegram delivers no empty messages
    asyncio.run(scenario(batch, payloads))
