"""Rendering answers: plain text, Telegram HTML (escaped, allowed tags, ≤ 4096) and JSON.

Answers are built directly from knowledge-base items, so these tests pin the rendering alone,
whatever the ranking does. Telegram answers are compact cards (tests/test_card.py has the card's
own rules); the full statement (``statement_html``, ``source_html``) is the Source view.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.answers.answer import Answer, Match, Status, date_line, kind_label, speaker_line, to_json
from bot.answers.card import MAX_CARD_CHARS
from bot.answers.render import (
    MAX_MESSAGE_CHARS,
    NOT_FOUND_REPLY,
    SMALLTALK_REPLY,
    answer_html,
    answer_text,
    fit_blocks,
    source_html,
    split_blocks,
    statement_html,
    trim_at_sentence,
)
from bot.answers.wording import human_date
from bot.knowledge.models import Attributed, KnowledgeBase, Source, Speaker, Statement
from tests.fictional import SOURCE_TEXT, STATEMENTS_YAML, MakeKB

# --------------------------------------------------------------------------- a Telegram checker

TELEGRAM_TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
TELEGRAM_ENTITIES = {"lt", "gt", "amp", "quot"}


class TelegramHTML(HTMLParser):
    """Checks a message the way Telegram's HTML parse mode reads it (a little stricter)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.errors: list[str] = []
        self.stack: list[str] = []
        self.parts: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in TELEGRAM_TAGS:
            self.errors.append(f"tag <{tag}> is not allowed")
        for name, value in attrs:
            if name not in TELEGRAM_TAGS.get(tag, set()):
                self.errors.append(f"attribute {name!r} on <{tag}> is not allowed")
            if tag == "a" and name == "href" and value is not None:
                self.hrefs.append(value)
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing <{tag}/> is not allowed")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not close {self.stack[-1:] or 'anything'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for char in "<>&":
            if char in data:
                self.errors.append(f"unescaped {char!r} in {data[:40]!r}")
        self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in TELEGRAM_ENTITIES:
            self.errors.append(f"entity &{name}; is not supported")
        self.parts.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.parts.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self.errors.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.errors.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.errors.append("processing instruction")

    @property
    def text(self) -> str:
        return "".join(self.parts)


def check_telegram_html(message: str) -> TelegramHTML:
    """Parse ``message``; fail on anything Telegram would reject; return the visible text."""
    parser = TelegramHTML()
    parser.feed(message)
    parser.close()
    assert parser.errors == [], parser.errors
    assert parser.stack == [], f"unclosed tags {parser.stack}"
    assert 0 < len(message) <= MAX_MESSAGE_CHARS
    return parser


def test_checker_catches_what_telegram_rejects() -> None:
    bad = [
        "<script>x</script>",
        "<b>open",
        "<b><i>x</b></i>",
        "a & b",
        "1 < 2",
        '<a href="x" onclick="y">z</a>',
        "&nbsp;",
        "<br/>",
    ]
    for message in bad:
        parser = TelegramHTML()
        parser.feed(message)
        parser.close()
        assert parser.errors or parser.stack, message


# --------------------------------------------------------------------------- fixtures

RENDER_STATEMENTS = (
    STATEMENTS_YAML.replace(
        "    relayed_by: bram-ledger\n    date: 2024-03-01\n",
        "    relayed_by: bram-ledger\n    date: 2024-03-01\n    original_date: 2024-02-20\n",
    )
    + """
  - id: ledger-tolls
    speaker: ada-quill
    relayed_by: bram-ledger
    date: 2024-03-01
    kind: reported
    text: tolls will not rise this year
    topics: [tolls]
    context: Told to reporters in Example City.

  - id: quill-old-canals
    speaker: ada-quill
    date: 2023-06-01
    kind: position
    text: As minister, Ada Quill kept every canal open in 2023.
    topics: [canal-policy]
"""
)

