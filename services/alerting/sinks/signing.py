"""HMAC-SHA256 webhook signatures (the scheme is documented in services/alerting/README.md).

    X-Frontwire-Timestamp: <unix seconds>
    Idempotency-Key: <alert_id>:<version>
    X-Frontwire-Signature: v2=<hex hmac_sha256(secret, f"{timestamp}\\n{idempotency_key}\\n{body}")>

The timestamp is signed so a captured request cannot be replayed outside the tolerance window,
and the Idempotency-Key because receivers de-duplicate on it: unsigned, a replayer inside the
window could change it and have an alert processed twice. A header cannot hold a line break,
so the newline-separated message is unambiguous. (v1, which signed only timestamp and body,
is no longer sent.) Receivers may see several comma-separated `v2=` values during a secret
rotation; any match wins. Verification never raises: any malformed input is just not valid.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from shared.web_guard import same_secret

SCHEME = "v2"
TIMESTAMP_HEADER = "X-Frontwire-Timestamp"
SIGNATURE_HEADER = "X-Frontwire-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_MAX_HEADER = 4096  # several rotated signatures fit; anything longer is not ours


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value


def signed_payload(timestamp: str | int, idempotency_key: str | bytes, body: str | bytes) -> bytes:
    return (
        str(timestamp).encode("ascii") + b"\n" + _as_bytes(idempotency_key) + b"\n"
        + _as_bytes(body)
    )


def sign(
    secret: str | bytes, timestamp: str | int, idempotency_key: str | bytes, body: str | bytes
) -> str:
    """The `X-Frontwire-Signature` value for one request."""
    message = signed_payload(timestamp, idempotency_key, body)
    digest = hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify_signature(
    secret: str | bytes,
    timestamp: str | int | None,
    idempotency_key: str | bytes | None,
    body: str | bytes,
    header: str | None,
    tolerance_s: float = 300.0,
    now: float | None = None,
) -> bool:
    """True when `header` holds a valid v2 signature of (timestamp, idempotency key, body)
    made with `secret` and the timestamp is within `tolerance_s` of now. Pass the raw request
    body, unparsed, and the headers as received. Never raises."""
    text = str(timestamp or "")
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return False
    if idempotency_key is None or not header or len(header) > _MAX_HEADER:
        return False
    key = _as_bytes(idempotency_key)
    if b"\n" in key or b"\r" in key:
        return False  # no header holds one; the separator must stay unambiguous
    current = time.time() if now is None else now
    if abs(current - int(text)) > tolerance_s:
        return False
    expected = sign(secret, text, key, body)
    candidates = (part.strip() for part in header.split(","))
    return any(same_secret(c, expected) for c in candidates if c.startswith(f"{SCHEME}="))
