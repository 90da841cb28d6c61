"""Load ``knowledge/`` into a validated KnowledgeBase, or report each problem as ``path:line: msg``.

Loading never stops at the first problem: a maintainer fixing a broken edit wants the whole list.
Only safe YAML is read (see ``bot.knowledge.yamlsafe``), files are size-limited, and nothing
outside the knowledge directory is followed, so a hostile pull request cannot run code or read
other files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.knowledge.cache import ParseCache
from bot.knowledge.checks import Registry, check_names, check_statement
from bot.knowledge.files import DEFAULT_MAX_FILE_BYTES, knowledge_files, read_text, shown_path
from bot.knowledge.models import KnowledgeBase, KnowledgeFile
from bot.knowledge.problems import KnowledgeError, Problem
from bot.knowledge.yamlsafe import LineDict, LineList, line_of, load_yaml

__all__ = ["KnowledgeError", "Problem", "load_knowledge"]

logger = logging.getLogger(__name__)


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
    raw, problems = _parse_yaml(shown, text)
    if raw is None:
        return None, problems
    problems = _inject_source_id(shown, raw)
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


def _parse_yaml(shown: str, text: str) -> tuple[LineDict | None, list[Problem]]:
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
    return raw, []


def _inject_source_id(shown: str, raw: LineDict) -> list[Problem]:
    """Each statement gets its file's source id; writing one by hand is a mistake."""
    source = raw.get("source")
    source_id = source.get("id") if isinstance(source, dict) else None
    problems: list[Problem] = []
    statements = raw.get("statements")
    if not isinstance(statements, LineList):
        return problems
    for item in statements:
        if isinstance(item, LineDict):
            if "source_id" in item:
                line = item.key_lines["source_id"]
                problems.append(Problem(shown, line, "source_id comes from the source block"))
            item["source_id"] = source_id if isinstance(source_id, str) else ""
    return problems


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
        shown = shown_path(directory, path)
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


def _assemble(
    parsed: list[_Parsed],
    source_texts: dict[str, str],
    content_hash: str,
    directory: Path,
    broken_ids: set[str],
) -> tuple[KnowledgeBase | None, list[Problem]]:
    problems: list[Problem] = []
    speakers, topics = Registry("speaker"), Registry("topic")
    sources, statements = Registry("source"), Registry("statement")
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
        problems += check_statement(
            statement, source, known_speakers, known_topics, source_texts, path, entry
        )
    problems += check_names(speakers.items, topics.items, speakers.where, topics.where)
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
