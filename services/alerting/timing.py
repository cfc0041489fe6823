"""Release groups held by group timing: pure logic over a GroupStore and an explicit `now`.

`decide` holds a change when its group is not yet due (group_wait / group_interval) and
records `due_at`; a repeat interval makes a sent group due again. The transports call
`flush_due(store, now, rules)` periodically (embedded: an asyncio task; faust: a timer that
asks each due group's partition to run `flush_group` in-stream) and deliver what it returns.

Exactly once: `flush_group` stores the sent state (pending cleared, version bumped) before
returning the alert, like `decide`; a second flush of the same group at the same `now`
returns nothing. Alert ids stay `sha1(group_key)`, and every released update or repeat is a
new `version`, so its delivery key is new and the delivery log lets it through once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from services.alerting.grouping import GroupState, GroupStore, make_alert, sent
from services.alerting.model import DEFAULT_ROUTES, Rule
from shared.records import Alert

RuleLookup = Callable[[str], Rule | None]


@runtime_checkable
class TimedGroupStore(GroupStore, Protocol):
    def due(self, now: float) -> list[str]: ...


@dataclass(frozen=True)
class Released:
    """A held update or a repeat, ready to deliver to `routes`."""

    alert: Alert
    routes: tuple[str, ...]
    kind: str  # "flushed" (a held update) or "repeated"


def flush_due(store: TimedGroupStore, now: float, rules: RuleLookup) -> list[Released]:
    """Every group due at `now`, released: held updates and repeats."""
    out = []
    for key in store.due(now):
        released = flush_group(store, key, now, rules)
        if released is not None:
            out.append(released)
    return out


def flush_group(store: GroupStore, key: str, now: float, rules: RuleLookup) -> Released | None:
    """Release one group if it is due at `now`; None when it is not (or no longer) due."""
    state = store.get(key)
    if state is None or state.due_at is None or state.due_at > now or state.event is None:
        return None
    rule = rules(state.rule)
    if state.pending:
        return _send(store, state, rule, now, "flushed")
    if rule is None or rule.repeat_interval is None:
        store.put(key, replace(state, due_at=None))  # rule gone or repeat switched off
        return None
    return _send(store, state, rule, now, "repeated")


def _send(
    store: GroupStore, state: GroupState, rule: Rule | None, now: float, kind: str
) -> Released:
    # A rule removed by a reload still releases what it held, with what was stored.
    severity = rule.severity if rule is not None else state.severity or "info"
    alert = make_alert(state, state.rule, severity, now)
    repeat = rule.repeat_interval if rule is not None else None
    store.put(state.group_key, sent(state, alert, repeat, now))
    routes = rule.routes if rule is not None else DEFAULT_ROUTES
    return Released(alert, tuple(routes), kind)
