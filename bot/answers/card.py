"""The answer card: a statement as it reads on a phone, in at most MAX_CARD_CHARS characters.

It leads with the words, then one line saying who (short role at the time), whether it was
relayed, when (a human date) and where from, then the quote / reported / summary label. Full
roles, titles, links and the undated-remarks note live in the Source view (render.source_html
and render.statement_html). Nothing here changes the stored words: a fragment (starting in
lower case, ending on a comma, cut mid-sentence) is only *marked* with an ellipsis, and the
statement's context is shown when the text points outside itself ("these messages", "It ...").
"""

from __future__ import annotations

import datetime as dt
import html
import re

from bot.answers.answer import kind_label
from bot.answers.wording import (
    ELLIPSIS,
    cut_words,
    esc,
    human_date,
    on_day,
    said_on,
    trim_at_sentence,
)
from bot.knowledge.models import Attributed, Speaker, StatementKind
from bot.normalize import normalize, tokens

MAX_CARD_CHARS = 600  # visible characters: one phone screen, with the buttons below it
NAME_CHARS = 60
ROLE_CHARS = 60
PUBLISHER_CHARS = 60
CONTEXT_CHARS = 160
SHORTENED = "shortened; the full text is under Source"
# A statement that opens with one of these, or names "these"/"those" anywhere, leans on
# something said before it: the card then shows the statement's context.
ANAPHORIC_OPENERS = frozenset(
    "it this that these those they them he she his her its their such".split()
)
ANAPHORIC_ANYWHERE = re.compile(
    r"\b(?:these|those|the above|aforementioned|the latter|the former)\b", re.IGNORECASE
)
SENTENCE_ENDS = ".!?…。！？"
CLOSERS = "\"'”’»)]"
STATE_WORDS = "Republic|Kingdom|Federation|Commonwealth|Union|State|States|Emirates|Principality"
MINISTER = re.compile(
    r"^(?P<rank>(?:Deputy |Vice |State )?)Minister (?:of|for) (?:the )?"
    r"(?P<field>[A-Z][\w-]*(?: [A-Z][\w-]*)?)$"
)
PARENTHESIS = re.compile(r"^(?P<base>.*?)\s*(?P<note>\([^()]*\))$")
_TAG = re.compile(r"<[^>]+>")
MIN_WORD = 2  # words this short match too much to tell clauses apart
WORD = re.compile(r"[^\W_]+")
LEAD_IN_WORDS = 2


def visible_length(html_text: str) -> int:
    """Characters a reader sees in Telegram HTML (tags dropped, entities read)."""
    return len(html.unescape(_TAG.sub("", html_text)))


# ----------------------------------------------------------------------------- who, when


def shorten_title(title: str, country: str | None = None) -> str:
    """'Minister of Foreign Affairs of China' → 'Foreign Minister';
    'President of the People's Republic of China' → 'President' (for a speaker of China)."""
    note = ""
    if match := PARENTHESIS.match(title):
        title, note = match["base"], match["note"]
    if country:
        state = rf"(?:the (?:[A-Z][\w'’-]* )*?(?:{STATE_WORDS}) of )?"
        title = re.sub(rf" of {state}{re.escape(country)}$", "", title)
    if match := MINISTER.match(title):
        field = match["field"].removesuffix(" Affairs")
        title = f"{match['rank']}{field} Minister"
    if len(title) > ROLE_CHARS and ", " in title:
        title = title.split(", ", 1)[0]
    if note and len(title) + 1 + len(note) <= ROLE_CHARS:
        title = f"{title} {note}"
    return cut_words(title, ROLE_CHARS)


def short_role(speaker: Speaker, day: dt.date) -> str | None:
    """The speaker's main title on ``day``, shortened: memberships give way to offices, and
    of several offices the one people use (the shortest) wins."""
    held = [role.title for role in speaker.roles if role.held_on(day)]
    if not held:
        return None
    titles = [shorten_title(title, speaker.country) for title in held]
    offices = [t for t in titles if not t.lower().startswith("member of")] or titles
    return min(offices, key=len)


def attribution_html(item: Attributed) -> str:
    """'— Wang Yi, Foreign Minister · 17 Dec 2024' (with the relay, when there is one)."""
    statement = item.statement
    original = statement.original_date
    role = short_role(item.speaker, original or statement.date)
    who = f"— <b>{esc(cut_words(item.speaker.name, NAME_CHARS))}</b>"
    if role:
        who += f", {esc(role)}"
    if item.relayed_by is None:
        return f"{who} · {esc(said_on(statement))}"
    relay = (
        f"as relayed by <b>{esc(cut_words(item.relayed_by.name, NAME_CHARS))}</b> "
        f"{esc(on_day(statement.date))}"
    )
    if original is not None:
        return f"{who} · {esc(human_date(original))}, {relay}"
    return f"{who}, {relay}"


