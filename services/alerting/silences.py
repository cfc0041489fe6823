"""Silences: mute alerts that match a set of matchers until a given time (Alertmanager-like).

A silence matches an alert when every matcher it sets is equal to the alert's value
(case-insensitive): ``rule``, ``event_type``, ``severity``, ``country`` (any actor's code or
the location's country) and ``actor`` (any actor's name or code). It is active from
``starts_at`` (inclusive) to ``ends_at`` (exclusive); expiring one sets ``ends_at`` to now, so
the record stays for the audit trail but stops matching.

`Silences` is the pure core over a `SilenceStore`: `MemorySilenceStore`, `SqliteSilenceStore`
(embedded mode, survives restarts) or `MappingSilenceStore` over any ``str -> dict`` mapping.
`parse_silence` validates an API request into a `Silence`, raising `SilenceError` naming the
field.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import orjson

from services.alerting.history import event_countries
from services.alerting.model import SEVERITIES
from shared.errors import InputError
from shared.records import Alert
from shared.sqlite import open_db

MATCHER_FIELDS = ("rule", "event_type", "severity", "country", "actor")

MAX_TEXT = 500
MAX_DURATION_S = 90 * 86400.0  # a silence for ever is a rule that should be edited instead


class SilenceError(InputError, ValueError):
    """An invalid silence request; ``field`` names what to fix."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Matchers:
    rule: str | None = None
    event_type: str | None = None
    severity: str | None = None
    country: str | None = None
    actor: str | None = None

    def matches(self, alert: Alert) -> bool:
        return all(self._one(name, value, alert) for name, value in self.items())

    def items(self) -> list[tuple[str, str]]:
        return [(n, v) for n in MATCHER_FIELDS if (v := getattr(self, n)) is not None]

    @staticmethod
    def _one(name: str, want: str, alert: Alert) -> bool:
        want = want.casefold()
        event = alert.event
        if name == "country":
            return want in {c.casefold() for c in event_countries(event)}
        if name == "actor":
            names = {a.name.casefold() for a in event.actors}
            codes = {a.code.casefold() for a in event.actors if a.code}
            return want in names | codes
        have = {"rule": alert.rule, "event_type": event.type, "severity": alert.severity}[name]
        return have.casefold() == want


@dataclass(frozen=True, slots=True)
class Silence:
    id: str
    matchers: Matchers
    starts_at: float
    ends_at: float
    created_by: str
    comment: str = ""
    created_at: float = 0.0

    def active(self, now: float) -> bool:
        return self.starts_at <= now < self.ends_at

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["matchers"] = dict(self.matchers.items())
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Silence:
        fields = dict(data)
        fields["matchers"] = Matchers(**fields["matchers"])
        return cls(**fields)


class SilenceStore(Protocol):
    def all(self) -> Iterable[Silence]: ...

    def get(self, silence_id: str) -> Silence | None: ...

    def put(self, silence: Silence) -> None: ...

    def delete(self, silence_id: str) -> None: ...


DEFAULT_MAX_SILENCES = 1000
DEFAULT_RETENTION_S = 7 * 86400.0


class Silences:
    """The decision the alerting path asks: is this alert silenced right now, and by what?

    Bounded: at most ``max_silences`` that have not ended (every alert is checked against
    each of them), and an ended silence is kept ``retention_s`` for the audit trail, then
    `prune` deletes it.
    """

    def __init__(
        self,
        store: SilenceStore | None = None,
        *,
        max_silences: int = DEFAULT_MAX_SILENCES,
        retention_s: float = DEFAULT_RETENTION_S,
    ) -> None:
        self.store: SilenceStore = store if store is not None else MemorySilenceStore()
        self.max_silences = max_silences
        self.retention_s = retention_s

    def silenced(self, alert: Alert, now: float) -> Silence | None:
        """The first active silence matching ``alert`` (earliest to end first), or None."""
        for silence in sorted(self.store.all(), key=lambda s: (s.ends_at, s.id)):
            if silence.active(now) and silence.matchers.matches(alert):
                return silence
        return None

    def add(self, silence: Silence) -> Silence:
        """Store a new silence; `SilenceError` when ``max_silences`` have not ended yet."""
        now = silence.created_at or silence.starts_at
        if self.store.get(silence.id) is None:
            live = sum(1 for s in self.store.all() if s.ends_at > now)
            if live >= self.max_silences:
                raise SilenceError(
                    "silences",
                    f"at most {self.max_silences} silences may be active or pending; "
                    "expire some first (or raise FRONTWIRE_MAX_SILENCES)",
                )
        self.store.put(silence)
        return silence

    def prune(self, now: float) -> int:
        """Delete the silences that ended more than ``retention_s`` ago; how many went."""
        old = [s.id for s in self.store.all() if s.ends_at < now - self.retention_s]
        for silence_id in old:
            self.store.delete(silence_id)
        return len(old)

    def get(self, silence_id: str) -> Silence | None:
        return self.store.get(silence_id)

    def expire(self, silence_id: str, now: float) -> Silence | None:
        """End the silence now; None if unknown. Expiring an expired one changes nothing."""
        silence = self.store.get(silence_id)
        if silence is None or silence.ends_at <= now:
            return silence
        expired = replace(silence, ends_at=max(now, silence.starts_at))
        self.store.put(expired)
        return expired

    def list(self, now: float, *, include_expired: bool = False) -> list[Silence]:
        """Silences that have not ended (or all), the ones ending first first."""
        found = [s for s in self.store.all() if include_expired or s.ends_at > now]
        return sorted(found, key=lambda s: (s.ends_at, s.id))


