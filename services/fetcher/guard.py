"""SSRF guard: which hosts and addresses the fetcher may connect to.

The check runs where the socket is opened (``GuardedBackend`` is httpcore's network backend),
so every redirect hop is covered and a name cannot resolve to one address when checked and to
another when connected: we resolve once, check every address, and connect to a checked one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Collection, Iterable
from typing import Any

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class SsrfRefused(Exception):
    """The target is on a loopback, private, link-local, multicast or reserved address."""


class ResolveFailed(Exception):
    """The host name did not resolve."""


def _as_ip(host: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_public(ip: IPAddress) -> bool:
    """A globally routable unicast address."""
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )


class AddressPolicy:
    """Allow-listed host names or networks (``"127.0.0.1"``, ``"feeds.local"``, ``"10.1.0.0/16"``)
    bypass the public-address rule; ``allow_private`` turns the rule off entirely."""

    def __init__(self, allow_hosts: Collection[str] = (), allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allow_hosts:
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self.hosts.add(entry.lower().rstrip("."))

    def host_allowed(self, host: str) -> bool:
        return self.allow_private or host.lower().rstrip(".").strip("[]") in self.hosts

    def address_allowed(self, ip: IPAddress) -> bool:
        if self.allow_private or is_public(ip):
            return True
        return any(ip.version == net.version and ip in net for net in self.networks)

    def check_literal(self, host: str) -> None:
        """Refuse an IP-literal host before anything is sent (no DNS needed)."""
        ip = _as_ip(host)
        if ip is not None and not self.host_allowed(host) and not self.address_allowed(ip):
            raise SsrfRefused(f"address {ip} is not public")

    async def resolve(self, host: str, port: int) -> list[str]:
        """Addresses to connect to for ``host``; raises unless every one of them is allowed."""
        if self.host_allowed(host):
            return [host.strip("[]")]
        literal = _as_ip(host)
        if literal is not None:
            self.check_literal(host)
            return [str(literal)]
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