NO_URL_STATEMENTS = """\
source:
  id: almanac-2024
  title: The Examplian Almanac
  publisher: Examplia Almanac Office
  published: 2024-05-01

statements:
  - id: almanac-canals
    speaker: ada-quill
    date: 2024-04-01
    kind: position
    text: Ada Quill wants the canals mapped.
    topics: [canal-policy]
"""


@pytest.fixture
def render_kb(make_kb: MakeKB) -> KnowledgeBase:
    return make_kb(
        {
            "statements/gazette-2024-03-02-quill-canals.yaml": RENDER_STATEMENTS,
            "statements/almanac-2024.yaml": NO_URL_STATEMENTS,
        }
    ).load()


def found(kb: KnowledgeBase, *statement_ids: str, question: str = "q") -> Answer:
    matches = tuple(
        Match(kb.attributed(kb.by_id[sid]), 0.9 - 0.1 * n) for n, sid in enumerate(statement_ids)
    )
    return Answer(question=question, status=Status.FOUND, matches=matches)


# --------------------------------------------------------------------------- labels, plain text


def test_quote_is_in_quotation_marks(render_kb: KnowledgeBase) -> None:
    text = answer_text(found(render_kb, "quill-canals-open"))
    first = text.splitlines()[0]
    assert first == (
        "[1] “The canals of Examplia will stay open to every boat, whatever the weather.”"
    )
    assert "Kind: direct quote" in text


def test_reported_names_the_publisher_and_is_not_quoted(render_kb: KnowledgeBase) -> None:
    answer = found(render_kb, "ledger-tolls")
    text = answer_text(answer)
    assert text.splitlines()[0] == "[1] tolls will not rise this year"
    assert "“" not in text.splitlines()[0]
    assert "Kind: reported by The Example Gazette" in text
    item = answer.matches[0].item
    assert kind_label(item) == "reported by The Example Gazette"


def test_position_is_labelled_a_summary(render_kb: KnowledgeBase) -> None:
    text = answer_text(found(render_kb, "quill-old-canals"))
    assert text.splitlines()[0] == "[1] As minister, Ada Quill kept every canal open in 2023."
    assert "Kind: summary by the knowledge base maintainers, not a quote" in text
    html_text = answer_html(found(render_kb, "quill-old-canals"))
    assert "<i>Summary by the knowledge base maintainers, not a quote</i>" in html_text
    assert "“" not in html_text.split("</blockquote>")[0]


def test_speaker_role_at_the_time(render_kb: KnowledgeBase) -> None:
    old = answer_text(found(render_kb, "quill-old-canals"))
    new = answer_text(found(render_kb, "quill-canals-open"))
    assert "— Ada Quill (Minister of Canals of the Republic of Examplia)" in old
    assert "— Ada Quill (Chancellor of the Republic of Examplia)" in new
    assert "Chancellor" not in old


def test_speaker_without_a_role_on_that_date(make_kb: MakeKB) -> None:
    kb = make_kb(
        {
            "speakers.yaml": "speakers:\n  - id: ada-quill\n    name: Ada Quill\n"
            "  - id: bram-ledger\n    name: Bram Ledger\n"
        }
    ).load()
    item = kb.attributed(kb.by_id["quill-canals-open"])
    assert item.role is None
    assert speaker_line(item) == "Ada Quill"
    assert "🗣 <b>Ada Quill</b>\n" in statement_html(item)


def test_as_relayed_by(render_kb: KnowledgeBase) -> None:
    item = render_kb.attributed(render_kb.by_id["ledger-tolls"])
    assert speaker_line(item) == (
        "Ada Quill (Chancellor of the Republic of Examplia), "
        "as relayed by Bram Ledger (Envoy of the Republic of Examplia)"
    )
    block = statement_html(item)
    assert "↪ as relayed by <b>Bram Ledger</b> (Envoy of the Republic of Examplia)" in block


