"""SSRF guard: which hosts, addresses and ports the fetcher may connect to.

The check runs where the socket is opened (``GuardedBackend`` is httpcore's network backend),
so every redirect hop is covered and a name cannot resolve to one address when checked and to
another when connected: we resolve once, check every address, and connect to a checked one.
``GuardedTransport`` is the httpx transport that runs every request over a connection pool
with that backend; it is built from public httpx and httpcore API only (httpx has no public way
to hand its own transport a network backend, hence a transport of our own).

IPv6 addresses that carry an IPv4 address (IPv4-mapped ``::ffff:0:0/96``, 6to4
``2002::/16``, NAT64 ``64:ff9b::/96``) are judged by the IPv4 address they reach; Teredo
``2001::/32``, local-use NAT64 ``64:ff9b:1::/48`` and the deprecated site-local ``fec0::/10``
are never public, whatever the Python version's ``is_global`` says. Ports: 80 and 443, those
of ``FRONTWIRE_FETCH_ALLOW_PORTS``, and any port of an allow-listed host or network.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import AsyncIterable, AsyncIterator, Collection, Iterable, Iterator
from typing import Any

import httpcore
import httpx

from shared.errors import DnsFailed, FetchRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = frozenset({80, 443})
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
NEVER_PUBLIC_V6 = (
    ipaddress.IPv6Network("2001::/32"),  # Teredo: the client address inside is obfuscated
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215)
    ipaddress.IPv6Network("fec0::/10"),  # site-local (deprecated, still routed in places)
)


class SsrfRefused(FetchRefused):
    """The target is on a loopback, private, link-local, multicast or reserved address, or a
    port the policy does not allow. Raised without the URL; the fetcher re-raises it with it."""


class ResolveFailed(DnsFailed):
    """The host name did not resolve."""


def _as_ip(host: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, 6to4 or NAT64 address reaches, else None."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """A globally routable unicast address (for a tunnelled IPv4, the IPv4 address's)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in NEVER_PUBLIC_V6):
            return False
        inner = embedded_ipv4(ip)
        if inner is not None:
            return is_public(inner)
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )


class AddressPolicy:
    """Allow-listed host names or networks (``"127.0.0.1"``, ``"feeds.local"``, ``"10.1.0.0/16"``)
    bypass the public-address rule; ``allow_private`` turns the rule off entirely."""

    def __init__(
        self, allow_hosts: Collection[str] = (), allow_private: bool = False,
        allow_ports: Collection[int] = (),
    ) -> None:
        self.allow_private = allow_private
        self.ports = DEFAULT_PORTS | frozenset(allow_ports)
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allow_hosts:
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self.hosts.add(entry.lower().rstrip("."))

    def host_listed(self, host: str) -> bool:
        return host.lower().rstrip(".").strip("[]") in self.hosts

    def host_allowed(self, host: str) -> bool:
        return self.allow_private or self.host_listed(host)

    def address_allowed(self, ip: IPAddress) -> bool:
        return self.allow_private or is_public(ip) or self._network_listed(ip)

    def _network_listed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.networks)

    def check_port(self, host: str, port: int, ip: IPAddress | None = None) -> None:
        """Refuse a port outside the policy: a feed URL or redirect must not reach SSH, SMTP,
        Redis ... on a public host. An allow-listed host or network may use any port."""
        if port in self.ports or self.host_listed(host):
            return
        if ip is not None and self._network_listed(ip):
            return
        raise SsrfRefused(f"port {port} is not allowed (80, 443 or FRONTWIRE_FETCH_ALLOW_PORTS)")

    def check_literal(self, host: str, port: int | None = None) -> None:
        """Refuse an IP-literal host (and its port, when given) before anything is sent."""
        ip = _as_ip(host)
        if ip is None or self.host_listed(host):
            return
        if not self.address_allowed(ip):
            raise SsrfRefused(f"address {ip} is not public")
        if port is not None:
            self.check_port(host, port, ip)

    async def resolve(self, host: str, port: int) -> list[str]:
        """Addresses to connect to for ``host``; raises unless every one of them (and the
        port) is allowed."""
        if self.host_listed(host):
            return [host.strip("[]")]
        literal = _as_ip(host)
        if literal is not None:
            self.check_literal(host, port)
            return [str(literal)]
        if self.allow_private:
            self.check_port(host, port)
            return [host]
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError) as exc:
            raise ResolveFailed(f"{host}: {exc}") from exc
        addresses = _unique(str(info[4][0]) for info in infos)
        for address in addresses:
            ip = _as_ip(address)
            if ip is None or not self.address_allowed(ip):
                raise SsrfRefused(f"{host} resolves to {address}, which is not public")
            self.check_port(host, port, ip)
        if not addresses:
            raise ResolveFailed(f"{host}: no addresses")
        return addresses


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects only to addresses the policy allows."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None):
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last: Exception | None = None
        for address in await self.policy.resolve(host, port):
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise SsrfRefused("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose connections are opened only by a `GuardedBackend`.

    Why not ``httpx.AsyncHTTPTransport``: it builds its httpcore pool itself and takes no
    ``network_backend``, so the address check could only be put in by replacing its private
    ``_pool``. This class does what that transport does (httpx request → httpcore request,
    httpcore errors → httpx errors, response stream), over a public ``httpcore``
    ``AsyncConnectionPool(network_backend=...)``. Proxies are never used (the fetcher runs
    with ``trust_env=False``).
    """

    def __init__(
        self, policy: AddressPolicy, *, max_connections: int = 100,
        keepalive_expiry: float = 5.0, ssl_context: Any = None,
    ) -> None:
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        stream = request.stream
        assert isinstance(stream, httpx.AsyncByteStream), type(stream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme, host=request.url.raw_host,
                port=request.url.port, target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            resp = await self.pool.handle_async_request(core)
        assert isinstance(resp.stream, AsyncIterable), type(resp.stream)
        return httpx.Response(
            status_code=resp.status, headers=resp.headers,
            stream=_ResponseStream(resp.stream), extensions=resp.extensions,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, inner: AsyncIterable[bytes]) -> None:
        self.inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for part in self.inner:
                yield part

    async def aclose(self) -> None:
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            with _httpx_errors():
                await close()


# httpcore's exceptions → httpx's (the same table httpx keeps for its own transport).
_HTTPX_ERRORS: dict[type[Exception], type[httpx.HTTPError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    """Re-raise an httpcore error as its most specific httpx counterpart; anything else
    (the guard's own FetchErrors included) passes unchanged."""
    try:
        yield
    except Exception as exc:
        for cls in type(exc).__mro__:
            mapped = _HTTPX_ERRORS.get(cls)
            if mapped is not None:
                raise mapped(str(exc)) from exc
        raise
