"""Hostile input through the core: arbitrary Unicode, huge messages, HTML/Markdown look-alikes,
random button data, and broken knowledge edits while a good knowledge base is live.

Property-based (hypothesis) with a bounded number of examples so the suite stays fast; the
handler-level equivalents run end to end in tests/e2e.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answers.answer import to_json
from bot.answers.render import MAX_MESSAGE_CHARS, answer_html, answer_text, statement_html
from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.runtime.library import Library
from bot.runtime.store import UNANSWERED, Store
from bot.search.engine import SearchConfig, SearchIndex
from bot.search.query import parse_question
from handlers.views import MAX_CALLBACK_BYTES, Callback
from tests.e2e.botapi import parse_html, utf16_len

BUNDLED = Path(__file__).resolve().parent.parent / "knowledge"

NASTY_CHARS = (
    "\x00\x01\x07\x08\x0b\x0c\x1b\x7f"  # control characters
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width
    "\u202a\u202b\u202d\u202e\u2066\u2067\u2069"  # bidirectional controls
    "\u0301\u0308\u0338"  # combining marks
    "😀🇨🇳👍🏽"  # emoji (astral, flags, modifiers)
    "台湾红线王毅中美关系"  # CJK
    "<>&\"'`*_[]()~|#+-=.!{}\\/@"  # HTML and MarkdownV2 specials
)
hostile_text = st.text(
    alphabet=st.one_of(st.sampled_from(NASTY_CHARS), st.characters()), max_size=300
)
markup_like = st.sampled_from(
    [
        "<b>red lines</b>",
        "</blockquote><script>alert(1)</script>",
        '<a href="javascript:alert(1)">taiwan</a>',
        "*bold* _it_ [link](http://x) `code` ||spoiler||",
        "&amp; &lt; &#0; &#x110000; &bogus;",
        "<<<>>> &&& \"'",
        "/ask@policy_test_bot <i>taiwan",
    ]
)
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(load_knowledge(BUNDLED), SearchConfig(max_question_chars=500))


def assert_sendable(message: str) -> None:
    """What Telegram would accept: only allowed tags, balanced, ≤ 4096 (UTF-16) visible chars."""
    assert len(message) <= MAX_MESSAGE_CHARS
    visible, _entities = parse_html(message)  # raises on anything Telegram would reject
    assert 0 < utf16_len(visible) <= MAX_MESSAGE_CHARS


@PROPERTY_SETTINGS
@given(
    question=st.one_of(hostile_text, markup_like, st.tuples(markup_like, hostile_text).map("".join))
)
def test_any_question_gives_a_sendable_answer(index: SearchIndex, question: str) -> None:
    parse_question(question)
    answer = index.search(question)
    assert_sendable(answer_html(answer))
    for start in range(len(answer.matches)):
        assert_sendable(answer_html(answer, start=start))
    assert isinstance(answer_text(answer), str)
    json.dumps(to_json(answer), ensure_ascii=False)


@settings(max_examples=10, deadline=None)
@given(filler=st.text(alphabet=st.sampled_from(NASTY_CHARS + "abc "), min_size=1, max_size=20))
def test_ten_thousand_character_question_is_trimmed_with_a_notice(
    index: SearchIndex, filler: str
) -> None:
    question = (filler * (10_000 // len(filler) + 1))[:10_000]
    answer = index.search(question)
    assert answer.notice is not None
    assert "500" in answer.notice
    assert len(answer.question) == 500
    assert_sendable(answer_html(answer))


@PROPERTY_SETTINGS
@given(
    data=st.one_of(st.text(max_size=80), st.binary(max_size=80).map(lambda b: b.decode("latin-1")))
)
def test_random_callback_data_never_decodes_to_something_unsafe(data: str) -> None:
    callback = Callback.decode(data)
    if callback is not None:  # whatever decodes must re-encode within Telegram's limit
        assert len(callback.encode().encode()) <= MAX_CALLBACK_BYTES
        assert callback.arg == "" or callback.arg.replace("-", "").isalnum()


def test_statement_with_html_and_quotes_renders_escaped(tmp_path: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(BUNDLED, copy)
    (copy / "statements" / "hostile.yaml").write_text(
        "source:\n"
        "  id: example-gazette-hostile\n"
        '  title: "<script>alert(1)</script> & friends"\n'
        "  publisher: The <i>Example</i> Gazette\n"
        "  published: 2024-01-02\n"
        "statements:\n"
        "  - id: hostile-markup\n"
        "    speaker: wang-yi\n"
        "    date: 2024-01-01\n"
        "    kind: position\n"
        '    text: "</blockquote><b>bold</b> & <a href=\\"x\\">link</a> \\"quoted\\""\n'
        "    topics: [taiwan]\n",
        encoding="utf-8",
    )
    kb = load_knowledge(copy)
    message = statement_html(kb.attributed(kb.by_id["hostile-markup"]))
    assert_sendable(message)
    visible, _ = parse_html(message)
    assert "</blockquote><b>bold</b> & <a href=" in visible  # shown as text, not markup
    assert "<script>alert(1)</script> & friends" in visible


def test_control_characters_in_statement_text_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(BUNDLED, copy)
    path = copy / "statements" / "controls.yaml"
    path.write_text(
        "source:\n  id: controls\n  title: T\n  publisher: P\n  published: 2024-01-02\n"
        "statements:\n  - id: controls-1\n    speaker: wang-yi\n    date: 2024-01-01\n"
        '    kind: position\n    text: "bidi \\u202e trick"\n',
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(copy)
    assert [str(p) for p in caught.value.problems] == [
        "knowledge/statements/controls.yaml:11: statement 'controls-1': text contains control, "
        "zero-width or bidirectional characters"
    ]


def test_deeply_nested_document_is_refused_not_crashing(tmp_path: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(BUNDLED, copy)
    (copy / "deep.yaml").write_text("topics: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(copy)
    (problem,) = caught.value.problems
    assert problem.path == "knowledge/deep.yaml"
    assert "nest" in problem.message  # libyaml's own limit, or ours (MAX_DEPTH) without it


def test_broken_edit_keeps_serving_the_last_good_knowledge_base(tmp_path: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(BUNDLED, copy)
    library = Library(copy, SearchConfig())
    assert library.reload_sync().ok
    good = library.index
    topics = copy / "topics.yaml"
    lines = topics.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.strip().startswith("name:"))
    lines.insert(at + 1, lines[at])  # the same key twice: PyYAML would silently keep one
    topics.write_text("".join(lines), encoding="utf-8")
    result = library.reload_sync()
    assert not result.ok
    assert [str(p) for p in result.problems] == [
        f"knowledge/topics.yaml:{at + 2}: YAML: duplicate key 'name' "
        f"(first defined at line {at + 1})"
    ]
    assert library.index is good  # the old index, untouched
    assert library.index.search("What are China's red lines with the US?").answered


def test_corrupt_database_degrades_to_not_recording(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = Store(path)
    assert not store.enabled
    assert store.record(UNANSWERED, "q", "private", []) is False
    assert store.record(UNANSWERED, "q", "private", []) is False
    warnings = [r for r in caplog.records if "Not recording" in r.getMessage()]
    assert len(warnings) == 1


def test_locked_database_degrades_to_not_recording(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = Store(path)
    assert store.record(UNANSWERED, "first", "private", [("x", 0.1)])
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        assert store.record(UNANSWERED, "second", "private", []) is False
        assert not store.enabled
    finally:
        blocker.rollback()
        blocker.close()
        store.close()


def test_database_stores_no_user_identifiers(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.record(UNANSWERED, "who won the world cup", "group", [("a", 0.2)])
    store.close()
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    finally:
        conn.close()
    assert columns == {
        "id",
        "kind",
        "question",
        "chat_type",
        "created_at",
        "statement_id",
        "candidates",
    }
