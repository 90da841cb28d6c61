"""Ranking and abstention, on the bundled knowledge base and on small fictional ones.

``regression_questions.yaml`` is a regression set (answers that already work must keep
working); answer quality is measured by ``policybot eval`` on ``tests/eval/dev.yaml`` and on a
held-out set, not here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.answers.answer import Answer, Status
from bot.knowledge.models import KnowledgeBase
from bot.search.engine import SearchConfig, SearchIndex
from tests.fictional import FictionalKB, MakeKB

REGRESSION_FILE = Path(__file__).with_name("regression_questions.yaml")


def ids(answer: Answer) -> list[str]:
    return [match.item.statement.id for match in answer.matches]


def top(answer: Answer) -> str | None:
    return answer.matches[0].item.statement.id if answer.matches else None


def is_newest_first(answer: Answer) -> bool:
    dates = [match.item.statement.date for match in answer.matches]
    return dates == sorted(dates, reverse=True)


# --------------------------------------------------------------------------- bundled: answers


def test_red_lines_question(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("What are China's red lines with the US?")
    assert answer.status is Status.FOUND
    assert answer.answered
    assert top(answer) == "xi-four-red-lines"
    first = answer.matches[0]
    assert first.item.statement.date == dt.date(2024, 12, 17)
    assert first.item.speaker.id == "xi-jinping"
    assert first.item.relayed_by is not None
    assert first.item.relayed_by.id == "wang-yi"
    assert first.score >= bundled_index.threshold
    assert answer.notice is None


def test_every_match_is_above_the_threshold(bundled_index: SearchIndex) -> None:
    for question in ["taiwan", "cooperation with the US", "王毅 合作", "China US relations"]:
        answer = bundled_index.search(question)
        assert answer.answered, question
        assert all(m.score >= bundled_index.threshold for m in answer.matches)
        assert len(answer.matches) <= bundled_index.config.max_results
        assert len(set(ids(answer))) == len(answer.matches)  # no statement twice


@pytest.mark.parametrize(
    "question",
    [
        "who won the world cup",
        "What is the weather in Paris tomorrow?",
        "What is Japan's policy on Taiwan?",
        "tariffs on chinese steel",
        "asdfghjkl qwerty",
        "lorem ipsum dolor sit amet",
        "???",
        "",
    ],
)
def test_off_topic_questions_are_declined(bundled_index: SearchIndex, question: str) -> None:
    answer = bundled_index.search(question)
    assert answer.status is Status.NOT_FOUND
    assert not answer.answered
    assert answer.matches == ()
    assert len(answer.suggestions) <= 3


def test_typo_correction(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("chinas red lnies")
    assert top(answer) == "xi-four-red-lines"
    assert answer.explanation["corrections"]["lnies"] == "lines"


def test_typo_correction_never_rewrites_known_words(bundled_index: SearchIndex) -> None:
    assert bundled_index.correct("taiwan") is None
    assert bundled_index.correct("lnies") == "lines"
    assert bundled_index.correct("xyzzyq") is None


def test_speaker_filter(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("What did Xi say about cooperation?")
    assert answer.answered
    assert answer.explanation["speakers"] == ["xi-jinping"]
    for match in answer.matches:
        statement = match.item.statement
        assert "xi-jinping" in (statement.speaker, statement.relayed_by)
    # without the speaker, Wang Yi's own words on cooperation come first
    unfiltered = bundled_index.search("What did he say about cooperation?")
    assert any(match.item.statement.speaker == "wang-yi" for match in unfiltered.matches)


def test_speaker_only_question_includes_that_speakers_statements(
    bundled_index: SearchIndex,
) -> None:
    answer = bundled_index.search("Xi Jinping")
    assert answer.answered
    assert answer.explanation["speakers"] == ["xi-jinping"]
    by_xi = {s.id for s in bundled_index.kb.statements if "xi-jinping" in (s.speaker, s.relayed_by)}
    assert by_xi <= set(ids(answer))


def test_date_filter_with_nothing_in_range(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("What are China's red lines in 2019?")
    assert not answer.answered
    assert answer.status is Status.NOT_FOUND
    assert answer.notice == "I have no statements dated 2019 at all."
    assert len(answer.suggestions) <= 3


def test_speaker_and_date_filters_are_both_named(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("What did Xi say about cooperation in 2019?")
    assert not answer.answered
    assert answer.notice == (
        "I have no statements by Xi Jinping dated 2019 at all "
        "(2 statements by Xi Jinping at other times)."
    )


@pytest.mark.parametrize(
    "question",
    [
        "What are China's red lines in December 2024?",
        "red lines since 2023",
        "red lines 2024-12-17",
        "红线 2024年12月",
    ],
)
def test_date_filter_that_matches(bundled_index: SearchIndex, question: str) -> None:
    answer = bundled_index.search(question)
    assert top(answer) == "xi-four-red-lines"
    assert answer.explanation["dates"] is not None


def test_date_filter_before(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("red lines before 2020")
    assert not answer.answered
    assert answer.notice == "I have no statements dated before 2020 at all."


def test_latest_on_bundled_kb_is_newest_first(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("latest on China US relations")
    assert answer.answered
    assert answer.explanation["latest"] is True
    assert is_newest_first(answer)
    assert answer.matches[0].item.statement.date == bundled_index.kb.newest_date


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("王毅说了什么合作", "wang-yi"),
        ("王毅外长 合作", "wang-yi"),
        ("习近平 合作", "xi-jinping"),
        ("习主席 合作", "xi-jinping"),
    ],
)
def test_chinese_speaker_names_filter(
    bundled_index: SearchIndex, question: str, speaker: str
) -> None:
    answer = bundled_index.search(question)
    assert answer.answered
    assert answer.explanation["speakers"] == [speaker]
    for match in answer.matches:
        assert speaker in (match.item.statement.speaker, match.item.statement.relayed_by)


def test_chinese_speaker_with_topic(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("王毅 合作")
    assert top(answer) == "wang-yi-cooperation-progress"
    assert answer.explanation["topics"] == ["cooperation"]


def test_chinese_topic_alias(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("台湾")
    assert answer.explanation["topics"] == ["taiwan"]
    assert ids(answer)[0] == "wang-yi-taiwan-interference-response"
    considered = [c["id"] for c in answer.explanation["candidates"]]
    assert set(considered) == {"wang-yi-taiwan-interference-response", "xi-four-red-lines"}
    assert all("taiwan" in m.item.statement.topics for m in answer.matches)


@pytest.mark.parametrize("message", ["hi", "thanks!", "who are you", "Hello there"])
def test_chit_chat(bundled_index: SearchIndex, message: str) -> None:
    answer = bundled_index.search(message)
    assert answer.status is Status.SMALLTALK
    assert not answer.answered
    assert answer.matches == ()
    # an example question from the knowledge base itself, for the friendly reply
    assert answer.suggestions == tuple(bundled_index.example_questions(1))


def test_greeting_followed_by_a_question_is_answered(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("hi, what are China's red lines?")
    assert answer.status is Status.FOUND
    assert top(answer) == "xi-four-red-lines"


@pytest.mark.parametrize(
    "question",
    ["/ask@policy_test_bot red lines", "@policy_test_bot red lines", "/ask red lines"],
)
def test_group_addressing(bundled_index: SearchIndex, question: str) -> None:
    assert top(bundled_index.search(question)) == "xi-four-red-lines"


@pytest.mark.parametrize(
    "question",
    [
        "who won the world cup",
        "what about tariffs",
        "What did Xi say about cooperation in 2019?",
        "quantum banana",
        "red lines before 2020",
        "????",
    ],
)
def test_suggestions_at_most_three_on_not_found(bundled_index: SearchIndex, question: str) -> None:
    answer = bundled_index.search(question)
    assert not answer.answered
    assert len(answer.suggestions) <= 3
    topic_names = {topic.name for topic in bundled_index.kb.topics.values()}
    assert set(answer.suggestions) <= topic_names
    assert len(set(answer.suggestions)) == len(answer.suggestions)


def test_suggestions_point_at_the_nearest_topic(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("What are China's red lines in 2019?")
    assert answer.suggestions == ("Red lines",)


def test_long_question_is_trimmed_with_a_notice(bundled_index: SearchIndex) -> None:
    limit = bundled_index.config.max_question_chars
    question = "What are China's red lines with the US " + "please " * 100
    assert len(question) > limit
    answer = bundled_index.search(question)
    assert answer.notice == (
        f"Your question was long, so only its first {limit} characters were read."
    )
    assert answer.question == question[:limit]


def test_a_long_message_is_answered_from_its_question(bundled_index: SearchIndex) -> None:
    context = "I have been reading about relations between the two countries for a while. " * 4
    answer = bundled_index.search(context + "So: what are China's red lines with the US?")
    assert answer.notice is not None
    assert "question" in answer.notice
    assert top(answer) == "xi-four-red-lines"


def test_question_at_the_limit_is_not_trimmed(bundled_index: SearchIndex) -> None:
    limit = bundled_index.config.max_question_chars
    question = ("red lines " * limit)[:limit]
    answer = bundled_index.search(question)
    assert answer.notice is None
    assert answer.question == question


def test_limit_argument(bundled_index: SearchIndex) -> None:
    assert len(bundled_index.search("China US relations").matches) > 1
    assert len(bundled_index.search("China US relations", limit=1).matches) == 1


def test_threshold_controls_abstention(bundled_kb: KnowledgeBase) -> None:
    strict = SearchIndex(bundled_kb, SearchConfig(threshold=1.0))
    answer = strict.search("What are China's red lines with the US?")
    assert not answer.answered
    lenient = SearchIndex(bundled_kb, SearchConfig(threshold=0.0))
    assert top(lenient.search("What are China's red lines with the US?")) == "xi-four-red-lines"


# --------------------------------------------------------------------------- fictional timeline

TIMELINE = """\
source:
  id: gazette-2024-03-02-quill-canals
  title: Ten years of canals
  publisher: The Example Gazette
  published: 2024-03-02

