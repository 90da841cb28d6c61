"""The command line, run in-process (plus one real ``python -m bot``): contracts and exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot import __version__
from bot.answers.render import NOT_FOUND_REPLY
from bot.config import Settings
from bot.knowledge.models import KnowledgeBase
from bot.runtime.library import Library
from bot.search.engine import SearchConfig
from bot.tools.cli import NO_TOKEN_HINT, main
from bot.tools.console import HELP, run_console
from tests.fictional import FictionalKB, MakeKB

RED_LINES = "What are China's red lines with the US?"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No token, no settings from the environment, and no `.env` or database from the repo."""
    for name in list(os.environ):
        if name.startswith(("POLICYBOT_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POLICYBOT_WATCH", "false")  # no file-watcher thread in unit tests
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def no_env_settings() -> Settings:
    return Settings(POLICYBOT_WATCH=False)


# --------------------------------------------------------------------------- ask


def test_ask_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ask", "--json", RED_LINES)
    assert code == 0
    assert err == ""
    data = json.loads(out)
    assert data["question"] == RED_LINES
    assert data["answered"] is True
    assert isinstance(data["suggestions"], list)
    first = data["results"][0]
    assert first["id"] == "xi-four-red-lines"
    assert first["kind"] == "reported"
    assert first["date"] == "2024-12-17"
    assert first["speaker"]["id"] == "xi-jinping"
    assert first["speaker"]["name"] == "Xi Jinping"
    assert "President" in first["speaker"]["role"]
    assert first["relayed_by"]["id"] == "wang-yi"
    assert "red-lines" in first["topics"]
    assert first["source"]["publisher"] == "Xinhua"
    assert first["source"]["url"] is None
    assert "url" in first["source"]
    assert first["source"]["published"] == "2024-12-18"
    assert first["source"]["id"] == "xinhua-2024-12-18-wang-yi-china-us"
    assert 0.0 < first["score"] <= 1.0
    assert "four red lines" in first["text"]
    # pretty-printed, and non-ASCII kept readable
    assert out.startswith("{\n")


def test_ask_json_keeps_unicode(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--json", "台湾")
    assert code == 0
    assert '"question": "台湾"' in out


def test_ask_json_unanswerable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--json", "who won the world cup")
    assert code == 0  # declining is a normal answer, not an error
    data = json.loads(out)
    assert data["answered"] is False
    assert data["results"] == []
    assert len(data["suggestions"]) <= 3


def test_ask_json_limit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--json", "--limit", "1", "China US relations")
    assert code == 0
    assert len(json.loads(out)["results"]) == 1


def test_ask_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", RED_LINES)
    assert code == 0
    assert out.startswith("[1] ")
    assert "Kind: reported by Xinhua" in out
    assert "Link: not known" in out
    assert "Id: xi-four-red-lines" in out


def test_ask_plain_text_declines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "who won the world cup")
    assert code == 0
    assert NOT_FOUND_REPLY in out


def test_ask_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--explain", RED_LINES)
    assert code == 0
    assert f"question:    {RED_LINES!r}" in out
    assert "xi-four-red-lines" in out


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("What did Wang Yi say?", "candidates (best first):"),  # a speaker and nothing else
        ("What did Xi say in 2024", "candidates (best first):"),  # a speaker and a date
        ("What did Biden say about China?", "not used: it asks for Biden's position"),
    ],
)
def test_ask_explain_scores_every_kind_of_question(
    capsys: pytest.CaptureFixture[str], question: str, note: str
) -> None:
    code, out, _ = run(capsys, "ask", "--explain", question)
    assert code == 0
    assert note in out
    scored = [line for line in out.splitlines() if line.startswith(("  ✓ ", "  · "))]
    assert scored
    assert all("=" in line for line in scored)


def test_ask_explain_without_words_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--explain", "what?")
    assert code == 0
    assert "candidates: none (no words to match)" in out


def test_ask_explain_scores_small_talk_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--explain", "good morning")
    assert code == 0
    assert "status:      smalltalk" in out
    assert 'terms:       {"good": ' in out  # scored, though a greeting answers it
    assert "candidates: none (no statement shares a word with it)" in out


def test_ask_json_of_an_empty_question_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--json", "  ")
    assert code == 0
    assert json.loads(out)["status"] == "empty"


