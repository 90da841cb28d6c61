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

from bot.knowledge.cache import ParseCache
from bot.knowledge.checks import Known, Registry, check_names, check_statement
from bot.knowledge.entries import Written, validate_file, written_of
from bot.knowledge.files import (
    DEFAULT_MAX_FILE_BYTES,
    here,
    knowledge_files,
    read_text,
    shown_path,
)
from bot.knowledge.models import KnowledgeBase, KnowledgeFile
from bot.knowledge.problems import KnowledgeError, Problem
from bot.knowledge.yamlsafe import LineDict, LineList, load_yaml

__all__ = ["KnowledgeError", "Problem", "load_knowledge"]

logger = logging.getLogger(__name__)


@dataclass
class _Parsed:
    path: str
    raw: LineDict  # line numbers; empty in the fast pass and for files taken from the cache
    model: KnowledgeFile  # the file's valid entries
    written: list[Written]  # every statement entry, valid or not, with its lines


def _no_lines() -> LineDict:
    """Stands in for a cached file's lines: any problem triggers a full, line-aware reload."""
    empty = LineDict()
    empty.line, empty.key_lines = 1, {}
    return empty


NO_LINES = _no_lines()  # shared, never changed


def _without_lines(path: str, model: KnowledgeFile) -> _Parsed:
    return _Parsed(path, NO_LINES, model, [written_of(s, NO_LINES) for s in model.statements])


def _lighter(parsed: _Parsed) -> _Parsed:
    """Without the lines of valid statements (a third of the memory); a broken statement keeps
    its entry, for the reference check that reports it."""
    written = [w if w.model is None else written_of(w.model, NO_LINES) for w in parsed.written]
    return _Parsed(parsed.path, NO_LINES, parsed.model, written)


_ID_LINE = re.compile(r"^\s*(?:-\s+)?id:\s*[\"']?([a-z0-9][a-z0-9-]*)", re.MULTILINE)


def _declared_ids(text: str) -> set[tuple[str, str]]:
    """Ids a file declares although it could not be parsed, so references to them are not
    reported too: one broken edit should read as one problem, not fifty (best effort)."""
    return {("", found) for found in _ID_LINE.findall(text)}


def _ids_of_unreadable(path: Path, max_file_bytes: int) -> set[tuple[str, str]]:
    """The ids a YAML file that could not be read (a byte-order mark, a bad byte) declares."""
    if path.suffix == ".txt":
        return set()
    try:
        if path.stat().st_size > max_file_bytes:
            return set()
        return _declared_ids(path.read_bytes().decode("utf-8", errors="replace"))
    except OSError:
        return set()


def parse_file(shown: str, text: str) -> tuple[_Parsed | None, list[Problem], set[tuple[str, str]]]:
    """YAML and schema validation of one file: its valid parts, every problem at its line,
    and the ids of speakers and topics it defines but got wrong (references to them are not
    reported as well)."""
    soft: list[tuple[int, str]] = []
    raw, problems = _parse_yaml(shown, text, soft)
    problems += [Problem(shown, line, f"YAML: {message}") for line, message in soft]
    if raw is None:
        return None, problems, _declared_ids(text)
    problems += _inject_source_id(shown, raw)
    parts = validate_file(shown, raw)
    problems += parts.problems
    return _Parsed(shown, raw, parts.model, parts.written), problems, parts.declared


YAML_HINTS = (
    (
        "mapping values are not allowed",
        " (a line indented differently from the one before it, or a value holding ': ' that"
        " needs quotes)",
    ),
    ("found character '\\t'", " (indent with spaces, not tabs)"),
    ("tab character", " (indent with spaces, not tabs)"),
    (
        "could not find expected ':'",
        " (a key without its colon, or a line that continues a value without quotes)",
    ),
    ("did not find expected key", " (a line indented differently from the keys around it)"),
    (
        "did not find expected '-' indicator",
        " (a line indented differently from the list items around it)",
    ),
)
"""libyaml's wording, and what a maintainer most likely typed to get it."""


def _parse_yaml(
    shown: str, text: str, soft: list[tuple[int, str]]
) -> tuple[LineDict | None, list[Problem]]:
    try:
        raw = load_yaml(text, soft)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        hint = next((h for cause, h in YAML_HINTS if cause in message), "")
        return None, [Problem(shown, line, f"YAML: {message}{hint}")]
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
    for index, item in enumerate(statements):
        if isinstance(item, LineDict):
            if "source_id" in item:
                written_id = item.get("id")
                label = repr(written_id) if isinstance(written_id, str) else str(index + 1)
                problems.append(
                    Problem(
                        shown,
                        item.key_lines["source_id"],
                        f"statement {label}: source_id comes from the source block; leave it out",
                    )
                )
            item["source_id"] = source_id if isinstance(source_id, str) else ""
    return problems


