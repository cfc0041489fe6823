"""Fetch state shared by every fetcher instance (distributed mode).

Every instance holds the whole state in memory; each local write is also handed to a
``publish(key, value)`` callback (the agent sends it to the compacted ``<prefix>.fetch.state``
topic), and every instance ``apply()``s what it reads from that topic, its own writes included.
A new leader therefore starts with the validators and seen keys of the old one: its first poll
of a feed is conditional and it does not fetch a page the old leader already fetched.

Records (key → JSON value; a ``None`` value is a tombstone):

* ``v:<feed url>`` → ``{"etag": …, "last_modified": …, "at": <epoch s>}``
* ``s:<seen key>`` → ``<epoch s>`` (any key the poller marks seen, ``skip:`` keys included)

The topic is ``compact,delete`` with a long retention, so keys nobody uses any more disappear.
A key still in use is re-published ("touched") when it is read and its last record is older
than ``refresh_s``, which keeps it alive for as long as a feed lists it.

Pure: no Kafka import. Seen keys are a bounded LRU; evicting one costs at most a re-fetch
(the ``fetch.dedup`` hop still stops a second emission).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson

from services.fetcher.local_state import Validators

Publish = Callable[[str, bytes | None], None]

VALIDATORS_PREFIX = "v:"
SEEN_PREFIX = "s:"
DEFAULT_MAX_SEEN = 500_000
DEFAULT_REFRESH_S = 7 * 24 * 3600.0  # well inside the topic's 30-day retention


class ReplicatedFetchState:
    """``FetchState`` (seen / add / get_validators / put_validators) over a broadcast log."""

    def __init__(
        self,
        publish: Publish,
        *,
        max_seen: int = DEFAULT_MAX_SEEN,
        refresh_s: float = DEFAULT_REFRESH_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._publish = publish
        self._max_seen = max_seen
        self._refresh_s = refresh_s
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # key -> time of its last record
        self._validators: dict[str, tuple[Validators, float]] = {}

    # -- FetchState ------------------------------------------------------------------------

    def seen(self, key: str) -> bool:
        at = self._seen.get(key)
        if at is None:
            return False
        self._seen.move_to_end(key)
        if self._clock() - at > self._refresh_s:
            self.add(key)  # still in use: re-publish so retention does not drop it
        return True

    def add(self, key: str) -> None:
        now = self._clock()
        self._remember(key, now)
        self._publish(SEEN_PREFIX + key, orjson.dumps(now))

    def get_validators(self, url: str) -> Validators | None:
        found = self._validators.get(url)
        if found is None:
            return None
        validators, at = found
        if self._clock() - at > self._refresh_s:
            self.put_validators(url, *validators)
        return validators

    def put_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        key = VALIDATORS_PREFIX + url
        if etag is None and last_modified is None:
            self._validators.pop(url, None)
            self._publish(key, None)
            return
        now = self._clock()
        self._validators[url] = ((etag, last_modified), now)
        value = {"etag": etag, "last_modified": last_modified, "at": now}
        self._publish(key, orjson.dumps(value))

    def close(self) -> None:
        pass

    # -- the topic side --------------------------------------------------------------------

    def apply(self, key: bytes | str | None, value: bytes | None) -> None:
        """Apply one record read from the state topic (from any instance, this one included).
        Unknown keys are ignored, so a newer writer's extra record kinds do no harm."""
        name = key.decode() if isinstance(key, bytes) else (key or "")
        if name.startswith(SEEN_PREFIX):
            seen_key = name[len(SEEN_PREFIX):]
            if value is None:
                self._seen.pop(seen_key, None)
            else:
                self._remember(seen_key, _number(orjson.loads(value), self._clock()))
        elif name.startswith(VALIDATORS_PREFIX):
            url = name[len(VALIDATORS_PREFIX):]
            data = orjson.loads(value) if value is not None else None
            if not isinstance(data, dict) or (
                data.get("etag") is None and data.get("last_modified") is None
            ):
                self._validators.pop(url, None)
                return
            at = _number(data.get("at"), self._clock())
            current = self._validators.get(url)
            if current is not None and current[1] > at:
                return  # an echo of an older write of ours arriving after a newer one
            validators = (_text(data.get("etag")), _text(data.get("last_modified")))
            self._validators[url] = (validators, at)

    def __len__(self) -> int:
        return len(self._seen) + len(self._validators)

    def _remember(self, key: str, at: float) -> None:
        previous = self._seen.get(key)
        self._seen[key] = max(at, previous) if previous is not None else at
        self._seen.move_to_end(key)
        while len(self._seen) > self._max_seen:
            self._seen.popitem(last=False)


def _number(value: Any, default: float) -> float:
    # bools are ints in Python; a plain ``1`` (no time) counts as "written now".
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 1_000_000:
        return float(value)
    return default


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
