"""The Impact map in a real browser: across the whole country the hubs are drawn counted by area
and a click on a region selects it for every page; a selected region's hubs are drawn one by one;
a phone shows the whole country."""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard import geo, maps
from dashboard.i18n import translator

from . import driver
from .conftest import registered_pages

pytestmark = pytest.mark.browser

CANVAS = f"{driver.MAP_SELECTOR} canvas"
# Colours as drawn (the circles' and hubs' fills are opaque or nearly so).
SLATE = np.array([0x3E, 0x4C, 0x59])  # a cell's circle (maps.CELL_FILL)
NEAR = 45  # |ΔR| + |ΔG| + |ΔB| within which a pixel is that colour
# Pixels of a hub's vermilion disc or orange ring (maps.STATUS_MARKS), over any fill: strongly red
# and green above blue. No class colour (yellow to dark blue), grey or label is.
MIN_HUB_PX = 150
# deck.gl reads a click as a tap only when the button comes up within 250 ms of going down
# (mjolnir's tap recogniser, timed with Date.now), and picks what is under the pointer when it goes
# down. Software WebGL (SwiftShader) takes 250–450 ms for that pick, so a headless click never
# counts as one (on a GPU a pick takes a few ms). The page's Date.now runs at an eighth of the
# speed, which gives the recogniser the time a GPU would leave it; the pointer events, the pick
# and everything the app does with them stay real.
SLOW_CLOCK_JS = "(() => { const real = Date.now.bind(Date), t0 = real(); Date.now = () => t0 + (real() - t0) / 8; })();"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0 Mobile Safari/537.36"}


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


class Screen:
    """Where a longitude and latitude is on the map's canvas: Web Mercator around the view's
    centre at 512 · 2^zoom pixels per turn, the view as the page draws the whole country."""

    def __init__(self, box: dict, view):
        self.box, self.view = box, view
        self.scale = 512 * 2 ** view.zoom / (2 * math.pi)

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.box["x"] + self.box["width"] / 2 + self.scale * math.radians(lon - self.view.longitude)
        y = self.box["y"] + self.box["height"] / 2 - self.scale * (_merc(lat) - _merc(self.view.latitude))
        return x, y


def national_view():
    codes = [c for c in geo.load_boundaries()["region_code"] if c.startswith("UA-")]
    return maps.fit_view(codes, maps.VIEW_WIDTH, maps.VIEW_HEIGHT)


def cells_by_hand(hubs: pd.DataFrame) -> pd.DataFrame:
    """The hubs' cells (0.5° by 0.75°, a region's apart): the mean position and the count."""
    located = hubs.dropna(subset=["lat", "lon"])
    keys = [located["region_code"], np.floor(located["lat"] / 0.5), np.floor(located["lon"] / 0.75)]
    return located.groupby(keys).agg(lon=("lon", "mean"), lat=("lat", "mean"), n=("lon", "size")).reset_index(drop=True)


def clear_spot(code: str, cells: pd.DataFrame, screen: Screen) -> tuple[float, float]:
    """A pixel inside region `code` as far as can be from every cell's circle and region label."""
    shape = geo.load_boundaries().set_index("region_code").loc[code].geometry
    part = max(getattr(shape, "geoms", [shape]), key=lambda g: g.area).buffer(-0.1)
    west, south, east, north = part.bounds
    circles = np.array([screen.pixel(x, y) for x, y in zip(cells["lon"], cells["lat"])])
    labels = np.array([screen.pixel(x, y) for x, y in maps.labels.label_points().values()])
    best, spot = -1.0, None
    for lon in np.arange(west, east, 0.05):
        for lat in np.arange(south, north, 0.05):
            if not part.contains(shapely.Point(lon, lat)):
                continue
            x, y = screen.pixel(lon, lat)
            to_circle = np.hypot(circles[:, 0] - x, circles[:, 1] - y).min() - 16  # the largest circle's radius
            to_label = min(np.maximum(np.abs(labels[:, 0] - x) - 70, np.abs(labels[:, 1] - y) - 14))
            clearance = min(to_circle, to_label)
            if clearance > best:
                best, spot = clearance, (x, y)
    assert spot is not None and best > 2, f"no clear spot in {code} (clearance {best:.0f} px)"
    return spot


def map_pixels(tab) -> tuple[np.ndarray, dict]:
    """The map canvas as RGB pixels, with its box on the page."""
    from PIL import Image

    canvas = tab.locator(CANVAS).first
    box = canvas.bounding_box()
    image = np.asarray(Image.open(io.BytesIO(canvas.screenshot(animations="disabled"))).convert("RGB"))
    return image.astype(np.int16), box


def hub_pixels(image: np.ndarray) -> int:
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    return int(np.count_nonzero((r > 150) & (b < 90) & (r - g > 55)))


def slate_near(image: np.ndarray, x: float, y: float, reach: int = 2) -> bool:
    h, w, _ = image.shape
    window = image[max(0, int(y) - reach):min(h, int(y) + reach + 1), max(0, int(x) - reach):min(w, int(x) + reach + 1)]
    return bool((np.abs(window - SLATE).sum(axis=2) < NEAR).any())