def test_relayed_date_with_original_date(render_kb: KnowledgeBase) -> None:
    item = render_kb.attributed(render_kb.by_id["ledger-lantern-festival"])
    assert date_line(item) == "2024-02-20 (relayed by Bram Ledger on 2024-03-01)"
    assert "Said: 2024-02-20 (relayed by Bram Ledger on 2024-03-01)" in answer_text(
        found(render_kb, "ledger-lantern-festival")
    )


def test_relayed_date_without_original_date(render_kb: KnowledgeBase) -> None:
    item = render_kb.attributed(render_kb.by_id["ledger-tolls"])
    assert date_line(item) == (
        "2024-03-01 (when Bram Ledger relayed it; "
        "the source does not date Ada Quill's original remarks)"
    )


def test_direct_date(render_kb: KnowledgeBase) -> None:
    item = render_kb.attributed(render_kb.by_id["quill-canals-open"])
    assert date_line(item) == "2024-03-01"


def test_source_link_only_when_url_known(render_kb: KnowledgeBase) -> None:
    with_url = found(render_kb, "quill-canals-open")
    without = found(render_kb, "almanac-canals")
    assert "Link: https://gazette.example/2024/03/02/quill-canals" in answer_text(with_url)
    assert "Link: not known" in answer_text(without)
    assert (
        "Source: Examplia Almanac Office, “The Examplian Almanac”, published 2024-05-01"
        in answer_text(without)
    )
    linked = check_telegram_html(statement_html(with_url.matches[0].item))
    assert linked.hrefs == ["https://gazette.example/2024/03/02/quill-canals"]
    unlinked = check_telegram_html(statement_html(without.matches[0].item))
    assert unlinked.hrefs == []
    assert "<a " not in statement_html(without.matches[0].item)
    assert "Examplia Almanac Office, “The Examplian Almanac”" in unlinked.text
    assert "<a " not in answer_html(with_url)  # links live under Source, not on the card
    assert "not known" in source_html(without.matches[0].item)
    assert "<a " not in source_html(without.matches[0].item)


def test_context_is_shown(render_kb: KnowledgeBase) -> None:
    answer = found(render_kb, "ledger-tolls")
    assert "Context: Told to reporters in Example City." in answer_text(answer)
    assert "Context: Told to reporters in Example City." in source_html(answer.matches[0].item)


def test_plain_text_numbers_and_confidence(render_kb: KnowledgeBase) -> None:
    text = answer_text(found(render_kb, "quill-canals-open", "ledger-tolls"))
    assert "[1] “The canals" in text
    assert "[2] tolls will not rise" in text
    assert "Confidence: 0.90" in text
    assert "Confidence: 0.80" in text
    assert "Id: quill-canals-open" in text


def test_not_found_and_smalltalk_texts() -> None:
    not_found = Answer("q", Status.NOT_FOUND, suggestions=("Canal policy", "Tolls"))
    text = answer_text(not_found)
    assert NOT_FOUND_REPLY in text
    assert "Nearest topics: Canal policy; Tolls" in text
    assert answer_text(Answer("hi", Status.SMALLTALK)) == SMALLTALK_REPLY
    noticed = Answer("q", Status.NOT_FOUND, notice="Nothing matched with the filter: 2019.")
    assert answer_text(noticed).startswith("Note: Nothing matched with the filter: 2019.")


def test_found_status_without_matches_is_not_an_answer() -> None:
    answer = Answer("q", Status.FOUND)
    assert not answer.answered
    assert NOT_FOUND_REPLY in answer_text(answer)


# --------------------------------------------------------------------------- HTML


def test_html_labels(render_kb: KnowledgeBase) -> None:
    quote = answer_html(found(render_kb, "quill-canals-open"))
    assert "<blockquote>“The canals of Examplia" in quote
    assert "<i>Direct quote</i>" in quote
    reported = answer_html(found(render_kb, "ledger-tolls"))
    # a fragment (lower-case start, no full stop) is marked, its words unchanged
    assert "<blockquote>…tolls will not rise this year …</blockquote>" in reported
    assert "<i>Reported by The Example Gazette</i>" in reported
    for message in (quote, reported):
        check_telegram_html(message)


