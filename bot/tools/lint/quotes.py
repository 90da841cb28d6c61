"""The quotation-mark rule: a ``quote`` the source never put in quotation marks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.knowledge.files import SOURCE_TEXT_DIR
from bot.knowledge.models import KnowledgeBase, StatementKind
from bot.tools.lint.findings import WARNING, LintFinding
from bot.tools.lint.where import Where

OPENING_QUOTES = frozenset("\"“„«「『'‘")
CLOSING_QUOTES = frozenset("\"”»」』'’")
DOUBLE_QUOTES = frozenset('"“”„«»「」『』')  # single quotes double as apostrophes: not counted
QUOTE_REACH = 3  # a quote mark may sit this many characters from the text (`big country,"`)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def unquoted_quotes(kb: KnowledgeBase, where: Where) -> Iterator[LintFinding]:
    """A ``quote`` the source never put in quotation marks is probably reported speech."""
    for statement in kb.statements:
        stored = kb.source_texts.get(statement.source_id)
        if statement.kind is not StatementKind.QUOTE or stored is None:
            continue
        if statement.text not in stored:
            continue  # the verbatim rule has already said so
        if not is_quoted(stored, statement.text):
            path, line = where.statement_line(statement.id, "text")
            yield LintFinding(
                path,
                line,
                WARNING,
                f"quote {statement.id!r} is not inside quotation marks in "
                f"{SOURCE_TEXT_DIR}/{statement.source_id}.txt; is it reported speech?",
            )


def is_quoted(source: str, text: str) -> bool:
    """Whether some occurrence of ``text`` in ``source`` sits inside quotation marks.

    Either a quote mark is within a few characters of each end (``"China's … big country,"``:
    the closing mark follows a comma), or the occurrence starts after an odd number of double
    quote marks in its paragraph, which covers a quotation taken from the middle of a longer
    one and the later paragraphs of a quotation running over several (each of which, by news
    convention, opens with a quote mark and leaves the previous one unclosed).
    """
    if text[:1] in OPENING_QUOTES and text[-1:] in CLOSING_QUOTES:
        return True
    start = source.find(text)
    while start != -1:
        end = start + len(text)
        before = source[max(0, start - QUOTE_REACH) : start]
        after = source[end : end + QUOTE_REACH]
        if (any(c in OPENING_QUOTES for c in before) or text[0] in OPENING_QUOTES) and (
            any(c in CLOSING_QUOTES for c in after) or text[-1] in CLOSING_QUOTES
        ):
            return True
        breaks = list(_PARAGRAPH_BREAK.finditer(source, 0, start))
        paragraph_start = breaks[-1].end() if breaks else 0
        if sum(c in DOUBLE_QUOTES for c in source[paragraph_start:start]) % 2 == 1:
            return True
        start = source.find(text, start + 1)
    return False
