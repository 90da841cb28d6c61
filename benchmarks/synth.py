"""A deterministic synthetic knowledge base of any size, in the project's own YAML format.

``python -m benchmarks.synth --statements 100000 --out DIR [--seed S]`` writes ``speakers.yaml``,
``topics.yaml``, ``aliases.yaml`` and one ``statements/<source-id>.yaml`` per source document
(20-200 statements each), which ``python -m bot validate --knowledge DIR`` accepts.

Why synthetic: the bundled knowledge base has eleven statements, far too few to show how
loading and search scale, and a real corpus of 100,000 statements does not exist yet. The
generator imitates the shape of real data (many speakers with aliases and dated roles, topics
with aliases, sources spread over 25 years, 20-60-word statements naming places and
programmes, alternate questions) so that the index sees a realistic vocabulary and posting
list lengths. Every name is obviously fictional ("Minister Ada Quill of Examplia").

No ``sources/*.txt`` are written: the loader checks ``quote``/``reported`` texts verbatim only
against a stored source text, so without one every kind is valid, and the benchmark does not
pay for reading megabytes of article text the real knowledge base would only have per source.

YAML is written as text, not with ``yaml.dump``: every string goes through ``json.dumps``
(a JSON string is a valid YAML double-quoted scalar), which is an order of magnitude faster
and makes 100,000 statements a matter of seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.search.dates import MONTHS
from bot.search.lexicon import GAZETTEER, STOPWORDS

GENERATOR_VERSION = 2  # bump when the output changes, so cached knowledge bases are rebuilt
DEFAULT_SEED = 20241218
MIN_WORDS, MAX_WORDS = 20, 60
MIN_PER_FILE, MAX_PER_FILE = 20, 200
MAX_ID = 48
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2025, 6, 30)
CAREER_START = 1994  # every speaker holds some role from before FIRST_DAY until today

COUNTRIES: tuple[tuple[str, str], ...] = (
    ("Examplia", "Examplian"),
    ("Placeholdia", "Placeholdian"),
    ("Fictonia", "Fictonian"),
    ("Mockovia", "Mockovian"),
    ("Samplestan", "Samplestani"),
    ("Stubland", "Stublander"),
    ("Dummaria", "Dummarian"),
    ("Testavia", "Testavian"),
    ("Prototopia", "Prototopian"),
    ("Templaria", "Templarian"),
    ("Specimia", "Specimian"),
    ("Draftonia", "Draftonian"),
    ("Pretendia", "Pretendian"),
    ("Imaginaria", "Imaginarian"),
    ("Modelvania", "Modelvanian"),
    ("Notrealand", "Notrealander"),
)
PUBLISHER_KINDS = ("Gazette", "Herald", "Daily", "Wire", "Observer", "Courier")
FIRST_NAMES = (
    "Ada Bram Cora Dov Elin Finn Greta Hugo Ines Jasper Kira Lior Mira Nils Orla Pim Quinn "
    "Rhea Sven Tove Una Vito Wren Yara Zeno Alba Basil Cleo Dara Emil Fern Gil Hedda Ivo Juno "
    "Kai Lene Milo Nora Otto Petra Rafe Sela Tarn Ulla Vera Wim Xenia Yorick Zora"
).split()
OFFICES = (
    ("Minister", "Minister of {portfolio} of {country}"),
    ("Deputy Minister", "Deputy Minister of {portfolio} of {country}"),
    ("Secretary", "Secretary of State for {portfolio} of {country}"),
    ("Ambassador", "Ambassador of {country} to {other}"),
    ("Spokesperson", "Spokesperson of the {country} Ministry of {portfolio}"),
    ("Governor", "Governor of the {country} Office of {portfolio}"),
    ("Chancellor", "Chancellor of {country}"),
    ("Envoy", "Special Envoy of {country} for {portfolio}"),
)
PORTFOLIOS = (
    "Canals",
    "Lighthouses",
    "Harbours",
    "Railways",
    "Orchards",
    "Public Libraries",
    "Weather Balloons",
    "Bridges",
    "Postal Services",
    "Tunnels",
    "Forests",
    "Rivers",
)
DOMAINS = (
    "canal lantern river harbour railway grain textile fishery forestry pension vaccine "
    "broadband satellite border customs water hydropower housing school university hospital "
    "museum heritage tourism aviation shipping postal census library orchard dairy bridge "
    "tunnel ferry bicycle lighthouse observatory wetland glacier"
).split()
ASPECTS = (
    "tolls subsidies safety reform funding standards access investment regulation "
    "maintenance pricing research workforce licensing inspections"
).split()
SYNONYMS: dict[str, tuple[str, ...]] = {
    "dialogue": ("talks", "negotiations", "consultations"),
    "cooperation": ("collaboration", "joint work", "cooperate", "work together"),
    "funding": ("money", "financing", "budget"),
    "increase": ("raise", "boost", "expand", "rise"),
    "oppose": ("reject", "object to", "opposes", "rejects"),
    "agreement": ("accord", "deal", "treaty"),
}
ONSETS = "B Br C Cr D Dr F Fl G Gr H K Kl L M N P Pr Qu R S Sk St T Tr V W Z".split()
VOWELS = "a e i o u ai ea ou".split()
CODAS = "ll rd nd rk ss ck nt lm rn ve th sk rr mb".split()
ENDINGS = ("", "er", "en", "ow", "ing", "ton", "by", "well", "more", "wick", "ford", "ley", "ham")
PLACE_FORMS = ("Port {w}", "Lake {w}", "{w} Valley", "{w}", "{w} Bay", "Upper {w}", "{w} Falls")
PROGRAMME_FORMS = (
    "{w} Initiative",
    "{w} Compact",
    "{w} Accord",
    "{w} Plan",
    "{w} Programme",
    "{w} Partnership",
)
MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()

# Sentence templates by statement kind. Slots: {speaker} {surname} {country} {demonym}
# {other} {topic} {topic2} {place} {place2} {programme} {year} {year2} {pct}
REPORTED = (
    "{speaker} said {country} was ready to work with {other} on {topic}, and that {topic2} "
    "would be on the agenda of the next meeting in {place}.",
    "According to {speaker}, spending on {topic} will rise by {pct} percent next year, with the "
    "first projects planned for {place} and {place2}.",
    "{speaker} told reporters in {place} that {country} opposes any attempt to link {topic} "
    "with {topic2}.",
    "{speaker} said the {programme} had brought steady progress on {topic} since {year}, and "
    "urged {other} to join it.",
    "{surname} added that the {demonym} government would publish a review of {topic} in "
    "{place} before the end of {year2}.",
    "{speaker} warned that delays to {topic} in {place} could hurt relations with {other} and "
    "called for talks within weeks.",
)
QUOTES = (
    "We will not accept pressure on {topic}; {country} has always settled such questions "
    "through dialogue with {other}.",
    "Our plan for {topic} in {place} is simple: more investment, clear rules, and regular "
    "reports to parliament.",
    "The {programme} is working, and we intend to extend it to {place} before the end of {year2}.",
    "I have asked the ministry to review {topic} in {place}, because the people of {country} "
    "deserve better services.",
    "Nobody in {country} wants a quarrel with {other} over {topic}, but we expect our "
    "partners to keep the promises made in {place}.",
    "Since {year} we have doubled the money for {topic}, and {place2} will be next.",
)
POSITIONS = (
    "{country} supports closer cooperation with {other} on {topic}, but insists that {topic2} "
    "remains a national matter.",
    "{country}'s position is that {topic} should be funded jointly, with {place} serving as "
    "the pilot region for the {programme}.",
    "{country} considers the {programme} essential for {topic} and has pledged to keep it "
    "running until {year2}.",
    "The {demonym} government regards {topic} in {place} as a priority and rejects the "
    "criticism voiced by {other}.",
    "{country} wants an agreement with {other} on {topic} that also covers {topic2} along the "
    "border near {place2}.",
)
FILLERS = (
    "Officials described it as a priority for the coming years.",
    "The remarks were welcomed by local councils.",
    "No timetable was given.",
    "Critics said the plan lacked detail.",
    "Further details are expected in the autumn.",
)
QUESTION_FORMS = (
    "What did {name} say about {topic} in {place}?",
    "What is {country}'s position on {topic}?",
    "Will {country} increase funding for {topic}?",
    "What did {surname} say about the {programme}?",
    "Does {country} want talks with {other} on {topic}?",
)
CONTEXT_FORMS = (
    "{name}'s remarks at a press conference in {place}.",
    "Interview with {publisher}.",
    "Speech to the {demonym} parliament on {topic}.",
    "Joint press briefing with officials from {other} in {place}.",
)
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = MAX_ID) -> str:
    """A valid id fragment: lowercase letters, digits and single hyphens, within ``limit``."""
    return _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-")


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def flow(items: Sequence[str]) -> str:
    """A YAML flow sequence of double-quoted strings."""
    return "[" + ", ".join(q(item) for item in items) + "]"


@dataclass(frozen=True, slots=True)
class Role:
    title: str
    start: dt.date
    end: dt.date | None


@dataclass(slots=True)
class Speaker:
    id: str
    first: str
    surname: str
    country: int
    office: str
    aliases: tuple[str, ...]
    roles: tuple[Role, ...]

    @property
    def name(self) -> str:
        return f"{self.first} {self.surname}"


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    name: str
    phrase: str  # how a sentence mentions it ("canal tolls")
    aliases: tuple[str, ...]


@dataclass(slots=True)
class World:
    """Everything statements are drawn from; sizes scale with the number of statements."""

    speakers: list[Speaker] = field(default_factory=list)
    speaker_weights: list[float] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    publishers: list[tuple[str, int]] = field(default_factory=list)


class _Words:
    """Unique pseudo-words that cannot be mistaken for English, a stopword or a gazetteer name.

    The search treats gazetteer names (real places and leaders) as strong evidence that a
    question is about something the knowledge base lacks, so fictional names must avoid them.
    """

    def __init__(self, rng: random.Random, banned: set[str]) -> None:
        self.rng = rng
        self.used = set(banned)

    def __call__(self) -> str:
        rng = self.rng
        for _ in range(1000):
            word = rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
            word += rng.choice(ENDINGS)
            if word.lower() not in self.used:
                self.used.add(word.lower())
                return word
        raise RuntimeError("ran out of pseudo-words; widen the syllable tables")


def _banned() -> set[str]:
    words: set[str] = set(STOPWORDS) | set(GAZETTEER) | set(MONTHS)
    for template in (*REPORTED, *QUOTES, *POSITIONS, *FILLERS, *QUESTION_FORMS, *CONTEXT_FORMS):
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", template))
    for country, demonym in COUNTRIES:
        words.update((country.lower(), demonym.lower()))
    words.update(w.lower() for w in FIRST_NAMES)
    words.update(DOMAINS)
    words.update(ASPECTS)
    return words


def _careers(rng: random.Random, country: str, other: str) -> tuple[str, tuple[Role, ...]]:
    """One to three consecutive roles from before 2000 until today (the last one open)."""
    count = rng.randint(1, 3)
    start = dt.date(CAREER_START + rng.randint(0, 5), rng.randint(1, 12), rng.randint(1, 28))
    roles: list[Role] = []
    office = ""
    for index in range(count):
        office, template = rng.choice(OFFICES)
        title = template.format(portfolio=rng.choice(PORTFOLIOS), country=country, other=other)
        last = index == count - 1
        if last:
            roles.append(Role(title, start, None))
        else:
            end = start + dt.timedelta(days=rng.randint(3 * 365, 9 * 365))
            roles.append(Role(title, start, end))
            start = end + dt.timedelta(days=1)
    return office, tuple(roles)


def build_world(statements: int, rng: random.Random) -> World:
    """Speakers, topics, places, programmes and publishers in proportion to the size."""
    words = _Words(rng, _banned())
    world = World()
    n_speakers = max(20, min(400, statements // 300))
    n_topics = max(30, min(len(DOMAINS) * len(ASPECTS), statements // 200))
    n_places = max(50, min(5000, statements // 20))
    n_programmes = max(20, min(2000, statements // 50))

    for index in range(n_speakers):
        country = index % len(COUNTRIES)
        other = (country + 1 + rng.randrange(len(COUNTRIES) - 1)) % len(COUNTRIES)
        first, surname = rng.choice(FIRST_NAMES), words()
        office, roles = _careers(rng, COUNTRIES[country][0], COUNTRIES[other][0])
        aliases = (
            surname,
            f"{office} {surname}",
            f"{office} {first} {surname}",
            f"{surname} of {COUNTRIES[country][0]}",
        )
        world.speakers.append(
            Speaker(slug(f"{first}-{surname}"), first, surname, country, office, aliases, roles)
        )
        world.speaker_weights.append(1.0 / (index % 50 + 1) ** 0.8)  # a few speak a lot

    pairs = [(d, a) for d in DOMAINS for a in ASPECTS]
    rng.shuffle(pairs)
    for domain, aspect in pairs[:n_topics]:
        phrase = f"{domain} {aspect}"
        world.topics.append(
            Topic(
                id=slug(f"{domain}-{aspect}"),
                name=phrase[0].upper() + phrase[1:],
                phrase=phrase,
                aliases=(f"{domain} {aspect} policy", f"{aspect} in the {domain} sector"),
            )
        )
    world.places = [rng.choice(PLACE_FORMS).format(w=words()) for _ in range(n_places)]
    world.programmes = [rng.choice(PROGRAMME_FORMS).format(w=words()) for _ in range(n_programmes)]
    for index, (country_name, _demonym) in enumerate(COUNTRIES):
        for kind in rng.sample(PUBLISHER_KINDS, 2):
            world.publishers.append((f"The {country_name} {kind}", index))
    return world


def _text(rng: random.Random, kind: str, slots: dict[str, str]) -> str:
    """20-60 words: sentences of the statement's kind, a short filler if still too short."""
    templates: tuple[str, ...] = {"reported": REPORTED, "quote": QUOTES, "position": POSITIONS}[
        kind
    ]
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    order = rng.sample(templates, len(templates))
    sentences: list[str] = []
    count = 0
    for template in order:
        sentence = template.format(**slots)
        words = len(sentence.split())
        if sentences and count + words > MAX_WORDS:
            continue
        sentences.append(sentence)
        count += words
        if count >= target:
            break
    for filler in rng.sample(FILLERS, len(FILLERS)):
        if count >= MIN_WORDS:
            break
        if count + len(filler.split()) <= MAX_WORDS:
            sentences.append(filler)
            count += len(filler.split())
    return " ".join(sentences)


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _file_sizes(total: int, rng: random.Random) -> Iterator[int]:
    """Statements per source file, 20-200, summing to ``total`` (a small last file merges)."""
    left = total
    while left > 0:
        size = rng.randint(MIN_PER_FILE, MAX_PER_FILE)
        if left - size < MIN_PER_FILE:
            size = left if left <= MAX_PER_FILE else left - MIN_PER_FILE
        yield size
        left -= size


