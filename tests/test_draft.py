"""`policybot draft`: statements drafted from an article must be verbatim, attributed and loadable.

Two articles: the seed Xinhua report the bundled knowledge base was built from (so the draft can
be compared with what a maintainer made of it), and a fictional Examplia report that exercises
an unknown speaker, "according to", a quotation running over two paragraphs and a dateline.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import ID_PATTERN, KnowledgeBase, KnowledgeFile
from bot.search.engine import SearchIndex
from bot.tools.cli import main
from bot.tools.draft import draft_statements, find_dateline, mentioned_date, paragraphs, sentences

SEED_ID = "xinhua-2024-12-18-wang-yi-china-us"
SEED = BUNDLED_KNOWLEDGE / "sources" / f"{SEED_ID}.txt"
EXAMPLIA = Path(__file__).parent / "fixtures" / "articles" / "examplia.txt"


def parse(draft: str) -> dict[str, Any]:
    data = yaml.safe_load(draft)
    assert isinstance(data, dict)
    return data


def by_text(draft: str) -> dict[str, dict[str, Any]]:
    return {s["text"]: s for s in parse(draft)["statements"]}


def install(draft: str, article: str, knowledge: Path, source_id: str) -> KnowledgeBase:
    """Save the draft as a maintainer would (article as the stored text) and load it."""
    (knowledge / "statements" / f"{source_id}.yaml").write_text(draft, encoding="utf-8")
    (knowledge / "sources" / f"{source_id}.txt").write_text(article, encoding="utf-8")
    return load_knowledge(knowledge)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_draft(seed_text: str) -> str:
    index = SearchIndex(load_knowledge(BUNDLED_KNOWLEDGE))
    return draft_statements(seed_text, index, publisher="Xinhua", source_id="xinhua-draft-test")


# ------------------------------------------------------------------------------ the seed article


def test_seed_draft_is_valid_yaml_for_the_knowledge_file_model(seed_draft: str) -> None:
    data = parse(seed_draft)
    KnowledgeFile.model_validate(data)
    assert "speakers" not in data  # Wang Yi and Xi Jinping are both known


def test_seed_draft_header_says_draft_and_nothing_written(seed_draft: str) -> None:
    header = seed_draft.split("\nsource:", 1)[0]
    assert header.startswith("# DRAFT statements file")
    assert "Nothing was written into knowledge/" in header
    assert all(line.startswith("#") for line in header.splitlines())


def test_seed_source_block(seed_draft: str) -> None:
    source = parse(seed_draft)["source"]
    assert source == {
        "id": "xinhua-draft-test",
        "title": "China ready to maintain dialogue, enhance mutual trust, expand cooperation "
        "with U.S.: top diplomat",
        "publisher": "Xinhua",
        "url": None,
        "published": dt.date(2024, 12, 18),
        "language": "en",
    }


def test_seed_every_text_is_an_exact_substring_of_the_article(
    seed_draft: str, seed_text: str
) -> None:
    statements = parse(seed_draft)["statements"]
    assert statements
    for statement in statements:
        assert statement["text"] in seed_text


def test_seed_the_one_direct_quotation_is_a_quote_by_wang_yi(
    seed_draft: str, bundled_kb: KnowledgeBase
) -> None:
    quotes = [s for s in parse(seed_draft)["statements"] if s["kind"] == "quote"]
    assert len(quotes) == 1
    assert quotes[0]["speaker"] == "wang-yi"
    assert quotes[0]["text"] == bundled_kb.by_id["wang-yi-policy-stability-quote"].text


def test_seed_reported_statements_and_their_speakers(seed_draft: str) -> None:
    reported = [s for s in parse(seed_draft)["statements"] if s["kind"] == "reported"]
    assert len(reported) == 10
    speakers = {s["text"].split()[0]: s["speaker"] for s in reported}
    assert speakers["Xi"] == "xi-jinping"  # "Xi stressed that …"
    assert speakers["China"] == "wang-yi"  # "…, said Foreign Minister Wang Yi on Tuesday."
    assert speakers["In"] == "wang-yi"  # "…, he added."
    assert {s["speaker"] for s in reported} == {"wang-yi", "xi-jinping"}


def test_seed_covers_every_statement_the_maintainers_took_from_it(
    seed_draft: str, bundled_kb: KnowledgeBase
) -> None:
    drafted = [s["text"] for s in parse(seed_draft)["statements"]]
    for statement in bundled_kb.statements:
        if statement.source_id == SEED_ID:
            assert any(statement.text in text for text in drafted), statement.id


def test_seed_dates_come_from_the_dateline_and_on_tuesday(seed_draft: str) -> None:
    statements = parse(seed_draft)["statements"]
    assert {s["date"] for s in statements} == {dt.date(2024, 12, 17)}
    assert '    date: 2024-12-17  # "on Tuesday"\n' in seed_draft


def test_seed_ids_are_valid_unique_and_new(seed_draft: str, bundled_kb: KnowledgeBase) -> None:
    ids = [s["id"] for s in parse(seed_draft)["statements"]]
    assert len(set(ids)) == len(ids)
    assert all(re.match(ID_PATTERN, i) and len(i) <= 48 for i in ids)
    assert not set(ids) & set(bundled_kb.by_id)
    assert "wang-yi-china-ready-work-united" in ids


def test_seed_topics_are_suggested_from_topic_aliases(seed_draft: str) -> None:
    statements = by_text(seed_draft)
    quote = next(s for s in statements.values() if s["kind"] == "quote")
    assert quote["topics"] == ["policy-toward-us", "stability"]
    cooperation = next(s for t, s in statements.items() if t.startswith("Mentioning cooperation"))
    assert {"counter-narcotics", "climate-change", "artificial-intelligence"} <= set(
        cooperation["topics"]
    )


def test_seed_draft_saved_into_the_knowledge_base_loads(
    seed_draft: str, seed_text: str, tmp_path: Path
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(BUNDLED_KNOWLEDGE, knowledge)
    kb = install(seed_draft, seed_text, knowledge, "xinhua-draft-test")
    assert len([s for s in kb.statements if s.source_id == "xinhua-draft-test"]) == 11


# ------------------------------------------------------------------------------ Examplia


@pytest.fixture
def examplia_draft(fictional_index: SearchIndex) -> str:
    return draft_statements(
        EXAMPLIA.read_text(encoding="utf-8"),
        fictional_index,
        publisher="The Example Gazette",
        source_id="gazette-2024-03-09-canals-open",
    )


def test_examplia_unknown_speaker_gets_a_stub(examplia_draft: str) -> None:
    data = parse(examplia_draft)
    assert data["speakers"] == [
        {
            "id": "odo-brightwater",
            "name": "Odo Brightwater",
            "aliases": ["Finance Secretary Odo Brightwater", "Brightwater"],
            "roles": [{"title": "Finance Secretary"}],
        }
    ]
    KnowledgeFile.model_validate(data)


def test_examplia_according_to_and_bare_surname(examplia_draft: str) -> None:
    statements = by_text(examplia_draft)
    according = statements[
        "Tolls on the northern canals will fall by a tenth next year, according to Finance "
        "Secretary Odo Brightwater."
    ]
    assert (according["kind"], according["speaker"]) == ("reported", "odo-brightwater")
    surname = statements["Brightwater said on Thursday that the treasury could afford the cut."]
    assert (surname["speaker"], surname["date"]) == ("odo-brightwater", dt.date(2024, 3, 7))


def test_examplia_quotation_over_two_paragraphs(examplia_draft: str) -> None:
    statements = by_text(examplia_draft)
    quotes = {t: s["speaker"] for t, s in statements.items() if s["kind"] == "quote"}
    assert quotes == {
        "The canals of Examplia belong to everyone who rows them": "ada-quill",
        "No toll will rise this year, and no boat will be turned away.": "ada-quill",
        "By next spring, every canal will carry a lantern boat.": "ada-quill",
    }
    assert "  # continues the quotation from the last paragraph\n" in examplia_draft


def test_examplia_pronoun_dateline_and_titles(examplia_draft: str) -> None:
    statements = by_text(examplia_draft)
    she = statements["She added that the lantern festival would return in May."]
    assert (she["speaker"], she["date"]) == ("ada-quill", dt.date(2024, 3, 8))
    assert not [t for t in statements if "Lantern Boat Charter" in t]  # a name, not a quotation
    assert parse(examplia_draft)["source"]["published"] == dt.date(2024, 3, 9)
    assert len(statements) == 7


def test_examplia_draft_saved_into_the_fictional_base_loads(
    examplia_draft: str, fictional_kb: Any
) -> None:
    article = EXAMPLIA.read_text(encoding="utf-8")
    kb = install(examplia_draft, article, fictional_kb.path, "gazette-2024-03-09-canals-open")
    assert kb.speakers["odo-brightwater"].name == "Odo Brightwater"
    for statement in kb.statements:
        if statement.source_id == "gazette-2024-03-09-canals-open":
            assert statement.text in article


def test_without_a_knowledge_base_every_speaker_is_a_stub() -> None:
    draft = draft_statements(EXAMPLIA.read_text(encoding="utf-8"), None)
    data = parse(draft)
    assert [p["id"] for p in data["speakers"]] == ["ada-quill", "odo-brightwater"]
    assert data["source"]["publisher"] is None  # no agency in the dateline: left for a human
    assert "publisher: null  # FILL IN" in draft
    assert {s["speaker"] for s in data["statements"]} == {"ada-quill", "odo-brightwater"}
    assert all(s["topics"] == [] for s in data["statements"])


# ------------------------------------------------------------------------------ the pieces


def test_dateline_year_comes_from_publication_and_rolls_back() -> None:
    text = "Title\n\nUNITED NATIONS, Dec. 31 (Gazette) -- Quill said the year ended well.\n"
    spans = paragraphs(text)
    dateline = find_dateline(text, spans)
    assert dateline is not None
    assert (dateline.month, dateline.day, dateline.agency) == (12, 31, "Gazette")
    draft = parse(draft_statements(text, None, published=dt.date(2025, 1, 1)))
    assert draft["source"]["publisher"] == "Gazette"
    assert draft["statements"][0]["date"] == dt.date(2024, 12, 31)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Quill said on Tuesday that", dt.date(2024, 12, 17)),
        ("Quill said on Wednesday that", dt.date(2024, 12, 11)),  # not the day after
        ("Quill said last Monday that", dt.date(2024, 12, 16)),
        ("Quill said on Dec. 15 that", dt.date(2024, 12, 15)),
        ("Quill said on 3 January that", dt.date(2024, 1, 3)),
        ("Quill said nothing", None),
    ],
)
def test_mentioned_dates_resolve_on_or_before_the_reference(
    sentence: str, expected: dt.date | None
) -> None:
    found = mentioned_date(sentence, dt.date(2024, 12, 17))  # a Tuesday
    assert (found[0] if found else None) == expected


def test_sentences_survive_abbreviations() -> None:
    text = "The U.S. envoy met Mr. Ledger on Dec. 17 in Example City. He said hello. Then left."
    parts = [text[s:e] for s, e in sentences(text, 0, len(text))]
    assert parts == [
        "The U.S. envoy met Mr. Ledger on Dec. 17 in Example City.",
        "He said hello.",
        "Then left.",
    ]


def test_an_alias_inside_a_longer_name_is_someone_else(bundled_index: SearchIndex) -> None:
    text = "Title\n\nWang Wei said the canals were closed.\n\nWang said they were open.\n"
    statements = parse(draft_statements(text, bundled_index, published=dt.date(2024, 1, 2)))
    assert [s["speaker"] for s in statements["statements"]] == ["wang-wei", "wang-yi"]
    assert [p["id"] for p in statements["speakers"]] == ["wang-wei"]
    assert "Wang" not in statements["speakers"][0].get("aliases", [])  # Wang Yi's alias


def test_appositions_titles_and_the_publisher(bundled_index: SearchIndex) -> None:
    text = (
        "Title\n\nBEIJING, Dec. 17 (Xinhua) -- Wang Yi, China's top diplomat, said talks would "
        "go on. The stated goal is peace. According to Xinhua, the meeting went well. The "
        "minister said it was fine.\n"
    )
    draft = parse(draft_statements(text, bundled_index, published=dt.date(2024, 12, 18)))
    assert [(s["speaker"], s["text"]) for s in draft["statements"]] == [
        ("wang-yi", "Wang Yi, China's top diplomat, said talks would go on."),
        ("wang-yi", "The minister said it was fine."),  # a bare title: the last speaker
    ]
    assert "speakers" not in draft  # the publisher is not a speaker


def test_unattributable_speech_is_left_out() -> None:
    text = "Title\n\nHe said the canals were closed. Officials said they were open.\n"
    assert parse(draft_statements(text, None, published=dt.date(2024, 1, 2)))["statements"] == []


def test_transcript_turns_are_quotes_and_questions_are_skipped(
    bundled_index: SearchIndex,
) -> None:
    text = (
        "Press conference, 8 March 2024\n\n"
        "Q: Will the canals stay open?\n\n"
        "Wang Yi: China's position on the canals has not changed.\n\n"
        "We will keep talking with every side.\n\n"
        "Q: Anything else?\n\n"
        "Cora Vane: Nothing more from me today.\n"
    )
    draft = draft_statements(text, bundled_index)
    statements = parse(draft)["statements"]
    assert [(s["kind"], s["speaker"], s["text"]) for s in statements] == [
        ("quote", "wang-yi", "China's position on the canals has not changed."),
        ("quote", "wang-yi", "We will keep talking with every side."),
        ("quote", "cora-vane", "Nothing more from me today."),
    ]
    assert {s["date"] for s in statements} == {dt.date(2024, 3, 8)}


def test_labelled_header_lines_do_not_make_an_article_a_transcript() -> None:
    text = (
        "Title\n\nSource: The Example Gazette\n\nEditor: Cora Vane\n\n"
        "Minister Ada Quill said the canals stay open.\n"
    )
    statements = parse(draft_statements(text, None, published=dt.date(2024, 3, 2)))["statements"]
    assert [(s["kind"], s["speaker"]) for s in statements] == [("reported", "ada-quill")]


@pytest.mark.parametrize(
    "awkward",
    [
        'Quill said: "Tolls: none. #canals - always open," adding nothing.',
        "Quill said   the canals — all of them — stay open.",
        "Quill said 'yes' & [more] {braces} @home | pipe > arrow % per cent.",
        "Quill said the canals, in a hard-wrapped\nline, stay open.",
    ],
)
def test_awkward_text_round_trips_exactly(awkward: str) -> None:
    text = f"Title: with a colon\n\nEXAMPLE CITY, March 1 -- {awkward}\n"
    draft = draft_statements(text, None, published=dt.date(2024, 3, 2), publisher="Gazette")
    data = parse(draft)
    KnowledgeFile.model_validate(data)
    assert data["source"]["title"] == "Title: with a colon"
    assert data["statements"]
    for statement in data["statements"]:
        assert statement["text"] in text


# ------------------------------------------------------------------------------ the command


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in directory.rglob("*")
    }


def test_cli_prints_the_draft_and_writes_nothing(
    tmp_path: Path, seed_draft: str, capsys: pytest.CaptureFixture[str]
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(BUNDLED_KNOWLEDGE, knowledge)
    before = snapshot(knowledge)
    article = knowledge / "sources" / f"{SEED_ID}.txt"
    argv = ["--knowledge", str(knowledge), "draft", str(article)]
    assert main([*argv, "--publisher", "Xinhua", "--source-id", "xinhua-draft-test"]) == 0
    out = capsys.readouterr().out
    assert out == seed_draft.replace("from the article.", f"from {article.name}.")
    assert snapshot(knowledge) == before


def test_cli_drafts_even_when_the_knowledge_base_is_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "topics.yaml").write_text("topics: [oops\n", encoding="utf-8")
    assert (
        main(["--knowledge", str(knowledge), "draft", str(SEED), "--url", "https://x.example/a"])
        == 0
    )
    captured = capsys.readouterr()
    assert "the knowledge base did not load" in captured.err
    data = parse(captured.out)
    assert data["source"]["url"] == "https://x.example/a"
    assert data["source"]["publisher"] == "Xinhua"  # from the dateline "(Xinhua)"
    assert {p["id"] for p in data["speakers"]} == {"wang-yi", "xi-jinping"}


def test_cli_reports_an_unreadable_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["draft", str(tmp_path / "missing.txt")]) == 1
    assert "cannot read" in capsys.readouterr().err