statements:
  - id: canals-2022
    speaker: ada-quill
    date: 2022-05-01
    kind: position
    text: Ada Quill promised to dredge every canal of Examplia and keep the canals open.
    topics: [canal-policy]
    questions:
      - Will the canals be dredged?
  - id: canals-2023
    speaker: ada-quill
    date: 2023-05-01
    kind: position
    text: Ada Quill said the canals are the pride of Examplia.
    topics: [canal-policy]
  - id: canals-2024
    speaker: bram-ledger
    date: 2024-02-01
    kind: position
    text: Bram Ledger toured the canals of Examplia.
    topics: [canal-policy]
  - id: lanterns-old
    speaker: ada-quill
    date: 2023-01-10
    kind: position
    text: Ada Quill wants more lantern boats on the canals.
    topics: [lantern-festival]
  - id: lanterns-new
    speaker: ada-quill
    date: 2024-01-10
    kind: position
    text: Ada Quill wants more lantern boats on the canals.
    topics: [lantern-festival]
"""


@pytest.fixture
def timeline(make_kb: MakeKB) -> SearchIndex:
    kb: FictionalKB = make_kb({"statements/gazette-2024-03-02-quill-canals.yaml": TIMELINE})
    return SearchIndex(kb.load(), SearchConfig(threshold=0.0))  # order, not how sure


def test_best_match_first_without_latest(timeline: SearchIndex) -> None:
    answer = timeline.search("canals")
    assert top(answer) == "canals-2022"  # the best match, although the oldest
    assert not is_newest_first(answer)


def test_results_ordered_by_score(timeline: SearchIndex) -> None:
    answer = timeline.search("canals")
    scores = [match.score for match in answer.matches]
    assert len(scores) >= 2
    assert scores == sorted(scores, reverse=True)


def test_latest_orders_by_date(timeline: SearchIndex) -> None:
    answer = timeline.search("latest on the canals")
    assert answer.explanation["latest"] is True
    assert answer.answered
    assert top(answer) == "canals-2024"
    assert is_newest_first(answer)


def test_most_recent_orders_by_date(timeline: SearchIndex) -> None:
    answer = timeline.search("most recent canals of Examplia")
    assert answer.answered
    assert is_newest_first(answer)
    assert top(answer) == "canals-2024"


def test_ties_are_broken_by_newer_date(timeline: SearchIndex) -> None:
    answer = timeline.search("lantern boats")
    assert ids(answer) == ["lanterns-new", "lanterns-old"]
    assert answer.matches[0].score == answer.matches[1].score


def test_ties_among_equal_scores_newer_first(timeline: SearchIndex) -> None:
    answer = timeline.search("canals")
    by_score: dict[float, list[dt.date]] = {}
    for match in answer.matches:
        by_score.setdefault(match.score, []).append(match.item.statement.date)
    assert any(len(dates) > 1 for dates in by_score.values())
    for dates in by_score.values():
        assert dates == sorted(dates, reverse=True)


def test_fictional_date_filters(timeline: SearchIndex) -> None:
    assert ids(timeline.search("canals before 2023")) == ["canals-2022"]
    since = timeline.search("canals since 2023")
    assert "canals-2022" not in ids(since)
    assert all(m.item.statement.date >= dt.date(2023, 1, 1) for m in since.matches)
    nothing = timeline.search("canals in 2019")
    assert not nothing.answered
    assert nothing.notice == "I have no statements dated 2019 at all."


def test_fictional_speaker_filter(timeline: SearchIndex) -> None:
    answer = timeline.search("What did Envoy Ledger say about the canals?")
    assert ids(answer) == ["canals-2024"]
    nothing = timeline.search("what did Bram Ledger say about lanterns")
    assert not nothing.answered
    assert nothing.notice == "I have 1 statement by Bram Ledger, but none that answers this."


def test_fictional_not_found_suggests_popular_topics(fictional_index: SearchIndex) -> None:
    answer = fictional_index.search("the")  # only a stopword: nothing asked
    assert not answer.answered
    assert answer.suggestions == ("Canal policy", "Lantern festival", "Tolls")


def test_suggestions_capped_at_three_with_many_topics(make_kb: MakeKB) -> None:
    names = ["Bridges", "Boats", "Barges", "Bells", "Banners"]
    topics = "topics:\n" + "".join(f"  - id: {name.lower()}\n    name: {name}\n" for name in names)
    statements = TIMELINE + "".join(
        f"  - id: about-{name.lower()}\n    speaker: ada-quill\n    date: 2024-01-01\n"
        f"    kind: position\n    text: Ada Quill spoke about {name.lower()} and weather.\n"
        f"    topics: [{name.lower()}]\n"
        for name in names
    )
    kb = make_kb(
        {
            "more-topics.yaml": topics,
            "statements/gazette-2024-03-02-quill-canals.yaml": statements,
        }
    )
    index = SearchIndex(kb.load(), SearchConfig(threshold=0.99))
    answer = index.search("weather zebra")
    assert not answer.answered
    assert 0 < len(answer.suggestions) <= 3


DREDGING = """\
source:
  id: gazette-2024-03-02-quill-canals
  title: Dredging
  publisher: The Example Gazette
  published: 2024-03-02

