"""The `policybot` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from bot import __version__
from bot.answers.answer import to_json
from bot.answers.render import answer_text
from bot.config import Settings
from bot.knowledge.files import here
from bot.knowledge.loader import KnowledgeError, Problem, load_knowledge
from bot.runtime.library import Library
from bot.runtime.logs import quiet_noisy_loggers
from bot.search.engine import SearchIndex
from bot.tools.lint.findings import from_problems, summary

logger = logging.getLogger(__name__)

NO_TOKEN_HINT = (
    "No TELEGRAM_BOT_TOKEN configured: starting the console chat on the knowledge base. "
    "To connect to Telegram, put TELEGRAM_BOT_TOKEN=<token from @BotFather> in .env "
    "(see README) and run `make run` again."
)


TELEGRAM_ENTRY_POINTS = "policybot.frontends"
SHIPPED = Path("-")  # `eval --fit` without a path: the shipped model file of the mode
EMPTY_STATUS = "empty"  # `ask --file`: a blank line, answered with a blank answer


def _telegram_runner() -> Callable[[Settings], int]:
    """The Telegram front end, found through the package's entry point rather than imported:
    the core never imports ``telegram`` or ``handlers`` (see pyproject's entry-points)."""
    (entry,) = entry_points(group=TELEGRAM_ENTRY_POINTS, name="telegram")
    runner: Callable[[Settings], int] = entry.load()
    return runner


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policybot", description="Answers questions about official policy statements."
    )
    parser.add_argument("--version", action="version", version=f"policybot {__version__}")
    parser.add_argument(
        "--knowledge",
        type=Path,
        metavar="DIR",
        help="knowledge directory (default: POLICYBOT_KNOWLEDGE_DIR or bundled)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="run the Telegram bot (the console chat when no token is set)")
    sub.add_parser("chat", help="console chat on the knowledge base")

    ask = sub.add_parser("ask", help="answer one question (or a file of them)")
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--file", type=Path, help="one question per line; one JSON line out each")
    ask.add_argument("--json", action="store_true", help="print the JSON contract")
    ask.add_argument("--limit", type=int, default=None, help="at most N results")
    ask.add_argument(
        "--explain", action="store_true", help="show the parsed query and per-field scores"
    )

    sub.add_parser("validate", help="check the knowledge base loads; path:line per problem")

    lint = sub.add_parser(
        "lint", help="review the knowledge base beyond validate; path:line per finding"
    )
    lint.add_argument("--strict", action="store_true", help="treat warnings as errors (for CI)")
    lint.add_argument(
        "--near-duplicate-threshold",
        type=int,
        default=90,
        metavar="N",
        help="percent of words two statements share to be near-duplicates (1-100, default 90)",
    )
    lint.add_argument(
        "--stale-days",
        type=int,
        default=730,
        metavar="N",
        help="warn when a topic's newest statement is older than N days (default 730)",
    )

    draft = sub.add_parser(
        "draft", help="print a draft statements file for an article (writes nothing)"
    )
    draft.add_argument("article", type=Path, help="plain-text news article or transcript")
    draft.add_argument("--source-id", metavar="ID", help="default: publisher-date-title words")
    draft.add_argument("--publisher", help="default: the dateline's agency, e.g. (Xinhua)")
    draft.add_argument("--url", help="default: null")
    draft.add_argument(
        "--published",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="default: the first full date in the article",
    )
    draft.add_argument("--title", help="default: the article's first line")

    unanswered = sub.add_parser(
        "unanswered", help="questions the bot could not answer, grouped, most asked first"
    )
    unanswered.add_argument("--since", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    unanswered.add_argument("--format", choices=("text", "yaml"), default="text")
    unanswered.add_argument("--limit", type=int, default=None, help="at most N groups")
    unanswered.add_argument(
        "--purge", action="store_true", help="delete rows older than POLICYBOT_RETENTION_DAYS"
    )
    sub.add_parser("stats", help="counts by speaker, topic, source and year; recent misses")

    evaluate = sub.add_parser("eval", help="measure answer quality on a question set")
    evaluate.add_argument("cases", type=Path, help="questions YAML (see tests/eval/README.md)")
    evaluate.add_argument("--json", action="store_true", help="machine-readable report")
    evaluate.add_argument("--min-top1", type=float, default=0.0)
    evaluate.add_argument("--min-top3", type=float, default=0.0)
    evaluate.add_argument("--min-abstention", type=float, default=0.0)
    evaluate.add_argument(
        "--threshold", type=float, default=None, help="override the configured confidence threshold"
    )
    evaluate.add_argument(
        "--fit",
        type=Path,
        nargs="?",
        const=SHIPPED,
        default=None,
        metavar="OUT",
        help="fit the confidence model on a suite's fit sets and write it (default: shipped one)",
    )
    evaluate.add_argument("--misses", action="store_true", help="list every miss (suites)")
    evaluate.add_argument(
        "--semantic", action="store_true", help="with the optional sentence-embedding reranker"
    )
    for command in sub.choices.values():  # `policybot validate --knowledge DIR` works too
        command.add_argument(
            "--knowledge", type=Path, metavar="DIR", default=argparse.SUPPRESS, help="as above"
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # bm25s (the eval baseline) sets its own logger to DEBUG
        quiet_noisy_loggers()
    overrides = {"POLICYBOT_KNOWLEDGE_DIR": args.knowledge} if args.knowledge else {}
    settings = Settings(**overrides)
    handler = COMMANDS[args.command]
    try:
        return handler(args, settings)
    except KnowledgeError as exc:  # any command but validate and lint: the list goes to stderr
        findings = from_problems(_from_here(p, settings.knowledge_dir) for p in exc.problems)
        for finding in findings:
            print(finding, file=sys.stderr)
        print(f"{_shown_dir(settings)}: {summary(findings)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `policybot ask … | head`
        return 0


def _shown_dir(settings: Settings) -> str:
    return here(settings.knowledge_dir, Path.cwd())


def _from_here(problem: Problem, directory: Path) -> Problem:
    """A problem the library reported (``knowledge/x.yaml``) with its path from here."""
    head, _, rest = problem.path.partition("/")
    if head != directory.name or not rest:
        return problem
    return Problem(here(directory / rest, Path.cwd()), problem.line, problem.message)


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    """Would the bot load this? Loading and validating is the whole answer: indexing cannot
    fail. Every problem as ``path:line: error: message``, then the count line lint ends with."""
    try:
        kb = load_knowledge(
            settings.knowledge_dir,
            max_file_bytes=settings.max_file_bytes,
            cache_dir=settings.cache_dir,
            paths_from=Path.cwd(),
        )
    except KnowledgeError as exc:
        findings = from_problems(exc.problems)
        for finding in findings:
            print(finding)
        print(f"{_shown_dir(settings)}: {summary(findings)}")
        return 1
    print(f"{_shown_dir(settings)}: {summary([])} ({kb.summary()}; version {kb.content_hash[:12]})")
    return 0


def cmd_lint(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tools.lint import ERROR, lint_knowledge, strict

    if not 1 <= args.near_duplicate_threshold <= 100 or args.stale_days < 1:
        print(
            "lint: --near-duplicate-threshold takes 1-100, --stale-days 1 or more", file=sys.stderr
        )
        return 2
    findings = lint_knowledge(
        settings.knowledge_dir,
        near_duplicate_threshold=args.near_duplicate_threshold,
        stale_days=args.stale_days,
        max_file_bytes=settings.max_file_bytes,
        paths_from=Path.cwd(),
    )
    if args.strict:
        findings = strict(findings)
    for finding in findings:
        print(finding)
    print(f"{_shown_dir(settings)}: {summary(findings)}")
    return 1 if any(finding.severity == ERROR for finding in findings) else 0


def cmd_draft(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tools.draft import draft_statements

    try:
        text = args.article.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"draft: cannot read {args.article}: {exc}", file=sys.stderr)
        return 1
    index: SearchIndex | None
    try:
        index = Library.from_settings(settings).build()
    except KnowledgeError as exc:
        print(
            f"draft: the knowledge base did not load ({len(exc.problems)} problem(s)); "
            "every speaker is drafted as new",
            file=sys.stderr,
        )
        index = None
    print(
        draft_statements(
            text,
            index,
            source_id=args.source_id,
            publisher=args.publisher,
            url=args.url,
            published=args.published,
            title=args.title,
            article=args.article.name,
        ),
        end="",
    )
    return 0


def empty_json(question: str = "") -> dict[str, object]:
    """The JSON line for a blank input line: nothing asked, so nothing answered."""
    return {
        "question": question,
        "answered": False,
        "status": EMPTY_STATUS,
        "results": [],
        "suggestions": [],
        "notice": None,
    }


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if (args.question is None) == (args.file is None):
        print("ask: give a QUESTION or --file FILE (not both)", file=sys.stderr)
        return 2
    index = Library.from_settings(settings).build()
    if args.file is not None:
        # exactly one JSON line per input line, blank ones included, so outputs line up
        for line in args.file.read_text(encoding="utf-8").splitlines():
            question = line.strip()
            row = to_json(index.search(question, limit=args.limit)) if question else empty_json()
            print(json.dumps(row, ensure_ascii=False))
        return 0
    answer = index.search(args.question, limit=args.limit)
    if args.explain:
        from bot.tools.explain import explain_text

        print(explain_text(answer, index))
        return 0
    if args.json:
        row = to_json(answer) if args.question.strip() else empty_json(args.question)
        print(json.dumps(row, ensure_ascii=False, indent=2))
    else:
        print(answer_text(answer))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tools.console import run_console

    return run_console(Library.from_settings(settings), settings)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.token is None:
        print(NO_TOKEN_HINT, flush=True)
        return cmd_chat(args, settings)
    return _telegram_runner()(settings)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tools.evaluate import run_eval

    return run_eval(args, settings)


def cmd_unanswered(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.store import Store, utcnow
    from bot.tools.unanswered import cluster, format_text, format_yaml

    store = Store(settings.database)
    if not store.enabled:
        print(f"unanswered: no usable database: {store.disabled_reason}", file=sys.stderr)
        return 1
    try:
        if args.purge:
            cutoff = utcnow() - dt.timedelta(days=settings.retention_days)
            removed = store.purge(cutoff)
            print(f"purged {removed} row(s) older than {cutoff.date()}")
            return 0
        since = dt.datetime.combine(args.since, dt.time(), tzinfo=dt.UTC) if args.since else None
        clusters = cluster(store.events(since=since))
    finally:
        store.close()
    if args.format != "yaml":
        print(format_text(clusters, limit=args.limit))
        return 0
    try:  # to ask each question again: answered by now, or off-topic?
        index: SearchIndex | None = Library.from_settings(settings).build()
    except KnowledgeError as exc:
        print(
            f"unanswered: the knowledge base does not load ({len(exc.problems)} problem(s)); "
            "off-topic questions are not told apart",
            file=sys.stderr,
        )
        index = None
    print(format_yaml(clusters, limit=args.limit, index=index), end="")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.journal import journal_size
    from bot.runtime.store import Store
    from bot.tools.stats import stats_text

    index = Library.from_settings(settings).build()
    store = Store(settings.database) if settings.database.exists() else None
    try:
        print(stats_text(index.kb, store, journal_size(settings.journal_path)))
    finally:
        if store is not None:
            store.close()
    return 0


COMMANDS = {
    "run": cmd_run,
    "chat": cmd_chat,
    "ask": cmd_ask,
    "validate": cmd_validate,
    "lint": cmd_lint,
    "draft": cmd_draft,
    "eval": cmd_eval,
    "unanswered": cmd_unanswered,
    "stats": cmd_stats,
}
