"""Composition root: settings -> adapters -> cores. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.alerting.delivery import DeliveryLog
from services.alerting.grouping import GroupStore
from services.alerting.rules import RuleSet
from services.alerting.sinks import Dispatcher, Sink, build_sinks
from services.cleaner import Cleaner
from services.enricher import Enricher
from services.fetcher.http import HttpFetcher
from services.pipeline import Core
from shared.records import Alert
from shared.settings import Settings

DeadLetterHook = Callable[[Alert, str, Exception], Any]


def build_core(settings: Settings, groups: GroupStore) -> Core:
    return Core(
        cleaner=Cleaner(),
        enricher=Enricher(),
        rules=RuleSet.load(*settings.rules_files),
        groups=groups,
    )


def sink_spec(settings: Settings) -> dict[str, dict[str, Any]]:
    """Which sinks exist, from settings; rules route to them by name."""
    spec: dict[str, dict[str, Any]] = {}
    if settings.console_sink:
        spec["console"] = {"type": "stdout"}
    if settings.webhook_url:
        spec["webhook"] = {
            "type": "webhook",
            "url": settings.webhook_url,
            "secret": settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else None,
        }
    if settings.jsonl_sink_path:
        spec["jsonl"] = {"type": "jsonl", "path": str(settings.jsonl_sink_path)}
    if settings.slack_webhook_url:
        spec["slack"] = {"type": "slack", "url": settings.slack_webhook_url.get_secret_value()}
    elif settings.slack_token and settings.slack_channel:
        spec["slack"] = {
            "type": "slack_api",
            "token": settings.slack_token.get_secret_value(),
            "channel": settings.slack_channel,
            "update": settings.slack_update,
            "store_path": str(state_path(settings, "slack-messages.sqlite")),
        }
    return spec


def build_dispatcher(
    settings: Settings,
    log: DeliveryLog,
    *,
    sinks: dict[str, Sink] | None = None,
    on_dead_letter: DeadLetterHook | None = None,
) -> Dispatcher:
    return Dispatcher(
        sinks if sinks is not None else build_sinks(sink_spec(settings)),
        log,
        on_dead_letter=on_dead_letter,
    )


def build_fetcher(settings: Settings) -> HttpFetcher:
    return HttpFetcher(
        user_agent=settings.user_agent,
        allow_hosts=tuple(settings.fetch_allow_hosts),
        allow_private=settings.fetch_allow_private,
        timeout_s=settings.fetch_timeout_s,
        allow_ports=tuple(settings.fetch_allow_ports),
    )


def state_path(settings: Settings, name: str) -> Path:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    return settings.state_dir / name
