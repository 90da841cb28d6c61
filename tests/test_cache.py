"""The validated-file cache: faster warm starts, never a stale or imprecise answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.knowledge.loader import KnowledgeError, load_knowledge

BUNDLED = Path(__file__).resolve().parent.parent / "knowledge"
STATEMENTS = "statements/xinhua-2024-12-18-wang-yi-china-us.yaml"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(BUNDLED, target)
    return target


def test_cached_load_equals_uncached(copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = load_knowledge(copy, cache_dir=cache)
    assert len(list(cache.glob("*.json"))) == 4  # one per YAML file
    warm = load_knowledge(copy, cache_dir=cache)
    plain = load_knowledge(copy)
    assert warm.statements == cold.statements == plain.statements
    assert warm.speakers == plain.speakers
    assert warm.topics == plain.topics
    assert warm.content_hash == plain.content_hash


def test_an_edit_is_never_served_from_the_cache(copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_knowledge(copy, cache_dir=cache)
    path = copy / STATEMENTS
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Is China's US policy stable?", "Is Beijing's US policy stable?"
        ),
        encoding="utf-8",
    )
    kb = load_knowledge(copy, cache_dir=cache)
    assert "Is Beijing's US policy stable?" in kb.by_id["wang-yi-policy-stability-quote"].questions
    assert len(list(cache.glob("*.json"))) == 4  # the old entry was pruned


def test_problems_keep_exact_lines_with_a_warm_cache(copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_knowledge(copy, cache_dir=cache)
    path = copy / STATEMENTS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("speaker: xi-jinping", "speaker: xi-jinpin", 1), encoding="utf-8")
    line = text.splitlines().index("    speaker: xi-jinping") + 1
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(copy, cache_dir=cache)
    assert [str(p) for p in caught.value.problems] == [
        f"knowledge/{STATEMENTS}:{line}: statement 'xi-four-red-lines': unknown speaker "
        "'xi-jinpin'; did you mean 'xi-jinping'?"
    ]


def test_a_corrupt_cache_entry_is_ignored(copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_knowledge(copy, cache_dir=cache)
    for entry in cache.glob("*.json"):
        entry.write_text('{"statements": [{"id": 1}]', encoding="utf-8")
    kb = load_knowledge(copy, cache_dir=cache)
    assert len(kb.statements) == 11


def test_index_cache_gives_the_same_index_and_answers(copy: Path, tmp_path: Path) -> None:
    from bot.search.engine import SearchIndex

    kb = load_knowledge(copy)
    fresh = SearchIndex(kb)
    cache = tmp_path / "index"
    SearchIndex(kb, cache_dir=cache)  # fills the cache
    assert len(list(cache.glob("index-*"))) == 2
    warm = SearchIndex(kb, cache_dir=cache)
    assert warm.terms.postings.keys() == fresh.terms.postings.keys()
    assert [(d.text_terms, d.question_terms) for d in warm.terms.docs] == [
        (d.text_terms, d.question_terms) for d in fresh.terms.docs
    ]
    for question in ("What are China's red lines with the US?", "fentanyl", "台湾", "hi"):
        assert warm.search(question) == fresh.search(question)


def test_index_cache_is_keyed_by_content(copy: Path, tmp_path: Path) -> None:
    from bot.search.engine import SearchIndex

    cache = tmp_path / "index"
    SearchIndex(load_knowledge(copy), cache_dir=cache)
    path = copy / STATEMENTS
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Is China's US policy stable?", "Is Beijing's zeppelin policy stable?"
        ),
        encoding="utf-8",
    )
    edited = SearchIndex(load_knowledge(copy), cache_dir=cache)
    assert "zeppelin" in edited.terms.postings  # analysed afresh, not served from the old cache
    assert len(list(cache.glob("index-*"))) == 2  # and the old entry was replaced


def test_a_corrupt_index_cache_is_ignored(copy: Path, tmp_path: Path) -> None:
    from bot.search.engine import SearchIndex

    kb = load_knowledge(copy)
    cache = tmp_path / "index"
    SearchIndex(kb, cache_dir=cache)
    for entry in cache.glob("index-*.npz"):
        entry.write_bytes(b"not an npz file")
    index = SearchIndex(kb, cache_dir=cache)
    assert index.search("red lines").answered


def test_a_file_with_a_broken_statement_is_never_cached(copy: Path, tmp_path: Path) -> None:
    """A name where a speaker id belongs is reported by the reference check, not by the
    schema: the file must still not be cached as if it were whole."""
    cache = tmp_path / "cache"
    path = copy / STATEMENTS
    path.write_text(
        path.read_text(encoding="utf-8").replace("speaker: xi-jinping", "speaker: Xi Jinping", 1),
        encoding="utf-8",
    )
    for _ in range(2):  # the second time, a cache could only hold a file missing a statement
        with pytest.raises(KnowledgeError) as caught:
            load_knowledge(copy, cache_dir=cache)
        [problem] = caught.value.problems
        assert problem.message.endswith("unknown speaker 'Xi Jinping'; did you mean 'xi-jinping'?")
