"""What the benchmarks share: cached synthetic knowledge bases, the query mix, statistics, output.

The query mix is derived from a *loaded* KnowledgeBase rather than from the generator's
internals, so a cached knowledge base (or any other one, such as the bundled ``knowledge/``)
gets a comparable, seeded mix: keyword queries, full questions, typos, speaker and date
filters, and questions the bot must decline.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import math
import os
import platform
import random
import re
import shutil
import sys
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.synth import DEFAULT_SEED, GENERATOR_VERSION, generate
from bot.knowledge.models import KnowledgeBase, Statement
from bot.search.lexicon import STOPWORDS, zipf

CACHE_ENV = "POLICYBOT_BENCH_CACHE"
DEFAULT_CACHE = Path("/tmp/policybot-bench")
COMPLETE_MARKER = ".complete"  # hidden: the loader skips dot-files
QUERY_SEED = 7
KIND_SHARES: tuple[tuple[str, int], ...] = (
    ("keyword", 25),
    ("question", 20),
    ("typo", 15),
    ("speaker", 15),
    ("date", 10),
    ("unanswerable", 15),
)
MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_PROGRAMME = re.compile(r"\b[A-Z][a-z]+ (?:Initiative|Compact|Accord|Plan|Programme|Partnership)\b")
UNANSWERABLE = (
    "Who won the football world cup in {year}?",
    "What is the weather in Paris tomorrow?",
    "What is Japan's policy on {topic}?",
    "What did Putin say about {topic}?",
    "How do I bake sourdough bread at home?",
    "What does {country} think about quantum zeppelins and submarine tulips?",
    "Tell me a joke about penguins",
    "bitcoin price today",
    "What did Minister Zorblaxian say about moon mining?",
    "Is the Olympic marathon route going through the desert this year?",
    "Which smartphone has the best camera?",
    "What are the rules of cricket?",
)


def cache_root(override: Path | None = None) -> Path:
    """Where synthetic knowledge bases are kept between runs (outside the repository)."""
    if override is not None:
        return override
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def ensure_kb(size: int, *, seed: int = DEFAULT_SEED, cache: Path | None = None) -> Path:
    """The synthetic knowledge base of ``size`` statements, generated once and then reused.

    It is written to a temporary sibling and renamed when complete, so an interrupted run
    never leaves a half-written knowledge base that a later run would trust.
    """
    root = cache_root(cache)
    target = root / f"kb-{size}-seed{seed}-v{GENERATOR_VERSION}"
    if (target / COMPLETE_MARKER).exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f".partial-{target.name}-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    started = time.perf_counter()
    counts = generate(size, partial, seed)
    (partial / COMPLETE_MARKER).write_text(json.dumps(counts) + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    log(f"generated {target} ({size:,} statements) in {time.perf_counter() - started:.1f} s")
    return target


def parse_sizes(text: str) -> list[int]:
    """``"1000,10k,100000"`` → ``[1000, 10000, 100000]``."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        factor = 1000 if part.endswith("k") else 1
        sizes.append(int(part.removesuffix("k")) * factor)
    if not sizes or min(sizes) < 1:
        raise ValueError(f"bad --sizes {text!r}")
    return sizes


def log(message: str) -> None:
    """Progress goes to stderr, so stdout stays the table plus the final JSON line."""
    print(message, file=sys.stderr, flush=True)


def emit_json(payload: dict[str, Any]) -> None:
    """The last line of stdout: one JSON object for scripts and RESULTS.md."""
    print(json.dumps(payload, separators=(", ", ": ")), flush=True)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: p99 of 500 samples is the 495th value)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def ms(nanoseconds: float) -> float:
    return nanoseconds / 1e6


def rounded(value: float | None, digits: int = 3) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(value, digits)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain fixed-width table (right-aligned numbers), as the eval command prints."""
    cells = [[str(h) for h in headers], *([_cell(v) for v in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        lines.append(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine() -> dict[str, Any]:
    """Cores, CPU model, Python and date: what a reader needs to compare figures."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.date.today().isoformat(),
    }


def describe_machine() -> str:
    info = machine()
    return (
        f"{info['cores']} cores, {info['cpu']}, Python {info['python']}, "
        f"{info['platform']}, {info['date']}"
    )


# ----------------------------------------------------------------------------- the query mix


@dataclass(frozen=True, slots=True)
class Query:
    """One benchmark question; ``expected`` is the statement it was made from, if any."""

    kind: str
    text: str
    expected: str | None = None


