"""End-to-end throughput and reply latency of the real application, beside an echo bot.

``python -m benchmarks.e2e --questions 2000`` runs the application exactly as ``policybot run``
builds it (``build_application`` + ``handlers.app.polling``) against the loopback fake Bot API
server of the end-to-end tests, and injects private questions from many users:

* **throughput**: all questions injected at once; answered questions per second is the count
  divided by the time from the first injection to the server receiving the last reply
  (median of ``--rounds`` bursts);
* **latency**: then questions one at a time (the next once the previous reply arrived), so
  the reply latency is the bot's own work plus one HTTP round trip, without queueing.

The baseline is an echo bot: a PTB Application with one MessageHandler that replies with the
text, built by the same ``application_builder`` as policybot (base URL, timeouts, ``Defaults``,
the polling request, the rate limiter or not) and run under the same ``polling()``, against
its own fake server. Its throughput is what PTB + HTTP + the fake server cost without any
policybot work, so ``ratio = qps / echo_qps`` is the share of that capacity policybot keeps.
Both bots run side by side and are measured in alternation, so background load on a shared
machine hits both rather than one.

Why ``--rate-limit`` is off by default: the rate limiter (``handlers.net.ResilientRateLimiter``,
an AIORateLimiter) allows 30 requests per second overall (Telegram's flood limit), which caps
both bots at 30 replies per second and hides the processing path being measured.
``--rate-limit`` measures the production setting.

The fake server runs in the same event loop as the bot (as in the end-to-end tests), so its
per-request work (HTML validation, bookkeeping) is in both figures; it is timed separately
("server ms/q") so the ratio can also be read without it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from aiohttp import web
from telegram import Update
from telegram.ext import (
    Application,
    ContextTypes,
    MessageHandler,
    filters,
)

from benchmarks.common import (
    QueryMaker,
    describe_machine,
    emit_json,
    ensure_kb,
    log,
    ms,
    percentile,
    rounded,
    run_event_loop,
    table,
)
from benchmarks.synth import DEFAULT_SEED
from bot.config import BUNDLED_KNOWLEDGE, Settings
from bot.knowledge.loader import load_knowledge
from handlers.app import application_builder, build_application
from handlers.lifecycle import polling
from tests.e2e.botapi import JSON, FakeBotAPI

TIMEOUT = 10.0  # build_application's default request timeouts
POLL_TIMEOUT = 10.0
USERS = 500  # distinct private chats, so no one user floods
USER_ID_BASE = 7_000_000
WARMUP = 50
REPLY_WAIT = 600.0  # seconds to wait for every reply before giving up

AnyApp = Application[Any, Any, Any, Any, Any, Any]
Key = tuple[int, int]  # (chat id, question message id)


class TimedBotAPI(FakeBotAPI):
    """The fake server, timestamping each reply as it arrives (perf_counter_ns).

    ``calls`` deep-copies the whole log on every read, which would itself dominate a
    benchmark of thousands of messages; a hook on sendMessage costs nothing measurable.
    """

    def __init__(self) -> None:
        super().__init__()
        self.replied_at: dict[Key, int] = {}
        self.server_ns = 0  # time spent handling the bot's requests, long polls excluded
        self._waiting: set[Key] = set()
        self._all_replied = asyncio.Event()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Account the fake server's own work, which the real Telegram would do elsewhere."""
        if request.match_info.get("method", "").lower() == "getupdates":
            return await super()._handle(request)
        started = time.perf_counter_ns()
        try:
            return await super()._handle(request)
        finally:
            self.server_ns += time.perf_counter_ns() - started

    def _api_send_message(self, p: JSON) -> JSON:
        message = super()._api_send_message(p)
        replied = message.get("reply_to_message")
        if replied is not None:
            key = (message["chat"]["id"], replied["message_id"])
            self.replied_at.setdefault(key, time.perf_counter_ns())
            self._waiting.discard(key)
            if not self._waiting:
                self._all_replied.set()
        return message

    def ask(self, text: str, user_id: int) -> tuple[Key, int]:
        """Inject a private question; return its key and the injection time."""
        injected = time.perf_counter_ns()
        message = self.inject_message(text, user_id=user_id, username=None, first_name="Bench")
        key = (user_id, int(message["message_id"]))
        self._waiting.add(key)
        self._all_replied.clear()
        return key, injected

    async def replies(self, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until every question asked so far has its reply."""
        if self._waiting:
            await asyncio.wait_for(self._all_replied.wait(), timeout)


@dataclass
class BotResult:
    """One bot's measurements over all rounds."""

    name: str
    questions: int
    rounds_s: list[float] = field(default_factory=list)
    rounds_server_s: list[float] = field(default_factory=list)
    burst_latencies_ns: list[int] = field(default_factory=list)
    latencies_ns: list[int] = field(default_factory=list)

    @property
    def qps(self) -> float:
        """Median over rounds: robust to another process stealing the CPU for one round."""
        return self.questions / statistics.median(self.rounds_s)

    @property
    def p50_ms(self) -> float:
        return ms(percentile(self.latencies_ns, 0.5))

    @property
    def server_ms(self) -> float:
        return statistics.median(self.rounds_server_s) * 1e3 / self.questions

    @property
    def bot_ms(self) -> float:
        """Wall time per question in a burst minus the fake server's share of it (median)."""
        per_round = [
            (wall - server) * 1e3 / self.questions
            for wall, server in zip(self.rounds_s, self.rounds_server_s, strict=True)
        ]
        return statistics.median(per_round)


def _user(index: int) -> int:
    return USER_ID_BASE + index % USERS


def run_app(app: AnyApp) -> contextlib.AbstractAsyncContextManager[Any]:
    """Both bots run under the same ``polling()`` as ``policybot run`` (the echo bot has no
    post_init hooks or background work, so it only gets PTB's own start-up)."""
    return polling(app, poll_timeout=POLL_TIMEOUT)


async def burst(result: BotResult, api: TimedBotAPI, questions: list[str]) -> None:
    """Inject every question at once; time until the server has the last reply."""
    server_before = api.server_ns
    started = time.perf_counter_ns()
    asked = [api.ask(text, _user(index)) for index, text in enumerate(questions)]
    await api.replies(REPLY_WAIT)
    last = max(api.replied_at[key] for key, _ in asked)
    result.rounds_s.append((last - started) / 1e9)
    result.rounds_server_s.append((api.server_ns - server_before) / 1e9)
    result.burst_latencies_ns += [api.replied_at[key] - at for key, at in asked]
    log(f"{result.name}: {len(questions)} in {result.rounds_s[-1]:.2f} s")


async def ask_one(result: BotResult, api: TimedBotAPI, text: str, index: int) -> None:
    """One question with nothing else in flight: the bot's own latency plus a round trip."""
    key, at = api.ask(text, _user(index))
    await api.replies(REPLY_WAIT)
    result.latencies_ns.append(api.replied_at[key] - at)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the text itself, escaped, as a reply to the question (as policybot does)."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(html.escape(message.text), do_quote=True)


def build_echo(api: FakeBotAPI, rate_limit: bool) -> AnyApp:
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_URL=api.base_url)
    app: AnyApp = application_builder(settings, rate_limit=rate_limit, timeout=TIMEOUT).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return app


