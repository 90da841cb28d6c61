"""Start-up cost at scale: load + validate + index time, and peak memory, per size.

``python -m benchmarks.load --sizes 10000,100000`` runs each measurement in a fresh Python
process (``--child``), because peak RSS (``ru_maxrss``) only ever grows: measured in one
process, the 100,000-statement figure would include whatever the 10,000 run left behind, and
the first size would pay for the imports. The child reports the interpreter's RSS after the
imports as well, so the share of memory that is the knowledge base itself is visible.

Three starts per size, each what ``Library.build`` does (``load_knowledge`` then
``SearchIndex``):

* **cold**: no parse cache (``cache_dir=None``): read, parse, validate, cross-check, index;
* **fill**: the first start with an empty parse cache, which also writes it;
* **warm**: a start with that cache filled, as after a restart with unchanged files.

The operating system's file cache is warm in every case (the files were just generated or
read), so disk speed is not measured.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import (
    describe_machine,
    emit_json,
    ensure_kb,
    log,
    parse_sizes,
    rounded,
    table,
)
from benchmarks.synth import DEFAULT_SEED

KIB_PER_MIB = 1024  # Linux reports ru_maxrss in KiB
REPO = Path(__file__).resolve().parent.parent  # the child runs `-m benchmarks.load` from here


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB


def child(directory: Path, cache: Path | None) -> dict[str, Any]:
    """One start in this (fresh) process, exactly as ``Library.build`` does it (the collector
    paused while building); imports happen before the clock starts."""
    from bot.knowledge.loader import load_knowledge
    from bot.runtime.library import _collector_paused
    from bot.search.engine import SearchConfig, SearchIndex

    baseline = _rss_mb()
    with _collector_paused():
        started = time.perf_counter()
        kb = load_knowledge(directory, cache_dir=cache)
        loaded = time.perf_counter()
        after_load = _rss_mb()
        index = SearchIndex(
            kb, SearchConfig(), cache_dir=cache / "index" if cache is not None else None
        )
        indexed = time.perf_counter()
    return {
        "statements": len(kb.statements),
        "load_s": loaded - started,
        "index_s": indexed - loaded,
        "cold_s": indexed - started,
        "baseline_rss_mb": baseline,
        "load_rss_mb": after_load,
        "peak_rss_mb": _rss_mb(),
        "terms": len(index.terms.postings),
    }


def measure(directory: Path, cache: Path | None = None) -> dict[str, Any]:
    """Run :func:`child` in a new interpreter and read its one JSON line."""
    command = [sys.executable, "-m", "benchmarks.load", "--child", str(directory)]
    if cache is not None:
        command += ["--child-cache", str(cache)]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"child failed ({completed.returncode}):\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median run by time, with the highest peak RSS of all of them."""
    ordered = sorted(runs, key=lambda r: r["cold_s"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per size")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="knowledge-base seed")
    parser.add_argument("--cache-dir", type=Path, default=None, help="synthetic KB cache")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-cache", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.child_cache)))
        return 0
    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    rows: dict[int, dict[str, dict[str, Any]]] = {}
    repeat = max(1, args.repeat)
    for size in sizes:
        directory = ensure_kb(size, seed=args.seed, cache=args.cache_dir)
        with tempfile.TemporaryDirectory(prefix="policybot-parse-cache-") as tmp:
            cache = Path(tmp) / "cache"
            cold = [measure(directory) for _ in range(repeat)]
            fill = measure(directory, cache)
            warm = [measure(directory, cache) for _ in range(repeat)]
        rows[size] = {"cold": _median(cold), "fill": fill, "warm": _median(warm)}
        for name, run in rows[size].items():
            log(
                f"{size:,} {name}: {run['cold_s']:.2f} s (load {run['load_s']:.2f} + "
                f"index {run['index_s']:.2f}), peak RSS {run['peak_rss_mb']:.0f} MB"
            )

    print("Start-up cost (fresh process per run: load_knowledge + SearchIndex)")
    print(f"Machine: {describe_machine()}")
    print(f"Runs per size: {repeat} cold and {repeat} warm (median by time; highest peak RSS)")
    print()
    print(
        table(
            [
                "statements",
                "start",
                "load s",
                "index s",
                "total s",
                "RSS after imports MB",
                "RSS after load MB",
                "peak RSS MB",
                "index terms",
            ],
            [
                (
                    f"{size:,}",
                    name,
                    run["load_s"],
                    run["index_s"],
                    run["cold_s"],
                    run["baseline_rss_mb"],
                    run["load_rss_mb"],
                    run["peak_rss_mb"],
                    run["terms"],
                )
                for size, runs in rows.items()
                for name, run in runs.items()
            ],
        )
    )
    print()
    print("cold: no parse cache; fill: first start writing the cache; warm: cache filled.")
    print()
    emit_json(
        {
            "load": {
                str(size): {
                    "cold_s": rounded(runs["cold"]["cold_s"], 3),
                    "warm_s": rounded(runs["warm"]["cold_s"], 3),
                    "peak_rss_mb": rounded(max(run["peak_rss_mb"] for run in runs.values()), 1),
                }
                for size, runs in rows.items()
            }
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