def test_html_pages(render_kb: KnowledgeBase) -> None:
    answer = found(render_kb, "quill-canals-open", "ledger-tolls", "quill-old-canals")
    first = check_telegram_html(answer_html(answer))
    assert first.text.startswith("1/3\n")
    assert "tolls will not rise" not in first.text
    second = check_telegram_html(answer_html(answer, start=1))
    assert second.text.startswith("2/3\n")
    assert "tolls will not rise this year" in second.text
    everything = check_telegram_html(answer_html(answer, count=3))
    assert "3/3" in everything.text


def test_single_result_has_no_page_number(render_kb: KnowledgeBase) -> None:
    message = answer_html(found(render_kb, "quill-canals-open"))
    assert not message.startswith("<b>1/1")


HOSTILE_SPEAKERS = """\
speakers:
  - id: ada-quill
    name: "Ada <script>alert('x')</script> Quill"
    roles:
      - title: "Minister of <Canals> & \\"Locks\\""
        from: 2020-01-01
  - id: bram-ledger
    name: "Bram <b>Ledger</b> & Sons"
    roles:
      - title: "Envoy <u>&amp;</u> Herald"
        from: 2019-01-01
"""

HOSTILE_TOPICS = """\
topics:
  - id: canal-policy
    name: "Canals & <Locks>"
  - id: lantern-festival
    name: "Lanterns \\"lit\\" <i>at dusk</i>"
  - id: tolls
    name: Tolls
"""

HOSTILE_TEXT = 'Boats <b>must</b> pay &amp; queue at the "locks" & <script>run()</script>.'
HOSTILE_REPORT = "the Chancellor's <i>lantern</i> plan & the 'tolls' list"
HOSTILE_URL = 'https://gazette.example/a?b=1&c="><script>alert(1)</script>'

HOSTILE_STATEMENTS = f"""\
source:
  id: gazette-2024-03-02-quill-canals
  title: "Locks <script>x</script> & \\"boats\\""
  publisher: "The <i>Example</i> Gazette & Co"
  url: '{HOSTILE_URL}'
  published: 2024-03-02

statements:
  - id: hostile-quote
    speaker: ada-quill
    date: 2024-03-01
    kind: quote
    text: '{HOSTILE_TEXT.replace("'", "''")}'
    topics: [canal-policy]
    context: "<img src=x onerror=alert(1)> & more"

  - id: hostile-report
    speaker: ada-quill
    relayed_by: bram-ledger
    date: 2024-03-01
    kind: reported
    text: '{HOSTILE_REPORT.replace("'", "''")}'
    topics: [lantern-festival]
"""


@pytest.fixture
def hostile_kb(make_kb: MakeKB) -> KnowledgeBase:
    return make_kb(
        {
            "speakers.yaml": HOSTILE_SPEAKERS,
            "topics.yaml": HOSTILE_TOPICS,
            "aliases.yaml": None,
            "statements/gazette-2024-03-02-quill-canals.yaml": HOSTILE_STATEMENTS,
            "sources/gazette-2024-03-02-quill-canals.txt": SOURCE_TEXT
            + "\n"
            + HOSTILE_TEXT
            + "\n"
            + HOSTILE_REPORT
            + "\n",
        }
    ).load()