def build_policybot(api: FakeBotAPI, rate_limit: bool, knowledge: Path, work: Path) -> AnyApp:
    settings = Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_URL=api.base_url,
        POLICYBOT_KNOWLEDGE_DIR=knowledge,
        POLICYBOT_DATABASE=work / "bench.sqlite3",
        POLICYBOT_CACHE_DIR=work / "cache",  # not the user's ~/.cache
        POLICYBOT_WATCH=False,
        POLICYBOT_USER_RATE_PER_MINUTE=1_000_000,  # 500 users x several questions each
        POLICYBOT_GROUP_COOLDOWN=0,
    )
    return cast(AnyApp, build_application(settings, rate_limit=rate_limit, timeout=TIMEOUT))


async def run(args: argparse.Namespace) -> int:
    knowledge = (
        BUNDLED_KNOWLEDGE
        if args.statements == 0
        else ensure_kb(args.statements, seed=args.seed, cache=args.cache_dir)
    )
    kb = await asyncio.to_thread(load_knowledge, knowledge)
    maker = QueryMaker(kb)
    warmup = [q.text for q in maker.mix(WARMUP)]
    questions = [q.text for q in maker.mix(args.questions)]
    latency_questions = [q.text for q in maker.mix(args.latency_questions)]
    del kb

    # Both bots run at once, each against its own server, and are measured in alternation:
    # an idle bot waits in a long poll and costs nothing, and a burst of background load on a
    # shared machine then hits both rather than one of them.
    with tempfile.TemporaryDirectory(prefix="policybot-bench-") as tmp:
        builders: list[tuple[str, Callable[[FakeBotAPI], AnyApp]]] = [
            (
                "policybot",
                lambda api: build_policybot(api, args.rate_limit, knowledge, Path(tmp)),
            ),
            ("echo", lambda api: build_echo(api, args.rate_limit)),
        ]
        async with contextlib.AsyncExitStack() as stack:
            bots: list[tuple[BotResult, TimedBotAPI]] = []
            for name, build in builders:
                api = TimedBotAPI()
                await api.start()
                stack.push_async_callback(api.stop)
                await stack.enter_async_context(run_app(build(api)))
                bots.append((BotResult(name, len(questions)), api))
            for _result, api in bots:
                for index, text in enumerate(warmup):
                    api.ask(text, _user(index))
                await api.replies(REPLY_WAIT)
            for _round in range(args.rounds):
                for result, api in bots:
                    await burst(result, api, questions)
            for index, text in enumerate(latency_questions):
                for result, api in bots:
                    await ask_one(result, api, text, index)
    results = [result for result, _api in bots]
    ours, echo = results

    print("End-to-end: real application vs echo bot, loopback fake Bot API server")
    print(f"Machine: {describe_machine()}")
    print(
        f"Knowledge base: {'bundled' if args.statements == 0 else f'{args.statements:,} synthetic'}"
        f" statements; {USERS} users; rate limiter {'on' if args.rate_limit else 'off'}"
    )
    print(
        f"Throughput: {args.questions} questions injected at once, {args.rounds} rounds "
        "(median); "
        f"latency: {args.latency_questions} questions one at a time"
    )
    print()
    print(
        table(
            [
                "bot",
                "questions/s",
                "median burst s",
                "seq p50 ms",
                "seq p90 ms",
                "seq p99 ms",
                "burst p50 ms",
                "burst p99 ms",
                "server ms/q",
                "bot ms/q",
            ],
            [
                (
                    r.name,
                    r.qps,
                    statistics.median(r.rounds_s),
                    r.p50_ms,
                    ms(percentile(r.latencies_ns, 0.9)),
                    ms(percentile(r.latencies_ns, 0.99)),
                    ms(percentile(r.burst_latencies_ns, 0.5)),
                    ms(percentile(r.burst_latencies_ns, 0.99)),
                    r.server_ms,
                    r.bot_ms,
                )
                for r in results
            ],
        )
    )
    print()
    print(f"ratio (policybot / echo throughput): {ours.qps / echo.qps:.2f}")
    print(
        "server ms/q: the fake server's handling of the bot's requests (HTML validation,"
        " bookkeeping),\nwhich Telegram would do on its side; bot ms/q: the rest of the wall time"
        " per question.\nWithout the server's share the ratio would be "
        f"{echo.bot_ms / ours.bot_ms:.2f}."
    )
    print()
    emit_json(
        {
            "e2e": {
                "qps": rounded(ours.qps, 1),
                "echo_qps": rounded(echo.qps, 1),
                "ratio": rounded(ours.qps / echo.qps, 3),
                "p50_ms": rounded(ours.p50_ms, 3),
                "echo_p50_ms": rounded(echo.p50_ms, 3),
                "ratio_without_server": rounded(echo.bot_ms / ours.bot_ms, 3),
                "rate_limit": args.rate_limit,
                "statements": len(maker.statements),
            }
        }
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.e2e", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--questions", type=int, default=2000, help="questions in the burst")
    parser.add_argument("--rounds", type=int, default=3, help="bursts per bot (median)")
    parser.add_argument(
        "--latency-questions", type=int, default=200, help="questions asked one at a time"
    )
    parser.add_argument(
        "--statements",
        type=int,
        default=10_000,
        help="synthetic knowledge-base size; 0 = the bundled knowledge base",
    )
    parser.add_argument(
        "--rate-limit",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="use PTB's AIORateLimiter in both bots (30 requests/s overall)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="knowledge-base seed")
    parser.add_argument("--cache-dir", type=Path, default=None, help="synthetic KB cache")
    args = parser.parse_args(argv)
    if min(args.questions, args.latency_questions, args.rounds) < 1:
        print("error: --questions, --latency-questions, --rounds must be positive", file=sys.stderr)
        return 2
    return run_event_loop(lambda: run(args))


if __name__ == "__main__":
    raise SystemExit(main())
