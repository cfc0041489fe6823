"""Rule-based event extraction from trigger-bearing sentences.

Each rule looks at one sentence (its triggers, unit nouns, quantities and actor candidates)
and yields at most one ``Draft`` of its event type. Gates keep hard negatives quiet: a
military unit noun must be present for deployments/transfers/attacks, figurative phrases,
sports and software contexts, historical retrospectives and teasers are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from services.enricher.attribution import Attribution
from services.enricher.lexicon import Lexicon, Trigger
from services.enricher.mentions import Cand
from services.enricher.quantities import QuantityHit
from services.enricher.roles import RoleFinder, location_of
from services.enricher.status import hedged, stance, status_of
from services.enricher.stories import signature
from services.enricher.timex import time_mention
from shared.records import Actor, Location, Quantity

_HISTORY_START = re.compile(
    r"^(?:in|during|by)\s+(?:the\s+)?(?:1\d{3}\b|[\w-]+\s+(?:world|cold|korean|gulf)\s+war)"
    r"|^[\w-]+(?:\s[\w-]+)?\s+(?:years|decades|centuries)\s+ago")
_OLD_YEAR = re.compile(r"\b1[0-8]\d\d\b|\b19[0-8]\d\b")
_ATTACK_STRONG = frozenset({"shelled", "shelling", "bombed", "bombing", "bombings", "bombard",
                            "airstrike", "air strike", "offensive", "assault",
                            "barrage", "raid", "raids", "pound"})
_AIMED = re.compile(r"^[^.;]{0,80}?\b(?:at|on|into|toward|towards)\b")
_SUPPORT_CONTEXT = re.compile(r"\b(?:war|military|fight\w*|defen[cs]e|security|troops|weapons|"
                              r"arms|unconditional\w*|sovereignty|army|lethal|invasion|strategic|"
                              r"measures|soldiers|assistance|"
                              r"joint\s+(?:training|exercises|drills|patrols))\b")
_CASUALTY_UNITS = {"killed or wounded": "killed_or_wounded", "killed": "killed",
                   "killing": "killed", "kills": "killed", "dead": "killed", "died": "killed",
                   "deaths": "killed", "wounded": "wounded", "wounding": "wounded",
                   "injured": "wounded", "injuring": "wounded", "captured": "captured"}
_AGENT_ROLES = frozenset({"sender", "attacker", "supporter", "subject"})
_DEFINITE = re.compile(r"\b(?:the|these|those|this)\s+$")
_TRAINEES = frozenset({"recruits", "conscripts", "reservists"})  # people trained for war
_TOPIC = re.compile(r"\b(?:to discuss|discuss(?:ed|ing)?|about|to talk about|on how)\b")
_RECEIVE = re.compile(r"^(?:receiv|obtain|acquir|procur)")
# a passive relative clause right before an attack verb describes how weapons were used
# later, without naming who used them: "shipped missiles to Russia that were later fired at"
_REL_PASSIVE = re.compile(r"\b(?:that|which)\s+(?:were|was|are|is|had been|have been|has been)"
                          r"\s+(?:[a-z]+\s+)?$")
_BY_AGENT = re.compile(r"\s+(?:[a-z]+\s+){0,4}?by\b")


@dataclass(slots=True)
class Draft:
    type: str
    actors: list[Actor]
    status: str
    sentence: str
    position: int  # absolute offset of the trigger
    confidence: float = 0.5
    quantity: Quantity | None = None
    location: Location | None = None
    time_text: str | None = None
    attribution: list[str] = field(default_factory=list)
    disputed_by: list[str] = field(default_factory=list)
    anaphoric: bool = False  # "deliver the weapons": refers back to an earlier transfer
    parts: list[Quantity] = field(default_factory=list)  # breakdown of ``quantity``
    _sig: str = ""

    @property
    def signature(self) -> str:
        if not self._sig:
            self._sig = signature(self.type, self.actors, self.quantity)
        return self._sig

    def codes(self, *roles: str) -> set[str]:
        return {a.code for a in self.actors if a.code and (not roles or a.role in roles)}


@dataclass(slots=True)
class SentenceCtx:
    text: str  # whole article
    start: int
    end: int
    lowered: str  # the sentence, lower-cased
    triggers: dict[str, list[Trigger]]  # by class, offsets relative to the sentence
    units: dict[str, list[tuple[int, str]]]  # unit class -> [(offset, noun)]
    quantities: list[QuantityHit]
    cands: list[Cand]
    att: Attribution
    roles: RoleFinder
    self_codes: set[str | None]  # countries of the attribution sources

    _time: list[str | None] = field(default_factory=list)
    _stance: list[frozenset[str]] = field(default_factory=list)

    @property
    def stance(self) -> frozenset[str]:
        """Estimated/confirmed/reported/hedge cues of the sentence, one regex pass, cached."""
        if not self._stance:
            self._stance.append(stance(self.lowered))
        return self._stance[0]

    @property
    def time_text(self) -> str | None:
        if not self._time:
            self._time.append(time_mention(self.text[self.start:self.end]))
        return self._time[0]

    @property
    def sentence(self) -> str:
        return self.text[self.start:self.end].strip()

    def draft(self, type_: str, trig: Trigger, actors: list[Actor], qty: QuantityHit | None,
              loc: Cand | None) -> Draft:
        agents = {a.code for a in actors if a.code and a.role in _AGENT_ROLES}
        self_stmt = bool(self.self_codes & agents)
        status = status_of(self.lowered, trig.start, trig.end, type_, self_stmt, self.stance)
        d = Draft(type_, actors, status, self.sentence, self.start + trig.start,
                  quantity=qty.quantity if qty else None,
                  location=location_of(loc) if loc else None,
                  time_text=self.time_text,
                  attribution=list(self.att.chain))
        d.confidence = _confidence(d, hedged(self.lowered, self.stance))
        return d


def _confidence(d: Draft, hedge: bool) -> float:
    roles = {a.role for a in d.actors}
    score = 0.45 + 0.1 * min(len(roles), 2) + (0.15 if d.quantity else 0.0)
    score += 0.05 if d.attribution else 0.0
    score += 0.05 if d.location else 0.0
    score -= 0.15 if hedge else 0.0
    return round(max(0.05, min(score, 0.95)), 2)


Rule = Callable[[SentenceCtx], Iterator[Draft]]


def skip_sentence(lex: Lexicon, lowered: str, has_military_units: bool) -> bool:
    """Figurative, historical ("in 1950", "decades ago"), sports or software sentences.

    One combined, cached pattern per decision instead of up to six searches a sentence."""
    always = lex.combined("skip", ("figurative", "history"),
                          (_HISTORY_START.pattern, _OLD_YEAR.pattern))
    if always.search(lowered):
        return True
    return not has_military_units and lex.combined(
        "civilian", ("sports", "software")).search(lowered) is not None


def could_fire(classes: set[str], units: dict[str, list[tuple[int, str]]],
               lowered: str) -> bool:
    """Cheap pre-check: can any rule (or a dispute) use this sentence at all?"""
    if classes & {"mobilise", "contact", "dispute"}:
        return True
    military = bool(units.get("troop") or units.get("munition"))
    if military and classes & {"move", "transfer", "attack"}:
        return True
    if "attack" in classes and any(w in lowered for w in ("shell", "bomb", "strike", "raid",
                                                          "offensive", "assault", "barrage")):
        return True
    if "casualty" in classes and (military or units.get("person")):
        return True
    return "support" in classes and _SUPPORT_CONTEXT.search(lowered) is not None


def _nearest(hits: list[QuantityHit], pos: int, classes: tuple[str, ...]) -> QuantityHit | None:
    best = [h for h in hits if h.unit_class in classes]
    return min(best, key=lambda h: abs(h.start - pos)) if best else None


def _near_unit(ctx: SentenceCtx, trigs: list[Trigger], cls: str, span: int = 140
               ) -> Trigger | None:
    units = ctx.units.get(cls, [])
    for t in trigs:
        if any(abs(u - t.start) <= span for u, _ in units):
            return t
    return None


def deployment(ctx: SentenceCtx) -> Iterator[Draft]:
    trigs = [t for t in ctx.triggers.get("move", [])
             if not t.word.startswith("pledg") or _nearest(ctx.quantities, t.start, ("troop",))]
    trig = _near_unit(ctx, trigs, "troop")
    if trig is None:
        return
    qty = _nearest(ctx.quantities, trig.start, ("troop",))
    unit_pos = qty.unit_start if qty else min(u for u, _ in ctx.units["troop"])
    a = ctx.start + trig.start
    senders = ctx.roles.owners(ctx.start + unit_pos) or ctx.roles.agents(a)
    codes = {c.country for c in senders}
    recipient = ctx.roles.patient(ctx.start + trig.end, codes, ctx.end)
    loc = ctx.roles.location(ctx.start + trig.end, ctx.end)
    if recipient is None and loc is not None and loc.country not in codes:
        recipient = loc
    actors = ctx.roles.actors("sender", senders)
    actors += ctx.roles.actors("recipient", [recipient] if recipient else [])
    if actors:
        yield ctx.draft("troop_deployment", trig, actors, qty, loc)


def _governing(ctx: SentenceCtx, trigs: list[Trigger], cls: str, span: int) -> Trigger | None:
    """The trigger that governs a unit noun: the nearest one before it ("pledged $4.5 billion
    ..., but said it would not provide lethal weapons" -> "provide", so the negation that
    scopes over "provide" decides the status), else the first one near a unit. The first
    unit noun with a verb before it wins ("will send 14 tanks ..., the first to supply tanks")."""
    for u, _ in sorted(ctx.units.get(cls, [])):
        before = [t for t in trigs if t.end <= u and u - t.start <= span]
        if before:
            return max(before, key=lambda t: t.start)
    return _near_unit(ctx, trigs, cls, span)


def arms_transfer(ctx: SentenceCtx) -> Iterator[Draft]:
    trigs = [t for t in ctx.triggers.get("transfer", []) if not _RECEIVE.match(t.word)
             or any(u > t.start for u, _ in ctx.units.get("munition", []))]
    trig = _governing(ctx, trigs, "munition", 160)
    if trig is None:
        return
    qty = _nearest(ctx.quantities, trig.start, ("munition",))
    a, b = ctx.start + trig.start, ctx.start + trig.end
    givers = ctx.roles.agents(a)
    codes = {c.country for c in givers}
    taker = ctx.roles.patient(b, codes, ctx.end)
    if _RECEIVE.match(trig.word):
        frm = ctx.text.find(" from ", b, ctx.end)
        giver = ctx.roles.patient(frm, codes, ctx.end) if frm > 0 else None
        givers, taker = ([giver] if giver else []), (givers[-1] if givers else None)
    actors = ctx.roles.actors("sender", givers)
    actors += ctx.roles.actors("recipient", [taker] if taker else [])
    if actors:
        d = ctx.draft("arms_transfer", trig, actors, qty, ctx.roles.location(b, ctx.end))
        after = [u for u, _ in ctx.units.get("munition", []) if u >= trig.end]
        d.anaphoric = qty is None and bool(after) and _DEFINITE.search(
            ctx.lowered, max(0, after[0] - 8), after[0]) is not None
        yield d


def attack(ctx: SentenceCtx) -> Iterator[Draft]:
    if ctx.lowered and ctx.roles.text and _not_attack(ctx):
        return
    for trig in ctx.triggers.get("attack", []):
        strong = trig.word in _ATTACK_STRONG
        if not strong and not ctx.units.get("munition") and not ctx.units.get("troop"):
            continue
        if trig.word.startswith(("fire", "firing", "launch")) and not _AIMED.match(
                ctx.lowered[trig.end:]):
            continue
        if _REL_PASSIVE.search(ctx.lowered, max(0, trig.start - 40), trig.start) and (
                not _BY_AGENT.match(ctx.lowered, trig.end)):
            continue  # "missiles ... that were later fired at Ukraine": no attacker named
        yield from _attack_from(ctx, trig)
        return


def _not_attack(ctx: SentenceCtx) -> bool:
    return (bool(ctx.triggers.get("attack")) and ctx.lowered.find("strike group") >= 0) or any(
        p in ctx.lowered for p in ("struck a deal", "strike a deal", "struck an agreement"))


def _attack_from(ctx: SentenceCtx, trig: Trigger) -> Iterator[Draft]:
    a, b = ctx.start + trig.start, ctx.start + trig.end
    weapons = [u for u, _ in ctx.units.get("munition", []) + ctx.units.get("troop", [])
               if u < trig.start]
    attackers = ctx.roles.owners(ctx.start + weapons[-1]) if weapons else []
    attackers = attackers or ctx.roles.agents(a)
    codes = {c.country for c in attackers}
    target = ctx.roles.patient(b, codes, ctx.end)
    loc = ctx.roles.location(b, ctx.end)
    if target is None and loc is not None and loc.country not in codes:
        target = loc
    actors = ctx.roles.actors("attacker", attackers)
    actors += ctx.roles.actors("target", [target] if target else [])
    if actors and (target or loc):
        qty = _nearest(ctx.quantities, trig.start, ("munition",))
        yield ctx.draft("attack", trig, actors, qty, loc)


def casualties(ctx: SentenceCtx) -> Iterator[Draft]:
    for trig in ctx.triggers.get("casualty", []):
        qty = _nearest(ctx.quantities, trig.start, ("person", "troop"))
        if qty is None or abs(qty.start - trig.start) > 90:
            continue
        victims = ctx.roles.owners(ctx.start + qty.unit_start)
        if not victims and trig.word in ("lost", "losses"):
            victims = ctx.roles.agents(ctx.start + trig.start)[-1:]
        loc = ctx.roles.location(ctx.start + trig.end, ctx.end)
        if not victims and qty.quantity.unit == "troops":
            victims = [c for c in ctx.att.sources if c.country][:1]
        if not victims and loc is not None and loc.country:
            victims = [loc]
        actors = ctx.roles.actors("victim", victims)
        unit = _CASUALTY_UNITS.get(_casualty_word(ctx.lowered, trig), "casualties")
        q = qty.quantity
        draft = ctx.draft("casualties", trig, actors, qty, loc)
        draft.quantity = Quantity(q.min, q.max, unit, q.approximate, q.text, q.calibre)
        yield draft
        return


def _casualty_word(lowered: str, trig: Trigger) -> str:
    if lowered.startswith("killed or wounded", trig.start):
        return "killed or wounded"
    return trig.word


def mobilisation(ctx: SentenceCtx) -> Iterator[Draft]:
    trigs = [t for t in ctx.triggers.get("mobilise", []) if t.word != "draft"]
    if not trigs:
        return
    trig = trigs[0]
    qty = _nearest(ctx.quantities, trig.start, ("person", "troop"))
    subjects = ctx.roles.agents(ctx.start + trig.start)[-1:]
    if not subjects:
        subjects = [c for c in ctx.att.sources if c.country][:1]
    actors = ctx.roles.actors("subject", subjects)
    if actors:
        yield ctx.draft("mobilisation", trig, actors, qty, None)


def support(ctx: SentenceCtx) -> Iterator[Draft]:
    if not _SUPPORT_CONTEXT.search(ctx.lowered) or any(
            p in ctx.lowered for p in ("air support", "tech support", "customer support")):
        return
    trainees = [u for u, noun in ctx.units.get("person", []) if noun in _TRAINEES]
    for trig in ctx.triggers.get("support", []):
        if trig.word.startswith("train") and not ctx.units.get("troop") and not trainees and not (
                ctx.lowered.endswith("joint ", 0, trig.start)):
            continue
        a, b = ctx.start + trig.start, ctx.start + trig.end
        givers = ctx.roles.agents(a)
        codes = {c.country for c in givers}
        taker = ctx.roles.patient(b, codes, ctx.end)
        if taker is None and len(givers) > 1:
            givers, taker = givers[:1], givers[1]
        if givers and taker is not None:
            actors = ctx.roles.actors("supporter", givers) + ctx.roles.actors("recipient", [taker])
            qty = _nearest(ctx.quantities, trig.start,
                           ("troop", "person") if trig.word.startswith("train") else ("troop",))
            yield ctx.draft("military_support", trig, actors, qty, None)
            return


def contact(ctx: SentenceCtx) -> Iterator[Draft]:
    trigs = ctx.triggers.get("contact", [])
    if not trigs:
        return
    trig = trigs[0]
    topic = _TOPIC.search(ctx.lowered, trig.end)  # "... to discuss North Korean troops"
    limit = ctx.start + topic.start() if topic else ctx.end
    cands = [c for c in ctx.roles.cands if c.start < limit]
    people = [c for c in cands if c.entry.kind == "person"]
    others = [c for c in cands if c.entry.kind != "person" and c.country]
    names = {c.entry.name for c in people}
    pool = people if len(names) >= 2 else people + [
        c for c in others if c.country not in {p.country for p in people}
        or c.entry.kind == "country"]
    keys = {c.entry.name if c.entry.kind == "person" else c.country for c in pool}
    official = any(c.entry.kind == "organisation" and c.entry.subtype != "composite"
                   for c in pool)
    if len(keys) < 2 or not (people or official):
        return
    actors = [a for c in pool for a in ctx.roles.actors("participant", [c])
              if a.kind == "person" or not people or len(names) < 2]
    loc = ctx.roles.location(ctx.start + trig.end, ctx.end)
    yield ctx.draft("diplomatic_contact", trig, _dedupe(actors), None, loc)


def _dedupe(actors: list[Actor]) -> list[Actor]:
    seen: set[str] = set()
    out = []
    for a in actors:
        if a.name not in seen:
            seen.add(a.name)
            out.append(a)
    return out


RULES: tuple[Rule, ...] = (deployment, arms_transfer, attack, casualties, mobilisation, support,
                           contact)
