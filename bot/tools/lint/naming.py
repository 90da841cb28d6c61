"""File names that do not match what they hold: a statements file named otherwise than its
source's id, and a stored source text that belongs to no source (so nothing is checked
against it)."""

from __future__ import annotations

from collections.abc import Iterator

from bot.knowledge.files import SOURCE_TEXT_DIR
from bot.knowledge.messages import did_you_mean
from bot.knowledge.models import KnowledgeBase
from bot.tools.lint.findings import WARNING, LintFinding
from bot.tools.lint.where import Where


def misnamed_statement_files(kb: KnowledgeBase, where: Where) -> Iterator[LintFinding]:
    """``statements/<source id>.yaml`` is how a maintainer finds a source's statements and
    ``sources/<source id>.txt`` its text; a file named otherwise hides both."""
    for source_id in kb.sources:
        shown, entry, relative = where.sources[source_id]
        if relative.stem != source_id:
            wanted = relative.with_name(f"{source_id}{relative.suffix}").as_posix()
            yield LintFinding(
                shown,
                entry.key_lines.get("id", entry.line),
                WARNING,
                f"file {relative.as_posix()} holds source {source_id!r}; name it {wanted}",
            )


def orphan_source_texts(kb: KnowledgeBase, where: Where) -> Iterator[LintFinding]:
    """A stored text whose name is no source's id is never used for the verbatim check."""
    for name, shown in sorted(where.texts.items()):
        if name in kb.sources:
            continue
        hint = did_you_mean(name, list(kb.sources))
        yield LintFinding(
            shown,
            1,
            WARNING,
            f"{SOURCE_TEXT_DIR}/{name}.txt is checked against no statement: no source has the "
            f"id {name!r}{hint}",
        )
