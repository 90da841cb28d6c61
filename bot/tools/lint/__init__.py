"""`policybot lint`: what a reviewer would catch, beyond "would the bot load this".

``validate`` answers one question (does the knowledge base load?) and its answer gates the bot.
Lint reports what loads fine but makes answers worse or less honest: copies of one statement,
questions that lead to two places, names nobody uses, a "quote" the article never put in
quotation marks, a topic whose newest word is years old, a file named otherwise than the source
it holds. Those are judgement calls, so most of
them are warnings; ``--strict`` turns them into errors for CI.

Every finding points at ``path:line`` in the YAML as the maintainer wrote it: the knowledge base
is loaded once through the real loader (so lint never disagrees with ``validate`` about what
the data means) and each file is read a second time with
:func:`bot.knowledge.yamlsafe.load_yaml` only to recover line numbers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.knowledge.files import DEFAULT_MAX_FILE_BYTES
from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.tools.lint import rules
from bot.tools.lint.duplicates import near_duplicates
from bot.tools.lint.findings import ERROR, WARNING, LintFinding, from_problems, strict, summary
from bot.tools.lint.naming import misnamed_statement_files, orphan_source_texts
from bot.tools.lint.quotes import is_quoted, unquoted_quotes
from bot.tools.lint.where import locate

__all__ = [
    "ERROR",
    "WARNING",
    "LintFinding",
    "from_problems",
    "is_quoted",
    "lint_knowledge",
    "near_duplicates",
    "strict",
    "summary",
]

logger = logging.getLogger(__name__)

DEFAULT_NEAR_DUPLICATE_THRESHOLD = 90
DEFAULT_STALE_DAYS = 730


def lint_knowledge(
    directory: Path | str,
    *,
    near_duplicate_threshold: int = DEFAULT_NEAR_DUPLICATE_THRESHOLD,
    stale_days: int = DEFAULT_STALE_DAYS,
    today: dt.date | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    paths_from: Path | None = None,
) -> list[LintFinding]:
    """Every finding for ``directory``, in file order; files are named relative to
    ``paths_from`` when given (as ``validate`` names them).

    A knowledge base that does not load gets its loader problems as errors and nothing else:
    the other rules need the loaded data, and the fix for a load error comes first anyway.
    """
    directory = Path(directory)
    try:
        kb = load_knowledge(directory, max_file_bytes=max_file_bytes, paths_from=paths_from)
    except KnowledgeError as exc:
        return from_problems(exc.problems)
    where = locate(directory, max_file_bytes, paths_from)
    today = today or rules.today()
    checks: list[Callable[[], Iterable[LintFinding]]] = [
        lambda: rules.near_duplicate_statements(kb, where, near_duplicate_threshold),
        lambda: rules.duplicate_questions(kb, where),
        lambda: rules.unused(kb, where),
        lambda: rules.untagged(kb, where),
        lambda: unquoted_quotes(kb, where),
        lambda: misnamed_statement_files(kb, where),
        lambda: orphan_source_texts(kb, where),
        lambda: rules.stale(kb, where, stale_days, today),
    ]
    return sorted(finding for check in checks for finding in check())
