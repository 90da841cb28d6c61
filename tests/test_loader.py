"""The loader: every validation rule reports the exact ``path:line: message`` to fix.

Each case breaks one thing in a copy of the fictional knowledge base (``tests/fictional.py``)
and asserts the complete problem list, with line numbers taken from the broken file itself.
Problems are put in files that nothing else depends on wherever possible, so that one mistake
yields exactly one problem: those cases are one table, ``BROKEN``; the tests after it need more
than one edit, more than one problem, or check more than the problem list.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge.loader import KnowledgeError, Problem, load_knowledge
from bot.knowledge.models import KnowledgeBase, StatementKind
from tests.fictional import ALIASES_YAML, SOURCE_ID, STATEMENTS_FILE, FictionalKB, MakeKB

EXTRA_TOPIC = """\
topics:
  - id: bridges
    name: Bridges
    aliases: [bridge]
"""

EXTRA_SPEAKER = """\
speakers:
  - id: cora-vane
    name: Cora Vane
    roles:
      - title: Mayor of Example City
        from: 2021-01-01
"""

ALIASES_BYTES = b"aliases:\n  examplia: [Examplian]\n"


def problems_of(kb: FictionalKB, **kwargs: int) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        kb.load(**kwargs)
    error = info.value
    rendered = [str(problem) for problem in error.problems]
    assert str(error) == "\n".join(rendered)  # the exception message is the same list
    return rendered


# --------------------------------------------------------------------------- loads at all


def test_fictional_kb_loads(fictional_kb: FictionalKB) -> None:
    kb = fictional_kb.load()
    assert kb.summary() == "3 statements, 2 speakers, 3 topics, 1 source"
    # newest first, ties broken by id
    assert [s.id for s in kb.statements] == [
        "ledger-lantern-festival",
        "quill-canals-open",
        "quill-tolls-position",
    ]
    assert kb.newest_date == dt.date(2024, 3, 1)
    assert all(s.source_id == fictional_kb.source_id for s in kb.statements)
    assert kb.aliases == {"examplia": ("Republic of Examplia", "Examplian")}
    assert set(kb.source_texts) == {fictional_kb.source_id}
    assert kb.directory == str(fictional_kb.path)


def test_bundled_kb_loads(bundled_kb: KnowledgeBase) -> None:
    assert len(bundled_kb.statements) >= 11
    red_lines = bundled_kb.by_id["xi-four-red-lines"]
    assert red_lines.date == dt.date(2024, 12, 17)
    assert red_lines.speaker == "xi-jinping"
    assert red_lines.relayed_by == "wang-yi"
    for statement in bundled_kb.statements:
        assert statement.speaker in bundled_kb.speakers
        assert set(statement.topics) <= set(bundled_kb.topics)
        source = bundled_kb.sources[statement.source_id]
        assert statement.date <= source.published
        if statement.kind is not StatementKind.POSITION:
            assert statement.text in bundled_kb.source_texts[source.id]


def test_missing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(missing)
    assert [str(p) for p in info.value.problems] == [f"{missing}: knowledge directory not found"]


def test_problem_str_and_sorting() -> None:
    problems = [Problem("b.yaml", 1, "x"), Problem("a.yaml", 10, "y"), Problem("a.yaml", 2, "z")]
    error = KnowledgeError(problems)
    assert [str(p) for p in error.problems] == ["a.yaml:2: z", "a.yaml:10: y", "b.yaml:1: x"]


# ------------------------------------------------------------------ one mistake, one problem


@dataclass(frozen=True)
class At:
    """A line of the broken knowledge base: the first line holding ``needle`` (or its
    ``occurrence``-th), found in the file itself, or a line number. The test oracle."""

    rel: str
    needle: str | int
    occurrence: int = 1

    def line(self, kb: FictionalKB) -> int:
        if isinstance(self.needle, int):
            return self.needle
        return kb.line(self.rel, self.needle, occurrence=self.occurrence)


@dataclass(frozen=True)
class Replace:
    """Replace ``old`` (which must occur) by ``new`` in one file."""

    old: str
    new: str
    rel: str = STATEMENTS_FILE

    def apply(self, kb: FictionalKB) -> None:
        kb.replace(self.rel, self.old, self.new)


@dataclass(frozen=True)
class Write:
    """Write one file (a new one, or over a fictional one)."""

    rel: str
    content: str | bytes

    def apply(self, kb: FictionalKB) -> None:
        kb.write(self.rel, self.content)


@dataclass(frozen=True)
class Append:
    rel: str
    extra: str

    def apply(self, kb: FictionalKB) -> None:
        kb.append(self.rel, self.extra)


@dataclass(frozen=True)
class LinkOutside:
    """Make ``rel`` a symbolic link to a file ``name`` beside the knowledge directory."""

    rel: str
    name: str
    content: str

    def apply(self, kb: FictionalKB) -> None:
        outside = kb.path.parent / self.name
        outside.write_text(self.content, encoding="utf-8")
        link = kb.file(self.rel)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(outside)


Edit = Replace | Write | Append | LinkOutside


@dataclass(frozen=True)
class Broken:
    """One mistake, and the one problem the loader must report for it, at ``at``.

    ``message`` may name ``{first}`` (``path:line`` of ``first``, the earlier definition a
    duplicate clashes with) and ``{first_line}``. ``follows`` checks the oracle itself: the
    reported line is that many lines after another one.
    """

    edit: Edit
    at: At
    message: str
    first: At | None = None
    follows: tuple[At, int] | None = None


def case(
    name: str,
    edit: Edit,
    at: At,
    message: str,
    *,
    first: At | None = None,
    follows: tuple[At, int] | None = None,
) -> Any:  # pytest's ParameterSet, which pytest does not export
    return pytest.param(Broken(edit, at, message, first, follows), id=name)


S = STATEMENTS_FILE
MORE_SPEAKERS = "more-speakers.yaml"
MORE_TOPICS = "more-topics.yaml"
OUTSIDE_SPEAKER = "speakers:\n  - id: mallory\n    name: Mallory\n"
NOT_VERBATIM = f"is not verbatim in sources/{SOURCE_ID}.txt"
OTHER_SOURCE = (
    "source:\n"
    "  id: other-source\n"
    "  title: Another story\n"
    "  publisher: The Example Gazette\n"
    "  published: 2024-03-03\n"
    "statements:\n"
    "  - id: quill-canals-open\n"
    "    speaker: ada-quill\n"
    "    date: 2024-03-01\n"
    "    kind: position\n"
    "    text: Something else entirely.\n"
)
COPIED_SOURCE = (
    f"source:\n  id: {SOURCE_ID}\n  title: Copy\n"
    "  publisher: The Example Gazette\n  published: 2024-03-02\n"
)
ORPHAN = (
    "statements:\n  - id: orphan\n    speaker: ada-quill\n    date: 2024-01-01\n"
    "    kind: position\n    text: A statement from nowhere.\n"
)
BILLION_LAUGHS = (
    "\n".join(
        ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        + [
            f"{level}: &{level} [" + ",".join([f"*{chr(ord(level) - 1)}"] * 9) + "]"
            for level in "bcdefghi"
        ]
    )
    + "\n"
)

BROKEN = [
    # ------------------------------------------------------------------- schema rules
    case(
        "unknown-field-in-speakers",
        Write(
            MORE_SPEAKERS,
            EXTRA_SPEAKER.replace("    roles:", "    alias: [Mayor Vane]\n    roles:"),
        ),
        At(MORE_SPEAKERS, "alias:"),
        "speaker 'cora-vane': unknown field 'alias'; did you mean 'aliases'?",
    ),
    case(
        "unknown-field-in-topics",
        Write(
            MORE_TOPICS, EXTRA_TOPIC.replace("    aliases:", "    descripton: typo\n    aliases:")
        ),
        At(MORE_TOPICS, "descripton:"),
        "topic 'bridges': unknown field 'descripton'; did you mean 'description'?",
    ),
    case(
        "unknown-field-in-a-role",
        Write(MORE_SPEAKERS, EXTRA_SPEAKER.replace("        from:", "        since:")),
        At(MORE_SPEAKERS, "since:"),
        "speaker 'cora-vane', role 1: unknown field 'since'; the fields are title, from, until",
    ),
    case(
        "unknown-top-level-table",
        Write("misc.yaml", "speakers: []\nsynonyms: {}\n"),
        At("misc.yaml", "synonyms:"),
        "unknown section 'synonyms'; the sections are speakers, topics, aliases, stopwords, "
        "source, statements",
    ),
    case(
        "unknown-field-in-a-statement",
        Replace("topics: [tolls]", "topic: [tolls]"),
        At(S, "topic: [tolls]"),
        "statement 'quill-tolls-position': unknown field 'topic'; did you mean 'topics'?",
    ),
    case(
        "unknown-field-in-the-source-block",
        Replace("  language: en", "  language: en\n  author: Someone"),
        At(S, "author:"),
        f"source '{SOURCE_ID}': unknown field 'author'; the fields are id, title, publisher, url, "
        "published, language, form",
    ),
    case(
        "one-mistake-in-the-speakers-file",
        Replace(
            "    aliases:\n      - Minister Quill",
            "    alias:\n      - Minister Quill",
            "speakers.yaml",
        ),
        At("speakers.yaml", "alias:"),
        "speaker 'ada-quill': unknown field 'alias'; did you mean 'aliases'?",
    ),
    case(
        "statement-id-pattern",
        Replace("id: quill-tolls-position", "id: Quill_Tolls"),
        At(S, "id: Quill_Tolls"),
        "statement 'Quill_Tolls': id 'Quill_Tolls' may use only lowercase letters, digits and "
        "hyphens, starting and ending with a letter or digit",
    ),
    case(
        "statement-kind",
        Replace("kind: position", "kind: paraphrase"),
        At(S, "kind: paraphrase"),
        "statement 'quill-tolls-position': kind must be quote, reported or position, not "
        "'paraphrase'",
    ),
    case(
        "source-url-scheme",
        Replace("url: https://gazette.example/2024/03/02/quill-canals", "url: javascript:alert(1)"),
        At(S, "url:"),
        f"source '{SOURCE_ID}': url must start with http:// or https:// and contain no spaces, "
        "not 'javascript:alert(1)'",
    ),
    case(
        "zero-width-character-in-text",
        Replace("Ada Quill prefers", "Ada\u200bQuill prefers"),
        At(S, "Quill prefers"),
        "statement 'quill-tolls-position': text contains control, zero-width or bidirectional "
        "characters",
    ),
    case(
        "source-id-in-a-statement",
        Replace("    kind: position\n", "    kind: position\n    source_id: elsewhere\n"),
        At(S, "source_id:"),
        "statement 'quill-tolls-position': source_id comes from the source block; leave it out",
    ),
    case(
        "topic-listed-twice",
        Replace("topics: [tolls]", "topics: [tolls, tolls]"),
        At(S, "id: quill-tolls-position"),
        "statement 'quill-tolls-position': topics lists 'tolls' more than once",
    ),
    # ------------------------------------------------------------------- references
    case(
        "unknown-speaker",
        Replace(
            "    speaker: ada-quill\n    date: 2024-02-01",
            "    speaker: quill\n    date: 2024-02-01",
        ),
        At(S, "speaker: quill"),
        "statement 'quill-tolls-position': unknown speaker 'quill'; did you mean 'ada-quill'?",
        follows=(At(S, "date: 2024-02-01"), -1),
    ),
    case(
        "unknown-relayed-by",
        Replace("relayed_by: bram-ledger", "relayed_by: bram-ledgr"),
        At(S, "relayed_by: bram-ledgr"),
        "statement 'ledger-lantern-festival': unknown speaker 'bram-ledgr' in relayed_by; "
        "did you mean 'bram-ledger'?",
    ),
    case(
        "unknown-topic-in-a-flow-list",
        Replace("[lantern-festival, canal-policy]", "[lantern-festival, canal-polcy]"),
        At(S, "canal-polcy"),
        "statement 'ledger-lantern-festival': unknown topic 'canal-polcy'; "
        "did you mean 'canal-policy'?",
    ),
    case(
        "unknown-topic-in-a-block-list-points-at-the-item",
        Replace("    topics: [tolls]", "    topics:\n      - tolls\n      - tols"),
        At(S, "- tols"),
        "statement 'quill-tolls-position': unknown topic 'tols'; did you mean 'tolls'?",
        follows=(At(S, "    topics:", occurrence=3), 2),
    ),
    # ------------------------------------------------------------------- duplicate ids
    case(
        "duplicate-statement-id-in-the-same-file",
        Replace("id: ledger-lantern-festival", "id: quill-canals-open"),
        At(S, "id: quill-canals-open", occurrence=2),
        "duplicate statement id 'quill-canals-open' (first defined at {first})",
        first=At(S, "id: quill-canals-open"),
    ),
    case(
        "duplicate-statement-id-across-files",
        Write("statements/zz-other.yaml", OTHER_SOURCE),
        At("statements/zz-other.yaml", "id: quill-canals-open"),
        "duplicate statement id 'quill-canals-open' (first defined at {first})",
        first=At(S, "id: quill-canals-open"),
    ),
    case(  # "more-speakers.yaml" sorts before "speakers.yaml", so it is the first definition
        "duplicate-speaker-id-across-files",
        Write(MORE_SPEAKERS, "speakers:\n  - id: bram-ledger\n    name: Bram Junior\n"),
        At("speakers.yaml", "id: bram-ledger"),
        "duplicate speaker id 'bram-ledger' (first defined at {first})",
        first=At(MORE_SPEAKERS, 2),
    ),
    case(
        "duplicate-topic-id-in-the-same-file",
        Append("topics.yaml", "  - id: tolls\n    name: Road tolls\n"),
        At("topics.yaml", "id: tolls", occurrence=2),
        "duplicate topic id 'tolls' (first defined at {first})",
        first=At("topics.yaml", "id: tolls"),
    ),
    case(
        "duplicate-source-id-across-files",
        Write("statements/zz-copy.yaml", COPIED_SOURCE),
        At("statements/zz-copy.yaml", 1),
        f"duplicate source id '{SOURCE_ID}' (first defined at {{first}})",
        first=At(S, "source:"),
    ),
    # ------------------------------------------------------------------- dates
    case(
        "impossible-statement-month",
        Replace("date: 2024-02-01", "date: 2024-13-45"),
        At(S, "date: 2024-13-45"),
        "statement 'quill-tolls-position': date 2024-13-45 is not a real date: "
        "month must be in 1..12",
    ),
    case(
        "impossible-statement-day",
        Replace("date: 2024-02-01", "date: 2024-02-30"),
        At(S, "date: 2024-02-30"),
        "statement 'quill-tolls-position': date 2024-02-30 is not a real date: "
        "day is out of range for month",
    ),
    case(
        "impossible-role-date",
        Write(MORE_SPEAKERS, EXTRA_SPEAKER.replace("from: 2021-01-01", "from: 2021-02-29")),
        At(MORE_SPEAKERS, "from:"),
        "speaker 'cora-vane', role 1: from 2021-02-29 is not a real date: "
        "day is out of range for month",
    ),
    case(
        "statement-dated-after-its-source",
        Replace("date: 2024-02-01", "date: 2024-03-05"),
        At(S, "date: 2024-03-05"),
        "statement 'quill-tolls-position': date 2024-03-05 is after its source was published "
        "(2024-03-02)",
    ),
    case(
        "role-ending-before-it-starts",
        Write(
            MORE_SPEAKERS,
            EXTRA_SPEAKER.replace(
                "from: 2021-01-01", "from: 2021-01-01\n        until: 2020-06-30"
            ),
        ),
        At(MORE_SPEAKERS, "- title:"),
        "speaker 'cora-vane', role 1: role ends (2020-06-30) before it starts (2021-01-01)",
    ),
    # ------------------------------------------------------------------- statement rules
    *(
        case(
            f"empty-text-{name}",
            Replace("text: Ada Quill prefers to keep canal tolls where they are.", f"text: {text}"),
            At(S, "text:", occurrence=3),
            "statement 'quill-tolls-position': text must not be empty",
        )
        for name, text in (("quoted", '""'), ("blank", '"   "'), ("folded-blank", ">-\n      \n"))
    ),
    case(
        "quote-not-verbatim-in-the-stored-source",
        Replace("whatever the weather.", "whatever the wind."),
        At(S, "text:", occurrence=1),
        f"statement 'quill-canals-open': text {NOT_VERBATIM}: it matches up to "
        '"…open to every boat, whatever the", then has "wind." where the source has '
        '"weather." She added that the lantern…"',
    ),
    case(
        "report-not-verbatim-in-the-stored-source",
        Replace("wants a lantern festival", "wants lanterns"),
        At(S, "text:", occurrence=2),
        f"statement 'ledger-lantern-festival': text {NOT_VERBATIM}: it matches up to "
        '"the Chancellor wants", then has "lanterns on every canal" where the source has '
        '"a lantern festival on every canal…"',
    ),
    case(
        "relayed-by-the-speaker-themself",
        Replace("relayed_by: bram-ledger", "relayed_by: ada-quill"),
        At(S, "id: ledger-lantern-festival"),
        "statement 'ledger-lantern-festival': relayed_by names the speaker themself; leave it out",
    ),
    case(
        "original-date-without-relayed-by",
        Replace("date: 2024-02-01", "date: 2024-02-01\n    original_date: 2024-01-15"),
        At(S, "id: quill-tolls-position"),
        "statement 'quill-tolls-position': original_date only applies to relayed statements "
        "(those with relayed_by)",
    ),
    case(
        "original-date-after-the-relay-date",
        Replace(
            "relayed_by: bram-ledger", "relayed_by: bram-ledger\n    original_date: 2024-03-02"
        ),
        At(S, "id: ledger-lantern-festival"),
        "statement 'ledger-lantern-festival': original_date 2024-03-02 is after the date it was "
        "relayed (2024-03-01)",
    ),
    case(
        "statements-without-a-source-block",
        Write("statements/orphan.yaml", ORPHAN),
        At("statements/orphan.yaml", 1),
        "a file with statements must also have its source block (the document they come from: "
        "id, title, publisher, published)",
    ),
    # ------------------------------------------------------------------- YAML safety and syntax
    case(
        "duplicate-yaml-key",
        Replace("    kind: position\n", "    kind: position\n    kind: quote\n"),
        At(S, "kind: quote", occurrence=2),
        "YAML: duplicate key 'kind' (first defined at line {first_line})",
        first=At(S, "kind: position"),
        follows=(At(S, "kind: position"), 1),
    ),
    case(  # the anchored node is reported: PyYAML keeps no position for the alias itself
        "yaml-alias",
        Write(
            MORE_TOPICS, "topics:\n  - &bridge\n    id: bridges\n    name: Bridges\n  - *bridge\n"
        ),
        At(MORE_TOPICS, "&bridge"),
        "YAML: aliases (*name) are not allowed in knowledge files",
    ),
    case(  # refused before expanding 9⁹ items; pytest-timeout guards the time it takes
        "billion-laughs",
        Write("bomb.yaml", BILLION_LAUGHS),
        At("bomb.yaml", 1),
        "YAML: aliases (*name) are not allowed in knowledge files",
    ),
    case(
        "merge-key",
        Write("merge.yaml", "speakers: []\ntopics: []\nstopwords: []\naliases:\n  <<: {a: [b]}\n"),
        At("merge.yaml", "<<"),
        "YAML: merge keys (<<) are not allowed",
    ),
    case(
        "yaml-tab",
        Write(MORE_TOPICS, "topics:\n  - id: bridges\n    name: Bridges\n\taliases: [bridge]\n"),
        At(MORE_TOPICS, 4),
        "YAML: while scanning a plain scalar found a tab character that violates indentation"
        " (indent with spaces, not tabs)",
    ),
    case(
        "yaml-colon-in-plain-scalar",
        Write(MORE_TOPICS, "topics:\n  - id: bridges\n    name: Bridges: old and new\n"),
        At(MORE_TOPICS, 3),
        "YAML: mapping values are not allowed in this context (a line indented differently"
        " from the one before it, or a value holding ': ' that needs quotes)",
    ),
    case(
        "yaml-bad-indentation",
        Write(MORE_TOPICS, "topics:\n  - id: bridges\n    name: Bridges\n   aliases: [bridge]\n"),
        At(MORE_TOPICS, 4),
        "YAML: while parsing a block collection did not find expected '-' indicator"
        " (a line indented differently from the list items around it)",
    ),
    case(
        "invalid-utf8",
        Write(MORE_TOPICS, EXTRA_TOPIC.encode().replace(b"Bridges", b"Bri\xffdges")),
        At(MORE_TOPICS, 3),
        "not valid UTF-8 (byte 0xff)",
    ),
    case(
        "byte-order-mark",
        Write("aliases.yaml", b"\xef\xbb\xbf" + ALIASES_YAML.encode()),
        At("aliases.yaml", 1),
        "starts with a byte-order mark; save as UTF-8 without BOM",
    ),
    # ------------------------------------------------------------------- links
    *(
        case(
            f"symlink-to-a-yaml-file-outside-{rel}",
            LinkOutside(rel, "outside.yaml", OUTSIDE_SPEAKER),
            At(rel, 1),
            "links outside the knowledge directory; refused",
        )
        for rel in ("evil.yaml", "statements/evil.yml")
    ),
    case(
        "symlink-to-a-source-text-outside",
        LinkOutside("sources/stolen.txt", "secret.txt", "root:x:0:0\n"),
        At("sources/stolen.txt", 1),
        "links outside the knowledge directory; refused",
    ),
    # ------------------------------------------------------------------- names
    case(  # case and spacing do not make it a different name
        "speaker-alias-shared-by-two-speakers",
        Replace("[Envoy Ledger]", "[Envoy Ledger, minister  QUILL]", "speakers.yaml"),
        At("speakers.yaml", "id: bram-ledger"),
        "speaker 'bram-ledger': name or alias 'minister  QUILL' is also used by speaker "
        "'ada-quill'",
    ),
    case(
        "speaker-alias-equal-to-another-speakers-native-name",
        Replace("[Envoy Ledger]", "[Envoy Ledger, 艾达·奎尔]", "speakers.yaml"),
        At("speakers.yaml", "id: bram-ledger"),
        "speaker 'bram-ledger': name or alias '艾达·奎尔' is also used by speaker 'ada-quill'",
    ),
    case(
        "topic-alias-shared-by-two-topics",
        Replace("[toll, fees]", "[toll, fees, Canals]", "topics.yaml"),
        At("topics.yaml", "id: tolls"),
        "topic 'tolls': name or alias 'Canals' is also used by topic 'canal-policy'",
    ),
    case(  # more-topics.yaml is read first, so the topics.yaml entry is the second owner
        "topic-name-shared-across-files",
        Write(MORE_TOPICS, EXTRA_TOPIC.replace("[bridge]", "[bridge, Lantern Festival]")),
        At("topics.yaml", "id: lantern-festival"),
        "topic 'lantern-festival': name or alias 'Lantern festival' is also used by topic "
        "'bridges'",
    ),
]


@pytest.mark.parametrize("broken", BROKEN)
def test_one_mistake_is_one_problem_at_its_line(fictional_kb: FictionalKB, broken: Broken) -> None:
    kb = fictional_kb
    broken.edit.apply(kb)
    line = broken.at.line(kb)
    message = broken.message
    if broken.first is not None:
        first = broken.first.line(kb)
        if broken.first.rel == broken.at.rel:
            assert first < line  # the later definition is the one reported
        message = message.format(first=f"{kb.shown(broken.first.rel)}:{first}", first_line=first)
    if broken.follows is not None:
        anchor, lines_after = broken.follows
        assert line == anchor.line(kb) + lines_after
    assert problems_of(kb) == [f"{kb.shown(broken.at.rel)}:{line}: {message}"]


# --------------------------------------------------------------- more than one edit or check


def test_statement_dated_on_publication_day_is_fine(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace(fictional_kb.statements_rel, "date: 2024-02-01", "date: 2024-03-02")
    assert fictional_kb.load().by_id["quill-tolls-position"].date == dt.date(2024, 3, 2)


def test_position_is_exempt_from_the_verbatim_rule(fictional_kb: FictionalKB) -> None:
    kb = fictional_kb.load()
    position = kb.by_id["quill-tolls-position"]
    assert position.kind is StatementKind.POSITION
    assert position.text not in kb.source_texts[fictional_kb.source_id]
    # the same text as a report is refused
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "kind: position", "kind: reported")
    line = fictional_kb.line(rel, "text:", occurrence=3)
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: statement 'quill-tolls-position': text {NOT_VERBATIM}: "
        'its opening words "Ada Quill prefers to keep canal…" are not there'
    ]


@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:os.system", "!!python/object/new:os.system", "!!python/name:os.system"],
)
def test_python_object_tag_refused(fictional_kb: FictionalKB, tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    rel = "aliases.yaml"
    fictional_kb.write(rel, f"aliases:\n  examplia: {tag} ['touch {marker}']\n")
    problems = problems_of(fictional_kb)
    assert len(problems) == 1
    assert problems[0].startswith(
        f"{fictional_kb.shown(rel)}:2: YAML: could not determine a constructor for the tag"
    )
    assert "python/" in problems[0]
    assert not marker.exists()


def test_tab_inside_an_indented_block(fictional_kb: FictionalKB) -> None:
    rel = "more-topics.yaml"
    fictional_kb.write(rel, EXTRA_TOPIC.replace("    aliases:", "\taliases:"))
    problems = problems_of(fictional_kb)
    assert len(problems) == 1
    line = fictional_kb.line(rel, "\taliases")
    assert problems[0].startswith(f"{fictional_kb.shown(rel)}:{line}: YAML: ")
    assert "tab" in problems[0] or "\\t" in problems[0]


def test_invalid_utf8_in_source_text(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.source_rel
    data = fictional_kb.file(rel).read_bytes().replace(b"Envoy Bram", b"Envoy \xc3\x28Bram")
    fictional_kb.write(rel, data)
    line = data[: data.index(b"\xc3\x28")].count(b"\n") + 1
    assert line > 1
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: not valid UTF-8 (byte 0xc3)"
    ]


def test_file_over_the_size_limit(fictional_kb: FictionalKB) -> None:
    rel = "notes.yaml"
    fictional_kb.write(rel, "# " + "x" * 2000 + "\nstopwords: []\n")
    size = fictional_kb.file(rel).stat().st_size
    assert problems_of(fictional_kb, max_file_bytes=1024) == [
        f"{fictional_kb.shown(rel)}:1: file is {size} bytes, over the 1024-byte limit"
    ]
    # the bundled-size default accepts it
    fictional_kb.load()


def test_empty_file_and_non_mapping(fictional_kb: FictionalKB) -> None:
    fictional_kb.write("empty.yaml", "# nothing here\n")
    fictional_kb.write("list.yaml", "- a\n- b\n")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown('empty.yaml')}:1: file is empty",
        f"{fictional_kb.shown('list.yaml')}:1: the top level must be a mapping (key: value)",
    ]


# --------------------------------------------------------------------------- links and names


def test_symlinked_directory_outside_is_never_read(fictional_kb: FictionalKB) -> None:
    outside = fictional_kb.path.parent / "outside-dir"
    outside.mkdir()
    (outside / "people.yaml").write_text(
        "speakers:\n  - id: mallory\n    name: Mallory\n", encoding="utf-8"
    )
    (fictional_kb.path / "linked").symlink_to(outside, target_is_directory=True)
    try:
        kb = fictional_kb.load()
    except KnowledgeError as exc:  # refusing it outright is fine too
        messages = [p.message for p in exc.problems]
    else:
        messages = []
        assert "mallory" not in kb.speakers
    assert all("links outside the knowledge directory" in m for m in messages)


def test_symlink_inside_the_directory_is_allowed(fictional_kb: FictionalKB) -> None:
    fictional_kb.delete("aliases.yaml")
    fictional_kb.write("shared/aliases.yaml", "aliases:\n  examplia: [Examplian]\n")
    fictional_kb.file("aliases.yaml").symlink_to(fictional_kb.file("shared/aliases.yaml"))
    # read twice (through the link and directly); both are inside, so both count
    assert fictional_kb.load().aliases["examplia"] == ("Examplian", "Examplian")


def test_dangling_symlink_is_a_problem_not_a_crash(fictional_kb: FictionalKB) -> None:
    fictional_kb.file("gone.yaml").symlink_to(fictional_kb.path / "deleted.yaml")
    problems = problems_of(fictional_kb)
    assert len(problems) == 1
    assert problems[0].startswith(f"{fictional_kb.shown('gone.yaml')}:1: ")


def test_alias_differing_only_in_punctuation_is_shared(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace("speakers.yaml", "[Envoy Ledger]", "[Envoy Ledger, Minister-Quill]")
    problems = problems_of(fictional_kb)
    assert len(problems) == 1
    assert "is also used by speaker 'ada-quill'" in problems[0]


# --------------------------------------------------------------------------- all at once


def test_several_problems_in_different_files_are_all_reported(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "relayed_by: bram-ledger", "relayed_by: bram-ledgr")
    fictional_kb.replace(rel, "date: 2024-02-01", "date: 2024-03-09")
    fictional_kb.write(
        "more-topics.yaml", EXTRA_TOPIC.replace("    aliases:", "    nam: x\n    aliases:")
    )
    fictional_kb.write("aliases.yaml", b"\xef\xbb\xbf" + ALIASES_BYTES)
    fictional_kb.write("more-speakers.yaml", EXTRA_SPEAKER.replace("2021-01-01", "2021-13-01"))
    shown = fictional_kb.shown
    assert problems_of(fictional_kb) == [
        f"{shown('aliases.yaml')}:1: starts with a byte-order mark; save as UTF-8 without BOM",
        f"{shown('more-speakers.yaml')}:{fictional_kb.line('more-speakers.yaml', 'from:')}: "
        "speaker 'cora-vane', role 1: from 2021-13-01 is not a real date: month must be in 1..12",
        f"{shown('more-topics.yaml')}:{fictional_kb.line('more-topics.yaml', 'nam:')}: "
        "topic 'bridges': unknown field 'nam'; did you mean 'name'?",
        f"{shown(rel)}:{fictional_kb.line(rel, 'relayed_by:')}: "
        "statement 'ledger-lantern-festival': unknown speaker 'bram-ledgr' in relayed_by; "
        "did you mean 'bram-ledger'?",
        f"{shown(rel)}:{fictional_kb.line(rel, 'date: 2024-03-09')}: "
        "statement 'quill-tolls-position': date 2024-03-09 is after its source was published "
        "(2024-03-02)",
    ]


# --------------------------------------------------------------------------- roles and hash


@pytest.mark.parametrize(
    ("day", "title"),
    [
        (dt.date(2019, 12, 31), None),
        (dt.date(2020, 1, 1), "Minister of Canals of the Republic of Examplia"),
        (dt.date(2023, 12, 31), "Minister of Canals of the Republic of Examplia"),
        (dt.date(2024, 1, 1), "Chancellor of the Republic of Examplia"),
        (dt.date(2030, 6, 1), "Chancellor of the Republic of Examplia"),
        (None, None),
    ],
)
def test_role_on_picks_the_role_held_on_the_date(
    fictional_kb: FictionalKB, day: dt.date | None, title: str | None
) -> None:
    assert fictional_kb.load().speakers["ada-quill"].role_on(day) == title


def test_role_on_bundled_speaker(bundled_kb: KnowledgeBase) -> None:
    wang = bundled_kb.speakers["wang-yi"]
    assert wang.role_on(dt.date(2020, 5, 1)) == "Minister of Foreign Affairs of China"
    # between his two terms as foreign minister he held only the Politburo seat
    assert wang.role_on(dt.date(2023, 3, 1)) == (
        "Member of the Political Bureau of the CPC Central Committee"
    )
    assert wang.role_on(dt.date(2024, 12, 17)) == (
        "Minister of Foreign Affairs of China; "
        "Member of the Political Bureau of the CPC Central Committee"
    )
    assert wang.role_on(dt.date(2000, 1, 1)) is None


def test_attributed_uses_the_role_at_the_time(fictional_kb: FictionalKB) -> None:
    kb = fictional_kb.load()
    item = kb.attributed(kb.by_id["ledger-lantern-festival"])
    assert item.role == "Chancellor of the Republic of Examplia"
    assert item.relayed_by is not None
    assert item.relayed_by.id == "bram-ledger"
    assert item.relayer_role == "Envoy of the Republic of Examplia"
    assert item.source.publisher == "The Example Gazette"


@pytest.mark.parametrize(
    "edit",
    ["speakers", "topics", "aliases", "statements", "source-text", "new-file", "rename"],
)
def test_content_hash_changes_when_any_file_changes(fictional_kb: FictionalKB, edit: str) -> None:
    before = fictional_kb.load().content_hash
    assert fictional_kb.load().content_hash == before  # deterministic
    if edit == "speakers":
        fictional_kb.append("speakers.yaml", "# reviewed\n")
    elif edit == "topics":
        fictional_kb.replace("topics.yaml", "name: Tolls", "name: Toll roads")
    elif edit == "aliases":
        fictional_kb.replace("aliases.yaml", "Examplian]", "Examplian, Examplish]")
    elif edit == "statements":
        fictional_kb.replace(fictional_kb.statements_rel, "canal tolls", "the canal tolls")
    elif edit == "source-text":
        fictional_kb.append(fictional_kb.source_rel, "Corrected on 3 March.\n")
    elif edit == "new-file":
        fictional_kb.write("more-topics.yaml", EXTRA_TOPIC)
    else:
        os.rename(fictional_kb.file("aliases.yaml"), fictional_kb.file("synonyms.yaml"))
    assert fictional_kb.load().content_hash != before


def test_content_hash_is_the_same_for_identical_copies(make_kb: MakeKB) -> None:
    first, second = make_kb(), make_kb()
    assert first.path != second.path
    assert first.load().content_hash == second.load().content_hash


def test_copy_of_bundled_kb_loads(tmp_path: Path) -> None:
    original = load_knowledge(BUNDLED_KNOWLEDGE)
    copy = tmp_path / "knowledge"
    shutil.copytree(BUNDLED_KNOWLEDGE, copy)
    kb = load_knowledge(copy)
    assert kb.content_hash == original.content_hash  # same names, same bytes: same version
    assert [s.id for s in kb.statements] == [s.id for s in original.statements]


# --------------------------------------------------------------------------- one pass


def test_a_yaml_error_in_one_file_hides_nothing_in_the_others(fictional_kb: FictionalKB) -> None:
    kb, rel = fictional_kb, fictional_kb.statements_rel
    kb.append("topics.yaml", "  - id: [unclosed\n")  # the whole file is unreadable YAML
    kb.replace(rel, "kind: quote", "kind: qoute")
    kb.replace(rel, "relayed_by: bram-ledger", "relayed_by: bram-ledgr")
    messages = [p.split(": ", 1)[1] for p in problems_of(kb)]
    assert messages == [
        "statement 'quill-canals-open': kind must be quote, reported or position, not 'qoute'",
        "statement 'ledger-lantern-festival': unknown speaker 'bram-ledgr' in relayed_by; "
        "did you mean 'bram-ledger'?",
        "YAML: while parsing a flow sequence did not find expected ',' or ']'",
    ]  # and no "unknown topic" for the topics the broken file defines


def test_a_bad_value_in_one_statement_hides_nothing_in_the_next(fictional_kb: FictionalKB) -> None:
    kb, rel = fictional_kb, fictional_kb.statements_rel
    kb.replace(rel, "date: 2024-03-01", "date: 2024-03-41")  # the first statement
    kb.replace(rel, "[lantern-festival, canal-policy]", "[lantern-festivl, canal-policy]")
    kb.replace(rel, "    kind: position\n", "    kind: position\n    kind: quote\n")
    kb.replace(
        rel, "speaker: ada-quill\n    date: 2024-02-01", "speaker: quil\n    date: 2024-02-01"
    )
    messages = [p.split(": ", 1)[1] for p in problems_of(kb)]
    assert messages == [
        "statement 'quill-canals-open': date 2024-03-41 is not a real date: day is out of range "
        "for month",
        "statement 'ledger-lantern-festival': unknown topic 'lantern-festivl'; did you mean "
        "'lantern-festival'?",
        "statement 'quill-tolls-position': unknown speaker 'quil'; did you mean 'ada-quill'?",
        "YAML: duplicate key 'kind' (first defined at line 33)",
    ]


def test_a_name_where_an_id_belongs_gets_the_id_suggested(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace(
        fictional_kb.statements_rel,
        "speaker: ada-quill\n    date: 2024-02-01",
        "speaker: Minister Quill\n    date: 2024-02-01",
    )
    [problem] = problems_of(fictional_kb)
    assert problem.endswith(
        "statement 'quill-tolls-position': unknown speaker 'Minister Quill'; "
        "did you mean 'ada-quill'?"
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("id: quill-tolls-position", "id: " + "q" * 49),
            f"statement '{'q' * 49}': id is 49 characters; at most 48",
        ),
        (("id: quill-tolls-position", "id: q"), "statement 'q': id is 1 character; at least 2"),
        (
            ("    topics: [tolls]\n", "    topics: tolls\n"),
            "statement 'quill-tolls-position': topics must be a list ([a, b], or one '- item' "
            "per line), not 'tolls'",
        ),
        (
            ("    kind: position\n", ""),
            "statement 'quill-tolls-position': kind is missing",
        ),
        (
            ("published: 2024-03-02", "published: 2024-03"),
            "source 'gazette-2024-03-02-quill-canals': published must be a full date such as "
            "2024-12-17, not '2024-03'",
        ),
        (
            ("title: Quill opens the canals of Examplia", "title: 1984"),
            "source 'gazette-2024-03-02-quill-canals': title must be text, not the number 1984; "
            "put it in quotes",
        ),
    ],
)
def test_limits_and_types_are_said_with_the_actual_value(
    fictional_kb: FictionalKB, edit: tuple[str, str], message: str
) -> None:
    fictional_kb.replace(fictional_kb.statements_rel, *edit)
    assert [p.split(": ", 1)[1] for p in problems_of(fictional_kb)] == [message]
