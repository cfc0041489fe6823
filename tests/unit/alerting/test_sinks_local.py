"""Stdout / JSONL sinks, the sinks factory and the signature helper."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from services.alerting.sinks import (
    JsonlFileSink,
    SinkConfigError,
    SlackSink,
    StdoutSink,
    WebhookSink,
    build_sinks,
    sign,
    verify_signature,
)
from services.alerting.sinks.slack import slack_message
from shared.codec import from_dict
from shared.records import Alert, SourceRef
from tests.unit.alerting.builders import alert


@pytest.mark.asyncio
async def test_stdout_json_line_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    await StdoutSink().deliver(alert())
    line = capsys.readouterr().out
    assert line.count("\n") == 1
    data = orjson.loads(line)
    assert data["delivery_key"] == "0123456789abcdef:1"
    assert from_dict(Alert, data) == alert()


@pytest.mark.asyncio
async def test_stdout_text_format() -> None:
    out = io.StringIO()
    await StdoutSink(out, fmt="text").deliver(alert(version=2))
    assert out.getvalue() == (
        "[CRITICAL] UPD v2 large-troop-deployment: North Korea → Russia: 25,000–30,000 troops "
        "(planned)  https://outlet1.example/story\n"
    )


@pytest.mark.asyncio
async def test_jsonl_appends(tmp_path: Path) -> None:
    sink = JsonlFileSink(tmp_path / "out" / "alerts.jsonl", fsync=True)
    await sink.deliver(alert(version=1))
    await sink.deliver(alert(version=2))
    lines = (tmp_path / "out" / "alerts.jsonl").read_text().splitlines()
    assert [orjson.loads(x)["version"] for x in lines] == [1, 2]


def test_build_sinks_from_config(tmp_path: Path) -> None:
    env = {"HOOK_SECRET": "hush", "SLACK_URL": "https://hooks.slack.example/T/B/x"}
    sinks = build_sinks(
        {
            "console": {"type": "stdout", "format": "text"},
            "history": {"type": "jsonl", "path": str(tmp_path / "a.jsonl")},
            "ops": {"type": "webhook", "url": "https://ops.example/h", "secret_env": "HOOK_SECRET"},
            "team": {"type": "slack", "url_env": "SLACK_URL"},
            "plain": {"type": "webhook", "url": "http://127.0.0.1:9/h", "secret": None},
        },
        env=env,
    )
    assert isinstance(sinks["console"], StdoutSink)
    assert isinstance(sinks["history"], JsonlFileSink)
    assert isinstance(sinks["ops"], WebhookSink) and isinstance(sinks["team"], SlackSink)
    assert {name: s.name for name, s in sinks.items()} == {n: n for n in sinks}
    assert "hush" not in repr(sinks["ops"]) and "slack.example" not in repr(sinks["team"])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "carrier-pigeon"}, "sink 'x': "),
        ({"type": "webhook", "url": "https://a.example", "secert": "zzz"}, "secert"),
        ({"type": "webhook"}, "url: set url or url_env"),
        ({"type": "webhook", "url": "ftp://a.example/SECRET"}, "http(s)"),
        ({"type": "webhook", "url": "https://a", "secret_env": "MISSING"}, "$MISSING is not set"),
        ({"type": "jsonl"}, "path"),
    ],
)
def test_build_sinks_errors_name_the_option_never_the_value(
    spec: dict[str, str], message: str
) -> None:
    with pytest.raises(SinkConfigError) as info:
        build_sinks({"x": spec}, env={})
    assert message in str(info.value)
    assert "SECRET" not in str(info.value) and "zzz" not in str(info.value)


def test_signature_scheme() -> None:
    body, key = b'{"a":1}', "0123456789abcdef:2"
    header = sign("key", 1700000000, key, body)
    assert header.startswith("v2=") and len(header) == 3 + 64
    assert verify_signature("key", "1700000000", key, body, header, now=1700000100)
    assert verify_signature("key", 1700000000, key, body.decode(), header, now=1700000000)
    assert not verify_signature("key", "1700000000", key, body + b" ", header, now=1700000000)
    assert not verify_signature("other", "1700000000", key, body, header, now=1700000000)
    assert not verify_signature("key", "1700000000", key, body, header, now=1700001000)  # stale
    assert not verify_signature("key", "soon", key, body, header)
    rotated = f"v2={'0' * 64}, {header}"
    assert verify_signature("key", "1700000000", key, body, rotated, now=1700000000)


def test_the_signature_covers_the_idempotency_key() -> None:
    body, key = b'{"a":1}', "0123456789abcdef:2"
    header = sign("key", 1700000000, key, body)
    # A replayer inside the window changes the key the receiver de-duplicates on: refused.
    assert not verify_signature("key", "1700000000", "0123456789abcdef:3", body, header,
                                now=1700000000)
    assert not verify_signature("key", "1700000000", None, body, header, now=1700000000)
    # Bytes cannot move between key and body: the separator cannot occur in a header.
    moved = sign("key", 1700000000, "a", b"b\nc")
    assert not verify_signature("key", "1700000000", "a\nb", b"c", moved, now=1700000000)


@pytest.mark.parametrize(
    ("timestamp", "key", "header"),
    [
        ("1700000000", "k", "v2=tökén"), ("1700000000", "k", "v2=\udcff"),
        ("١٧٠٠٠٠٠٠٠٠", "k", "v2=" + "0" * 64), ("9" * 5000, "k", "v2=" + "0" * 64),
        ("1700000000", "tök\udcff", "v2=" + "0" * 64), (None, "k", "v2=00"),
        ("1700000000", "k", None), ("1700000000", "k", ""), ("-1", "k", "v2=00"),
        ("1700000000", "k", "v2=" + "a," * 5000),
    ],
)
def test_verification_never_raises(timestamp: str | None, key: str, header: str | None) -> None:
    assert verify_signature("key", timestamp, key, b"{}", header, now=1700000000) is False


def test_slack_message_is_capped_and_escaped() -> None:
    many = tuple(SourceRef(f"https://o{i}.example", "<b>T</b>", "P", str(i)) for i in range(40))
    message = slack_message(replace(alert(), sources=many, summary="x" * 5000))
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 2900 for t in texts) and len(message["text"]) <= 2900
    short = slack_message(replace(alert(), sources=many))["blocks"]
    links = short[2]["text"]["text"]
    assert "&lt;b&gt;T&lt;/b&gt;" in links and "<b>" not in links
    assert "… and 30 more" in links
