"""The enricher's pure core: CleanArticle -> EnrichedArticle (entities, events, story id).

One Aho-Corasick pass finds entities, another finds trigger words; only sentences holding a
trigger are analysed further (quantities, attribution, roles, status, time, location).
No I/O beyond loading the packaged data once; no Kafka, no network.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from services.enricher.attribution import attribute
from services.enricher.events import RULES, Draft, SentenceCtx, could_fire, skip_sentence
from services.enricher.gazetteer import Entry, Gazetteer, Mention
from services.enricher.lexicon import Lexicon, Trigger
from services.enricher.mentions import MentionIndex
from services.enricher.merge import link_dispute, merge
from services.enricher.quantities import QuantityReader, breakdown, describe
from services.enricher.roles import RoleFinder
from services.enricher.sentences import Sentences
from services.enricher.stories import StoryIndex, story_id
from shared.records import Actor, CleanArticle, EnrichedArticle, Entity, Event

_DISPUTE_TYPES = {"troop": {"troop_deployment"}, "munition": {"arms_transfer", "attack"}}


class Enricher:
    def __init__(self, extra_gazetteer: Path | None = None, *,
                 story_index: StoryIndex | None = None) -> None:
        self.gazetteer = Gazetteer(extra_gazetteer)
        self.lexicon = Lexicon()
        self.quantities = QuantityReader(self.lexicon.units, self.lexicon.unit_re)
        self.story_index = story_index
        self._people: dict[str, str | None] = {}  # person name -> country (cached lookups)

    def country_name(self, code: str) -> str:
        entry = self.gazetteer.countries.get(code)
        return entry.name if entry else code

    def enrich(self, article: CleanArticle) -> EnrichedArticle:
        text = article.text
        mentions = self.gazetteer.find(text)
        events = self.events(text, mentions)
        sid = story_id(article, events)
        if self.story_index is not None:
            sid = self.story_index.assign(article, sid)
        return EnrichedArticle(article=article, entities=entities(mentions), events=events,
                               story_id=sid, stamps=dict(article.stamps))

    def events(self, text: str, mentions: list[Mention]) -> tuple[Event, ...]:
        lowered = _lower(text)
        triggers = self.lexicon.triggers(lowered)
        if not triggers:
            return ()
        sentences = Sentences(text)
        hot = sorted((t for t in triggers if not t.cls.startswith("unit:")), key=_start)
        spans: list[tuple[int, int]] = []
        last_end = -1
        for t in hot:  # one sentence lookup per run of triggers in the same sentence
            if t.start >= last_end:
                spans.append(sentences.span_at(t.start))
                last_end = spans[-1][1]
        starts = [s for s, _ in spans]
        by_sentence: dict[int, list[Trigger]] = defaultdict(list)
        for t in triggers:
            i = bisect_right(starts, t.start) - 1
            if i >= 0 and t.start < spans[i][1]:
                by_sentence[i].append(t)
        index = MentionIndex(mentions)
        drafts: list[Draft] = []
        for i, (start, end) in enumerate(spans):
            drafts.extend(self._sentence(text, lowered, start, end, by_sentence[i], index,
                                         drafts, sentences))
        if drafts and any(p in lowered for p in _PARTITIVE):
            self._breakdowns(lowered, sentences, triggers, set(spans), drafts)
        return tuple(_event(d) for d in merge(drafts))

    def _breakdowns(self, lowered: str, sentences: Sentences, triggers: list[Trigger],
                    done: set[tuple[int, int]], drafts: list[Draft]) -> None:
        """"6,000 personnel ... At least 1,000 of these people would be sappers, while another
        5,000 would help with construction": itemise the earlier total (no new event)."""
        seen: set[tuple[int, int]] = set()
        for t in triggers:
            if t.cls != "unit:troop" and t.cls != "unit:person":
                continue
            span = sentences.span_at(t.start)
            if span in done or span in seen:
                continue
            seen.add(span)
            low = lowered[span[0]:span[1]]
            parts = breakdown(self.quantities, low) if any(p in low for p in _PARTITIVE) else []
            total = sum(q.max for q in parts)
            owners = [d for d in drafts if d.position < span[0] and d.quantity and not d.parts
                      and d.type in ("troop_deployment", "arms_transfer")
                      and d.quantity.max * 0.9 <= total <= d.quantity.max * 1.1]
            if len(parts) >= 2 and owners:
                owners[-1].parts = parts

    def _sentence(self, text: str, lowered: str, start: int, end: int, trigs: list[Trigger],
                  index: MentionIndex, prior: list[Draft], sentences: Sentences) -> list[Draft]:
        low = lowered[start:end]
        units: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for t in trigs:
            if t.cls.startswith("unit:"):
                units[t.cls[5:]].append((t.start - start, t.word))
        trigs = [t for t in trigs if not t.cls.startswith("unit:")]
        classes = {t.cls for t in trigs}
        if "contact" in classes and len(index.between(start, end)) < 2:
            classes.discard("contact")
        if not could_fire(classes, units, low) or sentences.skip(start) or skip_sentence(
                self.lexicon, low, bool(units.get("troop") or units.get("munition"))):
            return []  # cheapest checks first: most trigger sentences stop here
        ctx = self._context(text, low, start, end, trigs, units, index, self._sides(prior, start))
        new = [d for rule in RULES for d in rule(ctx)]
        new = [d for d in new if not _absorbed(d, ctx, prior)]
        _victims_from_attack(new, prior, self.country_name)
        if "dispute" not in ctx.triggers:  # "will not send": a non-event, not a denial
            new = [d for d in new if d.status != "denied"]
        if "dispute" in ctx.triggers:
            denier = self._denier(ctx)
            types = set().union(*(_DISPUTE_TYPES.get(c, set()) for c in units))
            new = link_dispute(new, prior, denier[0], denier[1], types)
        return new

    def _sides(self, prior: list[Draft], start: int) -> list[Entry] | None:
        """The two countries of the latest meeting just before ``start`` ("the two sides")."""
        for d in reversed(prior):
            if d.type == "diplomatic_contact" and start - d.position < 800:
                codes = list(dict.fromkeys(a.code or self._person_country(a.name)
                                           for a in d.actors))
                codes = [c for c in codes if c]
                if len(codes) == 2:
                    return [self.gazetteer.countries[c] for c in codes
                            if c in self.gazetteer.countries] or None
                return None
        return None

    def _person_country(self, name: str) -> str | None:
        country = self._people.get(name, "")
        if country == "":
            entries = [e for e in self.gazetteer.entities_for([name]) if e.kind == "person"]
            country = self._people[name] = entries[0].country if entries else None
        return country

    def _context(self, text: str, low: str, start: int, end: int, trigs: list[Trigger],
                 units: dict[str, list[tuple[int, str]]], index: MentionIndex,
                 sides: list[Entry] | None = None) -> SentenceCtx:
        by_cls: dict[str, list[Trigger]] = defaultdict(list)
        for t in trigs:
            by_cls[t.cls].append(Trigger(t.start - start, t.end - start, t.cls, t.word))
        cands = index.candidates(text, start, end, sides)
        att = attribute(text, start, end, cands, self.country_name)
        roles = RoleFinder(text, cands, att.sources, _clause_start(att, start),
                           self.country_name)
        return SentenceCtx(
            text=text, start=start, end=end, lowered=low, triggers=dict(by_cls),
            units=dict(units),
            quantities=self.quantities.read(low, min(u for us in units.values() for u, _ in us))
            if units else [],
            cands=cands, att=att,
            roles=roles,
            self_codes={c.country for c in att.sources[:1]})

    def _denier(self, ctx: SentenceCtx) -> tuple[str | None, str | None]:
        first = ctx.start + min(t.start for t in ctx.triggers["dispute"])
        before = [c for c in ctx.cands if c.end <= first and c.entry.kind != "media"]
        if not before:
            return None, None
        e = before[-1].entry
        name = self.country_name(e.country) if e.kind == "place" and e.country else e.name
        return name, e.country


