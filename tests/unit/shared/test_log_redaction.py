"""Credentials in URLs never reach a log line, whoever logs them."""

from __future__ import annotations

import logging

import orjson
import pytest

from shared.observability import configure_logging, get_logger


def test_userinfo_is_dropped_from_every_logged_url(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    try:
        get_logger("test").warning("fetch_failed", url="https://ops:s3cr3t@feeds.example/rss",
                                   urls=["http://a:b@x.example/"], detail="see https://c@y.example")
        logging.getLogger("library").error("GET https://user:pw@z.example/feed failed")
        try:
            raise ValueError("bad url https://k:v@w.example/")
        except ValueError:
            get_logger("test").exception("poll_crashed")
    finally:
        logging.getLogger().handlers.clear()
    lines = [orjson.loads(x) for x in capsys.readouterr().err.splitlines() if x.strip()]
    text = " ".join(orjson.dumps(x).decode() for x in lines)
    assert len(lines) == 3 and "https://feeds.example/rss" in text and "https://w.example/" in text
    for secret in ("s3cr3t", "ops:", "a:b@", "c@y", "user:pw", "k:v@"):
        assert secret not in text
