"""Words to index terms, the same way for statements and questions: synonyms from the alias
tables, topic phrases, speaker names, stopwords and stems.

Both sides go through one Analyzer, so a question and a statement always agree on what a word
means; a reload builds a new one from the new knowledge base.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.knowledge.models import KnowledgeBase
from bot.normalize import has_han
from bot.search.lexicon import STOPWORDS
from bot.search.phrases import Phrase, PhraseTable, phrase
from bot.search.text import stem

TOPIC_PREFIX = "#"
_YEAR = re.compile(r"(?:19|20)\d\d")  # a year left in a question is a word of it: "by 2030"
PRONOUN_VERBS = frozenset(
    ["tell", "give", "show", "let", "help", "send", "teach", "remind", "brief", "join"]
)
"""Verbs after which "us" is the pronoun ("tell us"), not the United States."""


class Analyzer:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.stopwords = STOPWORDS | kb.stopwords
        self.speakers = PhraseTable(
            (phrase(name), (speaker.id,))
            for speaker in kb.speakers.values()
            for name in speaker.names
        )
        synonyms: list[tuple[Phrase, Phrase]] = []
        for canonical, variants in kb.aliases.items():
            target = phrase(canonical)
            synonyms += [(phrase(variant), target) for variant in variants]
        self.synonyms = PhraseTable(synonyms)
        # Topic names are matched after synonyms, so "Washington-Beijing ties" finds the topic
        # named "China–US relations": the names go through the same synonym table first.
        self.topics = PhraseTable(
            (tuple(self.synonyms.apply(phrase(name))[0]), (TOPIC_PREFIX + topic.id,))
            for topic in kb.topics.values()
            for name in topic.names
        )

    def canonical(self, text: str) -> str:
        """A name as the index sees it after synonyms: "America" → "united states"."""
        return " ".join(self.synonyms.apply(phrase(text))[0])

    def analyze(
        self,
        words: Sequence[str],
        *,
        topics_found: list[str] | None = None,
        keep_topic_words: bool = False,
    ) -> list[str]:
        """Words → terms: synonyms, topic phrases, stopwords, stems.

        A question's topic phrase is replaced by the topic (its words were a name, not content);
        a statement keeps the words as well, so a question using only some of them still matches.
        """
        pairs = self.analyze_words(
            words, topics_found=topics_found, keep_topic_words=keep_topic_words
        )
        return [term for term, _word in pairs]

    def analyze_words(
        self,
        words: Sequence[str],
        *,
        topics_found: list[str] | None = None,
        keep_topic_words: bool = False,
    ) -> list[tuple[str, str]]:
        """``analyze`` with each term's word, so a question's terms can be weighed by how common
        their words are in English."""
        words = [
            w
            for i, w in enumerate(words)
            if not (w == "us" and i > 0 and words[i - 1] in PRONOUN_VERBS)
        ]
        words, _ = self.synonyms.apply(words)
        replaced, found = self.topics.apply(words)
        if topics_found is not None:
            topics_found.extend(p[0] for p in found)
        words = [*words, *(p[0] for p in found)] if keep_topic_words else replaced
        return [(term, word) for word in words if (term := self._term(word)) is not None]

    def _term(self, word: str) -> str | None:
        if word.startswith(TOPIC_PREFIX):
            return word
        if (
            len(word) > 1
            and word not in self.stopwords
            and (word.isascii() or not has_han(word))
            and (not word.isdigit() or _YEAR.fullmatch(word) is not None)
        ):
            return stem(word)
        return None
