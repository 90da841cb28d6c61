"""`policybot validate` as a maintainer meets it: one run reports every problem.

Ten mistakes of different kinds across three files (a typo in a field name, an impossible
date, an over-long id, a duplicated YAML key, a misspelt kind, unknown references, a text that
is not verbatim, a date after publication) are all reported by one run, in the maintainer's
words, naming each statement by its id, with "did you mean" where a near name exists, at
1-based lines, with paths relative to the current directory. ``lint`` prints the same lines
and the same summary, with the same exit code. The real program runs (``python -m bot``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fictional import FictionalKB, MakeKB

S = "statements/gazette-2024-03-02-quill-canals.yaml"
LONG_ID = "canal-locks-and-weirs-of-the-republic-of-examplia"  # 49 characters
TEN_MISTAKES = 10
NOT_STALE = ("--stale-days", "100000")  # the fictional statements age; that is not the point here


def break_ten_ways(kb: FictionalKB) -> None:
    # speakers.yaml: a misspelt field, an impossible date
    kb.replace("speakers.yaml", "    aliases: [Envoy Ledger]", "    alises: [Envoy Ledger]")
    kb.replace("speakers.yaml", "from: 2019-05-01", "from: 2019-13-01")
    # topics.yaml: an id over the limit, a key written twice
    kb.append("topics.yaml", f"  - id: {LONG_ID}\n    name: Canal locks\n")
    kb.replace("topics.yaml", "    name: Tolls\n", "    name: Tolls\n    name: Road tolls\n")
    # the statements file: six mistakes over its three statements (and one more statement,
    # dated to the month only, which is fine)
    kb.replace(S, "kind: quote", "kind: qoute")
    kb.replace(S, "relayed_by: bram-ledger", "relayed_by: bram-leger")
    kb.replace(S, "wants a lantern festival", "wants a lantern parade")
    kb.replace(S, "date: 2024-02-01", "date: 2024-02-30")
    kb.replace(S, "topics: [tolls]", "topics: [tols]")
    kb.append(
        S,
        "\n  - id: quill-festival-dates\n"
        "    speaker: ada-quill\n"
        "    date: 2024-03\n"
        "    kind: position\n"
        "    text: Ada Quill has not said when the festival will be.\n"
        "    topics: [lantern-festival]\n"
        "\n  - id: quill-later-remark\n"
        "    speaker: ada-quill\n"
        "    date: 2024-04-01\n"
        "    kind: position\n"
        "    text: Ada Quill will speak again.\n"
        "    topics: [canal-policy]\n",
    )


def expected_lines(kb: FictionalKB) -> list[str]:
    line = kb.line
    knowledge = kb.path.name
    return [
        f"{knowledge}/speakers.yaml:{line('speakers.yaml', 'alises:')}: error: speaker "
        "'bram-ledger': unknown field 'alises'; did you mean 'aliases'?",
        f"{knowledge}/speakers.yaml:{line('speakers.yaml', 'from: 2019-13-01')}: error: speaker "
        "'bram-ledger', role 1: from 2019-13-01 is not a real date: month must be in 1..12",
        f"{knowledge}/{S}:{line(S, 'kind: qoute')}: error: statement 'quill-canals-open': "
        "kind must be quote, reported or position, not 'qoute'",
        f"{knowledge}/{S}:{line(S, 'relayed_by: bram-leger')}: error: statement "
        "'ledger-lantern-festival': unknown speaker 'bram-leger' in relayed_by; "
        "did you mean 'bram-ledger'?",
        f"{knowledge}/{S}:{line(S, 'text: the Chancellor')}: error: statement "
        "'ledger-lantern-festival': text is not verbatim in "
        'sources/gazette-2024-03-02-quill-canals.txt: it matches up to "the Chancellor wants a '
        'lantern", then has "parade on every canal" where the source has "festival on every '
        'canal by next…"',
        f"{knowledge}/{S}:{line(S, 'date: 2024-02-30')}: error: statement "
        "'quill-tolls-position': date 2024-02-30 is not a real date: day is out of range for "
        "month",
        f"{knowledge}/{S}:{line(S, 'topics: [tols]')}: error: statement 'quill-tolls-position': "
        "unknown topic 'tols'; did you mean 'tolls'?",
        f"{knowledge}/{S}:{line(S, 'date: 2024-04-01')}: error: statement 'quill-later-remark': "
        "date 2024-04-01 is after its source was published (2024-03-02)",
        f"{knowledge}/topics.yaml:{line('topics.yaml', 'name: Road tolls')}: error: YAML: "
        f"duplicate key 'name' (first defined at line {line('topics.yaml', 'name: Tolls')})",
        f"{knowledge}/topics.yaml:{line('topics.yaml', LONG_ID)}: error: topic {LONG_ID!r}: "
        "id is 49 characters; at most 48",
        f"{knowledge}: 10 errors, 0 warnings",
    ]


def policybot(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYBOT_", "TELEGRAM_"))}
    env["POLICYBOT_CACHE"] = "false"
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_one_validate_run_reports_ten_mistakes_in_three_files(make_kb: MakeKB) -> None:
    kb = make_kb()
    break_ten_ways(kb)
    result = policybot(kb.path.parent, "--knowledge", kb.path.name, "validate")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines == expected_lines(kb)
    assert len(lines) == TEN_MISTAKES + 1
    assert {line.split(":", 1)[0] for line in lines[:-1]} == {
        "knowledge/speakers.yaml",
        "knowledge/topics.yaml",
        f"knowledge/{S}",
    }

    # lint says the same, in the same form, with the same exit code
    linted = policybot(kb.path.parent, "--knowledge", kb.path.name, "lint", *NOT_STALE)
    assert linted.returncode == 1
    assert linted.stdout == result.stdout


def test_paths_are_relative_to_the_current_directory(make_kb: MakeKB) -> None:
    kb = make_kb()
    kb.replace(S, "kind: quote", "kind: qoute")
    inside = policybot(kb.path, "--knowledge", ".", "validate")
    assert inside.stdout.splitlines()[0].startswith(f"{S}:{kb.line(S, 'kind: qoute')}: error: ")
    assert inside.stdout.splitlines()[-1] == ".: 1 error, 0 warnings"
    deeper = policybot(kb.path / "statements", "--knowledge", "..", "validate")
    assert deeper.stdout.startswith(f"{Path(S).name}:{kb.line(S, 'kind: qoute')}: error: ")
    outside = policybot(kb.path.parent.parent, "--knowledge", str(kb.path), "validate")
    assert outside.stdout.startswith(f"{kb.path.parent.name}/knowledge/{S}:")


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_a_clean_knowledge_base_passes_with_one_summary_line(make_kb: MakeKB, command: str) -> None:
    kb = make_kb()
    extra = NOT_STALE if command == "lint" else ()
    result = policybot(kb.path.parent, "--knowledge", "knowledge", command, *extra)
    assert result.returncode == 0
    assert result.stderr == ""
    [line] = result.stdout.splitlines()
    assert line.startswith("knowledge: 0 errors, 0 warnings")


def test_a_statement_file_named_otherwise_than_its_source_is_a_lint_warning(
    make_kb: MakeKB,
) -> None:
    kb = make_kb()
    kb.write("statements/quill.yaml", kb.read(S))
    kb.delete(S)
    result = policybot(kb.path.parent, "--knowledge", "knowledge", "lint", *NOT_STALE)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "knowledge/statements/quill.yaml:2: warning: file statements/quill.yaml holds source "
        "'gazette-2024-03-02-quill-canals'; name it "
        "statements/gazette-2024-03-02-quill-canals.yaml",
        "knowledge: 0 errors, 1 warning",
    ]
    strict = policybot(kb.path.parent, "--knowledge", "knowledge", "lint", "--strict", *NOT_STALE)
    assert strict.returncode == 1
