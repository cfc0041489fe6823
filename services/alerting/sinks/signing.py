"""HMAC-SHA256 webhook signatures (the scheme is documented in services/alerting/README.md).

    X-Frontwire-Timestamp: <unix seconds>
    X-Frontwire-Signature: v1=<hex hmac_sha256(secret, f"{timestamp}.{body}")>

The timestamp is signed so a captured request cannot be replayed outside the tolerance window.
Receivers may see several comma-separated `v1=` values during a secret rotation; any match wins.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "v1"
TIMESTAMP_HEADER = "X-Frontwire-Timestamp"
SIGNATURE_HEADER = "X-Frontwire-Signature"


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(secret: str | bytes, timestamp: str | int, body: str | bytes) -> str:
    """The `X-Frontwire-Signature` value for one request."""
    message = str(timestamp).encode("ascii") + b"." + _as_bytes(body)
    digest = hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify_signature(
    secret: str | bytes,
    timestamp: str | int,
    body: str | bytes,
    header: str,
    tolerance_s: float = 300.0,
    now: float | None = None,
) -> bool:
    """True when `header` holds a valid v1 signature of (timestamp, body) made with `secret`
    and the timestamp is within `tolerance_s` of now. Pass the raw request body, unparsed."""
    try:
        sent_at = int(str(timestamp))
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        return False
    expected = sign(secret, sent_at, body)
    candidates = (part.strip() for part in header.split(","))
    return any(hmac.compare_digest(expected, c) for c in candidates if c.startswith("v1="))
