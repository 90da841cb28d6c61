"""Verbatim means the words: layout and typographic quotes do not count, a changed word does,
and the message says where the text stops matching. The quotation-mark rule knows transcripts
and speeches."""

from __future__ import annotations

import textwrap

import pytest

from bot.knowledge.loader import KnowledgeError
from bot.knowledge.verbatim import fold, is_verbatim, mismatch, occurrences
from bot.tools.lint import lint_knowledge
from bot.tools.lint.quotes import is_quoted
from tests.fictional import SOURCE_ID, SOURCE_TEXT, FictionalKB

S = f"statements/{SOURCE_ID}.yaml"
T = f"sources/{SOURCE_ID}.txt"
WRAPPED = """\
EXAMPLE CITY, March 1 -- Minister Ada Quill said on Friday: \u201cThe canals of
Examplia will stay open to every boat,  whatever the weather.\u201d She added that the
lantern boats would sail at dusk.
"""


@pytest.mark.parametrize(
    "text",
    [
        "The canals of Examplia will stay open to every boat, whatever the weather.",
        "The canals of Examplia will stay open to every boat,\nwhatever the weather.",
        "She added that the lantern boats would sail at dusk.",
        "\u201cThe canals of Examplia",  # typographic and straight quotes are alike
        '"The canals of Examplia',
    ],
)
def test_layout_and_quote_forms_do_not_count(text: str) -> None:
    assert is_verbatim(WRAPPED, text)
    assert mismatch(WRAPPED, text) is None


def test_apostrophes_are_alike() -> None:
    assert is_verbatim("China\u2019s policy is stable.", "China's policy is stable.")
    assert is_verbatim("China's policy is stable.", "China\u2019s policy is stable.")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "The canals of Examplia will stay open to every ship, whatever the weather.",
            'it matches up to "…Examplia will stay open to every", then has "ship, whatever '
            'the weather." where the source has "boat, whatever the weather." She added…"',
        ),
        (
            "The canals of Examplia will stay open to every boat, whatever the weather. More.",
            'it matches up to "…to every boat, whatever the weather.", then has "More." where '
            'the source has "" She added that the lantern…"',
        ),
        (
            "The locks of Examplia will stay open.",
            'its opening words "The locks of Examplia will stay…" are not there',
        ),
    ],
)
def test_a_mismatch_says_where_the_text_stops_matching(text: str, message: str) -> None:
    assert not is_verbatim(WRAPPED, text)
    assert mismatch(WRAPPED, text) == message


def test_occurrences_point_into_the_original_text() -> None:
    [(start, end)] = occurrences(WRAPPED, "canals of Examplia will stay")
    assert WRAPPED[start:end] == "canals of\nExamplia will stay"
    assert fold("  a \n\t b  ").text == "a b"


def test_a_hard_wrapped_stored_source_loads(fictional_kb: FictionalKB) -> None:
    """A pasted article: lines wrapped at 40 columns, two spaces after full stops, curly quotes."""
    paragraphs = SOURCE_TEXT.replace(". ", ".  ").split("\n\n")
    wrapped = "\n\n".join(textwrap.fill(p, 40, break_on_hyphens=False) for p in paragraphs)
    wrapped = wrapped.replace('"', "\u201c", 1).replace('"', "\u201d", 1)
    assert "boat, whatever" not in wrapped  # the quoted sentence crosses a line break
    fictional_kb.write(T, wrapped)
    kb = fictional_kb.load()
    assert kb.source_texts[SOURCE_ID] == wrapped  # stored as written


def test_a_changed_word_is_named_with_the_statement(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace(S, "whatever the weather.", "whatever the wind.")
    with pytest.raises(KnowledgeError) as info:
        fictional_kb.load()
    [problem] = info.value.problems
    assert problem.message.startswith(
        f"statement 'quill-canals-open': text is not verbatim in sources/{SOURCE_ID}.txt: "
        'it matches up to "…open to every boat, whatever the", then has "wind."'
    )


MISLABELLED = """
  - id: quill-lantern-boats
    speaker: ada-quill
    date: 2024-03-01
    kind: quote
    text: the lantern boats would sail at dusk
    topics: [lantern-festival]
"""


@pytest.mark.parametrize(
    ("form", "warned"),
    [
        (None, True),
        ("article", True),
        ("transcript", False),
        ("speech", False),
        ("statement", False),
    ],
)
def test_the_quotation_mark_rule_knows_transcripts_and_speeches(
    fictional_kb: FictionalKB, form: str | None, warned: bool
) -> None:
    fictional_kb.append(S, MISLABELLED)
    if form is not None:
        fictional_kb.replace(S, "  language: en\n", f"  language: en\n  form: {form}\n")
    findings = [f for f in lint_knowledge(fictional_kb.path, stale_days=100000)]
    assert [f.message.startswith("quote 'quill-lantern-boats'") for f in findings] == (
        [True] if warned else []
    )


def test_an_unknown_form_is_refused_in_words(fictional_kb: FictionalKB) -> None:
    fictional_kb.replace(S, "  language: en\n", "  language: en\n  form: interview\n")
    with pytest.raises(KnowledgeError) as info:
        fictional_kb.load()
    assert [p.message for p in info.value.problems] == [
        f"source '{SOURCE_ID}': form must be article, transcript, speech or statement, "
        "not 'interview'"
    ]


def test_is_quoted_across_a_line_break() -> None:
    assert is_quoted(WRAPPED, "The canals of Examplia will stay open to every boat")
    assert not is_quoted(WRAPPED, "the lantern boats would sail at dusk")


def test_a_source_text_that_belongs_to_no_source_is_a_lint_warning(
    fictional_kb: FictionalKB,
) -> None:
    fictional_kb.write(T.replace("canals", "canal"), fictional_kb.read(T))
    findings = lint_knowledge(fictional_kb.path, stale_days=100000)
    assert [(f.path, f.line, f.severity, f.message) for f in findings] == [
        (
            f"knowledge/{T.replace('canals', 'canal')}",
            1,
            "warning",
            "sources/gazette-2024-03-02-quill-canal.txt is checked against no statement: no "
            f"source has the id 'gazette-2024-03-02-quill-canal'; did you mean '{SOURCE_ID}'?",
        )
    ]
