"""A busy group never stalls the private chats: private reply latency with and without a flood.

``python -m benchmarks.flood`` runs the real application (``build_application`` under
``polling()``, with PTB's AIORateLimiter as in production: Telegram's 30 messages a second, and
20 a minute per group) against the loopback fake Bot API server of the end-to-end tests. Each
scenario starts a fresh bot and server, so no limiter state carries over:

* **calm**: ``--users`` private users each ask a question every ``--interval`` seconds for
  ``--duration`` seconds, staggered (an open loop: a slow answer does not slow the questions);
* **flood**: the same, while one group sends ``--flood`` ``/help@bot`` commands from
  ``--flood-users`` members, evenly over the same duration. Telegram lets a bot post about 20
  messages a minute in one group, so the group's answers queue at the rate limiter.

Latency is from injecting a private question to the server receiving its answer (p50, p95,
max over all private questions). The goal is flood p95 within 2 times calm p95. The group's
backlog is left to the bot's stop (its journal keeps what was not answered); the group column
says how many of its commands were answered by the time the last private answer arrived.

The module only uses ``build_application`` and settings older versions ignore, so copying it
into a checkout of an earlier commit measures that commit the same way (RESULTS.md does this
for the commit before issue 13, which handled one update at a time).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from benchmarks.common import (
    describe_machine,
    emit_json,
    log,
    ms,
    percentile,
    rounded,
    run_event_loop,
    table,
)
from benchmarks.e2e import AnyApp, Key, TimedBotAPI, run_app
from bot.config import BUNDLED_KNOWLEDGE, Settings
from handlers.app import build_application
from tests.e2e.botapi import BOT_USERNAME

GROUP_ID = -1_009_000_000
GROUP_MEMBER_BASE = 8_100_000
PRIVATE_USER_BASE = 8_000_000
QUESTIONS = (
    "What are China's red lines?",
    "fentanyl cooperation",
    "san francisco vision",
    "What did Wang Yi say about Taiwan?",
    "four unchanged",
    "who won the world cup",
)
REPLY_WAIT = 600.0


@dataclass
class Scenario:
    name: str
    flood: bool
    workers: int | None = None  # POLICYBOT_CONCURRENT_UPDATES; None: the default
    latencies_ns: list[int] = field(default_factory=list)
    group_sent: int = 0
    group_answered: int = 0
    seconds: float = 0.0

    def p(self, fraction: float) -> float:
        return ms(percentile(self.latencies_ns, fraction))


def build(api: TimedBotAPI, work: Path, workers: int | None) -> AnyApp:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "POLICYBOT_KNOWLEDGE_DIR": BUNDLED_KNOWLEDGE,
        "POLICYBOT_DATABASE": work / "bench.sqlite3",
        "POLICYBOT_CACHE_DIR": work / "cache",
        "POLICYBOT_WATCH": False,
        "POLICYBOT_USER_RATE_PER_MINUTE": 1_000_000,  # measure Telegram's limits, not ours
        "POLICYBOT_GROUP_COOLDOWN": 0,
        "POLICYBOT_STOP_GRACE": 0,  # the group's backlog stays in the journal at the end
    }
    if workers is not None:
        values["POLICYBOT_CONCURRENT_UPDATES"] = workers
    settings = Settings(_env_file=None, **values)
    return cast(AnyApp, build_application(settings, rate_limit=True))


def schedule(args: argparse.Namespace, flood: bool) -> list[tuple[float, int, str]]:
    """(seconds from the start, user, text): private questions, and the group's commands
    (user 0 marks a group command)."""
    events: list[tuple[float, int, str]] = []
    rounds = int(args.duration / args.interval)
    for user in range(args.users):
        offset = args.interval * user / args.users
        for n in range(rounds):
            text = QUESTIONS[(user + n) % len(QUESTIONS)]
            events.append((offset + n * args.interval, PRIVATE_USER_BASE + user, text))
    if flood:
        for n in range(args.flood):
            events.append((args.duration * n / args.flood, 0, f"/help@{BOT_USERNAME}"))
    return sorted(events)


async def play(
    api: TimedBotAPI, events: list[tuple[float, int, str]], flood_users: int
) -> tuple[list[tuple[Key, int]], list[Key]]:
    """Inject every event at its time; the private questions (key, time) and group keys."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    private: list[tuple[Key, int]] = []
    group: list[Key] = []
    for n, (at, user, text) in enumerate(events):
        delay = start + at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)  # load generation: the schedule is the point
        if user:
            private.append(api.ask(text, user))
        else:
            member = GROUP_MEMBER_BASE + n % flood_users
            message = api.inject_message(
                text, chat_id=GROUP_ID, chat_type="group", user_id=member, username=None
            )
            group.append((GROUP_ID, int(message["message_id"])))
    return private, group