class MemorySilenceStore:
    def __init__(self) -> None:
        self._items: dict[str, Silence] = {}

    def all(self) -> list[Silence]:
        return list(self._items.values())

    def get(self, silence_id: str) -> Silence | None:
        return self._items.get(silence_id)

    def put(self, silence: Silence) -> None:
        self._items[silence.id] = silence

    def delete(self, silence_id: str) -> None:
        self._items.pop(silence_id, None)


class MappingSilenceStore:
    """Over any ``str -> dict`` mapping, e.g. a faust GlobalTable shared by every instance."""

    def __init__(self, mapping: MutableMapping[str, Any]) -> None:
        self.mapping = mapping

    def all(self) -> list[Silence]:
        return [Silence.from_dict(v) for v in list(self.mapping.values()) if v]

    def get(self, silence_id: str) -> Silence | None:
        data = self.mapping.get(silence_id)
        return Silence.from_dict(data) if data else None

    def put(self, silence: Silence) -> None:
        self.mapping[silence.id] = silence.to_dict()

    def delete(self, silence_id: str) -> None:
        self.mapping.pop(silence_id, None)


class SqliteSilenceStore(MemorySilenceStore):
    """Memory store written through to SQLite (reads never touch the disk)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._conn = open_db(
            path, "CREATE TABLE IF NOT EXISTS silences (id TEXT PRIMARY KEY, data TEXT NOT NULL);"
        )
        for (data,) in self._conn.execute("SELECT data FROM silences").fetchall():
            super().put(Silence.from_dict(_json_loads(data)))

    def put(self, silence: Silence) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO silences VALUES (?, ?)",
                (silence.id, _json_dumps(silence.to_dict())),
            )
            super().put(silence)

    def delete(self, silence_id: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM silences WHERE id = ?", (silence_id,))
            super().delete(silence_id)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _json_dumps(data: Any) -> str:
    return orjson.dumps(data).decode()


def _json_loads(text: str) -> Any:
    return orjson.loads(text)


# --- validation of API requests ------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_ALLOWED = {"matchers", "ends_at", "duration", "starts_at", "created_by", "comment"}


def parse_silence(body: Any, now: float, *, silence_id: str | None = None) -> Silence:
    """A new silence from a request body, or `SilenceError` naming the first bad field.

    ``{"matchers": {...}, "ends_at": <epoch s | ISO 8601> | "duration": "2h" | 7200,
    "starts_at"?: ..., "created_by": "...", "comment"?: "..."}``
    """
    if not isinstance(body, dict):
        raise SilenceError("body", "expected a JSON object")
    if unknown := sorted(set(body) - _ALLOWED):
        raise SilenceError(unknown[0], "unknown field")
    matchers = parse_matchers(body.get("matchers"))
    starts_at = _time(body, "starts_at") if body.get("starts_at") is not None else now
    ends_at = _ends_at(body, starts_at, now)
    return Silence(
        id=silence_id or uuid.uuid4().hex,
        matchers=matchers,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=_text(body, "created_by", required=True),
        comment=_text(body, "comment", required=False),
        created_at=now,
    )


def parse_matchers(raw: Any) -> Matchers:
    if not isinstance(raw, dict):
        raise SilenceError("matchers", "expected an object of field: value")
    if unknown := sorted(set(raw) - set(MATCHER_FIELDS)):
        raise SilenceError(f"matchers.{unknown[0]}", f"unknown matcher (use {MATCHER_FIELDS})")
    values: dict[str, str] = {}
    for name, value in raw.items():
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise SilenceError(f"matchers.{name}", "expected a non-empty string")
        values[name] = value.strip()
    if not values:
        raise SilenceError("matchers", "at least one matcher is required")
    if "severity" in values and values["severity"].lower() not in SEVERITIES:
        raise SilenceError("matchers.severity", f"expected one of {', '.join(SEVERITIES)}")
    return Matchers(**values)


def parse_duration(value: Any) -> float:
    """Seconds from 7200, "7200", "90m", "2h" or "1d"; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("expected seconds or a duration like 90m, 2h, 1d")
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError("expected seconds or a duration like 90m, 2h, 1d")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _ends_at(body: dict[str, Any], starts_at: float, now: float) -> float:
    if (body.get("ends_at") is None) == (body.get("duration") is None):
        raise SilenceError("ends_at", "give exactly one of ends_at or duration")
    if body.get("duration") is not None:
        try:
            ends_at = starts_at + parse_duration(body["duration"])
        except ValueError as exc:
            raise SilenceError("duration", str(exc)) from None
        field = "duration"
    else:
        ends_at, field = _time(body, "ends_at"), "ends_at"
    if ends_at <= max(now, starts_at):
        raise SilenceError(field, "must end in the future, after starts_at")
    if ends_at - max(now, starts_at) > MAX_DURATION_S:
        raise SilenceError(field, f"at most {MAX_DURATION_S / 86400:.0f} days")
    return ends_at


def _time(body: dict[str, Any], field: str) -> float:
    value = body[field]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                raise SilenceError(field, "ISO 8601 time needs a time zone (e.g. Z)")
            return parsed.timestamp()
    raise SilenceError(field, "expected epoch seconds or an ISO 8601 time")


def _text(body: dict[str, Any], field: str, *, required: bool) -> str:
    value = body.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SilenceError(field, "required")
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise SilenceError(field, f"expected a string of at most {MAX_TEXT} characters")
    return value.strip()
