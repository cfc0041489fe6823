"""Per-stage timestamps carried inside records, so latency is measurable from the data."""

from __future__ import annotations

import dataclasses
import time
from typing import TypeVar

R = TypeVar("R")


def stamp(record: R, stage: str, now: float | None = None) -> R:
    """Copy of ``record`` whose ``stamps`` also hold ``stage`` (epoch seconds)."""
    stamps: dict[str, float] = dict(getattr(record, "stamps"))  # noqa: B009
    stamps[stage] = time.time() if now is None else now
    return dataclasses.replace(record, stamps=stamps)  # type: ignore[type-var]
