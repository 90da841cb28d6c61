"""Which statements a question may be answered from: speakers, their countries, dates.

A question naming a speaker is answered from what they said, relayed, or what is said about
them; one asking for a country's position ("America's policy…") only from that country's
speakers, and one asking for someone the knowledge base lacks is declined outright.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from bot.knowledge.dates import period_end
from bot.knowledge.models import KnowledgeBase
from bot.normalize import normalize, tokens
from bot.search.analyzer import Analyzer
from bot.search.dates import DateRange
from bot.search.lexicon import GAZETTEER, PLACE_NAMES, zipf
from bot.search.text import stem

Mask = npt.NDArray[np.bool_]
OWNER_WORDS = 3  # the last words of "… America's policy" that can name the owner
MENTIONED_YEARS = 2  # a longer range ("since 2019") is a date filter, never a subject
NAME_ZIPF = 4.5  # a capitalised everyday word ("National Bank") is not taken for a name
MIN_DEMONYM_STEM = 4  # "chin(a)" → "chinese"; shorter names are too easily a prefix
DEMONYM_ENDING = 3  # "korvania" → "korvanian", "dunmere" → "dunmeric", "china" → "chinese"


class Filters:
    def __init__(self, kb: KnowledgeBase, analyzer: Analyzer, mentions: dict[str, list[int]]):
        statements = kb.statements
        self.analyzer = analyzer
        self.dates = np.array([s.date.toordinal() for s in statements], dtype=np.int32)
        # a month- or year-only date is the whole period: "in June 2023" finds "2023-06" and
        # "2023", since either may be it
        self.date_ends = np.array(
            [period_end(s.date).toordinal() for s in statements], dtype=np.int32
        )
        self.code = {speaker_id: code for code, speaker_id in enumerate(sorted(kb.speakers))}
        self.speaker_codes = np.array([self.code[s.speaker] for s in statements], dtype=np.int32)
        self.relayer_codes = np.array(
            [self.code[s.relayed_by] if s.relayed_by else -1 for s in statements],
            dtype=np.int32,
        )
        self.mentions = {k: np.array(v, dtype=np.int64) for k, v in mentions.items()}
        self.country_of = {
            speaker.id: analyzer.canonical(speaker.country)
            for speaker in kb.speakers.values()
            if speaker.country
        }
        speakers = speaker_words(kb, analyzer)
        self.others = proper_names(kb) - speakers
        self.speaker_stems = frozenset(stem(w) for w in speakers)
        self.size = len(statements)
        self.naming_year = _statements_naming_years(kb)

    def owners(
        self, owner_phrases: tuple[str, ...], described: tuple[str, ...] = ()
    ) -> tuple[list[str], str | None]:
        """Whose position the question asks for: a speaker's country, or someone we lack.

        "America's policy toward China" must not be answered with China's policy toward America
        just because the words match; "Biden's view" must not be answered with Wang Yi's. A word
        describing the position ("the Korvanian position") counts only when it is a country's.
        """
        countries = sorted({c for word in described for c in self.countries_named(word)})
        for owner in owner_phrases:
            words = tokens(normalize(owner))[-OWNER_WORDS:]
            if self.analyzer.speakers.apply(words)[1]:
                continue  # a known speaker: the speaker filter already covers it
            canonical = f" {' '.join(self.analyzer.synonyms.apply(words)[0])} "
            own = [c for c in set(self.country_of.values()) if f" {c} " in canonical]
            own += [c for word in canonical.split() for c in self.countries_named(word)]
            if own:
                countries += own
                continue
            places = [p for p in PLACE_NAMES if f" {p} " in canonical]
            strangers = [w for w in canonical.split() if w in GAZETTEER or w in self.others]
            if places or strangers:
                return [], (places or strangers)[0]
        return countries, None

    def countries_named(self, word: str) -> list[str]:
        """The speakers' countries ``word`` is the adjective of ("korvanian", "osmarran",
        "dunmeric"): the country's name less its last letter, plus at most DEMONYM_ENDING
        letters. Names of several words ("harrowgate vale") and everyday words a maintainer
        put as a body's country ("Union": "unions") have no such adjective here."""
        return [
            country
            for country in set(self.country_of.values())
            if " " not in country
            and len(country) >= MIN_DEMONYM_STEM + 1
            and zipf(country) < NAME_ZIPF  # a name, not "union" or "authority"
            and word != country
            and word.startswith(country[:-1])
            and len(word) - len(country) <= DEMONYM_ENDING
        ]

    def strangeness(self, owner_phrases: tuple[str, ...]) -> float:
        """How much of whom the question asks ("the opposition leader", "the landlords'
        association") names nobody in the knowledge base: the largest share of an owner
        phrase's words that are no speaker's name, alias, title or country."""
        worst = 0.0
        for owner in owner_phrases:
            words = tokens(normalize(owner))[-OWNER_WORDS:]
            if self.analyzer.speakers.apply(words)[1]:
                continue
            canonical = self.analyzer.synonyms.apply(words)[0]  # "examplian" → "examplia"
            content = [w for w in canonical if w not in self.analyzer.stopwords]
            if content:
                strange = [
                    stem(w) not in self.speaker_stems and not self.countries_named(w)
                    for w in content
                ]
                # the last word is who it is ("president"); the others only qualify it
                worst = max(worst, (sum(strange) / len(strange) + strange[-1]) / 2)
        return worst

    def made_by(self, speaker_ids: list[str]) -> Mask:
        """Statements whose words are these speakers' (relayed by someone else or not): what
        "N statements by X" counts everywhere, /speakers and stats included."""
        codes = np.array([self.code[s] for s in speaker_ids], dtype=np.int32)
        mask: Mask = np.isin(self.speaker_codes, codes)
        return mask

    def words_of(self, speaker_ids: list[str]) -> Mask:
        """Statements these speakers made or relayed: what they said, in their words or not."""
        codes = np.array([self.code[s] for s in speaker_ids], dtype=np.int32)
        mask: Mask = np.isin(self.speaker_codes, codes) | np.isin(self.relayer_codes, codes)
        return mask

    def involving(self, speaker_id: str) -> Mask:
        """Statements a speaker made, relayed, or that are about them (named in text/questions)."""
        code = self.code[speaker_id]
        mask: Mask = (self.speaker_codes == code) | (self.relayer_codes == code)
        mentioned = self.mentions.get(speaker_id)
        if mentioned is not None:
            mask[mentioned] = True
        return mask

    def mask(
        self,
        speaker_ids: list[str],
        dates: DateRange | None,
        countries: list[str],
        *,
        mentions: bool = False,
    ) -> Mask | None:
        """The statements the question allows, or None when it does not narrow anything.

        With ``mentions``, a date also lets in statements whose words name its year ("the 2024
        deficit", "zero emission by 2030"): a year in a question is as often the subject as the
        day it was said. The ranker knows which those are (:meth:`dated`)."""
        mask: Mask | None = None
        if speaker_ids:
            each = [self.involving(speaker_id) for speaker_id in speaker_ids]
            mask = np.logical_and.reduce(each)
            if not mask.any():  # "Wang Yi or Xi on …": nothing involves both, so either will do
                mask = np.logical_or.reduce(each)
        if countries:
            codes = [self.code[i] for i, c in self.country_of.items() if c in countries]
            by_country = np.isin(self.speaker_codes, np.array(codes, dtype=np.int32))
            mask = by_country if mask is None else mask & by_country
        if dates is not None:
            in_range = self.dated(dates)
            if mentions:
                in_range = in_range | self.mentioning(dates)
            mask = in_range if mask is None else mask & in_range
        return mask

    def dated(self, dates: DateRange) -> Mask:
        """Statements said within the range (a partial date when its period overlaps it)."""
        start = dates.start.toordinal() if dates.start else -(2**31)
        end = dates.end.toordinal() if dates.end else 2**31 - 1
        in_range: Mask = (self.date_ends >= start) & (self.dates <= end)
        return in_range

    def mentioning(self, dates: DateRange) -> Mask:
        """Statements whose words name a year of a closed range of at most MENTIONED_YEARS."""
        mask: Mask = np.zeros(self.size, dtype=np.bool_)
        if dates.start is None or dates.end is None:
            return mask
        years = range(dates.start.year, dates.end.year + 1)
        if len(years) > MENTIONED_YEARS:
            return mask
        for year in years:
            indices = self.naming_year.get(year)
            if indices is not None:
                mask[indices] = True
        return mask