def label_html(item: Attributed) -> str:
    """The quote / reported / summary label, and the publisher once."""
    publisher = cut_words(item.source.publisher, PUBLISHER_CHARS)
    if item.statement.kind is StatementKind.REPORTED:
        return f"<i>Reported by {esc(publisher)}</i>"
    label = kind_label(item)
    return f"<i>{esc(label[:1].upper() + label[1:])}</i> · {esc(publisher)}"


# ----------------------------------------------------------------------------- the words


def starts_mid_sentence(text: str) -> bool:
    first = re.search(r"[^\W\d_]", text)
    return first is not None and first.group().islower()


def ends_mid_sentence(text: str) -> bool:
    core = text.rstrip().rstrip(CLOSERS).rstrip()
    return not core or core[-1] not in SENTENCE_ENDS


def refers_outside(text: str) -> bool:
    """Does the text lean on something said before it ("It shows ...", "these messages")?"""
    words = re.findall(r"[^\W\d_]+", text[:40].lower())
    return bool(words and words[0] in ANAPHORIC_OPENERS) or bool(ANAPHORIC_ANYWHERE.search(text))


def card_html(
    item: Attributed,
    *,
    number: int | None = None,
    total: int | None = None,
    limit: int = MAX_CARD_CHARS,
) -> str:
    """One statement as a compact, self-contained HTML card of at most ``limit`` visible
    characters (every tag it opens, it closes)."""
    statement = item.statement
    text = statement.text
    header = f"<b>{number}/{total}</b>" if number is not None and total and total > 1 else ""
    context = ""
    if statement.context and refers_outside(text):
        context = f"<i>{esc(cut_words(statement.context, CONTEXT_CHARS))}</i>"
    lines = [attribution_html(item), label_html(item)]
    quote = statement.kind is StatementKind.QUOTE
    lead = starts_mid_sentence(text)
    tail = ends_mid_sentence(text) and not item.quote_ends  # '…country," Wang said' ends there

    def fixed(extra: str = "") -> int:
        parts = [p for p in (header, "<blockquote></blockquote>", context, *lines) if p]
        marks = len(ELLIPSIS) * lead + 2 * tail + 2 * quote
        return visible_length("\n".join(parts)) + marks + len(extra)

    if context and fixed() + len(text) > limit:
        context = ""  # the words matter more than their setting
    if fixed() + len(text) > limit:
        note = f" · <i>{SHORTENED}</i>"
        text, _ = trim_at_sentence(text, max(limit - fixed(visible_part(note)), 1))
        lines[-1] += note
        tail = False  # trim_at_sentence marked the cut
    body = (ELLIPSIS if lead else "") + esc(text) + (" " + ELLIPSIS if tail else "")
    if quote:
        body = f"“{body}”"
    parts = [header, f"<blockquote>{body}</blockquote>", context, *lines]
    return "\n".join(p for p in parts if p)


def visible_part(html_text: str) -> str:
    return html.unescape(_TAG.sub("", html_text))


# ----------------------------------------------------------------------------- inline


def matched_excerpt(text: str, query: str, limit: int) -> str:
    """``text`` cut to ``limit`` around where most of ``query``'s words are (a couple of
    words of lead-in kept), with an ellipsis in front when that is not where the text starts."""
    wanted = {t for t in tokens(normalize(query)) if len(t) > MIN_WORD}
    words = list(WORD.finditer(text))

    def hits(start: int) -> int:
        window = {w for w in tokens(normalize(text[start : start + limit])) if len(w) > MIN_WORD}
        return sum(any(w.startswith(q) or q.startswith(w) for w in window) for q in wanted)

    matching = [
        n for n, word in enumerate(words)
        if any(normalize(word.group()).startswith(q) for q in wanted)
    ]  # fmt: skip
    if not matching:
        return cut_words(text, limit)
    best = max(matching, key=lambda n: (hits(words[n].start()), -n))
    begin = words[max(best - LEAD_IN_WORDS, 0)].start()
    if begin == 0 or len(text) <= limit:
        return cut_words(text, limit)
    return ELLIPSIS + cut_words(text[begin:], limit - len(ELLIPSIS))
