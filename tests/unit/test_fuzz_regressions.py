"""Crashes `make fuzz` found, kept as regression tests (minimal forms of the saved inputs).

The push and WebSub handlers' input validation belongs to issue 12 ("Safe by default"), so
these are strict expected failures on the exact exception the fuzzer saw: once that work lands
they pass, strict xfail turns that into a failure, and the marks must go.
"""

from __future__ import annotations

import pytest

from services.fetcher.agent_web import pushed
from services.fetcher.websub import verify_signature

ISSUE_12 = "issue 12 validates push and WebSub input; found by make fuzz (issue 11)"


@pytest.mark.xfail(strict=True, raises=AttributeError, reason=ISSUE_12)
@pytest.mark.parametrize("body", [b'{"url": 12, "text": "plain"}',
                                  b'{"url": ["https://x.example/a"], "html": "<p>x</p>"}'])
def test_a_pushed_url_that_is_not_a_string_is_a_400_not_a_500(body: bytes) -> None:
    with pytest.raises(ValueError):  # the push view answers a ValueError with 400
        pushed(body, "application/json")


@pytest.mark.xfail(strict=True, raises=TypeError, reason=ISSUE_12)
def test_a_non_ascii_websub_signature_is_refused_not_a_500() -> None:
    assert verify_signature("secret", b"body", "sha256=\u00e9\u00e9") is False
