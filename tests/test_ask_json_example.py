"""The README's `ask --json` example is real output, kept in step by this test.

``tests/fixtures/ask_json_example.json`` is the example exactly as the README shows it, under
"The `ask --json` contract", for ``policybot ask --json --limit 1 "<its question>"`` on the
bundled knowledge base. A string ending in "…" stands for a longer one that starts the same
way (the README shortens two long texts); everything else, the score included, must be equal.
When the answer changes (a new confidence model, an edited statement), update the fixture and
paste the same JSON into the README.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.tools.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path(__file__).parent / "fixtures" / "ask_json_example.json"
ELLIPSIS = "…"


def matches(documented: Any, real: Any, where: str = "") -> list[str]:
    """Where the documented example differs from the real output ([] when it does not)."""
    if isinstance(documented, dict) and isinstance(real, dict):
        if documented.keys() != real.keys():
            return [f"{where or 'top'}: keys {sorted(documented)} != {sorted(real)}"]
        return [
            d for key in documented for d in matches(documented[key], real[key], f"{where}.{key}")
        ]
    if isinstance(documented, list) and isinstance(real, list):
        if len(documented) != len(real):
            return [f"{where}: {len(documented)} items documented, {len(real)} real"]
        return [
            d
            for n, (a, b) in enumerate(zip(documented, real, strict=True))
            for d in matches(a, b, f"{where}[{n}]")
        ]
    if isinstance(documented, str) and documented.endswith(ELLIPSIS) and isinstance(real, str):
        prefix = documented.removesuffix(ELLIPSIS).rstrip()
        return [] if real.startswith(prefix) and real != prefix else [f"{where}: {real!r}"]
    return [] if documented == real and type(documented) is type(real) else [f"{where}: {real!r}"]


@pytest.fixture
def bundled_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("POLICYBOT_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POLICYBOT_CACHE", "false")
    monkeypatch.chdir(tmp_path)  # no .env from the repository


@pytest.mark.usefixtures("bundled_environment")
def test_the_documented_example_is_real_output(capsys: pytest.CaptureFixture[str]) -> None:
    documented = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert main(["ask", "--json", "--limit", "1", documented["question"]]) == 0
    real = json.loads(capsys.readouterr().out)
    differences = matches(documented, real)
    assert differences == [], (
        "the README's `ask --json` example is out of date: update "
        f"{EXAMPLE.relative_to(ROOT)} and the README from the real output:\n"
        + json.dumps(real, ensure_ascii=False, indent=2)
    )


def test_the_comparison_catches_a_stale_score_and_allows_the_shortened_texts() -> None:
    documented = {"text": "in recent interactions …", "score": 0.98, "url": None}
    real = {"text": "in recent interactions with leaders", "score": 0.9448, "url": None}
    assert matches(documented, real) == [".score: 0.9448"]
    assert matches({"text": "in recent …"}, {"text": "elsewhere"}) == [".text: 'elsewhere'"]


def test_the_readme_shows_the_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8").strip() in readme, (
        f"paste {EXAMPLE.relative_to(ROOT)} into the README's `ask --json` contract section"
    )
