"""Distributed mode: one faust worker per service."""

from __future__ import annotations

from importlib import import_module

from shared.kafka import TopicMap, make_app, run_worker
from shared.settings import Settings


def start_worker(service: str, settings: Settings) -> None:
    """Build the service's faust app, register its agents, and run until stopped."""
    app = make_app(service, settings)
    agent = import_module(f"services.{service}.agent")
    agent.register(app, settings, TopicMap.from_settings(settings))
    run_worker(app, service, settings)