async def run_scenario(scenario: Scenario, args: argparse.Namespace, work: Path) -> None:
    api = TimedBotAPI()
    await api.start()
    try:
        async with run_app(build(api, work / scenario.name.replace(" ", "-"), scenario.workers)):
            started = time.perf_counter()
            private, group = await play(api, schedule(args, scenario.flood), args.flood_users)
            await api.replies(REPLY_WAIT)
            scenario.seconds = time.perf_counter() - started
            scenario.latencies_ns = [api.replied_at[key] - at for key, at in private]
            scenario.group_sent = len(group)
            scenario.group_answered = sum(1 for key in group if key in api.replied_at)
    finally:
        await api.stop()
    log(
        f"{scenario.name}: {len(scenario.latencies_ns)} private answers, p95 "
        f"{scenario.p(0.95):.0f} ms; group {scenario.group_answered}/{scenario.group_sent}"
    )


async def run(args: argparse.Namespace) -> int:
    scenarios = [
        Scenario("calm", flood=False, workers=args.workers),
        Scenario("flood", flood=True, workers=args.workers),
    ]
    with tempfile.TemporaryDirectory(prefix="policybot-flood-") as tmp:
        for scenario in scenarios:
            await run_scenario(scenario, args, Path(tmp))
    calm = scenarios[0]
    print("Flood: private reply latency while one group floods the bot (rate limiter on)")
    print(f"Machine: {describe_machine()}")
    print(
        f"{args.users} private users, a question each every {args.interval:g} s for "
        f"{args.duration:g} s; flood: {args.flood} /help@bot in one group from "
        f"{args.flood_users} members over the same {args.duration:g} s"
    )
    print()
    print(
        table(
            ["scenario", "private p50 ms", "p95 ms", "max ms", "p95 / calm", "group answered"],
            [
                (
                    s.name,
                    s.p(0.5),
                    s.p(0.95),
                    ms(max(s.latencies_ns)),
                    s.p(0.95) / calm.p(0.95),
                    f"{s.group_answered}/{s.group_sent}" if s.group_sent else "-",
                )
                for s in scenarios
            ],
        )
    )
    print()
    emit_json(
        {
            "flood": {
                s.name: {
                    "p50_ms": rounded(s.p(0.5), 1),
                    "p95_ms": rounded(s.p(0.95), 1),
                    "max_ms": rounded(ms(max(s.latencies_ns)), 1),
                    "p95_ratio": rounded(s.p(0.95) / calm.p(0.95), 2),
                    "group_answered": s.group_answered,
                    "group_sent": s.group_sent,
                }
                for s in scenarios
            }
        }
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.flood", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--users", type=int, default=20, help="private users")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between a user's")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of questions")
    parser.add_argument("--flood", type=int, default=40, help="/help@bot commands in the group")
    parser.add_argument("--flood-users", type=int, default=8, help="group members flooding")
    parser.add_argument(
        "--workers", type=int, default=None, help="POLICYBOT_CONCURRENT_UPDATES (default: its)"
    )
    args = parser.parse_args(argv)
    if min(args.users, args.flood, args.flood_users, args.workers or 1) < 1 or args.interval <= 0:
        print("error: counts and --interval must be positive", file=sys.stderr)
        return 2
    if args.duration < args.interval:
        print("error: --duration must be at least --interval", file=sys.stderr)
        return 2
    return run_event_loop(lambda: run(args))


if __name__ == "__main__":
    raise SystemExit(main())
