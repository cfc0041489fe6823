"""Value types shared by rules and grouping (kept apart so neither imports the other)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.records import EnrichedArticle, Event

SEVERITIES = ("info", "warning", "critical")
DEFAULT_ROUTES = ("console", "webhook")


@dataclass(frozen=True, slots=True)
class ActorMatch:
    """One actor a rule asks for: an ISO alpha-2 code or a canonical name, optionally a role."""

    value: str
    role: str | None = None

    def matches(self, event: Event) -> bool:
        want = self.value.casefold()
        for actor in event.actors:
            if self.role is not None and actor.role != self.role:
                continue
            if actor.name.casefold() == want or (actor.code or "").casefold() == want:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated alert rule. Empty tuples / None mean "no constraint"."""

    name: str
    severity: str
    event_types: tuple[str, ...]
    description: str = ""
    actors: tuple[ActorMatch, ...] = ()
    countries: tuple[str, ...] = ()
    min_quantity: float | None = None
    units: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    exclude_statuses: tuple[str, ...] = ()
    min_confidence: float = 0.0
    keywords: tuple[str, ...] = ()
    min_sources: int = 1  # checked by grouping: it needs the group's history
    routes: tuple[str, ...] = DEFAULT_ROUTES
    source: str = ""  # "file:line" the rule was read from, for messages


@dataclass(frozen=True, slots=True)
class Candidate:
    """One (rule, event) match inside one article, before grouping decides what to emit."""

    rule: Rule
    event: Event
    enriched: EnrichedArticle
    group_key: str
