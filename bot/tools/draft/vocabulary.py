"""The English the drafter reads attribution by: speech verbs, titles, bodies, time words.

General English only, nothing taken from one article: the verbs news copy uses to report
speech, the words of official titles, the nouns that name an institution or a group rather
than a person, and the time phrases that sit between a speaker and their verb ("Holt in April
assured"). Day and month names come from the ``calendar`` module. Everything is lower case.
"""

from __future__ import annotations

import calendar


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CALENDAR = frozenset(
    name.lower() for name in [*calendar.day_name, *calendar.month_name] if name
)  # full names only: "Jan", "May" and "Sun" are people's names too

# A speaker may follow these verbs ("…, said the minister"); "pointed out" counts as one verb.
INVERTING_VERBS = _words(
    """said says added adds noted notes stressed stresses emphasized emphasised emphasizes
    emphasises underlined underlines underscored stated states declared declares explained
    explains wrote writes replied replies continued recalled recalls commented remarked
    insisted insists concluded warned warns argued argues observed asserted announced announces
    affirmed reiterated reiterates pointed points"""
)
# These take an object after them ("told reporters", "thanked the host"): subject before only.
OTHER_VERBS = _words(
    """told tells assured assures urged urges asked informed reminded acknowledged admitted
    admits conceded concedes confirmed confirms claimed claims promised pledged vowed suggested
    predicted maintained countered responded answered denied reaffirmed agreed welcomed thanked
    expressed condemned conveyed criticised criticized summarized summarised outlined"""
)
SPEECH_VERBS = INVERTING_VERBS | OTHER_VERBS
# speech verbs only after a quotation ("…," he continued); "The committee continued its debate"
ONLY_INVERTED = _words("continued")
# Acts rather than reports of words: "X said the government had agreed" is still X's statement.
NOT_RELAYING = _words(
    "agreed welcomed thanked expressed condemned conveyed criticised criticized asked"
)
PARTICIPLES = _words(
    """saying adding noting stressing warning arguing insisting explaining telling declaring
    stating emphasizing emphasising"""
)
# "conveyed the message of X that …": whose words these nouns carry
MESSAGE_NOUNS = _words("message messages words greetings assurance assurances")
AUXILIARIES = _words(
    """also further then later again has had have was were is had already earlier once twice
    repeatedly publicly privately separately recently previously subsequently"""
)

TITLE_WORDS = _words(
    """minister ministers foreign prime deputy vice president secretary general state chancellor
    envoy ambassador spokesperson spokesman spokeswoman premier chairman chairwoman chair
    director governor mayor senator representative councillor counsellor councilor commissioner
    chief head leader top diplomat special finance defence defense interior trade commerce
    justice health mr mrs ms dr prof professor sir dame lord lady king queen prince princess
    consul official officer adviser advisor attorney member permanent senior former acting
    executive national security cabinet negotiator press economy economic energy agriculture
    education housing transport environment culture industry labour labor digital development
    opposition regional federal provincial municipal lieutenant colonel admiral captain commander
    judge prosecutor lawmaker legislator congressman congresswoman ombudsman coordinator
    undersecretary assistant principal first mp delegate observer rapporteur"""
)
# a bare title cannot be a person's name, even capitalised ("the Minister added")
ROLE_NOUNS = TITLE_WORDS - _words(
    """foreign prime deputy vice top special finance defence defense interior trade commerce
    justice health senior former acting national security cabinet press economy economic energy
    agriculture education housing transport environment culture industry labour labor digital
    development opposition regional federal provincial municipal permanent first assistant
    principal mr mrs ms dr prof sir dame lord lady"""
)
ORGANISATION_WORDS = _words(
    """ministry ministries department agency authority authorities bank union federation
    institute institution council committee commission office government administration
    parliament assembly congress senate party company corporation firm group association
    foundation forum court tribunal embassy consulate secretariat service army navy police guard
    force forces bureau board organisation organization university school society charity
    league alliance coalition network fund centre center club affairs republic kingdom
    presidency regulator newspaper daily gazette courier herald journal review times news
    broadcasting radio television channel tribune press side sides delegation delegations
    team state states ltd inc plc house palace street hill hall"""  # "Downing Street said"
)
# papers that say things: "according to the minutes", "the report said"
DOCUMENT_NOUNS = _words(
    """minutes report reports statement statements document documents letter memo filing
    survey study records transcript communique communiqué resolution release data figures"""
)
GROUP_NOUNS = _words(
    """ministers sides side leaders governments delegations delegation parties countries nations
    partners members states team"""
)
# plural or vague subjects whose words no one could be held to: left out, never "unknown"
GENERIC_SUBJECTS = _words(
    """officials analysts experts sources reports critics observers residents diplomats witnesses
    people others some many everyone economists investors traders campaigners activists
    supporters opponents forecasters scientists researchers commentators insiders voters
    they there this that these those you who which nobody somebody
    someone anyone anybody everybody none all"""
)
DETERMINERS = _words("the a an")
DEFINITE = _words("the this that both its their his her our")
INDEFINITE = _words("a an one another some")
PRONOUNS = _words("he she him her his")
FIRST_PERSON = _words("i we me us")
IMPERSONAL = _words("it")  # "it said", of a ministry or a company: the speaker is unknown
NAME_PARTICLES = _words("de van von der den bin al la le du da di del dos ter ibn")
TITLE_CONNECTORS = _words("of for on")
PREPOSITIONS = _words(
    """about to with for by from of at in on against toward towards into over between than like
    near behind after before under via through among within without"""
)
LOCATIVE = _words("in at near")  # "in Halvik": a place, so "Halvik said" is its government
LEADING_LINKS = _words(
    """as and but while when so then yet because although though meanwhile also however
    moreover still now earlier later"""
)
TIME_WORDS = _words(
    """today yesterday tonight earlier later recently again also previously once twice
    repeatedly separately publicly privately then now already still week month year morning
    afternoon evening night weekend autumn spring summer winter fall day days ago"""
)
TIME_LEADS = _words("on in at during by last this next early late")
# capitalised at the start of a sentence, never the first word of a name
NOT_NAMES = (
    LEADING_LINKS
    | FIRST_PERSON
    | IMPERSONAL
    | DETERMINERS
    | PREPOSITIONS
    | _words("this there you thank please good dear ladies first second third finally")
)
