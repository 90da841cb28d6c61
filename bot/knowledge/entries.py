"""One knowledge file, entry by entry.

A file that validates as a whole is taken in one pydantic call (the fast, usual case). One that
does not is validated again entry by entry: every speaker, topic, source and statement on its
own, so that a bad value in one statement does not hide the problems of the next, every problem
names its entry (``statement 'x'``, ``speaker 'y', role 2``), and the valid parts of the file,
even the valid fields of a broken statement, still take part in the cross-file checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.knowledge.messages import describe, did_you_mean, error_message
from bot.knowledge.models import (
    KnowledgeFile,
    Role,
    Source,
    Speaker,
    Statement,
    Text,
    Topic,
)
from bot.knowledge.problems import Problem
from bot.knowledge.yamlsafe import LineDict, LineList, line_of

SECTIONS: tuple[str, ...] = tuple(KnowledgeFile.model_fields)
REFERENCES = ("speaker", "relayed_by", "topics")  # a statement's ids of other entries
ID_FORM_ERRORS = frozenset({"string_pattern_mismatch", "string_too_long", "string_too_short"})
_INJECTED = "source_id"  # set by the loader, never written


@dataclass(slots=True)
class Written:
    """A statement as written: its lines, and its model when valid, or else the values of its
    valid fields (``salvaged``), so that references and dates are checked even in a statement
    with another field wrong."""

    entry: LineDict
    model: Statement | None = None
    salvaged: dict[str, Any] = field(default_factory=dict)
    written_label: str = ""  # for a broken statement: "statement 'x'" or "statement 3"

    @property
    def label(self) -> str:
        return f"statement {self.model.id!r}" if self.model is not None else self.written_label

    def get(self, name: str) -> Any:
        """A field's value, or None when it is missing or wrong."""
        if self.model is not None:
            return getattr(self.model, name)
        return self.salvaged.get(name)

    @property
    def id(self) -> str | None:
        value = self.model.id if self.model is not None else self.entry.get("id")
        return value if isinstance(value, str) and value else None


@dataclass
class FileParts:
    """What one file contributes: its valid entries (``model``) and its problems."""

    model: KnowledgeFile
    problems: list[Problem] = field(default_factory=list)
    written: list[Written] = field(default_factory=list)
    declared: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) of broken entries


def written_of(statement: Statement, entry: LineDict) -> Written:
    return Written(entry, statement)


def validate_file(shown: str, raw: LineDict) -> FileParts:
    """Validate one parsed file; never raises, reports each problem at its line."""
    try:
        model = KnowledgeFile.model_validate(raw)
    except ValidationError:
        return _entry_by_entry(shown, raw)
    entries = raw.get("statements")
    lines = list(entries) if isinstance(entries, LineList) else []
    return FileParts(
        model, written=[written_of(s, e) for s, e in zip(model.statements, lines, strict=True)]
    )


def _entry_by_entry(shown: str, raw: LineDict) -> FileParts:
    parts = FileParts(KnowledgeFile())
    for key in raw:
        if key not in SECTIONS:
            hint = did_you_mean(key, SECTIONS) or f"; the sections are {', '.join(SECTIONS)}"
            parts.problems.append(
                Problem(shown, raw.key_lines[key], f"unknown section {key!r}{hint}")
            )
    speakers = _models(shown, raw, "speakers", Speaker, parts)
    topics = _models(shown, raw, "topics", Topic, parts)
    aliases, stopwords = _aliases(shown, raw, parts)
    source = _source(shown, raw, parts)
    for index, entry in _section(shown, raw, "statements", parts):
        parts.written.append(_statement(shown, entry, index, parts))
    if raw.get("statements") and "source" not in raw:
        parts.problems.append(
            Problem(
                shown,
                raw.key_lines["statements"],
                "a file with statements must also have its source block (the document they "
                "come from: id, title, publisher, published)",
            )
        )
    parts.model = KnowledgeFile.model_construct(
        speakers=speakers,
        topics=topics,
        aliases=aliases,
        stopwords=stopwords,
        source=source,
        statements=tuple(w.model for w in parts.written if w.model is not None),
    )
    return parts


def _label(kind: str, entry: LineDict, index: int) -> str:
    written_id = entry.get("id")
    if isinstance(written_id, str) and written_id.strip():
        return f"{kind} {written_id!r}"
    return f"{kind} {index + 1}"


def _fields(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items() if name != _INJECTED]


def _deferred(model: type[BaseModel], error: Any) -> bool:
    """A statement's reference that is no id at all (``speaker: Minister Quill``) is left to
    the reference check, which says "unknown speaker" and suggests the id it may mean."""
    loc = tuple(error["loc"])
    return (
        model is Statement
        and loc[:1] in {(name,) for name in REFERENCES}
        and error["type"] in ID_FORM_ERRORS
    )


