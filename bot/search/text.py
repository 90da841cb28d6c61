"""Text normalisation shared by the index and the query parser, so both sides always agree.

Han characters become one token each, so a Chinese alias such as 中美关系 matches as a phrase of
tokens exactly like "China-US relations" does; the stemmer is deliberately light (a suffix
stripper) because it only needs to be consistent, not linguistically right.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_ABBREVIATION = re.compile(r"\b(?:[a-z]\.){2,}")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_APOSTROPHE = re.compile(r"['’]")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "according",
        "actually",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "anything",
        "are",
        "aren",
        "around",
        "as",
        "ask",
        "asked",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "didn",
        "do",
        "does",
        "doesn",
        "doing",
        "don",
        "down",
        "during",
        "each",
        "either",
        "else",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "give",
        "given",
        "go",
        "going",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "isn",
        "it",
        "its",
        "itself",
        "just",
        "know",
        "let",
        "like",
        "made",
        "make",
        "many",
        "may",
        "me",
        "might",
        "mine",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "please",
        "quite",
        "rather",
        "really",
        "regarding",
        "said",
        "same",
        "say",
        "says",
        "saying",
        "she",
        "should",
        "show",
        "so",
        "some",
        "something",
        "such",
        "tell",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "this",
        "those",
        "through",
        "to",
        "too",
        "toward",
        "towards",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "was",
        "wasn",
        "way",
        "we",
        "were",
        "weren",
        "what",
        "whatever",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yes",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "anyone",
        "everyone",
        "someone",
        "somebody",
        "stance",
        "view",
        "views",
        "opinion",
        "opinions",
        "position",
        "positions",
        "comment",
        "comments",
        "commented",
        "remark",
        "remarks",
        "statement",
        "statements",
        "stated",
        "state",
        "mention",
        "mentioned",
        "mentions",
        "mentioning",
        "think",
        "thinks",
        "thought",
        "believe",
        "believes",
        "talk",
        "talked",
        "about",
        "speak",
        "spoke",
        "spoken",
        "word",
        "words",
        "latest",
        "recent",
        "recently",
        "newest",
        "most",
        "news",
        "info",
        "information",
        "update",
        "updates",
        "explain",
        "explained",
        "describe",
        "described",
        "tell",
        "told",
        "exactly",
        "kind",
        "sort",
        "bot",
        "policybot",
        "pls",
        "plz",
        "lol",
        "ok",
        "okay",
        "hey",
        "hi",
        "hello",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "first",
        "second",
        "third",
    ]
)
"""Function words and question fillers; a question made only of these has asked nothing."""

LIGHT_WORDS = frozenset(
    """
    try trying tried tries keep keeps kept want wants wanted need needs needed affect affects
    handle handles handling handled happen happens happened going make makes making made take
    takes taking took see sees seeing saw look looks looking feel feels felt use uses used seem
    seems come comes coming came find finds found call calls called put puts going gone doing
    done able really actually line lines thing things way ways part parts lot lots big small
    good bad new old long short high low right left whole every general generally overall
    particular particularly specific specifically certain important current currently still
    even ever much many more most less least very quite pretty kind sort side sides issue
    issues question questions point time times year years day days today now then
    country countries nation nations people state states
    """.split()
)
"""Common words that carry little of a question's meaning; they count, but lightly."""

_SUFFIXES = (
    ("ational", "ate"),
    ("ability", "abl"),
    ("ibility", "ibl"),
    ("ization", "ize"),
    ("isation", "ize"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ingly", ""),
    ("ences", ""),
    ("ence", ""),
    ("ances", ""),
    ("ance", ""),
    ("ities", "ity"),
    ("ions", ""),
    ("ion", ""),
    ("ives", ""),
    ("ive", ""),
    ("ings", ""),
    ("ing", ""),
    ("ied", "y"),
    ("ies", "y"),
    ("ed", ""),
    ("es", ""),
    ("ly", ""),
    ("s", ""),
)
_KEEP_ENDING = ("ss", "us", "is", "ous")


def normalize(text: str) -> str:
    """Case-fold and unify the spellings users mix: width, quotes, dots in U.S., invisible marks."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).casefold()
    text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _POSSESSIVE.sub("", text)
    text = _APOSTROPHE.sub("", text)
    return text


def tokens(text: str) -> list[str]:
    """Words (and single Han characters) of already normalised text."""
    return _TOKEN.findall(text)


def has_han(token: str) -> bool:
    """Whether a token is a Han character (tokens() makes each one a token of its own)."""
    return bool(_HAN.match(token))


def contains_han(text: str) -> bool:
    return _HAN.search(text) is not None


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, consistent suffix stripper: cooperate, cooperation, cooperating → cooperate."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith(_KEEP_ENDING):
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word
