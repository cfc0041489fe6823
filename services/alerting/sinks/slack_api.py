"""Slack Web API sink: `chat.postMessage` with a bot token for an alert's first version; each
update then edits that message (`chat.update`, mode "edit") or replies in its thread (mode
"thread"), found by the (channel, ts) the store kept for the alert id.

`base_url` is configurable (default https://slack.com/api) so tests run against a real
loopback emulator. HTTP 429 / 5xx are retried by HttpPoster (Retry-After honoured); Slack's
own `{"ok": false, "error": ...}` answers are sorted into transient and permanent errors.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson

from services.alerting.sinks.base import PermanentDeliveryError, TransientDeliveryError
from services.alerting.sinks.http import HttpPoster, RetryPolicy, Sleep
from services.alerting.sinks.slack import slack_message
from services.alerting.sinks.slack_store import MemorySlackStore, MessageRef, SlackMessageStore
from shared.records import Alert

UpdateMode = Literal["edit", "thread"]
DEFAULT_BASE_URL = "https://slack.com/api"
_TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_GONE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


class SlackApiSink:
    def __init__(
        self,
        token: str,
        channel: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        update: UpdateMode = "edit",
        store: SlackMessageStore | None = None,
        timeout: float = 5.0,
        name: str = "slack",
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.name, self.channel, self.update = name, channel, update
        self.store = store if store is not None else MemorySlackStore()
        self._token = token
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        base = base_url.rstrip("/")
        self._posters = {
            method: HttpPoster(
                f"{base}/{method}", name=name, timeout_s=timeout, policy=policy, **extra
            )
            for method in ("chat.postMessage", "chat.update")
        }

    def __repr__(self) -> str:
        return f"SlackApiSink(name={self.name!r}, update={self.update!r})"  # never the token

    async def deliver(self, alert: Alert) -> None:
        message = slack_message(alert)
        ref = self.store.get(alert.alert_id)
        if ref is not None and self.update == "edit":
            try:
                await self._call("chat.update", {"channel": ref.channel, "ts": ref.ts, **message})
                return
            except _Gone:
                ref = None  # deleted in Slack: post it anew
        extra = {"thread_ts": ref.ts} if ref is not None else {}
        answer = await self._call("chat.postMessage", {"channel": self.channel, **message, **extra})
        if ref is None:
            self.store.put(alert.alert_id, MessageRef(str(answer["channel"]), str(answer["ts"])))

    async def _call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = orjson.dumps(payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {self._token}",
        }
        response = await self._posters[method].post(lambda: (body, headers))
        try:
            answer: dict[str, Any] = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise TransientDeliveryError(f"{self.name}: {method}: not JSON") from None
        if answer.get("ok"):
            return answer
        error = str(answer.get("error", "unknown"))
        if error in _GONE and method == "chat.update":
            raise _Gone(error)
        kind = TransientDeliveryError if error in _TRANSIENT else PermanentDeliveryError
        raise kind(f"{self.name}: {method}: {error}")

    async def aclose(self) -> None:
        for poster in self._posters.values():
            await poster.aclose()


class _Gone(PermanentDeliveryError):
    pass
