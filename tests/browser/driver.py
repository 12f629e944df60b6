"""Browser-test helpers: start the app, wait for a page to settle, read pixels, figures and downloads."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"  # Debian's package; the suite never downloads a browser
# SwiftShader gives headless Chromium a software WebGL2, which deck.gl needs to draw anything.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
]
VIEWPORT = {"width": 1400, "height": 1000}  # a laptop's width; pages are laid out "wide"
# Two cores share the server, the browser and SwiftShader: a cold map page paints in 4-20 s.
PAINT_TIMEOUT_MS = 30_000
SERVER_START_S = 60
POLL_MS = 100  # polling by animation frame is throttled in headless Chromium; poll by time
FULL_PAGE_MAX_PX = 9_000  # screenshots of very long pages are cut here
# A drawn chart or map: at least this many saturated pixels (marks, areas, points). Axes, text
# and grid lines are grey, so an empty chart frame scores close to zero.
MIN_COLOURED_PX = 300
ERROR_SELECTOR = '[data-testid="stException"], [data-testid="stAlertContentError"]'
CHART_SELECTOR = '[data-testid="stMain"] [data-testid="stVegaLiteChart"]'
MAP_SELECTOR = '[data-testid="stMain"] [data-testid="stDeckGlJsonChart"]'
TABLE_SELECTOR = '[data-testid="stMain"] [data-testid="stDataFrame"]'
_NUMBER = re.compile(r"\d(?:[\d\u00a0\u202f ,.]*\d)?")

# Ready: the script run has finished, the title is there, and no element is still a skeleton
# (charts and maps are lazily loaded components: a skeleton stands in until their code arrives).
_READY_JS = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !!h1 && (title === null || h1.innerText.trim() === title)
    && !document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]');
}"""

