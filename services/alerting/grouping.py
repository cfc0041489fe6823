"""Grouping: turn a rule match into a new alert, an update of an existing one, or nothing.

Callers count decisions (the ALERTS metric) by `Decision.kind`; this module stays free of
side effects apart from `store.put`.

A group is (rule, event signature) — independent of story and outlet, so the same event
reported by three outlets is one alert with versions 1, 2, 3. An article already counted in
the group (a reprocessed message after a crash, a replay) is a "duplicate": no new version.
Its `Decision.resend` carries the group's current alert so a caller that crashed between
storing the state and delivering may deliver it again; the delivery log makes that harmless.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from services.alerting.group_stores import MappingGroupStore, MemoryGroupStore, SqliteGroupStore
from services.alerting.model import Candidate, Rule
from services.alerting.summary import summarise
from shared.codec import from_dict, to_dict
from shared.records import Alert, CleanArticle, Event, SourceRef

__all__ = [
    "Candidate",
    "Decision",
    "GroupState",
    "GroupStore",
    "MappingGroupStore",
    "MemoryGroupStore",
    "SqliteGroupStore",
    "alert_id_for",
    "decide",
    "group_key_for",
    "make_alert",
    "sent",
]

MAX_SOURCES = 50  # listed in an alert; more would make Slack messages too big to post
MAX_SEEN = 1000  # article ids/urls remembered per group for duplicate detection

DecisionKind = Literal["new", "updated", "duplicate", "held", "ignored"]


@dataclass(frozen=True, slots=True)
class GroupState:
    """Everything grouping remembers about one group; plain data, JSON-able via to_dict."""

    group_key: str
    rule: str
    story_id: str
    first_seen: float
    last_seen: float
    version: int = 0  # 0 while held below the rule's min_sources
    source_count: int = 0
    seen: tuple[str, ...] = ()  # article ids and urls already counted
    publishers: tuple[str, ...] = ()  # independent publishers, normalised
    sources: tuple[SourceRef, ...] = ()
    alert: Alert | None = None  # the latest alert emitted for this group
    # Group timing (see `decide` and timing.flush_group): an update not yet sent is `pending`
    # and goes out at `due_at`; a sent group with a repeat interval is due again at `due_at`.
    pending: bool = False
    due_at: float | None = None
    last_sent: float | None = None
    severity: str = ""
    event: Event | None = None  # the latest matched event, to build a deferred alert
    stamps: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> GroupState:
        return from_dict(cls, data)


class GroupStore(Protocol):
    def get(self, group_key: str) -> GroupState | None: ...

    def put(self, group_key: str, state: GroupState) -> None: ...


@dataclass(frozen=True, slots=True)
class Decision:
    kind: DecisionKind
    alert: Alert | None  # set for "new" and "updated" only
    resend: Alert | None = field(default=None)  # for "duplicate": the group's current alert
    due_at: float | None = field(default=None)  # for "held" by group timing: when it goes out


def group_key_for(rule: Rule, event: Event) -> str:
    return f"{rule.name}:{event.signature or _fallback_signature(event)}"


def alert_id_for(group_key: str) -> str:
    return hashlib.sha1(group_key.encode()).hexdigest()[:16]


def decide(candidate: Candidate, store: GroupStore, now: float) -> Decision:
    """Count the candidate into its group; emit now, or hold it until the group is due.

    Timing (the rule's, in seconds): a group's first alert waits `group_wait` after it became
    alertable, so near-simultaneous reports go out as one alert; later updates go out at most
    every `group_interval`, folding the sources that arrive meanwhile. Held updates are
    released by `timing.flush_due(store, now, ...)`. With both at 0 every change goes out
    at once.
    """
    key, rule, article = candidate.group_key, candidate.rule, candidate.enriched.article
    state = store.get(key)
    if candidate.update_only and (state is None or state.version == 0):
        return Decision("ignored", None)  # a denial of nothing alerted: nothing to correct
    if state is not None and _already_counted(state, article):
        return Decision("duplicate", None, state.alert)
    state = _absorb(state or _fresh(candidate, now), article, now)
    if len(state.publishers) < rule.min_sources:
        store.put(key, state)
        return Decision("held", None)
    state = replace(state, event=candidate.event, stamps=dict(candidate.enriched.stamps))
    due = _due_at(state, rule, now)
    if due > now:
        store.put(key, replace(state, pending=True, due_at=due, severity=rule.severity))
        return Decision("held", None, due_at=due)
    alert = make_alert(state, rule.name, rule.severity, now)
    store.put(key, sent(state, alert, rule.repeat_interval, now))
    return Decision("new" if alert.version == 1 else "updated", alert)


def _due_at(state: GroupState, rule: Rule, now: float) -> float:
    if state.pending and state.due_at is not None:
        return state.due_at  # already waiting: the new source joins that update
    if state.version == 0:
        return now + rule.group_wait
    if rule.group_interval <= 0:
        return now  # (also when clocks step back: no interval, no wait)
    return max(now, (state.last_sent or 0.0) + rule.group_interval)


def sent(state: GroupState, alert: Alert, repeat_interval: float | None, now: float) -> GroupState:
    """The state after `alert` went out: nothing pending, due again only to repeat."""
    return replace(
        state,
        version=alert.version,
        alert=alert,
        pending=False,
        last_sent=now,
        due_at=now + repeat_interval if repeat_interval else None,
        severity=alert.severity,
    )


def _fresh(candidate: Candidate, now: float) -> GroupState:
    return GroupState(
        group_key=candidate.group_key,
        rule=candidate.rule.name,
        story_id=candidate.enriched.story_id,
        first_seen=now,
        last_seen=now,
    )


def _already_counted(state: GroupState, article: CleanArticle) -> bool:
    return article.id in state.seen or (bool(article.url) and article.url in state.seen)


def _absorb(state: GroupState, article: CleanArticle, now: float) -> GroupState:
    seen = (*state.seen, article.id, *((article.url,) if article.url else ()))
    publisher = _publisher_key(article)
    publishers = state.publishers
    if publisher not in publishers:
        publishers = (*publishers, publisher)
    sources = state.sources
    if len(sources) < MAX_SOURCES:
        sources = (*sources, _source_ref(article))
    return replace(
        state,
        last_seen=now,
        source_count=state.source_count + 1,
        seen=seen[-MAX_SEEN:],
        publishers=publishers,
        sources=sources,
    )


def make_alert(state: GroupState, rule: str, severity: str, now: float) -> Alert:
    """The group's next version, from its state (which must hold an event)."""
    event = state.event
    if event is None:
        raise ValueError(f"group {state.group_key!r} has no event to alert on")
    return Alert(
        alert_id=alert_id_for(state.group_key),
        group_key=state.group_key,
        rule=rule,
        severity=severity,
        summary=summarise(event, state.source_count),
        event=event,
        story_id=state.story_id,
        sources=state.sources,
        version=state.version + 1,
        stamps={**state.stamps, "alerted": now},
    )


def _source_ref(article: CleanArticle) -> SourceRef:
    return SourceRef(
        url=article.url, title=article.title, publisher=article.publisher, article_id=article.id
    )


def _publisher_key(article: CleanArticle) -> str:
    # A reprint (Yahoo carrying Business Insider) is not independent of its original.
    name = article.original_publisher or article.publisher or urlsplit(article.url).hostname
    return (name or article.id).strip().casefold().removeprefix("www.")


def _fallback_signature(event: Event) -> str:
    # The enricher should always set a signature; if not, hash what happened, not the wording.
    q = event.quantity
    parts = [
        event.type,
        *sorted(f"{a.role}={a.code or a.name}" for a in event.actors),
        f"{q.min}-{q.max}-{q.unit}" if q else "",
        event.location.name if event.location else "",
    ]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