def test_hostile_fields_are_escaped_exactly_once(hostile_kb: KnowledgeBase) -> None:
    answer = found(hostile_kb, "hostile-quote", "hostile-report", question="<b>q</b>")
    for start in (0, 1):
        item = answer.matches[start].item
        card = answer_html(answer, start=start)
        details = statement_html(item) + "\n" + source_html(item)
        for message in (card, details):
            parser = check_telegram_html(message)
            assert set(parser.tags) <= {"b", "i", "a", "blockquote"}
            assert "<script>" not in message
            assert "<u>" not in message
            assert "<img" not in message
            # every interpolated field reads back exactly as written: escaped once, not twice
            assert item.statement.text in parser.text
            assert item.speaker.name in parser.text
            assert item.source.publisher in parser.text
        visible = check_telegram_html(details).text
        assert item.role is not None
        assert item.role in visible
        assert item.source.title in visible
        assert date_line(item, human_date) in visible  # dated as the card dates
        assert check_telegram_html(details).hrefs == [HOSTILE_URL, HOSTILE_URL]
        assert check_telegram_html(card).hrefs == []
        if item.relayed_by is not None:
            assert item.relayed_by.name in visible
            assert item.relayed_by.name in check_telegram_html(card).text
            assert item.relayer_role is not None
            assert item.relayer_role in visible
            assert kind_label(item) == "reported by The <i>Example</i> Gazette & Co"
            assert "Reported by The <i>Example</i> Gazette & Co" in check_telegram_html(card).text
    quote_html = answer_html(answer)
    assert "&amp;amp;" in quote_html  # the literal "&amp;" in the text, escaped once
    assert "&lt;b&gt;must&lt;/b&gt;" in quote_html
    assert "The &lt;i&gt;Example&lt;/i&gt; Gazette &amp; Co" in quote_html


def test_hostile_source_html(hostile_kb: KnowledgeBase) -> None:
    item = hostile_kb.attributed(hostile_kb.by_id["hostile-quote"])
    message = source_html(item)
    parser = check_telegram_html(message)
    assert parser.hrefs == [HOSTILE_URL]
    assert item.source.title in parser.text
    assert item.source.publisher in parser.text
    assert "Context: <img src=x onerror=alert(1)> & more" in parser.text
    assert "<img" not in message


def test_hostile_notice_and_suggestions(hostile_kb: KnowledgeBase) -> None:
    names = tuple(topic.name for topic in hostile_kb.topics.values())
    answer = Answer(
        "<script>", Status.NOT_FOUND, suggestions=names[:2], notice="Nothing from <b>X</b> & Y."
    )
    parser = check_telegram_html(answer_html(answer))
    assert "Nothing from <b>X</b> & Y." in parser.text
    for name in names[:2]:
        assert name in parser.text
    assert NOT_FOUND_REPLY in parser.text
    smalltalk = check_telegram_html(answer_html(Answer("hi", Status.SMALLTALK, notice="<i>")))
    assert SMALLTALK_REPLY in smalltalk.text


def test_notice_comes_first_in_html(render_kb: KnowledgeBase) -> None:
    base = found(render_kb, "quill-canals-open")
    answer = Answer(base.question, base.status, base.matches, notice="Your question was long.")
    message = answer_html(answer)
    assert message.startswith("<i>Your question was long.</i>\n\n<blockquote>")
    check_telegram_html(message)


FREE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf")), min_size=1, max_size=300
)


@settings(max_examples=150, deadline=None)
@given(
    text=FREE_TEXT,
    name=FREE_TEXT,
    publisher=FREE_TEXT,
    kind=st.sampled_from(["quote", "reported", "position"]),
)
def test_any_text_renders_as_valid_telegram_html(
    text: str, name: str, publisher: str, kind: str
) -> None:
    try:
        speaker = Speaker(id="some-one", name=name)
        source = Source(id="src-1", title="T", publisher=publisher, published="2024-01-02")
        statement = Statement(
            id="st-1", speaker="some-one", date="2024-01-01", kind=kind, text=text
        )
    except ValidationError:
        assume(False)
        raise
    item = Attributed(statement, speaker, None, None, None, source)
    answer = Answer("q", Status.FOUND, (Match(item, 0.9),))
    card = check_telegram_html(answer_html(answer))
    assert len(card.text) <= MAX_CARD_CHARS
    assert card.text.count("\n") >= 2  # the words, who and when, the label
    details = check_telegram_html(statement_html(item))
    assert statement.text in details.text
    assert speaker.name in details.text
    assert source.publisher in details.text


