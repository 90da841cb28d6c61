"""Rendering an Answer as console text or Telegram HTML.

Telegram answers are compact cards (bot.answers.card); the full statement with every detail
(``statement_html``, ``source_html``) is the Source view. HTML rules, all enforced here rather
than trusted to callers: every interpolated string passes through ``html.escape`` exactly once;
only tags Telegram accepts are produced; a message is built from whole blocks, so trimming never
cuts inside a tag; nothing exceeds MAX_MESSAGE_CHARS.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.answers.answer import (
    Answer,
    Match,
    Status,
    date_line,
    kind_label,
    source_line,
    speaker_line,
)
from bot.answers.card import card_html
from bot.answers.wording import TRIM_MARK, esc, human_date, trim_at_sentence
from bot.knowledge.models import Attributed, StatementKind
from bot.normalize import normalize, tokens

MAX_MESSAGE_CHARS = (
    4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH (the core cannot import it)
)
MAX_STATEMENT_CHARS = 3000
ELLIPSIS = TRIM_MARK

SMALLTALK_REPLY = (
    "Hello! I answer questions about official policy statements, with the exact text, who said "
    "it, when, and the source."
)
THANKS_REPLY = "You're welcome — ask me again any time."
FAREWELL_REPLY = "Goodbye — ask me again any time."
OK_REPLY = "👍 Ask me another question whenever you like."
THANKS_WORDS = frozenset("thanks thank thx ty cheers 谢谢 多谢".split())
FAREWELL_WORDS = frozenset("bye goodbye gn night 再见".split())
OK_WORDS = frozenset("ok okay cool great nice awesome lol haha hahaha lmao nevermind mind".split())
COMPLAINT_WORDS = frozenset("useless stupid bad wrong".split())
COMPLAINT_REPLY = (
    "Sorry about that. Under an answer that missed, 👎 tells the maintainers, so the knowledge "
    "base can grow where it is needed."
)
GREETING_WORDS = frozenset("hi hello hey heya hiya yo sup morning evening afternoon gm".split())
NOT_FOUND_REPLY = (
    "I don't know: nothing in my knowledge base answers that closely enough, and I'd rather "
    "say so than guess."
)


def smalltalk_reply(answer: Answer) -> str:
    """A fitting reply: thanks get "you're welcome", goodbyes a goodbye, and greetings (or
    "who are you") the introduction with an example question from the knowledge base."""
    question = normalize(answer.question)
    words = set(tokens(question)) | {w for w in THANKS_WORDS | FAREWELL_WORDS if w in question}
    if words & THANKS_WORDS:
        return THANKS_REPLY
    if words & FAREWELL_WORDS and not words & GREETING_WORDS:
        return FAREWELL_REPLY
    if words & COMPLAINT_WORDS:
        return COMPLAINT_REPLY
    if words & OK_WORDS and not words & GREETING_WORDS:
        return OK_REPLY
    if answer.suggestions:
        return f"{SMALLTALK_REPLY} Try: “{answer.suggestions[0]}”"
    return SMALLTALK_REPLY


def trim_escaped(text: str, limit: int) -> tuple[str, bool]:
    """Trim so the *escaped* text fits ``limit``: escaping can grow text (``&`` → ``&amp;``)."""
    budget = limit
    while True:
        trimmed, cut = trim_at_sentence(text, budget)
        if len(esc(trimmed)) <= limit or budget <= 1:
            return trimmed, cut
        budget = min(budget - 1, budget * limit // len(esc(trimmed)))


# ----------------------------------------------------------------------------- plain text


def statement_text(item: Attributed, *, number: int | None = None) -> str:
    statement = item.statement
    body = statement.text
    if statement.kind is StatementKind.QUOTE:
        body = f"“{body}”"
    prefix = f"[{number}] " if number is not None else ""
    lines = [
        f"{prefix}{body}",
        f"    — {speaker_line(item)}",
        f"    Kind: {kind_label(item)}",
        f"    Said: {date_line(item)}",
        f"    Source: {source_line(item)}",
        f"    Link: {item.source.url or 'not known'}",
    ]
    if statement.context:
        lines.append(f"    Context: {statement.context}")
    lines.append(f"    Id: {statement.id}")
    return "\n".join(lines)


def answer_text(answer: Answer) -> str:
    """The console chat's rendering of an answer."""
    parts: list[str] = []
    if answer.notice:
        parts.append(f"Note: {answer.notice}")
    if answer.status is Status.SMALLTALK:
        parts.append(smalltalk_reply(answer))
    elif not answer.answered:
        parts.append(NOT_FOUND_REPLY)
        if answer.suggestions:
            parts.append("Nearest topics: " + "; ".join(answer.suggestions))
    else:
        for number, match in enumerate(answer.matches, 1):
            parts.append(
                statement_text(match.item, number=number) + f"\n    Confidence: {match.score:.2f}"
            )
    return "\n\n".join(parts)


