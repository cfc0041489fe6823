"""The alerting read side, wired the same way for both transports: alert history, silences,
the API hub, and the HTTP server of the API and live page."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aiohttp import web

from services.alerting.api import ApiHub, bound_port, make_api, start_api
from services.alerting.history import AlertHistory
from services.alerting.silences import Silences
from shared.observability import ALERTS, get_logger
from shared.records import Alert
from shared.settings import Settings
from shared.web_guard import RequestPolicy, check_exposure

log = get_logger(__name__)


@dataclass
class ReadSide:
    """What a transport hands delivered alerts to, and asks before delivering one."""

    history: AlertHistory
    silences: Silences
    hub: ApiHub = field(init=False)
    runner: web.AppRunner | None = None

    def __post_init__(self) -> None:
        self.hub = ApiHub(self.history)

    def silenced(self, alert: Alert, now: float | None = None) -> bool:
        """True (and counted) when an active silence matches: the alert is not delivered."""
        silence = self.silences.silenced(alert, time.time() if now is None else now)
        if silence is None:
            return False
        ALERTS.labels(alert.rule, alert.severity, "silenced").inc()
        log.info("alert_silenced", alert_id=alert.alert_id, silence=silence.id)
        return True

    def published(self, alert: Alert) -> None:
        self.hub.publish(alert)

    async def serve(self, settings: Settings) -> None:
        """Start the API and live page if enabled (FRONTWIRE_API_*)."""
        if not settings.api_enabled:
            return
        check_exposure(settings, ("alerting",))  # no token on a non-loopback address: refuse
        token = settings.api_token.get_secret_value() if settings.api_token else None
        self.hub.max_subscribers = settings.api_max_subscribers
        policy = RequestPolicy.from_settings(settings)
        app = make_api(self.history, self.silences, token=token, hub=self.hub, policy=policy)
        self.runner = await start_api(app, settings.api_host, settings.api_port)
        log.info(
            "api_started",
            url=f"http://{settings.api_host}:{bound_port(self.runner)}/",
            token_required=token is not None,
            read_only=token is None,
        )

    async def aclose(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
