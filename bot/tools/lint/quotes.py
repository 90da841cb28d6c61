"""The quotation-mark rule: a ``quote`` the source never put in quotation marks.

Only sources that set the speaker's own words in quotation marks are checked: an ``article``
(the default ``form``). In a transcript, a speech or a written statement the speaker's own
words carry no quotation marks, so the rule does not fire there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.knowledge.files import SOURCE_TEXT_DIR
from bot.knowledge.models import KnowledgeBase, StatementKind
from bot.knowledge.verbatim import occurrences
from bot.tools.lint.findings import WARNING, LintFinding
from bot.tools.lint.where import Where

OPENING_QUOTES = frozenset("\"“„«「『'‘")
CLOSING_QUOTES = frozenset("\"”»」』'’")
DOUBLE_QUOTES = frozenset('"“”„«»「」『』')  # single quotes double as apostrophes: not counted
QUOTE_REACH = 3  # a quote mark may sit this many characters from the text (`big country,"`)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def unquoted_quotes(kb: KnowledgeBase, where: Where) -> Iterator[LintFinding]:
    """A ``quote`` an article never put in quotation marks is probably reported speech."""
    for statement in kb.statements:
        stored = kb.source_texts.get(statement.source_id)
        if statement.kind is not StatementKind.QUOTE or stored is None:
            continue
        if not kb.sources[statement.source_id].form.marks_quotes:
            continue  # a transcript or a speech: the speaker's words need no quotation marks
        if not occurrences(stored, statement.text):
            continue  # the verbatim rule has already said so
        if not is_quoted(stored, statement.text):
            path, line = where.statement_line(statement.id, "text")
            yield LintFinding(
                path,
                line,
                WARNING,
                f"quote {statement.id!r} is not inside quotation marks in "
                f"{SOURCE_TEXT_DIR}/{statement.source_id}.txt; is it reported speech? (For a "
                "transcript or a speech, put form: transcript or form: speech in its source)",
            )


def is_quoted(source: str, text: str) -> bool:
    """Whether some occurrence of ``text`` in ``source`` sits inside quotation marks.

    Either a quote mark is within a few characters of each end (``"China's … big country,"``:
    the closing mark follows a comma), or the occurrence starts after an odd number of double
    quote marks in its paragraph, which covers a quotation taken from the middle of a longer
    one and the later paragraphs of a quotation running over several (each of which, by news
    convention, opens with a quote mark and leaves the previous one unclosed). Occurrences are
    found as the verbatim check finds them: line breaks and typographic quotes aside.
    """
    if text[:1] in OPENING_QUOTES and text[-1:] in CLOSING_QUOTES:
        return True
    first, last = text[:1], text[-1:]
    for start, end in occurrences(source, text):
        before = source[max(0, start - QUOTE_REACH) : start]
        after = source[end : end + QUOTE_REACH]
        if (any(c in OPENING_QUOTES for c in before) or first in OPENING_QUOTES) and (
            any(c in CLOSING_QUOTES for c in after) or last in CLOSING_QUOTES
        ):
            return True
        breaks = list(_PARAGRAPH_BREAK.finditer(source, 0, start))
        paragraph_start = breaks[-1].end() if breaks else 0
        if sum(c in DOUBLE_QUOTES for c in source[paragraph_start:start]) % 2 == 1:
            return True
    return False
