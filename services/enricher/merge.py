"""Merging drafts that describe one event, and linking disputes to the claims they dispute.

Within one article two drafts are the same event when they have the same signature, or the
same type and sender and overlapping quantities ("30,000 troops" / "25,000 to 30,000
troops"), or the same type and sender, no quantities and no conflicting recipient.
"""

from __future__ import annotations

from dataclasses import replace

from services.enricher.events import Draft
from shared.records import Quantity

_EPISTEMIC_WEAK = {"denied", "disputed"}


def _overlap(a: Quantity | None, b: Quantity | None) -> bool | None:
    if a is None or b is None:
        return None
    slack = 0.1 if a.approximate or b.approximate else 0.0  # "about 11,000" ~ "11,500"
    return a.min * (1 - slack) <= b.max and b.min * (1 - slack) <= a.max


def same_event(a: Draft, b: Draft) -> bool:
    if a.type != b.type:
        return False
    if _overlap(a.quantity, b.quantity) is False and a.quantity and b.quantity \
            and a.quantity.unit == b.quantity.unit:
        return False  # "plans to supply 18 tanks" / "delivered its first 14 tanks": two events
    if a.signature == b.signature:
        return True
    senders = ("sender", "attacker", "supporter", "subject", "victim")
    sa, sb = a.codes(*senders), b.codes(*senders)
    if not sa or sa != sb:
        return False
    overlap = _overlap(a.quantity, b.quantity)
    if overlap is not None:
        return overlap
    if a.quantity is not None or b.quantity is not None:
        return False
    ra, rb = a.codes("recipient", "target"), b.codes("recipient", "target")
    return not ra or not rb or ra == rb


def combine(keep: Draft, other: Draft) -> Draft:
    statuses = {keep.status, other.status}
    if statuses & _EPISTEMIC_WEAK and statuses - _EPISTEMIC_WEAK:
        keep.status = "disputed"
    keep.attribution += [s for s in other.attribution if s not in keep.attribution]
    keep.disputed_by += [s for s in other.disputed_by if s not in keep.disputed_by]
    keep.location = keep.location or other.location
    keep.time_text = keep.time_text or other.time_text
    if keep.quantity and other.quantity and not keep.quantity.calibre and other.quantity.calibre:
        keep.quantity = replace(keep.quantity, calibre=other.quantity.calibre)
    keep.quantity = keep.quantity or other.quantity
    names = {(x.role, x.name) for x in keep.actors}
    keep.actors += [x for x in other.actors if (x.role, x.name) not in names
                    and x.role not in {y.role for y in keep.actors}]
    return keep


def _completes(kept: Draft, d: Draft) -> bool:
    """An anaphoric draft ("will deliver the weapons") completes the latest same-type event
    when their roles do not conflict and the two together fill more roles."""
    if not d.anaphoric or kept.type != d.type or (kept.quantity and d.quantity):
        return False
    for roles in (("sender",), ("recipient",)):
        a, b = kept.codes(*roles), d.codes(*roles)
        if a and b and a != b:
            return False
    return kept.codes("sender") != d.codes("sender") or kept.codes("recipient") != d.codes(
        "recipient")


def merge(drafts: list[Draft]) -> list[Draft]:
    out: list[Draft] = []
    for d in drafts:
        latest = max((i for i, k in enumerate(out) if k.type == d.type), default=None,
                     key=lambda i: out[i].position)
        for i, kept in enumerate(out):
            if same_event(kept, d) or (i == latest and _completes(kept, d)):
                first, second = (kept, d) if kept.confidence >= d.confidence else (d, kept)
                merged = combine(first, second)
                merged.position = min(kept.position, d.position)
                merged._sig = ""
                out[i] = merged
                break
        else:
            out.append(d)
    return out


def link_dispute(new: list[Draft], prior: list[Draft], denier: str | None,
                 denier_code: str | None, types: set[str]) -> list[Draft]:
    """Apply a dispute sentence. Returns the drafts of the sentence that remain new events."""
    if denier is None:
        return new
    keep = []
    for d in new:
        target = _best_prior(d, prior)
        if target is not None:
            _dispute(target, denier)
            continue
        if denier_code and denier_code in d.codes("sender", "attacker", "supporter", "subject"):
            d.status = "denied"
        else:
            _dispute(d, denier)
        keep.append(d)
    if not new:
        candidates = [p for p in prior if not types or p.type in types] or prior[-1:]
        if candidates:
            _dispute(candidates[-1], denier)
    return keep


def _dispute(d: Draft, denier: str) -> None:
    if denier not in d.disputed_by:
        d.disputed_by.append(denier)


def _best_prior(d: Draft, prior: list[Draft]) -> Draft | None:
    best, best_score = None, 0
    for p in prior:
        if p.type != d.type or not (p.codes() & d.codes()):
            continue
        score = 1 + (p.codes("recipient", "target") == d.codes("recipient", "target"))
        score += p.status == d.status
        if score >= best_score:
            best, best_score = p, score
    return best
