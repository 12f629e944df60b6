"""Every registered page in a real browser: no errors, charts and map painted, filters, language, downloads."""

from __future__ import annotations

import hashlib
import re
import time
from urllib.parse import urlencode

import pytest

from dashboard.i18n import translator

from . import driver
from .conftest import AppPage, registered_pages

pytestmark = pytest.mark.browser

PAGES = registered_pages()
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")
DOWNLOAD_TIMEOUT_MS = 60_000  # an export renders its PNG or workbook on click
STABLE_READS = 2  # figures read twice in a row alike: Vega has finished drawing


class Steps:
    """Seconds per step of a test, printed (pytest shows them with -s, or when the test fails)."""

    def __init__(self, name: str):
        self.name, self.last = name, time.monotonic()

    def done(self, step: str) -> None:
        now = time.monotonic()
        print(f"{self.name}: {step} {now - self.last:.1f} s")
        self.last = now


def url(server, page: AppPage, **params: str) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"{server.url}/{page.url_path}{query}"


def assert_clean(tab, where: str) -> None:
    shown = driver.errors(tab)
    assert not shown, f"{where}: error elements on the page: {shown}"
    assert not tab.page_errors, f"{where}: uncaught errors in the browser: {tab.page_errors}"


def assert_painted(tab, where: str, lossless: bool = False) -> driver.Snapshot:
    """Every visible Vega chart and deck.gl map has coloured pixels (marks, areas, points)."""
    shot = driver.wait_painted(tab, lossless)
    for kind in ("chart", "map"):
        counts = shot.painted(kind)
        blank = [i for i, n in enumerate(counts) if n < driver.MIN_COLOURED_PX]
        assert not blank, f"{where}: {kind}s {blank} of {len(counts)} are not painted (coloured pixels {counts})"
    return shot


def stable_figures(tab, timeout_s: float = driver.PAINT_TIMEOUT_MS / 1000) -> dict:
    """The figures once two reads 400 ms apart agree (charts draw after the script run ends)."""
    deadline = time.monotonic() + timeout_s
    last, same = None, 0
    while True:
        now = driver.figures(tab)
        same = same + 1 if now == last else 0
        if same >= STABLE_READS - 1 or time.monotonic() > deadline:
            return now
        last = now
        tab.wait_for_timeout(400)


def pick_region(tab, label: str, region: str) -> None:
    """Choose `region` in the sidebar's region multiselect, as a user does with the mouse."""
    box = tab.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=tab.get_by_text(label, exact=True))
    box.locator("input").click()
    tab.keyboard.type(region)
    tab.get_by_role("option", name=region, exact=True).click()
    tab.keyboard.press("Escape")


def download_all(tab, folder, where: str, only: str | None = None) -> dict[str, str]:
    """Click every visible download button (labelled `only`, if given); each file must open.

    Returns {file: content hash}.
    """
    folder.mkdir(parents=True, exist_ok=True)
    delivered = {}
    buttons = tab.locator('[data-testid="stMain"] [data-testid="stDownloadButton"]')
    if only:
        buttons = buttons.filter(has_text=only)
    for i, button in enumerate(driver.visible(buttons)):
        button.scroll_into_view_if_needed()
        with tab.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as info:
            button.locator("button").first.click()
        download = info.value
        assert download.failure() is None, f"{where}: download {i} failed: {download.failure()}"
        target = folder / f"{i:02d}-{download.suggested_filename}"
        download.save_as(target)
        driver.open_download(target)
        delivered[target.name] = hashlib.sha1(target.read_bytes()).hexdigest()
        assert_clean(tab, f"{where}, after download {target.name}")
    return delivered


def shows_figures(figures: dict, pictures: list[str]) -> bool:
    """Whether the page shows figures on screen (else only its files can)."""
    return bool(figures["metrics"] or figures["charts"] or pictures)


