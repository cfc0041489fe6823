"""GuardedTransport: the SSRF guard as an httpx transport built from public API only."""

from __future__ import annotations

import asyncio

import httpcore
import httpx
import pytest

from services.fetcher.guard import AddressPolicy, GuardedTransport, SsrfRefused, _httpx_errors


def test_is_an_httpx_transport() -> None:
    assert issubclass(GuardedTransport, httpx.AsyncBaseTransport)


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://[::1]:443/", "http://10.1.2.3/"])
def test_refuses_non_public_addresses_where_the_socket_opens(url: str) -> None:
    async def go() -> None:
        async with httpx.AsyncClient(transport=GuardedTransport(AddressPolicy())) as client:
            with pytest.raises(SsrfRefused, match="not public"):
                await client.get(url)

    asyncio.run(go())


@pytest.mark.parametrize(("core", "expected"), [
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
])
def test_httpcore_errors_become_the_most_specific_httpx_error(
    core: type[Exception], expected: type[Exception]
) -> None:
    with pytest.raises(expected) as caught, _httpx_errors():
        raise core("boom")
    assert type(caught.value) is expected and str(caught.value) == "boom"
    assert isinstance(caught.value.__cause__, core)


def test_other_errors_pass_unchanged() -> None:
    with pytest.raises(SsrfRefused), _httpx_errors():
        raise SsrfRefused("address 10.0.0.1 is not public")
