"""The sink port and its error hierarchy.

A sink delivers one alert to one destination. It raises `TransientDeliveryError` when trying
again later might work (timeouts, 5xx, 429 after its own retries are spent) and
`PermanentDeliveryError` when it will not (a 4xx, a bad URL): the dispatcher dead-letters both,
but only transient failures are worth an operator's replay. Library errors (httpx, OSError) are
translated at this edge so callers handle exactly two types. The classes live in shared/errors.py
(the project's one error tree) and are re-exported here.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from shared.errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from shared.records import Alert

__all__ = ["DeliveryError", "PermanentDeliveryError", "Sink", "TransientDeliveryError"]


@runtime_checkable
class Sink(Protocol):
    name: str

    async def deliver(self, alert: Alert) -> None: ...
