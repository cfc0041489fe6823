"""Versioned message records exchanged between the four stages.

Every record is a frozen dataclass with a ``SCHEMA`` name and a ``VERSION``. The codec
(`shared.codec`) wraps them as ``{"schema": ..., "v": ..., "data": {...}}`` so a consumer can
refuse what it does not understand instead of misreading it.

``stamps`` carries one epoch-seconds timestamp per stage that touched the article
("fetched", "cleaned", "enriched", "alerted", "delivered"), so end-to-end latency can be
computed from the data alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

Stamps = dict[str, float]


@dataclass(frozen=True, slots=True)
class RawArticle:
    """What the fetcher saw: a page body (HTML or a text dump) and where it came from."""

    SCHEMA: ClassVar[str] = "frontwire.article.raw"
    VERSION: ClassVar[int] = 1

    id: str  # sha1 of the canonical URL (or of the body when there is no URL)
    url: str
    source: str  # feed URL, "push", or "file:<path>"
    content_type: str  # "text/html" or "text/plain"
    body: str
    title_hint: str | None = None  # the feed entry's title, if any
    published_hint: str | None = None  # the feed entry's date, ISO 8601, if any
    stamps: Stamps = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CleanArticle:
    """An article with its boilerplate removed and its metadata recovered."""

    SCHEMA: ClassVar[str] = "frontwire.article.clean"
    VERSION: ClassVar[int] = 1

    id: str
    url: str
    source: str
    title: str | None
    text: str  # paragraphs separated by "\n"
    publisher: str | None = None
    original_publisher: str | None = None
    published: str | None = None  # ISO 8601 date or datetime
    language: str | None = None  # ISO 639-1
    word_count: int = 0
    content_hash: str = ""  # sha1 of the normalised text
    simhash: str = ""  # 64-bit SimHash of the text, 16 hex digits
    stamps: Stamps = field(default_factory=dict)
    canonical_url: str | None = None  # the page's own <link rel=canonical>, when it has one
    authors: tuple[str, ...] = ()
    modified: str | None = None  # ISO 8601


@dataclass(frozen=True, slots=True)
class Actor:
    role: str  # sender, recipient, attacker, target, speaker, participant, subject ...
    name: str  # canonical name ("North Korea", "Kim Jong Un", "GUR")
    kind: str  # country, organisation, person
    code: str | None = None  # ISO 3166 alpha-2 for countries


@dataclass(frozen=True, slots=True)
class Quantity:
    min: float
    max: float
    unit: str  # troops, shells, personnel, killed_or_wounded ...
    approximate: bool = False
    text: str = ""  # the span it was read from
    calibre: str | None = None  # "152mm"


@dataclass(frozen=True, slots=True)
class Location:
    name: str
    country: str | None = None  # ISO 3166 alpha-2
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Event:
    type: str  # troop_deployment, mobilisation, arms_transfer, casualties, ...
    actors: tuple[Actor, ...]
    status: str  # planned, pledged, under_way, completed, reported, estimated, confirmed, ...
    sentence: str
    confidence: float
    quantity: Quantity | None = None
    location: Location | None = None
    time_text: str | None = None
    attribution: tuple[
        str, ...
    ] = ()  # who said it, outermost first: ("CNN", "Ukrainian intelligence")
    disputed_by: tuple[str, ...] = ()
    signature: str = ""  # stable id of "what happened", independent of wording and outlet
    direction: str | None = None  # troop deployments: send, move, station, withdraw
    background: bool = False  # history the article recalls; never alerts
    breakdown: tuple[Quantity, ...] = ()  # parts of ``quantity`` (1,000 sappers + 5,000 ...)
    also: tuple[Quantity, ...] = ()  # further counts of the same occurrence (the wounded ...)
    mentions: int = 1  # sentences (and headline) of the article that tell this occurrence


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    kind: str  # country, place, organisation, person, media
    code: str | None = None
    mentions: int = 1


@dataclass(frozen=True, slots=True)
class EnrichedArticle:
    SCHEMA: ClassVar[str] = "frontwire.article.enriched"
    VERSION: ClassVar[int] = 2  # 2: events carry direction, background, breakdown, also

    article: CleanArticle
    entities: tuple[Entity, ...]
    events: tuple[Event, ...]  # what the article reports; alert rules see these
    story_id: str
    stamps: Stamps = field(default_factory=dict)
    background: tuple[Event, ...] = ()  # events the article recalls as history: never alerted


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One article that reported the alerted event."""

    url: str
    title: str | None
    publisher: str | None
    article_id: str


@dataclass(frozen=True, slots=True)
class Alert:
    """A rule match, grouped per (rule, event signature); ``version`` counts its updates."""

    SCHEMA: ClassVar[str] = "frontwire.alert"
    VERSION: ClassVar[int] = 2  # 2: Event v2 fields

    alert_id: str  # deterministic: derived from rule and group key
    group_key: str
    rule: str
    severity: str
    summary: str
    event: Event
    story_id: str
    sources: tuple[SourceRef, ...]
    version: int = 1  # 1 = new alert, >1 = update (a new source corroborated it)
    stamps: Stamps = field(default_factory=dict)

    @property
    def delivery_key(self) -> str:
        """Idempotency key of one delivery: receivers may drop a key they have seen."""
        return f"{self.alert_id}:{self.version}"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    SCHEMA: ClassVar[str] = "frontwire.deadletter"
    VERSION: ClassVar[int] = 1

    stage: str
    topic: str
    partition: int | None
    offset: int | None
    error: str
    payload: str  # the raw message, decoded as UTF-8 with replacement
    key: str | None = None
    at: float = 0.0


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """A rule match on its way to grouping; re-keyed by ``group_key`` so that every report of
    one event reaches the same alerting partition (and so the same group state)."""

    SCHEMA: ClassVar[str] = "frontwire.alert.candidate"
    VERSION: ClassVar[int] = 2  # 2: EnrichedArticle v2

    rule: str
    group_key: str
    event_index: int  # which of ``enriched.events`` matched
    enriched: EnrichedArticle
    update_only: bool = False  # a denial or dispute: updates an alert, never raises one


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passing, as a record: what a timer hands a stage. Both runtimes send ticks to the
    stages that declare a period (services/flow.py); ``key`` addresses one piece of keyed
    state (an alert group) where the runtime must route the tick to its partition, and is
    None for "everything due at ``at``"."""

    SCHEMA: ClassVar[str] = "frontwire.tick"
    VERSION: ClassVar[int] = 1

    at: float
    key: str | None = None


@dataclass(frozen=True, slots=True)
class RoutedAlert:
    """An alert grouping decided to send, with the sinks its rule routes it to: the input of
    the deliver stage, whose progress is what "delivered" means."""

    SCHEMA: ClassVar[str] = "frontwire.alert.routed"
    VERSION: ClassVar[int] = 1

    alert: Alert
    routes: tuple[str, ...]
    resend: bool = False  # handed on again for safety; sinks that have it skip it


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """How a delivery retried in the background ended, sent back to the deliver stage so that
    it records it with its own state (``outcome``: "delivered" or "dropped")."""

    SCHEMA: ClassVar[str] = "frontwire.delivery.report"
    VERSION: ClassVar[int] = 1

    delivery_key: str
    sink: str
    outcome: str
    group_key: str  # the partition of the alert's delivery state
