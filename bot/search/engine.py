"""Ranking statements for a question: an inverted index picks candidates, rapidfuzz reranks them.

Confidence is *coverage*: the share of the question's information (terms weighted by rarity,
unknown words weighing most) that a statement accounts for, adjusted by how closely its
maintainer-written questions match. Because it is a share of the question itself, one threshold
means the same thing for a two-word query and a long one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.answers.answer import Answer, Match, Status
from bot.knowledge.models import KnowledgeBase, Speaker, Statement, StatementKind, Topic
from bot.search.gazetteer import GAZETTEER, HAN_NAMES, PLACE_NAMES
from bot.search.indexcache import Analysis, load_analysis, save_analysis
from bot.search.query import MONTHS, ParsedQuestion, parse_question
from bot.search.text import LIGHT_WORDS, STOPWORDS, contains_han, has_han, normalize, stem, tokens

TOPIC_PREFIX = "#"
_Named = TypeVar("_Named", Speaker, Topic)
FIELD_WEIGHTS = {"questions": 1.0, "topics": 1.0, "text": 0.85, "context": 0.6}
CANDIDATES = 40
UNKNOWN_WORD_FACTOR = 0.35
QUOTE_BOOST = 0.15
FOCUS_SHARE = 0.2
LIGHT_WEIGHT = 0.3
MAX_REMEMBERED_CORRECTIONS = 50_000
EXAMPLE_POOL = 10
UNKNOWN_ENTITY_FACTOR = 1.5
PRONOUN_VERBS = frozenset(
    ["tell", "give", "show", "let", "help", "send", "teach", "remind", "brief", "join"]
)
EXTRA_VOCABULARY = frozenset(MONTHS) | frozenset(
    [
        "latest",
        "recent",
        "newest",
        "since",
        "before",
        "after",
        "until",
        "red",
        "lines",
        "say",
        "said",
    ]
)


@dataclass(frozen=True, slots=True)
class SearchConfig:
    threshold: float = 0.6
    max_results: int = 5
    max_question_chars: int = 500


class PhraseTable:
    """Longest-match replacement of token sequences (aliases, topic names, speaker names)."""

    def __init__(self, phrases: Iterable[tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for phrase, replacement in phrases:
            if phrase:
                self._by_first.setdefault(phrase[0], []).append((phrase, replacement))
        for entries in self._by_first.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)

    def apply(self, words: Sequence[str]) -> tuple[list[str], list[tuple[str, ...]]]:
        by_first = self._by_first
        if by_first.keys().isdisjoint(words):  # the common case: nothing to replace
            return list(words), []
        out: list[str] = []
        found: list[tuple[str, ...]] = []
        i, count = 0, len(words)
        while i < count:
            candidates = by_first.get(words[i])
            if candidates:
                for phrase, replacement in candidates:
                    if tuple(words[i : i + len(phrase)]) == phrase:
                        out.extend(replacement)
                        found.append(replacement)
                        i += len(phrase)
                        break
                else:
                    out.append(words[i])
                    i += 1
            else:
                out.append(words[i])
                i += 1
        return out, found


_Ranked = tuple[int, float, dict[str, float]]  # statement index, confidence, signals


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(tokens(normalize(text)))


@dataclass
class _Doc:
    """Per-statement data the reranker needs, computed once at index time."""

    statement: Statement
    question_terms: list[tuple[str, ...]]  # distinct terms; tuples are a third of a frozenset's
    text_terms: tuple[str, ...]  # size, and the reranker only ever scans them
    question_strings: list[str]


@dataclass
class SearchIndex:
    """Everything derived from one KnowledgeBase for answering; rebuilt on every reload."""

    kb: KnowledgeBase
    config: SearchConfig = field(default_factory=SearchConfig)
    cache_dir: Path | None = None  # where the analysis is cached, keyed by the content hash

    def __post_init__(self) -> None:
        kb = self.kb
        self.stopwords = STOPWORDS | kb.stopwords
        self.speakers = PhraseTable(
            (_phrase(name), (speaker.id,))
            for speaker in kb.speakers.values()
            for name in speaker.names
        )
        synonyms: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        for canonical, variants in kb.aliases.items():
            target = _phrase(canonical)
            synonyms += [(_phrase(variant), target) for variant in variants]
        self.synonyms = PhraseTable(synonyms)
        # Topic names are matched after synonyms, so "Washington-Beijing ties" finds the topic
        # named "China–US relations": the names go through the same synonym table first.
        self.topics = PhraseTable(
            (tuple(self.synonyms.apply(_phrase(name))[0]), (TOPIC_PREFIX + topic.id,))
            for topic in kb.topics.values()
            for name in topic.names
        )

        statements = kb.statements
        self.size = len(statements)
        analysis = load_analysis(self.cache_dir, kb.content_hash) if self.cache_dir else None
        if analysis is None:
            analysis = self._analyse(statements)
            if self.cache_dir is not None:
                save_analysis(self.cache_dir, kb.content_hash, analysis)
        self.docs = [
            _Doc(
                statement=statement,
                question_terms=questions,
                text_terms=text_terms,
                question_strings=[" ".join(sorted(terms)) for terms in questions],
            )
            for statement, text_terms, questions in zip(
                statements, analysis.text_terms, analysis.question_terms, strict=True
            )
        ]
        vocabulary = analysis.vocabulary
        mentions = analysis.mentions
        names = [n for sp in kb.speakers.values() for n in sp.names]
        names += [n for topic in kb.topics.values() for n in topic.names]
        for name in names:
            vocabulary.update(tokens(normalize(name)))
        for canonical, variants in kb.aliases.items():
            for name in (canonical, *variants):
                vocabulary.update(tokens(normalize(name)))
        vocabulary.update(self.stopwords | EXTRA_VOCABULARY)
        self.postings = analysis.postings
        n = max(self.size, 1)
        self.idf = {term: self._idf(len(ids)) for term, (ids, _) in self.postings.items()}
        self.unknown_idf = self._idf(0)
        self.vocabulary = frozenset(vocabulary)
        by_length: dict[int, list[str]] = {}
        for word, _count in vocabulary.most_common():
            if word.isalpha() and not has_han(word):
                by_length.setdefault(len(word), []).append(word)
        self._vocabulary_by_length = by_length
        self.dates = np.array([s.date.toordinal() for s in statements], dtype=np.int32)
        speaker_ids = sorted(kb.speakers)
        self._speaker_code = {speaker_id: code for code, speaker_id in enumerate(speaker_ids)}
        self.speaker_codes = np.array(
            [self._speaker_code[s.speaker] for s in statements], dtype=np.int32
        )
        self.relayer_codes = np.array(
            [self._speaker_code[s.relayed_by] if s.relayed_by else -1 for s in statements],
            dtype=np.int32,
        )
        self._mentions = {k: np.array(v, dtype=np.int64) for k, v in mentions.items()}
        self._country_of = {
            speaker.id: " ".join(self.synonyms.apply(_phrase(speaker.country))[0])
            for speaker in kb.speakers.values()
            if speaker.country
        }
        self._alias_targets = {" ".join(_phrase(key)) for key in kb.aliases}
        self._han_vocabulary = "\n".join(
            [*names, *(v for vs in kb.aliases.values() for v in vs)]
            + [s.text for s in statements if contains_han(s.text)]
        )
        counts = Counter(t for s in statements for t in s.topics)
        self._popular = tuple(kb.topics[t].name for t, _ in counts.most_common(3) if t in kb.topics)
        self._corrections: dict[str, str | None] = {}
        self._by_topic: dict[str, list[Statement]] | None = None
        self._by_speaker: dict[str, list[Statement]] | None = None
        self._examples: list[str] | None = None
        self._light_terms = frozenset(stem(word) for word in LIGHT_WORDS) - {
            term for term in self.postings if term.startswith(TOPIC_PREFIX)
        }
        self._n = n

    def _analyse(self, statements: Sequence[Statement]) -> Analysis:
        """The expensive part of indexing: every string tokenised and analysed exactly once."""
        kb = self.kb
        postings: dict[str, dict[int, float]] = {}
        vocabulary: Counter[str] = Counter()
        mentions: dict[str, list[int]] = {}
        all_text_terms: list[tuple[str, ...]] = []
        all_question_terms: list[list[tuple[str, ...]]] = []
        topic_terms = {
            topic.id: self.analyze(_phrase(topic.name), keep_topic_words=True)
            for topic in kb.topics.values()
        }

        def index_terms(index: int, terms: Iterable[str], weight: float) -> None:
            for term in terms:
                slot = postings.setdefault(term, {})
                if slot.get(index, 0.0) < weight:
                    slot[index] = weight

        for index, statement in enumerate(statements):
            text_raw = tokens(normalize(statement.text))
            question_raw = [tokens(normalize(q)) for q in statement.questions]
            context_raw = tokens(normalize(statement.context)) if statement.context else []
            text_terms = self.analyze(text_raw, keep_topic_words=True)
            question_terms = [self.analyze(raw, keep_topic_words=True) for raw in question_raw]
            vocabulary.update(text_raw)
            vocabulary.update(context_raw)
            for raw in question_raw:
                vocabulary.update(raw)
            index_terms(index, text_terms, FIELD_WEIGHTS["text"])
            for terms in question_terms:
                index_terms(index, terms, FIELD_WEIGHTS["questions"])
            index_terms(
                index, self.analyze(context_raw, keep_topic_words=True), FIELD_WEIGHTS["context"]
            )
            for topic_id in statement.topics:
                index_terms(index, topic_terms.get(topic_id, ()), FIELD_WEIGHTS["topics"])
            named: set[str] = set()
            for raw in (text_raw, context_raw, *question_raw):
                named.update(p[0] for p in self.speakers.apply(raw)[1])
            for speaker_id in named - {statement.speaker, statement.relayed_by}:
                mentions.setdefault(speaker_id, []).append(index)
            all_text_terms.append(tuple(dict.fromkeys(text_terms)))
            all_question_terms.append([tuple(dict.fromkeys(terms)) for terms in question_terms])
        return Analysis(
            postings={
                term: (
                    np.fromiter(docs.keys(), dtype=np.int32, count=len(docs)),
                    np.fromiter(docs.values(), dtype=np.float32, count=len(docs)),
                )
                for term, docs in postings.items()
            },
            vocabulary=vocabulary,
            text_terms=all_text_terms,
            question_terms=all_question_terms,
            mentions=mentions,
        )

    def _weight(self, term: str) -> float:
        """Rarity of a term; an unknown word counts as a rare one, an unknown named place or
        leader as more than any known word, so a question about it is declined. Common words
        count lightly even when rare in a small knowledge base ("handling", "trying")."""
        known = self.idf.get(term)
        if term in self._light_terms:
            return min(known if known is not None else self.unknown_idf, LIGHT_WEIGHT)
        if known is not None:
            return known
        if term in GAZETTEER:
            return self.unknown_idf * UNKNOWN_ENTITY_FACTOR
        return self.unknown_idf * UNKNOWN_WORD_FACTOR

    def _idf(self, df: int) -> float:
        """BM25's smoothed idf: positive even for a term in every statement, highest when unseen."""
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def analyze(
        self,
        words: Sequence[str],
        *,
        topics_found: list[str] | None = None,
        keep_topic_words: bool = False,
    ) -> list[str]:
        """Words → terms: synonyms, topic phrases, stopwords, stems. Shared by both sides.

        A question's topic phrase is replaced by the topic (its words were a name, not content);
        a statement keeps the words as well, so a question using only some of them still matches.
        """
        words = [
            w
            for i, w in enumerate(words)
            if not (w == "us" and i > 0 and words[i - 1] in PRONOUN_VERBS)
        ]
        words, _ = self.synonyms.apply(words)
        replaced, found = self.topics.apply(words)
        if topics_found is not None:
            topics_found.extend(phrase[0] for phrase in found)
        words = [*words, *(p[0] for p in found)] if keep_topic_words else replaced
        terms = []
        stopwords = self.stopwords
        for word in words:
            if word.startswith(TOPIC_PREFIX):
                terms.append(word)
            elif (
                len(word) > 1
                and word not in stopwords
                and (word.isascii() or not has_han(word))
                and not word.isdigit()
            ):
                terms.append(stem(word))
        return terms

    # ---------------------------------------------------------------- query side

    def correct(self, word: str) -> str | None:
        """The knowledge base's own word nearest a misspelling, or None when nothing is close."""
        if word in self._corrections:
            return self._corrections[word]
        found = self._correct(word)
        if len(self._corrections) < MAX_REMEMBERED_CORRECTIONS:
            self._corrections[word] = found
        return found

    def _correct(self, word: str) -> str | None:
        if word in self.vocabulary or not word.isalpha() or has_han(word) or not word.isascii():
            return None
        if word.endswith("s") and word[:-1] in self.vocabulary:
            return word[:-1]  # a possessive typed without its apostrophe: "chinas", "xis"
        length = len(word)
        if length <= 3:
            for candidate in self._vocabulary_by_length.get(length, ()):
                if sorted(candidate) == sorted(word) and OSA.distance(word, candidate) == 1:
                    return candidate
            return None
        max_distance = 1 if length <= 5 else 2
        best: tuple[int, float, str] | None = None
        for size in range(length - max_distance, length + max_distance + 1):
            choices = self._vocabulary_by_length.get(size)
            if not choices:
                continue
            found = process.extractOne(
                word, choices, scorer=OSA.distance, score_cutoff=max_distance
            )
            if found is None:
                continue
            # equal edit distance: prefer the closer spelling ("redy" → "ready", not "red")
            key = (int(found[1]), -fuzz.ratio(word, found[0]), found[0])
            if best is None or key < best:
                best = key
        if best is None:
            return None
        distance, _similarity, candidate = best
        if distance == 2 and candidate[0] != word[0]:
            return None  # two edits and a different first letter is another word, not a typo
        if candidate in self.stopwords and sorted(candidate) != sorted(word):
            return None  # "care" is not a typo of "are"; only swapped letters ("waht") are
        return candidate

    def search(self, question: str, *, limit: int | None = None) -> Answer:
        limit = limit or self.config.max_results
        notice = None
        if len(question) > self.config.max_question_chars:
            question = question[: self.config.max_question_chars]
            notice = (
                f"Your question was long, so only its first "
                f"{self.config.max_question_chars} characters were read."
            )
        parsed = parse_question(question)
        if parsed.smalltalk:
            return Answer(question=question, status=Status.SMALLTALK, notice=notice)
        raw = tokens(parsed.text)
        corrections: dict[str, str] = {}
        fixed: list[str] = []
        for word in raw:
            candidate = self.correct(word)
            if candidate is not None:
                corrections[word] = candidate
            fixed.append(candidate or word)
        words, speakers_found = self.speakers.apply(fixed)
        speaker_ids = sorted({phrase[0] for phrase in speakers_found})
        words = [w for w in words if w not in self._speaker_code]
        topics_found: list[str] = []
        terms = list(dict.fromkeys(self.analyze(words, topics_found=topics_found)))
        weights = {term: self._weight(term) for term in terms}
        for name in HAN_NAMES:  # Chinese has no spaces: unknown names are found as substrings
            if name in parsed.text and name not in self._han_vocabulary:
                weights["!" + name] = self.unknown_idf * UNKNOWN_ENTITY_FACTOR
                terms.append("!" + name)
        explanation: dict[str, Any] = {
            "normalised": parsed.text,
            "corrections": corrections,
            "speakers": speaker_ids,
            "topics": [t.removeprefix(TOPIC_PREFIX) for t in topics_found],
            "dates": (
                [
                    parsed.dates.start and parsed.dates.start.isoformat(),
                    parsed.dates.end and parsed.dates.end.isoformat(),
                ]
                if parsed.dates
                else None
            ),
            "latest": parsed.latest,
            "terms": {term: round(weight, 3) for term, weight in weights.items()},
        }
        countries, stranger = self._owners(parsed, speaker_ids)
        if stranger is not None:
            explanation["unknown_owner"] = stranger
            return Answer(
                question=question,
                status=Status.NOT_FOUND,
                notice=f"I have no statements giving {_possessive(stranger.title())} position.",
                suggestions=(),
                explanation=explanation,
            )
        mask = self._mask(speaker_ids, parsed, countries)
        has_filter = bool(speaker_ids) or parsed.dates is not None or parsed.latest
        if not terms:
            if not has_filter:
                return Answer(
                    question=question,
                    status=Status.NOT_FOUND,
                    notice=notice,
                    suggestions=self._popular_topics(),
                    explanation=explanation,
                )
            indices = (
                np.flatnonzero(mask)[:limit]
                if mask is not None
                else np.arange(min(limit, self.size))
            )
            matches = tuple(self._match(int(i), 1.0, {"filter_only": 1.0}) for i in indices)
            if not matches:
                return self._not_found(question, parsed, speaker_ids, [], notice, explanation)
            return Answer(
                question=question,
                status=Status.FOUND,
                matches=matches,
                notice=notice,
                explanation=explanation,
            )
        total = sum(weights.values())
        scores = np.zeros(self.size, dtype=np.float32)
        for term, weight in weights.items():
            posting = self.postings.get(term)
            if posting is not None:
                ids, field_weights = posting
                scores[ids] += weight * field_weights
        if mask is not None:
            scores[~mask] = 0.0
        count = min(CANDIDATES, self.size)
        top = (
            np.argpartition(-scores, count - 1)[:count]
            if count < self.size
            else np.arange(self.size)
        )
        top = top[scores[top] > 0]
        query_terms = frozenset(terms)
        query_string = " ".join(sorted(query_terms))
        ranked: list[_Ranked] = []
        for index in top.tolist():
            coverage = float(scores[index]) / total
            doc = self.docs[index]
            precision = max(
                [self._share(terms_, query_terms, weights) for terms_ in doc.question_terms]
                + [self._share(doc.text_terms, query_terms, weights)]
            )
            similarity = 0.0
            if doc.question_strings:
                best = process.extractOne(
                    query_string, doc.question_strings, scorer=fuzz.token_sort_ratio, processor=None
                )
                similarity = best[1] / 100.0 if best else 0.0
            # how much of the question it covers, scaled by how squarely it is about it
            focus = 0.8 * precision + 0.2 * similarity
            confidence = coverage * (1.0 - FOCUS_SHARE + FOCUS_SHARE * focus)
            if parsed.wants_quote and doc.statement.kind is StatementKind.QUOTE:
                confidence += QUOTE_BOOST
            confidence = min(1.0, confidence)
            signals = {
                "coverage": round(coverage, 4),
                "precision": round(precision, 4),
                "similarity": round(similarity, 4),
                "confidence": round(confidence, 4),
            }
            ranked.append((index, confidence, signals))
        # best first; equal confidence: the more focused statement, then the newer one
        ranked.sort(
            key=lambda row: (-round(row[1], 4), -row[2]["precision"], -int(self.dates[row[0]]))
        )
        accepted = [row for row in ranked if row[1] >= self.config.threshold]
        explanation["candidates"] = [
            {
                "id": self.docs[index].statement.id,
                "accepted": conf >= self.config.threshold,
                "signals": signals,
            }
            for index, conf, signals in ranked[:8]
        ]
        if not accepted:
            return self._not_found(question, parsed, speaker_ids, ranked, notice, explanation)
        if parsed.latest:
            accepted.sort(key=lambda row: (-int(self.dates[row[0]]), -row[1]))
        matches = tuple(
            self._match(index, conf, signals) for index, conf, signals in accepted[:limit]
        )
        return Answer(
            question=question,
            status=Status.FOUND,
            matches=matches,
            notice=notice,
            explanation=explanation,
        )

    @staticmethod
    def _share(
        field_terms: tuple[str, ...], query_terms: frozenset[str], weights: dict[str, float]
    ) -> float:
        """How much of a field is about the question (penalises long texts merely mentioning it):
        the question's weight it holds, over that plus 0.5 for each of its other terms."""
        matched = [weights[t] for t in field_terms if t in query_terms]
        if not matched:
            return 0.0
        held = sum(matched)
        return held / (held + 0.5 * (len(field_terms) - len(matched)))

    def _owners(
        self, parsed: ParsedQuestion, speaker_ids: list[str]
    ) -> tuple[list[str], str | None]:
        """Whose position the question asks for: a speaker's country, or someone we lack.

        "America's policy toward China" must not be answered with China's policy toward America
        just because the words match; "Biden's view" must not be answered with Wang Yi's.
        """
        countries: list[str] = []
        for phrase in parsed.owners:
            words = tokens(normalize(phrase))[-3:]
            if self.speakers.apply(words)[1]:
                continue  # a known speaker: the speaker filter already covers it
            canonical = f" {' '.join(self.synonyms.apply(words)[0])} "
            own = [c for c in set(self._country_of.values()) if f" {c} " in canonical]
            if own:
                countries += own
                continue
            places = [p for p in PLACE_NAMES if f" {p} " in canonical]
            strangers = [w for w in canonical.split() if w in GAZETTEER]
            if places or strangers:
                return [], (places or strangers)[0]
        del speaker_ids
        return countries, None

    def _involving(self, speaker_id: str) -> npt.NDArray[np.bool_]:
        """Statements a speaker made, relayed, or that are about them (named in text/questions)."""
        code = self._speaker_code[speaker_id]
        mask = (self.speaker_codes == code) | (self.relayer_codes == code)
        mentioned = self._mentions.get(speaker_id)
        if mentioned is not None:
            mask[mentioned] = True
        return mask

    def _mask(
        self, speaker_ids: list[str], parsed: ParsedQuestion, countries: list[str]
    ) -> npt.NDArray[np.bool_] | None:
        mask: npt.NDArray[np.bool_] | None = None
        if speaker_ids:
            each = [self._involving(speaker_id) for speaker_id in speaker_ids]
            mask = np.logical_and.reduce(each)
            if not mask.any():  # "Wang Yi or Xi on …": nothing involves both, so either will do
                mask = np.logical_or.reduce(each)
        if countries:
            codes = [self._speaker_code[i] for i, c in self._country_of.items() if c in countries]
            by_country = np.isin(self.speaker_codes, np.array(codes, dtype=np.int32))
            mask = by_country if mask is None else mask & by_country
        if parsed.dates is not None:
            start = parsed.dates.start.toordinal() if parsed.dates.start else -(2**31)
            end = parsed.dates.end.toordinal() if parsed.dates.end else 2**31 - 1
            in_range = (self.dates >= start) & (self.dates <= end)
            mask = in_range if mask is None else mask & in_range
        return mask

    def _match(self, index: int, score: float, signals: dict[str, float]) -> Match:
        return Match(self.kb.attributed(self.docs[index].statement), score, signals)

    def _not_found(
        self,
        question: str,
        parsed: ParsedQuestion,
        speaker_ids: list[str],
        ranked: list[_Ranked],
        notice: str | None,
        explanation: dict[str, Any],
    ) -> Answer:
        suggestions: list[str] = []
        for index, _conf, _signals in ranked[:5]:
            for topic_id in self.docs[index].statement.topics:
                name = self.kb.topics[topic_id].name
                if name not in suggestions:
                    suggestions.append(name)
                break
        if not suggestions:
            topic_names = [topic.name for topic in self.kb.topics.values()]
            for name, _score, _key in process.extract(
                parsed.text, topic_names, scorer=fuzz.WRatio, limit=3, score_cutoff=70
            ):
                suggestions.append(name)
        filters = []
        if speaker_ids:
            filters.append(" or ".join(self.kb.speakers[s].name for s in speaker_ids))
        if parsed.dates is not None:
            filters.append(parsed.dates.label)
        if filters and notice is None:
            notice = "Nothing matched with the filter: " + ", ".join(filters) + "."
        return Answer(
            question=question,
            status=Status.NOT_FOUND,
            notice=notice,
            suggestions=tuple(suggestions[:3]),
            explanation=explanation,
        )

    def _popular_topics(self) -> tuple[str, ...]:
        return self._popular

    # ---------------------------------------------------------------- lookups by name

    def find_topic(self, name: str) -> Topic | None:
        """The topic a user means by ``name`` (any alias, any script, small typos)."""
        return self._find(name, self.topics, self.kb.topics, TOPIC_PREFIX)

    def find_speaker(self, name: str) -> Speaker | None:
        return self._find(name, self.speakers, self.kb.speakers, "")

    def _find(
        self, name: str, table: PhraseTable, items: Mapping[str, _Named], prefix: str
    ) -> _Named | None:
        words = tokens(normalize(name))
        _, found = table.apply(words)
        if found:
            return items.get(found[0][0].removeprefix(prefix))
        choices = {n: item for item in items.values() for n in item.names}
        best = process.extractOne(
            normalize(name), list(choices), scorer=fuzz.WRatio, processor=normalize, score_cutoff=85
        )
        return choices[best[0]] if best else None

    def statements_on(self, topic_id: str) -> list[Statement]:
        """Newest first (the knowledge base is kept sorted that way)."""
        return list(self._listings()[0].get(topic_id, ()))

    def statements_by(self, speaker_id: str) -> list[Statement]:
        """Statements a speaker made or relayed, newest first."""
        return list(self._listings()[1].get(speaker_id, ()))

    def _listings(self) -> tuple[dict[str, list[Statement]], dict[str, list[Statement]]]:
        """Topic and speaker timelines, built on first use: browsing buttons must not scan
        100,000 statements per press."""
        if self._by_topic is None or self._by_speaker is None:
            by_topic: dict[str, list[Statement]] = {}
            by_speaker: dict[str, list[Statement]] = {}
            for statement in self.kb.statements:
                for topic_id in statement.topics:
                    by_topic.setdefault(topic_id, []).append(statement)
                for speaker_id in {statement.speaker, statement.relayed_by} - {None}:
                    by_speaker.setdefault(str(speaker_id), []).append(statement)
            self._by_topic, self._by_speaker = by_topic, by_speaker
        return self._by_topic, self._by_speaker

    def example_questions(self, count: int = 3) -> list[str]:
        """Questions that are sure to be answered: the maintainers' own, from the statements
        with the most topics (computed once; /start asks for them often)."""
        if self._examples is None:
            ranked = sorted(self.kb.statements, key=lambda s: (-len(s.topics), s.id))
            self._examples = [s.questions[0] for s in ranked if s.questions][:EXAMPLE_POOL]
        return self._examples[:count]
