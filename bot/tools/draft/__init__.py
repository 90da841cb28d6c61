"""`policybot draft`: a first draft of a statements file from a news article or transcript.

Typing statements in by hand is where copying errors creep in: a word dropped from a quote, a
reported sentence labelled as a quote, a date taken from the publication rather than the
speech. The draft does the mechanical part and leaves every judgement visible to a human:
each ``text`` is sliced out of the article (never retyped, so it is verbatim by construction),
each guess carries a comment saying where it came from, and the result is printed, never
written into ``knowledge/``.

What counts as "someone said something" is deliberately plain: text inside quotation marks
(``quote``) and sentences with a speech verb and a speaker (``reported``: "X said", "said X",
"according to X", "X added/noted/stressed/pointed out"). A sentence whose speaker cannot be
named is left out rather than guessed: a maintainer can add it, but a wrong attribution is
the one mistake a policy bot must not make.

The package, one module per concern, from the bottom up: ``records`` (Person, Candidate),
``sentences`` (paragraphs, quotations, sentence spans), ``dates`` (datelines and mentioned
days), ``ids`` (slugs and unique ids), ``speakers`` (the Cast), ``attribution`` (speech verbs),
``writer`` (the YAML text) and ``drafter`` (the pass over the article that uses them all).
"""

from bot.tools.draft.dates import find_dateline, mentioned_date
from bot.tools.draft.drafter import draft_statements
from bot.tools.draft.sentences import paragraphs, sentences

__all__ = ["draft_statements", "find_dateline", "mentioned_date", "paragraphs", "sentences"]
