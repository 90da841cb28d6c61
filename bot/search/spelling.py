"""Typo correction against the knowledge base's own vocabulary, then general English.

Only words the knowledge base (or the question grammar) does not know are corrected, to the
closest known word by edit distance, and a valid English word (wordfreq) only to a far more
common one: "plan" and "plant" are both words. A misspelling one edit away from a common
English word the knowledge base happens not to use ("opning", "figrue") becomes that word, so
that its stem can still match ("opening" → "open") and an everyday word is not mistaken for a
rare name the knowledge base lacks.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.knowledge.models import KnowledgeBase
from bot.normalize import has_han, normalize, tokens
from bot.search.dates import MONTHS
from bot.search.lexicon import zipf

MAX_REMEMBERED_CORRECTIONS = 50_000
EXTRA_VOCABULARY = frozenset(MONTHS) | frozenset(
    [
        "latest",
        "recent",
        "newest",
        "since",
        "before",
        "after",
        "until",
        "say",
        "said",
    ]
)


VALID_ZIPF = 3.0  # a word at least this common in English is taken as meant
LIKELIER_BY = 2.0  # unless the knowledge base's word is this much more common (Zipf scale)


ENGLISH_WORDS = 50_000  # wordfreq's most common English words searched for a correction
ENGLISH_MIN_LENGTH = 5  # shorter words are too easily one edit from another word


@cache
def english_by_length() -> dict[int, list[str]]:
    """Common English words (wordfreq, Zipf at least VALID_ZIPF) by length, commonest first."""
    from wordfreq import top_n_list

    by_length: dict[int, list[str]] = {}
    for word in top_n_list("en", ENGLISH_WORDS):
        if word.isascii() and word.isalpha() and zipf(word) >= VALID_ZIPF:
            by_length.setdefault(len(word), []).append(word)
    return by_length


def _likelier(candidate: str, word: str) -> bool:
    """Correct a valid English word only to a far more common one."""
    typed = zipf(word)
    return typed < VALID_ZIPF or zipf(candidate) >= typed + LIKELIER_BY


class Speller:
    def __init__(
        self, kb: KnowledgeBase, statement_words: Counter[str], stopwords: frozenset[str]
    ) -> None:
        vocabulary = Counter(statement_words)
        names = [n for sp in kb.speakers.values() for n in sp.names]
        names += [n for topic in kb.topics.values() for n in topic.names]
        names += [n for canonical, variants in kb.aliases.items() for n in (canonical, *variants)]
        for name in names:
            vocabulary.update(tokens(normalize(name)))
        vocabulary.update(stopwords | EXTRA_VOCABULARY)
        self.stopwords = stopwords
        self.vocabulary = frozenset(vocabulary)
        by_length: dict[int, list[str]] = {}
        for word, _count in vocabulary.most_common():
            if word.isalpha() and not has_han(word):
                by_length.setdefault(len(word), []).append(word)
        self._by_length = by_length
        self._remembered: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The knowledge base's own word nearest a misspelling, or None when nothing is close."""
        if word in self._remembered:
            return self._remembered[word]
        found = self._correct(word)
        if len(self._remembered) < MAX_REMEMBERED_CORRECTIONS:
            self._remembered[word] = found
        return found

    def _correct(self, word: str) -> str | None:
        if word in self.vocabulary or not word.isalpha() or has_han(word) or not word.isascii():
            return None
        if word.endswith("s") and word[:-1] in self.vocabulary:
            return word[:-1]  # a possessive typed without its apostrophe: "chinas", "xis"
        if len(word) <= 3:
            return self._swapped(word)
        best = _nearest(self._by_length, word, 1 if len(word) <= 5 else 2)
        if (best is None or best[0] > 1) and len(word) >= ENGLISH_MIN_LENGTH:
            english = _nearest(english_by_length(), word, 1)
            if english is not None and zipf(word) == 0.0:  # wordfreq has never seen the typo
                best = english
        if best is None:
            return None
        distance, _similarity, candidate = best
        if distance == 2 and candidate[0] != word[0]:
            return None  # two edits and a different first letter is another word, not a typo
        if candidate in self.stopwords and sorted(candidate) != sorted(word):
            return None  # "care" is not a typo of "are"; only swapped letters ("waht") are
        if not _likelier(candidate, word):
            return None  # "plan" is a word of its own, not a typo of "plant"
        return candidate

    def _swapped(self, word: str) -> str | None:
        """Short words: only two swapped letters count as a typo ("teh")."""
        for candidate in self._by_length.get(len(word), ()):
            if sorted(candidate) == sorted(word) and OSA.distance(word, candidate) == 1:
                return candidate if _likelier(candidate, word) else None  # "won" is not "own"
        return None


def _nearest(
    by_length: dict[int, list[str]], word: str, max_distance: int
) -> tuple[int, float, str] | None:
    """The closest word of the same length give or take ``max_distance`` (OSA distance)."""
    best: tuple[int, float, str] | None = None
    length = len(word)
    for size in range(length - max_distance, length + max_distance + 1):
        choices = by_length.get(size)
        if not choices:
            continue
        found = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=max_distance)
        if found is None:
            continue
        # equal edit distance: prefer the closer spelling ("redy" → "ready", not "red")
        key = (int(found[1]), -fuzz.ratio(word, found[0]), found[0])
        if best is None or key < best:
            best = key
    return best
