"""Who is speaking: known speakers by alias, new people as stubs, titles kept apart.

A clause next to a speech verb ("Foreign Minister Wang Yi", "he", "the minister", "Wang")
must become one person, and the same person each time the article names them, or the draft
would attribute one speaker's words to several ids. The ``Cast`` holds that memory for one
article; ``_name_run`` and ``_split_title`` cut a name out of the words around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.knowledge.models import ID_PATTERN, MAX_ID_LENGTH
from bot.normalize import has_han, normalize, tokens
from bot.search.engine import SearchIndex
from bot.tools.draft.ids import slug
from bot.tools.draft.records import Person

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
            return self.last if _only_titles(words) else None  # "the minister said"
        return self._named(run)

    def _named(self, run: list[str]) -> Person | None:
        """The person a run of capitalised words names: a known speaker, someone already
        named (by surname alone), or a new stub; None for the publisher or "Officials"."""
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
            earlier = self._by_surname(name[0].casefold())
            if earlier is not None:
                return self._remember(earlier, phrase)
        return self._remember(self._stub(" ".join(name), title), phrase)

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


def _only_titles(words: list[str]) -> bool:
    """Whether the words are a bare title ("the minister"), with no name to go with it."""
    bare = [w.casefold().strip(".") for w in words]
    return any(w in TITLE_WORDS for w in bare) and all(w in TITLE_WORDS | DETERMINERS for w in bare)


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
