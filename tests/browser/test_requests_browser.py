"""Nothing leaves the machine: every page, in both languages, asks only 127.0.0.1 for anything.

The dashboard must work offline. Every request the browser makes during a page visit is recorded
(Playwright's request events, the page's own resource timing, and the favicon links Streamlit
writes into the document, which Chromium fetches outside the page's network events); a request to
any other host fails the test. Requests elsewhere are aborted, so a regression fails here rather
than hanging on a cut network.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from . import driver
from .conftest import registered_pages

pytestmark = pytest.mark.browser

PAGES = registered_pages()
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SETTLE_MS = 1500  # late requests (favicon, fonts, lazily loaded chart code) after the page is ready

_DOCUMENT_URLS_JS = """() => [
  ...performance.getEntriesByType('resource').map(e => e.name),
  ...[...document.querySelectorAll('link[rel~="icon"], link[rel="apple-touch-icon"]')].map(l => l.href),
]"""


def outside(urls) -> list[str]:
    """The URLs of `urls` that would leave the machine (data: and blob: URLs stay in the page)."""
    out = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "chrome-error"):
            continue
        if parts.hostname not in LOCAL_HOSTS:
            out.append(url)
    return sorted(set(out))


def test_outside_urls_are_recognised():
    assert outside(["http://127.0.0.1:8501/", "http://localhost/x", "data:image/png;base64,AA", "blob:x"]) == []
    assert outside(["https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/school/default/24px.svg",
                    "https://cdn.jsdelivr.net/npm/x.png"]) == [
        "https://cdn.jsdelivr.net/npm/x.png",
        "https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/school/default/24px.svg"]


@pytest.mark.parametrize("lang", ["uk", "en"])
@pytest.mark.parametrize("app_page", PAGES, ids=[p.name for p in PAGES])
def test_page_asks_only_the_local_server(chromium, server, app_page, lang):
    context = chromium.new_context(viewport=driver.VIEWPORT)
    context.set_default_timeout(driver.PAINT_TIMEOUT_MS)
    requested: list[str] = []

    def record(route):
        requested.append(route.request.url)
        if outside([route.request.url]):
            route.abort()
        else:
            route.continue_()

    context.route("**/*", record)
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        page.goto(f"{server.url}/{app_page.url_path}?lang={lang}")
        driver.wait_ready(page)
        page.wait_for_timeout(SETTLE_MS)
        requested += page.evaluate(_DOCUMENT_URLS_JS)
    finally:
        context.close()
    assert any(urlsplit(u).hostname in LOCAL_HOSTS for u in requested), "no request was recorded at all"
    assert outside(requested) == [], f"{app_page.name} ({lang}) asked hosts other than 127.0.0.1"