def load_knowledge(
    directory: Path | str,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    cache_dir: Path | None = None,
    paths_from: Path | None = None,
) -> KnowledgeBase:
    """Load, validate and cross-check a knowledge directory; KnowledgeError lists all problems.

    With ``cache_dir``, files whose exact content was validated before are taken from the cache
    (keyed by a hash of their bytes, so an edited file can never be served stale). If anything
    at all is wrong, the whole directory is loaded again without the cache and with every line
    number kept, so that every problem carries its exact line. Problems name files relative to
    ``paths_from`` (the command line passes the current directory) or, without it, as
    ``<knowledge folder name>/<path inside it>``.
    """
    directory = Path(directory)
    if not directory.is_dir():
        shown = here(directory, paths_from) if paths_from is not None else str(directory)
        raise KnowledgeError([Problem(shown, 0, "knowledge directory not found")])
    cache = ParseCache(cache_dir) if cache_dir is not None else None
    try:
        kb = _load(directory, max_file_bytes, cache, keep_lines=False, paths_from=paths_from)
    except KnowledgeError:
        # The fast pass kept no line numbers (they cost a third of the memory); the slow pass
        # keeps them all so that every problem, including cross-file ones, has its line.
        kb = _load(directory, max_file_bytes, None, keep_lines=True, paths_from=paths_from)
    if cache is not None:
        cache.forget_unused()
    logger.info("Loaded knowledge base %s: %s", kb.content_hash[:12], kb.summary())
    return kb


def _load(
    directory: Path,
    max_file_bytes: int,
    cache: ParseCache | None,
    *,
    keep_lines: bool,
    paths_from: Path | None,
) -> KnowledgeBase:
    paths, problems = knowledge_files(directory, paths_from)
    digest = hashlib.sha256()
    parsed: list[_Parsed] = []
    source_texts: dict[str, str] = {}
    broken_ids: set[tuple[str, str]] = set()  # (kind, id) of entries that failed
    for path in paths:
        shown = shown_path(directory, path, paths_from)
        text, read_problems = read_text(path, shown, max_file_bytes)
        problems += read_problems
        if text is None:
            broken_ids |= _ids_of_unreadable(path, max_file_bytes)
            continue
        # the version does not depend on where the folder is, or on where it is loaded from
        digest.update(shown_path(directory, path).encode() + b"\0" + text.encode() + b"\0")
        if path.suffix == ".txt":
            source_texts[path.stem] = text
            continue
        cached = cache.get(text) if cache is not None else None
        if cached is not None:
            parsed.append(_without_lines(shown, cached))
            continue
        result, file_problems, declared = parse_file(shown, text)
        problems += file_problems
        broken_ids |= declared
        if result is None:
            continue
        parsed.append(result if keep_lines else _lighter(result))
        complete = all(w.model is not None for w in result.written)
        if cache is not None and complete and not file_problems:
            cache.put(text, result.model)
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
    broken_ids: set[tuple[str, str]],
) -> tuple[KnowledgeBase | None, list[Problem]]:
    problems: list[Problem] = []
    speakers, topics = Registry("speaker"), Registry("topic")
    sources, statements = Registry("source"), Registry("statement")
    aliases: dict[str, tuple[str, ...]] = {}
    stopwords: set[str] = set()
    written: list[tuple[str, Written]] = []
    for item in parsed:
        model, raw = item.model, item.raw
        for section, registry in (("speakers", speakers), ("topics", topics)):
            lines = _entry_lines(raw, section)
            for entry in getattr(model, section):
                line = lines[entry.id].pop(0) if lines.get(entry.id) else 1
                registry.add(entry.id, entry, item.path, line, problems)
        for canonical, variants in model.aliases.items():
            aliases[canonical] = (*aliases.get(canonical, ()), *variants)
        stopwords.update(model.stopwords)
        if model.source is not None:
            line = raw.key_lines.get("source", 1)
            sources.add(model.source.id, model.source, item.path, line, problems)
        for entry in item.written:
            if entry.id is not None:
                statements.add(entry.id, entry, item.path, entry.entry.line, problems)
            written.append((item.path, entry))

    known = Known.of(speakers.items, topics.items, broken_ids)
    for path, entry in written:
        source = sources.items.get(entry.get("source_id") or "")
        problems += check_statement(entry, source, known, source_texts, path)
    problems += check_names(speakers.items, topics.items, speakers.where, topics.where)
    if problems:
        return None, problems
    ordered = sorted(
        (w.model for w in statements.items.values() if w.model is not None), key=lambda s: s.id
    )
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


def _entry_lines(raw: LineDict, section: str) -> dict[str, list[int]]:
    """The lines of the entries of each id in a list section, in file order."""
    entries = raw.get(section)
    if not isinstance(entries, LineList):
        return {}
    lines: dict[str, list[int]] = {}
    for item, line in zip(entries, entries.item_lines, strict=True):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            lines.setdefault(item["id"], []).append(line)
    return lines