@pytest.mark.parametrize("app_page", PAGES, ids=[p.name for p in PAGES])
def test_page_languages_filters_and_downloads(tab, server, busy_region, app_page, tmp_path):
    uk, en = translator("uk"), translator("en")
    region = busy_region["en"]
    step = Steps(app_page.name)

    # 1. A new visitor with a bare link: Ukrainian, the default view, everything drawn
    tab.goto(url(server, app_page))
    driver.wait_ready(tab, uk(app_page.key))
    assert_clean(tab, "uk")
    assert CYRILLIC.search(tab.locator('[data-testid="stMain"] h1').inner_text())
    stable_figures(tab)
    driver.save(assert_painted(tab, "uk", lossless=True), driver.SCREENSHOTS / f"{app_page.name}_uk.png")
    step.done("uk")

    # 2. The language switch: English title, the language in the URL, everything drawn again
    tab.locator('[data-testid="stSidebar"]').get_by_role("radio", name="en", exact=True).click()
    driver.wait_ready(tab, en(app_page.key))
    assert "lang=en" in tab.url
    assert LATIN.search(tab.locator('[data-testid="stMain"] h1').inner_text())
    assert_clean(tab, "en")
    default = stable_figures(tab)
    # Checked at the end, so that the rest of the page is still tested and photographed.
    leftovers = driver.cyrillic_texts(tab)
    shot = assert_painted(tab, "en", lossless=True)
    driver.save(shot, driver.SCREENSHOTS / f"{app_page.name}_en.png")
    default_pictures = driver.table_pictures(tab)
    on_screen = shows_figures(default, default_pictures)
    # A page of files only (exports): its figures are in the files, compared in step 5.
    default_files = {} if on_screen else download_all(tab, tmp_path / "default", "en", only="CSV")
    step.done("en")

    # 3. A filter set through the widgets is written to the URL, as its code, and changes the figures
    pick_region(tab, en("filter.region"), region)
    tab.wait_for_url(re.compile(rf"[?&]region={re.escape(busy_region['code'])}(&|$)"),
                     timeout=driver.PAINT_TIMEOUT_MS)
    driver.wait_ready(tab, en(app_page.key))
    assert_clean(tab, "en, region picked")
    by_widget = stable_figures(tab)
    widget_pictures = driver.table_pictures(tab)
    if on_screen:
        assert (by_widget, widget_pictures) != (default, default_pictures), f"picking {region} changed no figure"
    step.done("widget")

    # 4. The same filter through a link: a new visitor sees the same, filtered figures
    tab.goto(url(server, app_page, lang="en", region=busy_region["code"]))
    driver.wait_ready(tab, en(app_page.key))
    assert_clean(tab, "en, region in the URL")
    by_link = stable_figures(tab)
    assert_painted(tab, "en, region in the URL")
    link_pictures = driver.table_pictures(tab)
    # Page-local widgets (chart pickers) may start elsewhere for a new visitor; KPI cards and
    # charts of the same view must not.
    assert (by_link["metrics"], by_link["charts"]) == (by_widget["metrics"], by_widget["charts"]), \
        "the link and the widgets show different figures for the same view"
    step.done("link")

    # 5. Every download button delivers a file that opens; the figures follow the filter
    files = download_all(tab, tmp_path / "filtered", "en, region in the URL")
    if on_screen:
        assert (by_link, link_pictures) != (default, default_pictures), f"region={region} in the URL changed no figure"
    else:
        assert files, "the page shows no figures and offers no files"
        csv = {name: digest for name, digest in files.items() if name.endswith(".csv")}
        assert set(csv.values()) != set(default_files.values()), f"region={region} in the URL changed no file"
    assert_clean(tab, "end")
    step.done("downloads")
    assert not leftovers, f"Ukrainian left on the page after switching to English: {leftovers[:6]}"


def test_overview_kpis_follow_the_period_in_the_url(tab, server):
    overview = PAGES[0]
    title = translator("en")(overview.key)
    values = {}
    for name, params in (("all", {"lang": "en"}),
                         ("2024", {"lang": "en", "from": "2024-01-01", "to": "2024-12-31"})):
        tab.goto(url(server, overview, **params))
        driver.wait_ready(tab, title)
        assert_clean(tab, name)
        values[name] = stable_figures(tab)["metrics"]
    assert values["all"], "the Overview shows no KPI values"
    assert values["all"] != values["2024"], f"KPI values ignore the period: {values}"


def test_server_log_has_no_errors(server):
    """Run last: nothing the pages did made the server log a traceback."""
    log = server.log_text()
    assert "Traceback" not in log, log[-4000:]