def _clause_start(att: object, start: int) -> int:
    verbs = getattr(att, "verbs", [])
    return verbs[0][1] if verbs else start


def _absorbed(d: Draft, ctx: SentenceCtx, prior: list[Draft]) -> bool:
    """"at least 1,000 of these people would be sappers": a breakdown of an earlier event."""
    part = [q for q in ctx.quantities if q.partitive]
    if d.type not in ("troop_deployment", "arms_transfer") or not part:
        return False
    return any(p.type == d.type and p.quantity and p.quantity.max >= part[0].quantity.max
               for p in prior)


def _victims_from_attack(new: list[Draft], prior: list[Draft],
                         country_name: Callable[[str], str]) -> None:
    """"At least 9 people were killed." after a strike: the victims are the strike's target."""
    for d in new:
        if d.type != "casualties" or d.actors:
            continue
        attacks = [p for p in [*prior, *new] if p.type == "attack" and p.codes("target")]
        if attacks:
            code = sorted(attacks[-1].codes("target"))[0]
            d.actors = [Actor("victim", country_name(code), "country", code)]


def _start(t: Trigger) -> int:
    return t.start


_PARTITIVE = (" of these ", " of those ", " of them ")


def _event(d: Draft) -> Event:
    actors = tuple(d.actors)
    quantity = d.quantity
    if quantity is not None and d.parts:
        # Event has one quantity; the breakdown rides in its text (no schema change here)
        quantity = replace(quantity, text=f"{quantity.text} (of which {describe(d.parts)})")
    return Event(type=d.type, actors=actors, status=d.status, sentence=d.sentence,
                 confidence=d.confidence, quantity=quantity, location=d.location,
                 time_text=d.time_text, attribution=tuple(d.attribution),
                 disputed_by=tuple(d.disputed_by),
                 signature=d.signature)


def entities(mentions: list[Mention]) -> tuple[Entity, ...]:
    counts: Counter[Entry] = Counter(m.entry for m in mentions)
    merged: dict[tuple[str, str, str | None], int] = {}
    for e, v in counts.items():  # entries differing only in subtype count as one entity
        key = (e.name, e.kind, e.country)
        merged[key] = merged.get(key, 0) + v
    return tuple(Entity(name=n, kind=k, code=c, mentions=v) for (n, k, c), v in merged.items())


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


_DEFAULT: Enricher | None = None
_LOCK = threading.Lock()


def default_enricher() -> Enricher:
    global _DEFAULT
    if _DEFAULT is None:
        with _LOCK:
            if _DEFAULT is None:
                _DEFAULT = Enricher()
    return _DEFAULT


def enrich(article: CleanArticle) -> EnrichedArticle:
    """Enrich with a lazily built, process-wide default ``Enricher``."""
    return default_enricher().enrich(article)
