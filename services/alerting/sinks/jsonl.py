"""Append-only JSONL file sink: an alert history anyone can grep or replay."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from services.alerting.sinks.base import TransientDeliveryError
from services.alerting.sinks.stdout import format_json
from shared.records import Alert


class JsonlFileSink:
    def __init__(self, path: str | Path, *, name: str = "jsonl", fsync: bool = False) -> None:
        self.name = name
        self.path = Path(path)
        self._fsync = fsync
        self._lock = threading.Lock()

    async def deliver(self, alert: Alert) -> None:
        # A thread keeps a slow disk from stalling the event loop (and the other sinks).
        await asyncio.to_thread(self._append, format_json(alert) + "\n")

    def _append(self, line: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                if self._fsync:
                    os.fsync(handle.fileno())
        except OSError as exc:
            raise TransientDeliveryError(f"{self.name}: cannot append: {exc.strerror}") from exc
