"""Fan-out of delivered alerts to the read model and to live (SSE) subscribers.

`ApiHub.publish` is called by the transports for every delivered alert. It must never wait on a
client: each subscriber has a bounded queue, and one that is full (a slow or stalled client) is
dropped — its stream ends and the browser's EventSource reconnects and refetches. Everything
here runs on the event loop thread; from another thread use `publish_threadsafe`.
"""

from __future__ import annotations

import asyncio
import contextlib

from services.alerting.history import AlertEntry, AlertHistory, AlertQuery
from shared.errors import UnavailableError
from shared.observability import get_logger
from shared.records import Alert

log = get_logger(__name__)

DEFAULT_QUEUE_SIZE = 256
DEFAULT_MAX_SUBSCRIBERS = 100  # FRONTWIRE_API_MAX_SUBSCRIBERS


class TooManySubscribers(UnavailableError):
    """``max_subscribers`` streams are open already (answered 503)."""


class SubscriptionClosed(UnavailableError):
    """The hub dropped this subscriber (too slow) or is shutting down."""


class Subscription:
    def __init__(self, query: AlertQuery, maxsize: int) -> None:
        self.query = query
        # None is the "closed" sentinel, so a waiting reader wakes up at shutdown.
        self._queue: asyncio.Queue[AlertEntry | None] = asyncio.Queue(maxsize)
        self.closed = False

    def offer(self, entry: AlertEntry) -> bool:
        """Queue ``entry`` if it matches; False when the queue is full (drop the client)."""
        if self.closed or not self.query.matches(entry):
            return True
        try:
            self._queue.put_nowait(entry)
        except asyncio.QueueFull:
            return False
        return True

    def close(self) -> None:
        self.closed = True
        # A full queue means the reader is not waiting: it finds `closed` on its next call.
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    async def next(self, timeout: float) -> AlertEntry | None:
        """The next entry, or None after ``timeout`` seconds (time for a heartbeat)."""
        if self.closed:
            raise SubscriptionClosed
        try:
            entry = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None
        if entry is None or self.closed:
            raise SubscriptionClosed
        return entry


class ApiHub:
    def __init__(
        self, history: AlertHistory, *, queue_size: int = DEFAULT_QUEUE_SIZE,
        max_subscribers: int = DEFAULT_MAX_SUBSCRIBERS,
    ) -> None:
        self.history = history
        self.queue_size = queue_size
        # Each stream holds a task, a socket and a queue of up to queue_size alerts: bound
        # them, so clients opening streams cannot exhaust memory or file descriptors.
        self.max_subscribers = max_subscribers
        self._subscribers: set[Subscription] = set()

    def publish(self, alert: Alert) -> AlertEntry | None:
        """Record a delivered alert and push it to live subscribers; never blocks.

        Returns the updated entry, or None for a redelivery that changed nothing.
        """
        entry = self.history.add(alert)
        if entry is None:
            return None
        for sub in list(self._subscribers):
            if not sub.offer(entry):
                log.warning("sse_subscriber_dropped", reason="queue_full", size=self.queue_size)
                self.unsubscribe(sub)
        return entry

    def publish_threadsafe(self, loop: asyncio.AbstractEventLoop, alert: Alert) -> None:
        """`publish` from a thread other than ``loop``'s (e.g. a sync sink or a test)."""
        loop.call_soon_threadsafe(self.publish, alert)

    def subscribe(self, query: AlertQuery) -> Subscription:
        """A new live subscriber; TooManySubscribers when ``max_subscribers`` are open."""
        if len(self._subscribers) >= self.max_subscribers:
            raise TooManySubscribers
        sub = Subscription(query, self.queue_size)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)
        sub.close()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def close(self) -> None:
        """End every stream (application shutdown)."""
        for sub in list(self._subscribers):
            self.unsubscribe(sub)
