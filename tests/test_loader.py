"""The loader: every validation rule reports the exact ``path:line: message`` to fix.

Each test breaks one thing in a copy of the fictional knowledge base (see ``conftest.py``) and
asserts the complete problem list, with line numbers taken from the broken file itself.
Problems are put in files that nothing else depends on wherever possible, so that one mistake
yields exactly one problem.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import FictionalKB, MakeKB

from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge.loader import KnowledgeError, Problem, load_knowledge
from bot.knowledge.models import KnowledgeBase, StatementKind

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
    assert kb.summary() == "3 statements, 2 speakers, 3 topics, 1 sources"
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
    assert [str(p) for p in info.value.problems] == [f"{missing}:1: knowledge directory not found"]


def test_problem_str_and_sorting() -> None:
    problems = [Problem("b.yaml", 1, "x"), Problem("a.yaml", 10, "y"), Problem("a.yaml", 2, "z")]
    error = KnowledgeError(problems)
    assert [str(p) for p in error.problems] == ["a.yaml:2: z", "a.yaml:10: y", "b.yaml:1: x"]


# --------------------------------------------------------------------------- schema rules


@pytest.mark.parametrize(
    ("rel", "content", "needle", "message"),
    [
        (
            "more-speakers.yaml",
            EXTRA_SPEAKER.replace("    roles:", "    alias: [Mayor Vane]\n    roles:"),
            "alias:",
            "speakers.0.alias: Extra inputs are not permitted",
        ),
        (
            "more-topics.yaml",
            EXTRA_TOPIC.replace("    aliases:", "    descripton: typo\n    aliases:"),
            "descripton:",
            "topics.0.descripton: Extra inputs are not permitted",
        ),
        (
            "more-speakers.yaml",
            EXTRA_SPEAKER.replace("        from:", "        since:"),
            "since:",
            "speakers.0.roles.0.since: Extra inputs are not permitted",
        ),
        (
            "misc.yaml",
            "speakers: []\nsynonyms: {}\n",
            "synonyms:",
            "synonyms: Extra inputs are not permitted",
        ),
    ],
)
def test_unknown_field_in_tables(
    make_kb: MakeKB, rel: str, content: str, needle: str, message: str
) -> None:
    kb = make_kb({rel: content})
    assert problems_of(kb) == [f"{kb.shown(rel)}:{kb.line(rel, needle)}: {message}"]


def test_unknown_field_in_statement(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "topics: [tolls]", "topic: [tolls]")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{fictional_kb.line(rel, 'topic: [tolls]')}: "
        "statements.2.topic: Extra inputs are not permitted"
    ]


def test_unknown_field_in_source_block(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "  language: en", "  language: en\n  author: Someone")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{fictional_kb.line(rel, 'author:')}: "
        "source.author: Extra inputs are not permitted"
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "id: quill-tolls-position",
            "id: Quill_Tolls",
            "id: Quill_Tolls",
            "statements.2.id: String should match pattern '^[a-z0-9][a-z0-9-]*[a-z0-9]$'",
        ),
        (
            "kind: position",
            "kind: paraphrase",
            "kind: paraphrase",
            "statements.2.kind: Input should be 'quote', 'reported' or 'position'",
        ),
        (
            "url: https://gazette.example/2024/03/02/quill-canals",
            "url: javascript:alert(1)",
            "url:",
            "source.url: String should match pattern '^https?://\\S+$'",
        ),
        (
            "Ada Quill prefers",
            "Ada\u200bQuill prefers",
            "Quill prefers",
            "statements.2.text: Value error, "
            "contains control, zero-width or bidirectional characters",
        ),
        (
            "    kind: position\n",
            "    kind: position\n    source_id: elsewhere\n",
            "source_id:",
            "source_id comes from the source block",
        ),
    ],
)
def test_schema_rules_on_statements(
    fictional_kb: FictionalKB, old: str, new: str, needle: str, message: str
) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, old, new)
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{fictional_kb.line(rel, needle)}: {message}"
    ]


def test_topic_listed_twice(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "topics: [tolls]", "topics: [tolls, tolls]")
    line = fictional_kb.line(rel, "id: quill-tolls-position")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: statements.2: Value error, "
        "topics lists the same topic twice"
    ]


# --------------------------------------------------------------------------- references


def test_unknown_speaker(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(
        rel,
        "    speaker: ada-quill\n    date: 2024-02-01",
        "    speaker: quill\n    date: 2024-02-01",
    )
    line = fictional_kb.line(rel, "speaker: quill")
    assert line == fictional_kb.line(rel, "date: 2024-02-01") - 1
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: speaker: unknown speaker 'quill'"
    ]


def test_unknown_relayed_by(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "relayed_by: bram-ledger", "relayed_by: bram-ledgr")
    line = fictional_kb.line(rel, "relayed_by: bram-ledgr")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: relayed_by: unknown speaker 'bram-ledgr'"
    ]


def test_unknown_topic_in_flow_list(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "[lantern-festival, canal-policy]", "[lantern-festival, canal-polcy]")
    line = fictional_kb.line(rel, "canal-polcy")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: topics: unknown topic 'canal-polcy'"
    ]


def test_unknown_topic_in_block_list_points_at_the_item(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "    topics: [tolls]", "    topics:\n      - tolls\n      - tols")
    line = fictional_kb.line(rel, "- tols")
    assert line == fictional_kb.line(rel, "    topics:", occurrence=3) + 2
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: topics: unknown topic 'tols'"
    ]


# --------------------------------------------------------------------------- duplicate ids


def test_duplicate_statement_id_in_same_file(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "id: ledger-lantern-festival", "id: quill-canals-open")
    shown = fictional_kb.shown(rel)
    first = fictional_kb.line(rel, "id: quill-canals-open", occurrence=1)
    second = fictional_kb.line(rel, "id: quill-canals-open", occurrence=2)
    assert first < second
    assert problems_of(fictional_kb) == [
        f"{shown}:{second}: duplicate statement id 'quill-canals-open' "
        f"(first defined at {shown}:{first})"
    ]


def test_duplicate_statement_id_across_files(fictional_kb: FictionalKB) -> None:
    other = "statements/zz-other.yaml"
    fictional_kb.write(
        other,
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
        "    text: Something else entirely.\n",
    )
    first_rel = fictional_kb.statements_rel
    first = fictional_kb.line(first_rel, "id: quill-canals-open")
    second = fictional_kb.line(other, "id: quill-canals-open")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(other)}:{second}: duplicate statement id 'quill-canals-open' "
        f"(first defined at {fictional_kb.shown(first_rel)}:{first})"
    ]


def test_duplicate_speaker_id_across_files(fictional_kb: FictionalKB) -> None:
    # "more-speakers.yaml" sorts before "speakers.yaml", so it is the first definition
    fictional_kb.write(
        "more-speakers.yaml", "speakers:\n  - id: bram-ledger\n    name: Bram Junior\n"
    )
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown('speakers.yaml')}:"
        f"{fictional_kb.line('speakers.yaml', 'id: bram-ledger')}: "
        "duplicate speaker id 'bram-ledger' "
        f"(first defined at {fictional_kb.shown('more-speakers.yaml')}:2)"
    ]


def test_duplicate_topic_id_in_same_file(fictional_kb: FictionalKB) -> None:
    fictional_kb.append("topics.yaml", "  - id: tolls\n    name: Road tolls\n")
    shown = fictional_kb.shown("topics.yaml")
    first = fictional_kb.line("topics.yaml", "id: tolls", occurrence=1)
    second = fictional_kb.line("topics.yaml", "id: tolls", occurrence=2)
    assert problems_of(fictional_kb) == [
        f"{shown}:{second}: duplicate topic id 'tolls' (first defined at {shown}:{first})"
    ]


def test_duplicate_source_id_across_files(fictional_kb: FictionalKB) -> None:
    other = "statements/zz-copy.yaml"
    fictional_kb.write(
        other,
        f"source:\n  id: {fictional_kb.source_id}\n  title: Copy\n"
        "  publisher: The Example Gazette\n  published: 2024-03-02\n",
    )
    first = fictional_kb.line(fictional_kb.statements_rel, "source:")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(other)}:1: duplicate source id '{fictional_kb.source_id}' "
        f"(first defined at {fictional_kb.shown(fictional_kb.statements_rel)}:{first})"
    ]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("2024-13-45", "month must be in 1..12"),
        ("2024-02-30", "day is out of range for month"),
    ],
)
def test_impossible_statement_date(fictional_kb: FictionalKB, bad: str, reason: str) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "date: 2024-02-01", f"date: {bad}")
    line = fictional_kb.line(rel, f"date: {bad}")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: YAML: invalid value: {reason}"
    ]


def test_impossible_role_date(make_kb: MakeKB) -> None:
    rel = "more-speakers.yaml"
    kb = make_kb({rel: EXTRA_SPEAKER.replace("from: 2021-01-01", "from: 2021-02-29")})
    assert problems_of(kb) == [
        f"{kb.shown(rel)}:{kb.line(rel, 'from:')}: "
        "YAML: invalid value: day is out of range for month"
    ]


def test_statement_dated_after_its_source(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "date: 2024-02-01", "date: 2024-03-05")
    line = fictional_kb.line(rel, "date: 2024-03-05")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: "
        "date 2024-03-05 is after its source was published (2024-03-02)"
    ]


def test_statement_dated_on_publication_day_is_fine(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace(fictional_kb.statements_rel, "date: 2024-02-01", "date: 2024-03-02")
    assert fictional_kb.load().by_id["quill-tolls-position"].date == dt.date(2024, 3, 2)


def test_role_ending_before_it_starts(make_kb: MakeKB) -> None:
    rel = "more-speakers.yaml"
    kb = make_kb(
        {
            rel: EXTRA_SPEAKER.replace(
                "from: 2021-01-01", "from: 2021-01-01\n        until: 2020-06-30"
            )
        }
    )
    assert problems_of(kb) == [
        f"{kb.shown(rel)}:{kb.line(rel, '- title:')}: speakers.0.roles.0: Value error, "
        "role ends (2020-06-30) before it starts (2021-01-01)"
    ]


# --------------------------------------------------------------------------- statement rules


@pytest.mark.parametrize("text", ['""', '"   "', ">-\n      \n"])
def test_empty_text(fictional_kb: FictionalKB, text: str) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(
        rel, "text: Ada Quill prefers to keep canal tolls where they are.", f"text: {text}"
    )
    line = fictional_kb.line(rel, "text:", occurrence=3)
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: statements.2.text: Value error, must not be empty"
    ]


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("whatever the weather.", "whatever the wind.", "quote"),
        ("wants a lantern festival", "wants lanterns", "reported"),
    ],
)
def test_text_not_verbatim_in_stored_source(
    fictional_kb: FictionalKB, old: str, new: str, kind: str
) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, old, new)
    line = fictional_kb.line(rel, "text:", occurrence=1 if kind == "quote" else 2)
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: text of a {kind} is not found verbatim in "
        f"sources/{fictional_kb.source_id}.txt"
    ]


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
        f"{fictional_kb.shown(rel)}:{line}: text of a reported is not found verbatim in "
        f"sources/{fictional_kb.source_id}.txt"
    ]


def test_relayed_by_equal_to_speaker(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "relayed_by: bram-ledger", "relayed_by: ada-quill")
    line = fictional_kb.line(rel, "id: ledger-lantern-festival")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: statements.1: Value error, "
        "relayed_by names the speaker themself; leave it out"
    ]


def test_original_date_without_relayed_by(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "date: 2024-02-01", "date: 2024-02-01\n    original_date: 2024-01-15")
    line = fictional_kb.line(rel, "id: quill-tolls-position")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: statements.2: Value error, "
        "original_date only applies to relayed statements"
    ]


def test_original_date_after_relay_date(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(
        rel, "relayed_by: bram-ledger", "relayed_by: bram-ledger\n    original_date: 2024-03-02"
    )
    line = fictional_kb.line(rel, "id: ledger-lantern-festival")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: statements.1: Value error, "
        "original_date is after the date it was relayed"
    ]


def test_statements_without_a_source_block(fictional_kb: FictionalKB) -> None:
    rel = "statements/orphan.yaml"
    fictional_kb.write(
        rel,
        "statements:\n  - id: orphan\n    speaker: ada-quill\n    date: 2024-01-01\n"
        "    kind: position\n    text: A statement from nowhere.\n",
    )
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:1: file: Value error, "
        "a file with statements must also have its source block"
    ]


# --------------------------------------------------------------------------- YAML safety


def test_duplicate_yaml_key(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.statements_rel
    fictional_kb.replace(rel, "    kind: position\n", "    kind: position\n    kind: quote\n")
    first = fictional_kb.line(rel, "kind: position")
    second = fictional_kb.line(rel, "kind: quote", occurrence=2)
    assert second == first + 1
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{second}: YAML: duplicate key 'kind' "
        f"(first defined at line {first})"
    ]


def test_yaml_alias_refused(fictional_kb: FictionalKB) -> None:
    rel = "more-topics.yaml"
    fictional_kb.write(
        rel,
        "topics:\n  - &bridge\n    id: bridges\n    name: Bridges\n  - *bridge\n",
    )
    # the loader reports the anchored node (PyYAML keeps no position for the alias itself)
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{fictional_kb.line(rel, '&bridge')}: "
        "YAML: aliases (*name) are not allowed in knowledge files"
    ]


def test_billion_laughs_refused_quickly(fictional_kb: FictionalKB) -> None:
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        rows.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    fictional_kb.write("bomb.yaml", "\n".join(rows) + "\n")
    started = time.perf_counter()
    problems = problems_of(fictional_kb)
    assert time.perf_counter() - started < 5
    assert problems == [
        f"{fictional_kb.shown('bomb.yaml')}:1: "
        "YAML: aliases (*name) are not allowed in knowledge files"
    ]


def test_merge_key_refused(fictional_kb: FictionalKB) -> None:
    rel = "merge.yaml"
    fictional_kb.write(rel, "speakers: []\ntopics: []\nstopwords: []\naliases:\n  <<: {a: [b]}\n")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{fictional_kb.line(rel, '<<')}: "
        "YAML: merge keys (<<) are not allowed"
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


@pytest.mark.parametrize(
    ("content", "bad_line", "message"),
    [
        (
            "topics:\n  - id: bridges\n    name: Bridges\n\taliases: [bridge]\n",
            4,
            "YAML: while scanning a plain scalar found a tab character that violates indentation",
        ),
        (
            "topics:\n  - id: bridges\n    name: Bridges: old and new\n",
            3,
            "YAML: mapping values are not allowed in this context",
        ),
        (
            "topics:\n  - id: bridges\n    name: Bridges\n   aliases: [bridge]\n",
            4,
            "YAML: while parsing a block collection did not find expected '-' indicator",
        ),
    ],
    ids=["tab", "colon-in-plain-scalar", "bad-indentation"],
)
def test_yaml_syntax_error_line(
    fictional_kb: FictionalKB, content: str, bad_line: int, message: str
) -> None:
    rel = "more-topics.yaml"
    fictional_kb.write(rel, content)
    problems = problems_of(fictional_kb)
    assert len(problems) == 1
    assert problems[0].startswith(f"{fictional_kb.shown(rel)}:{bad_line}: YAML: ")
    assert problems[0] == f"{fictional_kb.shown(rel)}:{bad_line}: {message}"


def test_tab_inside_an_indented_block(fictional_kb: FictionalKB) -> None:
    rel = "more-topics.yaml"
    fictional_kb.write(rel, EXTRA_TOPIC.replace("    aliases:", "\taliases:"))
    problems = problems_of(fictional_kb)
    assert len(problems) == 1
    line = fictional_kb.line(rel, "\taliases")
    assert problems[0].startswith(f"{fictional_kb.shown(rel)}:{line}: YAML: ")
    assert "tab" in problems[0] or "\\t" in problems[0]


def test_invalid_utf8_reports_its_line(fictional_kb: FictionalKB) -> None:
    rel = "more-topics.yaml"
    fictional_kb.write(rel, EXTRA_TOPIC.encode().replace(b"Bridges", b"Bri\xffdges"))
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:3: not valid UTF-8 (byte 0xff)"
    ]


def test_invalid_utf8_in_source_text(fictional_kb: FictionalKB) -> None:
    rel = fictional_kb.source_rel
    data = fictional_kb.file(rel).read_bytes().replace(b"Envoy Bram", b"Envoy \xc3\x28Bram")
    fictional_kb.write(rel, data)
    line = data[: data.index(b"\xc3\x28")].count(b"\n") + 1
    assert line > 1
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:{line}: not valid UTF-8 (byte 0xc3)"
    ]


def test_byte_order_mark_refused(fictional_kb: FictionalKB) -> None:
    rel = "aliases.yaml"
    fictional_kb.write(rel, b"\xef\xbb\xbf" + fictional_kb.file(rel).read_bytes())
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:1: starts with a byte-order mark; save as UTF-8 without BOM"
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


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize("rel", ["evil.yaml", "statements/evil.yml"])
def test_symlink_to_a_yaml_file_outside_is_refused(fictional_kb: FictionalKB, rel: str) -> None:
    outside = fictional_kb.path.parent / "outside.yaml"
    outside.write_text("speakers:\n  - id: mallory\n    name: Mallory\n", encoding="utf-8")
    link = fictional_kb.file(rel)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:1: links outside the knowledge directory; refused"
    ]


def test_symlink_to_a_source_text_outside_is_refused(fictional_kb: FictionalKB) -> None:
    secret = fictional_kb.path.parent / "secret.txt"
    secret.write_text("root:x:0:0\n", encoding="utf-8")
    rel = "sources/stolen.txt"
    fictional_kb.file(rel).symlink_to(secret)
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown(rel)}:1: links outside the knowledge directory; refused"
    ]


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


# --------------------------------------------------------------------------- names


def test_speaker_alias_shared_by_two_speakers(fictional_kb: FictionalKB) -> None:
    # case and spacing do not make it a different name
    fictional_kb.replace("speakers.yaml", "[Envoy Ledger]", "[Envoy Ledger, minister  QUILL]")
    line = fictional_kb.line("speakers.yaml", "id: bram-ledger")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown('speakers.yaml')}:{line}: speaker name or alias "
        "'minister  QUILL' is also used by speaker 'ada-quill'"
    ]


def test_speaker_name_equal_to_another_speakers_native_name(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace("speakers.yaml", "[Envoy Ledger]", "[Envoy Ledger, 艾达·奎尔]")
    line = fictional_kb.line("speakers.yaml", "id: bram-ledger")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown('speakers.yaml')}:{line}: speaker name or alias "
        "'艾达·奎尔' is also used by speaker 'ada-quill'"
    ]


def test_topic_alias_shared_by_two_topics(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace("topics.yaml", "[toll, fees]", "[toll, fees, Canals]")
    line = fictional_kb.line("topics.yaml", "id: tolls")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown('topics.yaml')}:{line}: topic name or alias 'Canals' "
        "is also used by topic 'canal-policy'"
    ]


def test_topic_name_shared_across_files(fictional_kb: FictionalKB) -> None:
    rel = "more-topics.yaml"
    fictional_kb.write(rel, EXTRA_TOPIC.replace("[bridge]", "[bridge, Lantern Festival]"))
    # more-topics.yaml is read first, so the topics.yaml entry is the second owner
    line = fictional_kb.line("topics.yaml", "id: lantern-festival")
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown('topics.yaml')}:{line}: topic name or alias 'Lantern festival' "
        "is also used by topic 'bridges'"
    ]


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
        "YAML: invalid value: month must be in 1..12",
        f"{shown('more-topics.yaml')}:{fictional_kb.line('more-topics.yaml', 'nam:')}: "
        "topics.0.nam: Extra inputs are not permitted",
        f"{shown(rel)}:{fictional_kb.line(rel, 'relayed_by:')}: "
        "relayed_by: unknown speaker 'bram-ledgr'",
        f"{shown(rel)}:{fictional_kb.line(rel, 'date: 2024-03-09')}: "
        "date 2024-03-09 is after its source was published (2024-03-02)",
    ]


def test_one_mistake_in_speakers_file_is_one_problem(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace(
        "speakers.yaml",
        "    aliases:\n      - Minister Quill",
        "    alias:\n      - Minister Quill",
    )
    assert problems_of(fictional_kb) == [
        f"{fictional_kb.shown('speakers.yaml')}:{fictional_kb.line('speakers.yaml', 'alias:')}: "
        "speakers.0.alias: Extra inputs are not permitted"
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
