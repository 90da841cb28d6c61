"""The fictional knowledge base the tests break on purpose, one edit at a time.

Minister Ada Quill of the Republic of Examplia, reported by The Example Gazette: valid as
written. Tests get a fresh copy on disk through the ``make_kb`` and ``fictional_kb`` fixtures
(``tests/conftest.py``) and import the texts and types from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.files import DEFAULT_MAX_FILE_BYTES
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import KnowledgeBase

SOURCE_ID = "gazette-2024-03-02-quill-canals"
STATEMENTS_FILE = f"statements/{SOURCE_ID}.yaml"
SOURCE_TEXT_FILE = f"sources/{SOURCE_ID}.txt"

SOURCE_TEXT = """\
The Example Gazette, 2 March 2024

Quill opens the canals of Examplia

EXAMPLE CITY, March 1 -- Minister Ada Quill said on Friday: "The canals of Examplia will stay \
open to every boat, whatever the weather." She added that the lantern boats would sail at dusk.

Envoy Bram Ledger told reporters that the Chancellor wants a lantern festival on every canal \
by next spring, and that tolls will not rise this year.

The Republic of Examplia has no canals that are closed to visitors.
"""

SPEAKERS_YAML = """\
speakers:
  - id: ada-quill
    name: Ada Quill
    native_name: 艾达·奎尔
    aliases:
      - Minister Quill
      - Minister Ada Quill
      - Chancellor Quill
    roles:
      - title: Minister of Canals of the Republic of Examplia
        from: 2020-01-01
        until: 2023-12-31
      - title: Chancellor of the Republic of Examplia
        from: 2024-01-01

  - id: bram-ledger
    name: Bram Ledger
    aliases: [Envoy Ledger]
    roles:
      - title: Envoy of the Republic of Examplia
        from: 2019-05-01
"""

TOPICS_YAML = """\
topics:
  - id: canal-policy
    name: Canal policy
    aliases: [canals, waterways]
  - id: lantern-festival
    name: Lantern festival
    aliases: [lanterns, lantern boats]
  - id: tolls
    name: Tolls
    aliases: [toll, fees]
"""

ALIASES_YAML = """\
aliases:
  examplia: [Republic of Examplia, Examplian]
stopwords: []
"""

STATEMENTS_YAML = f"""\
source:
  id: {SOURCE_ID}
  title: Quill opens the canals of Examplia
  publisher: The Example Gazette
  url: https://gazette.example/2024/03/02/quill-canals
  published: 2024-03-02
  language: en

statements:
  - id: quill-canals-open
    speaker: ada-quill
    date: 2024-03-01
    kind: quote
    text: >-
      The canals of Examplia will stay open to every boat, whatever the weather.
    topics: [canal-policy]
    questions:
      - Will the canals of Examplia stay open?

  - id: ledger-lantern-festival
    speaker: ada-quill
    relayed_by: bram-ledger
    date: 2024-03-01
    kind: reported
    text: the Chancellor wants a lantern festival on every canal
    topics: [lantern-festival, canal-policy]
    questions:
      - Does the Chancellor want a lantern festival?

  - id: quill-tolls-position
    speaker: ada-quill
    date: 2024-02-01
    kind: position
    text: Ada Quill prefers to keep canal tolls where they are.
    topics: [tolls]
"""

DEFAULT_FILES: dict[str, str] = {
    "speakers.yaml": SPEAKERS_YAML,
    "topics.yaml": TOPICS_YAML,
    "aliases.yaml": ALIASES_YAML,
    STATEMENTS_FILE: STATEMENTS_YAML,
    SOURCE_TEXT_FILE: SOURCE_TEXT,
}


@dataclass
class FictionalKB:
    """A fictional knowledge directory on disk, with helpers to break it one edit at a time."""

    path: Path
    source_id: str = SOURCE_ID
    statements_rel: str = STATEMENTS_FILE
    source_rel: str = SOURCE_TEXT_FILE

    def file(self, rel: str) -> Path:
        return self.path / rel

    def read(self, rel: str) -> str:
        return self.file(rel).read_text(encoding="utf-8")

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.file(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def delete(self, rel: str) -> None:
        self.file(rel).unlink()

    def replace(self, rel: str, old: str, new: str, *, count: int = 1) -> None:
        """Replace ``old`` (which must occur) by ``new`` in one file."""
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, count))

    def append(self, rel: str, extra: str) -> None:
        self.write(rel, self.read(rel) + extra)

    def line(self, rel: str, needle: str, *, occurrence: int = 1) -> int:
        """1-based line of the ``occurrence``-th line containing ``needle``: the test oracle."""
        seen = 0
        for number, text in enumerate(self.read(rel).splitlines(), 1):
            if needle in text:
                seen += 1
                if seen == occurrence:
                    return number
        raise AssertionError(f"{needle!r} (occurrence {occurrence}) not in {rel}")

    def shown(self, rel: str) -> str:
        """The path as the loader reports it: the directory's name, then the relative path."""
        return f"{self.path.name}/{rel}"

    def load(self, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> KnowledgeBase:
        return load_knowledge(self.path, max_file_bytes=max_file_bytes)


MakeKB = Callable[..., FictionalKB]
