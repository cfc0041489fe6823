"""The live page in headless Chromium (Debian's chromium + chromedriver, driven by Selenium)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.alerting_api.server import ThreadedApi
from tests.support.browser import needs_chromium, wait
from tests.unit.alerting_api.alerts import mobilisation_alert, shells_alert, troops_alert

TOKEN = "browser-token"

pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = needs_chromium


def cards(driver: Any) -> dict[str, Any]:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, "#alerts > li.alert")
    return {card.get_attribute("data-alert-id"): card for card in found}


def test_live_page(browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    troops, shells, pl = troops_alert(), shells_alert(), mobilisation_alert()
    with ThreadedApi([troops, shells], token=TOKEN, heartbeat_s=1.0) as api:
        browser.get(f"{api.url}/?token={TOKEN}")
        wait(browser, lambda d: d.find_element(By.ID, "conn-status").text == "Live")
        wait(browser, lambda d: set(cards(d)) == {troops.alert_id, shells.alert_id})
        assert "token" not in browser.current_url  # moved to sessionStorage

        # An existing alert, with its facts and a link to every source.
        card = cards(browser)[troops.alert_id]
        assert troops.summary in card.text
        assert "CRITICAL" in card.text.upper() and "Planned" in card.text
        assert "Disputed by" in card.text and "GUR" in card.text
        links = card.find_elements(By.CSS_SELECTOR, "a.source-link")
        assert [a.get_attribute("href") for a in links] == [troops.sources[0].url]
        assert links[0].get_attribute("rel") == "noopener noreferrer"

        # A new alert and an update arrive over the stream, without a reload.
        api.publish(pl)
        api.publish(troops_alert(version=2, alerted=troops.stamps["alerted"] + 900))
        wait(browser, lambda d: pl.alert_id in cards(d))
        wait(browser, lambda d: "v2 · 2 sources" in cards(d)[troops.alert_id].text)
        updated = cards(browser)[troops.alert_id]
        hrefs = [a.get_attribute("href") for a in updated.find_elements(By.TAG_NAME, "a")]
        assert hrefs == [s.url for s in troops_alert(version=2).sources]
        assert next(iter(cards(browser))) == troops.alert_id  # newest first
        browser.save_screenshot("/tmp/frontwire-live-desktop.png")

        # Filters hide what does not match.
        Select(browser.find_element(By.ID, "f-severity")).select_by_value("warning")
        wait(browser, lambda d: set(cards(d)) == {pl.alert_id})
        Select(browser.find_element(By.ID, "f-severity")).select_by_value("")
        browser.find_element(By.ID, "f-country").send_keys("kp")
        wait(browser, lambda d: set(cards(d)) == {troops.alert_id, shells.alert_id})
        browser.find_element(By.ID, "f-text").send_keys("shells")
        wait(browser, lambda d: set(cards(d)) == {shells.alert_id})
        browser.find_element(By.ID, "f-clear").click()
        wait(browser, lambda d: len(cards(d)) == 3)

        # A phone-sized window: nothing wider than the viewport.
        browser.set_window_size(390, 844)
        wait(browser, lambda d: d.execute_script("return window.innerWidth") <= 390)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        browser.save_screenshot("/tmp/frontwire-live-phone.png")


def test_page_without_the_token_says_so(browser: Any) -> None:
    from selenium.webdriver.common.by import By

    with ThreadedApi([troops_alert()], token=TOKEN) as api:
        browser.get(api.url + "/")
        banner = wait(browser, lambda d: d.find_element(By.ID, "banner"))
        wait(browser, lambda d: banner.is_displayed() and "Not authorised" in banner.text)
        assert cards(browser) == {}
