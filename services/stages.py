"""The pure stages of services/flow.py (dedup, clean, enrich, match, decide) over the cores.

A handler is built once by the composition root (services/bootstrap.py) and run by either
runtime: it takes a record and an explicit ``now`` and returns what it produces, with no I/O
but the state it was handed (a group store, a seen-set). The stages that do I/O, fetch and
deliver, are in services/io_stages.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from services.alerting.grouping import Candidate, GroupStore, decide
from services.alerting.rules import RuleSet
from services.alerting.timing import TimedGroupStore, flush_group
from services.cleaner import Cleaner, Unusable
from services.enricher import Enricher
from services.fetcher.local_state import SeenStore
from services.fetcher.metrics import DEDUP
from shared.observability import ALERTS, DROPPED, MESSAGES_OUT, get_logger
from shared.records import (
    AlertCandidate,
    CleanArticle,
    EnrichedArticle,
    RawArticle,
    RoutedAlert,
    Tick,
)
from shared.stamps import stamp

log = get_logger(__name__)

Rules = Callable[[], RuleSet]  # the rules in force now (a reload swaps them)


class SeenIds(Protocol):
    """Article ids already handed on, with retention: the dedup stage's state.

    ``first_seen`` claims an id; ``settle`` says the article it let through was handled to
    the end (alerted, dropped as unusable, or failed for good). A store whose runtime has no
    commit point of its own (one process) makes the claim durable only then, so an article
    interrupted by a crash is let through again when it is fetched again."""

    def first_seen(self, article_id: str, now: float) -> bool: ...

    def settle(self, article_id: str) -> None: ...


class MemorySeenIds:
    def __init__(self) -> None:
        self._seen: dict[str, float] = {}

    def first_seen(self, article_id: str, now: float) -> bool:
        if article_id in self._seen:
            return False
        self._seen[article_id] = now
        return True

    def settle(self, article_id: str) -> None:
        pass  # memory: nothing outlives the process anyway (a replay of finite inputs)


@dataclass
class SeenKeys:
    """SeenIds over a fetch state's seen-set (SQLite in embedded mode), which has retention:
    article ids live next to the feed keys, under their own prefix. A claim is held in memory
    until `settle` writes it."""

    store: SeenStore
    prefix: str = "article:"
    _claimed: set[str] = field(default_factory=set)

    def first_seen(self, article_id: str, now: float) -> bool:
        if article_id in self._claimed or self.store.seen(self.prefix + article_id):
            return False
        self._claimed.add(article_id)
        return True

    def settle(self, article_id: str) -> None:
        if article_id in self._claimed:
            self.store.add(self.prefix + article_id)
            self._claimed.discard(article_id)


@dataclass
class Dedup:
    """Every fetch path (polls, pushes, WebSub) meets here: an article id goes on once."""

    seen: SeenIds

    def __call__(self, raw: RawArticle, now: float) -> Sequence[RawArticle]:
        if not raw.id:
            DEDUP.labels("no_key").inc()
            return []
        if not self.seen.first_seen(raw.id, now):
            DEDUP.labels("duplicate").inc()
            return []
        DEDUP.labels("first").inc()
        MESSAGES_OUT.labels("fetcher").inc()
        return [raw]

    def settle(self, raw: RawArticle) -> None:
        """The article this stage let through was handled to the end of the pipeline."""
        self.seen.settle(raw.id)


@dataclass
class Clean:
    cleaner: Cleaner

    def __call__(self, raw: RawArticle, now: float) -> Sequence[CleanArticle]:
        try:
            article = self.cleaner.clean(raw)
        except Unusable as exc:
            DROPPED.labels("cleaner", exc.reason).inc()
            return []
        return [stamp(article, "cleaned", now)]


@dataclass
class Enrich:
    enricher: Enricher

    def __call__(self, article: CleanArticle, now: float) -> Sequence[EnrichedArticle]:
        return [stamp(self.enricher.enrich(article), "enriched", now)]

    def many(self, articles: Sequence[CleanArticle], now: float
             ) -> list[Sequence[EnrichedArticle]]:
        """Several articles, their candidate sentences parsed in one batch."""
        return [[stamp(e, "enriched", now)] for e in self.enricher.enrich_many(articles)]


@dataclass
class Match:
    rules: Rules

    def __call__(self, enriched: EnrichedArticle, now: float) -> Sequence[AlertCandidate]:
        return [candidate_to_wire(c) for c in self.rules().match(enriched)]


@dataclass
class Decide:
    """Grouping: a candidate becomes a new alert, an update, or nothing; a `Tick` releases the
    groups group timing held that are due (its key: that one group)."""

    groups: GroupStore
    rules: Rules

    def __call__(self, item: AlertCandidate | Tick, now: float) -> Sequence[RoutedAlert]:
        if isinstance(item, Tick):
            return self._release(item)
        routed = decide_step(candidate_from_wire(self.rules(), item), self.groups, now)
        return [] if routed is None else [routed]

    def due(self, now: float) -> list[str]:
        """Keys of the groups due at ``now`` (what a runtime addresses keyed ticks to)."""
        return self.groups.due(now) if isinstance(self.groups, TimedGroupStore) else []

    def _release(self, tick: Tick) -> list[RoutedAlert]:
        keys = [tick.key] if tick.key is not None else self.due(tick.at)
        out = []
        for key in keys:
            released = flush_group(self.groups, key, tick.at, self.rules().get)
            if released is not None:
                out.append(RoutedAlert(released.alert, released.routes))
        return out


def decide_step(candidate: Candidate, groups: GroupStore, now: float) -> RoutedAlert | None:
    """Group the candidate: a new alert, an update of an existing one, or nothing."""
    decision = decide(candidate, groups, now)
    rule = candidate.rule
    ALERTS.labels(rule.name, rule.severity, decision.kind).inc()
    if decision.alert is not None:
        return RoutedAlert(stamp(decision.alert, "alerted", now), tuple(rule.routes))
    if decision.resend is not None:
        # A report grouping has already counted: the process may have died after recording the
        # group and before delivering, so hand the current alert on again. The delivery log
        # makes this a no-op where it was delivered.
        return RoutedAlert(decision.resend, tuple(rule.routes), resend=True)
    return None


def candidate_to_wire(candidate: Candidate) -> AlertCandidate:
    """The form a candidate travels in from match to decide: the matched event and the
    article's metadata, which is all grouping reads. Not the text, entities or other events:
    on a real article they are most of the record, and one is written per rule and event."""
    enriched = candidate.enriched
    slim = replace(
        enriched,
        article=replace(enriched.article, text=""),
        entities=(),
        events=(candidate.event,),
        background=(),
    )
    return AlertCandidate(
        rule=candidate.rule.name,
        group_key=candidate.group_key,
        event_index=0,
        enriched=slim,
        update_only=candidate.update_only,
    )


def candidate_from_wire(rules: RuleSet, wire: AlertCandidate) -> Candidate:
    rule = rules.get(wire.rule)
    if rule is None:
        raise LookupError(f"unknown rule {wire.rule!r} (rules changed since it matched?)")
    event = wire.enriched.events[wire.event_index]
    return Candidate(rule=rule, event=event, enriched=wire.enriched, group_key=wire.group_key,
                     update_only=wire.update_only)


_WARM_UP_TEXT = (
    "Officials said on Monday that the ministry was sending 1,200 troops to the border region "
    "after weeks of talks, according to a statement published by the defence ministry."
)


def warm_up(cleaner: Cleaner | None = None, enricher: Enricher | None = None) -> None:
    """Run the cores once on a tiny built-in article, so the first real message does not pay
    for lazy imports and compiled matchers (seconds, seen as a latency spike at start-up)."""
    raw = RawArticle(
        id="warm-up", url="", source="warm-up", content_type="text/plain", body=_WARM_UP_TEXT
    )
    article = None
    if cleaner is not None:
        with contextlib.suppress(Unusable):
            article = cleaner.clean(raw)
    if enricher is not None:
        enricher.enrich(
            article or CleanArticle(id="warm-up", url="", source="", title=None, text=_WARM_UP_TEXT)
        )
