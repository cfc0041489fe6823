"""The fetcher's HTTP client: SSRF-guarded, size-capped, polite, conditional GET.

Redirects are followed here (httpx runs with ``follow_redirects=False``) so that every hop
goes through the host gates and the address guard again.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ssl
import sys
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from services.fetcher import metrics
from services.fetcher.body import BodyTooLarge, UnsupportedEncoding, read_capped
from services.fetcher.guard import AddressPolicy, GuardedTransport, SsrfRefused
from services.fetcher.hosts import HostBlocked, HostGates, HostPolicy
from services.fetcher.urls import strip_userinfo
from shared.errors import (
    FETCH_KINDS,
    HOST_FAILURE_KINDS,
    ClientStatus,
    ConnectFailed,
    FetchError,
    FetchRefused,
    FetchTimeout,
    HostBackingOff,
    ResponseTooLarge,
    ServerStatus,
    TlsFailed,
    TooManyRedirects,
    UnacceptedContent,
    fetch_error,
)
from shared.observability import FETCH_SECONDS, FETCHES
from shared.web_guard import media_type

__all__ = ["HOST_FAILURES", "KINDS", "FetchError", "HttpFetcher", "Response"]

# The FetchError kinds (metric label values); the classes are in shared/errors.py.
KINDS = FETCH_KINDS
# Failures that say something about the host's health: they feed back-off and the breaker.
HOST_FAILURES = HOST_FAILURE_KINDS
REDIRECTS = frozenset({301, 302, 303, 307, 308})

if importlib.util.find_spec("sniffio") is None:
    # httpcore tries `import sniffio` on every request; when it is absent, each failed import
    # rescans sys.path (~0.4 ms). A None entry makes the ImportError immediate.
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Response:
    url: str  # final URL, after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    content_type: str  # media type only, lower-case ("text/html")
    not_modified: bool = False

    @property
    def charset(self) -> str | None:
        for param in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'").lower()
        return None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


@dataclass(frozen=True)
class _Redirect:
    location: str


@dataclass
class _Request:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    accept_types: Collection[str] | None = None
    max_bytes: int = 0
    kind: str = "page"
    timeout_s: float = 10.0


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class HttpFetcher:
    def __init__(
        self,
        *,
        user_agent: str,
        allow_hosts: Collection[str] = (),
        allow_private: bool = False,
        timeout_s: float = 10,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
        host_policy: HostPolicy | None = None,
        max_connections: int = 100,
        allow_ports: Collection[int] = (),
    ) -> None:
        self.user_agent, self.timeout_s = user_agent, timeout_s
        self.max_bytes, self.max_redirects = max_bytes, max_redirects
        self.policy = AddressPolicy(allow_hosts, allow_private, allow_ports)
        self.gates = HostGates(host_policy or HostPolicy(max_wait_s=timeout_s))
        self._client = _make_client(self.policy, user_agent, timeout_s, max_connections)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None,
        kind: str = "page", accept_types: Collection[str] | None = None,
        max_bytes: int | None = None, user_agent: str | None = None,
        timeout_s: float | None = None, answers: Collection[str] = (),
    ) -> Response:
        """GET ``url``; FetchError on any failure. A 304 comes back as ``not_modified=True``.
        ``accept_types`` (media types) refuses other content before its body is read;
        ``user_agent`` / ``timeout_s`` override the client's for this request. ``answers``:
        FetchError kinds that are a valid answer for this request, not a failure (robots.txt:
        a 4xx means "no rules"); still raised, but counted as outcome ``absent``, not an
        error, so fetch-error alerts do not fire on healthy hosts."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if user_agent:
            headers["User-Agent"] = user_agent
        request = _Request(strip_userinfo(url), headers, accept_types,
                           max_bytes or self.max_bytes, kind, timeout_s or self.timeout_s)
        started, outcome = time.perf_counter(), "error"
        try:
            response = await self._follow(request)
            outcome = "not_modified" if response.not_modified else "ok"
            _observe(kind, response, conditional=bool(etag or last_modified))
            return response
        except FetchError as exc:
            outcome = "absent" if exc.kind in answers else exc.kind
            if outcome != "absent":
                metrics.ERRORS.labels(exc.kind).inc()
            if exc.status is not None:
                metrics.RESPONSES.labels(kind, str(exc.status)).inc()
            raise
        finally:
            elapsed = time.perf_counter() - started
            FETCHES.labels(kind, outcome).inc()
            FETCH_SECONDS.labels(kind).observe(elapsed)

    async def post_form(self, url: str, form: Mapping[str, str], *, kind: str = "websub") -> int:
        """POST a urlencoded form through the same guard and host gates (WebSub subscribe);
        the status code (no redirects followed), or FetchError."""
        url = strip_userinfo(url)
        self._precheck(url)
        host = urlsplit(url).hostname or ""
        try:
            async with self.gates.slot(host):
                async with asyncio.timeout(self.timeout_s):
                    resp = await self._client.post(url, data=dict(form))
        except HostBlocked as exc:
            raise HostBackingOff(exc.message, url=url) from exc
        except FetchError as exc:
            if not exc.url:
                raise _map_exception(exc, url) from exc
            raise
        except Exception as exc:
            raise _map_exception(exc, url) from exc
        metrics.RESPONSES.labels(kind, str(resp.status_code)).inc()
        return resp.status_code

    async def _follow(self, request: _Request) -> Response:
        url = request.url
        for _hop in range(self.max_redirects + 1):
            self._precheck(url)
            result = await self._hop(url, request)
            if isinstance(result, Response):
                return result
            url = strip_userinfo(urljoin(url, result.location))
        raise TooManyRedirects(f"more than {self.max_redirects} redirects", url=request.url)

    def _precheck(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused(f"only absolute http(s) URLs are fetched: {url!r}", url=url)
        try:
            port = parts.port
        except ValueError:
            raise FetchRefused("the URL's port is not a number", url=url) from None
        default = 443 if parts.scheme == "https" else 80
        try:
            self.policy.check_literal(parts.hostname, port or default)
        except SsrfRefused as exc:
            raise FetchRefused(exc.message, url=url) from exc

    async def _hop(self, url: str, request: _Request) -> Response | _Redirect:
        host = urlsplit(url).hostname or ""
        try:
            async with self.gates.slot(host):
                try:
                    async with asyncio.timeout(request.timeout_s):
                        result = await self._exchange(url, request)
                except FetchError as exc:
                    if not exc.url:  # the guard's, raised where the socket opens: add the URL
                        error = _map_exception(exc, url)
                        self._record_failure(host, error)
                        raise error from exc
                    self._record_failure(host, exc)
                    raise
                except Exception as exc:
                    error = _map_exception(exc, url)
                    self._record_failure(host, error)
                    raise error from exc
        except HostBlocked as exc:
            raise HostBackingOff(exc.message, url=url) from exc
        self.gates.success(host)
        return result

    def _record_failure(self, host: str, exc: FetchError) -> None:
        if exc.kind in HOST_FAILURES or exc.status in (408, 429):
            self.gates.failure(host, exc.retry_after_s)

    async def _exchange(self, url: str, request: _Request) -> Response | _Redirect:
        sent = self._client.build_request("GET", url, headers=request.headers)
        resp = await self._client.send(sent, stream=True)
        try:
            return await _interpret(resp, url, request)
        finally:
            await resp.aclose()


def _observe(kind: str, response: Response, *, conditional: bool) -> None:
    metrics.RESPONSES.labels(kind, str(response.status)).inc()
    metrics.BYTES.labels(kind).inc(len(response.body))
    if conditional:
        metrics.CONDITIONAL.labels("not_modified" if response.not_modified else "modified").inc()


def _make_client(
    policy: AddressPolicy, user_agent: str, timeout_s: float, max_connections: int
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        # Connections are opened only through the address guard (see GuardedTransport).
        transport=GuardedTransport(policy, max_connections=max_connections),
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(timeout_s),
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
    )


async def _interpret(resp: httpx.Response, url: str, request: _Request) -> Response | _Redirect:
    status = resp.status_code
    headers = {k.lower(): v for k, v in resp.headers.items()}
    if status in REDIRECTS:
        location = headers.get("location")
        if not location:
            raise TooManyRedirects(f"{status} without Location", url=url, status=status)
        return _Redirect(location)
    if status == 304:
        return Response(url, status, headers, b"", media_type(headers.get("content-type")), True)
    if status >= 400:
        error = ServerStatus if status >= 500 else ClientStatus
        retry_after = parse_retry_after(headers.get("retry-after"))
        raise error(f"HTTP {status}", url=url, status=status, retry_after_s=retry_after)
    ctype = media_type(headers.get("content-type"))
    if request.accept_types is not None and ctype not in request.accept_types:
        raise UnacceptedContent(f"{ctype or 'no content type'} is not accepted", url=url)
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > request.max_bytes:
        raise ResponseTooLarge(f"Content-Length {declared} over {request.max_bytes}",
                               url=url)
    try:
        body = await read_capped(resp.aiter_raw(), headers.get("content-encoding", ""),
                                 request.max_bytes)
    except BodyTooLarge as exc:
        raise ResponseTooLarge(str(exc), url=url) from exc
    except UnsupportedEncoding as exc:
        raise UnacceptedContent(str(exc), url=url) from exc
    return Response(url, status, headers, body, ctype)


def _map_exception(exc: BaseException, url: str) -> FetchError:
    """Translate a library error (httpx, OSError, a timeout) or the guard's URL-less error
    into the FetchError leaf for it, with the URL; anything else is re-raised."""
    if isinstance(exc, FetchError):  # SsrfRefused, ResolveFailed: the same leaf, with the URL
        return fetch_error(exc.kind, exc.message, url=url, status=exc.status,
                           retry_after_s=exc.retry_after_s)
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return FetchTimeout(str(exc) or "timed out", url=url)
    if _caused_by(exc, ssl.SSLError) or "SSL" in str(exc) or "CERTIFICATE" in str(exc):
        return TlsFailed(str(exc), url=url)
    if isinstance(exc, httpx.TransportError | OSError):
        return ConnectFailed(str(exc) or type(exc).__name__, url=url)
    if isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
        return ConnectFailed(f"{type(exc).__name__}: {exc}", url=url)
    raise exc


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
