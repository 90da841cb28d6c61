"""Load ``knowledge/`` into a validated KnowledgeBase, or report each problem as ``path:line: msg``.

Loading never stops at the first problem: a maintainer fixing a broken edit wants the whole list.
Only safe YAML is read (see ``bot.knowledge.yamlsafe``), files are size-limited, and nothing
outside the knowledge directory is followed, so a hostile pull request cannot run code or read
other files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.errors import PolicybotError
from bot.knowledge.models import (
    KnowledgeBase,
    KnowledgeFile,
    Source,
    Speaker,
    Statement,
    StatementKind,
    Topic,
)
from bot.knowledge.yamlsafe import LineDict, LineList, line_of, load_yaml
from bot.search.text import normalize, tokens

logger = logging.getLogger(__name__)

YAML_SUFFIXES = (".yaml", ".yml")
SOURCE_TEXT_DIR = "sources"
DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with the knowledge base, pointing at the file and line to fix."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeError(PolicybotError):
    """The knowledge base cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass
class _Parsed:
    path: str
    raw: LineDict  # line numbers; empty in the fast pass and for files taken from the cache
    model: KnowledgeFile


def _no_lines() -> LineDict:
    """Stands in for a cached file's lines: any problem triggers a full, line-aware reload."""
    empty = LineDict()
    empty.line, empty.key_lines = 1, {}
    return empty


def knowledge_files(directory: Path) -> tuple[list[Path], list[Problem]]:
    """Every YAML and source-text file under ``directory``, refusing links that lead outside it."""
    root = directory.resolve()
    files: list[Path] = []
    problems: list[Problem] = []
    for path in sorted(directory.rglob("*")):
        if path.is_dir() or path.name.startswith("."):
            continue
        if not (path.suffix in YAML_SUFFIXES or _is_source_text(directory, path)):
            continue
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            problems.append(
                Problem(_rel(directory, path), 1, "links outside the knowledge directory; refused")
            )
            continue
        if not path.exists():
            problems.append(Problem(_rel(directory, path), 1, "broken link: its target is gone"))
            continue
        files.append(path)
    return files, problems


def _is_source_text(directory: Path, path: Path) -> bool:
    return path.suffix == ".txt" and path.parent == directory / SOURCE_TEXT_DIR


def _rel(directory: Path, path: Path) -> str:
    try:
        return str(Path(directory.name) / path.relative_to(directory))
    except ValueError:
        return str(path)


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


_ID_LINE = re.compile(r"^\s*(?:-\s+)?id:\s*[\"']?([a-z0-9][a-z0-9-]*)", re.MULTILINE)


def _declared_ids(text: str) -> set[str]:
    """Ids a file declares although it failed validation, so references to them are not
    reported too: one broken edit should read as one problem, not fifty (best effort)."""
    try:
        raw = load_yaml(text)
    except (yaml.YAMLError, RecursionError):
        return set(_ID_LINE.findall(text))  # unparsable: read the `id:` lines as text
    if not isinstance(raw, dict):
        return set()
    ids: set[str] = set()
    for section in ("speakers", "topics"):
        entries = raw.get(section)
        if isinstance(entries, list):
            ids |= {
                e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)
            }
    return ids


