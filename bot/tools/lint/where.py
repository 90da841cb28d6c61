"""Where lint findings point: the lines of statements, speakers and topics as written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.files import knowledge_files, read_text, shown_path
from bot.knowledge.models import KnowledgeBase, Statement
from bot.knowledge.yamlsafe import LineDict, LineList, load_yaml


@dataclass
class Where:
    """The lines of everything lint may point at, read from the YAML as written."""

    statements: dict[str, tuple[str, LineDict]] = field(default_factory=dict)
    speakers: dict[str, tuple[str, LineDict]] = field(default_factory=dict)
    topics: dict[str, tuple[str, LineDict]] = field(default_factory=dict)
    sources: dict[str, tuple[str, LineDict, Path]] = field(default_factory=dict)  # + the file
    texts: dict[str, str] = field(default_factory=dict)  # stored source texts by name, shown

    def statement_line(self, statement_id: str, key: str | None = None) -> tuple[str, int]:
        path, entry = self.statements[statement_id]
        return path, entry.key_lines.get(key, entry.line) if key else entry.line


def locate(directory: Path, max_file_bytes: int, paths_from: Path | None = None) -> Where:
    where = Where()
    paths, _ = knowledge_files(directory)
    for path in paths:
        shown = shown_path(directory, path, paths_from)
        if path.suffix == ".txt":
            where.texts[path.stem] = shown
            continue
        text, _ = read_text(path, shown, max_file_bytes)
        raw = load_yaml(text) if text is not None else None
        if not isinstance(raw, LineDict):  # cannot happen once the knowledge base has loaded
            continue
        for section, table in (
            ("statements", where.statements),
            ("speakers", where.speakers),
            ("topics", where.topics),
        ):
            items = raw.get(section)
            if isinstance(items, LineList):
                for item in items:
                    if isinstance(item, LineDict) and isinstance(item.get("id"), str):
                        table.setdefault(item["id"], (shown, item))
        source = raw.get("source")
        if isinstance(source, LineDict) and isinstance(source.get("id"), str):
            where.sources.setdefault(source["id"], (shown, source, path.relative_to(directory)))
    return where


def in_file_order(kb: KnowledgeBase, where: Where) -> list[Statement]:
    """Statements as a maintainer reads them, so "the later one" means the one added after."""
    return sorted(kb.statements, key=lambda s: where.statement_line(s.id))
