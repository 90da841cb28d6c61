"""End-to-end: inline mode (`@policy_test_bot query` in any chat)."""

from __future__ import annotations

import pytest

from bot.answers.card import MAX_CARD_CHARS

from .botapi import parse_html
from .harness import (
    BotHandle,
    StartBot,
)

pytestmark = pytest.mark.timeout(30)

MAX_INLINE_RESULTS = 10
MAX_SENSIBLE_CACHE = 3600


def check_articles(results: list[dict[str, object]]) -> None:
    assert len(results) <= MAX_INLINE_RESULTS
    assert len({r["id"] for r in results}) == len(results)
    for result in results:
        assert result["type"] == "article"
        assert str(result["title"]).strip()
        assert str(result["description"]).strip()
        content = result["input_message_content"]
        assert isinstance(content, dict)
        assert content["parse_mode"] == "HTML"
        text, entities = parse_html(content["message_text"])  # valid Telegram HTML
        assert 0 < len(text) <= MAX_CARD_CHARS  # the answer card
        assert entities[0]["type"] == "blockquote"
        assert "\n— " in text  # who and when
        # a shared statement has a way back to the bot
        [[back]] = result["reply_markup"]["inline_keyboard"]  # type: ignore[index]
        assert back["url"] == f"https://t.me/policy_test_bot?start=s_{result['id']}"
        description = str(result["description"])
        words = [w.strip(",") for w in description.replace("·", " ").split() if len(w) > 3]
        assert len(set(words)) == len(words), description  # no name or date said twice


async def test_inline_query_offers_rendered_statements(bot_app: BotHandle) -> None:
    bot = bot_app
    answer = await bot.inline("red lines")
    results = answer["results"]
    assert results
    check_articles(results)
    first = results[0]
    assert first["id"] == "xi-four-red-lines"
    assert str(first["title"]).startswith("Xi Jinping: …")
    assert "red lines" in str(first["title"])  # the part that matched, not the opening words
    assert str(first["description"]) == (
        "17 Dec 2024 · President, relayed by Wang Yi, reported by Xinhua"
    )
    text, _ = parse_html(first["input_message_content"]["message_text"])
    assert text.startswith("…" + bot.kb.by_id["xi-four-red-lines"].text)
    assert "Xi Jinping" in text
    assert 0 < int(answer["cache_time"]) <= MAX_SENSIBLE_CACHE
    assert "button" not in answer


async def test_inline_query_with_several_matches_stays_within_ten(bot_app: BotHandle) -> None:
    answer = await bot_app.inline("cooperation", chat_type="supergroup")
    assert len(answer["results"]) > 1
    check_articles(answer["results"])


async def test_empty_inline_query_offers_the_newest_statements(bot_app: BotHandle) -> None:
    bot = bot_app
    answer = await bot.inline("")
    results = answer["results"]
    check_articles(results)
    assert [r["id"] for r in results] == [s.id for s in bot.kb.statements[:MAX_INLINE_RESULTS]]


async def test_empty_inline_query_pages_through_every_statement(bot_app: BotHandle) -> None:
    """Scrolling to the end asks for the next page with the ``next_offset`` given; the pages
    together are every statement, newest first, once each, and the last page says it is."""
    bot = bot_app
    seen: list[str] = []
    offset = ""
    for _page in range(len(bot.kb.statements)):
        answer = await bot.inline("", offset=offset)
        check_articles(answer["results"])
        seen += [r["id"] for r in answer["results"]]
        offset = answer.get("next_offset", "")
        if not offset:
            break
    assert seen == [s.id for s in bot.kb.statements]
    assert len(seen) > MAX_INLINE_RESULTS  # more than one page on the bundled knowledge base
    nonsense = await bot.inline("", offset="x" * 64)  # a client's offset is not trusted
    assert [r["id"] for r in nonsense["results"]][:1] == [bot.kb.statements[0].id]


@pytest.mark.parametrize("query", ["qwxz zzkj vvbn", "who won the world cup", "hi"])
async def test_inline_query_without_matches_returns_nothing_but_the_help_button(
    bot_app: BotHandle, query: str
) -> None:
    answer = await bot_app.inline(query)
    assert answer["results"] == []
    button = answer["button"]
    assert button["text"]
    assert button["start_parameter"]
    assert 0 < int(answer["cache_time"]) <= MAX_SENSIBLE_CACHE


async def test_the_help_button_deep_link_opens_the_help(bot_app: BotHandle) -> None:
    """Telegram sends `/start <start_parameter>` when the button is pressed."""
    answer = await bot_app.inline("qwxz zzkj")
    _, done = await bot_app.send(f"/start {answer['button']['start_parameter']}")
    [reply] = done.sent
    assert "How to ask" in reply["text"]


async def test_the_share_button_offers_exactly_that_statement(bot_app: BotHandle) -> None:
    bot = bot_app
    _, answer = await bot.ask("cooperation")
    [share] = [
        b
        for row in answer["reply_markup"]["inline_keyboard"]
        for b in row
        if "switch_inline_query" in b
    ]
    statement_id = share["switch_inline_query"]
    assert statement_id in bot.kb.by_id
    offered = await bot.inline(statement_id, chat_type="supergroup")
    [result] = offered["results"]
    assert result["id"] == statement_id
    check_articles([result])


async def test_inline_queries_have_a_per_user_limit(start_bot: StartBot) -> None:
    async with start_bot(POLICYBOT_USER_RATE_PER_MINUTE=1) as bot:  # 3 inline queries a minute
        for query in ("red lines", "taiwan", "cooperation"):
            assert (await bot.inline(query, user_id=777))["results"]
        slowed = await bot.inline("dialogue", user_id=777)
        assert slowed["results"] == []
        assert "wait a minute" in slowed["button"]["text"]
        mark = bot.mark()
        bot.api.inject_inline_query("trust", user_id=777)
        await bot.settle()
        assert bot.since(mark).of("answerInlineQuery") == []  # then nothing, until there is room
        assert (await bot.inline("trust"))["results"]  # others are not affected
