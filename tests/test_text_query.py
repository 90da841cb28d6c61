"""Text normalisation, tokens, stems, and reading a question (dates, recency, small talk)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.normalize import normalize, tokens
from bot.search.dates import DateRange
from bot.search.query import parse_question
from bot.search.text import stem

D = dt.date

# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # NFKC: full-width letters, digits and punctuation become ASCII
        ("Ｕ．Ｓ． ＡＩ ２０２４", "us ai 2024"),
        ("ﬁnance", "finance"),  # ligature
        # zero-width and invisible marks vanish without splitting the word
        ("red li\u200bnes", "red lines"),
        ("co\u00adoperation", "cooperation"),
        ("\ufeffTaiwan\u2060", "taiwan"),
        ("\u202etaiwan\u202c", "taiwan"),
        # dotted abbreviations
        ("U.S. policy", "us policy"),
        ("the U.S.A. and the P.R.C.", "the usa and the prc"),
        ("u.s.", "us"),
        # possessives, straight and curly
        ("China's red lines", "china red lines"),
        ("China’s red lines", "china red lines"),
        ("Xi's and Wang’s words", "xi and wang words"),
        # other apostrophes just go
        ("don't", "dont"),
        ("don’t", "dont"),
        # case folding
        ("STRASSE Straße", "strasse strasse"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_keeps_han_and_punctuation() -> None:
    assert normalize("中美关系？") == "中美关系?"  # NFKC turns the full-width question mark
    assert normalize("Sino-US ties") == "sino-us ties"


def test_curly_and_straight_apostrophes_normalise_alike() -> None:
    assert normalize("What’s China’s view?") == normalize("What's China's view?")


# --------------------------------------------------------------------------- tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("china-us relations", ["china", "us", "relations"]),
        ("中美关系", ["中", "美", "关", "系"]),
        ("wang yi 王毅 on 合作", ["wang", "yi", "王", "毅", "on", "合", "作"]),
        ("red_lines, 2024!", ["red", "lines", "2024"]),
        ("...", []),
        ("", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_tokens_of_normalised_text() -> None:
    assert tokens(normalize("China’s U.S. policy")) == ["china", "us", "policy"]


# --------------------------------------------------------------------------- stem


def test_stem_is_consistent_across_a_word_family() -> None:
    family = ["cooperate", "cooperation", "cooperating", "cooperates", "cooperated"]
    assert len({stem(word) for word in family}) == 1


@pytest.mark.parametrize(
    "family",
    [
        ["relation", "relations"],
        ["stability", "stabilities"],
        ["interfere", "interferes", "interfered", "interfering"],
        ["suppress", "suppressed", "suppressing"],
        ["develop", "development", "developments"],
    ],
)
def test_stem_families(family: list[str]) -> None:
    assert len({stem(word) for word in family}) == 1


@pytest.mark.parametrize("word", ["us", "ai", "xi", "sea"])
def test_stem_leaves_short_words(word: str) -> None:
    assert stem(word) == word


@pytest.mark.parametrize(
    ("word", "other"), [("analysis", "analyst"), ("status", "state"), ("famous", "fame")]
)
def test_stem_keeps_a_word_and_its_near_neighbours_apart(word: str, other: str) -> None:
    """Snowball does not strip "-ss" or "-is" down to another word's stem."""
    assert stem(word) != stem(other)


@pytest.mark.parametrize("word", ["中美", "2024", "co2"])
def test_stem_leaves_non_alphabetic_words(word: str) -> None:
    assert stem(word) == word


def test_stem_keeps_different_words_apart() -> None:
    assert stem("trade") != stem("trust")
    assert stem("taiwan") != stem("tariff")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("question", "start", "end", "rest"),
    [
        ("red lines in 2024", D(2024, 1, 1), D(2024, 12, 31), "red lines in"),
        ("Xi in December 2024?", D(2024, 12, 1), D(2024, 12, 31), "xi in ?"),
        ("red lines Dec. 17, 2024", D(2024, 12, 17), D(2024, 12, 17), "red lines"),
        ("red lines on December 17th, 2024", D(2024, 12, 17), D(2024, 12, 17), "red lines on"),
        ("red lines on 17 December 2024", D(2024, 12, 17), D(2024, 12, 17), "red lines on"),
        ("red lines 2024-12-17", D(2024, 12, 17), D(2024, 12, 17), "red lines"),
        ("taiwan since 2023", D(2023, 1, 1), None, "taiwan"),
        ("taiwan since March 2023", D(2023, 3, 1), None, "taiwan"),
        ("taiwan after 2023", D(2024, 1, 1), None, "taiwan"),
        ("taiwan before 2020", None, D(2019, 12, 31), "taiwan"),
        ("taiwan before March 2024", None, D(2024, 2, 29), "taiwan"),
        ("taiwan until 2020", None, D(2020, 12, 31), "taiwan"),
        ("taiwan up to June 2021", None, D(2021, 6, 30), "taiwan"),
        ("2024年12月 红线", D(2024, 12, 1), D(2024, 12, 31), "红线"),
        ("2024年12月17日 红线", D(2024, 12, 17), D(2024, 12, 17), "红线"),
        ("2024年 红线", D(2024, 1, 1), D(2024, 12, 31), "红线"),
        ("sept 2023 taiwan", D(2023, 9, 1), D(2023, 9, 30), "taiwan"),
        ("feb 2023 taiwan", D(2023, 2, 1), D(2023, 2, 28), "taiwan"),
    ],
)
def test_date_expressions(question: str, start: D | None, end: D | None, rest: str) -> None:
    parsed = parse_question(question)
    assert parsed.dates is not None
    assert (parsed.dates.start, parsed.dates.end) == (start, end)
    assert parsed.text == rest  # the date phrase is taken out of the matched words
    assert not parsed.smalltalk


