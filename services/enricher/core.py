"""The enricher's pure core: CleanArticle -> EnrichedArticle (entities, events, story id).

1. One Aho-Corasick pass finds entity mentions (``gazetteer``) and another the lexicon's scan
   words (``lexicon.scan``); a sentence is a candidate when it holds an event trigger and a
   theme noun or a word of military context. Articles without one stop here.
2. The candidate sentences (and the headline) are parsed together (``nlp.pipe``: tokenizer,
   tagger, dependency parser), and each trigger's frame is read off the parse (``frames``).
3. The drafts are merged into one event per occurrence, denials applied (``consolidate``,
   ``disputes``), history set apart as background (``background``).
No I/O beyond loading the packaged data and model once; no Kafka, no network.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from services.enricher import confidence, disputes, frames, lexicon, parts, places
from services.enricher import nlp as nlp_model
from services.enricher.arguments import Discourse, Party, Resolver
from services.enricher.background import published_year, retrospective
from services.enricher.consolidate import breakdowns, merge
from services.enricher.frames import drafts
from services.enricher.gazetteer import Gazetteer, Mention
from services.enricher.mentions import MentionIndex
from services.enricher.modality import unconfirmed_note
from services.enricher.model import AGENT_ROLES, Draft, Sentence
from services.enricher.scenes import link, one_occurrence
from services.enricher.sentences import Sentences
from services.enricher.stories import StoryIndex, signature, story_id
from services.enricher.timex import time_mention
from shared.records import CleanArticle, EnrichedArticle, Entity, Event

_DIGIT = re.compile(r"\d")
MAX_PARSED_SENTENCES = 200  # per article: a bound on the parser's work on hostile input
MAX_SENTENCE_CHARS = 1500  # longer "sentences" (lists, tables) are cut before parsing
# Articles written in one of these registers (four distinct cue words or more; three for
# crime) use military words as metaphor, fiction or trade talk ("Shakhtar storm Dynamo's
# defences", a war film's "battle scenes", unions "mobilise"), or tell killings that are not
# war ("gunmen shot dead four people at a bar"). Their events must have a state or an armed
# group acting, or soldiers among the dead ("a Russian missile struck the stadium during the
# match"), unless they name an armed group.
OFF_TOPIC = frozenset({"sports", "entertainment", "labour", "technology", "crime"})
_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
                         "\u200a": " ", "\u2002": " ", "\u2003": " ", "\t": " ",
                         "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


# A person the gazetteer may not know, named after a title ("President Ilham Aliyev"): a
# party for the prefilter, so that two leaders meeting are parsed; the NER reads the name.
_TITLED_NAME = re.compile(
    r"\b(?:President|Prime Minister|Minister|Chancellor|King|Emir|Crown Prince|Premier|"
    r"Secretary|Envoy|Ambassador|General|Gen\.)\s+((?:[A-Z][\w'’-]+\s){0,3}[A-Z][\w'’-]+)")
# "ALERT: ...", "Update: ...": a headline's label parses as its subject; blanked, offsets kept.
# A place or party label ("Niger: army airstrikes ...") is kept: it says whose army.
_LABEL = re.compile(r"\A\s*(?:[A-Z][\w'.\-]*\s?){1,3}:\s")
# words of letters in any script (upper case is checked after the match); one space between
# words and bounded counts keep the match linear on any text
_WORD = r"[^\W\d_](?:[^\W\d_]|['’.\-])*"
_CAPS = rf"{_WORD}(?: {_WORD}){{0,4}}"
# then the date, and the agency in brackets ("KYIV (Reuters) -", "NIAMEY, Dec 3 (AFN) —")
_DATELINE = re.compile(rf"\A\s*({_CAPS}(?:/{_CAPS}){{0,3}}) ?"
                       r"((?:,\s*[A-Z][\w.]*(?:\s+\d{1,2})?){0,2})"
                       r"(?:\s*\([A-Z][\w.&' -]{0,30}\))?\s*[—–-]{1,2}\s+")


def dateline(text: str) -> tuple[int, list[str]]:
    """"KYIV, Aug 21 — ...": (offset where the story starts, ["Kyiv"]); (0, []) without one."""
    m = _DATELINE.match(text)
    if not m or len(m.group(1)) > 40 or m.group(1) != m.group(1).upper():  # "BOGOTÁ"
        return 0, []
    places = [p.strip().title() for p in m.group(1).split("/") if p.strip()]
    places += [p.strip() for p in m.group(2).split(",") if p.strip()[:1].isupper()]
    return m.end(), places


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    kinds: int
    headline: bool = False
    prior: tuple[int, int] = (0, 0)  # the sentence before


class Enricher:
    def __init__(self, extra_gazetteer: Path | None = None, *,
                 story_index: StoryIndex | None = None, nlp: Language | None = None) -> None:
        self.gazetteer = Gazetteer(extra_gazetteer)
        self.lex = lexicon.load()
        self.lex.know(frames.CODE_LEMMAS)
        self.nlp = nlp or nlp_model.pipeline()
        self.places = places.index()
        self.story_index = story_index
        self._ner = self.nlp.get_pipe("ner") if "ner" in self.nlp.component_names else None

    def country_name(self, code: str) -> str:
        entry = self.gazetteer.countries.get(code)
        return entry.name if entry else code

    def enrich(self, article: CleanArticle) -> EnrichedArticle:
        return self.enrich_many([article])[0]

    def enrich_many(self, articles: Sequence[CleanArticle]) -> list[EnrichedArticle]:
        """Enrich several articles, parsing all their candidate sentences in one batch."""
        plans = [self._plan(a) for a in articles]
        texts = [t for p in plans for t in p.texts()]
        docs = iter(self.nlp.pipe(texts, batch_size=64)) if texts else iter(())
        out = []
        for article, plan in zip(articles, plans, strict=True):
            parsed = [next(docs) for _ in plan.candidates]
            out.append(self._finish(article, plan, parsed))
        return out

    # -- stage 1: find what to parse ------------------------------------------------------
    def _plan(self, article: CleanArticle) -> _Plan:
        text = article.text
        title = (article.title or "").strip()
        story, datelined = dateline(text)
        mentions = [m for m in self.gazetteer.find(text) if m.start >= story]
        title_mentions = self.gazetteer.find(title) if title else []
        plan = _Plan(article, text, title, mentions, title_mentions)
        plan.story, plan.focus = story, self._focus(datelined)
        lowered = text.lower()
        if len(lowered) != len(text):
            lowered = _lower(text)
        hits = self.lex.scan(lowered)
        if not any(k & lexicon.TRIGGER for _, k in hits):
            return plan  # the prefilter: most articles stop here
        military_words = sum(1 for _, k in hits if k & lexicon.MILITARY)
        armed = any(m.entry.subtype == "armed_group" for m in mentions)
        plan.military = military_words >= 3 or armed
        register = self.lex.doc_register(lowered, hits)
        plan.off_topic = bool(register & OFF_TOPIC) and not armed
        if plan.off_topic or not plan.military:
            plan.military, plan.register = False, register
        elif "exercise" in register:
            plan.register = {"exercise"}  # drills: live fire is not an attack
        parties = [m.start for m in mentions if m.entry.kind in ("country", "organisation",
                                                                   "person")
                   or m.entry.subtype == "capital"]  # "Madrid plans to supply ..."
        civilian = bool(plan.register - {"crime", "disaster"})
        plan.candidates = _candidates(Sentences(text), text, hits, parties, plan.military,
                                      civilian)
        plan.candidates = plan.candidates[:MAX_PARSED_SENTENCES]
        if title and (plan.candidates or self._headline_only(title, title_mentions)):
            plan.candidates.insert(0, _Candidate(0, len(title), 0, headline=True))
        return plan

    def _armed_group(self, name: str) -> bool:
        return any(e.subtype == "armed_group" for e in self.gazetteer.entities_for([name]))

    def _focus(self, places_: list[str]) -> str | None:
        for name in places_:
            for entry in self.gazetteer.entities_for([name, name.upper()]):
                if entry.country:
                    return entry.country
            found = self.places.find(name)
            if found is not None:
                return found.country
        return None

    def _headline_only(self, title: str, mentions: list[Mention]) -> bool:
        kinds = 0
        for _, kind in self.lex.scan(_lower(title)):
            kinds |= kind
        named = sum(m.entry.kind in ("country", "organisation", "person") for m in mentions)
        return lexicon.candidate(kinds, named, _DIGIT.search(title) is not None, False)

    # -- stage 2: read the parses ---------------------------------------------------------
    def _finish(self, article: CleanArticle, plan: _Plan, parsed: list[Doc]
                ) -> EnrichedArticle:
        found: list[Draft] = []
        if parsed:
            found = self._drafts(article, plan, parsed)
        merged = breakdowns(merge(link(found)))
        one_occurrence(merged)
        if merged and unconfirmed_note(article.text):
            for d in merged:
                d.status = "reported" if d.status == "completed" else d.status
        if plan.off_topic:
            merged = _on_topic(merged)
        merged = [d for d in merged if d.actors or d.location is not None]  # nobody, nowhere
        events = tuple(_event(d) for d in merged if not d.background)
        background = tuple(_event(d) for d in merged if d.background)
        sid = story_id(article, events)
        if self.story_index is not None:
            sid = self.story_index.assign(article, sid)
        return EnrichedArticle(article=article, entities=entities(plan.mentions), events=events,
                               story_id=sid, stamps=dict(article.stamps), background=background)

    def _drafts(self, article: CleanArticle, plan: _Plan, parsed: list[Doc]) -> list[Draft]:
        index = MentionIndex(plan.mentions)
        discourse = Discourse(context={m.entry.country for m in plan.mentions
                                       if m.entry.country}, focus=plan.focus)
        if plan.focus:
            discourse.context.add(plan.focus)
        year = published_year(article.published)
        retro = retrospective(plan.title)
        out: list[Draft] = []
        for n, (cand, doc) in enumerate(zip(plan.candidates, parsed, strict=True)):
            source = plan.title if cand.headline else plan.text
            mentions = plan.title_mentions if cand.headline else index.between(cand.start,
                                                                               cand.end)
            resolver = Resolver(doc, 0 if cand.headline else cand.start, mentions,
                                index if not cand.headline else MentionIndex(mentions),
                                self.lex, self.places, self.country_name, discourse,
                                self._ner)
            low = doc.text.lower()
            sentence = Sentence(resolver, self.lex, source[cand.start:cand.end], cand.start, n,
                                headline=cand.headline, military_doc=plan.military,
                                register=self.lex.register_of(lexicon.words(low), low)
                                | plan.register,
                                time_text=time_mention(doc.text), year=year,
                                retrospective=retro, prior=source[slice(*cand.prior)])
            new = drafts(sentence, list(doc))
            if cand.kinds & lexicon.DISPUTE:
                new = disputes.apply(sentence, doc, new, out)
            if parts.attach(parts.read(doc), out):  # "1,000 of these would be sappers"
                new = [d for d in new if not d.partitive]
            _remember_sides(discourse, new, self.country_name, self._armed_group)
            out += new
        return out


def _candidates(sentences: Sentences, text: str, hits: list[tuple[int, int]],
                starts: list[int], military_doc: bool, civilian_doc: bool
                ) -> list[_Candidate]:
    """The sentences worth parsing (``lexicon.candidate``); and, once one is found,
    sentences that deny or dispute something or itemise a count ("1,000 of these")."""
    spans: dict[tuple[int, int], int] = {}
    for pos, kind in hits:
        span = sentences.span_at(pos)
        if not sentences.skip(span[0]):
            spans[span] = spans.get(span, 0) | kind
    out: list[_Candidate] = []
    for (start, end), kind in sorted(spans.items()):
        named = bisect_left(starts, end) - bisect_left(starts, start)
        if kind & lexicon.CONTACT and named < 2:  # two leaders the gazetteer may not hold
            named += sum(1 for m in _TITLED_NAME.finditer(text, start, end)
                         if bisect_left(starts, m.start(1)) == bisect_left(starts, m.end(1)))
        digits = _DIGIT.search(text, start, end) is not None
        follows = bool(out) and (kind & lexicon.DISPUTE or (
            kind & lexicon.PART and (digits or kind & lexicon.NUMBER)))
        if lexicon.candidate(kind, named, digits, military_doc, civilian_doc) or follows:
            out.append(_Candidate(start, end, kind, prior=sentences.span_before(start)))
    return out


@dataclass
class _Plan:
    article: CleanArticle
    text: str
    title: str
    mentions: list[Mention]
    title_mentions: list[Mention]
    candidates: list[_Candidate] = field(default_factory=list)
    military: bool = False
    register: set[str] = field(default_factory=set)  # the whole article's, when not military
    story: int = 0  # where the story starts, after a dateline
    focus: str | None = None  # the dateline's country
    off_topic: bool = False  # written in another register (OFF_TOPIC)

    def texts(self) -> Iterable[str]:
        for c in self.candidates:
            source = self.title if c.headline else self.text
            text = source[c.start:c.end][:MAX_SENTENCE_CHARS].translate(_SPACES)
            if not c.headline and c.start < self.story:  # blank the dateline, keep offsets
                cut = self.story - c.start
                text = " " * cut + text[cut:]
            elif c.headline and c.start == 0 and (m := _LABEL.match(text)) \
                    and not any(x.start < m.end() for x in self.title_mentions):
                text = " " * m.end() + text[m.end():]
            yield text


def _remember_sides(discourse: Discourse, new: list[Draft], name: Callable[[str], str],
                    armed_group: Callable[[str], bool]) -> None:
    """After talks between two countries, "the two sides" are those countries; a quote's
    "we" is the side that acted last; unnamed fighters killed later are the armed group last
    seen fighting."""
    for d in new:
        agent = next((a for a in d.actors if a.role in ("sender", "attacker", "supporter",
                                                        "subject") and a.code), None)
        if agent is not None:
            discourse.agent = Party(agent.name, "country", agent.code, state=True)
        if d.type == "attack" and not d.background:  # a count just after is its toll
            discourse.attack_at = d.sentence_index
        if d.type in ("attack", "casualties"):  # "the attackers" later are this group
            group = next((a for a in d.actors if a.kind == "organisation"
                          and a.role in ("attacker", "target", "victim")
                          and armed_group(a.name)), None)
            if group is not None:
                discourse.group = Party(group.name, "organisation")
        if d.type == "diplomatic_contact":
            codes = list(dict.fromkeys(a.code for a in d.actors if a.code))
            codes = codes or list(dict.fromkeys(c for a in d.actors
                                                for c in [discourse.people_codes.get(a.name)]
                                                if c))
            if len(codes) == 2:
                discourse.sides = [Party(name(c), "country", c, state=True) for c in codes]


def _on_topic(drafts: list[Draft]) -> list[Draft]:
    """In an article of another register (a match report, a crime story) an event needs a
    state or an armed group acting, or soldiers among the dead, and the attack that killed
    them."""
    kept = {id(d) for d in drafts if _state_or_group_acts(d) or d.victim_unit == "troops"}
    told = {d.sentence_index for d in drafts if id(d) in kept}
    return [d for d in drafts if id(d) in kept or (d.type == "attack"
                                                     and d.sentence_index in told)]


def _state_or_group_acts(d: Draft) -> bool:
    return any(a.role in AGENT_ROLES and a.kind in ("country", "organisation") for a in d.actors)


def _event(d: Draft) -> Event:
    actors = tuple(d.actors)
    event = Event(type=d.type, actors=actors, status=d.status, sentence=d.sentence,
                  confidence=d.confidence, quantity=d.quantity, location=d.location,
                  time_text=d.time_text, attribution=tuple(d.attribution),
                  disputed_by=tuple(d.disputed_by),
                  signature=signature(d.type, actors, d.quantity), direction=d.direction,
                  background=d.background, breakdown=tuple(d.breakdown), also=tuple(d.also),
                  mentions=d.mentions)
    return replace(event, confidence=confidence.score(event))


def entities(mentions: list[Mention]) -> tuple[Entity, ...]:
    counts: Counter[tuple[str, str, str | None]] = Counter()
    for m in mentions:  # entries differing only in subtype count as one entity
        counts[(m.entry.name, m.entry.kind, m.entry.country)] += 1
    return tuple(Entity(name=n, kind=k, code=c, mentions=v) for (n, k, c), v in counts.items())


def _lower(text: str) -> str:
    """Lower case with the offsets of ``text`` (a few characters grow when lowered)."""
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