def _speakers_yaml(world: World) -> str:
    lines = [
        "# Synthetic speakers (benchmarks.synth): fictional people of fictional countries.",
        "speakers:",
    ]
    for sp in world.speakers:
        lines += [
            f"  - id: {q(sp.id)}",
            f"    name: {q(sp.name)}",
            f"    country: {q(COUNTRIES[sp.country][0])}",
            f"    aliases: {flow(sp.aliases)}",
            "    roles:",
        ]
        for role in sp.roles:
            lines += [f"      - title: {q(role.title)}", f"        from: {role.start.isoformat()}"]
            if role.end is not None:
                lines.append(f"        until: {role.end.isoformat()}")
    return "\n".join(lines) + "\n"


def _topics_yaml(world: World) -> str:
    lines = ["# Synthetic topics (benchmarks.synth).", "topics:"]
    for topic in world.topics:
        lines += [
            f"  - id: {q(topic.id)}",
            f"    name: {q(topic.name)}",
            f"    aliases: {flow(topic.aliases)}",
        ]
    return "\n".join(lines) + "\n"


def _aliases_yaml() -> str:
    lines = ["# Synthetic synonym tables (benchmarks.synth).", "aliases:"]
    for country, demonym in COUNTRIES:
        names = (demonym, f"{demonym}s", f"Republic of {country}", f"{country} government")
        lines.append(f"  {q(country.lower())}: {flow(names)}")
    for canonical, variants in SYNONYMS.items():
        lines.append(f"  {q(canonical)}: {flow(variants)}")
    lines.append("stopwords: []")
    return "\n".join(lines) + "\n"


