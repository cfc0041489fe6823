"""Dead-letter records: the failed message, where it came from and why."""

from __future__ import annotations

import time
import traceback
from typing import Any

from shared.codec import encode
from shared.records import DeadLetter


def dead_letter(stage: str, message: Any, error: BaseException) -> DeadLetter:
    """Build a DeadLetter from a faust Message (or anything with topic/partition/offset/value)."""
    value = getattr(message, "value", b"")
    key = getattr(message, "key", None)
    return DeadLetter(
        stage=stage,
        topic=str(getattr(message, "topic", "")),
        partition=getattr(message, "partition", None),
        offset=getattr(message, "offset", None),
        error=_describe(error),
        payload=_text(value),
        key=_text(key) if key is not None else None,
        at=time.time(),
    )


def encode_dead_letter(record: DeadLetter) -> bytes:
    return encode(record)


def _describe(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
