"""Validation errors in the maintainer's words.

Pydantic says ``statements.11.kind: Input should be 'quote', 'reported' or 'position'``; a
maintainer wants ``statement 'korvac-rate-hike-2023': kind must be quote, reported or position,
not 'qoute'``: the entry named by its id, the limit with the actual value, positions counted
from 1, and a "did you mean" where a near name exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from pydantic_core import ErrorDetails
from rapidfuzz import fuzz, process, utils

SUGGESTION_CUTOFF = 75  # rapidfuzz WRatio (0-100) at which a near name is offered
ID_RULE = (
    "may use only lowercase letters, digits and hyphens, starting and ending with a letter or digit"
)
ID_FIELDS = frozenset({"id", "speaker", "relayed_by", "topics"})
PATTERN_RULES = {
    "url": "must start with http:// or https:// and contain no spaces",
    "language": "must be a language code such as en, zh or pt-BR",
}
DATE_ERRORS = frozenset(
    {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
LIST_ERRORS = frozenset({"tuple_type", "list_type", "iterable_type"})
MAPPING_ERRORS = frozenset({"dict_type", "model_type", "model_attributes_type"})


def did_you_mean(value: object, choices: Mapping[str, str] | Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the nearest choice, or nothing.

    ``choices`` may map what is compared (a name, an alias) to what is suggested (an id).
    """
    if not isinstance(value, str) or not value.strip():
        return ""
    table = dict(choices) if isinstance(choices, Mapping) else {c: c for c in choices}
    if table.get(value, value) != value:  # a name or alias where its id belongs
        return f"; did you mean {table[value]!r}?"
    keys = [key for key, target in table.items() if target != value]
    if not keys:
        return ""
    found = process.extractOne(
        utils.default_process(value),
        [utils.default_process(key) for key in keys],
        scorer=fuzz.WRatio,
        processor=None,
        score_cutoff=SUGGESTION_CUTOFF,
    )
    if found is None:
        return ""
    return f"; did you mean {table[keys[found[2]]]!r}?"


def describe(value: object) -> str:
    """A written value as a maintainer would name it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{value!r} (yes/no)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a block of 'key: value' lines"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def field_words(loc: Sequence[int | str]) -> tuple[str, str]:
    """``(entry suffix, field)`` for an error location inside one entry: ``("roles", 0,
    "from")`` is ``(", role 1", "from")``, ``("topics", 2)`` is ``("", "topics item 3")``."""
    suffix, field = "", ""
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if part == "roles" and parts and isinstance(parts[0], int):
            suffix += f", role {int(parts.pop(0)) + 1}"
        elif isinstance(part, int):
            field = f"{field} item {part + 1}".strip()
        else:
            field = f"{field} {part}".strip()
    return suffix, field


def error_message(error: ErrorDetails, allowed: Sequence[str]) -> tuple[str, str]:
    """``(entry suffix, message)`` for one pydantic error inside an entry whose fields are
    ``allowed``."""
    loc = tuple(error["loc"])
    suffix, field = field_words(loc)
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        hint = did_you_mean(name, allowed) or f"; the fields are {', '.join(allowed)}"
        return suffix, f"unknown field {name!r}{hint}"
    if kind == "missing":
        return suffix, f"{field} is missing"
    if kind == "enum":
        expected = str(ctx.get("expected", "")).replace("'", "")
        return suffix, f"{field} must be {expected}, not {describe(value)}"
    if kind == "string_too_long":
        return suffix, f"{field} is {len(str(value))} characters; at most {ctx['max_length']}"
    if kind == "string_too_short":
        return suffix, f"{field} is {_characters(len(str(value)))}; at least {ctx['min_length']}"
    if kind == "string_pattern_mismatch":
        if name in ID_FIELDS:
            return suffix, f"{field} {value!r} {ID_RULE}"
        rule = PATTERN_RULES.get(name, f"must match {ctx.get('pattern')}")
        return suffix, f"{field} {rule}, not {describe(value)}"
    return suffix, _value_message(kind, field, value, str(error["msg"])).strip()


def _value_message(kind: str, field: str, value: object, msg: str) -> str:
    if kind == "string_type":
        quote = "" if isinstance(value, list | dict) else "; put it in quotes"
        return f"{field} must be text, not {describe(value)}{quote}"
    if kind in LIST_ERRORS:
        return f"{field} must be a list ([a, b], or one '- item' per line), not {describe(value)}"
    if kind in MAPPING_ERRORS:
        return f"{field or 'entry'} must be a block of 'key: value' lines, not {describe(value)}"
    if kind in DATE_ERRORS:
        return f"{field} must be a date such as 2024-12-17, not {describe(value)}"
    text = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{field} {text}" if field else text


def _characters(count: int) -> str:
    return f"{count} character" if count == 1 else f"{count} characters"
