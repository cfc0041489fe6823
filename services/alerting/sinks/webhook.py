"""Webhook sink: each alert version is POSTed as a CloudEvents 1.0 structured-mode event.

    Content-Type: application/cloudevents+json; charset=utf-8
    Idempotency-Key: <alert_id>:<version>         (also the CloudEvent id)
    X-Frontwire-Timestamp / X-Frontwire-Signature  (when a secret is set; see signing.py; the
                                                    signature covers the Idempotency-Key)

Receivers should drop an Idempotency-Key they have already processed: delivery is at least
once across crashes, and the key makes it effectively once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import orjson

from services.alerting.sinks.http import HttpPoster, RetryPolicy, Sleep
from services.alerting.sinks.signing import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from shared.codec import to_dict
from shared.records import Alert

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
EVENT_SOURCE = "frontwire/alerting"
USER_AGENT = "frontwire-alerting/0.1"


def cloud_event(alert: Alert) -> dict[str, Any]:
    kind = "new" if alert.version == 1 else "updated"
    alerted = alert.stamps.get("alerted", time.time())
    return {
        "specversion": "1.0",
        "id": alert.delivery_key,
        "source": EVENT_SOURCE,
        "type": f"org.frontwire.alert.{kind}",
        "subject": alert.alert_id,
        "time": datetime.fromtimestamp(alerted, UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "severity": alert.severity,  # extension attribute: lets receivers route without `data`
        "data": to_dict(alert),
    }


class WebhookSink:
    def __init__(
        self,
        url: str,
        secret: str | None = None,
        timeout: float = 5.0,
        *,
        name: str = "webhook",
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
        trust_env: bool = True,
    ) -> None:
        self.name = name
        self._secret = secret.encode() if secret else None
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self._poster = HttpPoster(
            url, name=name, timeout_s=timeout, policy=policy, trust_env=trust_env, **extra
        )

    def __repr__(self) -> str:
        # Never show the URL (it may embed a token) or the secret.
        return f"WebhookSink(name={self.name!r}, signed={self._secret is not None})"

    async def deliver(self, alert: Alert) -> None:
        body = orjson.dumps(cloud_event(alert))
        await self._poster.post(lambda: (body, self._headers(alert, body)))

    def _headers(self, alert: Alert, body: bytes) -> dict[str, str]:
        headers = {
            "Content-Type": CONTENT_TYPE,
            IDEMPOTENCY_HEADER: alert.delivery_key,
            "User-Agent": USER_AGENT,
        }
        if self._secret is not None:
            timestamp = str(int(time.time()))
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = sign(self._secret, timestamp, alert.delivery_key, body)
        return headers

    async def aclose(self) -> None:
        await self._poster.aclose()
