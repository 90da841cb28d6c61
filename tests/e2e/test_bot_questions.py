"""End-to-end: questions in private chats and groups, flood control, edits, long answers."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.answers.card import MAX_CARD_CHARS
from bot.answers.render import (
    COMPLAINT_REPLY,
    FAREWELL_REPLY,
    NOT_FOUND_REPLY,
    OK_REPLY,
    SMALLTALK_REPLY,
    THANKS_REPLY,
)
from bot.search.engine import SearchIndex
from handlers.texts import (
    ASK_USAGE,
    LAST_RESULT,
    NOTHING_FOUND_TO_CONTINUE,
    NOTHING_TO_CONTINUE,
    SLOW_DOWN,
)

from .harness import (
    GROUP_ID,
    MENTION,
    OTHER_USER_ID,
    SUPERGROUP_ID,
    USER_ID,
    BotHandle,
    StartBot,
    buttons,
    callback_data,
    copy_knowledge,
    reply_target,
    visible,
)

pytestmark = pytest.mark.timeout(30)

RED_LINES = "xi-four-red-lines"


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every question the search index is asked (a spy: the real search still runs)."""
    questions: list[str] = []
    original = SearchIndex.search

    def spy(self: SearchIndex, question: str, **kwargs: Any) -> Any:
        questions.append(question)
        return original(self, question, **kwargs)

    monkeypatch.setattr(SearchIndex, "search", spy)
    return questions


def is_answer_to(params: dict[str, Any], statement_id: str, bot: BotHandle) -> bool:
    """The message shows that statement's text, in a blockquote (quotes in quotation marks, a
    fragment that starts mid-sentence after an ellipsis)."""
    text = html.escape(bot.kb.by_id[statement_id].text)
    return any(f"<blockquote>{mark}{text}" in params["text"] for mark in ("", "“", "…", "“…"))


# ----------------------------------------------------------------------------- private chats


async def test_private_question_is_answered_with_text_speaker_role_date_and_source(
    bot_app: BotHandle,
) -> None:
    bot = bot_app
    question, answer = await bot.ask("What are China's red lines with the US?")
    assert reply_target(answer) == question["message_id"]
    assert answer["parse_mode"] == "HTML"
    assert is_answer_to(answer, RED_LINES, bot)
    shown = visible(answer)
    # the words first (a fragment: marked, not changed), then who, relayed by whom, when
    assert shown.startswith("…in recent interactions with relevant U.S. leaders")
    assert "\n— Xi Jinping, President, as relayed by Wang Yi on 17 Dec 2024\n" in shown
    assert shown.endswith("\nReported by Xinhua")
    assert len(shown) <= MAX_CARD_CHARS
    assert "China ready to maintain dialogue" not in shown  # the title is under Source
    stored = bot.message_for(answer)
    assert stored["reply_to_message"]["message_id"] == question["message_id"]
    assert stored["entities"][0]["type"] == "blockquote"
    assert callback_data(answer) == [
        "tp:taiwan:0:a0",  # not the topic every statement shares
        f"src:{RED_LINES}:0",
        f"fb:{RED_LINES}:1",
        f"fb:{RED_LINES}:0",
    ]
    assert [b["text"] for b in buttons(answer)] == [
        "Same topic: Taiwan",
        "Source",
        "↗ Share",
        "👍 Helpful",
        "👎 Not helpful",
    ]


async def test_a_direct_quote_from_wang_yi_shows_his_role_then(bot_app: BotHandle) -> None:
    _, answer = await bot_app.ask("Is China's US policy stable?")
    assert is_answer_to(answer, "wang-yi-policy-stability-quote", bot_app)
    shown = visible(answer)
    assert "— Wang Yi, Foreign Minister · 17 Dec 2024" in shown
    assert shown.endswith("Direct quote · Xinhua")
    assert "“China's policy toward the United States has maintained" in shown
    # the stored quote ends without a full stop, but so do his quoted words in the source
    # ('… a big country," Wang said'): nothing is marked as cut
    assert "the broad mind of a big country”" in shown


async def test_unknown_question_says_i_dont_know_and_suggests_topics(bot_app: BotHandle) -> None:
    question, answer = await bot_app.ask("who won the world cup")
    assert reply_target(answer) == question["message_id"]
    shown = visible(answer)
    assert shown.startswith(NOT_FOUND_REPLY)
    assert "<blockquote>" not in answer["text"]
    assert "Nearest topics:" in shown
    data = callback_data(answer)
    assert data
    assert all(re.fullmatch(r"tp:[a-z0-9-]+:0:a0", d) for d in data)