_YEAR_WORD = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _statements_naming_years(kb: KnowledgeBase) -> dict[int, npt.NDArray[np.int64]]:
    """For each year the statements' words name, which statements name it."""
    naming: dict[int, list[int]] = {}
    for index, statement in enumerate(kb.statements):
        text = f"{statement.text} {statement.context or ''}"
        for year in {int(y) for y in _YEAR_WORD.findall(text)}:
            naming.setdefault(year, []).append(index)
    return {year: np.array(indices, dtype=np.int64) for year, indices in naming.items()}


_NAME = re.compile(r"(?<=[a-z,;:] )([A-Z][a-z]+(?:[- ][A-Z][a-z]+)*)")
"""A capitalised word in the middle of a sentence: a name, in the English the sources use."""


def proper_names(kb: KnowledgeBase) -> frozenset[str]:
    """Names the knowledge base's texts mention (places, bodies, people), lower-cased."""
    texts = [*kb.source_texts.values(), *(s.text for s in kb.statements)]
    texts += [s.context for s in kb.statements if s.context]
    return frozenset(
        word
        for text in texts
        for match in _NAME.findall(text)
        for word in tokens(match.lower())
        if zipf(word) < NAME_ZIPF
    )


def speaker_words(kb: KnowledgeBase, analyzer: Analyzer) -> frozenset[str]:
    """Every word that names a speaker or where they speak from: names, aliases, countries,
    role titles (so "the Commission" is the commissioner's, not a stranger)."""
    words: set[str] = set()
    for speaker in kb.speakers.values():
        for text in (*speaker.names, speaker.country or "", *(r.title for r in speaker.roles)):
            words.update(tokens(normalize(text)))
            words.update(analyzer.canonical(text).split())
    return frozenset(words | analyzer.stopwords)
