"""`python -m benchmarks.browser --release DIR`: every page in a real browser, first visit and a
region change, from navigation start to the last chart or map painted, and the bytes it took.

A public deployment (one `streamlit run` over the releases folder's current release, no extract)
is visited with Debian's headless Chromium (Playwright, the same browser as the browser tests).
For each page, in a fresh browser (no cache, no cookies):

- **first visit**: from the navigation's start to the moment the script run has ended, no element
  is a placeholder any more and every chart and map on the page has drawn (a Vega chart its SVG
  or canvas, a deck.gl map its canvas), measured by the page's own clock (`performance.now()`);
- **region change**: the busiest region picked in the sidebar as a visitor does, from the
  click on the option to the same state again;
- **bytes**: what the browser received for each, HTTP responses (encoded sizes) and the
  websocket frames of the script runs, as Chromium's DevTools protocol counts them.

Each page is visited `--repeats` times (the first visit of all is the server's first too, with cold
caches; later visits find them warm); the table gives the median and the slowest. The machine's
load is written beside the figures: the times are of this machine at that moment.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import machine
from benchmarks.load import MIX_REGIONS, page_paths, start_single
from benchmarks.pagerun import public_settings
from benchmarks.release import busiest_regions

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 180_000

# Settled: the run has ended, nothing is a placeholder, and every chart and map has drawn.
_SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  if (!app || !main || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!main.querySelector('h1') || main.querySelector('[data-testid="stSkeleton"]')) return false;
  const charts = [...main.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  const maps = [...main.querySelectorAll('[data-testid="stDeckGlJsonChart"]')];
  return charts.every(c => c.querySelector('svg, canvas')) && maps.every(m => m.querySelector('canvas'));
}"""


class Bytes:
    """Bytes received by one page, counted by Chromium's DevTools protocol."""

    def __init__(self, page) -> None:
        self.total = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.loadingFinished", lambda e: self._add(e.get("encodedDataLength", 0)))
        session.on("Network.webSocketFrameReceived", lambda e: self._add(len(e["response"].get("payloadData", ""))))

    def _add(self, n: float) -> None:
        self.total += int(n)

    def take(self) -> int:
        n, self.total = self.total, 0
        return n


def _settled(page) -> float:
    """Wait until the page has settled (twice, 300 ms apart: a run may follow a run); its clock then."""
    page.wait_for_function(_SETTLED_JS, timeout=TIMEOUT_MS, polling=100)
    page.wait_for_timeout(300)
    page.wait_for_function(_SETTLED_JS, timeout=TIMEOUT_MS, polling=100)
    return page.evaluate("performance.now()") - 300


def pick_region(page, region: str) -> float:
    """Choose `region` in the sidebar's region picker; the page's clock at the click on the option."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    box.locator("input").click()
    page.keyboard.type(region)
    option = page.get_by_role("option", name=region, exact=True)
    option.wait_for()
    started = page.evaluate("performance.now()")
    option.click()
    page.keyboard.press("Escape")
    return started


def visit(browser, url: str, region: str) -> dict:
    """One page in a fresh browser: first visit and region change, times in seconds and bytes."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    counted = Bytes(page)
    try:
        page.goto(url, timeout=TIMEOUT_MS)
        first = _settled(page) / 1000  # performance.now() counts from the navigation's start
        first_bytes = counted.take()
        started = pick_region(page, region)
        page.wait_for_timeout(200)  # the click's run starts
        change = (_settled(page) - started) / 1000
        return {"first_s": first, "first_bytes": first_bytes, "change_s": change, "change_bytes": counted.take()}
    finally:
        context.close()


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f}"


def render(results: dict[str, list[dict]], label: str, info: dict[str, str]) -> str:
    rows = []
    for path, runs in results.items():
        def med(key: str) -> float:
            return statistics.median(r[key] for r in runs)

        def worst(key: str) -> float:
            return max(r[key] for r in runs)

        rows.append(f"| {path or '(overview)'} | {med('first_s'):.1f} | {worst('first_s'):.1f} | "
                    f"{_mb(med('first_bytes'))} | {med('change_s'):.1f} | {worst('change_s'):.1f} | "
                    f"{_mb(med('change_bytes'))} |")
    head = (f"{label}: {len(next(iter(results.values())))} visits a page, each in a fresh browser; "
            f"load average at the start {info.get('load average at start', '?')}.\n\n"
            "| page | first visit, median s | slowest s | MB received | region change, median s | slowest s "
            "| MB received |\n|---|---:|---:|---:|---:|---:|---:|\n")
    return head + "\n".join(rows) + "\n"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--release", type=Path, required=True, help="releases folder (public mode on its current release)")
    ap.add_argument("--label", default="", help="what the release holds, for the table (e.g. '60,000 people')")
    ap.add_argument("--repeats", type=int, default=3, help="visits of each page (default 3)")
    ap.add_argument("--pages", nargs="*", help="url paths of pages to visit ('' for the overview); default all")
    ap.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    args = _parse(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    _code, _uk, region = busiest_regions(args.release, MIX_REGIONS)[0]
    info = machine.describe()
    log = Path(tempfile.mkdtemp(prefix="browser-bench-")) / "streamlit.log"
    url, _pids, stop = start_single(public_settings(args.release), log)
    results: dict[str, list[dict]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            paths = page_paths() if args.pages is None else args.pages
            for _round in range(args.repeats):
                for path in paths:
                    began = time.monotonic()
                    run = visit(browser, f"{url}/{path}?lang=en", region)
                    results.setdefault(path, []).append(run)
                    print(f"{path or '(overview)'}: first {run['first_s']:.1f} s, change {run['change_s']:.1f} s "
                          f"({time.monotonic() - began:.0f} s in all)", flush=True)
            browser.close()
    finally:
        stop()
    table = render(results, args.label or str(args.release), info)
    print(table)
    if args.write:
        key = "browser-" + "".join(c if c.isalnum() else "-" for c in (args.label or "release")).strip("-").lower()
        machine.update_section(key, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
