"""Alert rules: load and validate YAML rule files, match enriched articles against them.

Loading is strict — a bad file refuses to start with a `RuleError` naming file, line and field.
Matching is pure: one `Candidate` per (event, rule) pair that matches; grouping decides what
to emit. ``min_sources`` is not checked here because it needs the group's history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from services.alerting._yaml import Path_, YamlError, line_of, load_with_lines
from services.alerting.grouping import group_key_for
from services.alerting.model import ActorMatch, Candidate, RouteLimit, Rule
from services.alerting.rule_schema import RuleFile, RuleSpec, TimingSpec
from shared.errors import ConfigError
from shared.records import EnrichedArticle, Event

__all__ = ["DEFAULT_RULES_PATH", "Rule", "RuleError", "RuleSet", "rule_matches"]

DEFAULT_RULES_PATH = Path(__file__).resolve().parent / "rules" / "default.yaml"


class RuleError(ConfigError, ValueError):
    """An invalid rule file. ``str(err)`` is ``"<file>:<line>: <field>: <problem>"``."""

    def __init__(self, file: str, line: int, field: str, problem: str) -> None:
        where = f"{field}: " if field else ""
        super().__init__(f"{file}:{line}: {where}{problem}")
        self.file, self.line, self.field, self.problem = file, line, field, problem


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    route_limits: dict[str, RouteLimit] = field(default_factory=dict)  # sink name -> bucket

    @classmethod
    def load(cls, *paths: Path) -> RuleSet:
        """Read and validate rule files, in order; rule names must be unique across them."""
        rules: list[Rule] = []
        limits: dict[str, RouteLimit] = {}
        for path in paths:
            file_rules, file_limits = _load_file(Path(path))
            rules.extend(file_rules)
            for route, limit in file_limits.items():
                if route in limits:
                    raise RuleError(str(path), 1, f"route_limits.{route}", "set in two files")
                limits[route] = limit
        _check_unique(rules)
        return cls(tuple(rules), limits)

    @classmethod
    def default(cls) -> RuleSet:
        return cls.load(DEFAULT_RULES_PATH)

    def match(self, enriched: EnrichedArticle) -> list[Candidate]:
        """One candidate per (event, matching rule), rules in file order; a rule with
        ``continue: false`` hides the event from the rules after it. An event that a rule
        excludes only by a denied or disputed status comes as an update-only candidate: a
        denial updates the claim's alert, it does not raise one."""
        out: list[Candidate] = []
        for event in enriched.events:
            for rule in self.rules:
                if rule_matches(rule, event):
                    out.append(Candidate(rule, event, enriched, group_key_for(rule, event)))
                elif event.status in _CORRECTIONS and rule_matches(rule, event, status=False):
                    out.append(Candidate(rule, event, enriched, group_key_for(rule, event),
                                         update_only=True))  # the rule the claim matched
                else:
                    continue
                if not rule.continue_:
                    break
        return out

    def get(self, name: str) -> Rule | None:
        """The rule called `name` (candidates travel between agents by rule name)."""
        return next((r for r in self.rules if r.name == name), None)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


_CORRECTIONS = frozenset({"denied", "disputed"})


def rule_matches(rule: Rule, event: Event, *, status: bool = True) -> bool:
    """Every constraint the rule sets must hold (AND); lists inside one constraint are OR.
    ``status=False`` leaves the status constraints out."""
    return (
        event.type in rule.event_types
        and event.confidence >= rule.min_confidence
        and (not status or not rule.statuses or event.status in rule.statuses)
        and (not status or event.status not in rule.exclude_statuses)
        and all(any(a.role == role for a in event.actors) for role in rule.roles)
        and (not rule.directions or event.direction in rule.directions)
        and _quantity_ok(rule, event)
        and all(actor.matches(event) for actor in rule.actors)
        and (not rule.countries or not _countries(event).isdisjoint(rule.countries))
        and (not rule.keywords or _keywords_ok(rule.keywords, event.sentence))
    )