# Figures of the main area: metric values, numbers in the text (the header's caption, which
# repeats the filters, left out) and the geometry of every Vega chart.
_FIGURES_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const header = main.querySelector('[data-testid="stCaptionContainer"]');
  const texts = [...main.querySelectorAll(
      '[data-testid="stMetricValue"], [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]')]
    .filter(e => !(header && (e === header || header.contains(e) || e.contains(header))))
    .map(e => e.innerText);
  const charts = [...main.querySelectorAll('[data-testid="stVegaLiteChart"] svg')]
    .map(s => [...s.querySelectorAll('path')].map(p => p.getAttribute('d') || '').join('|'));
  const metrics = [...main.querySelectorAll('[data-testid="stMetricValue"]')].map(e => e.innerText);
  return {texts, charts, metrics};
}"""


# ---- the server ------------------------------------------------------------------------------

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A `streamlit run` process on 127.0.0.1 and where its log goes."""

    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        """Terminate the process (and wait); kill it if it does not stop within 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def releases_of(data_dir: Path) -> Path:
    """The releases folder beside an extract folder (the public app reads its current release)."""
    return data_dir.parent / "releases"


def start_server(data_dir: Path, log: Path, port: int | None = None) -> Server:
    """Start the app on a free loopback port over `data_dir` (and its releases, releases_of) and
    wait until /_stcore/health answers."""
    port = port or free_port()
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(data_dir), "DASHBOARD_MODE": "public",
           "DASHBOARD_RELEASES_DIR": str(releases_of(data_dir))}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    out = open(log, "w", encoding="utf-8")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"streamlit did not answer /_stcore/health in {SERVER_START_S} s:\n{server.log_text()[-3000:]}")


# ---- waiting and reading a page --------------------------------------------------------------

def wait_ready(page, title: str | None = None, timeout_ms: int = PAINT_TIMEOUT_MS) -> None:
    """Wait until the script run has finished, the page's h1 reads `title` (any h1 if None) and every
    lazily loaded element (chart, map) has replaced its skeleton."""
    page.wait_for_function(_READY_JS, arg=title, timeout=timeout_ms, polling=POLL_MS)
    # A rerun can start right after a run (a callback, st.rerun on a deep link): settle once more.
    page.wait_for_timeout(300)
    page.wait_for_function(_READY_JS, arg=title, timeout=timeout_ms, polling=POLL_MS)


_CYRILLIC_JS = """() => {
  const out = [];
  const cyrillic = /[\\u0400-\\u04ff]/;
  const walker = document.createTreeWalker(document.querySelector('[data-testid="stApp"]'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (parent && parent.checkVisibility() && cyrillic.test(node.textContent)) out.push(node.textContent.trim());
  }
  for (const input of document.querySelectorAll('input')) if (cyrillic.test(input.value)) out.push(input.value);
  return out;
}"""


def cyrillic_texts(page) -> list[str]:
    """Visible texts and widget values in Cyrillic (in the English interface, leftovers of Ukrainian)."""
    return page.evaluate(_CYRILLIC_JS)


def errors(page) -> list[str]:
    """Texts of the error elements on the page (exceptions, error alerts)."""
    return [e.inner_text()[:500] for e in page.locator(ERROR_SELECTOR).all()]


def figures(page) -> dict:
    """The figures shown in the main area: metric values, numbers in texts, chart geometry."""
    raw = page.evaluate(_FIGURES_JS)
    numbers = [n for text in raw["texts"] for n in _NUMBER.findall(text)]
    return {"metrics": raw["metrics"], "numbers": numbers, "charts": raw["charts"]}


@dataclass
class Snapshot:
    """One screenshot of the whole page and where its charts and maps are on it."""

    image: object  # numpy array, height x width x 3
    boxes: dict[str, list[tuple[int, int, int, int]]]  # kind -> [(x0, y0, x1, y1)]

    def crops(self, kind: str) -> list:
        """The pixels of each chart or map, cut from the screenshot."""
        return [self.image[y0:y1, x0:x1] for x0, y0, x1, y1 in self.boxes[kind]]

    def painted(self, kind: str) -> list[int]:
        """Coloured-pixel counts of the charts or maps on the screenshot."""
        return [coloured_pixels(crop) for crop in self.crops(kind)]


_BOXES_JS = """(selectors) => {
  const out = {};
  for (const [kind, selector] of Object.entries(selectors)) {
    out[kind] = [...document.querySelectorAll(selector)]
      .filter(e => e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}))
      .map(e => e.getBoundingClientRect())
      .filter(r => r.width > 20 && r.height > 20)
      .map(r => [Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)]);
  }
  const main = document.querySelector('[data-testid="stMain"]');
  if (main) main.scrollTop = 0;
  return {boxes: out, height: main ? main.scrollHeight : 0};
}"""
_KINDS = {"chart": CHART_SELECTOR, "map": MAP_SELECTOR}


def fit_viewport(page) -> int:
    """Make the viewport as tall as the page (Streamlit scrolls inside its main area), up to a cap."""
    height = page.evaluate(_BOXES_JS, _KINDS)["height"]
    current = page.viewport_size["height"]
    wanted = max(VIEWPORT["height"], min(int(height) + 40, FULL_PAGE_MAX_PX))
    if wanted > current:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": wanted})
        page.wait_for_timeout(500)  # charts and the map re-lay out at the new size
    return min(int(height) + 40, page.viewport_size["height"])


def snapshot(page, lossless: bool = False) -> Snapshot:
    """Screenshot of the whole page (cropped to its content) with the boxes of its charts and maps.

    JPEG unless `lossless` (for the screenshots kept): four times faster to take and read on two
    cores, and exact colours do not matter for telling painted from blank.
    """
    import numpy as np
    from PIL import Image

    content = fit_viewport(page)
    found = page.evaluate(_BOXES_JS, _KINDS)
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": max(content, VIEWPORT["height"])}
    png = page.screenshot(type="png" if lossless else "jpeg", animations="disabled", clip=clip)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    boxes = {kind: [(x0, y0, x1, y1) for x0, y0, x1, y1 in found["boxes"][kind] if y1 <= image.shape[0]]
             for kind in _KINDS}
    return Snapshot(image, boxes)


def wait_painted(page, lossless: bool = False, timeout_ms: int = PAINT_TIMEOUT_MS) -> Snapshot:
    """A snapshot once every chart and map on it has coloured pixels, or the last one at timeout."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        shot = snapshot(page, lossless)
        done = all(n >= MIN_COLOURED_PX for kind in ("chart", "map") for n in shot.painted(kind))
        if done or time.monotonic() > deadline:
            return shot
        page.wait_for_timeout(500)


