"""Casualties and the attacks that caused them, read together across a scene.

A casualty count rarely names everyone: "A Russian missile hit Kharkiv. At least 12 people
were killed." The scene is the attack in the same sentence, else the latest one up to two
sentences before. From it a count without victims takes the attack's target (or, for
fighters of the attacking side killed, "two militants killed", its attacker), and one
without a perpetrator the attack's attacker. A killing by an armed actor with no attack of
its own ("gunmen killed three villagers") is an attack too: one is added beside it, as the
annotation guideline asks.
"""

from __future__ import annotations

from dataclasses import replace

from services.enricher.frames import Draft
from services.enricher.model import SCENE
from shared.records import Actor

_FIGHTERS = frozenset({"militants", "troops"})


def link(drafts: list[Draft]) -> list[Draft]:
    drafts = _summaries(_counts_together(drafts))
    attacks = [d for d in drafts if d.type == "attack"]
    for d in drafts:  # first, so that the attack's casualties take the claimant too
        if d.type == "responsibility":  # "X claimed responsibility": X attacked
            scene = _scene(d, attacks, same_first=False)
            if scene is not None and not any(a.role == "attacker" for a in scene.actors):
                scene.actors = [*d.actors, *scene.actors]
    out: list[Draft] = []
    for d in drafts:
        if d.type == "responsibility":
            continue
        if d.type == "casualties":
            scene = _scene(d, attacks)
            if scene is not None:
                _fill(d, scene)
            elif d.armed_agent and d.trigger_verb:
                out.append(_attack_of(d))
        out.append(d)
    _by_the_other_side(out, attacks)
    return out


def _by_the_other_side(drafts: list[Draft], attacks: list[Draft]) -> None:
    """In an article whose attacks are all between the same two states, a side's losses
    with no one named for them were inflicted by the other ("Russian forces lost 1,040
    troops", in a report of Russian and Ukrainian attacks)."""
    pairs = {frozenset((a.code, t.code)) for k in attacks for a in k.actors for t in k.actors
             if a.role == "attacker" and t.role == "target" and a.kind == t.kind == "country"
             and a.code and t.code and a.code != t.code}
    if len(pairs) != 1:
        return
    [pair] = pairs
    for d in drafts:
        if d.type != "casualties" or any(a.role == "attacker" for a in d.actors):
            continue
        victims = [a for a in d.actors if a.role == "victim" and a.code in pair]
        if len(victims) == 1 and len({a.code for a in d.actors if a.role == "victim"}) == 1:
            other = next(c for c in pair if c != victims[0].code)
            source = next(a for k in attacks for a in k.actors if a.code == other)
            d.actors.append(replace(source, role="attacker"))


_PRIMARY = {"killed": 0, "killed_or_wounded": 1, "casualties": 2, "wounded": 3, "captured": 4,
            "missing": 5}


def _summaries(drafts: list[Draft]) -> list[Draft]:
    """An incident log's "Fatalities: 3" totals the counts the note already gave: it stands
    as an event only when nothing else counted the dead; a zero is no event."""
    def summary(d: Draft) -> bool:
        return d.type == "casualties" and d.sentence.lower().startswith(("fatalities", "deaths"))
    counted = any(d.type == "casualties" and not summary(d) for d in drafts)
    return [d for d in drafts if not summary(d) or (
        not counted and d.quantity is not None and d.quantity.max > 0)]


