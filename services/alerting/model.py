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
    roles: tuple[str, ...] = ()  # each must be filled by some actor
    directions: tuple[str, ...] = ()
    continue_: bool = True  # False: later rules do not see an event this one matched
    routes: tuple[str, ...] = DEFAULT_ROUTES
    source: str = ""  # "file:line" the rule was read from, for messages
    # Group timing (seconds), see grouping.py: hold a new group, space out its updates,
    # re-send it unchanged (None = never).
    group_wait: float = 0.0
    group_interval: float = 0.0
    repeat_interval: float | None = None  # "file:line" the rule was read from, for messages


@dataclass(frozen=True, slots=True)
class Candidate:
    """One (rule, event) match inside one article, before grouping decides what to emit."""

    rule: Rule
    event: Event
    enriched: EnrichedArticle
    group_key: str
    # the event fails the rule only by its status (denied, disputed): it may update an alert
    # already raised for the claim, never raise one
    update_only: bool = False


@dataclass(frozen=True, slots=True)
class RouteLimit:
    """A token bucket for one sink route: `per_minute` refill, `burst` capacity, and at most
    `max_queue` alerts waiting (beyond that the caller waits: delayed, never dropped)."""

    per_minute: float
    burst: int = 1
    max_queue: int = 10_000
