"""Small pieces of wording every front end shares: plurals, human dates, names, what a
knowledge base covers, and labels cut at a word boundary. Plain text; callers escape."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Sequence

from bot.knowledge.models import KnowledgeBase, Statement

ELLIPSIS = "…"
TRIM_MARK = " …"  # what a text cut at a sentence ends with
SENTENCE_END = re.compile(r"(?<=[.;!?。；！？])\s+")
NAMES_SHOWN = 3  # "A, B, C and 4 others"
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()  # not the process locale


def esc(value: object) -> str:
    """The one HTML escape: every interpolated string passes through it exactly once."""
    return html.escape(str(value), quote=True)


def trim_at_sentence(text: str, limit: int) -> tuple[str, bool]:
    """Cut ``text`` to at most ``limit`` characters (the " …" marker included) at a sentence,
    or failing that a word, boundary; says whether it cut."""
    if len(text) <= limit:
        return text, False
    room = max(limit - len(TRIM_MARK), 1)
    cut = text[:room]
    ends = [m.start() for m in SENTENCE_END.finditer(cut)]
    if ends and ends[-1] > room // 3:
        return cut[: ends[-1]].rstrip() + TRIM_MARK, True
    space = cut.rfind(" ")
    return (cut[:space] if space > room // 3 else cut).rstrip() + TRIM_MARK, True


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """'1 source', '2 sources', '0 statements'."""
    word = noun if count == 1 else (plural_form or noun + "s")
    return f"{count} {word}"


def cut_words(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word boundary and marked with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 1)
    cut = text[: room + 1]
    space = cut.rfind(" ")
    kept = cut[:space] if space > room // 3 else text[:room]
    return kept.rstrip(" ,;:–—-") + ELLIPSIS


def precision_of(day: dt.date) -> str:
    """ "day", "month" or "year": how much of a date the source gives (a knowledge base date
    may carry its precision; a plain date is a day)."""
    precision = getattr(day, "precision", None) or "day"
    return str(getattr(precision, "value", precision)).lower()


def human_date(day: dt.date, precision: object = None) -> str:
    """'17 Dec 2024'; 'Dec 2024' or '2024' when only the month or the year is known."""
    kind = str(getattr(precision, "value", precision)).lower() if precision else precision_of(day)
    month = f"{MONTHS[day.month - 1]} {day.year}"
    if kind == "year":
        return str(day.year)
    if kind == "month":
        return month
    return f"{day.day} {month}"


def said_on(statement: Statement, day: dt.date | None = None) -> str:
    """A statement's date as people write it, at the precision the knowledge base knows."""
    return human_date(day or statement.date)


def on_day(day: dt.date) -> str:
    """'on 17 Dec 2024', 'in Dec 2024', 'in 2024'."""
    return ("on " if precision_of(day) == "day" else "in ") + human_date(day)


def join_names(names: Sequence[str], shown: int = NAMES_SHOWN) -> str:
    """'A', 'A and B', 'A, B and C', 'A, B, C and 2 others'."""
    if len(names) <= 1:
        return "".join(names)
    if len(names) <= shown:
        return ", ".join(names[:-1]) + " and " + names[-1]
    rest = len(names) - shown
    return ", ".join(names[:shown]) + f" and {plural(rest, 'other')}"


def date_span(kb: KnowledgeBase) -> str:
    """'17 Dec 2024', or '3 Mar 2018 – 17 Dec 2024'."""
    if not kb.statements:
        return "no dates yet"
    newest, oldest = kb.statements[0], kb.statements[-1]
    if newest.date == oldest.date:
        return said_on(newest)
    return f"{said_on(oldest)} – {said_on(newest)}"


def coverage(kb: KnowledgeBase) -> str:
    """What the knowledge base covers: statements, who, which sources, which dates."""
    if not kb.statements:
        return "The knowledge base is empty."
    by_speaker = Counter(s.speaker for s in kb.statements)
    speakers = [kb.speakers[sid].name for sid, _ in by_speaker.most_common()]
    publishers = list(dict.fromkeys(source.publisher for source in kb.sources.values()))
    return (
        f"{plural(len(kb.statements), 'statement')} by {join_names(speakers)}, "
        f"from {plural(len(kb.sources), 'source')} ({join_names(publishers)}), "
        f"dated {date_span(kb)}"
    )