def test_ask_file_one_json_line_per_question(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    questions = [RED_LINES, "who won the world cup", "hi", "台湾"]
    path = tmp_path / "questions.txt"
    path.write_text("\n".join([questions[0], "", *questions[1:]]) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "ask", "--file", str(path))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(questions) + 1  # one line per input line, the blank one too
    rows: list[dict[str, Any]] = [json.loads(line) for line in lines]
    assert [row["question"] for row in rows] == [questions[0], "", *questions[1:]]
    assert rows[0]["results"][0]["id"] == "xi-four-red-lines"
    assert [row["answered"] for row in rows] == [True, False, False, False, True]
    assert rows[1] == {
        "question": "",
        "answered": False,
        "status": "empty",
        "results": [],
        "suggestions": [],
        "notice": None,
    }
    assert [row["status"] for row in rows] == ["found", "empty", "not_found", "smalltalk", "found"]


def test_ask_file_keeps_every_blank_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "questions.txt"
    path.write_text(f"\n  \n{RED_LINES}\n\n", encoding="utf-8")  # 4 lines: 3 blank
    code, out, _ = run(capsys, "ask", "--file", str(path))
    assert code == 0
    statuses = [json.loads(line)["status"] for line in out.splitlines()]
    assert statuses == ["empty", "empty", "found", "empty"]


@pytest.mark.parametrize("argv", [["ask"], ["ask", "q", "--file", "x.txt"]])
def test_ask_needs_exactly_one_of_question_or_file(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "give a QUESTION or --file FILE" in err


def test_ask_on_another_knowledge_directory(
    capsys: pytest.CaptureFixture[str], fictional_kb: FictionalKB
) -> None:
    code, out, _ = run(
        capsys,
        "--knowledge",
        str(fictional_kb.path),
        "ask",
        "--json",
        "Will the canals of Examplia stay open?",
    )
    assert code == 0
    first = json.loads(out)["results"][0]
    assert first["id"] == "quill-canals-open"
    assert first["source"]["publisher"] == "The Example Gazette"
    assert first["source"]["url"] == "https://gazette.example/2024/03/02/quill-canals"


def test_knowledge_directory_from_the_environment(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fictional_kb: FictionalKB,
) -> None:
    monkeypatch.setenv("POLICYBOT_KNOWLEDGE_DIR", str(fictional_kb.path))
    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert out.startswith(f"{fictional_kb.path}: 0 errors, 0 warnings (3 statements")


# --------------------------------------------------------------------------- validate


def test_validate_bundled(capsys: pytest.CaptureFixture[str], bundled_kb: KnowledgeBase) -> None:
    code, out, err = run(capsys, "validate")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        rf".*knowledge: 0 errors, 0 warnings \({re.escape(bundled_kb.summary())}; "
        r"version [0-9a-f]{12}\)",
        lines[0],
    )
    assert bundled_kb.content_hash[:12] in lines[0]


def test_validate_broken_copy(capsys: pytest.CaptureFixture[str], make_kb: MakeKB) -> None:
    kb = make_kb()
    rel = kb.statements_rel
    kb.replace(rel, "relayed_by: bram-ledger", "relayed_by: bram-ledgr")
    kb.write("more-topics.yaml", "topics:\n  - id: bridges\n    name: Bridges\n    nam: x\n")
    code, out, err = run(capsys, "--knowledge", str(kb.path), "validate")
    assert code == 1
    assert err == ""
    assert out.splitlines() == [
        f"{kb.path}/more-topics.yaml:4: error: topic 'bridges': unknown field 'nam'; "
        "did you mean 'name'?",
        f"{kb.path}/{rel}:{kb.line(rel, 'relayed_by:')}: error: statement "
        "'ledger-lantern-festival': unknown speaker 'bram-ledgr' in relayed_by; "
        "did you mean 'bram-ledger'?",
        f"{kb.path}: 2 errors, 0 warnings",
    ]
    for line in out.splitlines()[:-1]:
        assert re.fullmatch(r"[^:]+:\d+: error: .+", line)


def test_validate_missing_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    code, out, _ = run(capsys, "--knowledge", str(missing), "validate")
    assert code == 1
    assert out.splitlines() == [
        f"{missing}: error: knowledge directory not found",  # no line to point at
        f"{missing}: 1 error, 0 warnings",
    ]


def test_ask_on_broken_knowledge_exits_1(
    capsys: pytest.CaptureFixture[str], make_kb: MakeKB
) -> None:
    kb = make_kb({"topics.yaml": b"\xef\xbb\xbftopics: []\n"})
    code, out, err = run(capsys, "--knowledge", str(kb.path), "ask", "--json", "canals")
    assert code == 1
    assert out == ""
    assert f"{kb.path}/topics.yaml:1: error: starts with a byte-order mark" in err
    assert err.splitlines()[-1] == f"{kb.path}: 5 errors, 0 warnings"  # its topics are gone


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"policybot {__version__}"


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# --------------------------------------------------------------------------- console chat


def chat(kb_path: Path, script: str) -> tuple[int, str]:
    library = Library(kb_path, SearchConfig())
    out = io.StringIO()
    code = run_console(library, no_env_settings(), stdin=io.StringIO(script), stdout=out)
    return code, out.getvalue()


def test_chat_answers_and_quits_on_eof(fictional_kb: FictionalKB) -> None:
    code, out = chat(fictional_kb.path, "Will the canals of Examplia stay open?\n")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("policybot: 3 statements, 2 speakers, 3 topics, 1 source")
    assert "(newest 2024-03-01)" in lines[0]
    assert "[1] “The canals of Examplia will stay open to every boat, whatever the weather.”" in out
    assert "you> " not in out  # not a terminal: no prompt


def test_chat_more_pages_through_results(fictional_kb: FictionalKB) -> None:
    code, out = chat(fictional_kb.path, "Minister Quill\n\nmore\nmore\nmore\n")
    assert code == 0
    assert "(2 more: type 'more')" in out
    first, second, third = (out.index(f"[{n}] ") for n in (1, 2, 3))
    assert first < second < third
    assert out.count("[1] ") == 1
    assert out.rstrip().endswith("No more results.")


def test_chat_more_before_any_question(fictional_kb: FictionalKB) -> None:
    code, out = chat(fictional_kb.path, "more\n")
    assert code == 0
    assert "No more results." in out


def test_chat_help_and_quit(fictional_kb: FictionalKB) -> None:
    code, out = chat(fictional_kb.path, "help\nquit\nWill the canals stay open?\n")
    assert code == 0
    # the example is a question of the loaded knowledge base, not of the bundled one
    assert HELP.format(question="Does the Chancellor want a lantern festival?") in out
    assert "[1]" not in out  # nothing after quit is read


def test_chat_smalltalk_and_declines(fictional_kb: FictionalKB) -> None:
    code, out = chat(fictional_kb.path, "hi\nwho won the world cup\n")
    assert code == 0
    assert "Hello!" in out
    assert NOT_FOUND_REPLY in out


def test_chat_on_broken_knowledge(make_kb: MakeKB, capsys: pytest.CaptureFixture[str]) -> None:
    kb = make_kb({"topics.yaml": "topics:\n  - id: x\n"})
    code, out = chat(kb.path, "hello\n")
    assert code == 1
    assert out == ""
    assert f"{kb.shown('topics.yaml')}:" in capsys.readouterr().err


def test_chat_command_reads_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{RED_LINES}\n"))
    code, out, _ = run(capsys, "chat")
    assert code == 0
    assert out.startswith("policybot: ")
    assert "Id: xi-four-red-lines" in out


def test_run_without_token_prints_the_hint_then_chats(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clean_environment: Path
) -> None:
    assert not (clean_environment / ".env").exists()
    assert "TELEGRAM_BOT_TOKEN" not in os.environ
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{RED_LINES}\n"))
    code, out, _ = run(capsys, "run")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == NO_TOKEN_HINT
    assert "\n" not in NO_TOKEN_HINT
    assert lines[1].startswith("policybot: ")
    assert "Id: xi-four-red-lines" in out


def test_run_treats_an_empty_token_as_no_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clean_environment: Path
) -> None:
    (clean_environment / ".env").write_text("TELEGRAM_BOT_TOKEN=\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, _ = run(capsys, "run")
    assert code == 0
    assert out.splitlines()[0] == NO_TOKEN_HINT


# --------------------------------------------------------------------------- entry point


def test_python_dash_m_bot(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYBOT_", "TELEGRAM_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", RED_LINES],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answered"] is True
    assert data["results"][0]["id"] == "xi-four-red-lines"
    assert data["results"][0]["source"]["url"] is None