def open_page(tab, title: str) -> None:
    """Click a page's link in the top navigation, or in its overflow menu when the bar has no room."""
    link = tab.get_by_role("link", name=title, exact=True).first
    if not link.is_visible():
        tab.locator('[data-testid="stTopNavSection"]').last.click()
        link = tab.locator('[data-testid="stTopNavPopover"]').get_by_text(title, exact=True).first
    link.click()


def wait_map(tab, title: str) -> None:
    driver.wait_ready(tab, title)
    driver.wait_painted(tab)
    tab.wait_for_timeout(1500)  # deck.gl draws its labels once its font atlas is built


def test_click_on_a_region_at_national_scale_selects_it_for_every_page(tab, server, browser_data, busy_region):
    en = translator("en")
    code, name = busy_region["code"], busy_region["en"]
    hubs = pd.read_parquet(browser_data / "hubs.parquet")
    hubs = hubs[hubs["programme"] == "ua_hubs"]

    # 1. The whole country: the cells' circles are drawn, no single hub is
    tab.add_init_script(SLOW_CLOCK_JS)
    tab.goto(f"{server.url}/map?lang=en")
    wait_map(tab, en("page.map"))
    image, box = map_pixels(tab)
    screen = Screen({"x": 0, "y": 0, "width": box["width"], "height": box["height"]}, national_view())
    cells = cells_by_hand(hubs)
    labels = np.array([screen.pixel(x, y) for x, y in maps.labels.label_points().values()])
    fullest = []
    for cell in cells.sort_values("n", ascending=False).itertuples():
        x, y = screen.pixel(cell.lon, cell.lat)
        # Away from every label (its halo may cover the circle's centre) and inside the canvas.
        if np.hypot(labels[:, 0] - x, labels[:, 1] - y).min() > 60 and 5 < x < box["width"] - 5 and 5 < y < box["height"] - 5:
            fullest.append((x, y))
        if len(fullest) == 8:
            break
    drawn = [slate_near(image, x, y) for x, y in fullest]
    assert sum(drawn) >= 6, f"the fullest cells' circles are not drawn where their hubs are: {drawn}"
    assert hub_pixels(image) < MIN_HUB_PX / 3, "single hubs are drawn across the whole country"
    before = driver.figures(tab)

    # 2. A click on the region, where no circle or label is: the region filter, the URL and the figures follow
    x, y = clear_spot(code, cells, Screen(box, national_view()))
    tab.mouse.click(x, y)
    tab.wait_for_url(re.compile(rf"[?&]region={re.escape(code)}(&|$)"), timeout=driver.PAINT_TIMEOUT_MS)
    wait_map(tab, en("page.map"))
    assert not driver.errors(tab) and not tab.page_errors
    header = tab.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
    assert name in header, header
    assert tab.get_by_text(en("map.table_hubs"), exact=True).is_visible()
    captions = " ".join(tab.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').all_inner_texts())
    assert f"Selected: {name}," in captions
    assert driver.figures(tab) != before, "selecting the region changed no figure"

    # 3. The selected region's hubs, one by one, with their status marks
    image, _box = map_pixels(tab)
    assert hub_pixels(image) >= MIN_HUB_PX, f"the hubs of {name} are not drawn ({hub_pixels(image)} pixels)"
    driver.save(driver.snapshot(tab, lossless=True), driver.SCREENSHOTS / "map_selected_en.png")

    # 4. Every page keeps the selection: its link, the sidebar's region filter and its captions
    for page in registered_pages():
        if page.name == "map":
            continue
        title = en(page.key)
        open_page(tab, title)
        driver.wait_ready(tab, title)
        assert re.search(rf"[?&]region={re.escape(code)}(&|$)", tab.url), (page.name, tab.url)
        chips = tab.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
            has=tab.get_by_text(en("filter.region"), exact=True)).locator("[data-tag]")
        assert [chip.get_attribute("aria-label") for chip in chips.all()] == [name], page.name
        captions = " ".join(tab.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').all_inner_texts())
        assert name in captions, (page.name, captions[:300])
        assert not driver.errors(tab) and not tab.page_errors, page.name


def test_a_phone_shows_the_whole_country(chromium, server):
    context = chromium.new_context(**PHONE)
    context.set_default_timeout(driver.PAINT_TIMEOUT_MS)
    tab = context.new_page()
    try:
        tab.goto(f"{server.url}/map?lang=uk")
        driver.wait_ready(tab, translator("uk")("page.map"))
        tab.wait_for_timeout(3000)
        image, box = map_pixels(tab)
        assert box["width"] <= 390
        # Painted: anything that is not the page's background. The country spans most of the
        # width and touches no edge of the canvas (nothing cut off).
        background = image[2, 2]
        painted = np.abs(image - background).sum(axis=2) > 30
        columns = np.flatnonzero(painted.any(axis=0))
        rows = np.flatnonzero(painted.any(axis=1))
        assert len(columns), "the map is blank"
        w, h = painted.shape[1], painted.shape[0]
        assert columns[0] > 2 and columns[-1] < w - 3 and rows[0] > 2 and rows[-1] < h - 3, \
            f"the country is cut off: columns {columns[0]}–{columns[-1]} of {w}, rows {rows[0]}–{rows[-1]} of {h}"
        assert columns[-1] - columns[0] > 0.75 * w, "the country is drawn too small for the phone"
        from PIL import Image

        Image.fromarray(image.astype(np.uint8)).save(driver.SCREENSHOTS / "map_phone_uk.png")
    finally:
        context.close()
