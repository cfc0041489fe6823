"""HttpFetcher against a real loopback server: guard, caps, redirects, conditional GET."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
from unittest import mock

import httpcore
import pytest
from aiohttp import web

from services.fetcher.guard import AddressPolicy, GuardedBackend, SsrfRefused
from services.fetcher.http import FetchError, HttpFetcher
from tests.integration.fetcher.conftest import LoopbackServer, make_fetcher

pytestmark = pytest.mark.asyncio


def text(body: str, **headers: str) -> web.Response:
    return web.Response(text=body, content_type="text/html", headers=headers)


async def test_conditional_get_304(server: LoopbackServer, fetcher: HttpFetcher) -> None:
    async def feed(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return text("hello", ETag='"v1"', **{"Last-Modified": "Mon, 14 Jul 2025 09:30:00 GMT"})

    server.route("/feed", feed)
    first = await fetcher.get(server.url("/feed"), kind="feed")
    assert (first.status, first.body, first.etag) == (200, b"hello", '"v1"')
    again = await fetcher.get(
        server.url("/feed"), etag=first.etag, last_modified=first.last_modified, kind="feed"
    )
    assert again.not_modified and again.body == b""
    assert server.requests[-1].headers["If-Modified-Since"] == "Mon, 14 Jul 2025 09:30:00 GMT"


async def test_loopback_refused_unless_allowed(server: LoopbackServer) -> None:
    server.route("/x", lambda r: asyncio.sleep(0, text("x")))
    strict = HttpFetcher(user_agent="t")
    try:
        with pytest.raises(FetchError) as caught:
            await strict.get(server.url("/x"))
        assert caught.value.kind == "ssrf"
        with pytest.raises(FetchError) as caught:
            await strict.get(server.url("/x").replace("127.0.0.1", "localhost"))
        assert caught.value.kind == "ssrf"  # a name resolving to loopback is refused too
    finally:
        await strict.aclose()
    assert server.hits.get("/x") is None


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/",
        "http://[::ffff:192.168.1.1]/",
        "file:///etc/passwd",
    ],
)
async def test_redirect_into_private_range_refused_before_connecting(
    server: LoopbackServer, fetcher: HttpFetcher, target: str
) -> None:
    server.route("/r", lambda r: asyncio.sleep(0, web.HTTPFound(target)))
    real_connect = httpcore.AnyIOBackend.connect_tcp
    with (
        mock.patch.object(
            httpcore.AnyIOBackend, "connect_tcp", autospec=True, side_effect=real_connect
        ) as connect,
        pytest.raises(FetchError) as caught,
    ):
        await fetcher.get(server.url("/r"))
    assert caught.value.kind == "ssrf", caught.value
    assert server.hits["/r"] == 1
    # every socket actually opened went to the loopback server, none to the target
    assert [call.args[1] for call in connect.call_args_list] == ["127.0.0.1"]


async def test_guard_refuses_private_name_at_connect_time() -> None:
    policy = AddressPolicy()
    answer = [(2, 1, 6, "", ("10.1.2.3", 80))]
    with (
        mock.patch(
            "asyncio.base_events.BaseEventLoop.getaddrinfo", autospec=True, return_value=answer
        ),
        pytest.raises(SsrfRefused),
    ):
        await GuardedBackend(policy).connect_tcp("intranet.example", 80)
    assert AddressPolicy(["10.0.0.0/8"]).address_allowed(ipaddress.ip_address("10.1.2.3"))
    assert not policy.address_allowed(ipaddress.ip_address("224.0.0.1"))
    assert policy.address_allowed(ipaddress.ip_address("93.184.216.34"))


async def test_redirects_followed_and_limited(server: LoopbackServer, fetcher: HttpFetcher) -> None:
    server.route("/a", lambda r: asyncio.sleep(0, web.HTTPMovedPermanently("/b")))
    server.route("/b", lambda r: asyncio.sleep(0, text("landed")))
    resp = await fetcher.get(server.url("/a"))
    assert resp.url == server.url("/b") and resp.body == b"landed"
    server.route("/loop", lambda r: asyncio.sleep(0, web.HTTPFound("/loop")))
    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/loop"))
    assert caught.value.kind == "redirects"
    assert server.hits["/loop"] == 6  # first request + max_redirects


async def test_body_cap(server: LoopbackServer) -> None:
    big = "x" * 5000

    async def chunked(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        for _ in range(10):
            await resp.write(big.encode())
        await resp.write_eof()
        return resp

    server.route("/declared", lambda r: asyncio.sleep(0, text(big * 2)))
    server.route("/chunked", chunked)
    small = make_fetcher(max_bytes=8000)
    try:
        for path in ("/declared", "/chunked"):
            with pytest.raises(FetchError) as caught:
                await small.get(server.url(path))
            assert caught.value.kind == "too_large", path
    finally:
        await small.aclose()


async def test_gzip_bomb_stopped_at_decoded_cap(server: LoopbackServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 KB on the wire
    ok = gzip.compress(b"<p>small page</p>")

    def gz(payload: bytes) -> web.Response:
        return web.Response(
            body=payload, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
        )

    server.route("/bomb", lambda r: asyncio.sleep(0, gz(bomb)))
    server.route("/ok", lambda r: asyncio.sleep(0, gz(ok)))
    capped = make_fetcher(max_bytes=1_000_000)
    try:
        assert len(bomb) < 1_000_000
        with pytest.raises(FetchError) as caught:
            await capped.get(server.url("/bomb"))
        assert caught.value.kind == "too_large"
        assert (await capped.get(server.url("/ok"))).body == b"<p>small page</p>"
    finally:
        await capped.aclose()


async def test_slow_server_times_out(server: LoopbackServer) -> None:
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return text("late")

    server.route("/slow", slow)
    quick = make_fetcher(timeout_s=0.3)
    try:
        with pytest.raises(FetchError) as caught:
            await quick.get(server.url("/slow"))
        assert caught.value.kind == "timeout"
    finally:
        release.set()
        await quick.aclose()


async def test_status_and_content_type_errors(server: LoopbackServer, fetcher: HttpFetcher) -> None:
    server.route("/gone", lambda r: asyncio.sleep(0, web.Response(status=410)))
    server.route(
        "/img", lambda r: asyncio.sleep(0, web.Response(body=b"\x89PNG", content_type="image/png"))
    )
    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/gone"))
    assert (caught.value.kind, caught.value.status, caught.value.transient) == (
        "http_4xx",
        410,
        False,
    )
    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/img"), accept_types={"text/html"})
    assert caught.value.kind == "content_type"


async def test_retry_after_and_circuit_breaker(server: LoopbackServer) -> None:
    server.route(
        "/busy",
        lambda r: asyncio.sleep(0, web.Response(status=503, headers={"Retry-After": "120"})),
    )
    f = make_fetcher()
    try:
        with pytest.raises(FetchError) as caught:
            await f.get(server.url("/busy"))
        assert (caught.value.kind, caught.value.retry_after_s) == ("http_5xx", 120.0)
        with pytest.raises(FetchError) as caught:  # host now backing off: fail fast
            await f.get(server.url("/busy"))
        assert caught.value.kind == "backoff"
        assert server.hits["/busy"] == 1
    finally:
        await f.aclose()

    server.route("/down", lambda r: asyncio.sleep(0, web.Response(status=500)))
    f = make_fetcher()
    try:
        kinds = []
        for _ in range(5):
            with pytest.raises(FetchError) as caught:
                await f.get(server.url("/down"))
            kinds.append(caught.value.kind)
        assert kinds == ["http_5xx"] * 3 + ["backoff"] * 2  # threshold 3, then circuit open
        assert server.hits["/down"] == 3
    finally:
        await f.aclose()
