"""The tree shows the architecture, and these tests keep it that way.

They read every module's imports (function-level ones included) with ``ast``, so a lazy import
cannot hide a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "benchmarks")
MAX_MODULE_LINES = 400

# Which parts of bot/ may import which: the layering in DESIGN.md. The Answer is pure data that
# search builds, so answers sits below search; rendering imports only the Answer and the models.
BOT_LAYERS: dict[str, frozenset[str]] = {
    "config": frozenset(),
    "normalize": frozenset(),
    "errors": frozenset(),
    "knowledge": frozenset({"config", "errors", "normalize"}),
    "answers": frozenset({"knowledge", "normalize"}),
    "search": frozenset({"knowledge", "answers", "normalize"}),
    "runtime": frozenset({"config", "errors", "normalize", "knowledge", "search", "answers"}),
    "tools": frozenset(
        {"config", "errors", "normalize", "knowledge", "search", "answers", "runtime"}
    ),
}
HANDLER_SHARED = frozenset({"context", "views", "texts", "common", "net"})


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> Iterator[str]:
    """Every absolute module name ``path`` imports, at any depth (relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parts = path.relative_to(ROOT).with_suffix("").parts
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(parts[: len(parts) - node.level])
                yield ".".join([*base, node.module] if node.module else base)
            elif node.module:
                yield node.module


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", modules("bot"), ids=rel)
def test_the_core_never_imports_telegram_or_handlers(path: Path) -> None:
    bad = [
        name
        for name in imported(path)
        if name.split(".")[0] in {"telegram", "handlers", "tests", "benchmarks"}
    ]
    assert bad == [], f"{rel(path)} imports {bad}"


def test_no_cycle_between_top_level_packages() -> None:
    edges = {
        package: {
            name.split(".")[0]
            for path in modules(package)
            for name in imported(path)
            if name.split(".")[0] in PACKAGES and name.split(".")[0] != package
        }
        for package in PACKAGES
    }
    for package, targets in edges.items():
        for target in targets:
            assert package not in edges[target], f"{package} <-> {target}"
    assert edges["bot"] == set()
    assert "benchmarks" not in edges["handlers"]


@pytest.mark.parametrize("path", modules("bot"), ids=rel)
def test_bot_layers(path: Path) -> None:
    parts = path.relative_to(ROOT / "bot").with_suffix("").parts
    layer = parts[0]
    if layer in {"__init__", "__main__", "normalize"}:
        return
    allowed = BOT_LAYERS[layer] | {layer}
    for name in imported(path):
        pieces = name.split(".")
        if pieces[0] == "bot" and len(pieces) > 1:
            assert pieces[1] in allowed, f"{rel(path)} ({layer}) imports {name}"


@pytest.mark.parametrize("path", modules("handlers"), ids=rel)
def test_handler_families_do_not_import_each_other(path: Path) -> None:
    """A family imports bot and the shared handler modules, never another family; only the
    application factory and lifecycle see the families."""
    own = path.stem
    if own in {"app", "__init__"}:
        return
    for name in imported(path):
        pieces = name.split(".")
        if pieces[0] == "handlers" and len(pieces) > 1:
            assert pieces[1] in HANDLER_SHARED | {"lifecycle", "menus", own}, (
                f"{rel(path)} imports {name}"
            )


@pytest.mark.parametrize("path", [*modules("bot"), *modules("handlers")], ids=rel)
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{rel(path)} has {lines} lines"


def test_the_walker_sees_lazy_imports(tmp_path: Path) -> None:
    """The checks above are only as good as the import reader: it must see imports inside
    functions and resolve relative ones."""
    sample = ROOT / "bot" / "tools" / "cli.py"
    names = set(imported(sample))
    assert "bot.tools.console" in names  # imported inside cmd_chat
