"""The browser's Back button: one history entry per view a visitor chose, and every control agrees
with the figures when Back returns to it.

A visitor on the Overview (a public deployment: periods picked from a list) chooses a year, adds a
region, chooses another year, then presses Back three times. Each choice adds exactly one entry;
each Back shows the view chosen before it, with the same link, the same Period pick, the same
dates, the same regions and the same key figures as when it was first shown. (Before, a quick pick
wrote its two dates as two entries, and Back showed a period nobody chose with the old pick lit.)
"""

from __future__ import annotations

import pytest

from dashboard.i18n import translator

from . import driver
from .test_pages_browser import stable_figures

pytestmark = pytest.mark.browser

EN = translator("en")
PERIOD, REGIONS = EN("filter.period"), EN("filter.region")
FIRST_VISIT_MS = 120_000  # the first visit of a test session: the server warms its caches


def _sidebar_control(tab, testid: str, label: str):
    return tab.locator(f'[data-testid="stSidebar"] [data-testid="{testid}"]').filter(
        has=tab.get_by_text(label, exact=True))


def view(tab, timeout_ms: int = driver.PAINT_TIMEOUT_MS) -> dict:
    """What the visitor sees: the link, every filter control and the key figures."""
    driver.wait_ready(tab, timeout_ms=timeout_ms)
    side = tab.locator('[data-testid="stSidebar"]')
    return {
        "link": tab.url.split("?", 1)[-1],
        "period": _sidebar_control(tab, "stSelectbox", PERIOD).locator("input").input_value(),
        "dates": [box.input_value() for box in side.locator('[data-testid="stDateInput"] input').all()],
        "regions": [chip.get_attribute("aria-label") for chip in _sidebar_control(tab, "stMultiSelect", REGIONS)
                    .locator("[data-tag]").all()],
        "figures": stable_figures(tab)["metrics"],
    }


def choose_period(tab, label: str) -> None:
    _sidebar_control(tab, "stSelectbox", PERIOD).click()
    tab.get_by_role("option", name=label, exact=True).click()


def add_region(tab, region: str) -> None:
    _sidebar_control(tab, "stMultiSelect", REGIONS).locator("input").click()
    tab.keyboard.type(region)
    tab.get_by_role("option", name=region, exact=True).click()
    tab.keyboard.press("Escape")


def test_three_choices_then_three_backs(tab, server, busy_region):
    tab.goto(f"{server.url}/?lang=en")
    seen = [view(tab, FIRST_VISIT_MS)]
    entries = tab.evaluate("history.length")
    region = busy_region["en"]
    for choose in (lambda: choose_period(tab, "2024"), lambda: add_region(tab, region),
                   lambda: choose_period(tab, "2025")):
        choose()
        tab.wait_for_function("n => history.length > n", arg=entries + len(seen) - 1)
        seen.append(view(tab))
        assert tab.evaluate("history.length") == entries + len(seen) - 1, "one history entry per choice"
    # The choices took effect: each view differs from the one before it, in its controls and figures.
    assert [v["period"] for v in seen] == [EN("quick.all"), "2024", "2024", "2025"]
    assert [v["regions"] for v in seen] == [[], [], [region], [region]]
    assert seen[0]["dates"] != seen[1]["dates"] and seen[2]["dates"] != seen[3]["dates"]
    assert all(a["figures"] != b["figures"] for a, b in zip(seen, seen[1:]))
    for back in (2, 1, 0):
        tab.go_back()
        tab.wait_for_function("link => location.search.slice(1) === link", arg=seen[back]["link"])
        assert view(tab) == seen[back], f"Back to view {back}"
    assert not driver.errors(tab) and not tab.page_errors
