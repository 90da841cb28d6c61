"""Search latency at scale, beside a rapidfuzz full scan of every statement as the baseline.

``python -m benchmarks.search --sizes 1000,10000,100000`` builds (or reuses) a synthetic
knowledge base per size, loads it exactly as the bot does (``load_knowledge`` then
``SearchIndex(kb, SearchConfig())``) and times ``index.search(question)`` - the call the bot
makes for every message - over a fixed, seeded query mix. The baseline is what a bot without
an index would do: ``process.extract`` with ``token_set_ratio`` over all statement texts,
preprocessed once. Both see the same knowledge base and the same questions.

Why p99 as well as p50: the bot answers one update at a time, so one slow question delays every
question queued behind it; a good median with a bad tail is still a slow bot.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from benchmarks.common import (
    Query,
    QueryMaker,
    describe_machine,
    emit_json,
    ensure_kb,
    log,
    ms,
    parse_sizes,
    percentile,
    rounded,
    table,
)
from benchmarks.synth import DEFAULT_SEED
from bot.knowledge.loader import load_knowledge
from bot.search.engine import SearchConfig, SearchIndex

WARMUP = 30
FULLSCAN_WARMUP = 3
FULLSCAN_LIMIT = 5
FULLSCAN_WORK = 3_000_000  # statement comparisons per size: 500 queries at 1k... 30 at 100k
MIN_FULLSCAN_QUERIES = 30


@dataclass
class SizeResult:
    """Everything measured for one knowledge-base size."""

    size: int
    load_s: float
    index_s: float
    latencies_ns: list[int]
    fullscan_ns: list[int]
    answered: Counter[str] = field(default_factory=Counter)
    asked: Counter[str] = field(default_factory=Counter)
    hits: int = 0
    with_expected: int = 0
    slowest: list[tuple[int, Query]] = field(default_factory=list)

    @property
    def p50_ms(self) -> float:
        return ms(percentile(self.latencies_ns, 0.50))

    @property
    def p99_ms(self) -> float:
        return ms(percentile(self.latencies_ns, 0.99))

    @property
    def fullscan_p50_ms(self) -> float:
        return ms(percentile(self.fullscan_ns, 0.50))

    @property
    def speedup(self) -> float:
        return self.fullscan_p50_ms / self.p50_ms if self.p50_ms else float("nan")


def fullscan_count(size: int, queries: int) -> int:
    """Fewer full-scan queries at large sizes: each one compares against every statement."""
    return max(MIN_FULLSCAN_QUERIES, min(queries, FULLSCAN_WORK // size))


def run_size(size: int, queries_count: int, seed: int, cache: Path | None) -> SizeResult:
    directory = ensure_kb(size, seed=seed, cache=cache)
    started = time.perf_counter()
    kb = load_knowledge(directory)
    loaded = time.perf_counter()
    index = SearchIndex(kb, SearchConfig())
    indexed = time.perf_counter()
    log(f"{size:,}: loaded in {loaded - started:.2f} s, indexed in {indexed - loaded:.2f} s")

    maker = QueryMaker(kb)
    warmup = maker.mix(WARMUP)
    queries = maker.mix(queries_count)
    result = SizeResult(size, loaded - started, indexed - loaded, [], [])

    for query in warmup:
        index.search(query.text)
    gc.collect()
    for query in queries:
        begin = time.perf_counter_ns()
        answer = index.search(query.text)
        elapsed = time.perf_counter_ns() - begin
        result.latencies_ns.append(elapsed)
        result.slowest.append((elapsed, query))
        result.asked[query.kind] += 1
        if answer.answered:
            result.answered[query.kind] += 1
        if query.expected is not None:
            result.with_expected += 1
            if any(m.item.statement.id == query.expected for m in answer.matches):
                result.hits += 1
    result.slowest = sorted(result.slowest, key=lambda row: row[0], reverse=True)[:5]

    # Baseline: rapidfuzz over every statement text, preprocessed once (as DESIGN.md advises).
    choices = [utils.default_process(s.text) for s in kb.statements]
    scan = queries[: fullscan_count(size, queries_count)]
    for query in warmup[:FULLSCAN_WARMUP]:
        process.extract(
            utils.default_process(query.text),
            choices,
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=FULLSCAN_LIMIT,
        )
    for query in scan:
        begin = time.perf_counter_ns()
        process.extract(
            utils.default_process(query.text),
            choices,
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=FULLSCAN_LIMIT,
        )
        result.fullscan_ns.append(time.perf_counter_ns() - begin)
    log(
        f"{size:,}: search p50 {result.p50_ms:.3f} ms, p99 {result.p99_ms:.3f} ms; "
        f"full scan p50 {result.fullscan_p50_ms:.1f} ms over {len(scan)} queries"
    )
    return result


def report(results: list[SizeResult], queries_count: int) -> None:
    print("Search latency (policybot SearchIndex.search vs rapidfuzz full scan)")
    print(f"Machine: {describe_machine()}")
    print(f"Queries: {queries_count} per size (seeded mix), full scan on the first of them")
    print()
    print(
        table(
            [
                "statements",
                "load s",
                "index s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "p99/p50",
                "scan p50 ms",
                "scan n",
                "speedup",
            ],
            [
                (
                    r.size,
                    r.load_s,
                    r.index_s,
                    r.p50_ms,
                    ms(percentile(r.latencies_ns, 0.90)),
                    r.p99_ms,
                    ms(max(r.latencies_ns)),
                    r.p99_ms / r.p50_ms,
                    r.fullscan_p50_ms,
                    len(r.fullscan_ns),
                    r.speedup,
                )
                for r in results
            ],
        )
    )
    print()
    kinds = sorted({kind for r in results for kind in r.asked})
    print("Answered share by query kind (unanswerable should stay near 0):")
    print(
        table(
            ["statements", *kinds, "source in top 5"],
            [
                (
                    r.size,
                    *(f"{r.answered[k] / r.asked[k]:.0%}" if r.asked[k] else "-" for k in kinds),
                    f"{r.hits / r.with_expected:.0%}" if r.with_expected else "-",
                )
                for r in results
            ],
        )
    )
    print()
    for r in results:
        print(f"Slowest at {r.size:,}:")
        for elapsed, query in r.slowest:
            print(f"  {ms(elapsed):8.2f} ms  [{query.kind}] {query.text}")
    print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.search", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated sizes")
    parser.add_argument("--queries", type=int, default=500, help="timed queries per size")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="knowledge-base seed")
    parser.add_argument("--cache-dir", type=Path, default=None, help="synthetic KB cache")
    args = parser.parse_args(argv)
    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = [run_size(size, args.queries, args.seed, args.cache_dir) for size in sizes]
    report(results, args.queries)
    emit_json(
        {
            "search": {
                str(r.size): {
                    "p50_ms": rounded(r.p50_ms, 4),
                    "p99_ms": rounded(r.p99_ms, 4),
                    "fullscan_p50_ms": rounded(r.fullscan_p50_ms, 3),
                    "speedup": rounded(r.speedup, 1),
                }
                for r in results
            }
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
