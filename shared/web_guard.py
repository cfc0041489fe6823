"""Who may call frontwire's HTTP endpoints: Host, Origin and Content-Type checks, token
comparison, and the start-up rule that an exposed endpoint needs a token.

Why: any web page an operator opens can send requests to a loopback port (a cross-site
request), and a page whose own DNS name is rebound to 127.0.0.1 can even read the answers
(DNS rebinding). A browser lets a page send, without asking the server first, only "simple"
requests: GET/HEAD/POST with a text/plain, form or multipart body and no Authorization header.
So the endpoints refuse

- a ``Host`` that is not a loopback name, an IP literal or a configured public name (a
  rebinding page's requests carry the attacker's name);
- an ``Origin``, when the browser sends one, that is neither this server's own origin nor a
  configured one (a cross-site page's requests carry its origin);
- a write whose ``Content-Type`` is not one the endpoint takes (JSON for the API): a page can
  only send another type after a CORS preflight, which these servers never grant.

Pure, apart from the log line and counter of `Refusals`: the aiohttp API and the faust views
(aiohttp underneath) share it.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from prometheus_client import Counter

from shared.observability import get_logger
from shared.settings import Settings, SettingsError

log = get_logger(__name__)

REFUSED = Counter(
    "frontwire_http_refused_total",
    "HTTP requests refused before any handler ran (foreign Host or Origin, wrong Content-Type)",
    ["service", "reason"],
)

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON_TYPES = frozenset({"application/json"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_LOGGED = 1024  # distinct refusals logged per process; the counter keeps counting


@dataclass(frozen=True)
class Refusal:
    status: int  # 403 (Host, Origin) or 415 (Content-Type)
    reason: str  # "host", "origin" or "content_type"
    message: str


@dataclass(frozen=True)
class RequestPolicy:
    """``hosts``: extra allowed Host names (lower-case, no port); ``origins``: extra allowed
    origins (``https://ops.example``); ``body_types``: the media types a POST/PUT/PATCH may
    carry (None: any); ``browsers`` False refuses any request with an Origin at all (for
    endpoints only servers call, such as WebSub callbacks)."""

    hosts: frozenset[str] = frozenset()
    origins: frozenset[str] = frozenset()
    body_types: frozenset[str] | None = JSON_TYPES
    browsers: bool = True

    @classmethod
    def build(
        cls, hosts: Iterable[str] = (), origins: Iterable[str] = (), *,
        body_types: frozenset[str] | None = JSON_TYPES, browsers: bool = True,
    ) -> RequestPolicy:
        names = frozenset(h.strip().lower().rstrip(".") for h in hosts if h.strip())
        allowed = frozenset(o for o in (normal_origin(x) for x in origins) if o is not None)
        return cls(hosts=names, origins=allowed, body_types=body_types, browsers=browsers)

    @classmethod
    def from_settings(
        cls, settings: Settings, *extra_hosts: str,
        body_types: frozenset[str] | None = JSON_TYPES, browsers: bool = True,
    ) -> RequestPolicy:
        return cls.build([*settings.public_hosts, *extra_hosts], settings.allowed_origins,
                         body_types=body_types, browsers=browsers)

    def host_allowed(self, host_header: str) -> bool:
        name = host_name(host_header)
        if name is None:
            return False
        if _ip(name) is not None:
            return True  # DNS rebinding needs a name; an IP literal cannot be rebound
        return name in LOOPBACK_NAMES or name.endswith(".localhost") or name in self.hosts

    def origin_allowed(self, origin: str, host_header: str) -> bool:
        if not self.browsers:
            return False
        normal = normal_origin(origin)
        if normal is None:
            return False  # "null" (sandboxed frames, file:) or garbage
        if normal in self.origins:
            return True
        scheme = normal.partition("://")[0]
        return normal == normal_origin(f"{scheme}://{host_header}")

    def refusal(self, method: str, headers: Mapping[str, str]) -> Refusal | None:
        """Why this request must not reach a handler, or None."""
        host = headers.get("Host", "")
        if not self.host_allowed(host):
            return Refusal(403, "host", "Host is not a name this server answers to")
        origin = headers.get("Origin")
        if origin is not None and not self.origin_allowed(origin, host):
            return Refusal(403, "origin", "cross-origin requests are not allowed")
        types = self.body_types
        if types is not None and method.upper() in BODY_METHODS and (
            media_type(headers.get("Content-Type")) not in types
        ):
            wanted = " or ".join(sorted(types))
            return Refusal(415, "content_type", f"Content-Type must be {wanted}")
        return None


@dataclass
class Refusals:
    """Counts every refusal and logs each distinct one once (a hostile page may retry fast)."""

    service: str
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def record(self, refusal: Refusal, method: str, path: str, headers: Mapping[str, str]) -> None:
        REFUSED.labels(self.service, refusal.reason).inc()
        host, origin = headers.get("Host", "")[:200], (headers.get("Origin") or "")[:200]
        key = (refusal.reason, host, origin)
        if key in self.seen or len(self.seen) >= _MAX_LOGGED:
            return
        self.seen.add(key)
        # The path only: a query string may carry ?token=.
        log.warning(
            "http_request_refused", service=self.service, reason=refusal.reason,
            method=method[:10], path=path[:200], host=host, origin=origin,
            content_type=(headers.get("Content-Type") or "")[:100],
        )


def media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


def host_name(host_header: str) -> str | None:
    """The lower-case name or address of a Host header value, without port; None if malformed."""
    value = host_header.strip()
    if not value or any(c.isspace() or c in '<>"\\{}|^`' for c in value):
        return None
    try:
        parts = urlsplit(f"http://{value}")
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.username is not None or parts.path or parts.query or parts.fragment:
        return None
    return (parts.hostname or "").rstrip(".") or None


def normal_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` lower-case, default port dropped; None unless http(s)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    host = parts.hostname.rstrip(".")
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS[scheme]) else (
        f"{scheme}://{host}:{port}"
    )


def same_secret(given: str | bytes | None, expected: str | bytes) -> bool:
    """Constant-time comparison that never raises: non-ASCII (even undecodable) input, as a
    header can carry, is simply not equal. `hmac.compare_digest` raises on non-ASCII str."""
    if given is None:
        return False
    return hmac.compare_digest(_bytes(given), _bytes(expected))


def _bytes(value: str | bytes) -> bytes:
    # surrogatepass: aiohttp decodes undecodable header bytes to lone surrogates.
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """A bind address reachable only from this machine (``0.0.0.0`` and ``::`` are not)."""
    name = host.strip().lower().strip("[]")
    if name in LOOPBACK_NAMES:
        return True
    ip = _ip(name)
    return ip is not None and ip.is_loopback


def check_exposure(settings: Settings, services: Collection[str]) -> None:
    """Refuse to start an endpoint that takes writes on a non-loopback address without its
    token: on such an address anyone who can reach the port could use it."""
    api_open = settings.api_enabled and settings.api_token is None
    if "alerting" in services and api_open and not is_loopback(settings.api_host):
        raise SettingsError(
            f"FRONTWIRE_API_TOKEN (api_token) is required: FRONTWIRE_API_HOST (api_host) "
            f"is {settings.api_host!r}, not a loopback address, so anyone who can reach "
            "the port could read alerts and create silences (see SECURITY.md)"
        )
    push_open = settings.push_token is None
    if "fetcher" in services and push_open and not is_loopback(settings.web_host):
        raise SettingsError(
            f"FRONTWIRE_PUSH_TOKEN (push_token) is required: FRONTWIRE_WEB_HOST (web_host) "
            f"is {settings.web_host!r}, not a loopback address, so anyone who can reach "
            "the fetcher's port could push articles (see SECURITY.md)"
        )
