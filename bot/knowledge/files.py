"""Finding and reading knowledge files: size limits, strict UTF-8, no links out of the folder."""

from __future__ import annotations

import os
from pathlib import Path

from bot.knowledge.problems import Problem

YAML_SUFFIXES = (".yaml", ".yml")
SOURCE_TEXT_DIR = "sources"
DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"


def knowledge_files(
    directory: Path, paths_from: Path | None = None
) -> tuple[list[Path], list[Problem]]:
    """Every YAML and source-text file under ``directory``, refusing links that lead outside it."""
    root = directory.resolve()
    files: list[Path] = []
    problems: list[Problem] = []
    for path in sorted(directory.rglob("*")):
        if path.is_dir() or path.name.startswith("."):
            continue
        if not (path.suffix in YAML_SUFFIXES or is_source_text(directory, path)):
            continue
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            problems.append(
                Problem(
                    shown_path(directory, path, paths_from),
                    1,
                    "links outside the knowledge directory; refused",
                )
            )
            continue
        if not path.exists():
            problems.append(
                Problem(
                    shown_path(directory, path, paths_from), 1, "broken link: its target is gone"
                )
            )
            continue
        files.append(path)
    return files, problems


def is_source_text(directory: Path, path: Path) -> bool:
    return path.suffix == ".txt" and path.parent == directory / SOURCE_TEXT_DIR


def shown_path(directory: Path, path: Path, paths_from: Path | None = None) -> str:
    """How problems name a file: relative to ``paths_from`` (the current directory, for the
    command line) when it lies inside it, else absolute; without ``paths_from``, the knowledge
    directory's name and the path inside it (``knowledge/topics.yaml``), as the bot's logs and
    admin messages show it wherever the folder is."""
    if paths_from is not None:
        return here(path, paths_from)
    try:
        return str(Path(directory.name) / path.relative_to(directory))
    except ValueError:
        return str(path)


def here(path: Path, paths_from: Path) -> str:
    """``path`` relative to ``paths_from`` when inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    base = Path(os.path.abspath(paths_from))
    if absolute.is_relative_to(base):
        return str(absolute.relative_to(base)) if absolute != base else "."
    return str(absolute)


def read_text(path: Path, shown: str, max_bytes: int) -> tuple[str | None, list[Problem]]:
    """Read a file as strict UTF-8 within a size limit, or explain why not."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem(shown, 1, f"cannot read: {exc.strerror or exc}")]
    if size > max_bytes:
        return None, [Problem(shown, 1, f"file is {size} bytes, over the {max_bytes}-byte limit")]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, 1, f"cannot read: {exc.strerror or exc}")]
    if data.startswith(UTF8_BOM):
        return None, [Problem(shown, 1, "starts with a byte-order mark; save as UTF-8 without BOM")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(shown, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})")]