def save(shot: Snapshot, path: Path) -> None:
    """Write a snapshot as PNG (the screenshots CI keeps)."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(shot.image).save(path, optimize=True)


def table_pictures(page) -> list[str]:
    """Hashes of the pixels of the visible tables: each is a canvas, its figures are not in the DOM."""
    return [hashlib.sha1(table.screenshot(animations="disabled")).hexdigest()
            for table in visible(page.locator(TABLE_SELECTOR))]


def coloured_pixels(rgb) -> int:
    """Pixels that are clearly coloured (marks, areas, points): not grey, not the background."""
    import numpy as np

    flat = np.asarray(rgb).reshape(-1, 3).astype(np.int16)
    if not len(flat):
        return 0
    sample = flat[:: max(1, len(flat) // 20_000)]  # the background is the commonest colour
    colours, counts = np.unique(sample, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    far = np.abs(flat - background).sum(axis=1) > 60
    top, low = flat.max(axis=1), flat.min(axis=1)
    return int(np.count_nonzero(far & (top > 40) & (4 * (top - low) > top)))


def visible(locator) -> list:
    """The elements of `locator` that are shown and have a size (not inside a closed expander)."""
    out = []
    for element in locator.all():
        if not element.is_visible():
            continue
        box = element.bounding_box()
        if box and box["width"] > 20 and box["height"] > 20:
            out.append(element)
    return out


# ---- downloads -------------------------------------------------------------------------------

def open_download(path: Path) -> str:
    """Open a downloaded file the way a user's program would; return a short description.

    Raises when the file does not open or is empty; an unknown kind of file is an error too,
    so a new export format gets a check here.
    """
    suffix = path.suffix.lower()
    data = path.read_bytes()
    assert data, f"{path.name} is empty"
    if suffix == ".png":
        from PIL import Image

        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.width > 50 and image.height > 50, f"{path.name}: {image.size}"
            return f"PNG {image.width}x{image.height}"
    if suffix == ".csv":
        import pandas as pd

        # Exports put a title, the filters and the source above the table, then a blank line.
        lines = data.decode("utf-8-sig").splitlines()
        blank = [i for i, line in enumerate(lines[:30]) if not line.strip()]
        table = "\n".join(lines[blank[0] + 1:] if blank else lines)
        frame = pd.read_csv(io.StringIO(table))
        assert len(frame.columns) > 1, f"{path.name} has no table"
        return f"CSV {len(frame)} rows x {len(frame.columns)} columns"
    if suffix == ".xlsx":
        import pandas as pd

        sheets = pd.read_excel(path, sheet_name=None)
        assert sheets, f"{path.name} has no sheets"
        return f"XLSX {len(sheets)} sheets"
    if suffix == ".pdf":
        from pypdf import PdfReader

        pages = len(PdfReader(path).pages)
        assert pages > 0, f"{path.name} has no pages"
        return f"PDF {pages} pages"
    if suffix == ".svg":
        root = ElementTree.fromstring(data)
        assert root.tag.endswith("svg"), f"{path.name} is not an SVG"
        return "SVG"
    if suffix in (".json", ".geojson"):
        json.loads(data.decode("utf-8"))
        return "JSON"
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, f"{path.name} has a corrupt member"
            names = archive.namelist()
        assert names, f"{path.name} is an empty archive"
        return f"ZIP {len(names)} files"
    if suffix in (".txt", ".md"):
        data.decode("utf-8")
        return "text"
    raise AssertionError(f"no check for downloads of kind {suffix!r} ({path.name}): add one to open_download")