@pytest.mark.parametrize(
    ("text", "expected"), [("thanks!", THANKS_REPLY), ("thank you so much", THANKS_REPLY),
                           ("bye", FAREWELL_REPLY), ("谢谢", THANKS_REPLY),
                           ("never mind", OK_REPLY), ("lol", OK_REPLY),
                           ("you're useless", COMPLAINT_REPLY)]
)  # fmt: skip
async def test_thanks_and_goodbyes_get_fitting_replies(
    bot_app: BotHandle, text: str, expected: str
) -> None:
    _, answer = await bot_app.ask(text)
    assert visible(answer) == expected


async def test_typing_more_continues_the_last_answer(bot_app: BotHandle) -> None:
    bot = bot_app
    _, done = await bot.send("more")
    assert visible(done.sent[0]) == NOTHING_TO_CONTINUE
    total = len(bot.services.library.index.search("cooperation").matches)
    assert total >= 3
    await bot.ask("cooperation")
    words = ["more", "Next", "more please", "another", "more results"][: total - 1]
    for page, word in zip(range(2, total + 1), words, strict=True):
        question, answer = await bot.ask(word)
        assert reply_target(answer) == question["message_id"]
        assert visible(answer).startswith(f"{page}/{total}\n")
        assert f"more::{page - 2}" in callback_data(answer)  # ◂ Previous, on the new message
    question, answer = await bot.ask("more")
    assert visible(answer) == visible(LAST_RESULT.format(question="cooperation"))


async def test_more_after_a_question_nothing_answered_says_so(bot_app: BotHandle) -> None:
    bot = bot_app
    _, declined = await bot.ask("who won the football world cup")
    assert not bot.services.library.index.search("who won the football world cup").answered
    assert "<blockquote>" not in declined["text"]
    _, answer = await bot.ask("more")
    expected = NOTHING_FOUND_TO_CONTINUE.format(question="who won the football world cup")
    assert visible(answer) == visible(expected)


async def test_more_as_a_reply_in_a_group_continues_that_answer(bot_app: BotHandle) -> None:
    bot = bot_app
    _, first = await bot.ask("/ask cooperation", chat_type="group")
    await bot.ask("/ask red lines", chat_type="group", user_id=OTHER_USER_ID)
    question = bot.api.inject_message(
        f"{MENTION} more",
        chat_type="group",
        reply_to_message_id=bot.message_for(first)["message_id"],
    )
    answer = await bot.reply_to(question)
    assert visible(answer).startswith("2/")
    total = len(bot.services.library.index.search("cooperation").matches)
    # replying "more" to the same first answer again goes on: 3/, 4/, … then the last result
    for page in range(3, total + 2):
        again = bot.api.inject_message(
            f"{MENTION} more",
            chat_type="group",
            reply_to_message_id=bot.message_for(first)["message_id"],
        )
        answer = await bot.reply_to(again)
        if page <= total:
            assert visible(answer).startswith(f"{page}/{total}\n")
        else:
            assert visible(answer) == visible(LAST_RESULT.format(question="cooperation"))
    # and "more" as a reply to that last-result message is still about the same question
    after_last = bot.api.inject_message(
        f"{MENTION} more",
        chat_type="group",
        reply_to_message_id=bot.message_for(answer)["message_id"],
    )
    answer = await bot.reply_to(after_last)
    assert visible(answer) == visible(LAST_RESULT.format(question="cooperation"))


async def test_small_talk_gets_the_friendly_reply(bot_app: BotHandle) -> None:
    question, answer = await bot_app.ask("hi")
    assert visible(answer).startswith(SMALLTALK_REPLY)
    example = bot_app.app.bot_data.services.library.index.example_questions(1)[0]
    assert f"Try: “{example}”" in visible(answer)  # from the knowledge base, not hard-coded
    assert reply_target(answer) == question["message_id"]
    assert callback_data(answer) == []


async def test_unknown_private_command_gets_the_unknown_command_reply(bot_app: BotHandle) -> None:
    _, done = await bot_app.send("/frobnicate now")
    [reply] = done.sent
    assert "I don't know that command" in visible(reply)


async def test_a_very_long_question_is_read_in_part_and_answered(bot_app: BotHandle) -> None:
    question, answer = await bot_app.ask("What are the red lines " + "please tell me " * 400)
    assert reply_target(answer) == question["message_id"]
    assert len(answer["text"]) <= 4096
    assert "only its first" in visible(answer)


async def test_a_long_message_is_answered_from_its_question(bot_app: BotHandle) -> None:
    context = "I keep reading about this and would like to understand it properly. " * 10
    question, answer = await bot_app.ask(context + "So: what are the red lines?")
    assert reply_target(answer) == question["message_id"]
    assert "I answered its question" in visible(answer)


