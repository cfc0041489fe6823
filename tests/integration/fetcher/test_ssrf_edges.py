"""The SSRF guard's edges against a real loopback server: IPv6 forms that carry a private IPv4
address or are never public, the port policy, and credentials in URLs — refused (or stripped)
on the first request, after redirects and where the socket is opened."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from aiohttp import web

from services.fetcher.guard import AddressPolicy, GuardedBackend, SsrfRefused
from services.fetcher.http import FetchError
from tests.integration.fetcher.conftest import LoopbackServer, make_fetcher

pytestmark = pytest.mark.asyncio

# Each is a literal a feed, a push or a redirect could name.
NOT_PUBLIC = [
    "fec0::1",  # site-local
    "fefe::1",  # site-local, end of the /10
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254 (cloud metadata)
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::c0a8:101",  # NAT64 of 192.168.1.1
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001::1",  # Teredo
    "::127.0.0.1",  # IPv4-compatible (deprecated)
]


def page(body: str = "ok") -> web.Response:
    return web.Response(text=body, content_type="text/html")


@pytest.mark.parametrize("address", NOT_PUBLIC)
async def test_tunnelled_and_never_public_ipv6_refused_directly_and_after_a_redirect(
    server: LoopbackServer, address: str
) -> None:
    server.route("/r", lambda r: asyncio.sleep(0, web.HTTPFound(f"http://[{address}]/x")))
    fetcher = make_fetcher()
    try:
        for url in (f"http://[{address}]/x", server.url("/r")):
            with pytest.raises(FetchError) as caught:
                await fetcher.get(url)
            assert caught.value.kind == "ssrf" and "not public" in str(caught.value), url
    finally:
        await fetcher.aclose()
    assert server.hits["/r"] == 1


@pytest.mark.parametrize("address", NOT_PUBLIC)
async def test_guard_refuses_them_where_the_socket_is_opened(address: str) -> None:
    with pytest.raises(SsrfRefused, match="not public"):
        await GuardedBackend(AddressPolicy()).connect_tcp(address, 80)


@pytest.mark.parametrize(
    "address", ["2002:5db8:d822::1", "64:ff9b::5db8:d822", "::ffff:93.184.216.34"]
)
async def test_tunnels_to_a_public_ipv4_are_judged_by_it(address: str) -> None:
    assert AddressPolicy().address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("port", [22, 25, 6379, 8080, 9092])
async def test_other_ports_refused_before_connecting(port: int) -> None:
    # A public address: the port rule alone refuses it, before any socket is opened.
    with pytest.raises(SsrfRefused, match=f"port {port} is not allowed"):
        await GuardedBackend(AddressPolicy()).connect_tcp("93.184.216.34", port)
    fetcher = make_fetcher(allow_hosts=())
    try:
        with pytest.raises(FetchError, match=f"port {port} is not allowed") as caught:
            await fetcher.get(f"http://93.184.216.34:{port}/")
        assert caught.value.kind == "ssrf"
    finally:
        await fetcher.aclose()


async def test_port_policy_at_connect_time_and_after_redirects(server: LoopbackServer) -> None:
    """A name (not an allow-listed host) on a non-default port: refused where the socket is
    opened, also when a redirect from an allowed host leads there; allowed by the setting."""
    server.route("/x", lambda r: asyncio.sleep(0, page()))
    port = int(server.base.rsplit(":", 1)[1])
    by_name = server.url("/x").replace("127.0.0.1", "localhost")
    server.route("/hop", lambda r: asyncio.sleep(0, web.HTTPFound(server.url("/x"))))
    strict = make_fetcher(allow_hosts=(), allow_private=True)
    opened = make_fetcher(allow_hosts=(), allow_private=True, allow_ports=(port,))
    listed = make_fetcher()  # 127.0.0.1 allow-listed: any of its ports
    by_listed_name = make_fetcher(allow_hosts=("localhost",), allow_private=True)
    try:
        with pytest.raises(FetchError, match=f"port {port} is not allowed"):
            await strict.get(by_name)
        # The first hop names an allow-listed host; where its redirect leads is not one.
        hop = by_name.replace("/x", "/hop")
        with pytest.raises(FetchError, match=f"port {port} is not allowed"):
            await by_listed_name.get(hop)
        assert (await opened.get(by_name)).body == b"ok"
        assert (await listed.get(server.url("/x"))).body == b"ok"
    finally:
        for fetcher in (strict, opened, listed, by_listed_name):
            await fetcher.aclose()
    assert server.hits["/hop"] == 1 and server.hits["/x"] == 2


async def test_credentials_in_urls_are_never_sent_or_kept(server: LoopbackServer) -> None:
    seen: list[str | None] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return page()

    server.route("/a", record)
    host = server.base.removeprefix("http://")
    server.route(
        "/r", lambda r: asyncio.sleep(0, web.HTTPFound(f"http://eve:hunter2@{host}/a"))
    )
    fetcher = make_fetcher()
    try:
        direct = await fetcher.get(f"http://bob:s3cret@{host}/a")
        redirected = await fetcher.get(f"http://bob:s3cret@{host}/r")
        with pytest.raises(FetchError) as caught:
            await fetcher.get(f"http://bob:s3cret@{host}/missing")
    finally:
        await fetcher.aclose()
    assert seen == [None, None]  # no Basic auth to whatever host a feed or redirect names
    assert direct.url == f"http://{host}/a" and redirected.url == f"http://{host}/a"
    assert "s3cret" not in str(caught.value) and "s3cret" not in caught.value.url

