"""Breakdowns of a total told in a later sentence: "6,000 personnel ... at least 1,000 of these
people would be sappers, while another 5,000 would help with construction".

A part is a count that points back ("N of these/those/them", "another N", "the remaining N")
with what it is: the noun the clause says it is ("would be sappers"), or the work it does
("would help with construction": construction workers). Parts that add up to an earlier
deployment's or transfer's count (within 10%) become its ``breakdown``; they are not events.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from services.enricher import amounts
from services.enricher.model import Draft
from shared.records import Quantity

_BACK = frozenset({"these", "those", "them", "whom", "which"})
_MORE = frozenset({"another", "additional", "remaining", "further", "other", "rest"})
_WORK = frozenset({"help", "work", "assist", "serve", "build", "repair", "clear"})
_TYPES = ("troop_deployment", "arms_transfer")


def read(doc: Doc) -> list[Quantity]:
    out: list[Quantity] = []
    for t in doc:
        if not t.like_num:
            continue
        amount = _amount(t)
        if amount is None or not (_points_back(t) or _another(t)):
            continue
        unit = _what(t)
        if unit:
            text = doc[t.left_edge.i:t.i + 1].text
            out.append(Quantity(amount.min, amount.max, unit, amount.approximate, text))
    return out


def attach(parts: list[Quantity], prior: list[Draft]) -> bool:
    """Give ``parts`` to the latest earlier total they add up to; True if one took them."""
    if len(parts) < 2:
        return False
    total = sum(p.max for p in parts)
    for d in reversed(prior):
        q = d.quantity
        if d.type in _TYPES and q is not None and not d.breakdown and \
                q.max * 0.9 <= total <= q.max * 1.1:
            d.breakdown = list(parts)
            return True
    return False


def _amount(t: Token) -> amounts.Amount | None:
    words = [w for w in t.doc[t.left_edge.i:t.i + 1] if w.dep_ != "det" or w.lower_ != "the"]
    return amounts.parse(" ".join(w.text for w in words))


def _points_back(t: Token) -> bool:
    return any(w == "of" and any(g.lower_ in _BACK for g in o.subtree)
               for w, o in ((c.lower_, g) for c in t.children if c.dep_ == "prep"
                            for g in c.children if g.dep_ == "pobj"))


def _another(t: Token) -> bool:
    return any(c.lower_ in _MORE for c in t.children if c.dep_ in ("amod", "det", "advmod"))


def _what(t: Token) -> str | None:
    """"would be sappers" -> sappers; "would help with construction" -> construction
    workers."""
    if t.dep_ not in ("nsubj", "nsubjpass"):
        return None
    verb = t.head
    for c in verb.children:
        if c.dep_ in ("attr", "acomp") and c.tag_.startswith("NN"):
            return c.lower_
    if verb.lower_ in _WORK or verb.lemma_ in _WORK or verb.text.lower().rstrip("s") in _WORK:
        for c in verb.children:
            if c.dep_ == "prep":
                for g in c.children:
                    if g.dep_ == "pobj" and g.tag_.startswith("NN"):
                        return f"{g.lower_} workers"
    return None
