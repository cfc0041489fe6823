"""WebSub (W3C, 2018) subscriber, the protocol pieces: pure apart from ``subscribe``.

Stateless across instances: a topic's callback key and its ``hub.secret`` are HMACs of the
topic under one master secret, so whichever fetcher instance the hub calls back can check the
intent (``hub.topic`` must hash to the key in the path) and the content signature
(``X-Hub-Signature``) without any shared table.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.fetcher.http import FetchError, HttpFetcher
from shared.web_guard import same_secret

ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
              "sha512": hashlib.sha512}
DEFAULT_LEASE_S = 86_400
RENEW_AT = 0.8  # re-subscribe after 80 % of the lease
# The Link header is read before the signature is checked (it names the topic whose secret
# signs the body), so any sender controls it: parse it in one linear pass, and not at all past
# MAX_LINK_CHARS (a backtracking regex took quadratic time on a header of 8,000 "<").
MAX_LINK_CHARS = 8192
_REL = re.compile(r'rel\s*=\s*"?([^";,]*)"?', re.IGNORECASE)


def sign(secret: str, body: bytes, algorithm: str = "sha256") -> str:
    """The ``X-Hub-Signature`` value a hub sends: ``<algo>=<hex HMAC of the body>``."""
    mac = hmac.new(secret.encode(), body, ALGORITHMS[algorithm])
    return f"{algorithm}={mac.hexdigest()}"


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is a valid sha1/sha256/sha384/sha512 HMAC of ``body``."""
    algorithm, _, digest = (header or "").partition("=")
    if algorithm.lower() not in ALGORITHMS or not digest:
        return False
    expected = sign(secret, body, algorithm.lower()).partition("=")[2]
    return same_secret(digest.strip().lower(), expected)  # non-ASCII: False, never raises


def link_topic(header: str | None) -> str | None:
    """The ``rel=self`` URL of a content-distribution request's Link header(s); None when
    there is none, or the header is malformed or longer than MAX_LINK_CHARS."""
    if not header or len(header) > MAX_LINK_CHARS:
        return None
    pos = 0
    while (start := header.find("<", pos)) != -1:
        end = header.find(">", start + 1)
        if end == -1:
            return None
        following = header.find("<", end + 1)
        params = header[end + 1 : following if following != -1 else len(header)]
        rel = _REL.search(params)
        if rel is not None and "self" in rel.group(1).lower().split():
            return header[start + 1 : end].strip()
        pos = end + 1
    return None


@dataclass
class Subscriber:
    master: bytes
    callback_base: str  # e.g. https://fetcher.example.org (the hub must reach it)
    lease_s: int = DEFAULT_LEASE_S
    renew_at: dict[str, float] = field(default_factory=dict)  # topic -> monotonic time

    def key(self, topic: str) -> str:
        return hmac.new(self.master, b"key:" + topic.encode(), hashlib.sha256).hexdigest()[:32]

    def secret(self, topic: str) -> str:
        return hmac.new(self.master, b"secret:" + topic.encode(), hashlib.sha256).hexdigest()

    def callback(self, topic: str) -> str:
        return f"{self.callback_base.rstrip('/')}/websub/{self.key(topic)}"

    def form(self, topic: str, mode: str = "subscribe") -> dict[str, str]:
        return {"hub.mode": mode, "hub.topic": topic, "hub.callback": self.callback(topic),
                "hub.secret": self.secret(topic), "hub.lease_seconds": str(self.lease_s)}

    def needs_subscribe(self, topic: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return self.renew_at.get(topic, 0.0) <= now

    def intent(self, key: str, query: Mapping[str, str]) -> tuple[int, str]:
        """Answer the hub's verification GET: (200, hub.challenge) when the topic is ours,
        else (404, reason). A ``denied`` notice is acknowledged and forgets the topic."""
        mode, topic = query.get("hub.mode", ""), query.get("hub.topic", "")
        if not topic or not same_secret(key, self.key(topic)):
            return 404, "unknown topic for this callback"
        if mode == "denied":
            self.renew_at.pop(topic, None)
            return 200, ""
        challenge = query.get("hub.challenge", "")
        if mode not in ("subscribe", "unsubscribe") or not challenge:
            return 404, "expected hub.mode=subscribe|unsubscribe and a hub.challenge"
        if mode == "subscribe":
            lease = _int(query.get("hub.lease_seconds"), self.lease_s)
            self.renew_at[topic] = time.monotonic() + lease * RENEW_AT
        return 200, challenge

    def delivery(self, key: str, body: bytes, headers: Mapping[str, str],
                 topics: Mapping[str, str]) -> tuple[int, str | None]:
        """Check a content-distribution POST: (202, topic) when signed with the topic's
        secret; (403, None) for a missing/bad signature; (404, None) for an unknown key.
        ``topics`` maps known callback keys to topics (the Link header may omit rel=self)."""
        topic = link_topic(headers.get("Link") or headers.get("link")) or topics.get(key)
        if topic is None or not same_secret(key, self.key(topic)):
            return 404, None
        signature = headers.get("X-Hub-Signature") or headers.get("x-hub-signature")
        if not verify_signature(self.secret(topic), body, signature):
            return 403, None
        return 202, topic


async def subscribe(fetcher: HttpFetcher, sub: Subscriber, hub: str, topic: str) -> bool:
    """POST the subscription request; True when the hub accepted it (202/204), and then
    renewed after 80 % of the requested lease (the verification GET may shorten it);
    a refusal or failure is retried a minute later."""
    sub.renew_at[topic] = time.monotonic() + 60.0
    try:
        status = await fetcher.post_form(hub, sub.form(topic))
    except FetchError:
        return False
    if status in (202, 204):
        sub.renew_at[topic] = time.monotonic() + sub.lease_s * RENEW_AT
        return True
    return False


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default
