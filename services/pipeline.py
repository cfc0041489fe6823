"""The four stages' cores as steps, transport-free.

Each step is synchronous and pure apart from the state it is handed (a group store): the Kafka
agents call one step per service, and `Core` chains them all for embedded mode, so both
transports run the same code. Steps add their stage's timestamp to the record.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from services.alerting.grouping import Candidate, GroupStore, decide
from services.alerting.rules import RuleSet
from services.cleaner import Cleaner, Unusable
from services.enricher import Enricher
from shared.observability import ALERTS, DROPPED
from shared.records import Alert, AlertCandidate, CleanArticle, EnrichedArticle, RawArticle
from shared.stamps import stamp


@dataclass(frozen=True)
class Routed:
    """An alert to deliver and the sinks its rule routes it to."""

    alert: Alert
    routes: tuple[str, ...]
    replay: bool = False  # handed on again for safety; sinks that have it skip it


def clean_step(cleaner: Cleaner, raw: RawArticle, now: float) -> CleanArticle | None:
    """The clean article, or None when the input is unusable (counted by reason)."""
    try:
        article = cleaner.clean(raw)
    except Unusable as exc:
        DROPPED.labels("cleaner", exc.reason).inc()
        return None
    return stamp(article, "cleaned", now)


def enrich_step(enricher: Enricher, article: CleanArticle, now: float) -> EnrichedArticle:
    return stamp(enricher.enrich(article), "enriched", now)


def decide_step(candidate: Candidate, groups: GroupStore, now: float) -> Routed | None:
    """Group the candidate: a new alert, an update of an existing one, or nothing."""
    decision = decide(candidate, groups, now)
    rule = candidate.rule
    ALERTS.labels(rule.name, rule.severity, decision.kind).inc()
    if decision.alert is not None:
        return Routed(stamp(decision.alert, "alerted", now), tuple(rule.routes))
    if decision.replay is not None:
        # A report grouping has already counted: the process may have died after recording the
        # group and before delivering, so hand the current alert on again. The delivery log
        # makes this a no-op where it was delivered.
        return Routed(decision.replay, tuple(rule.routes), replay=True)
    return None


def candidate_to_wire(candidate: Candidate) -> AlertCandidate:
    """The form a candidate travels in between the two alerting agents."""
    return AlertCandidate(
        rule=candidate.rule.name,
        group_key=candidate.group_key,
        event_index=candidate.enriched.events.index(candidate.event),
        enriched=candidate.enriched,
        update_only=candidate.update_only,
    )


def candidate_from_wire(rules: RuleSet, wire: AlertCandidate) -> Candidate:
    rule = rules.get(wire.rule)
    if rule is None:
        raise LookupError(f"unknown rule {wire.rule!r} (rules changed since it matched?)")
    event = wire.enriched.events[wire.event_index]
    return Candidate(rule=rule, event=event, enriched=wire.enriched, group_key=wire.group_key,
                     update_only=wire.update_only)


@dataclass
class Core:
    """All four stages in one call, for embedded mode and the CLI."""

    cleaner: Cleaner
    enricher: Enricher
    rules: RuleSet
    groups: GroupStore
    clock: Callable[[], float] = field(default=time.time)

    def process(self, raw: RawArticle) -> list[Routed]:
        article = clean_step(self.cleaner, raw, self.clock())
        if article is None:
            return []
        enriched = enrich_step(self.enricher, article, self.clock())
        routed = (decide_step(c, self.groups, self.clock()) for c in self.rules.match(enriched))
        return [r for r in routed if r is not None]


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