HOSTILE = [
    "<b>red lines</b> & co",
    "<script>alert(1)</script>",
    "&amp; &lt; &#0; &#xD800; &nbsp;",
    "red lines\u200b\u202e\ufeff",
    "ǅ 🏳️‍🌈 𝔯𝔢𝔡 𝔩𝔦𝔫𝔢𝔰",
    "\u0000\u0001 red lines",
    "红线 台湾",
    "?" * 300,
    '"; DROP TABLE events; --',
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_is_answered_with_valid_html(bot_app: BotHandle, text: str) -> None:
    """Whatever the user types, the reply is valid HTML (the fake refuses anything else)."""
    bot = bot_app
    question, answer = await bot.ask(text)
    assert reply_target(answer) == question["message_id"]
    _, done = await bot.send(f"/topic {text}")
    assert len(done.sent) == 1
    _, done = await bot.send(f"/speaker {text}")
    assert len(done.sent) == 1
    _, done = await bot.send(f"/ask {text}", chat_type="supergroup")
    assert len(done.sent) == 1
    assert (await bot.inline(text[:256]))["results"] is not None
    assert await bot.failed_calls() == []


async def test_a_user_flooding_a_private_chat_gets_one_notice(start_bot: StartBot) -> None:
    async with start_bot(POLICYBOT_USER_RATE_PER_MINUTE=3) as bot:
        mark = bot.mark()
        for n in range(7):
            bot.api.inject_message(f"red lines {n}")
        await bot.settle()
        sent = [visible(p) for p in bot.since(mark).sent]
        assert len(sent) == 4
        assert all(text.startswith("…in recent interactions") for text in sent[:3])
        assert sent[3] == SLOW_DOWN
        # another user is not affected
        _, answer = await bot.ask("red lines", user_id=OTHER_USER_ID)
        assert is_answer_to(answer, RED_LINES, bot)


# ----------------------------------------------------------------------------- groups


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
@pytest.mark.parametrize("text", ["/ask what are the red lines?", "/ask@policy_test_bot red lines"])
async def test_ask_in_groups(
    bot_app: BotHandle, asked: list[str], chat_type: str, text: str
) -> None:
    question, answer = await bot_app.ask(text, chat_type=chat_type)
    assert answer["chat_id"] == (GROUP_ID if chat_type == "group" else SUPERGROUP_ID)
    assert reply_target(answer) == question["message_id"]
    assert is_answer_to(answer, RED_LINES, bot_app)
    assert asked == [text.split(" ", 1)[1]]


async def test_ask_without_a_question_explains_how(bot_app: BotHandle) -> None:
    _, done = await bot_app.send("/ask", chat_type="group")
    [reply] = done.sent
    topic = bot_app.app.bot_data.services.library.index.examples().topic
    assert visible(reply) == visible(ASK_USAGE.format(topic=topic))


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_a_mention_is_a_question_without_the_mention(
    bot_app: BotHandle, asked: list[str], chat_type: str
) -> None:
    question, answer = await bot_app.ask(
        f"hey {MENTION} what are the red lines?", chat_type=chat_type
    )
    assert reply_target(answer) == question["message_id"]
    assert is_answer_to(answer, RED_LINES, bot_app)
    assert asked == ["hey what are the red lines?"]


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_a_reply_to_the_bot_is_a_question(
    bot_app: BotHandle, asked: list[str], chat_type: str
) -> None:
    bot = bot_app
    await bot.ask("/ask red lines", chat_type=chat_type)
    question, answer = await bot.ask(
        "and what about taiwan?", chat_type=chat_type, user_id=OTHER_USER_ID, reply_to_bot=True
    )
    assert reply_target(answer) == question["message_id"]
    assert asked == ["red lines", "and what about taiwan?"]
    assert "<blockquote>" in answer["text"]


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_chatter_is_ignored(
    bot_app: BotHandle, asked: list[str], chat_type: str
) -> None:
    bot = bot_app
    mark = bot.mark()
    chatter = [
        "what are the red lines?",  # a question, but not addressed to the bot
        "/topics@some_other_bot",
        "hi everyone",
        "@policy_test_botnet is a different account",
    ]
    for text in chatter:
        bot.api.inject_message(text, chat_type=chat_type)
    # a reply to another user's message is not addressed to the bot either
    first = bot.api.inject_message("so?", chat_type=chat_type, user_id=OTHER_USER_ID)
    bot.api.inject_message(
        "red lines!", chat_type=chat_type, reply_to_message_id=first["message_id"]
    )
    question, answer = await bot.ask("/ask red lines", chat_type=chat_type)
    await bot.settle()
    done = bot.since(mark)
    assert done.sent == [answer]
    assert reply_target(answer) == question["message_id"]
    assert asked == ["red lines"]
    assert done.methods == ["sendMessage"]


async def test_questions_in_a_group_are_answered_in_turn_never_refused(
    start_bot: StartBot, asked: list[str]
) -> None:
    """No per-chat cool-down refuses anyone (the default POLICYBOT_GROUP_COOLDOWN is 0, and a
    cool-down only makes later answers wait: see tests/test_limits.py)."""
    async with start_bot(POLICYBOT_GROUP_COOLDOWN=0) as bot:
        mark = bot.mark()
        flood = [
            bot.api.inject_message(f"/ask red lines {n}", chat_type="supergroup", user_id=uid)
            for n, uid in enumerate([USER_ID, OTHER_USER_ID, USER_ID, OTHER_USER_ID, 777])
        ]
        flood.append(
            bot.api.inject_message(f"{MENTION} taiwan?", chat_type="supergroup", user_id=778)
        )
        await bot.settle()
        sent = bot.since(mark).sent
        assert [reply_target(p) for p in sent] == [m["message_id"] for m in flood]
        assert all(is_answer_to(p, RED_LINES, bot) for p in sent[:5])
        assert SLOW_DOWN not in [visible(p) for p in sent]
        assert asked == [*(f"red lines {n}" for n in range(5)), "taiwan?"]

        # another group is answered meanwhile, and so is a private chat
        _, other = await bot.ask("/ask red lines", chat_type="group")
        assert other["chat_id"] == GROUP_ID
        assert is_answer_to(other, RED_LINES, bot)
        await bot.ask("taiwan")


# ----------------------------------------------------------------------------- edits


async def test_editing_a_question_edits_the_answer(bot_app: BotHandle) -> None:
    bot = bot_app
    question, answer = await bot.ask("red lines")
    stored = bot.message_for(answer)
    done = await bot.edit(question, "Is China's US policy stable?")
    assert done.sent == []
    [edit] = done.edits
    assert edit["chat_id"] == USER_ID
    assert edit["message_id"] == stored["message_id"]
    assert is_answer_to(edit, "wang-yi-policy-stability-quote", bot)
    current = bot.current(stored)
    assert "“China's policy toward the United States" in current["text"]
    assert "fb:wang-yi-policy-stability-quote:1" in callback_data(current)

    # an edit whose answer is the same (a typo fixed, a word added) makes no call at all:
    # Telegram would refuse an edit that changes nothing
    again = await bot.edit(question, "Is Chinas US policy stable??")
    assert again.sent == []
    assert again.edits == []


async def test_editing_an_ask_in_a_group_edits_the_answer(bot_app: BotHandle) -> None:
    bot = bot_app
    question, answer = await bot.ask("/ask red lines", chat_type="group")
    answer_id = bot.message_for(answer)["message_id"]
    done = await bot.edit(question, "/ask Is China's US policy stable?")
    assert done.sent == []
    [edit] = done.edits
    assert edit["message_id"] == answer_id
    assert is_answer_to(edit, "wang-yi-policy-stability-quote", bot)


async def test_an_edit_that_withdraws_the_question_leaves_the_answer(bot_app: BotHandle) -> None:
    """Edited into chat not addressed to the bot, or into small talk, the question is
    withdrawn, not replaced by a greeting: the answer stays as it was."""
    bot = bot_app
    question, _ = await bot.ask("/ask red lines", chat_type="group")
    done = await bot.edit(question, "never mind")
    assert done.sent == []
    assert done.edits == []
    private_question, _ = await bot.ask("red lines")
    done = await bot.edit(private_question, "thanks")
    assert done.sent == []
    assert done.edits == []


async def test_editing_a_mention_in_a_group_edits_the_answer(bot_app: BotHandle) -> None:
    bot = bot_app
    question, answer = await bot.ask(f"{MENTION} red lines", chat_type="supergroup")
    stored = bot.message_for(answer)
    done = await bot.edit(question, f"{MENTION} Is China's US policy stable?")
    assert done.sent == []
    [edit] = done.edits
    assert edit["message_id"] == stored["message_id"]
    assert is_answer_to(edit, "wang-yi-policy-stability-quote", bot)


# ----------------------------------------------------------------------------- long answers

GAZETTE_SOURCE = "gazette-2024-03-02-canal-doctrine"
LONG_ID = "quill-canal-doctrine"


SENTENCES = {
    "sparse": "Clause {n} of the canal doctrine holds that boats <b>& barges share every lock "
    "on the Grand Canal, and that clause {n} may never be read alone.",
    "dense": "Clause {n}: \"boats\" <b>&</b> 'barges' & <locks> share the canal's water & tolls.",
}


def long_statement(density: str, length: int = 6000) -> str:
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < length:
        parts.append(SENTENCES[density].format(n=len(parts) + 1))
    return " ".join(parts)


def gazette_yaml(text: str) -> str:
    return f"""\
speakers:
  - id: ada-quill
    name: Ada Quill
    aliases: [Chancellor Quill]
    roles:
      - title: Chancellor of the Republic of Examplia
        from: 2020-01-01
topics:
  - id: canal-policy
    name: Canal policy
    aliases: [canals, canal doctrine, waterways]
source:
  id: {GAZETTE_SOURCE}
  title: Quill sets out the canal doctrine
  publisher: The Example Gazette
  url: null
  published: 2024-03-02
  language: en
statements:
  - id: {LONG_ID}
    speaker: ada-quill
    date: 2024-03-01
    kind: position
    text: {json.dumps(text)}
    topics: [canal-policy]
    questions:
      - What is the canal doctrine of Examplia?
  - id: quill-canals-2023
    speaker: ada-quill
    date: 2023-06-01
    kind: position
    text: Ada Quill wants the canals of Examplia open to lantern boats at night.
    topics: [canal-policy]
  - id: quill-canals-2022
    speaker: ada-quill
    date: 2022-05-01
    kind: position
    text: Ada Quill promised that the canals of Examplia would be dredged.
    topics: [canal-policy]
"""


@pytest.fixture(params=["sparse", "dense"])
def gazette_knowledge(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    text = long_statement(request.param)
    assert len(text) >= 6000
    return copy_knowledge(
        tmp_path / "knowledge",
        {f"statements/{GAZETTE_SOURCE}.yaml": gazette_yaml(text)},
    )


async def test_a_long_statement_is_trimmed_at_a_sentence_within_the_limit(
    start_bot: StartBot, gazette_knowledge: Path
) -> None:
    async with start_bot(POLICYBOT_KNOWLEDGE_DIR=gazette_knowledge) as bot:
        original = bot.kb.by_id[LONG_ID].text
        _, answer = await bot.ask("What is the canal doctrine of Examplia?")
        assert len(answer["text"]) <= 4096
        stored = bot.message_for(answer)  # the fake accepted it: valid HTML, within 4096
        quote = next(e for e in stored["entities"] if e["type"] == "blockquote")
        shown = stored["text"][quote["offset"] : quote["offset"] + quote["length"]]
        assert shown.endswith(" …")
        kept = shown.removesuffix(" …")
        assert original.startswith(kept)  # escaped once: "<b>&" shows as typed
        assert "<b>&" in kept
        assert kept.endswith(".")  # a whole sentence, not a cut word
        assert original[len(kept)] == " "
        assert "shortened; the full text is under Source" in stored["text"]
        assert "The Example Gazette" in stored["text"]
        assert len(kept) > 200
        assert len(stored["text"]) <= MAX_CARD_CHARS

        # one tap away: the Source view has far more of it, still within one message
        done = await bot.press(f"src:{LONG_ID}:0", stored)
        [details] = done.edits
        assert len(details["text"]) <= 4096
        shown = bot.current(stored)["text"]
        assert "shortened; the full text is in the source" in shown
        assert len(shown) > 2000


async def test_timeline_lists_a_topic_newest_first(
    start_bot: StartBot, gazette_knowledge: Path
) -> None:
    async with start_bot(POLICYBOT_KNOWLEDGE_DIR=gazette_knowledge) as bot:
        _, answer = await bot.ask("What is the canal doctrine of Examplia?")
        assert "tp:canal-policy:0:a0" in callback_data(answer)
        done = await bot.press("tp:canal-policy:0:a0", bot.message_for(answer))
        [listing] = done.edits
        shown = visible(listing)
        assert shown.startswith("Canal policy (3 statements, newest first)")
        dates = re.findall(r"^\d+\. (\d+ \w{3} \d{4}) — Ada Quill", shown, re.MULTILINE)
        assert dates == ["1 Mar 2024", "1 Jun 2023", "1 May 2022"]
        assert callback_data(listing) == [
            "tpi:canal-policy:0:a0",
            "tpi:canal-policy:1:a0",
            "tpi:canal-policy:2:a0",
            "more::0",  # ◂ Back to the answer
        ]
        assert len(listing["text"]) <= 4096
