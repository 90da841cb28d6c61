"""The offline console chat: the same pipeline as Telegram, rendered as plain text.

On a terminal, lines are read with the standard library's ``readline`` where it exists (arrow
keys edit the line, up and down walk the history, which is kept between sessions), and a reload
message arriving while a question is being typed is printed once, above the prompt, and the
prompt is drawn again with what had been typed so far.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
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
HISTORY_FILE = "chat_history"
HISTORY_LENGTH = 1000
CLEAR_LINE = "\r\x1b[K"  # back to the line's start and erase it (every terminal since the VT100)
LIBRARY_LOGGER = "bot.runtime.library"  # logs each reload problem; the console prints them itself


def _readline() -> ModuleType | None:
    try:
        import readline
    except ImportError:  # Windows without pyreadline, or a Python built without it
        return None
    return readline


class Terminal:
    """Where the chat reads and writes: a terminal with line editing, or plain streams."""

    def __init__(self, stdin: TextIO, out: TextIO, history: Path | None) -> None:
        self.stdin, self.out = stdin, out
        self.interactive = stdin.isatty()
        self.readline = _readline() if self.interactive and stdin is sys.stdin else None
        self.history = history if self.readline is not None else None
        self._lock = threading.Lock()
        if self.readline is not None and self.history is not None:
            self.readline.set_history_length(HISTORY_LENGTH)
            with contextlib.suppress(OSError):
                self.readline.read_history_file(self.history)

    def read(self) -> str:
        """One line, without its newline; "" at the end of input."""
        if self.readline is not None:
            try:
                return input(PROMPT) + "\n"
            except EOFError:
                return ""
        if self.interactive:
            self.say(PROMPT, end="")
        return self.stdin.readline()

    def say(self, text: str, *, end: str = "\n") -> None:
        with self._lock:
            print(text, end=end, file=self.out, flush=True)

    def announce(self, text: str) -> None:
        """A message from another thread: printed once, above the prompt, which is redrawn."""
        if not self.interactive:
            self.say(text)
            return
        typed = self.readline.get_line_buffer() if self.readline is not None else ""
        self.say(f"{CLEAR_LINE}{text}\n{PROMPT}{typed}", end="")

    def close(self) -> None:
        if self.readline is not None and self.history is not None:
            with contextlib.suppress(OSError):
                self.history.parent.mkdir(parents=True, exist_ok=True)
                self.readline.write_history_file(self.history)


def reload_message(result: ReloadResult) -> str:
    if result.ok:
        return f"(knowledge base reloaded: {result.summary})"
    lines = [f"(reload failed, {result.summary}; {len(result.problems)} problem(s):)"]
    lines += [f"  {problem}" for problem in result.problems]
    return "\n".join(lines)


class _Drop(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextlib.contextmanager
def _library_quiet() -> Iterator[None]:
    """The console shows reload problems itself; the library's log lines would repeat them."""
    logger, drop = logging.getLogger(LIBRARY_LOGGER), _Drop()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def history_path(settings: Settings) -> Path | None:
    cache = settings.cache_dir
    return cache.parent / HISTORY_FILE if cache is not None else None


def run_console(
    library: Library,
    settings: Settings,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Read questions line by line until EOF; never dies on a question."""
    terminal = Terminal(stdin or sys.stdin, stdout or sys.stdout, history_path(settings))
    with _library_quiet():
        result = library.reload_sync()
        if not result.ok:
            for problem in result.problems:
                print(problem, file=sys.stderr)
            return 1
        kb = library.index.kb
        terminal.say(
            f"policybot: {kb.summary()} (newest {kb.newest_date}). Type a question; "
            "'help' for commands."
        )
        stop_watching = None
        if settings.watch:
            stop_watching = watch_in_thread(
                library, lambda result: terminal.announce(reload_message(result))
            )
        try:
            return _chat_loop(library, settings, terminal)
        finally:
            if stop_watching is not None:
                stop_watching.set()
            terminal.close()


def _chat_loop(library: Library, settings: Settings, terminal: Terminal) -> int:
    last: Answer | None = None
    shown = 0
    while True:
        try:
            line = terminal.read()
        except KeyboardInterrupt:
            terminal.say("")
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
            terminal.say(HELP.format(question=library.index.examples().question))
            continue
        if command in {"more", "/more"}:
            if last is None or shown >= len(last.matches):
                terminal.say("No more results.")
                continue
            page = Answer(last.question, last.status, last.matches[shown : shown + 1])
            terminal.say(answer_text(page).replace("[1]", f"[{shown + 1}]", 1) + "\n")
            shown += 1
            continue
        answer = library.index.search(question, limit=settings.max_results)
        first = Answer(
            answer.question, answer.status, answer.matches[:1], answer.suggestions, answer.notice
        )
        text = answer_text(first)
        if len(answer.matches) > 1:
            text += f"\n\n({len(answer.matches) - 1} more: type 'more')"
        terminal.say(text + "\n")
        last, shown = answer, 1