def _counts_together(drafts: list[Draft]) -> list[Draft]:
    """"killing four people and wounding 19": one occurrence, counted twice. The killed
    count leads; the others go in ``also``."""
    out: list[Draft] = []
    for d in drafts:
        lead = next((k for k in out if k.type == "casualties" and d.type == "casualties"
                     and k.sentence_index == d.sentence_index and k.headline == d.headline
                     and k.quantity and d.quantity and k.quantity.unit != d.quantity.unit), None)
        if lead is None:
            out.append(d)
            continue
        if lead.quantity and d.quantity and (lead.quantity.min, lead.quantity.max) == (
                d.quantity.min, d.quantity.max):  # one count read twice ("lost 4,000 ...
            if d.quantity.unit == "killed_or_wounded":  # soldiers killed or wounded")
                lead.quantity = d.quantity
            lead.actors += [a for a in d.actors if a not in lead.actors]
            continue
        first, second = sorted((lead, d), key=lambda x: _PRIMARY.get(x.quantity.unit, 9)
                               if x.quantity else 9)
        if second.quantity is not None:
            first.also.append(second.quantity)
        first.actors += [a for a in second.actors if a not in first.actors]
        out[out.index(lead)] = first
    return out


def _scene(d: Draft, attacks: list[Draft], same_first: bool = True) -> Draft | None:
    """The attack of the same sentence, else the latest one up to two sentences before."""
    same = [k for k in attacks if k.sentence_index == d.sentence_index
            and k.headline == d.headline and k.background == d.background]
    if same:
        return same[0]
    before = [k for k in attacks if not k.headline and k.background == d.background
              and 0 < d.sentence_index - k.sentence_index <= SCENE]
    return before[-1] if before else None


def _fill(d: Draft, scene: Draft, *, told_together: bool = False) -> None:
    """The count ``d`` takes what its attack ``scene`` names and it does not; the attack takes
    the count's victims as its target when they are told together (one sentence, or the
    article's only attack and count)."""
    roles = {a.role for a in d.actors}
    attackers = [a for a in scene.actors if a.role == "attacker"]
    targets = [a for a in scene.actors if a.role == "target"]
    fighters = d.quantity is not None and d.victim_unit in _FIGHTERS and not targets
    if "victim" not in roles:
        if d.victim_unit == "militants" and attackers:
            d.actors += [replace(a, role="victim") for a in attackers]  # their own losses
            d.actors += [replace(a, role="attacker") for a in targets if "attacker" not in roles]
            return
        if not fighters:
            d.actors += [replace(a, role="victim") for a in targets]
    if "attacker" not in roles and attackers:
        victims = {a.code or a.name for a in d.actors if a.role == "victim"}
        d.actors += [replace(a, role="attacker") for a in attackers
                     if (a.code or a.name) not in victims]
    if not targets and (told_together or scene.sentence_index == d.sentence_index):
        hit = {a.code or a.name for a in scene.actors}  # "an air strike killed 14 Palestinians"
        scene.actors += [replace(a, role="target") for a in d.actors
                         if a.role == "victim" and (a.code or a.name) not in hit]
    d.location = d.location or scene.location


def _attack_of(d: Draft) -> Draft:
    attackers = [a for a in d.actors if a.role == "attacker"]
    targets = [Actor("target", a.name, a.kind, a.code) for a in d.actors if a.role == "victim"]
    return replace(d, type="attack", actors=[*attackers, *targets], quantity=None, also=[],
                   breakdown=[], position=d.position - 1, trigger_verb=False,
                   attribution=list(d.attribution), disputed_by=list(d.disputed_by))


def one_occurrence(events: list[Draft]) -> None:
    """An article that reports one attack and one casualty count tells one occurrence, however
    far apart the sentences are ("Drones hit Sumy overnight." ... "Three people died in
    hospital."): the count is filled from the attack as from its scene, and the attack takes
    the count's victims as its target. Several attacks or counts: nothing is guessed.
    Background is left out."""
    attacks = [d for d in events if d.type == "attack" and not d.background]
    counts = [d for d in events if d.type == "casualties" and not d.background]
    if len(attacks) != 1 or len(counts) != 1:
        return
    [attack], [count] = attacks, counts
    targets = {a.code or a.name for a in attack.actors if a.role == "target"}
    hit = {a.code or a.name for a in count.actors if a.role == "victim"}
    if targets and hit and not targets & hit:
        return  # different parties: not the same occurrence
    _fill(count, attack, told_together=True)
