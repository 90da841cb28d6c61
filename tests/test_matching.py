"""The general parsing and ranking rules of issue 11, each on the small fictional knowledge base
(Ada Quill, Bram Ledger and the canals of Examplia), none tied to one evaluation question."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from bot.answers.answer import Status
from bot.search.engine import SearchConfig, SearchIndex
from bot.search.query import focus, parse_question
from bot.search.roles import title_phrases
from bot.search.spelling import Speller
from tests.fictional import SPEAKERS_YAML, STATEMENTS_FILE, STATEMENTS_YAML, MakeKB


def top_ids(index: SearchIndex, question: str) -> list[str]:
    answer = index.search(question)
    return [m.item.statement.id for m in answer.matches] if answer.answered else []


def test_who_said_is_not_a_speaker_called_who(fictional_index: SearchIndex) -> None:
    assert parse_question("Who said the canals stay open?").owners == ()
    answer = fictional_index.search("Who said the canals of Examplia will stay open?")
    assert answer.notice is None or "Who" not in answer.notice
    assert top_ids(fictional_index, "Who said the canals of Examplia will stay open?")[0] == (
        "quill-canals-open"
    )


def test_by_year_is_a_deadline_not_a_date_filter(fictional_index: SearchIndex) -> None:
    parsed = parse_question("lantern boats on every canal by 2030")
    assert parsed.dates is None
    assert "2030" in parsed.text
    assert "2030" in fictional_index.analyzer.analyze(["by", "2030"])


def test_in_year_is_still_a_filter() -> None:
    assert parse_question("canals in 2024").dates is not None


def test_after_the_month_year_event() -> None:
    parsed = parse_question("what did Quill say after the November 2024 election")
    assert parsed.dates is not None
    assert parsed.dates.start == dt.date(2024, 12, 1)
    assert parsed.dates.end is None


def test_from_year_to_year() -> None:
    parsed = parse_question("tolls from 2019 to 2021")
    assert parsed.dates is not None
    assert (parsed.dates.start, parsed.dates.end) == (dt.date(2019, 1, 1), dt.date(2021, 12, 31))


def test_a_valid_english_word_is_not_corrected(fictional_index: SearchIndex) -> None:
    speller = Speller(fictional_index.kb, Counter({"plant": 5, "canals": 3}), frozenset())
    assert speller.correct("plan") is None  # a word of its own, not a typo of "plant"
    assert speller.correct("canlas") == "canals"  # not a word: corrected
    short = Speller(fictional_index.kb, Counter({"own": 5, "the": 9}), frozenset())
    assert short.correct("won") is None  # a word of its own, not "own" with two letters swapped
    assert short.correct("teh") == "the"


def test_speaker_only_question_puts_their_own_words_first(fictional_index: SearchIndex) -> None:
    answer = fictional_index.search("What did Ada Quill say?")
    assert answer.answered
    first = answer.matches[0].item
    assert first.statement.speaker == "ada-quill"
    assert first.relayed_by is None  # her own words before words relayed by someone else
    assert len({round(m.score, 4) for m in answer.matches}) > 1  # not 1.00 for everyone


def test_asking_for_a_quote_puts_the_direct_quote_first(fictional_index: SearchIndex) -> None:
    answer = fictional_index.search("Ada Quill quote")
    assert answer.answered
    assert answer.matches[0].item.statement.kind == "quote"


def test_literal_words_count_even_when_they_name_a_topic(fictional_index: SearchIndex) -> None:
    """ "canals" is also an alias of the topic "Canal policy", which two statements share; the
    one whose text holds the words asked comes first."""
    assert top_ids(fictional_index, "the canals of Examplia will stay open")[0] == (
        "quill-canals-open"
    )


def test_a_long_message_keeps_its_question() -> None:
    preamble = "I have been reading about the waterways of several countries for a while. " * 5
    kept, notice = focus(preamble + "So: will the canals of Examplia stay open?", 500)
    assert kept == "So: will the canals of Examplia stay open?"
    assert notice is not None
    assert "question" in notice


def test_a_long_question_is_answered_from_its_question_sentence(
    fictional_index: SearchIndex,
) -> None:
    preamble = "I have been reading about the waterways of several countries for a while. " * 8
    answer = fictional_index.search(preamble + "So: will the canals of Examplia stay open?")
    assert answer.answered
    assert answer.matches[0].item.statement.id == "quill-canals-open"


def test_a_decline_suggests_the_topic_the_question_names(fictional_index: SearchIndex) -> None:
    answer = fictional_index.search("lantern festival in 2019")
    assert not answer.answered
    assert answer.suggestions[0] == "Lantern festival"


def test_the_notice_says_what_was_and_was_not_found(fictional_index: SearchIndex) -> None:
    answer = fictional_index.search("What did Ada Quill say in 2019?")
    assert not answer.answered
    assert answer.notice is not None
    assert answer.notice.startswith("I have no statements by Ada Quill dated 2019")
    assert "at other times" in answer.notice


def test_a_stranger_of_several_words_takes_the_article(bundled_index: SearchIndex) -> None:
    answer = bundled_index.search("What is America's policy toward China?")
    assert answer.notice == "I have no statements giving the United States' position."
    answer = bundled_index.search("What is Japan's policy toward China?")
    assert answer.notice == "I have no statements giving Japan's position."


def test_now_asks_for_the_newest(fictional_index: SearchIndex) -> None:
    assert parse_question("what is the toll policy now").latest
    assert parse_question("is Quill still against higher tolls").latest


def test_a_misspelt_everyday_word_becomes_the_english_word(fictional_index: SearchIndex) -> None:
    """The knowledge base need not hold the word: "opning" is "opening" (wordfreq's English),
    whose stem can still match "open"; a name nobody has seen is left alone."""
    speller = Speller(fictional_index.kb, Counter({"canals": 3}), frozenset())
    assert speller.correct("opning") == "opening"
    assert speller.correct("figrue") == "figure"
    assert speller.correct("kessary") is None  # not one edit from any common English word
    assert speller.correct("canlas") == "canals"  # the knowledge base's own word comes first


def test_a_statement_naming_the_year_asked_about_is_a_candidate(make_kb: MakeKB) -> None:
    """ "tolls 2030" may mean what was said in 2030 or what was said about 2030: a statement
    naming the year is let in, marked as said at another time, and the notices still count
    only what was said then."""
    kb = make_kb(
        {
            STATEMENTS_FILE: STATEMENTS_YAML.replace(
                "keep canal tolls where they are.", "keep canal tolls where they are until 2030."
            )
        }
    ).load()
    index = SearchIndex(kb, SearchConfig(threshold=0.0))
    answer = index.search("canal tolls 2030")
    assert [m.item.statement.id for m in answer.matches][:1] == ["quill-tolls-position"]
    assert answer.matches[0].signals["undated"] == 1.0
    dates = parse_question("canal tolls 2030").dates
    assert dates is not None
    strict = index.filters.mask([], dates, [])
    assert strict is not None
    assert not strict.any()


def test_a_topic_phrase_also_counts_its_own_words(make_kb: MakeKB) -> None:
    """ "lantern boats" names the topic; of two statements on it, the one that says "boats"
    holds the phrase's words (the ``phrase`` feature), the other does not."""
    kb = make_kb(
        {
            STATEMENTS_FILE: STATEMENTS_YAML.replace(
                "topics: [canal-policy]\n", "topics: [canal-policy, lantern-festival]\n", 1
            )
        }
    ).load()
    index = SearchIndex(kb, SearchConfig(threshold=0.0))
    answer = index.search("lantern boats")
    phrase = {m.item.statement.id: m.signals["phrase"] for m in answer.matches}
    assert list(answer.explanation["terms"]) == ["#lantern-festival"]
    # each holds one of the two words, so their shares of the phrase add up to all of it
    assert 0 < phrase["quill-canals-open"] < 1  # "boat"
    assert 0 < phrase["ledger-lantern-festival"] < 1  # "lantern"
    assert phrase["quill-canals-open"] + phrase["ledger-lantern-festival"] == pytest.approx(1)


def test_whom_a_question_asks_about_is_checked_against_the_speakers(
    fictional_index: SearchIndex,
) -> None:
    """A title nobody in the knowledge base holds ("the police commissioner") counts against
    every answer; a title a speaker held ("the chancellor") or a name does not."""
    filters = fictional_index.filters
    assert filters.strangeness(("the police commissioner",)) == 1.0
    assert filters.strangeness(("the chancellor",)) == 0.0
    assert filters.strangeness(("minister quill",)) == 0.0
    assert 0 < filters.strangeness(("the examplian harbour master",)) < 1
    assert parse_question("examplian opposition view on tolls").owners == ("examplian opposition",)
    asked = fictional_index.search("what does the police commissioner think about canal tolls")
    fair = fictional_index.search("what does the chancellor think about canal tolls")
    assert asked.explanation["candidates"][0]["signals"]["stranger"] == 1.0
    assert fair.explanation["candidates"][0]["signals"]["stranger"] == 0.0


def test_whose_position_may_follow_of(bundled_index: SearchIndex) -> None:
    """ "the red lines of Russia" asks for Russia's, as "Russia's red lines" does; a
    preposition ends the owner ("the position of the mayor on fares")."""
    assert parse_question("red lines of Russia").owners == ("russia",)
    assert parse_question("what is the position of the mayor on fares").owners == ("mayor",)
    assert parse_question("red lines").owners == ()
    # after a possessive, "of" says what the view is about, not whose it is
    assert "us sanctions" not in parse_question("China's view of US sanctions").owners
    assert bundled_index.search("What is China's view of US sanctions and suppression?").answered
    answer = bundled_index.search("red lines of Russia")
    assert not answer.answered
    assert answer.notice == "I have no statements giving Russia's position."


def test_messages_to_the_bot_about_itself_are_small_talk(fictional_index: SearchIndex) -> None:
    """Chat addressed to the bot gets the friendly reply, whatever one statement happens to say
    ("name", "old"); a question to the bot about a subject is still a question."""
    for chat in ("what is your name", "who built this bot", "how old are you", "never mind"):
        assert parse_question(chat).smalltalk, chat
        assert fictional_index.search(chat).status is Status.SMALLTALK
    for question in ("what do you know about canals", "can you tell me about the tolls"):
        assert not parse_question(question).smalltalk, question


def test_one_everyday_word_is_weak_evidence(fictional_index: SearchIndex) -> None:
    """ "weather" covers all of a one-word question, like "lantern festival" does, but it is an
    everyday word: the ``evidence`` feature tells them apart."""
    index = SearchIndex(fictional_index.kb, SearchConfig(threshold=0.0))
    everyday = index.search("weather").matches[0].signals
    specific = index.search("canals of Examplia stay open every boat").matches[0].signals
    assert everyday["coverage"] > 0.5
    assert 0 < everyday["evidence"] < specific["evidence"]


def test_a_country_adjective_names_whose_position(make_kb: MakeKB) -> None:
    """ "the Examplian position" asks for Examplia's, as "Examplia's position" does; other
    words before "position" ("the latest position") name nobody."""
    speakers = SPEAKERS_YAML.replace(
        "  - id: bram-ledger\n", "    country: Examplia\n  - id: bram-ledger\n"
    )
    index = SearchIndex(make_kb({"speakers.yaml": speakers}).load(), SearchConfig())
    filters = index.filters
    assert filters.countries_named("examplian") == ["examplia"]
    assert filters.countries_named("exam") == []
    assert filters.countries_named("latest") == []
    union = SPEAKERS_YAML.replace(
        "  - id: bram-ledger\n", "    country: Union\n  - id: bram-ledger\n"
    )
    unions = SearchIndex(make_kb({"speakers.yaml": union}).load(), SearchConfig()).filters
    assert unions.countries_named("unions") == []  # an everyday word, not a country's name
    parsed = parse_question("What is the Examplian position on tolls?")
    assert parsed.described == ("examplian",)
    assert filters.owners(parsed.owners, parsed.described) == (["examplia"], None)
    assert filters.owners((), parse_question("the latest position on tolls").described) == (
        [],
        None,
    )
    assert filters.strangeness(("the examplian minister",)) == 0.0


def test_between_and_year_spans_are_ranges() -> None:
    for question in ("fares between 2019 and 2021", "fares 2019-2021", "fares 2019 – 2021"):
        parsed = parse_question(question)
        assert parsed.dates is not None, question
        assert (parsed.dates.start, parsed.dates.end) == (
            dt.date(2019, 1, 1),
            dt.date(2021, 12, 31),
        )
        assert parsed.text.split() == ["fares"]


def test_last_year_and_this_month_count_from_the_day_asked() -> None:
    today = dt.date(2026, 12, 2)
    last_year = parse_question("what did Quill say last year", today).dates
    assert last_year is not None
    assert (last_year.start, last_year.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    january = parse_question("tolls last month", dt.date(2027, 1, 15)).dates
    assert january is not None
    assert (january.start, january.end) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    past = parse_question("tolls past year", today).dates
    assert past is not None
    assert past.end == today
    assert parse_question("how did tolls change over the last year", today).dates is None
    assert parse_question("last years budget", today).dates is None  # "last year's budget"


def test_a_decline_with_a_notice_still_offers_topics(fictional_index: SearchIndex) -> None:
    """A speaker with nothing on those dates: the speaker's own topics; someone the knowledge
    base lacks, asked about a topic it has: that topic."""
    dated = fictional_index.search("What did Ada Quill say in 2019?")
    assert dated.notice is not None
    assert not dated.answered
    assert "Tolls" in dated.suggestions or "Canal policy" in dated.suggestions
    stranger = fictional_index.search("What did Putin say about tolls?")
    assert stranger.notice == "I have no statements giving Putin's position."
    assert stranger.suggestions == ("Tolls",)


def test_one_everyday_word_alone_is_declined(fictional_index: SearchIndex) -> None:
    """ "open": an everyday English word on its own, naming no topic, speaker or
    date, says nothing about which statement is meant, even when one statement uses it; the
    same word beside a speaker, or a word that names a topic, is still searched."""
    alone = fictional_index.search("open")
    assert not alone.answered
    assert alone.explanation.get("everyday_only")
    beside = fictional_index.search("open Ada Quill")
    assert not beside.explanation.get("everyday_only")
    assert fictional_index.search("tolls").answered  # a topic, however common the word


def test_what_a_speaker_said_is_their_words_not_words_about_them(make_kb: MakeKB) -> None:
    """ "What did Bram Ledger say?" lists what he said or relayed, never Ada Quill's statement
    that merely names him; with nothing of his on the dates asked, it says so."""
    about = STATEMENTS_YAML.replace(
        "Ada Quill prefers to keep canal tolls where they are.",
        "Ada Quill prefers to keep canal tolls where they are, as Bram Ledger knows.",
    )
    index = SearchIndex(make_kb({STATEMENTS_FILE: about}).load(), SearchConfig())
    said = index.search("What did Bram Ledger say?")
    assert said.answered
    assert [m.item.statement.id for m in said.matches] == ["ledger-lantern-festival"]
    dated = index.search("What did Bram Ledger say in 2024?")
    assert [m.item.statement.id for m in dated.matches] == ["ledger-lantern-festival"]
    none = index.search("What did Bram Ledger say in February 2024?")  # only Quill's, about him
    assert not none.answered
    assert none.notice is not None
    assert none.notice.startswith("I have no statements by Bram Ledger dated February 2024")


def test_the_body_a_title_leads_names_its_holder() -> None:
    """ "Leader of the Opposition": "the opposition" names who speaks for it; "Minister of
    Finance" is not named by "finance" alone."""
    assert ("the", "opposition") in title_phrases("Leader of the Opposition")
    assert ("finance",) not in title_phrases("Minister of Finance of Korvania")
    assert ("the", "political", "bureau") not in title_phrases(
        "Member of the Political Bureau of the CPC Central Committee"
    )  # a member does not speak for the body