# --------------------------------------------------------------------------- length


def _long_text(chars: int) -> str:
    sentences: list[str] = []
    n = 0
    while sum(len(s) + 1 for s in sentences) < chars:
        n += 1
        sentences.append(f"Sentence number {n} says the canals of Examplia stay open.")
    return " ".join(sentences)


def _long_kb(make_kb: MakeKB, text: str) -> KnowledgeBase:
    quote = "The canals of Examplia will stay open to every boat, whatever the weather."
    statements = STATEMENTS_YAML.replace(f"text: >-\n      {quote}", "text: " + json.dumps(text))
    assert statements != STATEMENTS_YAML
    return make_kb(
        {
            "statements/gazette-2024-03-02-quill-canals.yaml": statements,
            "sources/gazette-2024-03-02-quill-canals.txt": SOURCE_TEXT + "\n" + text + "\n",
        }
    ).load()


def test_ten_thousand_char_statement_fits_one_message(make_kb: MakeKB) -> None:
    text = _long_text(10_000)
    assert len(text) >= 10_000
    kb = _long_kb(make_kb, text)
    notice = "Your question was long, so only its first 500 characters were read."
    base = found(kb, "quill-canals-open", "ledger-lantern-festival")
    answer = Answer("q", Status.FOUND, base.matches, notice=notice)
    for message, limit in (
        (answer_html(answer), MAX_CARD_CHARS + len(notice) + 2),
        (statement_html(base.matches[0].item), MAX_MESSAGE_CHARS),
    ):
        parser = check_telegram_html(message)  # ≤ 4096, tags balanced, only allowed tags
        assert len(parser.text) <= limit
        quoted = re.search(r"<blockquote>“(.*?)”</blockquote>", message, re.S)
        assert quoted is not None
        shown = html.unescape(quoted.group(1))
        assert shown.endswith(". …")  # cut at a sentence end
        assert text.startswith(shown.removesuffix(" …"))
        assert len(shown) < len(text)
        assert "shortened; the full text is" in parser.text
        # the attribution survives the cut
        assert "Ada Quill" in parser.text
    card = check_telegram_html(answer_html(answer)).text
    assert notice in card
    assert "under Source" in card
    assert (
        "published 2 Mar 2024" in check_telegram_html(statement_html(answer.matches[0].item)).text
    )


def test_short_statement_is_not_marked_shortened(render_kb: KnowledgeBase) -> None:
    assert "shortened" not in answer_html(found(render_kb, "quill-canals-open"))


def test_long_statement_full_of_escapes_still_fits(make_kb: MakeKB) -> None:
    sentence = "The Republic's canals aren't closed & won't be; it's \"open\" water. "
    text = (sentence * 200).strip()
    kb = _long_kb(make_kb, text)
    message = answer_html(found(kb, "quill-canals-open"))
    parser = check_telegram_html(message)
    assert "The Republic's canals" in parser.text


def test_fit_blocks_keeps_whole_blocks() -> None:
    blocks = ["<b>" + "a" * 100 + "</b>"] * 100
    message = fit_blocks(blocks)
    assert len(message) <= MAX_MESSAGE_CHARS
    assert message.count("<b>") == message.count("</b>")
    assert message == "\n\n".join(blocks[: message.count("<b>")])
    assert fit_blocks(["x" * 10, "y" * 10], limit=15) == "x" * 10


def test_split_blocks_packs_lines_under_the_limit() -> None:
    lines = [f"line {n} " + "z" * 50 for n in range(200)]
    messages = split_blocks(lines)
    assert len(messages) > 1
    assert all(0 < len(m) <= MAX_MESSAGE_CHARS for m in messages)
    assert "\n".join(messages).split("\n") == lines