def test_date_label_is_the_phrase_as_found_with_month_names_capitalised() -> None:
    parsed = parse_question("What did Wang Yi say in december 2024?")
    assert parsed.dates is not None
    assert parsed.dates.label == "December 2024"
    parsed = parse_question("red lines after the nov. 2024 election")
    assert parsed.dates is not None
    assert parsed.dates.label == "after the Nov. 2024"


def test_no_date_in_a_plain_question() -> None:
    parsed = parse_question("What are China's red lines?")
    assert parsed.dates is None
    assert parsed.latest is False
    assert parsed.text == "what are china red lines?"


def test_numbers_that_are_not_years_are_not_dates() -> None:
    assert parse_question("the 4 red lines and 7 points").dates is None
    assert parse_question("G20 summit 300 days").dates is None


@pytest.mark.parametrize("question", ["red lines on 2024-02-30", "red lines on Feb 30, 2024"])
def test_impossible_date_in_a_question_is_not_a_filter(question: str) -> None:
    assert parse_question(question).dates is None


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (D(2023, 12, 31), False),
        (D(2024, 1, 1), True),
        (D(2024, 12, 31), True),
        (D(2025, 1, 1), False),
    ],
)
def test_date_range_contains_is_inclusive(day: D, inside: bool) -> None:
    assert DateRange(D(2024, 1, 1), D(2024, 12, 31)).contains(day) is inside


def test_open_date_range() -> None:
    assert DateRange(start=D(2024, 1, 1)).contains(D(2099, 1, 1))
    assert DateRange(end=D(2024, 1, 1)).contains(D(1999, 1, 1))
    assert DateRange().contains(D(2000, 1, 1))


# --------------------------------------------------------------------------- latest


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("latest on taiwan", "on taiwan"),
        ("What is the most recent statement on Taiwan?", "what is the statement on taiwan?"),
        ("What did Wang Yi say most recently?", "what did wang yi say ?"),
        ("newest red lines", "red lines"),
        ("最新 台湾", "台湾"),
    ],
)
def test_latest(question: str, rest: str) -> None:
    parsed = parse_question(question)
    assert parsed.latest is True
    assert parsed.text == rest
    assert parsed.smalltalk is False


def test_latest_word_inside_another_word_is_not_latest() -> None:
    assert parse_question("the latestness of it").latest is False


# --------------------------------------------------------------------------- small talk


@pytest.mark.parametrize(
    "message",
    [
        "hi",
        "Hi!",
        "thanks!",
        "Thank you so much",
        "who are you",
        "Who are you?",
        "hello there",
        "good morning",
        "ok",
        "@policy_bot hi",
    ],
)
def test_small_talk(message: str) -> None:
    assert parse_question(message).smalltalk is True


@pytest.mark.parametrize("message", ["你好", "谢谢", "再见"])
def test_chinese_small_talk(message: str) -> None:
    assert parse_question(message).smalltalk is True


@pytest.mark.parametrize(
    "message",
    [
        "hi, what are China's red lines?",
        "hi what did xi say about taiwan",
        "thanks, and what about fentanyl?",
        "hello, latest on taiwan",
        "hi in 2024",
        "What are China's red lines?",
        "",
        "???",
    ],
)
def test_not_small_talk(message: str) -> None:
    assert parse_question(message).smalltalk is False


# --------------------------------------------------------------------------- addressing


@pytest.mark.parametrize(
    "question",
    [
        "/ask@policy_bot red lines",
        "/ask red lines",
        "@policy_bot red lines",
        "  @Policy_Bot   red lines",
        "red lines @policy_bot",
    ],
)
def test_bot_addressing_is_stripped(question: str) -> None:
    assert parse_question(question).text == "red lines"


def test_slash_inside_a_question_is_kept() -> None:
    assert parse_question("red lines and/or bottom lines").text == "red lines and/or bottom lines"


def test_parsed_question_keeps_the_original() -> None:
    parsed = parse_question("/ask@policy_bot Red Lines in 2024")
    assert parsed.original == "/ask@policy_bot Red Lines in 2024"
    assert parsed.text == "red lines in"
