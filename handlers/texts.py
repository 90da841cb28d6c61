"""User-facing texts shared by more than one handler family (Telegram HTML; every ``{...}`` is
filled with escaped values from the live knowledge base, never hard-coded topics)."""

UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
SLOW_DOWN = "You're asking faster than I can answer — please wait a minute and try again."
QUEUE_FULL = (
    "Too many questions are waiting here, so I skipped the oldest ones — please ask again "
    "in a minute."
)
ASK_USAGE = "Ask me about an official policy statement, e.g. <code>/ask {topic}</code>."
STALE = "This button has expired — please ask again."
GONE = "That statement is no longer in the knowledge base."
NOT_YOURS = "These buttons belong to whoever asked — ask your own, or send the command yourself."
NO_MORE = "No more results."
NOTHING_TO_CONTINUE = "Ask me a question first; then “more” shows its next result."
LAST_RESULT = "That was the last result for “{question}”. Ask me something else!"
NOTHING_FOUND_TO_CONTINUE = (
    "I found nothing for “{question}”, so there is nothing more to show. Try other words, or "
    "/topics to browse."
)

VOTED = {
    (None, True): "Thanks — noted.",
    (None, False): "Thanks — the maintainers will look at this one.",
    (False, True): "Changed to helpful — thanks.",
    (True, False): "Changed to not helpful — the maintainers will look at this one.",
    (True, True): "You already marked this helpful.",
    (False, False): "You already marked this not helpful.",
}

WELCOME_PRIVATE = (
    "👋 I answer questions about official policy statements with the exact text, who said it, "
    "when, and the source — or tell you plainly that I don't know.\n\n"
    "I know {coverage}.\n\n"
    "Ask anything, or try one of these:"
)
WELCOME_GROUP = (
    "👋 I answer questions about official policy statements with the exact text, who said it, "
    "when, and the source. I know {coverage}.\n\n"
    "In this group, ask with <code>/ask your question</code>, mention me "
    "(<code>@{username} {topic}?</code>) or reply to one of my messages; I ignore everything "
    "else. Or try one of these:"
)
HELP_PRIVATE = (
    "<b>How to ask</b>\n"
    "Just write a question, e.g. “{question}”. Typos are fine.\n"
    "Name a speaker (“What did {speaker} say about {topic}?”) or a date (“in {month}”, "
    "“since {year}”, “latest”) to narrow it down. Type “more” for the next result.\n\n"
    "Every answer shows the words first, then who said them and their role then, the date, "
    "and the publisher; <b>Source</b> has the full details. Direct quotes are in quotation "
    "marks; reported speech and summaries are labelled as such. If I don't know, I say so and "
    "suggest nearby topics.\n\n"
    "/topics — what I know about · /topic &lt;name&gt; — a topic's timeline\n"
    "/speakers · /speaker &lt;name&gt; · /latest · /about\n\n"
    "In any chat you can also type <code>@{username} your question</code> to share a statement."
)
HELP_GROUP = (
    "<b>Using me in a group</b>\n"
    "<code>/ask your question</code>, mention me (<code>@{username} {topic}?</code>) or reply "
    "to one of my messages. I ignore all other messages, and answer every question addressed "
    "to me, in turn.\n"
    "The buttons under an answer belong to whoever asked; anyone can vote 👍/👎 (one vote "
    "each).\n"
    "Inline: type <code>@{username} query</code> in any chat."
)
TOPICS_HEADER = (
    "<b>Topics</b> — {count}, most statements first. Tap one for its statements, newest first "
    "(or type /topic &lt;name&gt;)."
)
