"""The request guard's pure rules and the start-up exposure check."""

from __future__ import annotations

import pytest

from shared.settings import Settings, SettingsError
from shared.web_guard import (
    RequestPolicy,
    check_exposure,
    host_name,
    is_loopback,
    normal_origin,
    same_secret,
)


@pytest.mark.parametrize(
    ("header", "name"),
    [("Example.ORG:8080", "example.org"), ("[::1]:80", "::1"), ("localhost.", "localhost"),
     ("", None), ("a b", None), ("x:notaport", None), ("u@x", None), ("x/y", None)],
)
def test_host_name(header: str, name: str | None) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(
    ("origin", "normal"),
    [("HTTP://Example.org:80", "http://example.org"), ("https://a.b:8443", "https://a.b:8443"),
     ("null", None), ("file://", None), ("ftp://x", None), ("http://u@x", None),
     ("http://x/path", None), ("http://[::1]:3000", "http://[::1]:3000")],
)
def test_normal_origin(origin: str, normal: str | None) -> None:
    assert normal_origin(origin) == normal


def test_policy_refusals() -> None:
    policy = RequestPolicy.build(["alerts.example.org"])
    ok = {"Host": "alerts.example.org", "Content-Type": "application/json"}
    assert policy.refusal("POST", ok) is None
    assert policy.refusal("POST", {**ok, "Origin": "http://alerts.example.org"}) is None
    # Behind a TLS proxy the page is https while the Host stays the same: same origin.
    assert policy.refusal("POST", {**ok, "Origin": "https://alerts.example.org"}) is None
    assert policy.refusal("POST", {**ok, "Origin": "http://alerts.example.org:81"}) is not None
    foreign = policy.refusal("GET", {"Host": "evil.example"})
    assert foreign is not None and (foreign.status, foreign.reason) == (403, "host")
    plain = policy.refusal("POST", {**ok, "Content-Type": "text/plain"})
    assert plain is not None and (plain.status, plain.reason) == (415, "content_type")
    assert policy.refusal("DELETE", {"Host": "10.0.0.1:8080"}) is None  # no body to type
    servers_only = RequestPolicy(browsers=False, body_types=None)
    origin = servers_only.refusal("POST", {"Host": "localhost", "Origin": "http://localhost"})
    assert origin is not None and origin.reason == "origin"


def test_same_secret_never_raises() -> None:
    assert same_secret("tök", "tök") and same_secret(b"\xff", b"\xff")
    assert not same_secret("tök", "tok") and not same_secret(None, "x")
    assert not same_secret("\udcff", "x")  # an undecodable header byte, as aiohttp gives it


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.5.0.1", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("::", False), ("", False), ("10.0.0.1", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_exposed_endpoint_without_its_token_refuses_to_start() -> None:
    exposed = Settings(api_host="0.0.0.0", web_host="0.0.0.0")
    with pytest.raises(SettingsError, match=r"FRONTWIRE_API_TOKEN .* FRONTWIRE_API_HOST"):
        check_exposure(exposed, ("alerting",))
    with pytest.raises(SettingsError, match=r"FRONTWIRE_PUSH_TOKEN .* FRONTWIRE_WEB_HOST"):
        check_exposure(exposed, ("fetcher",))
    check_exposure(exposed, ("cleaner", "enricher"))  # no write endpoints
    check_exposure(Settings(api_host="0.0.0.0", api_token="t", web_host="::", push_token="p"),
                   ("alerting", "fetcher"))
    check_exposure(Settings(api_host="0.0.0.0", api_enabled=False), ("alerting",))
    check_exposure(Settings(), ("alerting", "fetcher"))  # loopback defaults


def test_origin_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="allowed_origins"):
        Settings(allowed_origins=["ops.example"])
    with pytest.raises(ValueError, match="fetch_allow_ports"):
        Settings(fetch_allow_ports=[0])