def test_split_blocks_never_cuts_an_entity() -> None:
    block = html.escape("x" * 4092 + "&" * 300)  # the cut lands inside "&amp;"
    for message in split_blocks([block]):
        check_telegram_html(message)


# --------------------------------------------------------------------------- trim_at_sentence


def test_trim_short_text_is_untouched() -> None:
    assert trim_at_sentence("Short.", 12) == ("Short.", False)
    assert trim_at_sentence("x" * 12, 12) == ("x" * 12, False)


def test_trim_at_sentence_boundary() -> None:
    text = "First sentence here. Second sentence here. Third sentence is long."
    trimmed, cut = trim_at_sentence(text, 50)
    assert cut is True
    assert trimmed == "First sentence here. Second sentence here. …"


@pytest.mark.parametrize("mark", ["!", "?", ";", "。"])
def test_trim_at_other_sentence_marks(mark: str) -> None:
    text = f"Alpha beta gamma{mark} Delta epsilon zeta eta theta iota kappa lambda."
    trimmed, cut = trim_at_sentence(text, 40)
    assert cut
    assert trimmed == f"Alpha beta gamma{mark} …"


def test_trim_falls_back_to_a_word_boundary() -> None:
    text = "alpha beta gamma delta epsilon zeta eta theta"
    trimmed, cut = trim_at_sentence(text, 20)
    assert cut
    assert trimmed == "alpha beta gamma …"


def test_trim_ignores_a_sentence_end_too_early() -> None:
    text = "Hi. " + "word " * 40
    trimmed, _ = trim_at_sentence(text, 60)
    assert trimmed != "Hi. …"  # a cut in the first third would lose too much
    assert trimmed.endswith("word …")


@pytest.mark.parametrize("text", ["a" * 30, "Aaaaaaaaaa. bbbbbbbbbbbb"])
def test_trim_never_exceeds_the_limit(text: str) -> None:
    trimmed, cut = trim_at_sentence(text, 12)
    assert cut
    assert len(trimmed) <= 12


# --------------------------------------------------------------------------- JSON contract


def test_to_json_contract(render_kb: KnowledgeBase) -> None:
    answer = found(render_kb, "ledger-lantern-festival", "almanac-canals", question="lanterns?")
    data = to_json(answer)
    json.dumps(data)  # serialisable as is
    assert data["question"] == "lanterns?"
    assert data["answered"] is True
    assert data["suggestions"] == []
    first, second = data["results"]
    assert set(first) >= {"id", "kind", "text", "speaker", "date", "topics", "source", "score"}
    assert first["id"] == "ledger-lantern-festival"
    assert first["kind"] == "reported"
    assert first["text"] == "the Chancellor wants a lantern festival on every canal"
    assert first["speaker"] == {
        "id": "ada-quill",
        "name": "Ada Quill",
        "role": "Chancellor of the Republic of Examplia",
    }
    assert first["relayed_by"]["id"] == "bram-ledger"
    assert first["date"] == "2024-03-01"
    assert first["original_date"] == "2024-02-20"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first["date"])
    assert first["topics"] == ["lantern-festival", "canal-policy"]
    assert first["source"] == {
        "id": "gazette-2024-03-02-quill-canals",
        "title": "Quill opens the canals of Examplia",
        "publisher": "The Example Gazette",
        "url": "https://gazette.example/2024/03/02/quill-canals",
        "published": "2024-03-02",
    }
    assert first["score"] == pytest.approx(0.9)
    assert isinstance(first["score"], float)
    assert second["source"]["url"] is None
    assert second["kind"] == "position"
    assert second["relayed_by"] is None


def test_to_json_not_answered() -> None:
    data = to_json(Answer("who won the world cup", Status.NOT_FOUND, suggestions=("Tolls",)))
    assert data["question"] == "who won the world cup"
    assert data["answered"] is False
    assert data["results"] == []
    assert data["suggestions"] == ["Tolls"]
    assert to_json(Answer("hi", Status.SMALLTALK))["answered"] is False
