"""`policybot draft`: each attribution form news copy uses, on small made-up sentences.

The article-set scores (``test_draft_articles.py``) say how often the drafter is right; these
say what it does with each form on its own: who speaks, who relays, which kind, and which
words never become a speaker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge.models import KnowledgeFile
from bot.search.engine import SearchIndex
from bot.tools.draft import draft_statements

DAY = dt.date(2024, 3, 6)  # a Wednesday
SEED_ID = "xinhua-2024-12-18-wang-yi-china-us"
SEED = BUNDLED_KNOWLEDGE / "sources" / f"{SEED_ID}.txt"


def draft(body: str, **options: Any) -> dict[str, Any]:
    data = yaml.safe_load(draft_statements(f"Title\n\n{body}\n", None, published=DAY, **options))
    assert isinstance(data, dict)
    return data


def said(body: str) -> list[tuple[str, str | None, str]]:
    """(speaker's name or "unknown", relayer's name or None, kind) for each statement."""
    data = draft(body)
    names = {"unknown": "unknown"} | {p["id"]: p["name"] for p in data.get("speakers") or []}
    return [
        (names[s["speaker"]], names[s["relayed_by"]] if s.get("relayed_by") else None, s["kind"])
        for s in data["statements"]
    ]


def texts(body: str) -> list[str]:
    return [s["text"] for s in draft(body)["statements"]]


# ------------------------------------------------------------------------ who is speaking


@pytest.mark.parametrize(
    "sentence",
    [
        "Ada Quill said the canals would stay open.",
        "The canals will stay open, said Ada Quill.",
        "The canals will stay open, Minister Ada Quill said on Tuesday.",
        "Ada Quill, the canals minister, said the canals would stay open.",
        "Examplia's canals minister, Ada Quill, said the canals would stay open.",
        "The canals will stay open, according to Ada Quill.",
        "Ada Quill told reporters that the canals would stay open.",
        "Ada Quill also stressed that the canals would stay open.",
        "The canals will stay open, said at a briefing on Tuesday the official representative of "
        "the Ministry of Canals of Examplia Ada Quill.",
        "The canals will stay open, said on Tuesday the deputy chairman of the assembly "
        "committee on waterways Ada Quill.",
        "As Ada Quill recalled, the canals will stay open.",
        "Ada Quill was quoted as saying the canals would stay open.",
        "Ada Quill is quoted as saying the canals would stay open.",
        "Ada Quill welcomed the vote, saying the canals would stay open.",
        "Ada Quill emailed back to say that the canals would stay open.",
    ],
)
def test_the_forms_of_reported_speech(sentence: str) -> None:
    assert said(sentence) == [("Ada Quill", None, "reported")]


@pytest.mark.parametrize(
    "sentence",
    [
        '"The canals stay open," said Ada Quill.',
        '"The canals stay open," - said Ada Quill.',
        '"The canals stay open," Ada Quill added.',
        'Ada Quill said: "The canals stay open."',
        "'The canals stay open,' Ada Quill said.",  # British single quotation marks
    ],
)
def test_the_forms_of_a_quotation(sentence: str) -> None:
    assert said(sentence) == [("Ada Quill", None, "quote")]
    assert texts(sentence)[0].strip(".,") == "The canals stay open"


def test_a_surname_with_a_title_is_a_person_even_without_a_first_name() -> None:
    assert said("Mr Quill said the canals would stay open.") == [("Quill", None, "reported")]


def test_a_surname_means_the_full_name_given_anywhere_in_the_article() -> None:
    body = (
        "Canals are busy. Finance Secretary Odo Brightwater visited the docks.\n\n"
        '"The tolls will fall next year," Brightwater said.'
    )
    assert said(body) == [("Odo Brightwater", None, "quote")]


def test_pronouns_mean_the_subject_of_the_paragraph_else_the_last_speaker() -> None:
    body = (
        "Ada Quill said the canals would stay open.\n\n"
        'Odo Brightwater met the rowers. "The tolls will fall next year," he said.\n\n'
        'He was kind about Quill herself. "She rows better than anyone," he said.'
    )
    assert [s[0] for s in said(body)] == ["Ada Quill", "Odo Brightwater", "Odo Brightwater"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("the diplomat", "Ada Quill"),  # a bare role nobody was described as: the last speaker
        ("the minister", "Odo Brightwater"),  # the one the article described as minister
        ("the ambassador", "Cora Vane"),  # named where she did not speak
    ],
)
def test_role_nouns_mean_who_the_article_described_so(role: str, expected: str) -> None:
    body = (
        "Finance Minister Odo Brightwater opened the lock on Monday.\n\n"
        "The ambassador in Example City, Cora Vane, watched.\n\n"
        "Ada Quill said the canals would stay open.\n\n"
        f'"The tolls will fall next year," said {role}.'
    )
    assert said(body)[-1] == (expected, None, "quote")


def test_a_role_named_only_later_is_the_person_named() -> None:
    body = (
        "The canal board left tolls unchanged, but its chairman said a cut could come soon. "
        "Chairman Odo Brightwater spoke after the vote."
    )
    assert said(body) == [("Odo Brightwater", None, "reported")]


def test_an_unnamed_source_then_the_same_role_stays_unknown() -> None:
    body = (
        "A senior canal official, who asked not to be named, said the locks were old.\n\n"
        '"They will be replaced," the official said.'
    )
    assert said(body) == [("unknown", None, "reported"), ("unknown", None, "quote")]


@pytest.mark.parametrize(
    "sentence",
    [
        "The canals will stay open, the Examplian canal ministry said on Thursday.",
        "The Examplian central bank said the canals would stay open.",
        "On Thursday, Lanternburg said the canals would stay open.",  # a capital for its government
        "A spokesman for the canal ministry said the canals would stay open.",
        "A spokeswoman for the stock exchange said the canals would stay open.",
        "The two ministers agreed that the canals would stay open.",
        "Both sides stressed that the canals would stay open.",
        "The minutes said the canals would stay open.",
        "The company that runs the locks, Lockworks Hydro, said the canals would stay open.",
        "The representative of Examplia said the canals would stay open.",
        "In its annual report, it warned that the canals would close.",
        "The canals will stay open, Downing Street said.",
        "Lanternburg's spokesman said the canals would stay open.",  # unnamed, whoever's he is
        "One of them said the canals would stay open.",
        "The zoo in Lanternburg says the canals will stay open.",
        "The canals will stay open, according to Gazettia.",  # a lone name: news names people
    ],
)
def test_bodies_places_and_unnamed_sources_speak_as_unknown(sentence: str) -> None:
    body = f"Boats are moored in Lanternburg.\n\n{sentence}"
    data = draft(body)
    assert [s["speaker"] for s in data["statements"]] == ["unknown"]
    assert "speakers" not in data


@pytest.mark.parametrize(
    "sentence",
    [
        "Officials said the canals would stay open.",
        "He said the canals would stay open.",  # nobody named yet
        "The stated goal is open canals.",
        "The head of the guild was told that the canals would stay open.",  # told, not telling
        "That is not what the canal board said.",
    ],
)
def test_no_one_to_attribute_to_is_left_out(sentence: str) -> None:
    assert said(sentence) == []


def test_days_months_and_places_are_never_speakers() -> None:
    body = (
        "LANTERNBURG -- On Thursday, Lanternburg said the canals would stay open.\n\n"
        "In May, Ada Quill said tolls would fall. In Lanternburg, Odo Brightwater said so too."
    )
    data = draft(body)
    assert {p["name"] for p in data["speakers"]} == {"Ada Quill", "Odo Brightwater"}


# ------------------------------------------------------------------------ relayed speech


@pytest.mark.parametrize(
    "sentence",
    [
        "Ada Quill said Odo Brightwater stressed that the canals would stay open.",
        "Ada Quill said President Odo Brightwater had told her that the canals would stay open.",
        "As Ada Quill recalled, Odo Brightwater in April assured that the canals would stay open.",
        "Ada Quill conveyed the message of Odo Brightwater that the canals would stay open.",
        "Ada Quill went on to point out that in recent talks, Odo Brightwater had set out his "
        "plans, summarized the costs and promised that the canals would stay open.",
    ],
)
def test_a_third_persons_words_are_relayed(sentence: str) -> None:
    assert said(sentence) == [("Odo Brightwater", "Ada Quill", "reported")]


def test_a_role_inside_reported_speech_is_relayed() -> None:
    body = (
        "Interior Minister Cora Vane toured the locks.\n\n"
        "Ada Quill says the interior minister has assured her that the canals will stay open."
    )
    assert said(body) == [("Cora Vane", "Ada Quill", "reported")]


def test_a_relay_runs_on_into_the_next_sentence_by_the_same_person() -> None:
    body = (
        "Ada Quill said Odo Brightwater stressed that tolls would fall.\n\n"
        "Brightwater also stressed that the canals would stay open."
    )
    assert said(body) == [("Odo Brightwater", "Ada Quill", "reported")] * 2


def test_an_unnamed_relayer_leaves_relayed_by_empty() -> None:
    body = "Ada Quill has announced a new lock, according to a government spokesman."
    assert said(body) == [("Ada Quill", None, "reported")]


def test_a_quotation_inside_relayed_speech_is_the_third_persons() -> None:
    body = (
        "The spokesperson Ada Quill added that the board chairman, Odo Brightwater, had told "
        'the rowers that a closure would "damage the canals for a decade".'
    )
    assert said(body) == [("Odo Brightwater", "Ada Quill", "quote")]


def test_relayed_statements_are_written_with_relayed_by() -> None:
    text = "Title\n\nAda Quill said Odo Brightwater stressed that the canals would stay open.\n"
    out = draft_statements(text, None, published=DAY, publisher="Gazette")
    assert "    speaker: odo-brightwater  # new speaker: see speakers above\n" in out
    assert "    relayed_by: ada-quill  # new speaker: see speakers above\n" in out
    assert "  # relayed: check whose words these are and who passes them on\n" in out
    KnowledgeFile.model_validate(yaml.safe_load(out))


def test_unknown_speakers_are_written_for_a_human_to_fill_in() -> None:
    text = "Title\n\nThe canal ministry said the canals would stay open.\n"
    out = draft_statements(text, None, published=DAY)
    assert (
        '    speaker: unknown  # FILL IN: the article names no person ("The canal ministry")' in out
    )


# ------------------------------------------------------------------------ layouts


def test_a_press_conference_transcript() -> None:
    body = (
        "SPOKESPERSON QUILL: Good afternoon. The canals will stay open all winter.\n\n"
        'Q: Finance Secretary Odo Brightwater said on Monday that tolls would "fall by a tenth '
        'next year". Do you agree?\n\n'
        "SPOKESPERSON QUILL: We welcome that. As Finance Secretary Brightwater said last week, "
        "the treasury can afford it. We will say more soon.\n\n"
        "Reporter (Example Radio): The canal ministry said the locks were unsafe. Why?\n\n"
        "SPOKESPERSON QUILL: The locks are safe."
    )
    body = f"Press conference of Spokesperson Ada Quill, 5 March\n\n{body}"
    data = draft(body)
    assert said(body) == [
        ("Ada Quill", None, "quote"),
        ("Odo Brightwater", None, "quote"),  # a third party inside a question
        ("Ada Quill", None, "quote"),
        ("Odo Brightwater", "Ada Quill", "reported"),
        ("Ada Quill", None, "quote"),
        ("unknown", None, "reported"),
        ("Ada Quill", None, "quote"),
    ]
    assert data["statements"][0]["text"] == (
        "Good afternoon. The canals will stay open all winter."
    )


def test_an_interview_in_question_and_answer_form() -> None:
    body = (
        "Ada Quill became canals minister in May. The Gazette's Cora Vane met her.\n\n"
        "Gazette: Will tolls fall?\n\n"
        "Quill: Yes. President Odo Brightwater told me on Monday that the treasury can afford "
        "it. We will cut them by a tenth.\n\n"
        "Gazette: When?\n\n"
        "Quill: Next spring, I hope."
    )
    assert said(body) == [
        ("Ada Quill", None, "quote"),
        ("Odo Brightwater", "Ada Quill", "reported"),
        ("Ada Quill", None, "quote"),
        ("Ada Quill", None, "quote"),
    ]


def test_a_parliamentary_question_time() -> None:
    body = (
        "1. Ms Cora Vane (Lockside): What plans the Minister has for the canals.\n\n"
        "The Minister for Canals (Ms Ada Quill): The canals will stay open all winter.\n\n"
        "Ms Vane: The lock keeper, Odo Brightwater, told me the gates are failing. Will the "
        "Minister act?\n\n"
        "Ms Quill: Yes, this month."
    )
    assert said(body) == [
        ("Ada Quill", None, "quote"),
        ("Odo Brightwater", "Cora Vane", "reported"),
        ("Ada Quill", None, "quote"),
    ]


def test_a_published_speech() -> None:
    body = (
        "Speech by Ada Quill, Minister of Canals, to the Rowers' Guild on 5 March.\n\n"
        "Thank you all for coming. I want to talk about tolls.\n\n"
        "Last week the president, Odo Brightwater, told me that the treasury could afford a cut. "
        'A rower, Cora Vane, wrote to me: "The tolls are too high." She is right.'
    )
    assert said(body) == [
        ("Ada Quill", None, "quote"),
        ("Odo Brightwater", "Ada Quill", "reported"),
        ("Cora Vane", "Ada Quill", "quote"),
        ("Ada Quill", None, "quote"),
    ]


def test_an_introduced_quotation_in_the_next_paragraph() -> None:
    body = 'Minister for Canals Ada Quill said:\n\n"The canals will stay open all winter."'
    assert said(body) == [("Ada Quill", None, "quote")]


def test_an_account_after_a_quotation_is_the_speakers_too() -> None:
    body = (
        'Ada Quill said the tolls were "too high for rowers", noting that the treasury '
        "could afford a cut."
    )
    assert said(body) == [("Ada Quill", None, "quote"), ("Ada Quill", None, "reported")]


# ------------------------------------------------------------------------ stored articles


def test_an_article_already_stored_is_reported_not_drafted(bundled_index: SearchIndex) -> None:
    article = SEED.read_text(encoding="utf-8")
    rewrapped = "\n".join(" ".join(p.split()) for p in article.split("\n\n")) + "\n"
    out = draft_statements(rewrapped, bundled_index, article="wang.txt")
    assert out.startswith(
        f"# policybot draft: wang.txt is already in the knowledge base, as source '{SEED_ID}'"
    )
    assert all(line.startswith("#") for line in out.splitlines())
    assert yaml.safe_load(out) is None


def test_an_article_already_stored_is_drafted_under_a_new_id_when_asked(
    bundled_index: SearchIndex,
) -> None:
    out = draft_statements(SEED.read_text(encoding="utf-8"), bundled_index, source_id="copy")
    assert f"# NOTE: this article is already stored as source '{SEED_ID}'" in out
    assert yaml.safe_load(out)["statements"]


def test_the_seed_red_lines_are_xi_jinpings_relayed_by_wang_yi(
    bundled_index: SearchIndex,
) -> None:
    article = SEED.read_text(encoding="utf-8").replace(
        "Wang said these messages are", "Wang Yi said these messages are"
    )
    statements = yaml.safe_load(draft_statements(article, bundled_index))["statements"]
    by_start = {s["text"].split()[0] + " " + s["text"].split()[1]: s for s in statements}
    for opening in ("Wang went", "Xi stressed"):
        assert (by_start[opening]["speaker"], by_start[opening]["relayed_by"]) == (
            "xi-jinping",
            "wang-yi",
        )
    assert "relayed_by" not in by_start["Wang Yi"]
    assert by_start["Wang Yi"]["speaker"] == "wang-yi"


def test_the_seed_relay_without_a_knowledge_base() -> None:
    data = yaml.safe_load(draft_statements(SEED.read_text(encoding="utf-8"), None))
    relayed = [(s["speaker"], s.get("relayed_by")) for s in data["statements"]]
    assert relayed.count(("xi-jinping", "wang-yi")) == 2
    assert {p["id"] for p in data["speakers"]} == {"wang-yi", "xi-jinping"}


# ------------------------------------------------------------------------ any text at all

_PIECES = (
    "said says told added according to as recalled was quoted as saying , saying called on "
    "Ada Quill Odo the minister of for in at he she it one them Tuesday May Jan Lanternburg's "
    "Q: QUILL: Speech by 1. \" “ ” ‘ ’ ' ( ) — -- : ; , . ? that"
).split()


@given(st.lists(st.sampled_from([*_PIECES, "\n", "\n\n"]), max_size=60), st.booleans())
def test_any_text_drafts_without_error_and_verbatim(pieces: list[str], spaced: bool) -> None:
    text = (" " if spaced else "").join(pieces)
    data = yaml.safe_load(draft_statements(text, None)) or {}
    for statement in data.get("statements") or []:
        assert statement["text"] in text
