"""Search latency while a reload runs: the reload is built in a worker thread and swapped in,
so questions keep being answered from the old index; this measures what that costs them.

    python -m benchmarks.reload --size 100000

Last line: {"reload": {"<size>": {"p50_ms": .., "p99_ms": .., "p50_during_ms": ..,
"p99_during_ms": .., "p99_ratio": .., "reload_s": ..}}}
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import (
    QueryMaker,
    describe_machine,
    emit_json,
    ensure_kb,
    log,
    ms,
    percentile,
    rounded,
)
from bot.runtime.library import Library
from bot.search.engine import SearchConfig

QUERIES = 400


async def _timed_searches(
    library: Library, questions: list[str], stop: asyncio.Event | None
) -> list[int]:
    """Answer questions one after another on the event loop, as the bot does, yielding to the
    loop between them; with ``stop``, keep cycling until it is set."""
    latencies: list[int] = []
    index = 0
    while True:
        question = questions[index % len(questions)]
        started = time.perf_counter_ns()
        library.index.search(question)
        latencies.append(time.perf_counter_ns() - started)
        index += 1
        await asyncio.sleep(0)
        if stop is None and index >= len(questions):
            return latencies
        if stop is not None and stop.is_set():
            return latencies


async def measure(size: int, cache: Path | None) -> dict[str, float | None]:
    directory = ensure_kb(size, cache=cache)
    library = Library(directory, SearchConfig())
    log(f"loading {size:,} statements")
    assert library.reload_sync().ok
    questions = [q.text for q in QueryMaker(library.index.kb).mix(QUERIES)]
    await _timed_searches(library, questions[:50], None)  # warm up
    quiet = await _timed_searches(library, questions, None)
    stop = asyncio.Event()
    started = time.perf_counter()

    async def reload() -> None:
        result = await library.reload()
        assert result.ok
        stop.set()

    task = asyncio.create_task(reload())
    during = await _timed_searches(library, questions, stop)
    await task
    reload_s = time.perf_counter() - started
    p99, p99_during = percentile(quiet, 0.99), percentile(during, 0.99)
    return {
        "p50_ms": rounded(ms(percentile(quiet, 0.5)), 4),
        "p99_ms": rounded(ms(p99), 4),
        "p50_during_ms": rounded(ms(percentile(during, 0.5)), 4),
        "p99_during_ms": rounded(ms(p99_during), 4),
        "p99_ratio": rounded(p99_during / p99, 2),
        "reload_s": rounded(reload_s, 2),
        "searches_during": len(during),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reload")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    print(describe_machine())
    result = asyncio.run(measure(args.size, args.cache_dir))
    print(
        f"{args.size:,} statements: p99 {result['p99_ms']} ms quiet, "
        f"{result['p99_during_ms']} ms during a {result['reload_s']} s reload "
        f"({result['p99_ratio']}×, target ≤ 2×)"
    )
    emit_json({"reload": {str(args.size): result}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
