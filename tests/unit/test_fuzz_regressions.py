"""Crashes `make fuzz` found, kept as regression tests (minimal forms of the saved inputs).

Both were in the push and WebSub handlers' input validation, which issue 12 ("Safe by
default") fixed; the fuzzer found them again independently (issue 11).
"""

from __future__ import annotations

import pytest

from services.fetcher.intake_faust import pushed
from services.fetcher.websub import verify_signature


@pytest.mark.parametrize("body", [b'{"url": 12, "text": "plain"}',
                                  b'{"url": ["https://x.example/a"], "html": "<p>x</p>"}'])
def test_a_pushed_url_that_is_not_a_string_is_a_400_not_a_500(body: bytes) -> None:
    with pytest.raises(ValueError):  # the push view answers a ValueError with 400
        pushed(body, "application/json")


def test_a_non_ascii_websub_signature_is_refused_not_a_500() -> None:
    assert verify_signature("secret", b"body", "sha256=\u00e9\u00e9") is False
