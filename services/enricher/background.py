"""Background and history: events the article recalls rather than reports.

An event is background when the clause that tells it is dated in an earlier year than the
article ("in 2014", "last year", "decades ago") or the sentence is a retrospective
(anniversaries, past wars); a running total up to now is not ("has sent 3 million shells
since 2022"). A whole article is a retrospective when its title says so.

A clause with no date of its own takes the date of the clause it hangs from, when it too is
told in the past: "France sent troops to Mali in 2013, and its soldiers stayed on until…",
"…lost its last territory in March 2019, when SDF fighters captured Baghouz". A clause dated
only relative to what came before ("weeks earlier", "later that year") takes the date of the
sentence before it.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from services.enricher.lexicon import Lexicon
from services.enricher.timex import WEEKDAYS

_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)s?$")
_YEAR_IN_TEXT = re.compile(r"(?<![\w,.])(1[89]\d\d|20\d\d)s?(?![\w,])")
_RUNNING_BEFORE = re.compile(r"\b(?:since|from|until|by|through|till)\s+(?:\w+\s+){0,3}$",
                             re.IGNORECASE)
HISTORY_BEFORE = 1990  # a year before this is history whatever the article's date
_PAST = ("last year", "years ago", "decades ago", "a decade ago", "a century ago",
         "the previous year", "centuries ago", "in the 1990s", "in the 1980s")
_RETRO_TITLE = ("anniversary", "years on", "years after", "remembering", "looking back",
                "history of", "how the", "lessons of", "in retrospect")
_NOW = frozenset({"today", "yesterday", "tonight", "overnight", *(d.lower() for d in WEEKDAYS)})
# the clause relations through which a clause is told at the time of the one it hangs from
_DEPENDENT = frozenset({"conj", "advcl", "relcl", "ccomp", "xcomp", "acl", "pcomp"})
_SPANS = frozenset({"day", "week", "month", "year", "decade", "spring", "summer", "autumn",
                    "winter"})
_RELATIVE = frozenset({"earlier", "later", "before", "afterwards", "previously"})
_OLD, _NEW = "old", "new"


def clause_head(t: Token) -> Token:
    """The verb whose clause ``t`` belongs to (itself when it is a verb)."""
    node = t
    while not node.tag_.startswith("VB") and node.head.i != node.i:
        node = node.head
    return node


def _present(verb: Token) -> bool:
    """Is the clause told in the present ("stations", "are deployed", "is sending")?"""
    if verb.tag_ in ("VBZ", "VBP"):
        return True
    return verb.tag_ in ("VBG", "VBN") and any(
        a.dep_ in ("aux", "auxpass") and a.lower_ in ("is", "are", "am") for a in verb.children)


def is_background(trigger: Token, lex: Lexicon, year: int | None, prior: str = "") -> bool:
    """Whether the event ``trigger`` tells is history; ``prior`` is the sentence before."""
    sent = trigger.sent
    low = sent.text.lower()
    clause = clause_head(trigger)
    if any(w in low for w in lex.history) and not _present(clause):
        return True  # not "stations 28,500 troops there under a treaty of the Korean War"
    dates, relative = _clause_dates(sent, year)
    for _ in range(6):
        if clause.i in dates:
            return dates[clause.i] == _OLD
        if clause.i in relative:
            return _old_text(prior, year)  # "weeks earlier": as dated as what came before
        if clause.dep_ not in _DEPENDENT or clause.head.i == clause.i or not _told_in_past(
                clause):
            break
        clause = clause_head(clause.head)
    return any(p in low for p in _PAST) and _past_tense(clause_head(trigger))


def _clause_dates(sent: Span, year: int | None) -> tuple[dict[int, str], set[int]]:
    """Clause head -> "old" or "new", for the clauses a time expression dates; and the
    clauses dated relative to an earlier sentence. "New" wins: "on Monday, a decade after
    the 2014 annexation, Russia sent…" is news."""
    dates: dict[int, str] = {}
    relative: set[int] = set()
    for t in sent:
        m = _YEAR.match(t.text)
        if m and not _running(t):  # "since the start of the war in 2022": a running total
            when = int(m.group(1)[:4])
            old = when < HISTORY_BEFORE or (year is not None and when < year)
            head = clause_head(t).i
            if dates.get(head) != _NEW:
                dates[head] = _OLD if old else _NEW
        elif t.lower_ in _NOW or _this_span(t):
            dates[clause_head(t).i] = _NEW
        elif _relative_span(t):
            relative.add(clause_head(t).i)
    return dates, relative


def _this_span(t: Token) -> bool:
    """ "this week", "last month": news, whatever else the clause says."""
    return t.lower_ in ("week", "month") and any(c.lower_ in ("this", "last") for c in t.children)


def _relative_span(t: Token) -> bool:
    """ "Weeks earlier", "two years later", "later that year", "the following month"."""
    if t.lower_.removesuffix("s") not in _SPANS or t.dep_ != "npadvmod":  # no lemmatiser
        return False
    if t.head.lower_ in _RELATIVE:
        return True
    kids = {c.lower_ for c in t.children}
    return "that" in kids or bool(kids & {"same", "following", "previous"})


def _old_text(text: str, year: int | None) -> bool:
    """Whether a sentence (not parsed) names an earlier year, other than as a start."""
    for m in _YEAR_IN_TEXT.finditer(text):
        when = int(m.group(1))
        if _RUNNING_BEFORE.search(text, 0, m.start()):
            continue
        if when < HISTORY_BEFORE or (year is not None and when < year):
            return True
    return False


def _told_in_past(verb: Token) -> bool:
    """Simple past or past perfect ("sent", "had seized", "was killed"); an infinitive
    takes the tense of the verb it completes ("ordered the troops to leave")."""
    if verb.tag_ == "VBD":
        return True
    if verb.tag_ == "VBN":
        return any(c.dep_ in ("aux", "auxpass") and c.lower_ in ("had", "was", "were")
                   for c in verb.children)
    return verb.tag_ == "VB" and verb.dep_ == "xcomp" and verb.head.tag_ == "VBD"


def _running(year: Token) -> bool:
    node = year
    for _ in range(6):
        if node.lower_ in ("since", "from", "until", "by", "through", "till"):
            return True
        if node.head.i == node.i or node.tag_.startswith("VB"):
            return False
        node = node.head
    return False


def _past_tense(verb: Token) -> bool:
    return verb.tag_ in ("VBD", "VBN")


def retrospective(title: str | None) -> bool:
    low = (title or "").lower()
    return any(w in low for w in _RETRO_TITLE)


def published_year(published: str | None) -> int | None:
    if published and len(published) >= 4 and published[:4].isdigit():
        return int(published[:4])
    return None
