"""Background and history: events the article recalls rather than reports.

An event is background when the clause that tells it is dated in an earlier year than the
article ("in 2014", "last year", "decades ago") or the sentence is a retrospective
(anniversaries, past wars); a running total up to now is not ("has sent 3 million shells
since 2022"). A whole article is a retrospective when its title says so.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from services.enricher.lexicon import Lexicon

_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)s?$")
HISTORY_BEFORE = 1990  # a year before this is history whatever the article's date
_PAST = ("last year", "years ago", "decades ago", "a decade ago", "a century ago",
         "the previous year", "centuries ago", "in the 1990s", "in the 1980s")
_RETRO_TITLE = ("anniversary", "years on", "years after", "remembering", "looking back",
                "history of", "how the", "lessons of", "in retrospect")


def clause_head(t: Token) -> Token:
    """The verb whose clause ``t`` belongs to (itself when it is a verb)."""
    node = t
    while not node.tag_.startswith("VB") and node.head.i != node.i:
        node = node.head
    return node


def is_background(trigger: Token, lex: Lexicon, year: int | None) -> bool:
    sent = trigger.sent
    low = sent.text.lower()
    if any(w in low for w in lex.history):
        return True
    clause = clause_head(trigger)
    for t in sent:
        m = _YEAR.match(t.text)
        if not m or _running(t):
            continue  # "since the start of the war in 2022": a running total, not the past
        when = int(m.group(1)[:4])
        old = when < HISTORY_BEFORE or (year is not None and when < year)
        if old and clause_head(t).i == clause.i:
            return True
    return any(p in low for p in _PAST) and _past_tense(clause)


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
