"""The live page's map and timeline in headless Chromium: markers for located events, bars per
hour, filters shared with the list, clicks that filter the list, live arrivals; and screenshots
(desktop and phone) to look at, written to $FRONTWIRE_SCREENSHOTS or the test's tmp_path."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from services.alerting.api.app import STATIC_DIR
from shared.records import Alert, Location, Quantity
from tests.integration.alerting_api.server import ThreadedApi
from tests.support.browser import needs_chromium, wait
from tests.unit.alerting_api.alerts import mobilisation_alert, shells_alert, troops_alert

TOKEN = "map-token"
BUNDLE = STATIC_DIR / "dist" / "views.js"

pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = needs_chromium
needs_bundle = pytest.mark.skipif(
    not BUNDLE.exists(),
    reason=f"the map and timeline bundle {BUNDLE} is not built: `make install` runs npm ci "
    "and npm run build",
)


def placed(alert: Alert, name: str, country: str, lat: float, lon: float) -> Alert:
    event = replace(alert.event, location=Location(name, country, lat, lon))
    return replace(alert, event=event)


def hours_ago(hours: float) -> float:
    return time.time() - hours * 3600


def seeded() -> tuple[Alert, Alert, Alert]:
    """Three alerts in three different hours: two with coordinates, one without."""
    troops = placed(troops_alert(alerted=hours_ago(3)), "Kursk", "RU", 51.73, 36.19)
    shells = shells_alert(alerted=hours_ago(2))  # no location: on the timeline only
    poland = placed(mobilisation_alert(alerted=hours_ago(0.4)), "Warsaw", "PL", 52.23, 21.01)
    return troops, shells, poland


def strike(alert_id: str, alerted: float, place: tuple[str, str, float, float]) -> Alert:
    base = shells_alert(alerted=alerted)
    event = replace(
        base.event, type="attack", status="reported", quantity=Quantity(40, 40, "drones")
    )
    return placed(replace(base, alert_id=alert_id, event=event, summary="Drone strike"), *place)


INSIDE_THE_MAP = """
const map = document.getElementById('map').getBoundingClientRect();
return [...document.querySelectorAll('#map circle.marker')].every((m) => {
  const r = m.getBoundingClientRect();
  return r.left >= map.left && r.right <= map.right && r.top >= map.top && r.bottom <= map.bottom;
});
"""


def cards(driver: Any) -> set[str]:
    return set(
        driver.execute_script(
            "return [...document.querySelectorAll('#alerts > li.alert')]"
            ".map(e => e.dataset.alertId)"
        )
    )


def markers(driver: Any) -> dict[str, Any]:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, "#map circle.marker")
    return {m.get_attribute("data-alert-id"): m for m in found}


def timeline_total(driver: Any) -> int:
    return int(
        driver.execute_script(
            "return [...document.querySelectorAll('#timeline .bucket')]"
            ".reduce((n, b) => n + Number(b.dataset.total), 0)"
        )
    )


def open_page(driver: Any, api: ThreadedApi, expected: int) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{api.url}/?token={TOKEN}")
    wait(driver, lambda d: d.find_element(By.ID, "conn-status").text == "Live")
    wait(driver, lambda d: len(cards(d)) == expected)


@needs_bundle
def test_map_and_timeline_follow_the_filters_and_the_stream(browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    troops, shells, poland = seeded()
    with ThreadedApi([troops, shells, poland], token=TOKEN, heartbeat_s=1.0) as api:
        open_page(browser, api, 3)

        # One marker per located event, sized by quantity, coloured by type, with a title.
        wait(browser, lambda d: set(markers(d)) == {troops.alert_id, poland.alert_id})
        kursk, warsaw = markers(browser)[troops.alert_id], markers(browser)[poland.alert_id]
        assert float(kursk.get_attribute("r")) > float(warsaw.get_attribute("r"))
        assert kursk.get_attribute("fill") != warsaw.get_attribute("fill")
        assert "Kursk, RU" in kursk.get_attribute("aria-label")
        assert troops.summary in kursk.find_element(By.TAG_NAME, "title").get_attribute(
            "textContent"
        )
        legend = browser.find_elements(By.CSS_SELECTOR, "#legend .legend-item")
        assert {b.get_attribute("data-type") for b in legend} == {
            "troop_deployment",
            "arms_transfer",
            "mobilisation",
        }
        assert timeline_total(browser) == 3
        assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline .bucket")) == 24
        browser.find_element(By.CSS_SELECTOR, '#range button[data-value="7d"]').click()
        wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#timeline .bucket")) == 7)
        assert timeline_total(browser) == 3
        browser.find_element(By.CSS_SELECTOR, '#range button[data-value="24h"]').click()
        wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#timeline .bucket")) == 24)

        # A filter of the form changes the list, the map and the timeline together.
        Select(browser.find_element(By.ID, "f-type")).select_by_value("mobilisation")
        wait(browser, lambda d: cards(d) == {poland.alert_id})
        wait(browser, lambda d: set(markers(d)) == {poland.alert_id})
        assert timeline_total(browser) == 1
        browser.find_element(By.ID, "f-clear").click()
        wait(browser, lambda d: len(cards(d)) == 3 and len(markers(d)) == 2)

        # A marker filters the list to its place and type; its chip takes the place back off.
        markers(browser)[troops.alert_id].click()
        wait(browser, lambda d: cards(d) == {troops.alert_id})
        assert browser.find_element(By.ID, "f-type").get_attribute("value") == "troop_deployment"
        chip = browser.find_element(By.CSS_SELECTOR, "#picks .pick")
        assert chip.text.startswith("Place: Kursk, RU")
        chip.click()
        wait(browser, lambda d: not d.find_element(By.ID, "picks").is_displayed())
        browser.find_element(By.ID, "f-clear").click()
        wait(browser, lambda d: len(cards(d)) == 3)

        # A bar filters the list to its hour: the map shows what is left, the timeline all.
        hour = int(shells.stamps["alerted"] // 3600 * 3600)
        browser.find_element(By.CSS_SELECTOR, f'#timeline .bucket[data-from="{hour}"]').click()
        wait(browser, lambda d: cards(d) == {shells.alert_id})
        wait(browser, lambda d: markers(d) == {})
        assert timeline_total(browser) == 3
        browser.find_element(By.ID, "f-clear").click()
        wait(browser, lambda d: len(cards(d)) == 3 and len(markers(d)) == 2)

        # An alert arriving over the stream appears on the map (and the timeline) live.
        live = strike("aa11bb22cc33dd44", hours_ago(0.1), ("Kharkiv", "UA", 49.99, 36.23))
        api.publish(live)
        wait(browser, lambda d: live.alert_id in markers(d))
        ring = browser.find_elements(By.CSS_SELECTOR, "#map g.fresh circle.ring")
        assert len(ring) == 1
        assert timeline_total(browser) == 4

        # Under the page's strict CSP (scripts and styles from 'self' only) nothing was refused.
        assert [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


@needs_bundle
def test_screenshots_desktop_and_phone(browser: Any, tmp_path: Path) -> None:
    """Writes map-desktop.png, -desktop-fitted.png, -desktop-picked.png and -phone.png."""
    from selenium.webdriver.common.by import By

    out = Path(os.environ.get("FRONTWIRE_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    alerts = [*seeded()]
    places = [
        ("Kharkiv", "UA", 49.99, 36.23),
        ("Tartus", "SY", 34.89, 35.89),
        ("Sevastopol", "UA", 44.62, 33.53),
        ("Khartoum", "SD", 15.50, 32.56),
        ("Pyongyang", "KP", 39.03, 125.75),
        ("Kaliningrad", "RU", 54.71, 20.51),
    ]
    for i, place in enumerate(places):
        alerts.append(strike(f"{i:016x}", hours_ago(1.3 * i + 0.2), place))
    with ThreadedApi(alerts, token=TOKEN, heartbeat_s=1.0) as api:
        browser.set_window_size(1280, 1300)
        open_page(browser, api, len(alerts))
        wait(browser, lambda d: len(markers(d)) == len(alerts) - 1)
        height = browser.find_element(By.ID, "map").get_attribute("height")
        desktop = out / "map-desktop.png"
        assert browser.save_screenshot(str(desktop))

        # Fitted to the events: every marker inside the map.
        browser.find_element(By.CSS_SELECTOR, '#zoom button[data-value="events"]').click()
        wait(browser, lambda d: d.find_element(By.ID, "map").get_attribute("height") != height)
        assert len(markers(browser)) == len(alerts) - 1
        assert browser.execute_script(INSIDE_THE_MAP)
        fitted = out / "map-desktop-fitted.png"
        assert browser.save_screenshot(str(fitted))

        # A place picked on the map: its chip, the marker outlined, the others dimmed.
        markers(browser)[alerts[0].alert_id].click()
        wait(browser, lambda d: cards(d) == {alerts[0].alert_id})
        picked = out / "map-desktop-picked.png"
        assert browser.save_screenshot(str(picked))
        browser.find_element(By.ID, "f-clear").click()

        browser.set_window_size(390, 1100)
        wait(browser, lambda d: d.execute_script("return window.innerWidth") <= 390)
        wait(
            browser,
            lambda d: (
                d.execute_script(
                    "return document.getElementById('map').getBoundingClientRect().right"
                )
                <= d.execute_script("return document.documentElement.clientWidth")
            ),
        )
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        phone = out / "map-phone.png"
        assert browser.save_screenshot(str(phone))
    for png in (desktop, fitted, picked, phone):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_list_works_without_the_bundle(browser: Any, tmp_path: Path) -> None:
    """An install that did not build the bundle still serves the list, filters and stream."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    static = tmp_path / "web"
    shutil.copytree(STATIC_DIR, static, ignore=shutil.ignore_patterns("dist", "src"))
    troops, shells, poland = seeded()
    with ThreadedApi([troops, shells], token=TOKEN, heartbeat_s=1.0, static_dir=static) as api:
        open_page(browser, api, 2)
        assert not browser.find_element(By.ID, "views").is_displayed()
        Select(browser.find_element(By.ID, "f-type")).select_by_value("arms_transfer")
        wait(browser, lambda d: cards(d) == {shells.alert_id})
        browser.find_element(By.ID, "f-clear").click()
        api.publish(poland)
        wait(browser, lambda d: cards(d) == {troops.alert_id, shells.alert_id, poland.alert_id})
