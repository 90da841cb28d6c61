"""`policybot draft`: a first draft of a statements file from a news article or transcript.

Typing statements in by hand is where copying errors creep in: a word dropped from a quote, a
reported sentence labelled as a quote, a date taken from the publication rather than the
speech. The draft does the mechanical part and leaves every judgement visible to a human:
each ``text`` is sliced out of the article (never retyped, so it is verbatim by construction),
each guess carries a comment saying where it came from, and the result is printed, never
written into ``knowledge/``.

What counts as "someone said something" is deliberately plain: text inside quotation marks
(``quote``) and sentences with a speech verb and a speaker (``reported``: "X said", "said X",
"according to X", "X added/noted/stressed/pointed out"). A sentence whose speaker cannot be
named is left out rather than guessed: a maintainer can add it, but a wrong attribution is
the one mistake a policy bot must not make.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import yaml

from bot.knowledge.models import ID_PATTERN, MAX_ID_LENGTH
from bot.search.engine import PhraseTable, SearchIndex
from bot.search.query import MONTHS
from bot.search.text import STOPWORDS, has_han, normalize, stem, tokens

YAML_WIDTH = 96
MIN_QUOTE_WORDS = 4  # shorter quoted phrases are names, titles or scare quotes
MAX_TITLE_CHARS = 200
HEADER_CHARS = 500  # where to look for the publication date when there is no dateline
ID_KEYWORDS = 4
PUBLISHER_SLUG_CHARS = 20

OPENING_QUOTES = '"“«「『'
CLOSING_QUOTES = '"”»」』'
MASK = "\x1f"  # stands in for quoted words, so their full stops and verbs are not the article's

WEEKDAYS = {
    name: number
    for number, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z .'’-]*?),\s+" + _MONTH + r"\s+(?P<day>\d{1,2})"
    r"(?:,\s*(?P<year>(?:19|20)\d{2}))?\s*(?:\((?P<agency>[^()\n]{1,40})\)\s*)?(?:--|—|–)\s*",
    re.IGNORECASE,
)
_FULL_DATES = (
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d{{2}})\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>(?:19|20)\d{{2}})\b", re.I),
)
_WEEKDAY_MENTION = re.compile(
    r"\b(?:on|last)\s+(?P<weekday>" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE
)
_MONTH2 = _MONTH.replace("?P<month>", "?P<month2>")
_DAY_MENTION = re.compile(
    rf"\bon\s+(?:{_MONTH}\s+(?P<day>\d{{1,2}})|(?P<day2>\d{{1,2}})\s+{_MONTH2})"
    r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?\b",
    re.IGNORECASE,
)
_TITLE_DATE_PREFIX = re.compile(r"^(?:date:?\s*)?\d{4}-\d{2}-\d{2}\s*", re.IGNORECASE)

_VERBS = (
    r"said|says|added|adds|noted|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|underlined|"
    r"underscored|pointed\s+out|points\s+out|told|tells|stated|remarked|declared|explained|"
    r"insisted|argued|warned|urged|reiterated|affirmed|asserted|acknowledged|replied|wrote|"
    r"commented"
)
_BASE_VERBS = r"say|add|note|stress|emphasi[sz]e|underline|point\s+out|explain|warn|urge|reiterate"
_SPEECH = re.compile(
    rf"\b(?:(?:also|further|then|later|again|has|had)\s+)*(?:{_VERBS})\b"
    rf"|\bwent\s+on\s+to\s+(?:{_BASE_VERBS})\b"
)
_ACCORDING = re.compile(r"\baccording\s+to\s+", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–\"“”«»「」]|\s--?\s")
_CLAUSE_END = re.compile(
    r"[,;:.!?()\[\]—–\"“”«»「」]|\s(?:on|at|in|during|while|when|who|after|before|as|to|from|"
    r"with|for|last|this|yesterday|today|that)\b"
)
_TRAILING_REST = re.compile(r"^(?:\s+(?:on|at|in|during)\b[^,;]*)?\s*[.!?]?[\"”’)]*\s*$")
_SENTENCE_END = re.compile(r"[.!?]+[\"”’)\]]*(\s+)")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen sen rep gov lt col capt st no vs etc jr sr inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec fig approx".split()
)

PRONOUNS = frozenset(["he", "she"])
DETERMINERS = frozenset(["the", "a", "an"])
CONNECTORS = frozenset(["of", "de", "van", "von", "der", "bin", "al", "la", "le", "du", "da", "di"])
TITLE_WORDS = frozenset(
    """minister ministers foreign prime deputy vice president secretary general state chancellor
    envoy ambassador spokesperson spokesman spokeswoman premier chairman chairwoman chair
    director governor mayor senator representative councillor counsellor councilor commissioner
    chief head leader top diplomat special finance defence defense interior trade commerce
    justice health mr mrs ms dr prof professor sir dame lord lady king queen prince princess
    consul official officer adviser advisor attorney member permanent senior former acting
    executive national security affairs cabinet""".split()
)
GENERIC_SUBJECTS = frozenset(
    """officials analysts experts sources reports critics observers residents authorities
    diplomats witnesses people others some many both everyone it this that these those we i
    you they there""".split()
)
SPEECH_WORDS = frozenset(
    "said says added adds noted stressed stresses told tells stated remarked declared explained "
    "went point pointed according".split()
)


# ------------------------------------------------------------------------------ the article


@dataclass(frozen=True, slots=True)
class Dateline:
    """``BEIJING, Dec. 17 (Xinhua) --``: where the body starts, and the day it was filed."""

    paragraph: int
    end: int
    month: int
    day: int
    year: int | None
    agency: str | None


@dataclass
class Person:
    """Someone the article quotes: a known speaker, or a stub for a maintainer to complete."""

    id: str
    name: str
    known: bool
    mentions: list[str] = field(default_factory=list)
    title: str | None = None


@dataclass
class Candidate:
    start: int
    end: int
    kind: str
    speaker: Person
    date: dt.date | None = None
    date_note: str = ""
    notes: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    id: str = ""


@dataclass(frozen=True, slots=True)
class _Quotation:
    start: int  # inner text, quote marks excluded
    end: int
    closed: bool
    direct: bool


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Blank-line paragraphs; a file without blank lines has one paragraph per line."""
    separator = r"\n[ \t]*\n" if re.search(r"\n[ \t]*\n", text) else r"\n"
    spans = []
    position = 0
    for match in [*re.finditer(separator, text), None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            start = position + (len(chunk) - len(chunk.lstrip()))
            spans.append((start, start + len(stripped)))
        if match:
            position = match.end()
    return spans


def find_dateline(text: str, spans: list[tuple[int, int]]) -> Dateline | None:
    for number, (start, end) in enumerate(spans):
        match = _DATELINE.match(text, start, end)
        if match and match.group("place").strip().upper() == match.group("place").strip():
            year = match.group("year")
            return Dateline(
                paragraph=number,
                end=match.end(),
                month=MONTHS[match.group("month").lower()],
                day=int(match.group("day")),
                year=int(year) if year else None,
                agency=(match.group("agency") or "").strip() or None,
            )
    return None


def _full_date(text: str) -> dt.date | None:
    """The first complete date (with a year) in ``text``, whatever its spelling."""
    found: list[tuple[int, dt.date]] = []
    for pattern in _FULL_DATES:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            month = int(groups["m"]) if groups.get("m") else MONTHS[groups["month"].lower()]
            try:
                found.append(
                    (match.start(), dt.date(int(groups["year"]), month, int(groups["day"])))
                )
            except ValueError:
                continue
            break
    return min(found)[1] if found else None


def _on_or_before(reference: dt.date, month: int, day: int) -> dt.date | None:
    """The day/month nearest before ``reference`` (an article never reports the future)."""
    for year in (reference.year, reference.year - 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference:
            return candidate
    return None


def _weekday_before(reference: dt.date, weekday: int) -> dt.date:
    return reference - dt.timedelta(days=(reference.weekday() - weekday) % 7)


def mentioned_date(sentence: str, reference: dt.date | None) -> tuple[dt.date, str] | None:
    """A date the sentence itself gives ("on Tuesday", "on Dec. 15"), resolved backwards."""
    if reference is None:
        return None
    match = _DAY_MENTION.search(sentence)
    if match:
        month_name = match.group("month") or match.group("month2")
        day = int(match.group("day") or match.group("day2"))
        month = MONTHS[month_name.lower()]
        resolved: dt.date | None
        if match.group("year"):
            try:
                resolved = dt.date(int(match.group("year")), month, day)
            except ValueError:
                resolved = None
        else:
            resolved = _on_or_before(reference, month, day)
        if resolved is not None and resolved <= reference:
            return resolved, match.group(0)
    weekday = _WEEKDAY_MENTION.search(sentence)
    if weekday:
        day_number = WEEKDAYS[weekday.group("weekday").lower()]
        return _weekday_before(reference, day_number), weekday.group(0)
    return None


def quotations(text: str, start: int, end: int) -> list[_Quotation]:
    """Quoted passages of one paragraph; one left open runs to the paragraph's end.

    A passage counts as a direct quotation when it reads like speech: at least a few words,
    or a complete sentence, or one continuing into the next paragraph, and not Title Case
    (``the "San Francisco Vision,"`` names something; it quotes no one).
    """
    found: list[_Quotation] = []
    opened: int | None = None
    for position in range(start, end):
        char = text[position]
        if opened is None and char in OPENING_QUOTES:
            opened = position + 1
        elif opened is not None and char in CLOSING_QUOTES:
            found.append(_quotation(text, opened, position, closed=True))
            opened = None
    if opened is not None:
        found.append(_quotation(text, opened, end, closed=False))
    return found


def _quotation(text: str, start: int, end: int, *, closed: bool) -> _Quotation:
    inner = text[start:end]
    words = tokens(normalize(inner))
    long_words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", inner) if len(w) >= 4]
    title_case = bool(long_words) and all(w[0].isupper() for w in long_words)
    speech_like = len(words) >= MIN_QUOTE_WORDS or inner.rstrip()[-1:] in ".!?" or not closed
    return _Quotation(start, end, closed, direct=bool(words) and speech_like and not title_case)


def quote_text_span(text: str, quotation: _Quotation) -> tuple[int, int]:
    """The quoted words without surrounding spaces or the comma that hands over to "he said"."""
    start, end = quotation.start, quotation.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


def masked(text: str, spans: Iterable[_Quotation]) -> str:
    """``text`` with quoted words blanked out (positions kept), so that the sentence splitter
    does not split inside a quotation and "said" inside one is not an attribution."""
    chars = list(text)
    for quotation in spans:
        if not quotation.direct:
            continue
        end = quotation.end
        while end > quotation.start and chars[end - 1] in ".!?":
            end -= 1  # keep the final full stop: it still ends the article's sentence
        for position in range(quotation.start, end):
            if not chars[position].isspace():
                chars[position] = MASK
    return "".join(chars)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``, not fooled by "U.S.", "Dec. 17" or "Mr. Wang"."""
    spans = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        following = text[match.end() : match.end() + 1]
        if not following or not (
            following.isupper() or following.isdigit() or following in '"“‘(['
        ):
            continue
        before = text[position : match.start()].split()
        word = before[-1].lstrip('"“‘([') if before else ""
        if text[match.start()] == "." and _is_abbreviation(word):
            continue
        spans.append((position, match.start(1)))
        position = match.end()
    if position < end and text[position:end].strip():
        spans.append((position, end))
    return spans


def _is_abbreviation(word: str) -> bool:
    return (
        word.lower() in _ABBREVIATIONS
        or len(word) == 1
        or bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))
    )


# ------------------------------------------------------------------------------ speakers


class Cast:
    """Who is who in one article: known speakers by alias, everyone else as a stub.

    Pronouns and a bare surname mean the last person named as a speaker, which is how news
    copy is written ("…, said Foreign Minister Wang Yi. … he added.").
    """

    def __init__(self, index: SearchIndex | None, *, not_speakers: Iterable[str] = ()) -> None:
        self.index = index
        self.people: dict[str, Person] = {}
        self.last: Person | None = None
        self.taken = set(index.kb.speakers) if index else set()
        # "according to Xinhua": the publisher reports, it is not the speaker
        self.not_speakers = {" ".join(tokens(normalize(name))) for name in not_speakers}

    def resolve(self, clause: str, side: str) -> Person | None:
        """The person a clause next to a speech verb names (``side``: the verb is "before" or
        "after" it), or None when it names no one the draft should attribute words to."""
        clause = clause.strip().strip("\"“”'’")
        words = clause.split()
        if not words:
            return None
        if len(words) == 1 and words[0].casefold() in PRONOUNS:
            return self.last
        known = self._known(clause)
        if known is not None:
            return self._remember(known, clause)
        run = _name_run(words, side)
        if not run:
            bare = [w.casefold().strip(".") for w in words]
            if any(w in TITLE_WORDS for w in bare) and all(
                w in TITLE_WORDS | DETERMINERS for w in bare
            ):
                return self.last  # "the minister said"
            return None
        phrase = " ".join(run)
        if " ".join(tokens(normalize(phrase))) in self.not_speakers:
            return None
        known = self._known(phrase)
        if known is not None:
            return self._remember(known, phrase)
        title, name = _split_title(run)
        if not name:
            return self.last
        if len(name) == 1 and name[0].casefold() in GENERIC_SUBJECTS:
            return None
        if len(name) == 1:
            surname = name[0].casefold()
            candidates = [self.last] if self.last else []
            candidates += reversed(list(self.people.values()))
            for person in candidates:
                if person is not None and surname in person.name.casefold().split():
                    return self._remember(person, phrase)
        return self._remember(self._stub(" ".join(name), title), phrase)

    def _known(self, phrase: str) -> Person | None:
        """A known speaker, only if the phrase is entirely their alias plus titles: "Wang Wei"
        contains the alias "Wang" but is somebody else."""
        if self.index is None:
            return None
        words = tokens(normalize(phrase))
        out, found = self.index.speakers.apply(words)
        ids = {replacement[0] for replacement in found}
        if len(ids) != 1:
            return None
        leftover = list(out)
        for replacement in found:
            leftover.remove(replacement[0])
        if any(w not in TITLE_WORDS | DETERMINERS | CONNECTORS | {"s"} for w in leftover):
            return None
        speaker_id = ids.pop()
        person = self.people.get(speaker_id)
        if person is None:
            speaker = self.index.kb.speakers[speaker_id]
            person = Person(speaker_id, speaker.name, known=True)
            self.people[speaker_id] = person
        return person

    def _stub(self, name: str, title: str | None) -> Person:
        for person in self.people.values():
            if not person.known and person.name.casefold() == name.casefold():
                return person
        base = slug(name) or "speaker"
        speaker_id = base
        number = 2
        while speaker_id in self.taken or not re.match(ID_PATTERN, speaker_id):
            speaker_id = f"{base[: MAX_ID_LENGTH - 4]}-{number}"
            number += 1
        self.taken.add(speaker_id)
        person = Person(speaker_id, name, known=False, title=title)
        self.people[speaker_id] = person
        return person

    def _remember(self, person: Person, phrase: str) -> Person:
        if phrase not in person.mentions:
            person.mentions.append(phrase)
        self.last = person
        return person

    def stubs(self, used: set[str]) -> list[Person]:
        return [p for p in self.people.values() if not p.known and p.id in used]

    def clashes(self, alias: str) -> bool:
        """Whether an alias would read as a name the knowledge base already has."""
        return self._known(alias) is not None


def _name_run(words: list[str], side: str) -> list[str]:
    """The capitalised words next to the verb: "Examplia's envoy Bram Ledger" → Bram Ledger."""

    def named(word: str) -> bool:
        return word[:1].isupper() or has_han(word[:1])

    run: list[str] = []
    sequence = words if side == "after" else list(reversed(words))
    if side == "after":
        while sequence and sequence[0].casefold() in DETERMINERS:
            sequence = sequence[1:]
    for word in sequence:
        if named(word) or (run and word.casefold() in CONNECTORS):
            run.append(word)
        else:
            break
    if side != "after":
        run.reverse()
    while run and (run[0].casefold() in CONNECTORS | DETERMINERS):
        run = run[1:]
    while run and run[-1].casefold() in CONNECTORS:
        run = run[:-1]
    return run


def _split_title(run: list[str]) -> tuple[str | None, list[str]]:
    """ "Finance Secretary Odo Brightwater" → ("Finance Secretary", ["Odo", "Brightwater"])."""
    title: list[str] = []
    index = 0
    while index < len(run):
        word = run[index].casefold().strip(".")
        if word in TITLE_WORDS:
            title.append(run[index])
            index += 1
        elif word in CONNECTORS and title and index + 1 < len(run):
            title += run[index : index + 2]  # "Minister of Canals"
            index += 2
        else:
            break
    return (" ".join(title) or None), run[index:]


@dataclass(frozen=True, slots=True)
class Attribution:
    person: Person
    trailing: bool  # the attribution closes the sentence: "…, he added."


def attribution(sentence: str, cast: Cast) -> Attribution | None:
    """Who the sentence says is speaking, from its first speech verb that names someone."""
    matches: list[tuple[int, str, int, int]] = []
    for match in _SPEECH.finditer(sentence):
        matches.append((match.start(), "verb", match.start(), match.end()))
    for match in _ACCORDING.finditer(sentence):
        matches.append((match.start(), "according", match.start(), match.end()))
    for _position, how, start, end in sorted(matches):
        before = sentence[:start]
        clauses = _CLAUSE_BREAK.split(before)
        after = sentence[end:]
        cut = _CLAUSE_END.search(after)
        named = after[: cut.start()] if cut else after
        rest = after[cut.start() :] if cut else ""
        person: Person | None = None
        if how == "according":
            person = cast.resolve(named, "after")
            trailing = bool(_TRAILING_REST.match(rest))
        elif clauses[-1].strip():
            person = cast.resolve(clauses[-1], "before")
            trailing = bool(_TRAILING_REST.match(after))
        else:
            person = cast.resolve(named, "after")  # "…, said Wang."
            trailing = bool(_TRAILING_REST.match(rest))
            for clause in reversed(clauses[-3:-1]):  # "Wang Yi, China's top diplomat, said"
                if person is not None:
                    break
                person = cast.resolve(clause, "before")
                trailing = False
        if person is not None:
            return Attribution(person, trailing)
    return None


# ------------------------------------------------------------------------------ drafting


@dataclass
class _Sentence:
    start: int
    end: int
    quotes: list[_Quotation]
    said: Attribution | None = None


def draft_statements(
    text: str,
    index: SearchIndex | None,
    *,
    source_id: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
    published: dt.date | None = None,
    title: str | None = None,
    article: str = "the article",
) -> str:
    """A draft statements file (YAML text) for ``text``; ``index`` (the knowledge base's search
    index, or None) supplies known speakers, topics and the ids already taken."""
    spans = paragraphs(text)
    dateline = find_dateline(text, spans)
    notes: dict[str, str] = {}
    if published is None:
        header = text[: spans[dateline.paragraph][0]] if dateline else text[:HEADER_CHARS]
        published = _full_date(header) or _full_date(text)
        notes["published"] = "found in the article; check" if published else "FILL IN"
    filed = _filing_date(dateline, published)
    if title is None:
        title = _title(text, spans, dateline)
        notes["title"] = "the article's first line; check" if title else "FILL IN"
    if publisher is None and dateline is not None and dateline.agency:
        publisher = dateline.agency
        notes["publisher"] = "from the dateline; check"
    if source_id is None:
        source_id = _source_id(publisher, published, title)
        notes["id"] = "check: it also names this file and the stored text"
    source: dict[str, object] = {
        "id": source_id,
        "title": title,
        "publisher": publisher,
        "url": url,
        "published": published,
        "language": "zh" if _mostly_han(text) else "en",
    }

    if dateline is not None:
        body = spans[dateline.paragraph :]
        body[0] = (dateline.end, body[0][1])
    else:
        body = spans[1:] if title is not None and len(spans) > 1 else spans
    cast = Cast(index, not_speakers=[n for n in (publisher, dateline and dateline.agency) if n])
    reference = filed or published
    candidates = _Drafter(text, cast, reference).run(body)
    fallback = _fallback_date(text, body, filed, published, reference)
    topics = _topic_table(index)
    taken = set(index.kb.by_id) if index else set()
    for candidate in candidates:
        if candidate.date is None and fallback is not None:
            candidate.date, candidate.date_note = fallback
        candidate.topics = _topics(topics, text[candidate.start : candidate.end])
        candidate.id = _statement_id(candidate, text, taken)
        taken.add(candidate.id)
    stubs = cast.stubs({c.speaker.id for c in candidates})
    known_source = index is not None and source_id in index.kb.sources
    return _render(text, article, source, notes, stubs, candidates, cast, known_source)


def _fallback_date(
    text: str,
    body: list[tuple[int, int]],
    filed: dt.date | None,
    published: dt.date | None,
    reference: dt.date | None,
) -> tuple[dt.date, str] | None:
    """The date of a statement whose sentence gives none: the day the opening paragraph names
    ("said … on Tuesday", the event the article is about), else the dateline, else publication."""
    lead = mentioned_date(text[body[0][0] : body[0][1]], reference) if body else None
    if lead is not None:
        return lead[0], f'"{lead[1]}" in the opening paragraph'
    if filed is not None:
        return filed, "the dateline"
    if published is not None:
        return published, "publication date; check"
    return None


def _filing_date(dateline: Dateline | None, published: dt.date | None) -> dt.date | None:
    """The dateline's day; its year from the dateline, else the latest one not after publication."""
    if dateline is None:
        return None
    if dateline.year is not None:
        try:
            return dt.date(dateline.year, dateline.month, dateline.day)
        except ValueError:
            return None
    if published is None:
        return None
    return _on_or_before(published, dateline.month, dateline.day)


def _title(text: str, spans: list[tuple[int, int]], dateline: Dateline | None) -> str | None:
    if not spans or (dateline is not None and dateline.paragraph == 0):
        return None
    first = text[spans[0][0] : spans[0][1]].splitlines()[0].strip()
    first = _TITLE_DATE_PREFIX.sub("", first).strip()
    return first[:MAX_TITLE_CHARS] or None


def _source_id(publisher: str | None, published: dt.date | None, title: str | None) -> str:
    publisher_slug = slug(publisher or "")[:PUBLISHER_SLUG_CHARS].strip("-") or "source"
    head = f"{publisher_slug}-{published.isoformat() if published else 'undated'}"
    words = [w for w in slug(title or "").split("-") if w and w not in STOPWORDS]
    for word in words[:ID_KEYWORDS]:
        if len(head) + 1 + len(word) > MAX_ID_LENGTH:
            break
        head += "-" + word
    return head


def _mostly_han(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(has_han(c) for c in letters) > len(letters) / 2


_LABEL = re.compile(r"(?P<label>[^\W\d_][\w.'’ -]{0,58}?)\s*[:：]\s+")
NOT_SPEAKERS = frozenset(
    """q question questions reporter journalist moderator host interviewer anchor audience note
    editor photo source update updated correction date time place location by author tags
    keywords title subject summary published""".split()
)
MIN_TRANSCRIPT_SPEAKERS = 2  # labelled turns by someone, before the text counts as a transcript


class _Drafter:
    """One pass over the article's body, in order, so "he" and "Wang" mean who they should."""

    def __init__(self, text: str, cast: Cast, reference: dt.date | None) -> None:
        self.text = text
        self.cast = cast
        self.reference = reference
        self.found: list[Candidate] = []
        self.continuing: Person | None = None  # whose quotation the last paragraph left open

    def run(self, body: list[tuple[int, int]]) -> list[Candidate]:
        quotes = {span: [q for q in quotations(self.text, *span) if q.direct] for span in body}
        self.hidden = masked(self.text, (q for qs in quotes.values() for q in qs))
        labels = {span: self._label(*span) for span in body}
        speaking = [label for label in labels.values() if label and not _not_a_speaker(label[1])]
        transcript = len(speaking) >= MIN_TRANSCRIPT_SPEAKERS
        turn: Person | None = None
        in_turns = False
        for span in body:
            label = labels[span] if transcript else None
            if label is not None:
                in_turns = True
                words_at, name = label
                turn = None if _not_a_speaker(name) else self.cast.resolve(name, "after")
                if turn is not None:
                    self._quote(words_at, span[1], turn, f"transcript: {name}")
            elif in_turns:
                if turn is not None:
                    self._quote(span[0], span[1], turn, "transcript: continues the last turn")
            else:
                self._paragraph(*span, quotes[span])
        self.found.sort(key=lambda c: c.start)
        return self.found

    def _label(self, start: int, end: int) -> tuple[int, str] | None:
        """``Spokesperson Mao Ning: …`` at the start of a paragraph (a transcript's turn)."""
        match = _LABEL.match(self.text, start, end)
        if not match:
            return None
        name = match.group("label").strip()
        words = name.split()
        if len(words) > 6 or not all(
            w[:1].isupper() or w.casefold() in CONNECTORS | DETERMINERS for w in words
        ):
            return None
        return match.end(), name

    def _quote(self, start: int, end: int, speaker: Person, note: str) -> None:
        start, end = _trim(self.text, start, end)
        if start < end:
            candidate = Candidate(start, end, "quote", speaker, notes=[note])
            _set_date(candidate, mentioned_date(self.text[start:end], self.reference))
            self.found.append(candidate)

    def _paragraph(self, start: int, end: int, quotes: list[_Quotation]) -> None:
        hidden = self.hidden
        parts = [
            _Sentence(s, e, [q for q in quotes if s <= q.start < e])
            for s, e in sentences(hidden, start, end)
        ]
        for part in parts:
            part.said = attribution(hidden[part.start : part.end], self.cast)
        named_here = next((p.said.person for p in parts if p.said), None)
        continues = self.continuing if self.text[start : start + 1] in OPENING_QUOTES else None
        for number, part in enumerate(parts):
            outside = _outside_quotes(hidden[part.start : part.end])
            own_date = mentioned_date(outside, self.reference)
            if part.quotes:
                speaker, how = self._quote_speaker(part, number, continues, named_here)
                if speaker is None:
                    continue
                for quote in part.quotes:
                    q_start, q_end = quote_text_span(self.text, quote)
                    if q_start < q_end:
                        candidate = Candidate(q_start, q_end, "quote", speaker, notes=how)
                        _set_date(candidate, own_date)
                        self.found.append(candidate)
            elif part.said is not None:
                s_start, s_end = _trim(self.text, part.start, part.end)
                candidate = Candidate(s_start, s_end, "reported", part.said.person)
                _set_date(candidate, own_date)
                self.found.append(candidate)
        self.found += _covered_by_closing_attribution(self.text, parts, self.reference)
        self.continuing = None
        if quotes and not quotes[-1].closed:
            holder = next((p for p in parts if quotes[-1] in p.quotes), None)
            self.continuing = (
                (holder.said.person if holder and holder.said else None)
                or named_here
                or continues
                or self.cast.last
            )

    def _quote_speaker(
        self, part: _Sentence, number: int, continues: Person | None, named_here: Person | None
    ) -> tuple[Person | None, list[str]]:
        if part.said is not None:
            return part.said.person, []
        if continues is not None and number == 0:
            return continues, ["continues the quotation from the last paragraph"]
        if named_here is not None:
            return named_here, ["speaker named elsewhere in the paragraph"]
        if self.cast.last is not None:
            return self.cast.last, ["speaker taken from an earlier paragraph; check"]
        return None, []


def _not_a_speaker(label: str) -> bool:
    return " ".join(tokens(normalize(label))) in NOT_SPEAKERS or len(label.strip(".")) < 2


def _covered_by_closing_attribution(
    text: str, parts: list[_Sentence], reference: dt.date | None
) -> list[Candidate]:
    """News copy often attributes a whole paragraph once, at its end ("…, he added."): the
    unattributed sentences before such a closing attribution are that speaker's too."""
    if len(parts) < 2:
        return []
    closing = parts[-1].said
    if closing is None or not closing.trailing or parts[-1].quotes:
        return []
    covered = []
    for part in parts[:-1]:
        if part.said is None and not part.quotes:
            s_start, s_end = _trim(text, part.start, part.end)
            candidate = Candidate(
                s_start,
                s_end,
                "reported",
                closing.person,
                notes=["attributed by the paragraph's last sentence; check"],
            )
            _set_date(candidate, mentioned_date(text[s_start:s_end], reference))
            covered.append(candidate)
    return covered


def _set_date(candidate: Candidate, found: tuple[dt.date, str] | None) -> None:
    if found is not None:
        candidate.date, candidate.date_note = found[0], f'"{found[1]}"'


def _outside_quotes(sentence: str) -> str:
    return sentence.replace(MASK, " ")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _topic_table(index: SearchIndex | None) -> PhraseTable | None:
    """Topic names and aliases by word stem, so "canal" finds the topic aliased "canals"."""
    if index is None:
        return None
    return PhraseTable(
        (tuple(stem(word) for word in tokens(normalize(name))), (topic.id,))
        for topic in index.kb.topics.values()
        for name in topic.names
    )


def _topics(table: PhraseTable | None, text: str) -> list[str]:
    if table is None:
        return []
    _, found = table.apply([stem(word) for word in tokens(normalize(text))])
    topics: list[str] = []
    for (topic,) in found:
        if topic not in topics:
            topics.append(topic)
    return topics


def slug(text: str) -> str:
    words = [w for w in tokens(normalize(text)) if w.isascii()]
    return "-".join(words)[:MAX_ID_LENGTH].strip("-")


def _statement_id(candidate: Candidate, text: str, taken: set[str]) -> str:
    """``<speaker>-<a few content words>``, unique in the draft and the knowledge base."""
    name_words = set(tokens(normalize(candidate.speaker.name)))
    for mention in candidate.speaker.mentions:
        name_words |= set(tokens(normalize(mention)))
    words: list[str] = []
    for word in tokens(normalize(text[candidate.start : candidate.end])):
        if (
            word.isascii()
            and not word.isdigit()
            and word not in STOPWORDS
            and word not in name_words
            and word not in SPEECH_WORDS
            and word not in words
        ):
            words.append(word)
    base = candidate.speaker.id
    for word in words[:ID_KEYWORDS]:
        if len(base) + 1 + len(word) > MAX_ID_LENGTH - 3:  # room for "-99"
            break
        base += "-" + word
    statement_id = base
    number = 2
    while statement_id in taken:
        statement_id = f"{base}-{number}"
        number += 1
    return statement_id


# ------------------------------------------------------------------------------ YAML out

HEADER = """\
# DRAFT statements file, generated by `policybot draft` from {article}.
# Nothing was written into knowledge/: a human must check every line before it is used.
#
#   1. Save the article unchanged as knowledge/sources/<id>.txt, <id> being `source.id`
#      below. Every `text` is cut from the article character for character, and
#      `policybot validate` checks that against the stored copy.
#   2. Check each statement: delete what is not worth keeping; trim `text` to the words that
#      matter (it must stay an exact substring of the article); check `kind` (quote: the
#      speaker's own words, in quotation marks; reported: the article's account), `speaker`
#      (add `relayed_by` when someone passes on another's words), `date` and `topics`; and
#      write the `questions` people would ask. Comments say where each guess came from.
#   3. `speakers:`, if present, lists people the knowledge base does not know yet, as stubs.
#      Complete them and move the items into speakers.yaml, under its `speakers:` (or leave
#      them here: any knowledge file may define speakers).
#   4. Save this as knowledge/statements/<id>.yaml; run `policybot validate`, `policybot lint`.
"""


def _scalar(value: object) -> str:
    """A YAML scalar that reads back as exactly ``value``: plain when safe, else quoted."""
    if value is None:
        return "null"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if "\n" not in text and text == text.strip() and text:
        try:
            if yaml.safe_load(f"k: {text}") == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _block(key: str, text: str, indent: int) -> list[str]:
    """``key: >-`` with the text folded at spaces, when that reads back exactly."""
    pad = " " * indent
    inner = pad + "  "
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if current and len(inner) + len(current) + 1 + len(word) > YAML_WIDTH:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    folded = [f"{pad}{key}: >-", *(inner + line for line in lines)]
    try:
        ok = yaml.safe_load("\n".join(folded) + "\n") == {key: text}
    except yaml.YAMLError:
        ok = False
    if ok and all(lines):
        return folded
    return [f"{pad}{key}: {json.dumps(text, ensure_ascii=False)}"]


def _with_note(line: str, note: str | None) -> list[str]:
    """``line`` with a trailing comment, or the comment above it when the line is long."""
    if not note:
        return [line]
    note = " ".join(note.split())
    if len(line) + len(note) + 4 <= YAML_WIDTH:
        return [f"{line}  # {note}"]
    indent = line[: len(line) - len(line.lstrip(" -"))].replace("-", " ")
    return [f"{indent}# {note}", line]


def _flow_list(key: str, items: list[str], indent: int) -> list[str]:
    """``key: [a, b, …]`` wrapped like the hand-written files (ids never need quoting)."""
    first = " " * indent + f"{key}: ["
    lines = [first]
    for number, item in enumerate(items):
        piece = item + (", " if number < len(items) - 1 else "]")
        if len(lines[-1]) + len(piece.rstrip()) > YAML_WIDTH and lines[-1] != first:
            lines[-1] = lines[-1].rstrip()
            lines.append(" " * len(first))
        lines[-1] += piece
    if not items:
        lines[-1] += "]"
    return lines


def _render(
    text: str,
    article: str,
    source: dict[str, object],
    notes: dict[str, str],
    stubs: list[Person],
    candidates: list[Candidate],
    cast: Cast,
    source_exists: bool,
) -> str:
    out = HEADER.format(article=article, source_id=source["id"]).splitlines()
    if source_exists:
        out.append(f"# NOTE: the knowledge base already has a source {source['id']!r}.")
    if cast.index is None:
        out.append("# NOTE: the knowledge base did not load: every speaker is new, no topics.")
    out.append("source:")
    for key, value in source.items():
        note = notes.get(key)
        if value is None and key != "url":
            note = "FILL IN"
        out += _with_note(f"  {key}: {_scalar(value)}", note)
    if stubs:
        out += ["", "speakers:"]
        taken_aliases: set[str] = set()
        for person in stubs:
            out += _stub_lines(person, cast, taken_aliases)
    out += ["", "statements:" if candidates else "statements: []"]
    for number, candidate in enumerate(candidates):
        if number:
            out.append("")
        for note in candidate.notes:
            out.append(f"  # {' '.join(note.split())}")
        out.append(f"  - id: {candidate.id}")
        speaker_note = None if candidate.speaker.known else "new speaker: see speakers above"
        out += _with_note(f"    speaker: {candidate.speaker.id}", speaker_note)
        out += _with_note(f"    date: {_scalar(candidate.date)}", candidate.date_note or "FILL IN")
        out.append(f"    kind: {candidate.kind}")
        out += _block("text", text[candidate.start : candidate.end], 4)
        topics = _flow_list("topics", candidate.topics, 4)
        if not candidate.topics:
            topics = _with_note(topics[0], "none recognised; add")
        out += topics
        out.append("    questions: []  # add the questions people would ask")
    return "\n".join(out) + "\n"


def _stub_lines(person: Person, cast: Cast, taken: set[str]) -> Iterator[str]:
    """One speaker stub; aliases are the article's ways of naming them, minus any that another
    speaker already answers to (the loader refuses a name shared by two speakers)."""
    yield f"  - id: {person.id}  # new speaker: check the name and id"
    yield f"    name: {_scalar(person.name)}"
    taken.add(" ".join(tokens(normalize(person.name))))
    aliases: list[str] = []
    words = person.name.split()
    for alias in [*person.mentions, *([words[-1]] if len(words) > 1 else [])]:
        key = " ".join(tokens(normalize(alias)))
        if key and key not in taken and not cast.clashes(alias):
            taken.add(key)
            aliases.append(alias)
    if aliases:
        yield "    aliases:"
        for alias in aliases:
            yield f"      - {_scalar(alias)}"
    if person.title:
        yield "    roles:"
        yield from _with_note(
            f"      - title: {_scalar(person.title)}", "as the article words it; add from/until"
        )
