"""Every registered page, in both languages, on a laptop and a phone: axe-core finds no serious or
critical violation of WCAG 2.0 / 2.1 level A or AA."""

from __future__ import annotations

import time

import pytest

from dashboard.i18n import translator
from dashboard.ui import accessibility

from . import driver
from .conftest import registered_pages

pytestmark = pytest.mark.browser

PAGES = registered_pages()
LANGUAGES = ("uk", "en")
# axe-core from npm (tests/browser/axe/package.json, installed by `npm ci` in scripts/test.sh).
AXE_JS = driver.ROOT / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
# A laptop (the width the pages are laid out for) and a phone (an iPhone 12's CSS pixels).
SIZES = {
    "desktop": {"viewport": {"width": 1440, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# (rule, CSS selector, why): a violation of that rule inside an element of that selector is not
# reported. Only for a third-party widget's internals the app cannot reach; none is needed now.
ALLOWED: list[tuple[str, str, str]] = []
SIDEBAR_OPEN_MS = 600  # the phone's sidebar slides in

# Drawn: every Vega chart has its SVG marks and every deck.gl map its canvas (charts and maps
# draw after the script run ends; axe would otherwise check a half-drawn page).
_DRAWN_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const charts = [...main.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  const maps = [...main.querySelectorAll('[data-testid="stDeckGlJsonChart"]')];
  return charts.every(c => c.querySelector('svg .role-mark, canvas'))
    && maps.every(m => m.querySelector('canvas'));
}"""

# axe.run over the whole document; the violations of the blocking impacts, each node with its
# target selectors, minus the nodes ALLOWED for that rule.
_AXE_JS = """async ([tags, blocking, allowed]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const element = target => { try { return document.querySelector(target[0]); } catch (e) { return null; } };
  const isAllowed = (rule, node) => allowed.some(([id, selector]) => {
    const el = element(node.target);
    return id === rule && el !== null && el.closest(selector) !== null;
  });
  return result.violations.filter(v => blocking.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.filter(n => !isAllowed(v.id, n)).map(n => ({
      target: n.target.join(' '), summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300)})),
  })).filter(v => v.nodes.length);
}"""


def url(server, app_page, lang: str) -> str:
    return f"{server.url}/{app_page.url_path}?lang={lang}"


def wait_drawn(tab) -> None:
    """Wait until the page has run and every chart and map on it has drawn."""
    tab.wait_for_function(_DRAWN_JS, timeout=driver.PAINT_TIMEOUT_MS, polling=driver.POLL_MS)
    tab.wait_for_timeout(300)  # the last chart's marks settle (Vega draws in animation frames)


def violations(tab, where: str) -> list[str]:
    """axe-core's serious and critical violations on the page, one line per element."""
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.add_script_tag(path=str(AXE_JS))
    found = tab.evaluate(_AXE_JS, [WCAG_TAGS, list(BLOCKING), [[rule, selector] for rule, selector, _ in ALLOWED]])
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']}\n    at {n['target']}\n    {n['summary']}"
            for v in found for n in v["nodes"]]


_LABELS_JS = """() => [...document.querySelectorAll('[aria-label], [placeholder]')]
  .map(e => e.getAttribute('aria-label') ?? e.getAttribute('placeholder'))"""


def english_labels(tab) -> list[str]:
    """Streamlit's own English texts for screen readers still on the page (accessibility.EXACT, PREFIXED)."""
    return sorted({label for label in tab.evaluate(_LABELS_JS)
                   if label in accessibility.EXACT or label.startswith(tuple(accessibility.PREFIXED))})


def open_sidebar(tab) -> None:
    """On a phone the page list and the filters are in the sidebar, behind a button: open it."""
    tab.locator('[data-testid="stExpandSidebarButton"]').click()
    tab.locator('[data-testid="stSidebarNav"]').wait_for(state="visible")
    tab.wait_for_timeout(SIDEBAR_OPEN_MS)


@pytest.fixture(scope="module")
def axe_ready():
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: npm ci --prefix tests/browser/axe (scripts/test.sh does)")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("app_page", PAGES, ids=[p.name for p in PAGES])
def test_no_serious_accessibility_violation(chromium, server, axe_ready, app_page, size):
    started, found = time.monotonic(), []
    for lang in LANGUAGES:
        # A new visitor per language: the sidebar's open or closed state is kept by the browser.
        context = chromium.new_context(**SIZES[size])
        context.set_default_timeout(driver.PAINT_TIMEOUT_MS)
        tab = context.new_page()
        try:
            tab.goto(url(server, app_page, lang))
            driver.wait_ready(tab, translator(lang)(app_page.key))
            wait_drawn(tab)
            assert tab.evaluate("document.documentElement.lang") == lang, f"{lang}: the page's language"
            found += violations(tab, f"{lang}, {size}")
            if lang != "en":
                left = english_labels(tab)
                assert not left, f"{lang}, {size}: Streamlit's English labels left untranslated: {left}"
            if size == "phone":
                name = tab.locator('[data-testid="stExpandSidebarButton"]').get_attribute("aria-label")
                assert name == translator(lang)("a11y.open_menu"), f"{lang}: the phone menu is called {name!r}"
                open_sidebar(tab)
                found += violations(tab, f"{lang}, {size}, sidebar open")
        finally:
            context.close()
    print(f"{app_page.name} {size}: {time.monotonic() - started:.1f} s")
    assert not found, f"{len(found)} serious or critical accessibility violations:\n" + "\n".join(found)


def test_a_failed_download_is_said_in_the_page_language(tab, server):
    """Streamlit writes "Failed to generate file for download" under a download button whose file
    could not be made (a chart's file that got no turn of the export queue in time): the page's
    script puts it in the page's language, as Streamlit draws it."""
    exports = next(p for p in PAGES if p.name == "exports")
    tab.goto(url(server, exports, "uk"))
    driver.wait_ready(tab, translator("uk")(exports.key))
    tab.evaluate("""() => {
      const note = document.createElement('div');
      note.setAttribute('data-testid', 'stDownloadButtonError');
      note.textContent = 'Failed to generate file for download';
      document.querySelector('[data-testid="stDownloadButton"]').after(note);
    }""")
    said = translator("uk")("a11y.download_failed")
    tab.wait_for_function("(said) => document.querySelector('[data-testid=\"stDownloadButtonError\"]')"
                          ".textContent === said", arg=said, timeout=5_000)
