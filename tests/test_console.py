"""The console chat on a terminal: line editing and history (readline), and reload messages
printed once above the prompt, which is redrawn with what was being typed.

The terminal tests run the real program on a pseudo-terminal, as a maintainer would.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import os
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.knowledge.problems import Problem
from bot.runtime.library import Library, ReloadResult
from bot.search.engine import SearchConfig
from bot.tools.console import CLEAR_LINE, PROMPT, Terminal, _library_quiet, reload_message
from tests.fictional import FictionalKB

needs_pty = pytest.mark.skipif(
    sys.platform == "win32" or importlib.util.find_spec("readline") is None,
    reason="needs a pseudo-terminal and readline",
)
BROKEN_TOPICS_LINE = "  - id: [unclosed\n"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_message_from_the_watcher_is_printed_above_a_redrawn_prompt() -> None:
    out = io.StringIO()
    terminal = Terminal(FakeTTY(), out, None)
    terminal.announce("(knowledge base reloaded: 3 statements)")
    assert out.getvalue() == f"{CLEAR_LINE}(knowledge base reloaded: 3 statements)\n{PROMPT}"


def test_without_a_terminal_a_message_is_one_plain_line() -> None:
    out = io.StringIO()
    Terminal(io.StringIO(), out, None).announce("(knowledge base reloaded)")
    assert out.getvalue() == "(knowledge base reloaded)\n"


def test_a_failed_reload_lists_each_problem_once() -> None:
    problems = (Problem("knowledge/topics.yaml", 4, "YAML: something"),)
    message = reload_message(ReloadResult(False, "still serving abc", problems))
    assert message.splitlines() == [
        "(reload failed, still serving abc; 1 problem(s):)",
        "  knowledge/topics.yaml:4: YAML: something",
    ]


def test_the_library_does_not_log_what_the_console_prints(
    fictional_kb: FictionalKB, caplog: pytest.LogCaptureFixture
) -> None:
    fictional_kb.append("topics.yaml", BROKEN_TOPICS_LINE)
    library = Library(fictional_kb.path, SearchConfig())
    with caplog.at_level(logging.INFO), _library_quiet():
        assert not library.reload_sync().ok
    assert [r for r in caplog.records if r.name == "bot.runtime.library"] == []
    with caplog.at_level(logging.INFO):
        library.reload_sync()
    assert any(r.name == "bot.runtime.library" for r in caplog.records)  # quiet only inside


class Pty:
    """``python -m bot chat`` on a pseudo-terminal, read as a person would see it."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        import pty

        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes the chat
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "bot", "chat"], env)
        self.seen = ""

    def read_until(self, needle: str, timeout: float = 30.0, *, after: int = 0) -> str:
        """Everything read so far, once ``needle`` has appeared at or after ``after``."""
        deadline = time.monotonic() + timeout
        while needle not in self.seen[after:]:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{needle!r} not seen in {self.seen[-2000:]!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the child has gone
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"{needle!r} not seen before the end: {self.seen!r}")
                self.seen += chunk.decode("utf-8", errors="replace")
        return self.seen

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            with_data, _, _ = select.select([self.fd], [], [], 0.05)
            if with_data:
                with contextlib.suppress(OSError):
                    self.seen += os.read(self.fd, 4096).decode("utf-8", errors="replace")
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError(f"the chat did not end: {self.seen[-2000:]!r}")


WATCHER_ATTEMPTS = 10


@pytest.fixture
def chat_env(tmp_path: Path, fictional_kb: FictionalKB) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYBOT_", "TELEGRAM_"))}
    env.update(
        POLICYBOT_KNOWLEDGE_DIR=str(fictional_kb.path),
        POLICYBOT_CACHE_DIR=str(tmp_path / "cache"),
        POLICYBOT_WATCH="false",
        TERM="xterm",
    )
    return env


@needs_pty
def test_arrow_keys_edit_the_line_and_history_is_kept(
    chat_env: dict[str, str], tmp_path: Path
) -> None:
    chat = Pty(tmp_path, chat_env)
    chat.read_until(PROMPT)
    chat.type("qut\x1b[Di\r")  # "qut", left arrow, "i": quit (without readline: "qut^[[Di")
    assert chat.wait() == 0
    history = tmp_path / "cache" / "chat_history"
    assert "quit" in history.read_text(encoding="utf-8").splitlines()

    again = Pty(tmp_path, chat_env)  # the history is there in the next session
    again.read_until(PROMPT)
    again.type("\x1b[A\r")  # up arrow: the last line, "quit"
    assert again.wait() == 0


@needs_pty
def test_a_failed_reload_is_printed_once_and_the_prompt_redrawn(
    chat_env: dict[str, str], tmp_path: Path, fictional_kb: FictionalKB
) -> None:
    chat = Pty(tmp_path, {**chat_env, "POLICYBOT_WATCH": "true"})
    chat.read_until(PROMPT)
    chat.type("canals")  # half a question, not sent
    chat.read_until(f"{PROMPT}canals")
    fictional_kb.append("topics.yaml", BROKEN_TOPICS_LINE)
    topics = fictional_kb.file("topics.yaml")
    for _attempt in range(WATCHER_ATTEMPTS):  # the watcher may not be watching yet: save again
        try:
            chat.read_until("reload failed", timeout=3)
            break
        except AssertionError:
            topics.write_text(topics.read_text(encoding="utf-8"), encoding="utf-8")
    start = chat.read_until("reload failed").rindex("reload failed")
    # the prompt and the half question are drawn again after the message, not only before it
    seen = chat.read_until(f"{PROMPT}canals", timeout=10, after=start)
    assert seen[start:].count("topics.yaml:") == 1  # once: not also as a log line
    assert seen.count("topics.yaml:") == seen.count("reload failed")
    chat.type("\x15quit\r")  # Ctrl-U clears the half question
    assert chat.wait() == 0
