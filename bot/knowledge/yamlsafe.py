"""Safe YAML loading that remembers line numbers and refuses what hand-edited files never need.

PyYAML's safe loader already refuses Python object tags. On top of it this loader:
refuses aliases (the "billion laughs" bomb needs them, knowledge files do not), refuses
duplicate mapping keys (PyYAML silently keeps the last one), and bounds nesting depth. An
impossible date (``2024-13-45``) stays text, so that validation reports it in its own words
together with everything else in the file, instead of one YAML error hiding the rest; a
duplicate key can likewise be reported without ending the parse (the first value is kept).
Mappings and sequences come back as ``dict``/``list`` subclasses carrying the 1-based line of
every key and item, so later validation errors can point at ``path:line``.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # the C-accelerated parser is ~10x faster; the pure-Python one behaves the same
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_DEPTH = 32


class LineDict(dict[Any, Any]):
    """A mapping that knows the line of itself and of each of its keys."""

    line: int
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that knows the line of itself and of each of its items."""

    line: int
    item_lines: list[int]


class _Loader(_BaseLoader):
    _depth = 0
    soft: list[tuple[int, str]] | None = None  # collects duplicate keys instead of raising

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise ConstructorError(
                None, None, "aliases (*name) are not allowed in knowledge files", node.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ConstructorError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", node.start_mark
                )
            return super().construct_object(node, deep=True)
        except ValueError as exc:  # e.g. datetime.date(2024, 13, 45) from an implicit timestamp
            if isinstance(exc, yaml.YAMLError):
                raise
            raise ConstructorError(None, None, f"invalid value: {exc}", node.start_mark) from None
        finally:
            self._depth -= 1

    def construct_line_mapping(self, node: MappingNode) -> LineDict:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )
            key = self.construct_object(key_node)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in mapping:
                first = mapping.key_lines[key]
                message = f"duplicate key {key!r} (first defined at line {first})"
                if self.soft is None:
                    raise ConstructorError(None, None, message, key_node.start_mark)
                self.soft.append((key_node.start_mark.line + 1, message))
                continue
            mapping.key_lines[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node)
        return mapping

    def construct_line_sequence(self, node: SequenceNode) -> LineList:
        items = LineList(self.construct_object(child) for child in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [child.start_mark.line + 1 for child in node.value]
        return items

    def construct_lenient_timestamp(self, node: ScalarNode) -> Any:
        """A date, or its text when it is no real date (validation then says why)."""
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_line_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_line_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_lenient_timestamp)


def load_yaml(text: str, soft_problems: list[tuple[int, str]] | None = None) -> Any:
    """Parse one YAML document; raises ``yaml.YAMLError`` (with a mark) on any problem.

    With ``soft_problems``, duplicate keys are appended to it as ``(line, message)`` (the
    first value is kept) instead of ending the parse.
    """
    loader = _Loader(text)
    loader.soft = soft_problems
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest element of ``loc`` (a pydantic error location) found in ``data``."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line