def parse_file(shown: str, text: str) -> tuple[_Parsed | None, list[Problem]]:
    """YAML and schema validation of one file, with every pydantic error mapped to its line."""
    try:
        raw = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        return None, [Problem(shown, line, f"YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, 1, f"YAML: {exc}")]
    except RecursionError:
        return None, [Problem(shown, 1, "YAML: nested too deeply")]
    if raw is None:
        return None, [Problem(shown, 1, "file is empty")]
    if not isinstance(raw, LineDict):
        return None, [Problem(shown, 1, "the top level must be a mapping (key: value)")]
    source = raw.get("source")
    source_id = source.get("id") if isinstance(source, dict) else None
    problems: list[Problem] = []
    statements = raw.get("statements")
    if isinstance(statements, LineList):
        for item in statements:
            if isinstance(item, LineDict):
                if "source_id" in item:
                    line = item.key_lines["source_id"]
                    problems.append(Problem(shown, line, "source_id comes from the source block"))
                item["source_id"] = source_id if isinstance(source_id, str) else ""
    try:
        model = KnowledgeFile.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            where = ".".join(str(part) for part in loc) or "file"
            line = line_of(raw, loc) or 1
            problems.append(Problem(shown, line, f"{where}: {error['msg']}"))
        return None, problems
    if problems:
        return None, problems
    return _Parsed(shown, raw, model), []


def load_knowledge(
    directory: Path | str,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    cache_dir: Path | None = None,
) -> KnowledgeBase:
    """Load, validate and cross-check a knowledge directory; KnowledgeError lists all problems.

    With ``cache_dir``, files whose exact content was validated before are taken from the cache
    (keyed by a hash of their bytes, so an edited file can never be served stale). If anything
    at all is wrong, the whole directory is loaded again without the cache and with every line
    number kept, so that every problem carries its exact line.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), 1, "knowledge directory not found")])
    cache = ParseCache(cache_dir) if cache_dir is not None else None
    try:
        kb = _load(directory, max_file_bytes, cache, keep_lines=False)
    except KnowledgeError:
        # The fast pass kept no line numbers (they cost a third of the memory); the slow pass
        # keeps them all so that every problem, including cross-file ones, has its line.
        kb = _load(directory, max_file_bytes, None, keep_lines=True)
    if cache is not None:
        cache.forget_unused()
    logger.info("Loaded knowledge base %s: %s", kb.content_hash[:12], kb.summary())
    return kb


def _load(
    directory: Path, max_file_bytes: int, cache: ParseCache | None, *, keep_lines: bool
) -> KnowledgeBase:
    paths, problems = knowledge_files(directory)
    digest = hashlib.sha256()
    parsed: list[_Parsed] = []
    source_texts: dict[str, str] = {}
    broken_ids: set[str] = set()  # defined in a file that failed; references to them are not news
    for path in paths:
        shown = _rel(directory, path)
        text, read_problems = read_text(path, shown, max_file_bytes)
        problems += read_problems
        if text is None:
            continue
        digest.update(shown.encode() + b"\0" + text.encode() + b"\0")
        if path.suffix == ".txt":
            source_texts[path.stem] = text
            continue
        cached = cache.get(text) if cache is not None else None
        if cached is not None:
            parsed.append(_Parsed(shown, _no_lines(), cached))
            continue
        result, file_problems = parse_file(shown, text)
        problems += file_problems
        if result is not None:
            parsed.append(result if keep_lines else _Parsed(shown, _no_lines(), result.model))
            if cache is not None:
                cache.put(text, result.model)
        elif file_problems:
            broken_ids |= _declared_ids(text)
    kb, cross_problems = _assemble(parsed, source_texts, digest.hexdigest(), directory, broken_ids)
    problems += cross_problems
    if problems:
        raise KnowledgeError(problems)
    assert kb is not None
    return kb


class ParseCache:
    """Validated files as JSON, named by a hash of their bytes and of the schema.

    JSON rather than pickle: a cache directory is not a place code should be loaded from. Any
    cache error just means parsing the file again.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.used: set[str] = set()
        self._salt = hashlib.sha256(
            json.dumps(KnowledgeFile.model_json_schema(), sort_keys=True).encode()
        ).hexdigest()[:16]

    def _key(self, text: str) -> str:
        return hashlib.sha256((self._salt + text).encode()).hexdigest()

    def get(self, text: str) -> KnowledgeFile | None:
        key = self._key(text)
        try:
            data = (self.directory / f"{key}.json").read_bytes()
            model = KnowledgeFile.model_validate_json(data)
        except (OSError, ValidationError, ValueError):
            return None
        self.hits += 1
        self.used.add(key)
        return model

    def put(self, text: str, model: KnowledgeFile) -> None:
        key = self._key(text)
        self.used.add(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".{key}.{os.getpid()}.tmp"
            tmp.write_text(model.model_dump_json(by_alias=True), encoding="utf-8")
            tmp.replace(self.directory / f"{key}.json")
        except OSError as exc:
            logger.debug("Could not write the parse cache: %s", exc)

    def forget_unused(self) -> None:
        """Drop entries no current file needs, so the cache does not grow with every edit."""
        try:
            for entry in self.directory.glob("*.json"):
                if entry.stem not in self.used:
                    entry.unlink(missing_ok=True)
        except OSError as exc:
            logger.debug("Could not prune the parse cache: %s", exc)


class _Registry:
    """Collects ids across files and reports a duplicate at both places."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.items: dict[str, Any] = {}
        self.where: dict[str, tuple[str, int]] = {}

    def add(self, item_id: str, item: Any, path: str, line: int, problems: list[Problem]) -> None:
        if item_id in self.items:
            first_path, first_line = self.where[item_id]
            problems.append(
                Problem(
                    path,
                    line,
                    f"duplicate {self.kind} id {item_id!r} "
                    f"(first defined at {first_path}:{first_line})",
                )
            )
            return
        self.items[item_id] = item
        self.where[item_id] = (path, line)


def _assemble(
    parsed: list[_Parsed],
    source_texts: dict[str, str],
    content_hash: str,
    directory: Path,
    broken_ids: set[str],
) -> tuple[KnowledgeBase | None, list[Problem]]:
    problems: list[Problem] = []
    speakers, topics = _Registry("speaker"), _Registry("topic")
    sources, statements = _Registry("source"), _Registry("statement")
    aliases: dict[str, tuple[str, ...]] = {}
    stopwords: set[str] = set()
    statement_lines: dict[str, tuple[str, LineDict]] = {}
    for item in parsed:
        model, raw = item.model, item.raw
        for section, registry in (("speakers", speakers), ("topics", topics)):
            for index, entry in enumerate(getattr(model, section)):
                line = line_of(raw, (section, index)) or 1
                registry.add(entry.id, entry, item.path, line, problems)
        for canonical, variants in model.aliases.items():
            aliases[canonical] = (*aliases.get(canonical, ()), *variants)
        stopwords.update(model.stopwords)
        if model.source is not None:
            sources.add(
                model.source.id, model.source, item.path, line_of(raw, ("source",)) or 1, problems
            )
        raw_statements = raw.get("statements") or [_no_lines()] * len(model.statements)
        for index, statement in enumerate(model.statements):
            entry_raw = raw_statements[index]
            statements.add(statement.id, statement, item.path, entry_raw.line, problems)
            statement_lines[statement.id] = (item.path, entry_raw)

    known_speakers = speakers.items.keys() | broken_ids
    known_topics = topics.items.keys() | broken_ids
    for statement_id, statement in statements.items.items():
        path, entry = statement_lines[statement_id]
        source = sources.items.get(statement.source_id)
        problems += _check_statement(
            statement, source, known_speakers, known_topics, source_texts, path, entry
        )
    problems += _check_names(speakers.items, topics.items, speakers.where, topics.where)
    if problems:
        return None, problems
    ordered = sorted(statements.items.values(), key=lambda s: s.id)
    ordered.sort(key=lambda s: s.date, reverse=True)
    kb = KnowledgeBase(
        speakers=speakers.items,
        topics=topics.items,
        sources=sources.items,
        statements=tuple(ordered),
        aliases=aliases,
        stopwords=frozenset(word.casefold() for word in stopwords),
        source_texts={k: v for k, v in source_texts.items() if k in sources.items},
        content_hash=content_hash,
        loaded_at=dt.datetime.now(dt.UTC),
        directory=str(directory),
    )
    return kb, problems


def _check_statement(
    statement: Statement,
    source: Source | None,
    speakers: Set[str],
    topics: Set[str],
    source_texts: dict[str, str],
    path: str,
    entry: LineDict,
) -> list[Problem]:
    """Rules needing the whole knowledge base: references, dates against the source, verbatim."""
    problems: list[Problem] = []

    def at(key: str) -> int:
        return entry.key_lines.get(key, entry.line)

    for key in ("speaker", "relayed_by"):
        ref = getattr(statement, key)
        if ref is not None and ref not in speakers:
            problems.append(Problem(path, at(key), f"{key}: unknown speaker {ref!r}"))
    for index, topic in enumerate(statement.topics):
        if topic not in topics:
            line = line_of(entry, ("topics", index)) or at("topics")
            problems.append(Problem(path, line, f"topics: unknown topic {topic!r}"))
    if source is None:
        return problems
    if statement.date > source.published:
        problems.append(
            Problem(
                path,
                at("date"),
                f"date {statement.date} is after its source was published ({source.published})",
            )
        )
    stored = source_texts.get(source.id)
    verbatim = statement.kind is not StatementKind.POSITION
    if stored is not None and verbatim and statement.text not in stored:
        problems.append(
            Problem(
                path,
                at("text"),
                f"text of a {statement.kind} is not found "
                f"verbatim in {SOURCE_TEXT_DIR}/{source.id}.txt",
            )
        )
    return problems


def _check_names(
    speakers: dict[str, Speaker],
    topics: dict[str, Topic],
    speaker_where: dict[str, tuple[str, int]],
    topic_where: dict[str, tuple[str, int]],
) -> list[Problem]:
    """A name or alias that means two speakers (or two topics) would make answers ambiguous."""
    problems: list[Problem] = []
    for kind, items, where in (
        ("speaker", speakers, speaker_where),
        ("topic", topics, topic_where),
    ):
        owner: dict[str, str] = {}
        for item_id, item in items.items():
            for name in item.names:
                key = " ".join(tokens(normalize(name)))  # as the search index sees it
                other = owner.setdefault(key, item_id)
                if other != item_id:
                    path, line = where[item_id]
                    problems.append(
                        Problem(
                            path,
                            line,
                            f"{kind} name or alias {name!r} is also used by {kind} {other!r}",
                        )
                    )
    return problems
