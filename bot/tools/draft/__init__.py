"""`policybot draft`: a first draft of a statements file from a news article or transcript.

Typing statements in by hand is where copying errors creep in: a word dropped from a quote, a
reported sentence labelled as a quote, a date taken from the publication rather than the
speech. The draft does the mechanical part and leaves every judgement visible to a human:
each ``text`` is sliced out of the article (never retyped, so it is verbatim by construction),
each guess carries a comment saying where it came from, and the result is printed, never
written into ``knowledge/``.

What counts as "someone said something" is plain: text inside quotation marks (``quote``), a
sentence with a speech verb and a speaker (``reported``) in the forms news copy uses ("X said",
"said X", "X, the minister, said", "said on Tuesday the official representative … X",
"according to X", "as X recalled", "X told reporters", "…, saying"), and, in a transcript, an
interview or a published speech, the official's own unquoted words. A surname, a role ("the
minister") or a pronoun means the person the article named so; what a speaker reports of a
third person ("Wang said Xi stressed …") is that person's, ``relayed_by`` the speaker. Days,
months, places and bodies are never speakers: a ministry, a capital standing for its
government or an unnamed spokesman gives ``speaker: unknown`` for a human to fill in; words
no one could be held to ("Officials said", an unexplained "he said") are left out. An article
the knowledge base already stores is reported, not drafted again.

The package, one module per concern, from the bottom up: ``records`` (Person, Candidate),
``vocabulary`` (speech verbs, titles, bodies: general English), ``words`` (tokens with their
places), ``names`` (what a phrase names), ``phrases`` (cutting it out of a clause),
``sentences`` (paragraphs, quotations, sentence spans), ``dates`` (datelines and mentioned
days), ``ids`` (slugs and unique ids), ``mentions`` (everyone the article names, read once),
``speakers`` (the Cast), ``subjects`` (clauses and a sentence's subject), ``attribution``
(speech verbs and who is speaking through whom), ``turns`` (transcripts, interviews,
speeches), ``reader`` (the pass over the body), ``writer`` (the YAML text) and ``drafter``
(``draft_statements``, which uses them all).
"""

from bot.tools.draft.dates import find_dateline, mentioned_date
from bot.tools.draft.drafter import draft_statements
from bot.tools.draft.sentences import paragraphs, sentences

__all__ = ["draft_statements", "find_dateline", "mentioned_date", "paragraphs", "sentences"]