def _quantity_ok(rule: Rule, event: Event) -> bool:
    if rule.min_quantity is None and not rule.units:
        return True
    q = event.quantity
    if q is None:
        return False
    if rule.units and q.unit not in rule.units:
        return False
    # A range "25,000–30,000" counts by its upper bound: it *may* be that large.
    return rule.min_quantity is None or q.max >= rule.min_quantity


def _countries(event: Event) -> set[str]:
    codes = {a.code.upper() for a in event.actors if a.code}
    if event.location is not None and event.location.country:
        codes.add(event.location.country.upper())
    return codes


def _keywords_ok(keywords: Iterable[str], sentence: str) -> bool:
    return any(_keyword_re(k).search(sentence) for k in keywords)


def _keyword_re(keyword: str) -> re.Pattern[str]:
    # Whole words only: "arms" must not match "harms"; re caches compiled patterns.
    return re.compile(rf"(?<!\w){re.escape(keyword)}(?!\w)", re.IGNORECASE)


def _load_file(path: Path) -> tuple[list[Rule], dict[str, RouteLimit]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(str(path), 0, "", f"cannot read: {exc}") from exc
    try:
        data, lines = load_with_lines(text)
    except YamlError as exc:
        raise RuleError(str(path), exc.line, "", exc.message) from exc
    try:
        parsed = RuleFile.model_validate(data)
    except ValidationError as exc:
        raise _rule_error(str(path), exc, lines) from exc
    rules = [
        _to_rule(spec, f"{path}:{lines.get(('rules', i), 1)}", parsed.defaults)
        for i, spec in enumerate(parsed.rules)
    ]
    limits = {
        route: RouteLimit(spec.per_minute, spec.burst, spec.max_queue)
        for route, spec in parsed.route_limits.items()
    }
    return rules, limits


def _rule_error(file: str, exc: ValidationError, lines: dict[Path_, int]) -> RuleError:
    first = exc.errors()[0]
    loc: Path_ = tuple(first["loc"])
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    problem = first["msg"].removeprefix("Value error, ")
    if exc.error_count() > 1:
        problem += f" (and {exc.error_count() - 1} more error(s))"
    return RuleError(file, line_of(lines, loc), field or "<root>", problem)


def _timing(spec: RuleSpec, defaults: TimingSpec) -> dict[str, Any]:
    """The rule's own timing where set, else the file's defaults, else the built-in ones."""
    own = spec.model_fields_set
    pick = {
        name: getattr(spec if name in own else defaults, name)
        for name in ("group_wait", "group_interval", "repeat_interval")
    }
    return {
        "group_wait": pick["group_wait"] or 0.0,
        "group_interval": pick["group_interval"] or 0.0,
        "repeat_interval": pick["repeat_interval"] or None,
    }


def _to_rule(spec: RuleSpec, source: str, defaults: TimingSpec) -> Rule:
    m = spec.match
    return Rule(
        name=spec.name,
        severity=spec.severity,
        event_types=tuple(m.event_types),
        description=spec.description,
        actors=tuple(ActorMatch(a.actor, a.role) for a in m.actors),
        countries=tuple(m.countries),
        min_quantity=m.min_quantity,
        units=tuple(m.units),
        statuses=tuple(m.statuses),
        exclude_statuses=tuple(m.exclude_statuses),
        min_confidence=m.min_confidence,
        keywords=tuple(m.keywords),
        min_sources=m.min_sources,
        roles=tuple(m.roles),
        directions=tuple(m.directions),
        continue_=spec.continue_,
        routes=tuple(spec.routes),
        source=source,
        **_timing(spec, defaults),
    )


def _check_unique(rules: list[Rule]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.name in seen:
            file, _, line = rule.source.rpartition(":")
            first = seen[rule.name].source
            raise RuleError(file, int(line), "name", f"duplicate rule {rule.name!r} ({first})")
        seen[rule.name] = rule
