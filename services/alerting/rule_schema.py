"""The rule file schema (pydantic). Validation only; `rules.py` turns models into `Rule`s.

Unknown fields are errors (``extra="forbid"``): a misspelt ``min_quantiy`` must stop start-up,
not silently widen a rule. Event types and statuses are checked against the taxonomy for the
same reason; extend these sets together with the enricher.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

EVENT_TYPES = frozenset(
    {
        "troop_deployment",
        "mobilisation",
        "arms_transfer",
        "casualties",
        "military_support",
        "diplomatic_contact",
        "attack",
    }
)
STATUSES = frozenset(
    {
        "planned",
        "pledged",
        "under_way",
        "completed",
        "reported",
        "estimated",
        "confirmed",
        "denied",
        "disputed",
    }
)
ROLES = frozenset({"sender", "recipient", "attacker", "target", "victim", "subject",
                   "supporter", "participant"})
DIRECTIONS = frozenset({"send", "move", "station", "withdraw"})
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: Any) -> float:
    """Seconds from a number or a string like "500ms", "30s", "5m", "1h"."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '30s', '5m'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNIT_S[m.group(2) or "s"]
    else:
        raise ValueError("a duration is a number of seconds or a string like '30s', '5m'")
    if seconds < 0:
        raise ValueError("a duration must not be negative")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _known(values: list[str], known: frozenset[str], what: str) -> list[str]:
    for value in values:
        if value not in known:
            raise ValueError(f"unknown {what} {value!r} (known: {', '.join(sorted(known))})")
    return values


class ActorSpec(_Strict):
    actor: str = Field(min_length=1)  # ISO alpha-2 code or canonical name
    role: str | None = None


class MatchSpec(_Strict):
    event_types: list[str] = Field(min_length=1)
    actors: list[ActorSpec] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    min_quantity: float | None = Field(default=None, ge=0)
    units: list[str] = Field(default_factory=list)
    statuses: list[str] = Field(default_factory=list)
    exclude_statuses: list[str] = Field(default_factory=list)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    keywords: list[str] = Field(default_factory=list)
    min_sources: int = Field(default=1, ge=1)
    roles: list[str] = Field(default_factory=list)  # each must be filled by some actor
    directions: list[str] = Field(default_factory=list)  # troop deployments' direction (OR)

    @field_validator("event_types")
    @classmethod
    def _types(cls, values: list[str]) -> list[str]:
        return _known(values, EVENT_TYPES, "event type")

    @field_validator("statuses", "exclude_statuses")
    @classmethod
    def _statuses(cls, values: list[str]) -> list[str]:
        return _known(values, STATUSES, "status")

    @field_validator("roles")
    @classmethod
    def _roles(cls, values: list[str]) -> list[str]:
        return _known(values, ROLES, "role")

    @field_validator("directions")
    @classmethod
    def _directions(cls, values: list[str]) -> list[str]:
        return _known(values, DIRECTIONS, "direction")

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _COUNTRY.match(value):
                raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 code")
        return [v.upper() for v in values]

    @field_validator("actors", mode="before")
    @classmethod
    def _actor_strings(cls, values: Any) -> Any:
        # `- KP` is shorthand for `- {actor: KP}`; converting here keeps error paths simple.
        if isinstance(values, list):
            return [{"actor": v} if isinstance(v, str) else v for v in values]
        return values

    @model_validator(mode="after")
    def _consistent(self) -> MatchSpec:
        if both := set(self.statuses) & set(self.exclude_statuses):
            raise ValueError(f"statuses and exclude_statuses both list {sorted(both)}")
        return self


class TimingSpec(_Strict):
    """Group timing; a rule's own value wins over the file's `defaults`."""

    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None  # None: never re-send an unchanged group


class RouteLimitSpec(_Strict):
    per_minute: float = Field(gt=0)
    burst: int = Field(default=1, ge=1)
    max_queue: int = Field(default=10_000, ge=1)


class RuleSpec(TimingSpec):
    name: str
    description: str = ""
    severity: Literal["info", "warning", "critical"]
    match: MatchSpec
    routes: list[str] = Field(default_factory=lambda: ["console", "webhook"])
    # false: an event this rule matches is not offered to the rules after it (Alertmanager's
    # `continue`), so a pack can grade one event critical or warning without alerting twice
    continue_: bool = Field(default=True, alias="continue")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("must be lowercase letters, digits, '-', '_' or '.' (max 64)")
        return value

    @field_validator("routes")
    @classmethod
    def _routes(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("route names must not be empty")
        return values


class RuleFile(_Strict):
    version: Literal[1] = 1
    defaults: TimingSpec = Field(default_factory=TimingSpec)
    route_limits: dict[str, RouteLimitSpec] = Field(default_factory=dict)
    rules: list[RuleSpec]
