"""The browser the live-page tests drive: a desktop-sized headless Chromium (a test module
that needs other switches defines its own ``browser``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import chromium


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium("--window-size=1280,900") as driver:
        yield driver
