"""Typed application keys: what `make_api` puts in the aiohttp application."""

from __future__ import annotations

from aiohttp import web

from services.alerting.api.hub import ApiHub
from services.alerting.history import AlertHistory
from services.alerting.silences import Silences

HISTORY = web.AppKey[AlertHistory]("history")
SILENCES = web.AppKey("silences", Silences)
HUB = web.AppKey("hub", ApiHub)
HEARTBEAT_S = web.AppKey("heartbeat_s", float)
