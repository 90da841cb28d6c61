"""Tests of the fake Bot API server itself, driven by PTB's real ``Bot`` and ``Application``.

These pin down the behaviour the end-to-end tests rely on: if the fake drifted from Telegram
(wrong envelope, lenient validation, lost or duplicated updates, faults that PTB does not see
as the intended exception), every e2e test built on it would prove less than it claims.
"""

import asyncio
import datetime as dtm
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from .botapi import DEFAULT_USER_ID, FakeBotAPI

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
async def bot(botapi: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(botapi.token, base_url=botapi.base_url) as bot:
        yield bot


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def raw_post(botapi: FakeBotAPI, method: str, **kwargs: Any) -> tuple[int, Any]:
    """Bypass PTB to check the exact HTTP status and body the fake produces."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{botapi.base_url}{botapi.token}/{method}", **kwargs) as response,
    ):
        return response.status, json.loads(await response.text())


# ------------------------------------------------------------------ basics


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (
        123456,
        True,
        "PolicyBot",
        "policy_test_bot",
    )
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is True


async def test_wrong_token_and_unknown_method_answer_like_telegram(
    botapi: FakeBotAPI, bot: Bot
) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=botapi.base_url) as other:
            await other.get_me()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{botapi.base_url}999:WRONG/getMe") as response,
    ):
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    assert await raw_post(botapi, "noSuchMethod") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, body = await raw_post(botapi, "GETME")  # method names are case-insensitive
    assert status == 200
    assert body["result"]["username"] == "policy_test_bot"


async def test_send_message_round_trip_is_recorded(botapi: FakeBotAPI, bot: Bot) -> None:
    question = botapi.inject_message("What is the policy?")
    chat_id = question["chat"]["id"]
    sent = await bot.send_message(
        chat_id,
        "Answer with <i>sources</i>",
        parse_mode="HTML",
        reply_markup=keyboard("more", "less"),
        reply_parameters=ReplyParameters(question["message_id"]),
    )
    assert sent.message_id == question["message_id"] + 1
    assert sent.from_user is not None
    assert sent.from_user.id == botapi.bot_id
    assert sent.chat.id == chat_id
    assert sent.text == "Answer with sources"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("italic", 12, 7)]
    assert sent.reply_markup == keyboard("more", "less")
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "What is the policy?"
    # The call is recorded with its parameters decoded from PTB's form encoding.
    method, params = botapi.calls[-1]
    assert method == "sendMessage"
    assert params["chat_id"] == chat_id
    assert params["text"] == "Answer with <i>sources</i>"
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "more"
    assert params["reply_parameters"] == {"message_id": question["message_id"]}

    edited = await bot.edit_message_text("Shorter", chat_id=chat_id, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    assert edited.edit_date is not None
    [current] = botapi.sent_messages(chat_id)
    assert current["text"] == "Shorter"
    assert "reply_markup" not in current  # editMessageText without a keyboard removes it
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Shorter", chat_id=chat_id, message_id=sent.message_id)
    assert await bot.delete_message(chat_id, sent.message_id) is True
    assert botapi.sent_messages() == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(chat_id, sent.message_id)


async def test_sending_to_an_unknown_chat_fails(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(777, "hello")


async def test_json_and_multipart_bodies_are_accepted(botapi: FakeBotAPI) -> None:
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    status, body = await raw_post(
        botapi, "sendMessage", json={"chat_id": chat_id, "text": "1", "reply_markup": markup}
    )
    assert status == 200
    assert body["result"]["reply_markup"] == markup
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat_id))
    form.add_field("text", "123")  # stays a string although it looks like JSON
    form.add_field("reply_markup", json.dumps(markup))
    form.add_field("document", b"bytes", filename="x.txt")  # forces multipart/form-data
    status, body = await raw_post(botapi, "sendMessage", data=form)
    assert status == 200
    assert body["result"]["text"] == "123"
    assert botapi.calls[-1][1]["reply_markup"] == markup


async def test_injected_messages_look_like_telegrams(botapi: FakeBotAPI, bot: Bot) -> None:
    text = "😀 hi @policy_test_bot and /help@policy_test_bot"
    asked = botapi.inject_message(text, chat_type="supergroup", message_thread_id=7)
    assert asked["entities"] == [  # UTF-16 offsets: the emoji counts 2
        {"type": "mention", "offset": 6, "length": 16},
        {"type": "bot_command", "offset": 27, "length": 21},
    ]
    assert asked["chat"]["type"] == "supergroup"
    assert asked["is_topic_message"] is True
    chat_id = asked["chat"]["id"]
    with pytest.raises(ValueError, match="sent nothing"):
        botapi.inject_message("?", chat_id=chat_id, chat_type="supergroup", reply_to_bot=True)

    sent = await bot.send_message(chat_id, "first", message_thread_id=7)
    assert sent.message_thread_id == 7
    await bot.edit_message_text("first, edited", chat_id=chat_id, message_id=sent.message_id)
    reply = botapi.inject_message(
        "thanks", chat_id=chat_id, chat_type="supergroup", user_id=99, reply_to_bot=True
    )
    assert reply["reply_to_message"]["message_id"] == sent.message_id
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == [text, "thanks"]
    assert updates[1].message is not None
    replied = updates[1].message.reply_to_message
    assert replied is not None
    assert replied.from_user is not None
    assert replied.from_user.id == botapi.bot_id
    assert replied.text == "first, edited"  # the message as it is now, edits applied


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>bold</i>", 'Unmatched end tag at byte offset 7, expected "</b>", found "</i>"'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("Ünïcödé <br>", 'Unsupported start tag "br" at byte offset 12'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("Tom & Jerry", 'Character "&" must be escaped'),
        ('<a href="https://x.org/?a=1&b=2">x</a>', 'Character "&" must be escaped'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;"'),
        ("2 > 1", 'Character ">" must be escaped'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ('<b style="x">s</b>', 'Unsupported attribute "style" in tag "b"'),
        ("<code><b>x</b></code>", 'Tag "b" can\'t be nested inside "code"'),
        (
            "<blockquote><blockquote>x</blockquote></blockquote>",
            'Tag "blockquote" can\'t be nested',
        ),
    ],
)
async def test_invalid_html_is_rejected(
    botapi: FakeBotAPI, bot: Bot, text: str, problem: str
) -> None:
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(chat_id, text, parse_mode="HTML")
    # PTB drops "Bad Request: " and str.capitalize()s the rest, lowering everything after.
    assert ("Can't parse entities: " + problem).lower() in caught.value.message.lower()
    assert botapi.sent_messages() == []
    [(_, params)] = await botapi.wait_for("sendMessage", include_failed=True)
    assert params["text"] == text


async def test_valid_html_yields_utf16_entities(botapi: FakeBotAPI, bot: Bot) -> None:
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    html = (
        '😀 <b>bold <i>both</i></b> <a href="https://example.org/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x &lt; 1</code></pre>'
        '<blockquote expandable>q</blockquote> <span class="tg-spoiler">s</span> &#128512;'
    )
    sent = await bot.send_message(chat_id, html, parse_mode="HTML")
    assert sent.text == "😀 bold both link x < 1q s 😀"
    entities = [(e.type, e.offset, e.length, e.url, e.language) for e in sent.entities]
    assert entities == [
        ("bold", 3, 9, None, None),  # the emoji before it counts as 2 UTF-16 units
        ("italic", 8, 4, None, None),
        ("text_link", 13, 4, "https://example.org/?a=1&b=2", None),
        ("pre", 18, 5, None, "python"),
        ("expandable_blockquote", 23, 1, None, None),
        ("spoiler", 25, 1, None, None),
    ]


async def test_message_length_is_counted_in_utf16_after_parsing(
    botapi: FakeBotAPI, bot: Bot
) -> None:
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    await bot.send_message(chat_id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(chat_id, "&lt;" * 4096, parse_mode="HTML")
    await bot.send_message(chat_id, "😀" * 2048)  # 4096 UTF-16 units
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(chat_id, "😀" * 2049)  # 2049 characters, 4098 units
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(chat_id, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(chat_id, "<b> </b>", parse_mode="HTML")
    assert len(botapi.sent_messages()) == 3


async def test_callback_data_over_64_bytes_is_rejected(botapi: FakeBotAPI, bot: Bot) -> None:
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    await bot.send_message(chat_id, "ok", reply_markup=keyboard("x" * 64))
    for data in ("x" * 65, "é" * 33):  # 65 and 66 bytes of UTF-8
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(chat_id, "too long", reply_markup=keyboard(data))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.edit_message_reply_markup(
            chat_id, botapi.sent_messages()[0]["message_id"], reply_markup=keyboard("y" * 65)
        )
    assert [m["text"] for m in botapi.sent_messages()] == ["ok"]


# ------------------------------------------------------------------ updates


async def test_long_poll_returns_as_soon_as_an_update_is_injected(
    botapi: FakeBotAPI, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await botapi.wait_arrived("getUpdates", in_flight=True)  # held: nothing to deliver
    assert not poll.done()
    botapi.inject_message("hello")
    updates = await asyncio.wait_for(poll, 5)  # well before the poll's own 60 s
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_long_poll_is_held_then_times_out_empty(botapi: FakeBotAPI, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=1)))
    await botapi.wait_arrived("getUpdates", in_flight=True)
    assert not poll.done()  # not answered at once
    assert await asyncio.wait_for(poll, 5) == ()
    [(_, params)] = await botapi.wait_for("getUpdates")
    assert params["timeout"] == 1


async def test_offset_acknowledges_and_failed_polls_redeliver(botapi: FakeBotAPI, bot: Bot) -> None:
    for i in range(3):
        botapi.inject_message(f"m{i}")
    ids = [u["update_id"] for u in botapi.pending_updates]
    assert ids == sorted(set(ids))
    assert len(ids) == 3
    assert [u.update_id for u in await bot.get_updates()] == ids  # unconfirmed: still there
    assert [u.update_id for u in await bot.get_updates(limit=1)] == ids[:1]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]  # ids[0] gone for good

    botapi.fail_next("getUpdates", status=500)
    with pytest.raises(NetworkError):
        await bot.get_updates(offset=ids[2])
    botapi.drop_next("getUpdates", after_processing=True)  # computed, but never delivered
    with pytest.raises(NetworkError):
        await bot.get_updates(offset=ids[2])
    redelivered = await bot.get_updates(offset=ids[2])
    assert [u.update_id for u in redelivered] == ids[2:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert botapi.pending_updates == []
    botapi.inject_message("later")
    assert botapi.pending_updates[0]["update_id"] > ids[2]  # ids keep increasing


async def test_second_bot_instance_polling_terminates_the_first_with_conflict(
    botapi: FakeBotAPI, bot: Bot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await botapi.wait_arrived("getUpdates", in_flight=True)
    async with Bot(botapi.token, base_url=botapi.base_url) as twin:
        second = asyncio.create_task(twin.get_updates(timeout=5))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 2)
        botapi.inject_message("x")
        assert len(await asyncio.wait_for(second, 2)) == 1


async def test_callback_and_inline_queries(botapi: FakeBotAPI, bot: Bot) -> None:
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    await bot.send_message(chat_id, "choose", reply_markup=keyboard("yes", "no"))
    with pytest.raises(ValueError, match="no button"):
        botapi.inject_callback_query("maybe")
    query = botapi.inject_callback_query("yes")
    inline = botapi.inject_inline_query("policy", chat_type="private")
    updates = await bot.get_updates()
    [cq] = [u.callback_query for u in updates if u.callback_query]
    assert cq.data == "yes"
    assert isinstance(cq.message, Message)
    assert cq.message.text == "choose"
    assert await cq.answer("Noted") is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query["id"])
    assert botapi.answered_callback_queries[0]["text"] == "Noted"
    result = InlineQueryResultArticle("1", "Policy", InputTextMessageContent("text"))
    assert await bot.answer_inline_query(inline["id"], [result]) is True
    assert botapi.inline_answers[0]["results"][0]["title"] == "Policy"
    edited = botapi.inject_edited_message(chat_id, 1, "hi again")
    assert edited["edit_date"] >= edited["date"]
    assert edited["text"] == "hi again"


async def test_commands_chat_and_members(botapi: FakeBotAPI, bot: Bot) -> None:
    group = botapi.inject_message("hi", chat_type="group", chat_title="Policy fans")
    group_id = group["chat"]["id"]
    scope = BotCommandScopeChat(group_id)
    await bot.set_my_commands([BotCommand("ask", "Ask a question")], scope=scope)
    await bot.set_my_commands([BotCommand("frage", "Frage stellen")], language_code="de")
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["ask"]
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["frage"]
    assert await bot.get_my_commands() == ()
    assert botapi.my_commands(language_code="de")[0]["command"] == "frage"
    assert await bot.delete_my_commands(language_code="de") is True
    assert await bot.get_my_commands(language_code="de") == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])

    chat = await bot.get_chat(group_id)
    assert (chat.type, chat.title) == ("group", "Policy fans")
    assert (await bot.get_chat_member(group_id, DEFAULT_USER_ID)).status == "member"
    botapi.set_chat_member(group_id, DEFAULT_USER_ID, "administrator")
    admin = await bot.get_chat_member(group_id, DEFAULT_USER_ID)
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.user.first_name == "Alice"
    assert (await bot.get_chat_member(group_id, 5)).status == "left"
    assert await bot.send_chat_action(group_id, "typing") is True
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(-1)


# ------------------------------------------------------------------ faults


async def test_429_looks_like_telegram_and_surfaces_as_retry_after(
    botapi: FakeBotAPI, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    botapi.fail_next("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id, "one")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    botapi.fail_next("SENDMESSAGE", retry_after=3)
    assert await raw_post(botapi, "sendMessage", json={"chat_id": chat_id, "text": "x"}) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        },
    )
    await bot.send_message(chat_id, "two")  # faults are used up
    assert [m["text"] for m in botapi.sent_messages()] == ["two"]
    assert len(await botapi.wait_for("sendMessage", include_failed=True)) == 3
    assert len(await botapi.wait_for("sendMessage")) == 1


@pytest.mark.parametrize(("status", "text"), [(500, "Internal Server Error"), (502, "Bad Gateway")])
async def test_server_errors_surface_as_network_errors(
    botapi: FakeBotAPI, bot: Bot, status: int, text: str
) -> None:
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    botapi.fail_next("sendMessage", status=status, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=text) as caught:
            await bot.send_message(chat_id, "x")
        assert not isinstance(caught.value, TimedOut)
    await bot.send_message(chat_id, "x")
    assert len(botapi.sent_messages()) == 1


async def test_slow_response_times_out_but_still_takes_effect(botapi: FakeBotAPI, bot: Bot) -> None:
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    botapi.delay_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(chat_id, "slow", read_timeout=0.2)
    # Like Telegram, the server finished the request the client gave up on.
    await botapi.wait_for("sendMessage", timeout=3)
    assert [m["text"] for m in botapi.sent_messages()] == ["slow"]


async def test_dropped_connection_surfaces_as_network_error(botapi: FakeBotAPI, bot: Bot) -> None:
    chat_id = botapi.inject_message("hi")["chat"]["id"]
    botapi.drop_next("sendMessage")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(chat_id, "lost")
    assert not isinstance(caught.value, TimedOut)
    assert botapi.sent_messages() == []
    botapi.drop_next("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(chat_id, "sent, answer lost")
    assert [m["text"] for m in botapi.sent_messages()] == ["sent, answer lost"]
    assert next(p for m, p in botapi.calls if m == "sendMessage")["text"] == "lost"


async def test_unreachable_server_is_a_network_error(botapi: FakeBotAPI, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await botapi.wait_arrived("getUpdates", in_flight=True)
    botapi.set_unreachable(True)
    with pytest.raises(NetworkError) as caught:
        await asyncio.wait_for(poll, 2)  # the in-flight long poll is cut
    assert not isinstance(caught.value, TimedOut)
    for refused in (1, 2):  # new connections are reset as well
        with pytest.raises(NetworkError) as caught:
            await bot.get_me()
        assert not isinstance(caught.value, TimedOut)
        assert botapi.refused_connections == refused
    botapi.set_unreachable(False)
    assert (await bot.get_me()).username == "policy_test_bot"


async def test_wait_for_explains_a_timeout(botapi: FakeBotAPI, bot: Bot) -> None:
    await bot.get_me()
    with pytest.raises(AssertionError, match=r"(?s)waiting for 1 'sendMessage'.*getMe -> 200"):
        await botapi.wait_for("sendMessage", timeout=0.1)
    found = await botapi.wait_for(lambda method, params: method == "getMe", count=2)
    assert len(found) == 2
    with pytest.raises(AssertionError, match=r"(?s)waiting for no calls.*getMe -> 200"):
        await botapi.wait_until(lambda: not botapi.calls, timeout=0.1, description="no calls")


async def test_text_telegram_cannot_carry_is_refused_when_injected(
    botapi: FakeBotAPI, bot: Bot
) -> None:
    """A lone surrogate is not Unicode text: refused at once, never a poisoned update queue."""
    with pytest.raises(ValueError, match=r"message text holds '\\udd93' at index 0"):
        botapi.inject_message("\udd93x")
    with pytest.raises(ValueError, match="lone surrogate"):
        botapi.inject_inline_query("x\ud800")
    with pytest.raises(ValueError, match="lone surrogate"):
        botapi.inject_update({"message": {"text": "\udfff"}})
    asked = botapi.inject_message("ok 😀")  # astral characters are text: UTF-16 pairs on the wire
    with pytest.raises(ValueError, match="lone surrogate"):
        botapi.inject_edited_message(asked["chat"]["id"], asked["message_id"], "\udd93")
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.text == "ok 😀"
    assert [(r.method, r.status) for r in botapi._log] == [("getMe", 200), ("getUpdates", 200)]


# ------------------------------------------------------------------ a real Application


async def test_application_polls_echoes_and_parses_group_commands(botapi: FakeBotAPI) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert update.effective_message.text
        await update.effective_message.reply_text(update.effective_message.text)

    async def cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"cmd args={context.args}")

    app = ApplicationBuilder().token(botapi.token).base_url(botapi.base_url).build()
    app.add_handler(CommandHandler("cmd", cmd))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        private = botapi.inject_message("hello bot")
        group = botapi.inject_message("/cmd@policy_test_bot now", chat_type="supergroup")
        assert group["entities"] == [{"type": "bot_command", "offset": 0, "length": 20}]
        replies = await botapi.wait_for("sendMessage", count=2)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    by_chat = {params["chat_id"]: params["text"] for _, params in replies}
    assert by_chat == {private["chat"]["id"]: "hello bot", group["chat"]["id"]: "cmd args=['now']"}
    assert botapi.pending_updates == []  # the Updater confirmed both on the way out
