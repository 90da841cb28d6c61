"""The offline console chat: the same pipeline as Telegram, rendered as plain text."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.answers.answer import Answer
from bot.answers.render import answer_text
from bot.config import Settings
from bot.runtime.library import Library, ReloadResult
from bot.runtime.watch import watch_in_thread

PROMPT = "you> "
HELP = (
    "Ask about official policy statements, e.g. “{question}”.\n"
    "Commands: more (next results), help, quit. Ctrl-D or Ctrl-C also quits."
)


def run_console(
    library: Library,
    settings: Settings,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Read questions line by line until EOF; never dies on a question."""
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    result = library.reload_sync()
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        return 1
    kb = library.index.kb
    print(
        f"policybot: {kb.summary()} (newest {kb.newest_date}). Type a question; "
        "'help' for commands.",
        file=out,
        flush=True,
    )
    stop_watching = None
    if settings.watch:

        def announce(result: ReloadResult) -> None:
            if result.ok:
                print(f"\n(knowledge base reloaded: {result.summary})", file=out, flush=True)
                return
            print(f"\n(reload failed, {result.summary}:)", file=out, flush=True)
            for problem in result.problems:
                print(f"  {problem}", file=out, flush=True)

        stop_watching = watch_in_thread(library, announce)
    try:
        return _chat_loop(library, settings, stdin, out)
    finally:
        if stop_watching is not None:
            stop_watching.set()


def _chat_loop(library: Library, settings: Settings, stdin: TextIO, out: TextIO) -> int:
    last: Answer | None = None
    shown = 0
    interactive = stdin.isatty()
    while True:
        if interactive:
            print(PROMPT, end="", file=out, flush=True)
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            print(file=out)
            return 0
        if not line:
            return 0
        question = line.strip()
        if not question:
            continue
        command = question.casefold()
        if command in {"quit", "exit", "/quit", "/exit"}:
            return 0
        if command in {"help", "/help", "?"}:
            print(HELP.format(question=library.index.examples().question), file=out, flush=True)
            continue
        if command in {"more", "/more"}:
            if last is None or shown >= len(last.matches):
                print("No more results.", file=out, flush=True)
                continue
            page = Answer(last.question, last.status, last.matches[shown : shown + 1])
            print(
                answer_text(page).replace("[1]", f"[{shown + 1}]", 1) + "\n", file=out, flush=True
            )
            shown += 1
            continue
        answer = library.index.search(question, limit=settings.max_results)
        first = Answer(
            answer.question, answer.status, answer.matches[:1], answer.suggestions, answer.notice
        )
        text = answer_text(first)
        if len(answer.matches) > 1:
            text += f"\n\n({len(answer.matches) - 1} more: type 'more')"
        print(text + "\n", file=out, flush=True)
        last, shown = answer, 1