COMMON_ZIPF = 5.5  # everyday words ("people", "time") say little about a statement


def _content_words(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for word in _WORD.findall(text):
        key = word.lower()
        if len(key) >= 4 and key not in STOPWORDS and zipf(key) < COMMON_ZIPF:
            seen.setdefault(key, word)
    return list(seen.values())


def _typo(rng: random.Random, text: str) -> str:
    """One realistic slip in one longer word: swapped, dropped or doubled letter."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    action = rng.randrange(3)
    if action == 0:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    elif action == 1:
        word = word[:j] + word[j + 1 :]
    else:
        word = word[:j] + word[j] + word[j:]
    words[i] = word
    return " ".join(words)


class QueryMaker:
    """Seeded questions drawn from a knowledge base's own statements, speakers and topics."""

    def __init__(self, kb: KnowledgeBase, seed: int = QUERY_SEED) -> None:
        self.kb = kb
        self.rng = random.Random(seed)
        self.statements = kb.statements
        self.countries = sorted({s.country for s in kb.speakers.values() if s.country})

    def _statement(self) -> Statement:
        return self.rng.choice(self.statements)

    def _topic_name(self, statement: Statement) -> str:
        if not statement.topics:
            return "policy"
        topic = self.kb.topics[self.rng.choice(statement.topics)]
        return self.rng.choice(topic.names)

    def keyword(self) -> Query:
        s = self._statement()
        words = _content_words(s.text)
        k = min(len(words), self.rng.randint(2, 4))
        return Query("keyword", " ".join(self.rng.sample(words, k)), s.id)

    def question(self) -> Query:
        rng = self.rng
        s = self._statement()
        country = self.kb.speakers[s.speaker].country or "the government"
        programme = _PROGRAMME.search(s.text)
        choice = rng.randrange(3)
        if choice == 0 and s.questions:
            return Query("question", rng.choice(s.questions), s.id)
        if choice == 1 and programme:
            return Query("question", f"What is {country}'s position on the {programme[0]}?", s.id)
        topic = self._topic_name(s)
        return Query("question", f"Is {country} ready to cooperate with its partners on {topic}?")

    def typo(self) -> Query:
        base = self.keyword() if self.rng.random() < 0.5 else self.question()
        return Query("typo", _typo(self.rng, base.text), base.expected)

    def speaker(self) -> Query:
        rng = self.rng
        s = self._statement()
        name = rng.choice(self.kb.speakers[s.speaker].names)
        topic = self._topic_name(s)
        form = rng.choice(
            (
                "What did {name} say about {topic}?",
                "{name} on {topic}",
                "What is {name}'s view on {topic}?",
                "Has {name} commented on {topic}?",
            )
        )
        return Query("speaker", form.format(name=name, topic=topic))

    def date(self) -> Query:
        rng = self.rng
        s = self._statement()
        speaker = self.kb.speakers[s.speaker]
        topic = self._topic_name(s)
        month, year = MONTH_NAMES[s.date.month - 1], s.date.year
        form = rng.choice(
            (
                "What did {name} say about {topic} in {month} {year}?",
                "{topic} in {year}",
                "What has {country} said about {topic} since {year}?",
                "latest on {topic}",
                "What did {name} say before {year}?",
            )
        )
        text = form.format(
            name=speaker.name,
            topic=topic,
            month=month,
            year=year,
            country=speaker.country or "the government",
        )
        return Query("date", text)

    def unanswerable(self) -> Query:
        rng = self.rng
        s = self._statement()
        form = rng.choice(UNANSWERABLE)
        text = form.format(
            year=rng.randint(1990, 2030),
            topic=self._topic_name(s),
            country=rng.choice(self.countries) if self.countries else "Examplia",
        )
        return Query("unanswerable", text)

    def mix(self, count: int) -> list[Query]:
        """``count`` queries in the fixed shares of KIND_SHARES, shuffled (seeded)."""
        total = sum(share for _, share in KIND_SHARES)
        queries: list[Query] = []
        for kind, share in KIND_SHARES:
            queries += [getattr(self, kind)() for _ in range(round(count * share / total))]
        while len(queries) < count:
            queries.append(self.keyword())
        self.rng.shuffle(queries)
        return queries[:count]


def run_event_loop(main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """How the end-to-end benchmarks run: quiet logs, PTB's timedelta mode, Ctrl-C exits 130."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(main())
    return 130
