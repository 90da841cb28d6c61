"""The draft's two records: a ``Person`` who speaks and a ``Candidate`` statement.

Plain data shared by every stage (speaker recognition, ids, drafting, the YAML writer); it
lives at the bottom of the package so those stages can pass it around without importing
one another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

UNKNOWN_ID = "unknown"  # the speaker of words the article gives no person for


@dataclass
class Person:
    """Someone the article quotes: a known speaker, or a stub for a maintainer to complete."""

    id: str
    name: str
    known: bool
    mentions: list[str] = field(default_factory=list)
    title: str | None = None
    anonymous: bool = False  # a body or an unnamed source: ``name`` is how the article puts it


@dataclass
class Candidate:
    """One statement the draft proposes: a span of the article, its kind and speaker."""

    start: int
    end: int
    kind: str
    speaker: Person
    relayed_by: Person | None = None
    date: dt.date | None = None
    date_note: str = ""
    notes: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    id: str = ""