def _report(
    shown: str,
    entry: Any,
    label: str,
    model: type[BaseModel],
    exc: ValidationError,
    parts: FileParts,
) -> set[str]:
    """Each error of one entry as a problem; returns the fields found wrong."""
    wrong: set[str] = set()
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if _deferred(model, error):
            continue
        allowed = _fields(Role) if loc[:1] == ("roles",) and len(loc) > 2 else _fields(model)
        suffix, message = error_message(error, allowed)
        line = line_of(entry, loc) or int(getattr(entry, "line", 1))
        parts.problems.append(Problem(shown, line, f"{label}{suffix}: {message}"))
        if loc:
            wrong.add(str(loc[0]))
    return wrong


def _section(
    shown: str, raw: LineDict, section: str, parts: FileParts
) -> list[tuple[int, LineDict]]:
    """The mappings of a list section; anything else in it is a problem."""
    items = raw.get(section)
    if section not in raw:
        return []
    kind = section.removesuffix("s")
    if not isinstance(items, LineList):
        parts.problems.append(
            Problem(
                shown,
                raw.key_lines[section],
                f"{section} must be a list of {section} (one '- id: ...' block each), "
                f"not {describe(items)}",
            )
        )
        return []
    found: list[tuple[int, LineDict]] = []
    for index, item in enumerate(items):
        if isinstance(item, LineDict):
            found.append((index, item))
            continue
        parts.problems.append(
            Problem(
                shown,
                items.item_lines[index],
                f"{kind} {index + 1} must be a block of 'key: value' lines, not {describe(item)}",
            )
        )
    return found


def _models(
    shown: str, raw: LineDict, section: str, model: type[Speaker | Topic], parts: FileParts
) -> tuple[Any, ...]:
    valid: list[Any] = []
    kind = section.removesuffix("s")
    for index, entry in _section(shown, raw, section, parts):
        try:
            valid.append(model.model_validate(entry))
        except ValidationError as exc:
            _report(shown, entry, _label(kind, entry, index), model, exc, parts)
            if isinstance(entry.get("id"), str):
                parts.declared.add((kind, entry["id"]))
    return tuple(valid)


def _source(shown: str, raw: LineDict, parts: FileParts) -> Source | None:
    if "source" not in raw:
        return None
    entry = raw["source"]
    if not isinstance(entry, LineDict):
        parts.problems.append(
            Problem(
                shown,
                raw.key_lines["source"],
                "source must be a block of 'key: value' lines (id, title, publisher, published),"
                f" not {describe(entry)}",
            )
        )
        return None
    try:
        return Source.model_validate(entry)
    except ValidationError as exc:
        written_id = entry.get("id")
        label = f"source {written_id!r}" if isinstance(written_id, str) else "source block"
        _report(shown, entry, label, Source, exc, parts)
        return None


def _statement(shown: str, entry: LineDict, index: int, parts: FileParts) -> Written:
    label = _label("statement", entry, index)
    try:
        statement = Statement.model_validate(entry)
    except ValidationError as exc:
        wrong = _report(shown, entry, label, Statement, exc, parts)
        return Written(entry, None, _salvage(entry, wrong), label)
    return Written(entry, statement)


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    info = Statement.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation)


def _salvage(entry: LineDict, wrong: set[str]) -> dict[str, Any]:
    """The fields of a broken statement that are valid on their own, as values; references
    as written, if text, for the reference check to judge."""
    values: dict[str, Any] = {}
    for name in Statement.model_fields:
        if name in wrong or name not in entry:
            continue
        try:
            values[name] = _adapter(name).validate_python(entry[name])
        except ValidationError:
            if name in REFERENCES:
                values[name] = _as_written(entry[name])
    return values


def _as_written(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return value if isinstance(value, str) else None


_TEXTS: TypeAdapter[tuple[str, ...]] = TypeAdapter(tuple[Text, ...])
_TEXT: TypeAdapter[str] = TypeAdapter(Text)


def _aliases(
    shown: str, raw: LineDict, parts: FileParts
) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """The synonym table and extra stopwords, each entry checked on its own."""
    table: dict[str, tuple[str, ...]] = {}
    aliases = raw.get("aliases", {})
    if not isinstance(aliases, dict):
        parts.problems.append(
            Problem(
                shown,
                raw.key_lines["aliases"],
                "aliases must be 'term: [synonym, ...]' lines, not " + describe(aliases),
            )
        )
        aliases = {}
    for term, variants in aliases.items():
        line = aliases.key_lines.get(term, 1) if isinstance(aliases, LineDict) else 1
        try:
            table[_TEXT.validate_python(term)] = _TEXTS.validate_python(variants)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                _, message = error_message(error, ())
                where = line_of(variants, tuple(error["loc"])) if error["loc"] else line
                parts.problems.append(
                    Problem(shown, where or line, f"aliases of {term!r}: {message}".rstrip())
                )
    stopwords: tuple[str, ...] = ()
    if "stopwords" in raw:
        try:
            stopwords = _TEXTS.validate_python(raw["stopwords"])
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                _, message = error_message(error, ())
                line = line_of(raw, ("stopwords", *error["loc"])) or 1
                parts.problems.append(Problem(shown, line, f"stopwords: {message}"))
    return table, stopwords
