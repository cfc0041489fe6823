"""Query-string parsing for the alert filters; each error names its parameter (400)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from services.alerting.api.http import ApiError
from services.alerting.history import DEFAULT_LIMIT, MAX_LIMIT, AlertQuery
from services.alerting.model import SEVERITIES

FILTER_PARAMS = ("severity", "type", "country", "rule", "since", "until", "limit")


def alert_query(params: Mapping[str, str], *, with_window: bool = True) -> AlertQuery:
    """``severity, type, country, rule`` (+ ``since, until, limit`` when ``with_window``)."""
    severity = _str(params, "severity")
    if severity is not None and severity not in SEVERITIES:
        raise ApiError(400, f"severity: expected one of {', '.join(SEVERITIES)}", "severity")
    country = _str(params, "country")
    query = AlertQuery(
        severity=severity,
        event_type=_str(params, "type"),
        country=country.upper() if country else None,
        rule=_str(params, "rule"),
    )
    if not with_window:
        return query
    return AlertQuery(
        severity=query.severity,
        event_type=query.event_type,
        country=query.country,
        rule=query.rule,
        since=_time(params, "since"),
        until=_time(params, "until"),
        limit=_limit(params),
    )


def _str(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name, "").strip()
    if len(value) > 200:
        raise ApiError(400, f"{name}: too long", name)
    return value or None


def _time(params: Mapping[str, str], name: str) -> float | None:
    """Epoch seconds or ISO 8601 with a time zone."""
    value = _str(params, name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ApiError(400, f"{name}: expected epoch seconds or ISO 8601 with a zone", name)
    return parsed.timestamp()


def _limit(params: Mapping[str, str]) -> int:
    value = _str(params, "limit")
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise ApiError(400, f"limit: expected an integer from 1 to {MAX_LIMIT}", "limit")
    return int(value)
