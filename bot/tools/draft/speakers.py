"""Who is speaking: known speakers by alias, new people as stubs, bodies as "unknown".

A phrase next to a speech verb ("Foreign Minister Wang Yi", "he", "the minister", "Wang", "a
spokesman for the ministry", "Halvik") must become one person, the same person each time the
article names them, or nobody the draft could name. The ``Cast`` holds that memory for one
article: the knowledge base's speakers, the stubs it made, the anonymous sources it met, and
the article's ``Mentions`` (every full name, its description and where it stands), so that a
surname, a role or a pronoun means who a reader would take it to mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.knowledge.models import ID_PATTERN, MAX_ID_LENGTH
from bot.normalize import normalize, tokens
from bot.search.engine import SearchIndex
from bot.tools.draft.ids import slug
from bot.tools.draft.mentions import Mentions, Named
from bot.tools.draft.names import classify
from bot.tools.draft.records import UNKNOWN_ID, Person
from bot.tools.draft.vocabulary import DETERMINERS, NAME_PARTICLES, TITLE_WORDS
from bot.tools.draft.words import Phrase, tokenize

LEFT_OUT = frozenset(["generic", "none"])


class Cast:
    """Who is who in one article: known speakers by alias, everyone else as a stub."""

    def __init__(self, index: SearchIndex | None, *, not_speakers: Iterable[str] = ()) -> None:
        self.index = index
        self.people: dict[str, Person] = {}
        self.last: Person | None = None  # who the article last reported speaking
        self.taken = set(index.kb.speakers) if index else set()
        # "according to Xinhua": the publisher reports, it is not the speaker
        self.not_speakers = {" ".join(tokens(normalize(name))) for name in not_speakers}
        self.mentions = Mentions("", [], [])
        self.sources: list[tuple[int, Person, frozenset[str]]] = []  # anonymous, by position

    def resolve(
        self,
        phrase: Phrase,
        at: int,
        paragraph: int = 0,
        voice: Person | None = None,
        *,
        label: bool = False,
    ) -> Person | None:
        """The person a phrase next to a speech verb names, an anonymous Person (id "unknown")
        for a body or an unnamed source, or None when it names no one to attribute words to.
        ``at`` is where the phrase stands, ``paragraph`` where its paragraph starts and
        ``voice`` whose words "I" and "we" are (a speech, a transcript turn). A lone word the
        article never gives a first name or title for ("according to Reuters") is a body,
        unless it is a ``label`` (a transcript's "HADDAD:")."""
        if phrase.kind in LEFT_OUT or self._publisher(phrase.text):
            return None
        known = self._known(phrase.text) if phrase.kind == "person" else None
        if known is not None:
            return self._remember(known, phrase.text)
        if phrase.kind == "person":
            return self._person(phrase, at, label)
        if phrase.kind == "role":
            return self._role(phrase, at)
        if phrase.kind == "pronoun":
            named = self.mentions.subject_before(at, paragraph)
            return self._named(named, "") if named else self.last
        if phrase.kind == "first":
            return voice
        return self._source(phrase, at)

    def _source(self, phrase: Phrase, at: int) -> Person:
        """An unnamed source, remembered so that "the official" can mean it later."""
        source = anonymous(phrase.text)
        self.sources.append((at, source, frozenset(t.lower for t in phrase.tokens)))
        return source

    def resolve_name(self, label: str, at: int = 0) -> Person | None:
        """A transcript label or a speech's author: "SPOKESPERSON LIN", "Varga"."""
        words = [w.capitalize() if w.isupper() and len(w) > 1 else w for w in label.split()]
        phrase = classify(tokenize(" ".join(words)), self.mentions.places)
        return self.resolve(phrase, at, label=True) if phrase.kind == "person" else None

    def _publisher(self, text: str) -> bool:
        key = " ".join(w for w in tokens(normalize(text)) if w not in DETERMINERS)
        return key in self.not_speakers

    def _person(self, phrase: Phrase, at: int, label: bool) -> Person | None:
        name = " ".join(phrase.name)
        mention = f"{phrase.title} {name}" if phrase.title else name
        known = self._known(name)
        if known is not None:
            return self._remember(known, mention)
        if len(phrase.name) == 1:
            earlier = self._by_surname(name.casefold())
            if earlier is not None:
                return self._remember(earlier, mention)
            named = self.mentions.full_name(name, at)
            if named is not None:
                return self._named(named, mention)
            if not label and not phrase.title:
                return self._source(phrase, at)  # news names people in full first
        named = self.mentions.named(name)
        if named is not None:
            return self._remember(self._stub(named.name, phrase.title or named.title), mention)
        return self._remember(self._stub(name, phrase.title), mention)

    def _named(self, named: Named, mention: str) -> Person:
        known = self._known(named.name)
        if known is not None:
            return self._remember(known, mention)
        return self._remember(self._stub(named.name, named.title), mention)

    def _role(self, phrase: Phrase, at: int) -> Person | None:
        """ "the minister": whoever the article last described with those words, else the
        next one it so describes ("its governor said … Governor Teodora Vasic"), else the last
        speaker ("said the diplomat")."""
        best: tuple[int, Person | Named] | None = None
        for start, named in self.mentions.latest(at):
            if phrase.role <= named.words and (best is None or start > best[0]):
                best = (start, named)
        for start, source, words in self.sources:
            if start < at and phrase.role <= words and (best is None or start >= best[0]):
                best = (start, source)
        if best is None and not phrase.qualified and self.last is not None:
            return self.last
        ahead = self.mentions.next_described(phrase.role, at) if best is None else None
        if ahead is not None:
            return self._named(ahead, "")  # "its governor said …": named in what follows
        if best is None:
            return self._source(phrase, at)  # a role of someone the article has not named
        found = best[1]
        return found if isinstance(found, Person) else self._named(found, "")

    def _by_surname(self, surname: str) -> Person | None:
        """The last speaker, else the latest-named person, whose name includes ``surname``."""
        candidates = [self.last] if self.last else []
        candidates += reversed(list(self.people.values()))
        for person in candidates:
            if person is not None and surname in person.name.casefold().split():
                return person
        return None

    def _known(self, phrase: str) -> Person | None:
        """A known speaker, only if the phrase is entirely their alias plus titles: "Wang Wei"
        contains the alias "Wang" but is somebody else."""
        if self.index is None:
            return None
        words = tokens(normalize(phrase))
        out, found = self.index.analyzer.speakers.apply(words)
        ids = {replacement[0] for replacement in found}
        if len(ids) != 1:
            return None
        leftover = list(out)
        for replacement in found:
            leftover.remove(replacement[0])
        if any(w not in TITLE_WORDS | DETERMINERS | NAME_PARTICLES | {"of", "s"} for w in leftover):
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
        phrase = " ".join(w for w in phrase.split() if w.casefold() not in DETERMINERS)
        if phrase and phrase not in person.mentions:
            person.mentions.append(phrase)
        return person

    def stubs(self, used: set[str]) -> list[Person]:
        return [p for p in self.people.values() if not p.known and p.id in used]

    def clashes(self, alias: str) -> bool:
        """Whether an alias would read as a name the knowledge base already has."""
        return self._known(alias) is not None


def anonymous(description: str) -> Person:
    """An unnamed source ("a spokesman", "the central bank"): speaker "unknown" in the draft."""
    return Person(UNKNOWN_ID, description, known=False, anonymous=True)