# ----------------------------------------------------------------------------- Telegram HTML


def statement_html(item: Attributed, *, max_text: int = MAX_STATEMENT_CHARS) -> str:
    """One statement as a self-contained HTML block (every tag it opens, it closes)."""
    statement = item.statement
    text, trimmed = trim_escaped(statement.text, max_text)
    body = esc(text)
    if statement.kind is StatementKind.QUOTE:
        body = f"“{body}”"
    source = item.source
    title = f"{esc(source.publisher)}, “{esc(source.title)}”"
    if source.url:
        title = f'<a href="{esc(source.url)}">{title}</a>'
    lines = [
        f"<blockquote>{body}</blockquote>",
        f"<i>{esc(_sentence_case(kind_label(item)))}</i>"
        + (" — <i>shortened; the full text is in the source</i>" if trimmed else ""),
        f"🗣 <b>{esc(item.speaker.name)}</b>" + (f" ({esc(item.role)})" if item.role else ""),
    ]
    if item.relayed_by is not None:
        lines.append(
            f"↪ as relayed by <b>{esc(item.relayed_by.name)}</b>"
            + (f" ({esc(item.relayer_role)})" if item.relayer_role else "")
        )
    lines += [
        f"📅 {esc(date_line(item, human_date))}",  # dated as the card dates
        f"📰 {title}, published {esc(human_date(source.published))}",
    ]
    return "\n".join(lines)


def source_html(item: Attributed) -> str:
    source = item.source
    lines = [
        f"<b>{esc(source.title)}</b>",
        f"Publisher: {esc(source.publisher)}",
        f"Published: {esc(human_date(source.published))}",  # as the card writes dates
        f"Language: {esc(source.language)}",
        "Link: "
        + (
            f'<a href="{esc(source.url)}">{esc(source.url)}</a>'
            if source.url
            else "not known (the knowledge base keeps the text, not a link)"
        ),
    ]
    if item.statement.context:
        lines.append(f"Context: {esc(item.statement.context)}")
    return "\n".join(lines)


def fit_blocks(
    blocks: Iterable[str], *, limit: int = MAX_MESSAGE_CHARS, separator: str = "\n\n"
) -> str:
    """Join whole HTML blocks while they fit; a block never gets cut, so tags stay balanced."""
    out = ""
    for block in blocks:
        candidate = block if not out else out + separator + block
        if len(candidate) > limit:
            break
        out = candidate
    return out


def answer_html(answer: Answer, *, start: int = 0, count: int = 1) -> str:
    """Telegram HTML for ``count`` answer cards from ``start`` (the "More results" page)."""
    header: list[str] = []
    if answer.notice:
        header.append(f"<i>{esc(answer.notice)}</i>")
    if answer.status is Status.SMALLTALK:
        return fit_blocks([*header, esc(smalltalk_reply(answer))])
    if not answer.answered:
        lines = [*header, esc(NOT_FOUND_REPLY)]
        if answer.suggestions:
            lines.append(
                "Nearest topics: " + ", ".join(f"<b>{esc(s)}</b>" for s in answer.suggestions)
            )
        return fit_blocks(lines)
    page: Sequence[Match] = answer.matches[start : start + count]
    blocks = [*header]
    total = len(answer.matches)
    for offset, match in enumerate(page):
        blocks.append(card_html(match.item, number=start + offset + 1, total=total))
    return fit_blocks(blocks)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def split_blocks(
    blocks: Iterable[str], *, limit: int = MAX_MESSAGE_CHARS, separator: str = "\n"
) -> list[str]:
    """Pack whole blocks into as few messages as fit; an oversized block is trimmed, escaped text
    only (callers pass already-escaped plain lines, never tags spanning blocks)."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > limit:
            block = _cut_escaped(block, limit - 1) + "…"
        candidate = block if not current else current + separator + block
        if len(candidate) > limit:
            messages.append(current)
            candidate = block
        current = candidate
    if current:
        messages.append(current)
    return messages


def _cut_escaped(html_text: str, limit: int) -> str:
    """Cut escaped text without splitting an entity such as ``&amp;``."""
    cut = html_text[:limit]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut
