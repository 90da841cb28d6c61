"""A fake Telegram Bot API server for end-to-end tests.

The bot under test talks to this server over real loopback HTTP, through PTB's own request
layer, so the tests exercise exactly the code that talks to Telegram in production: request
encoding, timeouts, error mapping, retries, the polling loop.  The fake therefore copies the
parts of Telegram's behaviour that bots get wrong in practice:

* the response envelope, error codes and descriptions (PTB maps them to exceptions);
* ``getUpdates`` acknowledgement by ``offset`` -- an update is gone only once a later call
  confirms it, so a failed or dropped poll redelivers it ("none lost, none duplicated"), and a
  bot restarted after a crash gets what it fetched but had not confirmed again;
* an outage: ``stop()`` and a later ``start()`` on the same port, everything kept meanwhile
  (updates keep arriving while it is down, as users keep writing); while stopped nothing
  listens, so connections are refused;
* strict validation of HTML text, message length (UTF-16 code units), inline buttons;
* faults: 429 flood control, 5xx, slow responses, dropped connections, an unreachable server,
  calls held and never applied (``hold``: requests lost before Telegram processed them);
* only text Telegram can carry: an update with a lone surrogate (not valid Unicode text, so
  never sent by Telegram) is refused when it is injected, not at every later ``getUpdates``.

Deliberate differences: HTML checking is *stricter* than Telegram (a bare ``&`` or ``>``,
unknown named entities, unknown attributes and nestings Telegram would silently repair are
rejected, because each is a latent formatting bug); Markdown text is stored verbatim, not
parsed; chats must be known (seen in an injected update or added with :meth:`add_chat`),
as a real bot cannot write to a chat that never talked to it.  Use it from one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, NoReturn, cast

from aiohttp import web

JSON = dict[str, Any]
Call = tuple[str, JSON]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DEFAULT_TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz"
BOT_FIRST_NAME = "PolicyBot"
BOT_USERNAME = "policy_test_bot"
DEFAULT_USER_ID = 424242
DEFAULT_GROUP_ID = -4001234567
DEFAULT_SUPERGROUP_ID = -1001234567890
MAX_TEXT_UTF16 = 4096
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
METHODS = _words(
    "getMe getUpdates setWebhook deleteWebhook getWebhookInfo logOut close setMyCommands "
    "getMyCommands deleteMyCommands sendMessage editMessageText editMessageReplyMarkup "
    "deleteMessage answerCallbackQuery answerInlineQuery sendChatAction getChat "
    "getChatMember"
)
# Update types Telegram withholds unless asked for explicitly in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# PTB sends every parameter as a form field: strings verbatim, everything else JSON-dumped.
# These parameters are strings even when they look like numbers or JSON; the rest is decoded.
_STRING_PARAMS = _words(
    "text caption parse_mode inline_message_id callback_query_id inline_query_id url action "
    "language_code next_offset switch_pm_text switch_pm_parameter secret_token ip_address "
    "business_connection_id message_effect_id query title description short_description name "
    "emoji custom_emoji_id"
)
_CHAT_ACTIONS = _words(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)
_BUTTON_ACTIONS = _words(
    "url callback_data web_app login_url switch_inline_query "
    "switch_inline_query_current_chat switch_inline_query_chosen_chat copy_text "
    "callback_game pay"
)
_NGINX_502 = (
    "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n"
    "<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
)
_json_dumps = partial(json.dumps, ensure_ascii=False)
_STATUS_LABELS: dict[int | None, str] = {None: "(in flight)", 0: "(connection dropped)"}


class BotAPIError(Exception):
    """Raised by a method implementation to answer with Telegram's error envelope."""

    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


def _bad(description: str) -> NoReturn:
    raise BotAPIError(f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- HTML parse mode

_HTML_ENTITY_TYPES = {
    tag: kind
    for kind, tags in {
        "bold": "b strong",
        "italic": "i em",
        "underline": "u ins",
        "strikethrough": "s strike del",
        "spoiler": "tg-spoiler span",
        "text_link": "a",
        "custom_emoji": "tg-emoji",
        "code": "code",
        "pre": "pre",
        "blockquote": "blockquote",
    }.items()
    for tag in tags.split()
}
_HTML_ATTRIBUTES = {
    "a": {"href"},
    "span": {"class"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "blockquote": {"expandable"},
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# A character reference, or (no group matched) a bare "&" that should have been "&amp;".
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8});|#[xX]([0-9a-fA-F]{1,8});|([A-Za-z][A-Za-z0-9]*);)?")
_TAG_NAME_RE = re.compile(r"[^\s>]*")
_ATTRIBUTE_RE = re.compile(r"""([A-Za-z_][\w-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the visible text
    language: str | None = None
    has_child: bool = False


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Turn Telegram-HTML into ``(visible text, entities)`` or raise "can't parse entities".

    Error texts follow tdlib's ("Unsupported start tag ... at byte offset N") so code that
    pattern-matches Telegram's descriptions behaves the same against the fake.
    """
    return _HTMLParse(source).run()


class _HTMLParse:
    """One pass over a Telegram-HTML text: the visible text, its UTF-16 length, the entities."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.out: list[str] = []
        self.length = 0  # of the visible text so far, in UTF-16 code units
        self.stack: list[_OpenTag] = []
        self.entities: list[JSON] = []

    def run(self) -> tuple[str, list[JSON]]:
        source, i = self.source, 0
        while i < len(source):
            char = source[i]
            if char == "&":
                i = self._reference(i)
            elif char == ">":
                self.fail(f'Character ">" must be escaped as "&gt;" {self.at(i)}')
            elif char != "<":
                self.out.append(char)
                self.length += 2 if ord(char) > 0xFFFF else 1
                i += 1
            elif source.startswith("</", i):
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.stack:
            self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def fail(self, message: str) -> NoReturn:
        _bad(f"can't parse entities: {message}")

    def at(self, index: int) -> str:
        return f"at byte offset {len(self.source[:index].encode())}"

    def decode(self, match: re.Match[str], base: int = 0) -> str:
        decimal, hexadecimal, name = match.groups()
        where = self.at(base + match.start())
        if decimal is None and hexadecimal is None and name is None:
            self.fail(f'Character "&" must be escaped as "&amp;" {where}')
        if name is not None:
            if name not in _NAMED_ENTITIES:
                self.fail(f'Unsupported HTML entity "{match.group(0)}" {where}')
            return _NAMED_ENTITIES[name]
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            self.fail(f'Invalid numeric HTML entity "{match.group(0)}" {where}')
        return chr(code)

    def _reference(self, i: int) -> int:
        """A character reference at ``i``; returns where the text goes on."""
        match = _ENTITY_RE.match(self.source, i)
        assert match is not None  # a bare "&" matches too, and decode() rejects it
        text = self.decode(match)
        self.out.append(text)
        self.length += utf16_len(text)
        return match.end()

    def _end_tag(self, i: int) -> int:
        end = self.source.find(">", i)
        if end < 0:
            self.fail(f"Unclosed end tag {self.at(i)}")
        name = self.source[i + 2 : end].strip().lower()
        if not self.stack:
            self.fail(f"Unexpected end tag {self.at(i)}")
        tag = self.stack.pop()
        if name != tag.name:
            self.fail(
                f'Unmatched end tag {self.at(i)}, expected "</{tag.name}>", found "</{name}>"'
            )
        entity = _close_tag(tag, self.length, self.stack[-1] if self.stack else None)
        if entity is not None:
            self.entities.append(entity)
        return end + 1

    def _start_tag(self, i: int) -> int:
        name_match = _TAG_NAME_RE.match(self.source, i + 1)
        assert name_match is not None  # the pattern matches the empty string
        name, j = name_match.group(0).lower(), name_match.end()
        if j >= len(self.source):
            self.fail(f"Unclosed start tag {self.at(i)}")
        if name not in _HTML_ENTITY_TYPES:
            self.fail(f'Unsupported start tag "{name}" {self.at(i)}')
        attrs, j = self._attributes(name, i, j)
        _check_start_tag(name, attrs, self.stack, self.length, self.fail, self.at(i))
        self.stack.append(_OpenTag(name, attrs, self.length))
        return j + 1

    def _attributes(self, name: str, i: int, j: int) -> tuple[dict[str, str], int]:
        """The attributes of the tag ``name`` opened at ``i``, from ``j`` to its ``>``."""
        source, attrs = self.source, dict[str, str]()
        while True:
            while j < len(source) and source[j].isspace():
                j += 1
            if j >= len(source):
                self.fail(f"Unclosed start tag {self.at(i)}")
            if source[j] == ">":
                return attrs, j
            attr = _ATTRIBUTE_RE.match(source, j)
            if attr is None:
                self.fail(f'Unexpected character in tag "{name}" {self.at(j)}')
            attr_name = attr.group(1).lower()
            if attr_name not in _HTML_ATTRIBUTES.get(name, set()):
                self.fail(f'Unsupported attribute "{attr_name}" in tag "{name}" {self.at(i)}')
            group = next((k for k in (2, 3, 4) if attr.group(k) is not None), 0)
            value = attr.group(group) if group else ""
            base = attr.start(group) if group else j
            attrs[attr_name] = _ENTITY_RE.sub(partial(self.decode, base=base), value)
            j = attr.end()


def _check_start_tag(
    name: str,
    attrs: dict[str, str],
    stack: list[_OpenTag],
    length: int,
    fail: Callable[[str], NoReturn],
    where: str,
) -> None:
    """Attribute values and Telegram's nesting rules for entities."""
    if name == "span" and attrs.get("class") != "tg-spoiler":
        fail(f'Tag "span" must have class "tg-spoiler" {where}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        fail(f'Tag "tg-emoji" must have a numeric "emoji-id" attribute {where}')
    if name == "code" and not attrs.get("class", "language-x").startswith("language-"):
        fail(f'Tag "code" can only have class "language-..." {where}')
    parent = stack[-1] if stack else None
    if parent is not None and parent.name == "code":
        fail(f'Tag "{name}" can\'t be nested inside "code" {where}')
    if parent is not None and parent.name == "pre":
        if name != "code" or parent.has_child or parent.start != length:
            fail(f'Tag "{name}" can\'t be nested inside "pre" (only one leading "code") {where}')
        parent.has_child = True
    elif name == "code" and "class" in attrs:
        fail(f"Programming language can't be specified for standalone code tags {where}")
    for ancestor in stack:
        if name == "blockquote" and ancestor.name == "blockquote":
            fail(f'Tag "blockquote" can\'t be nested inside "blockquote" {where}')
        if ancestor.name in ("a", "tg-emoji") and name in ("a", "tg-emoji", "pre", "code"):
            fail(f'Tag "{name}" can\'t be nested inside "{ancestor.name}" {where}')


def _close_tag(tag: _OpenTag, length: int, parent: _OpenTag | None) -> JSON | None:
    """The entity a closed tag produces; empty tags produce none, as in Telegram."""
    if tag.name == "code" and parent is not None and parent.name == "pre":
        parent.language = tag.attrs.get("class", "").removeprefix("language-") or None
        return None
    if length == tag.start:
        return None
    entity: JSON = {"type": _HTML_ENTITY_TYPES[tag.name], "offset": tag.start}
    entity["length"] = length - tag.start
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        if match := re.fullmatch(r"tg://user\?id=(\d+)", href):
            entity.update(type="text_mention")
            entity["user"] = {"id": int(match[1]), "is_bot": False, "first_name": ""}
        else:
            entity["url"] = href
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    return entity


# --------------------------------------------------------------------------- the server


@dataclass
class _Fault:
    kind: Literal["fail", "delay", "drop"]
    times: int
    status: int = 429
    retry_after: int = 1
    description: str | None = None
    seconds: float = 0.0
    after_processing: bool = False


@dataclass
class _Record:
    method: str
    params: JSON
    status: int | None = None  # None while in flight, 0 when the connection was dropped


@dataclass
class _Described:
    """A successful result Telegram accompanies with a description ("Webhook was set")."""

    result: Any
    description: str


@dataclass
class _Signal:
    """A broadcast wake-up usable from synchronous code (unlike asyncio.Condition)."""

    _event: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)


class _ResetOnConnect(asyncio.Protocol):
    """Protocol used while unreachable: the connection is reset as soon as it is accepted."""

    def __init__(self, on_reset: Callable[[], None]) -> None:
        self.on_reset = on_reset

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        cast(asyncio.Transport, transport).abort()
        self.on_reset()


def _carried(text: str, what: str) -> str:
    """``text`` if Telegram can carry it. A lone surrogate is not Unicode text: it cannot be
    encoded as UTF-8, so Telegram never sends one, and a response holding it cannot be sent."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{what} holds {exc.object[exc.start : exc.end]!r} at index {exc.start}: a lone "
            "surrogate, which Telegram cannot carry (draw text without category Cs)"
        ) from None
    return text


class FakeBotAPI:
    """An in-process Bot API server for PTB's ``base_url``.

    * lifecycle: ``start()``, ``stop()`` (and ``start()`` again: an outage), ``async with``;
      ``base_url``, ``token``, ``port``;
    * drive the bot: ``inject_message``, ``inject_edited_message``, ``inject_callback_query``,
      ``inject_inline_query``, ``inject_update``; ``add_chat``, ``set_chat_member``;
    * observe it: ``calls``, ``wait_for``, ``wait_arrived``, ``wait_until``,
      ``sent_messages``, ``answered_callback_queries``, ``inline_answers``,
      ``pending_updates``, ``last_update_id``, ``unconfirmed``, ``my_commands``,
      ``refused_connections``;
    * break it: ``fail_next``, ``delay_next``, ``drop_next``, ``set_unreachable``, ``hold``
      and ``release``.
    """

    def __init__(self, token: str = DEFAULT_TOKEN, *, host: str = "127.0.0.1", port: int = 0):
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
        }
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self._stopped = asyncio.Event()
        self._unreachable = False
        self.refused_connections = 0  # connections reset on accept while unreachable
        self._log: list[_Record] = []
        self._calls_signal = _Signal()
        self._updates_signal = _Signal()
        self._faults: dict[str, list[_Fault]] = {}
        self._holds: dict[str, tuple[asyncio.Event, Callable[[JSON], bool]]] = {}
        self._last_update_id = 0
        self._update_ids = itertools.count(100_000_001)
        self._query_ids = itertools.count(4_000_000_000_000_001)
        self._updates: list[JSON] = []
        self._poll_seq = 0
        self._allowed_updates: list[str] = []
        self._webhook_url = ""
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._chats: dict[int, JSON] = {}
        self._users: dict[int, JSON] = {}
        self._members: dict[int, dict[int, str]] = {}
        self._messages: dict[int, dict[int, JSON]] = {}
        self._next_message_id: dict[int, int] = {}
        self._bot_messages: list[tuple[int, int]] = []
        self._inline_messages: dict[str, JSON] = {}
        self._open_callback_queries: set[str] = set()
        self._open_inline_queries: set[str] = set()
        self.answered_callback_queries: list[JSON] = []
        self.inline_answers: list[JSON] = []
        self._lower_names = {name.lower(): name for name in METHODS}

    # ----------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """What to pass to ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> None:
        """Listen on ``host:port`` (port 0 picks a free port, stored back in ``self.port``).

        After ``stop()`` it listens again on the same port with everything it held: updates
        injected meanwhile, chats, messages, the call log."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # A short shutdown_timeout: handlers wake up on stop(), nothing should take longer.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        self._stopped.clear()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Wake pending long polls and delays, then close the listener and all connections.

        Calls being handled finish first (as a server shutting down gracefully would), so a
        call is either applied and answered, or refused; held calls (``hold``) are discarded.
        """
        self._stopped.set()
        self._updates_signal.notify()
        if self._server is not None:
            self._server.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._server is not None:
            await self._server.wait_closed()
        self._server, self._runner = None, None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _protocol(self) -> asyncio.BaseProtocol:
        if self._unreachable or self._runner is None or self._runner.server is None:
            return _ResetOnConnect(self._refused)
        return self._runner.server()

    def _refused(self) -> None:
        self.refused_connections += 1
        self._calls_signal.notify()

    # ----------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" = any) with an HTTP error.

        429 carries ``parameters.retry_after`` exactly like Telegram; 502-504 come back as
        nginx's HTML page (not JSON), as Telegram's front end does.  Faults for one method
        are consumed in the order they were queued, one per call.
        """
        self._queue_fault(method, _Fault("fail", times, status, retry_after, description))

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Hold the next calls for ``seconds`` before processing them.

        The call still takes effect if the client gave up meanwhile -- as with Telegram, a
        timed-out request is not proof that nothing happened.
        """
        self._queue_fault(method, _Fault("delay", times, seconds=seconds))

    def drop_next(self, method: str, *, times: int = 1, after_processing: bool = False) -> None:
        """Reset the connection instead of answering; optionally after the call took effect."""
        self._queue_fault(method, _Fault("drop", times, after_processing=after_processing))

    def set_unreachable(self, unreachable: bool) -> None:
        """While set, every connection (new, idle or in flight) is reset: PTB's NetworkError."""
        self._unreachable = unreachable
        if unreachable and self._runner is not None and self._runner.server is not None:
            for connection in self._runner.server.connections:
                connection.force_close()
            self._updates_signal.notify()

    def hold(self, method: str, *, when: Callable[[JSON], bool] | None = None) -> None:
        """Hold the calls of ``method`` (those whose parameters satisfy ``when``) unanswered
        until :meth:`release` or :meth:`stop`, and then reset their connections without
        applying them: requests lost before Telegram processed them. A bot sees them hang; a
        bot killed meanwhile leaves nothing applied behind."""
        self._holds[self._canonical(method)] = (asyncio.Event(), when or (lambda params: True))

    def release(self, method: str) -> None:
        """Calls of ``method`` are answered again; those held until now are dropped."""
        held = self._holds.pop(self._canonical(method), None)
        if held is not None:
            held[0].set()

    async def _held(self, method: str, params: JSON) -> bool:
        """Wait while a hold covers this call; True if it was held (then it is dropped)."""
        held = self._holds.get(method)
        if held is None or not held[1](params):
            return False
        stopped = asyncio.ensure_future(self._stopped.wait())
        released = asyncio.ensure_future(held[0].wait())
        try:
            await asyncio.wait({stopped, released}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            released.cancel()
        return True

    def _queue_fault(self, method: str, fault: _Fault) -> None:
        key = "*" if method == "*" else self._canonical(method)
        self._faults.setdefault(key, []).append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            if queue := self._faults.get(key):
                fault = queue[0]
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
                return fault
        return None

    def _canonical(self, method: str) -> str:
        if method.lower() not in self._lower_names:
            raise ValueError(f"FakeBotAPI does not implement {method!r}")
        return self._lower_names[method.lower()]

    # ----------------------------------------------------------------- HTTP plumbing

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error_response(BotAPIError("Not Found", 404))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self._unreachable:
            return _drop(request)
        name = request.match_info["method"]
        try:
            params = await _read_params(request)
        except ValueError as exc:
            return _error_response(BotAPIError(f"Bad Request: {exc}"))
        method = self._lower_names.get(name.lower(), name)
        record = _Record(method, params)
        self._log.append(record)
        self._calls_signal.notify()  # arrived; notified again once answered
        try:
            return await self._respond(request, record)
        finally:
            self._calls_signal.notify()

    async def _respond(self, request: web.Request, record: _Record) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            record.status = 401
            return _error_response(BotAPIError("Unauthorized", 401))
        handler = getattr(
            self, "_api_" + re.sub(r"(?<!^)([A-Z])", r"_\1", record.method).lower(), None
        )
        if record.method not in METHODS or handler is None:
            record.status = 404
            return _error_response(BotAPIError("Not Found", 404))
        if record.method == "getUpdates":
            self._poll_seq += 1  # on arrival: a newer poll supersedes older ones
            self._updates_signal.notify()
        poll_seq = self._poll_seq
        if await self._held(record.method, record.params):
            record.status = 0  # never applied
            return _drop(request)
        fault = self._take_fault(record.method)
        if fault is not None and fault.kind == "delay":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), fault.seconds)
        elif fault is not None and fault.kind == "fail":
            record.status = fault.status
            return _fault_response(fault)
        elif fault is not None and not fault.after_processing:
            record.status = 0
            return _drop(request)
        try:
            if record.method == "getUpdates":
                result: Any = await self._api_get_updates(record.params, poll_seq)
            else:
                result = handler(record.params)
            body: JSON = {"ok": True, "result": result}
            if isinstance(result, _Described):
                body = {"ok": True, "result": result.result, "description": result.description}
            response, status = web.json_response(body, dumps=_json_dumps), 200
        except BotAPIError as exc:
            response, status = _error_response(exc), exc.status
        if self._unreachable or (fault is not None and fault.kind == "drop"):
            record.status = 0  # processed (or refused), but the client never hears about it
            return _drop(request)
        record.status = status
        return response

    # ----------------------------------------------------------------- observing the bot

    @property
    def calls(self) -> list[Call]:
        """Every call that reached the server, in arrival order, failed ones included."""
        return [(r.method, copy.deepcopy(r.params)) for r in self._log]

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """Messages the bot sent and has not deleted, in sending order, edits applied."""
        return [
            copy.deepcopy(self._messages[chat][message_id])
            for chat, message_id in self._bot_messages
            if (chat_id is None or chat == chat_id) and message_id in self._messages[chat]
        ]

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates ``offset``."""
        return copy.deepcopy(self._updates)

    @property
    def last_update_id(self) -> int:
        """The id of the newest update injected (0 before the first)."""
        return self._last_update_id

    def unconfirmed(self, through: int) -> int:
        """How many updates up to id ``through`` the bot has not confirmed yet. A change is a
        call event for :meth:`wait_until`: a poll's offset confirming updates notifies it."""
        return sum(1 for update in self._updates if update["update_id"] <= through)

    def my_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set for exactly this scope and language (as getMyCommands)."""
        key = _commands_key({"scope": scope, "language_code": language_code})
        return copy.deepcopy(self._commands.get(key, []))

    async def wait_for(
        self,
        what: str | Callable[[str, JSON], bool],
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 -- the documented test-facing signature
        include_failed: bool = False,
    ) -> list[Call]:
        """Wait until ``count`` matching calls completed; return all matching calls so far.

        ``what`` is a method name (case-insensitive) or ``predicate(method, params)``.  Only
        successful calls count unless ``include_failed``.
        """
        return await self._wait_calls(
            what,
            lambda r: r.status is not None and (include_failed or r.status == 200),
            count,
            timeout,
        )

    async def wait_arrived(
        self,
        what: str | Callable[[str, JSON], bool],
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 -- as wait_for
        in_flight: bool = False,
    ) -> list[Call]:
        """Wait until ``count`` matching calls reached the server, answered or not (with
        ``in_flight``: still unanswered, e.g. a long poll being held); return them."""
        return await self._wait_calls(
            what, lambda r: not in_flight or r.status is None, count, timeout
        )

    async def wait_until(
        self,
        condition: Callable[[], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 -- as wait_for
        description: str = "the condition",
    ) -> None:
        """Wait until ``condition()`` holds. It is checked again whenever a call arrives, a
        call is answered (or applied late, or dropped) or a connection is refused: a condition
        on what the bot did to the server changes only then. No polling."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {description}; recent calls:\n"
                    f"{self._recent()}"
                )
            await self._calls_signal.wait(remaining)

    async def _wait_calls(
        self,
        what: str | Callable[[str, JSON], bool],
        counted: Callable[[_Record], bool],
        count: int,
        timeout: float,  # noqa: ASYNC109
    ) -> list[Call]:
        matches: Callable[[str, JSON], bool]
        if isinstance(what, str):
            matches, description = partial(_same_method, what), repr(what)
        else:
            matches, description = what, getattr(what, "__name__", "matching")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [
                (r.method, copy.deepcopy(r.params))
                for r in self._log
                if counted(r) and matches(r.method, r.params)
            ]
            remaining = deadline - loop.time()
            if len(found) >= count:
                return found
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} {description} call(s), "
                    f"saw {len(found)}; recent calls:\n{self._recent()}"
                )
            await self._calls_signal.wait(remaining)

    def _recent(self) -> str:
        recent = "\n".join(
            f"  {r.method} -> {_STATUS_LABELS.get(r.status, r.status)} "
            f"{_json_dumps(r.params)[:200]}"
            for r in self._log[-15:]
        )
        return recent or "  (none)"

    # ----------------------------------------------------------------- injecting updates

    def add_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        is_forum: bool = False,
    ) -> JSON:
        """Make a chat known, e.g. an admin chat the bot writes to before anyone spoke."""
        chat: JSON = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name or f"User {chat_id}"
        else:
            chat["title"] = title or f"Test {chat_type} {chat_id}"
        if username:
            chat["username"] = username
        if is_forum:
            chat["is_forum"] = True
        self._chats[chat_id] = self._chats.get(chat_id, {}) | chat
        return copy.deepcopy(self._chats[chat_id])

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Status getChatMember reports: creator, administrator, member, left or kicked."""
        self._members.setdefault(chat_id, {})[user_id] = status

    def inject_message(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        user_id: int = DEFAULT_USER_ID,
        username: str | None = "alice",
        first_name: str = "Alice",
        entities: list[JSON] | None = None,
        reply_to_message_id: int | None = None,
        reply_to_bot: bool = False,
        message_thread_id: int | None = None,
        chat_title: str | None = None,
    ) -> JSON:
        """Queue a ``message`` update from a user and return the Message.

        Entities default to what Telegram would detect: bot commands and @mentions, with
        UTF-16 offsets.  ``reply_to_bot`` replies to the bot's latest message in the chat.
        """
        _carried(text, "the message text")
        if chat_id is None:
            chat_id = {"private": user_id, "group": DEFAULT_GROUP_ID}.get(
                chat_type, DEFAULT_SUPERGROUP_ID
            )
        if chat_type == "private" and chat_id != user_id:
            raise ValueError("a private chat's id is the user's id")
        user = self._user(user_id, username, first_name)
        if chat_id not in self._chats or self._chats[chat_id]["type"] != chat_type:
            self.add_chat(
                chat_id,
                chat_type,
                title=chat_title,
                first_name=first_name,
                username=username if chat_type == "private" else None,
                is_forum=message_thread_id is not None,
            )
        self._members.setdefault(chat_id, {}).setdefault(user_id, "member")
        message = self._new_message(chat_id, user, text, entities)
        if entities is None and (detected := _detect_entities(text)):
            message["entities"] = detected
        if reply_to_bot:
            mine = self.sent_messages(chat_id)
            if not mine:
                raise ValueError(f"the bot has sent nothing in chat {chat_id} to reply to")
            reply_to_message_id = mine[-1]["message_id"]
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._replied(chat_id, reply_to_message_id)
        if message_thread_id is not None:
            message.update(message_thread_id=message_thread_id, is_topic_message=True)
        return self._enqueue("message", message)

    def inject_edited_message(
        self, chat_id: int, message_id: int, new_text: str, *, entities: list[JSON] | None = None
    ) -> JSON:
        """Queue an ``edited_message`` update for a message a user sent earlier."""
        _carried(new_text, "the edited text")
        message = self._messages.get(chat_id, {}).get(message_id)
        if message is None or message["from"]["id"] == self.bot_id:
            raise ValueError(f"no user message {message_id} in chat {chat_id}")
        message.update(text=new_text, edit_date=int(time.time()))
        message.pop("entities", None)
        if found := (entities if entities is not None else _detect_entities(new_text)):
            message["entities"] = found
        return self._enqueue("edited_message", copy.deepcopy(message))

    def inject_callback_query(
        self,
        data: str,
        *,
        message: JSON | None = None,
        inline_message_id: str | None = None,
        user_id: int = DEFAULT_USER_ID,
        username: str | None = "alice",
        first_name: str = "Alice",
    ) -> JSON:
        """Queue a button press on ``message`` (default: the bot's latest message).

        The message is looked up in its current state and ``data`` must be on one of its
        buttons: a user cannot press a button that is not there.
        """
        query: JSON = {
            "id": str(next(self._query_ids)),
            "from": self._user(user_id, username, first_name),
        }
        if inline_message_id is not None:
            self._inline_messages.setdefault(inline_message_id, {"text": "", "markup": None})
            query.update(inline_message_id=inline_message_id, chat_instance="-1")
        else:
            if message is None:
                if not (sent := self.sent_messages()):
                    raise ValueError("the bot has sent no message with buttons")
                message = sent[-1]
            chat_id, message_id = message["chat"]["id"], message["message_id"]
            current = self._messages.get(chat_id, {}).get(message_id)
            if current is None:
                raise ValueError(f"message {message_id} in chat {chat_id} does not exist")
            buttons = [
                b for row in current.get("reply_markup", {}).get("inline_keyboard", []) for b in row
            ]
            if data not in [b.get("callback_data") for b in buttons]:
                raise ValueError(f"message {message_id} has no button with data {data!r}")
            query.update(message=copy.deepcopy(current), chat_instance=str(abs(chat_id) * 7919))
        query["data"] = data
        self._open_callback_queries.add(query["id"])
        return self._enqueue("callback_query", query)

    def inject_inline_query(
        self,
        query: str,
        *,
        user_id: int = DEFAULT_USER_ID,
        username: str | None = "alice",
        first_name: str = "Alice",
        chat_type: str = "sender",
        offset: str = "",
    ) -> JSON:
        """Queue an ``inline_query`` update; answer it with answerInlineQuery."""
        _carried(query, "the inline query")
        inline: JSON = {
            "id": str(next(self._query_ids)),
            "query": query,
            "offset": offset,
            "from": self._user(user_id, username, first_name),
            "chat_type": chat_type,
        }
        self._open_inline_queries.add(inline["id"])
        return self._enqueue("inline_query", inline)

    def inject_update(self, update: JSON) -> JSON:
        """Queue any update dict as-is; its ``update_id`` is assigned (monotonic) here."""
        if len(update.keys() - {"update_id"}) != 1:
            raise ValueError("an update has exactly one field besides update_id")
        _carried(_json_dumps(update), "the update")
        update = copy.deepcopy(update)
        update["update_id"] = self._last_update_id = next(self._update_ids)
        self._updates.append(update)
        self._updates_signal.notify()
        return copy.deepcopy(update)

    def _enqueue(self, kind: str, payload: JSON) -> JSON:
        self.inject_update({kind: payload})
        return copy.deepcopy(payload)

    def _user(self, user_id: int, username: str | None, first_name: str) -> JSON:
        user: JSON = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "en",
        }
        if username:
            user["username"] = username
        self._users[user_id] = user
        return copy.deepcopy(user)

    def _new_message(
        self, chat_id: int, sender: JSON, text: str, entities: list[JSON] | None
    ) -> JSON:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JSON = {
            "message_id": message_id,
            "from": sender,
            "date": int(time.time()),
            "chat": copy.deepcopy(self._chats[chat_id]),
            "text": text,
        }
        if entities:
            message["entities"] = copy.deepcopy(entities)
        self._messages.setdefault(chat_id, {})[message_id] = message
        return message

    def _replied(self, chat_id: int, message_id: int) -> JSON:
        target = self._messages.get(chat_id, {}).get(message_id)
        if target is None:
            raise ValueError(f"message {message_id} in chat {chat_id} does not exist")
        return {k: copy.deepcopy(v) for k, v in target.items() if k != "reply_to_message"}

    # ----------------------------------------------------------------- Bot API methods

    async def _api_get_updates(self, p: JSON, poll_seq: int) -> list[JSON]:
        if self._webhook_url:
            raise BotAPIError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset, limit = int(p.get("offset") or 0), min(max(int(p.get("limit") or 100), 1), 100)
        if isinstance(p.get("allowed_updates"), list):
            self._allowed_updates = list(p["allowed_updates"])
        held = len(self._updates)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if len(self._updates) != held:
            self._calls_signal.notify()  # confirmed: an event for wait_until
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(p.get("timeout") or 0)
        while True:
            if poll_seq != self._poll_seq:
                raise BotAPIError(
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                    409,
                )
            allowed = [u for u in self._updates if self._is_allowed(u)]
            if len(allowed) != len(self._updates):
                self._updates = allowed  # withheld for good, as by Telegram
                self._calls_signal.notify()
            ready = copy.deepcopy(self._updates[:limit])
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._stopped.is_set() or self._unreachable:
                return ready
            await self._updates_signal.wait(remaining)

    def _is_allowed(self, update: JSON) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _OPT_IN_UPDATES

    def _api_get_me(self, p: JSON) -> JSON:
        return self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_log_out(self, p: JSON) -> bool:
        return True

    def _api_close(self, p: JSON) -> bool:
        return True

    def _api_set_webhook(self, p: JSON) -> _Described:
        url = str(p.get("url") or "")
        if url and not url.startswith("https://"):
            _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        if isinstance(p.get("allowed_updates"), list):
            self._allowed_updates = list(p["allowed_updates"])
        self._webhook_url = url
        return _Described(True, "Webhook was set" if url else "Webhook was deleted")

    def _api_delete_webhook(self, p: JSON) -> _Described:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        was_set, self._webhook_url = bool(self._webhook_url), ""
        return _Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _api_get_webhook_info(self, p: JSON) -> JSON:
        info: JSON = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_url:
            info.update(max_connections=40, ip_address="127.0.0.1")
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _api_set_my_commands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            _bad("parameter commands is invalid")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                _bad("command description must be non-empty")
        self._commands[_commands_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _api_get_my_commands(self, p: JSON) -> list[JSON]:
        return copy.deepcopy(self._commands.get(_commands_key(p), []))

    def _api_delete_my_commands(self, p: JSON) -> bool:
        self._commands.pop(_commands_key(p), None)
        return True

    def _chat(self, p: JSON, key: str = "chat_id") -> JSON:
        raw = p.get(key)
        if raw is None or raw == "":
            _bad(f"{key} is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            chat = next((c for c in self._chats.values() if c.get("username") == raw[1:]), None)
        else:
            try:
                chat = self._chats.get(int(raw))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            _bad("chat not found")
        return copy.deepcopy(chat)

    def _text(self, p: JSON) -> tuple[str, list[JSON]]:
        """Validate ``text`` as Telegram does and return the visible text and its entities."""
        text = p.get("text")
        if text is None or text == "":
            _bad("message text is empty")
        text = str(text)
        parse_mode = str(p.get("parse_mode") or "").lower()
        if isinstance(p.get("entities"), list) and p["entities"]:
            plain, entities = text, list(p["entities"])
        elif parse_mode == "html":
            plain, entities = parse_html(text)
        elif parse_mode in ("", "markdown", "markdownv2"):
            plain, entities = text, []
        else:
            _bad(f"unsupported parse_mode {p['parse_mode']!r}")
        if not plain.strip():
            _bad("message text is empty")
        if utf16_len(plain) > MAX_TEXT_UTF16:
            _bad("message is too long")
        return plain, entities

    def _api_send_message(self, p: JSON) -> JSON:
        chat = self._chat(p)
        text, entities = self._text(p)
        markup = _inline_markup(p.get("reply_markup"))
        reply = p.get("reply_parameters") or {}
        reply_id = reply.get("message_id", p.get("reply_to_message_id"))
        replied = None
        if reply_id is not None:
            target = self._messages.get(chat["id"], {}).get(int(reply_id))
            if target is None and not (reply or p).get("allow_sending_without_reply"):
                _bad("message to be replied not found")
            replied = None if target is None else self._replied(chat["id"], int(reply_id))
        message = self._new_message(chat["id"], copy.deepcopy(self.bot_user), text, entities)
        if p.get("message_thread_id"):
            message["message_thread_id"] = int(p["message_thread_id"])
            message["is_topic_message"] = bool(chat.get("is_forum"))
        if replied is not None:
            message["reply_to_message"] = replied
        if markup is not None:
            message["reply_markup"] = markup
        if p.get("protect_content"):
            message["has_protected_content"] = True
        self._bot_messages.append((chat["id"], message["message_id"]))
        return copy.deepcopy(message)

    def _target(self, p: JSON, what: str) -> JSON:
        """The message an edit/delete addresses: the stored dict itself, to be modified."""
        chat = self._chat(p)
        if p.get("message_id") is None:
            _bad("message identifier is not specified")
        message = self._messages.get(chat["id"], {}).get(int(p["message_id"]))
        if message is None:
            _bad(f"message to {what} not found")
        if what == "edit" and message["from"]["id"] != self.bot_id:
            _bad("message can't be edited")
        return message

    def _api_edit_message_text(self, p: JSON) -> JSON | bool:
        text, entities = self._text(p)
        markup = _inline_markup(p.get("reply_markup"))
        if p.get("inline_message_id"):
            state = self._inline_messages.setdefault(str(p["inline_message_id"]), {})
            new = {"text": text, "entities": entities, "markup": markup}
            if state == new:
                _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
            state.update(new)
            return True
        message = self._target(p, "edit")
        if "text" not in message:
            _bad("there is no text in the message to edit")
        old = (message["text"], message.get("entities", []), message.get("reply_markup"))
        if old == (text, entities, markup):
            _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        return self._apply_edit(message, text=text, entities=entities, reply_markup=markup)

    def _api_edit_message_reply_markup(self, p: JSON) -> JSON | bool:
        markup = _inline_markup(p.get("reply_markup"))
        if p.get("inline_message_id"):
            state = self._inline_messages.setdefault(str(p["inline_message_id"]), {})
            if "markup" in state and state["markup"] == markup:
                _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
            state["markup"] = markup
            return True
        message = self._target(p, "edit")
        if message.get("reply_markup") == markup:
            _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        return self._apply_edit(message, reply_markup=markup)

    def _apply_edit(self, message: JSON, **changes: Any) -> JSON:
        for key, value in changes.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)  # Telegram omits empty entities and removed keyboards
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _api_delete_message(self, p: JSON) -> bool:
        message = self._target(p, "delete")
        del self._messages[message["chat"]["id"]][message["message_id"]]
        return True

    def _api_answer_callback_query(self, p: JSON) -> bool:
        query_id = str(p.get("callback_query_id", ""))
        if query_id not in self._open_callback_queries:
            _bad("query is too old and response timeout expired or query ID is invalid")
        self._open_callback_queries.discard(query_id)
        self.answered_callback_queries.append(copy.deepcopy(p))
        return True

    def _api_answer_inline_query(self, p: JSON) -> bool:
        query_id = str(p.get("inline_query_id", ""))
        if query_id not in self._open_inline_queries:
            _bad("query is too old and response timeout expired or query ID is invalid")
        results = p.get("results")
        if not isinstance(results, list):
            _bad("parameter results is invalid")
        if len(results) > 50:
            _bad("RESULTS_TOO_MUCH")
        if len({str(r.get("id")) for r in results}) != len(results):
            _bad("RESULT_ID_DUPLICATE")
        for result in results:
            _inline_markup(result.get("reply_markup"))
        self._open_inline_queries.discard(query_id)
        self.inline_answers.append(copy.deepcopy(p))
        return True

    def _api_send_chat_action(self, p: JSON) -> bool:
        self._chat(p)
        if p.get("action") not in _CHAT_ACTIONS:
            _bad("wrong parameter action in request")
        return True

    def _api_get_chat(self, p: JSON) -> JSON:
        gifts = dict.fromkeys(sorted(_GIFT_TYPES), True)
        return self._chat(p) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _api_get_chat_member(self, p: JSON) -> JSON:
        chat = self._chat(p)
        try:
            user_id = int(p["user_id"])
        except (KeyError, TypeError, ValueError):
            _bad("invalid user_id specified")
        user = self.bot_user if user_id == self.bot_id else self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        default = (
            "member"
            if chat["type"] == "private" and user_id in (chat["id"], self.bot_id)
            else "left"
        )
        status = self._members.get(chat["id"], {}).get(user_id, default)
        member: JSON = {"status": status, "user": copy.deepcopy(user)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                dict.fromkeys(_ADMIN_RIGHTS, True),
                can_be_edited=False,
                can_promote_members=False,
                is_anonymous=False,
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member


_GIFT_TYPES = _words("unlimited_gifts limited_gifts unique_gifts premium_subscription")
_GIFT_TYPES |= {"gifts_from_channels"}
_ADMIN_RIGHTS = _words(
    "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
    "can_change_info can_invite_users can_post_stories can_edit_stories can_delete_stories"
)
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@])")


def _detect_entities(text: str) -> list[JSON]:
    """bot_command and mention entities as Telegram adds them to incoming messages."""
    found = [(m, "bot_command") for m in _COMMAND_RE.finditer(text)]
    found += [(m, "mention") for m in _MENTION_RE.finditer(text)]
    found.sort(key=lambda item: item[0].start())
    return [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group(0))}
        for m, kind in found
    ]


def _inline_markup(markup: Any) -> JSON | None:
    """Validate an inline keyboard; return it as the Message echoes it (other kinds: None)."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        _bad('can\'t parse inline keyboard: field "inline_keyboard" must be an Array of Arrays')
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
        if not _BUTTON_ACTIONS & button.keys():
            _bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            _bad("BUTTON_DATA_INVALID")
        if "url" in button and not re.match(r"(https?|tg)://\S", str(button["url"])):
            _bad("BUTTON_URL_INVALID")
    return {"inline_keyboard": copy.deepcopy(rows)} if rows else None


def _commands_key(p: JSON) -> tuple[str, str]:
    scope = p.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")


async def _read_params(request: web.Request) -> JSON:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: JSON = {k: _decode(k, v) for k, v in request.query.items()}
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ValueError("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ValueError("JSON object expected")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[key] = {"file_name": value.filename, "size": len(value.file.read())}
            else:
                text = value.decode() if isinstance(value, bytes | bytearray) else value
                params[key] = _decode(key, text)
    return params


def _same_method(wanted: str, method: str, params: JSON) -> bool:
    return method.lower() == wanted.lower()


def _decode(key: str, raw: str) -> Any:
    if key in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _error_response(error: BotAPIError, retry_after: int | None = None) -> web.Response:
    body: JSON = {"ok": False, "error_code": error.status, "description": error.description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=error.status, dumps=_json_dumps)


def _fault_response(fault: _Fault) -> web.Response:
    if fault.status in (502, 503, 504):
        phrase = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Time-out"}
        page = _NGINX_502.format(f"{fault.status} {phrase[fault.status]}")
        return web.Response(status=fault.status, text=page, content_type="text/html")
    if fault.status == 429:
        description = fault.description or f"Too Many Requests: retry after {fault.retry_after}"
        return _error_response(BotAPIError(description, 429), fault.retry_after)
    defaults = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        500: "Internal Server Error",
    }
    description = fault.description or defaults.get(fault.status, "Internal Server Error")
    return _error_response(BotAPIError(description, fault.status))


def _drop(request: web.Request) -> web.Response:
    """Reset the TCP connection; aiohttp then silently skips writing the returned response."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)