def generate(statements: int, out: Path, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write the knowledge base into ``out`` (created; must be empty or absent); return counts."""
    if statements < 1:
        raise ValueError("--statements must be at least 1")
    rng = random.Random(seed)
    world = build_world(statements, rng)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    (out / "statements").mkdir()
    (out / "speakers.yaml").write_text(_speakers_yaml(world), encoding="utf-8")
    (out / "topics.yaml").write_text(_topics_yaml(world), encoding="utf-8")
    (out / "aliases.yaml").write_text(_aliases_yaml(), encoding="utf-8")

    speakers_of: dict[int, list[int]] = {}
    for index, sp in enumerate(world.speakers):
        speakers_of.setdefault(sp.country, []).append(index)
    n_countries = len(COUNTRIES)
    span = (LAST_DAY - FIRST_DAY).days
    sizes = list(_file_sizes(statements, rng))
    serial = 0
    for file_index, size in enumerate(sizes):
        # spread publication dates evenly over the years, with some jitter
        base = FIRST_DAY + dt.timedelta(days=span * file_index // max(len(sizes), 1))
        published = min(LAST_DAY, base + dt.timedelta(days=rng.randint(0, 20)))
        publisher, home = rng.choice(world.publishers)
        source_id = slug(f"{slug(publisher.removeprefix('The '))}-{published}-{file_index}")
        title_country = COUNTRIES[home][0]
        title = (
            f"{title_country} and its partners: statements on "
            f"{rng.choice(world.topics).phrase} ({published:%B %Y})"
        )
        lines = [
            f"# Synthetic source {file_index + 1} of {len(sizes)} (benchmarks.synth).",
            "source:",
            f"  id: {q(source_id)}",
            f"  title: {q(title)}",
            f"  publisher: {q(publisher)}",
            (
                f"  url: {q(f'https://example.org/{slug(publisher)}/{published:%Y/%m/%d}/{file_index}')}"
                if rng.random() < 0.7
                else "  url: null"
            ),
            f"  published: {published.isoformat()}",
            "  language: en",
            "statements:",
        ]
        # a source reports a handful of speakers, mostly from one country
        pool = [
            *rng.sample(speakers_of[home], min(4, len(speakers_of[home]))),
            *rng.choices(range(len(world.speakers)), weights=world.speaker_weights, k=4),
        ]
        for _ in range(size):
            serial += 1
            sp = world.speakers[rng.choice(pool)]
            country, demonym = COUNTRIES[sp.country]
            other = COUNTRIES[(sp.country + 1 + rng.randrange(n_countries - 1)) % n_countries][0]
            topic, topic2 = rng.sample(world.topics, 2)
            said = published - dt.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 7)))
            place, place2 = rng.sample(world.places, 2)
            programme = rng.choice(world.programmes)
            slots = {
                "speaker": f"{sp.office} {sp.name}",
                "surname": sp.surname,
                "name": sp.name,
                "country": country,
                "demonym": demonym,
                "other": other,
                "topic": topic.phrase,
                "topic2": topic2.phrase,
                "place": place,
                "place2": place2,
                "programme": programme,
                "year": str(rng.randint(max(1995, said.year - 10), said.year)),
                "year2": str(said.year + rng.randint(0, 3)),
                "pct": str(rng.randint(2, 40)),
                "publisher": publisher,
            }
            kind = rng.choices(("reported", "quote", "position"), weights=(45, 20, 35))[0]
            text = _text(rng, kind, slots)
            statement_id = slug(f"s{serial:06d}-{sp.surname}-{topic.id}")
            lines += [
                f"  - id: {q(statement_id)}",
                f"    speaker: {q(sp.id)}",
            ]
            if kind == "reported" and rng.random() < 0.06:
                relayers = [i for i in speakers_of[sp.country] if world.speakers[i] is not sp]
                if relayers:
                    relayer = world.speakers[rng.choice(relayers)]
                    lines.append(f"    relayed_by: {q(relayer.id)}")
                    if rng.random() < 0.5:
                        original = said - dt.timedelta(days=rng.randint(1, 60))
                        lines.append(f"    original_date: {original.isoformat()}")
            topic_ids = [topic.id, topic2.id] if rng.random() < 0.5 else [topic.id]
            lines += [
                f"    date: {said.isoformat()}",
                f"    kind: {kind}",
                f"    text: {q(text)}",
                f"    topics: {flow(topic_ids)}",
            ]
            n_questions = rng.choices((0, 1, 2), weights=(35, 45, 20))[0]
            if n_questions:
                forms = rng.sample(QUESTION_FORMS, n_questions)
                lines.append(f"    questions: {flow([f.format(**slots) for f in forms])}")
            if rng.random() < 0.4:
                lines.append(f"    context: {q(rng.choice(CONTEXT_FORMS).format(**slots))}")
        (out / "statements" / f"{source_id}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    return {
        "statements": serial,
        "speakers": len(world.speakers),
        "topics": len(world.topics),
        "sources": len(sizes),
        "places": len(world.places),
        "programmes": len(world.programmes),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.synth",
        description="Write a deterministic synthetic knowledge base in policybot's YAML format.",
    )
    parser.add_argument("--statements", type=int, required=True, metavar="N")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="replace DIR if it exists")
    args = parser.parse_args(argv)
    if args.force and args.out.exists():
        shutil.rmtree(args.out)
    started = time.perf_counter()
    try:
        counts = generate(args.statements, args.out, args.seed)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    summary = ", ".join(f"{value} {key}" for key, value in counts.items())
    print(f"Wrote {args.out}: {summary} in {seconds:.1f} s (seed {args.seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