statements:
  - id: broad
    speaker: ada-quill
    date: 2024-01-01
    kind: position
    text: >-
      Ada Quill listed plans for harbour piers, village schools, a museum, orchards,
      lighthouses, bakeries, ferries and bridges, and to dredge silt near barges and locks.
  - id: narrow
    speaker: ada-quill
    date: 2024-01-01
    kind: position
    text: Ada Quill will dredge silt from barges.
    questions:
      - dredge silt barges
""" + "".join(
    f"  - id: market-{i}\n    speaker: bram-ledger\n    date: 2023-01-{i + 1:02d}\n"
    f"    kind: position\n    text: Bram Ledger opened market number {i} in Example City.\n"
    for i in range(20)
)


def test_results_are_in_score_order_when_precision_and_coverage_disagree(
    make_kb: MakeKB,
) -> None:
    kb = make_kb({"statements/gazette-2024-03-02-quill-canals.yaml": DREDGING})
    answer = SearchIndex(kb.load(), SearchConfig()).search("dredge silt barges locks")
    assert set(ids(answer)) == {"broad", "narrow"}
    scores = [match.score for match in answer.matches]
    assert scores == sorted(scores, reverse=True)


# --------------------------------------------------------------------------- regression set


def _regression_cases() -> list[Any]:
    data = yaml.safe_load(REGRESSION_FILE.read_text(encoding="utf-8"))
    return [pytest.param(case["q"], case["expect"], id=case["q"][:40]) for case in data["cases"]]


def test_regression_file_is_well_formed(bundled_kb: KnowledgeBase) -> None:
    text = REGRESSION_FILE.read_text(encoding="utf-8")
    assert "not the yardstick" in text.casefold()
    cases = yaml.safe_load(text)["cases"]
    assert len(cases) >= 20
    for case in cases:
        assert set(case) == {"q", "expect"}
        assert case["expect"] == "none" or case["expect"] in bundled_kb.by_id, case
    assert len({case["q"] for case in cases}) == len(cases)


@pytest.mark.parametrize(("question", "expect"), _regression_cases())
def test_regression_question(bundled_index: SearchIndex, question: str, expect: str) -> None:
    answer = bundled_index.search(question)
    if expect == "none":
        assert not answer.answered, ids(answer)
    else:
        assert top(answer) == expect, ids(answer)


def test_the_notice_counts_a_speakers_statements_as_speakers_does(
    bundled_index: SearchIndex,
) -> None:
    """ "N statements by X" counts X's own words (relayed or not), never what X relayed of
    someone else or statements that merely mention X: the same count /speakers and stats give."""
    own = sum(s.speaker == "xi-jinping" for s in bundled_index.kb.statements)
    answer = bundled_index.search("What did Xi say about the weather in Paris?")
    assert answer.notice is not None
    assert f"{own} statements by Xi Jinping" in answer.notice


def test_a_topic_in_a_help_sentence_is_written_as_the_texts_write_it(
    fictional_index: SearchIndex,
) -> None:
    """ "What did Ada Quill say about canal policy?", not "… about Canal policy?": the texts
    write "canal" in lower case; a name the texts capitalise keeps its capital."""
    browser = fictional_index.browser
    assert browser.in_sentence("Canal policy") == "canal policy"
    assert browser.in_sentence("Examplia") == "Examplia"
    assert browser.in_sentence("US tolls") == "US tolls"
    assert fictional_index.examples().topic[:1].islower()
