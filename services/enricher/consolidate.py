"""One event per real occurrence: merging an article's drafts across sentences, quotes and the
headline, and applying denials to the claims they deny.

Two drafts are the same occurrence when they have the same type, no role in which both name
someone and the names differ, compatible quantities (overlapping ranges of the same unit, or
one of them without a count), compatible places, and the same footing in time (background or
current). The merged event keeps the roles most mentions agree on, the most specific
quantity, every attribution and every denier; a denial by the acting party makes it
``denied``, a contestation by anyone else ``disputed``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from services.enricher.model import AGENT_ROLES, PATIENT_ROLES, Draft, one_role_each
from shared.records import Actor, Location, Quantity

_EPISTEMIC = {"denied": 3, "disputed": 2}


def merge(drafts: list[Draft]) -> list[Draft]:
    """Clusters of drafts, each merged into one; ordered by first mention."""
    clusters: list[list[Draft]] = []
    for d in sorted(drafts, key=lambda x: (x.headline is False, x.position)):
        for cluster in clusters:
            if all(compatible(k, d) for k in cluster) and any(related(k, d) for k in cluster):
                cluster.append(d)
                break
        else:
            clusters.append([d])
    merged = [combine(c) for c in clusters]
    return sorted(merged, key=lambda d: (d.headline, d.position))


def compatible(a: Draft, b: Draft) -> bool:
    if a.type != b.type or a.background != b.background:
        return False
    if a.sentence_index == b.sentence_index and not a.headline and a.position != b.position \
            and a.type in ("attack", "casualties") and _quantity_conflict(a, b):
        return False
    for roles in (AGENT_ROLES, PATIENT_ROLES):
        ka, kb = a.codes(*roles), b.codes(*roles)
        if ka and kb and not ka & kb and (roles is AGENT_ROLES
                                          or _kinds(a, roles) & _kinds(b, roles)):
            return False
    if _other_company(a, b):
        return False  # Kim with Lavrov is not Kim with Shoigu
    if _quantity_conflict(a, b):
        return False
    if a.direction and b.direction and a.direction != b.direction and not (
            {a.direction, b.direction} <= {"send", "move", "station"}):
        return False
    la, lb = a.location, b.location
    if la and lb and la.name != lb.name and a.type in ("attack",) and (
            la.lat is not None and lb.lat is not None) and not _near(la, lb):
        return False
    # "plans to supply 18 tanks" and "delivered 14 tanks": two events
    return not ({a.status, b.status} >= {"planned", "completed"} and a.quantity and b.quantity)


def _other_company(a: Draft, b: Draft) -> bool:
    """Whether two contacts name different company: each names a person the other does not,
    or each a party that is no person (a country, a group) the other does not. A country on
    one side and a person on the other can be one meeting told twice ("visited Paris" /
    "talks with his French counterpart, Sébastien Lecornu")."""
    pa, pb = a.codes("participant"), b.codes("participant")
    if not pa or not pb:
        return False
    only_a = {x.kind == "person" for x in a.actors if (x.code or x.name) in pa - pb}
    only_b = {x.kind == "person" for x in b.actors if (x.code or x.name) in pb - pa}
    return bool(only_a & only_b)


def _kinds(d: Draft, roles: tuple[str, ...]) -> set[str]:
    """Kinds named in roles: a target that is a country and one that is a town or a group can
    be one target told twice ("attacked Mali" / "attacked an army camp at Dioura")."""
    return {x.kind for x in d.actors if x.role in roles}


def related(a: Draft, b: Draft) -> bool:
    """Is there positive evidence that two compatible drafts tell one occurrence?"""
    if a.headline or b.headline:
        return bool(a.codes() & b.codes()) or not a.codes() or not b.codes()
    shared = a.codes() & b.codes()
    if shared and (a.quantity is None or b.quantity is None or _overlap(a.quantity, b.quantity)):
        return True
    if b.anaphoric or a.anaphoric:
        return True
    return a.sentence_index == b.sentence_index


def _near(a: Location, b: Location) -> bool:
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return False
    return abs(a.lat - b.lat) < 0.5 and abs(a.lon - b.lon) < 0.5


def _quantity_conflict(a: Draft, b: Draft) -> bool:
    qa, qb = a.quantity, b.quantity
    if qa is None or qb is None:
        return False
    if qa.unit != qb.unit and not {qa.unit, qb.unit} & {"troops", "personnel", "killed",
                                                        "killed_or_wounded", "casualties"}:
        return False  # different things counted: "14 tanks" and "3 howitzers"
    if qa.unit != qb.unit:
        return False
    return not _overlap(qa, qb)


def _overlap(a: Quantity, b: Quantity) -> bool:
    slack = 0.1 if a.approximate or b.approximate else 0.0
    return a.min * (1 - slack) <= b.max and b.min * (1 - slack) <= a.max


def combine(cluster: list[Draft]) -> Draft:
    body = [d for d in cluster if not d.headline] or cluster
    first = min(body, key=lambda d: d.position)
    best = max(body, key=lambda d: (len({a.role for a in d.actors}), d.quantity is not None,
                                    d.confidence, -d.position))
    out = replace(best, actors=_vote(cluster), attribution=[], disputed_by=[], also=[],
                  breakdown=list(best.breakdown), mentions=len(cluster))
    out.position = first.position
    out.sentence = first.sentence if first.quantity or not best.quantity else best.sentence
    counts = [d.quantity for d in cluster if d.quantity]
    out.quantity = _count(out.type, counts) or best.quantity
    calibre = next((d.quantity.calibre for d in cluster if d.quantity and d.quantity.calibre),
                   None)
    if out.quantity is not None and calibre and not out.quantity.calibre:
        out.quantity = replace(out.quantity, calibre=calibre)  # "152mm" said once
    out.location = _place(cluster)
    out.time_text = next((d.time_text for d in sorted(body, key=lambda d: d.position)
                          if d.time_text), None)
    for d in sorted(cluster, key=lambda d: d.position):
        out.attribution += [s for s in d.attribution if s not in out.attribution]
        out.disputed_by += [s for s in d.disputed_by if s not in out.disputed_by]
        out.breakdown = out.breakdown or list(d.breakdown)
        out.also += [q for q in d.also if q.unit not in {x.unit for x in out.also}]
    if out.type == "casualties" and out.quantity is not None:  # "killing two and wounding
        for unit in dict.fromkeys(q.unit for q in counts):     # seven": the 7 in also
            other = _specific([q for q in counts if q.unit == unit])
            if other is not None and unit != out.quantity.unit and \
                    unit not in {x.unit for x in out.also}:
                out.also.append(other)
    out.status = _status(cluster)
    out.direction = Counter(d.direction for d in cluster if d.direction).most_common(1)[0][0] \
        if any(d.direction for d in cluster) else None
    out.headline = all(d.headline for d in cluster)
    out.confidence = min(0.95, round(max(d.confidence for d in cluster)
                                     + 0.05 * (len(cluster) - 1), 2))
    return out


def _vote(cluster: list[Draft]) -> list[Actor]:
    """Per role, the names most drafts give (ties: the earliest draft's)."""
    votes: Counter[tuple[str, str]] = Counter()
    first_seen: dict[tuple[str, str], int] = {}
    by_key: dict[tuple[str, str], Actor] = {}
    for d in cluster:
        for a in d.actors:
            key = (a.role, a.code or a.name)
            votes[key] += 1 if not d.headline else 0.5  # type: ignore[assignment]
            first_seen.setdefault(key, d.position)
            by_key.setdefault(key, a)
    out: list[Actor] = []
    for role in dict.fromkeys(a.role for d in cluster for a in d.actors):
        keys = [k for k in votes if k[0] == role]
        top = max(votes[k] for k in keys)
        out += [by_key[k] for k in sorted(keys, key=lambda k: first_seen[k])
                if votes[k] >= top or (by_key[k].kind == "person")]
    return one_role_each(out)


def _count(etype: str, quantities: list[Quantity]) -> Quantity | None:
    """The occurrence's count: for casualties the killed when given (docs/annotation.md),
    else the most specific."""
    if etype == "casualties":
        killed = [q for q in quantities if q.unit == "killed"]
        return _specific(killed or quantities)
    return _specific(quantities)


def _specific(quantities: list[Quantity]) -> Quantity | None:
    """The most specific count: exact over approximate, the narrowest range."""
    if not quantities:
        return None
    return min(quantities, key=lambda q: (q.approximate, q.max - q.min, -len(q.text)))


def _place(cluster: list[Draft]) -> Location | None:
    places = [d.location for d in cluster if d.location is not None]
    if not places:
        return None
    with_coords = [p for p in places if p.lat is not None]
    return (with_coords or places)[0]


def _status(cluster: list[Draft]) -> str:
    statuses = [d.status for d in cluster]
    weak = [s for s in statuses if s in _EPISTEMIC]
    if weak:
        return max(weak, key=lambda s: _EPISTEMIC[s])
    if any(d.disputed_by for d in cluster):
        return "disputed"
    body = [d for d in cluster if not d.headline] or cluster
    first = min(body, key=lambda d: d.position).status
    if first in ("completed", "reported") and any(d.status == "confirmed" for d in body):
        return "confirmed"  # a later confirmation by the actor or an authority
    return first  # the lede says how sure the report is; later narration repeats it


def breakdowns(events: list[Draft]) -> list[Draft]:
    """Partitive drafts ("1,000 of these people would be sappers") itemise an earlier total
    of the same type instead of standing as events of their own."""
    out: list[Draft] = []
    for d in events:
        owner = next((k for k in reversed(out) if d.partitive and k.type == d.type
                      and k.quantity and d.quantity and d.quantity.max <= k.quantity.max), None)
        if owner is not None:
            if d.quantity is not None:
                owner.breakdown.append(d.quantity)
            continue
        out.append(d)
    return out
