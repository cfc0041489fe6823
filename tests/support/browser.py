"""Headless Chromium for the browser tests: Debian's chromium + chromedriver, driven by
Selenium, with a throw-away profile."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's /usr/bin/chromium and /usr/bin/chromedriver",
)
_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run")


@contextmanager
def chromium(*extra: str) -> Iterator[Any]:
    """A Chromium session with ``extra`` command-line switches; quit and profile removed."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="frontwire-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (*_ARGS, f"--user-data-dir={profile}", *extra):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


WAIT_S = 20.0  # an upper bound for a page to catch up, not a latency assertion


def wait(driver: Any, condition: Any, timeout: float = WAIT_S) -> Any:
    """Poll ``condition(driver)`` until it is truthy (Selenium's WebDriverWait); its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)
