"""The answer card made for a phone, and the wording it shares with every front end.

The card's budget is checked over every statement of the bundled knowledge base, as sent (with
the worst-case "n/N" header); what it leaves out must be in the Source view.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answers.answer import Answer, Match, Status, date_line
from bot.answers.card import (
    MAX_CARD_CHARS,
    card_html,
    ends_mid_sentence,
    matched_excerpt,
    refers_outside,
    short_role,
    shorten_title,
    starts_mid_sentence,
)
from bot.answers.render import (
    FAREWELL_REPLY,
    OK_REPLY,
    SMALLTALK_REPLY,
    THANKS_REPLY,
    smalltalk_reply,
    source_html,
    statement_html,
)
from bot.answers.wording import (
    coverage,
    cut_words,
    human_date,
    join_names,
    on_day,
    plural,
)
from bot.knowledge.models import KnowledgeBase
from tests.e2e.botapi import parse_html
from tests.fictional import SOURCE_TEXT, SOURCE_TEXT_FILE, STATEMENTS_FILE, STATEMENTS_YAML, MakeKB


class MonthOnly(dt.date):
    """A date the source gives to the month only, as the knowledge base may carry one."""

    precision = "month"


SHOWN_AS = "5/5"  # the longest page header the bundled knowledge base can produce


def visible(message: str) -> str:
    return parse_html(message)[0]  # Telegram's reading of the HTML (and a strict check of it)


# ----------------------------------------------------------------------------- the budget


def test_every_bundled_card_fits_600_characters_with_the_details_under_source(
    bundled_kb: KnowledgeBase,
) -> None:
    longest = 0
    for statement in bundled_kb.statements:
        item = bundled_kb.attributed(statement)
        card = visible(card_html(item, number=5, total=5))
        longest = max(longest, len(card))
        assert len(card) <= MAX_CARD_CHARS, (statement.id, len(card))
        assert card.startswith(SHOWN_AS + "\n")
        assert statement.text in card  # the bundled statements fit whole: nothing trimmed
        assert "shortened" not in card
        details = visible(source_html(item) + "\n\n" + statement_html(item))
        for detail in (
            item.role,
            item.source.title,
            date_line(item, human_date),
            item.statement.context,
        ):
            assert detail is not None
            assert detail in details  # one tap away
    assert longest > MAX_CARD_CHARS * 0.8  # the test looks at a full card, not a stub


def test_the_card_leads_with_the_words_then_who_when_and_the_label(
    bundled_kb: KnowledgeBase,
) -> None:
    item = bundled_kb.attributed(bundled_kb.by_id["wang-yi-opposes-suppression"])
    lines = visible(card_html(item)).split("\n")
    assert lines == [
        item.statement.text,
        "— Wang Yi, Foreign Minister · 17 Dec 2024",
        "Reported by Xinhua",
    ]


def test_a_relayed_statement_names_the_relay_and_leaves_the_undated_note_to_source(
    bundled_kb: KnowledgeBase,
) -> None:
    item = bundled_kb.attributed(bundled_kb.by_id["xi-four-red-lines"])
    card = visible(card_html(item))
    assert "\n— Xi Jinping, President, as relayed by Wang Yi on 17 Dec 2024\n" in card
    assert "does not date" not in card
    assert "does not date" in visible(statement_html(item))


def test_a_relayed_statement_with_its_own_date(render_kb_relayed: KnowledgeBase) -> None:
    item = render_kb_relayed.attributed(render_kb_relayed.by_id["ledger-lantern-festival"])
    card = visible(card_html(item))
    assert (
        "— Ada Quill, Chancellor of the Republic of Examplia · 20 Feb 2024, as relayed by "
        "Bram Ledger on 1 Mar 2024\n"
    ) in card  # a speaker without a country keeps the whole title


@pytest.fixture
def render_kb_relayed(make_kb: MakeKB) -> KnowledgeBase:
    from tests.fictional import STATEMENTS_YAML

    statements = STATEMENTS_YAML.replace(
        "    relayed_by: bram-ledger\n    date: 2024-03-01\n",
        "    relayed_by: bram-ledger\n    date: 2024-03-01\n    original_date: 2024-02-20\n",
    )
    return make_kb({"statements/gazette-2024-03-02-quill-canals.yaml": statements}).load()


# ----------------------------------------------------------------------------- fragments, context


@pytest.mark.parametrize(
    ("statement_id", "opening", "ending"),
    [
        ("xi-four-red-lines", "<blockquote>…in recent interactions", "development right.<"),
        (
            "wang-yi-san-francisco-vision",
            "<blockquote>Over the past year",
            "&quot;San Francisco Vision,&quot; …<",
        ),
        ("wang-yi-join-hands", "<blockquote>It fully shows", "can be accomplished …<"),
        ("wang-yi-policy-stability-quote", "<blockquote>“China&#x27;s policy", "big country”<"),
    ],
)
def test_fragments_are_marked_without_changing_the_words(
    bundled_kb: KnowledgeBase, statement_id: str, opening: str, ending: str
) -> None:
    item = bundled_kb.attributed(bundled_kb.by_id[statement_id])
    card = card_html(item)
    assert card.startswith(opening)
    assert ending in card
    assert item.statement.text in visible(card)


def test_fragment_rules() -> None:
    assert starts_mid_sentence("in recent interactions, he said")
    assert not starts_mid_sentence("“In recent interactions”")
    assert not starts_mid_sentence("中美关系")
    assert ends_mid_sentence('implementing the "San Francisco Vision,"')
    assert ends_mid_sentence("great things can be accomplished")
    assert not ends_mid_sentence('It is "done."')
    assert not ends_mid_sentence("完成了。")


@pytest.mark.parametrize(
    ("statement_id", "shown"),
    [
        ("wang-yi-messages-authoritative", True),  # "these messages"
        ("wang-yi-join-hands", True),  # "It fully shows ..."
        ("wang-yi-opposes-suppression", False),
        ("xi-four-red-lines", False),
        ("wang-yi-cooperation-progress", False),  # "such fields as" is not a reference back
    ],
)
def test_context_shows_when_the_text_refers_outside_itself(
    bundled_kb: KnowledgeBase, statement_id: str, shown: bool
) -> None:
    statement = bundled_kb.by_id[statement_id]
    assert statement.context is not None
    card = visible(card_html(bundled_kb.attributed(statement)))
    assert (statement.context in card) is shown
    assert refers_outside(statement.text) is shown


def test_a_long_statement_is_cut_at_a_sentence_with_a_pointer_to_source(make_kb: MakeKB) -> None:
    from tests.fictional import SOURCE_TEXT, STATEMENTS_YAML

    text = " ".join(f"Sentence {n} says the canals of Examplia stay open." for n in range(60))
    quote = "The canals of Examplia will stay open to every boat, whatever the weather."
    kb = make_kb(
        {
            "statements/gazette-2024-03-02-quill-canals.yaml": STATEMENTS_YAML.replace(
                f"text: >-\n      {quote}", f"text: {text!r}"
            ),
            "sources/gazette-2024-03-02-quill-canals.txt": SOURCE_TEXT + "\n" + text + "\n",
        }
    ).load()
    card = visible(card_html(kb.attributed(kb.by_id["quill-canals-open"]), number=1, total=2))
    assert len(card) <= MAX_CARD_CHARS
    assert "open. …”\n" in card
    assert "shortened; the full text is under Source" in card


def test_hostile_lengths_still_fit(make_kb: MakeKB) -> None:
    long_name = "Ada " + "Quillington " * 40
    kb = make_kb(
        {
            "speakers.yaml": (
                f"speakers:\n  - id: ada-quill\n    name: {long_name.strip()}\n"
                f"    roles:\n      - title: {'Minister ' * 30}\n        from: 2020-01-01\n"
                "  - id: bram-ledger\n    name: Bram Ledger\n"
            )
        }
    ).load()
    for statement in kb.statements:
        card = visible(card_html(kb.attributed(statement), number=10, total=10))
        assert len(card) <= MAX_CARD_CHARS


# ----------------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("title", "country", "short"),
    [
        ("Minister of Foreign Affairs of China", "China", "Foreign Minister"),
        ("President of the People's Republic of China", "China", "President"),
        ("Minister of Finance of Korvania", "Korvania", "Finance Minister"),
        ("Minister of the Interior of Kessmark", "Kessmark", "Interior Minister"),
        ("Prime Minister of Montaval", "Montaval", "Prime Minister"),
        ("Minister of Trade and Industry of Vestria", "Vestria", "Minister of Trade and Industry"),
        (
            "Deputy Governor of the National Bank of Korvania (Monetary Policy)",
            "Korvania",
            "Deputy Governor of the National Bank (Monetary Policy)",
        ),
        (
            "Chair of the Finance and Resources Committee, Harrowgate Vale City Council",
            None,
            "Chair of the Finance and Resources Committee",
        ),
        (
            "General Secretary of the CPC Central Committee",
            "China",
            "General Secretary of the CPC Central Committee",
        ),
        ("Minister of Canals of the Republic of Examplia", "Examplia", "Canals Minister"),
        (
            "Minister of Canals of the Republic of Examplia",
            None,
            "Minister of Canals of the Republic of Examplia",
        ),
    ],
)
def test_short_titles(title: str, country: str | None, short: str) -> None:
    assert shorten_title(title, country) == short


def test_the_short_role_prefers_an_office_to_a_membership(bundled_kb: KnowledgeBase) -> None:
    day = dt.date(2024, 12, 17)
    assert short_role(bundled_kb.speakers["wang-yi"], day) == "Foreign Minister"
    assert short_role(bundled_kb.speakers["xi-jinping"], day) == "President"
    assert short_role(bundled_kb.speakers["wang-yi"], dt.date(2000, 1, 1)) is None


# ----------------------------------------------------------------------------- wording


def test_wording_helpers(bundled_kb: KnowledgeBase) -> None:
    assert plural(1, "source") == "1 source"
    assert plural(2, "source") == "2 sources"
    assert join_names(["A"]) == "A"
    assert join_names(["A", "B", "C"]) == "A, B and C"
    assert join_names(["A", "B", "C", "D", "E"]) == "A, B, C and 2 others"
    assert human_date(dt.date(2024, 12, 7)) == "7 Dec 2024"
    assert human_date(dt.date(2024, 12, 7), "month") == "Dec 2024"
    assert human_date(dt.date(2024, 12, 7), "year") == "2024"
    assert on_day(dt.date(2024, 12, 7)) == "on 7 Dec 2024"
    assert human_date(MonthOnly(2023, 5, 1)) == "May 2023"  # a date that knows its precision
    assert on_day(MonthOnly(2023, 5, 1)) == "in May 2023"
    assert bundled_kb.summary() == "11 statements, 2 speakers, 25 topics, 1 source"
    assert coverage(bundled_kb) == (
        "11 statements by Wang Yi and Xi Jinping, from 1 source (Xinhua), dated 17 Dec 2024"
    )


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [
        ("Same topic: China's policy toward the United States", 40,
         "Same topic: China's policy toward the…"),
        ("Short", 40, "Short"),
        ("Averyveryverylongwordwithoutspaces", 10, "Averyvery…"),
    ],
)  # fmt: skip
def test_labels_are_cut_at_a_word_boundary(text: str, limit: int, cut: str) -> None:
    assert cut_words(text, limit) == cut
    assert len(cut_words(text, limit)) <= limit


def test_the_inline_title_shows_the_part_that_matched(bundled_kb: KnowledgeBase) -> None:
    text = bundled_kb.by_id["xi-four-red-lines"].text
    excerpt = matched_excerpt(text, "red lines", 70)
    assert excerpt.startswith("…")
    assert "red lines" in excerpt
    assert len(excerpt) <= 70
    assert matched_excerpt(text, "", 70) == cut_words(text, 70)


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        ("thanks!", THANKS_REPLY),
        ("thank you so much", THANKS_REPLY),
        ("谢谢", THANKS_REPLY),
        ("bye", FAREWELL_REPLY),
        ("ok cool", OK_REPLY),
        ("hi", SMALLTALK_REPLY),
        ("who are you", SMALLTALK_REPLY),
    ],
)
def test_small_talk_gets_a_fitting_reply(question: str, reply: str) -> None:
    assert smalltalk_reply(Answer(question, Status.SMALLTALK)) == reply


def test_found_answers_render_cards(bundled_kb: KnowledgeBase) -> None:
    from bot.answers.render import answer_html

    item = bundled_kb.attributed(bundled_kb.by_id["wang-yi-opposes-suppression"])
    answer = Answer("q", Status.FOUND, (Match(item, 0.9),))
    assert answer_html(answer) == card_html(item)


def test_a_quote_whose_words_end_before_the_closing_mark_gets_no_trailing_ellipsis(
    make_kb: MakeKB,
) -> None:
    """'"… every boat, whatever the weather," she said': the speaker's words end there, so
    no "…" is added inside the quotation marks; where the source's sentence goes on, it is."""
    ending = SOURCE_TEXT.replace('whatever the weather." She', 'whatever the weather," she said.')
    cut = STATEMENTS_YAML.replace(
        "every boat, whatever the weather.", "every boat, whatever the weather"
    )
    kb = make_kb({SOURCE_TEXT_FILE: ending, STATEMENTS_FILE: cut}).load()
    item = kb.attributed(kb.by_id["quill-canals-open"])
    assert item.quote_ends
    assert "whatever the weather”</blockquote>" in card_html(item)

    shorter = STATEMENTS_YAML.replace("every boat, whatever the weather.", "every boat")
    kb = make_kb({STATEMENTS_FILE: shorter}).load()
    item = kb.attributed(kb.by_id["quill-canals-open"])
    assert not item.quote_ends
    assert "every boat …”</blockquote>" in card_html(item)
