"""Retention of a running worker's faust tables, in memory.

A table's changelog expires keys by itself (``compact,delete`` with the table's retention:
shared/kafka/topics.py `retention_configs`), so a restarted worker restores only what is
recent. A worker that keeps running would still hold every key it ever saw: `forget_local`
drops, from the local store only, the entries whose stamp is older than the cutoff. It writes
no tombstone on purpose: a table can only be written from inside a stream, for the partition
of the event being processed, and the changelog forgets those keys on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Stamp = Callable[[str, Any], "float | None"]


def forget_local(table: Any, cutoff: float, stamp: Stamp) -> int:
    """Drop from ``table``'s local store each entry whose ``stamp(key, value)`` < ``cutoff``
    (None: keep); how many went. Synchronous, so no stream runs in between."""
    store = table.data
    old = [key for key, value in list(store.items())
           if (at := stamp(key, value)) is not None and at < cutoff]
    for key in old:
        store.pop(key, None)
    return len(old)
