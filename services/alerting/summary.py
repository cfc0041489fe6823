"""One human line per alert, e.g.
"North Korea → Russia: 25,000–30,000 troops (planned; CNN citing Ukrainian intelligence;
disputed by GUR)". Pure formatting, no I/O.
"""

from __future__ import annotations

from shared.records import Event, Quantity

_FROM_ROLES = ("sender", "attacker", "subject", "speaker")
_TO_ROLES = ("recipient", "target")


def summarise(event: Event, source_count: int = 1) -> str:
    head = _actors(event)
    what = _quantity(event.quantity) if event.quantity else event.type.replace("_", " ")
    if event.location is not None and event.location.name:
        what += f" in {event.location.name}"
    notes = [event.status.replace("_", " ")]
    if event.attribution:
        notes.append(" citing ".join(event.attribution))
    if event.disputed_by:
        notes.append("disputed by " + ", ".join(event.disputed_by))
    line = f"{head}: {what} ({'; '.join(notes)})" if head else f"{what} ({'; '.join(notes)})"
    if source_count > 1:
        line += f" · {source_count} sources"
    return line[:1].upper() + line[1:]


def _actors(event: Event) -> str:
    senders = _names(event, _FROM_ROLES)
    receivers = _names(event, _TO_ROLES)
    if senders and receivers:
        return f"{senders} → {receivers}"
    others = ", ".join(dict.fromkeys(a.name for a in event.actors))
    return others


def _names(event: Event, roles: tuple[str, ...]) -> str:
    return ", ".join(dict.fromkeys(a.name for a in event.actors if a.role in roles))


def _quantity(q: Quantity) -> str:
    amount = _number(q.min) if q.min == q.max else f"{_number(q.min)}–{_number(q.max)}"
    if q.approximate:
        amount = "about " + amount
    unit = q.unit.replace("_", " ")
    return f"{amount} {q.calibre} {unit}" if q.calibre else f"{amount} {unit}"


def _number(value: float) -> str:
    # "12 million" reads better than "12,000,000" in a one-line alert.
    if value >= 1_000_000 and value % 100_000 == 0:
        millions = value / 1_000_000
        return f"{millions:g} million"
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"
