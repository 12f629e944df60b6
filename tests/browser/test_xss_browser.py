"""Hostile text in the extracts and in the link reaches every page in Chromium as text: no script runs."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from dashboard.i18n import translator
from hostile import build_hostile, region_name

from . import driver
from .conftest import registered_pages

pytestmark = pytest.mark.browser

PAGES = registered_pages()
LANGUAGES = ("uk", "en")
# The fixture extract's first region (UA-05) has people: chosen through the link, its hostile
# name is a valid filter value, so every page repeats it in the header's scope line.
REGION = 0
# A link a stranger could send: values that match nothing, made of markup.
HOSTILE_LINK = {"region": "<script>alert(1)</script>", "age": "<img src=x onerror=alert(1)>",
                "gender": "\"><svg onload=alert(1)>", "from": "javascript:alert(1)"}
# Elements the payloads would create if any of them were rendered as markup instead of text. A
# bare URL in shown text becomes a link whose text is the URL (GFM autolinks, escaping does not
# stop them): that link is the text itself, not an injected element, and is let through.
_INJECTED_JS = """() => {
  const found = [
    ...document.querySelectorAll('img[src="x"], img[onerror], svg[onload], iframe, object, embed'),
    ...document.querySelectorAll('img[src*="evil.example"], a[href^="javascript:"]'),
    ...[...document.querySelectorAll('a[href*="evil.example"]')]
      .filter(a => a.innerText.trim() !== a.getAttribute('href')),
    ...[...document.scripts].filter(s => s.textContent.includes('alert')),
  ];
  return [...new Set(found)].map(e => e.outerHTML.slice(0, 200));
}"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The app under `streamlit run` over the fixture extract with hostile free text."""
    from dashboard.privacy import Rule
    from dashboard.release import catalogue
    from dashboard.release.build import build

    folder = build_hostile(tmp_path_factory.mktemp("hostile_browser") / "clean")
    build(folder, driver.releases_of(folder), "hostile", Rule(k=10, noise=2))  # what public pages read
    catalogue.approve(driver.releases_of(folder), "hostile", "tests")
    running = driver.start_server(folder, tmp_path_factory.mktemp("hostile_server") / "streamlit.log")
    yield running
    running.stop()


def watched(context):
    """A new page of the context that records dialogs (dismissing them) and uncaught errors."""
    page = context.new_page()
    page.dialogs, page.page_errors = [], []

    def on_dialog(dialog):
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: page.page_errors.append(str(exc)))
    return page


@pytest.fixture(scope="module")
def probe(chromium, hostile_server):
    """One browser context for every page, with dialogs and uncaught errors recorded from the start."""
    context = chromium.new_context(viewport=driver.VIEWPORT)
    context.set_default_timeout(driver.PAINT_TIMEOUT_MS)
    yield watched(context)
    context.close()


def visit(page, server, app_page, lang: str, params: dict[str, str]) -> str:
    """Open the page with the query string, wait until it has settled; the main area's text."""
    page.goto(f"{server.url}/{app_page.url_path}?{urlencode({'lang': lang, **params})}")
    driver.wait_ready(page, translator(lang)(app_page.key))
    return page.locator('[data-testid="stMain"]').inner_text()


def assert_inert(page, where: str) -> None:
    assert not page.dialogs, f"{where}: a payload opened a dialog: {page.dialogs}"
    injected = page.evaluate(_INJECTED_JS)
    assert not injected, f"{where}: payload markup became elements: {injected}"
    shown = driver.errors(page)
    assert not shown, f"{where}: error elements on the page: {shown}"
    assert not page.page_errors, f"{where}: uncaught errors in the browser: {page.page_errors}"


def test_the_probe_sees_markup_that_runs(chromium):
    """The checks can fail: markup rendered as markup opens a dialog and is found in the DOM."""
    context = chromium.new_context()
    try:
        page = watched(context)
        page.set_content('<p>x</p><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">go</a>')
        page.wait_for_function("() => document.querySelector('img').complete")
        page.wait_for_timeout(200)
        assert page.dialogs == ["alert: 1"]
        assert len(page.evaluate(_INJECTED_JS)) == 2
    finally:
        context.close()


@pytest.mark.parametrize("app_page", PAGES, ids=[p.name for p in PAGES])
def test_hostile_text_and_links_run_no_script(probe, hostile_server, app_page):
    for lang in LANGUAGES:
        where = f"{app_page.name} ({lang})"
        # The hostile region name as the filter, and a hostile participant group beside it
        text = visit(probe, hostile_server, app_page, lang,
                     {"region": region_name(REGION, lang), "age": HOSTILE_LINK["age"]})
        assert_inert(probe, where)
        assert region_name(REGION, lang) in text, f"{where}: the region's name is not shown as text"
    # A link whose every filter is markup: the values fall back, the page still works
    lang = LANGUAGES[PAGES.index(app_page) % len(LANGUAGES)]
    visit(probe, hostile_server, app_page, lang, HOSTILE_LINK)
    assert_inert(probe, f"{app_page.name} ({lang}), hostile link")


def test_hostile_server_log_has_no_errors(hostile_server):
    """Run last: nothing the hostile pages did made the server log a traceback."""
    log = hostile_server.log_text()
    assert "Traceback" not in log, log[-4000:]
