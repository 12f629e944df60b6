"""Map layer: the regions' labels — short names at points that lie inside each region, placed so
that no two overlap at the scale they are drawn (on screen, on a phone, in the exported map)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

import pydeck as pdk
import shapely

from dashboard import geo

# A label sits on the region's centroid when that lies this far (degrees, ~10 km) inside it.
LABEL_INSET = 0.1
# Fonts with Cyrillic for the region labels; deck.gl draws them into its own atlas.
LABEL_FONT = "Noto Sans, DejaVu Sans, Arial, Helvetica, sans-serif"
# Label size in pixels: on screen, on a phone, and in the exported map.
LABEL_SIZE, PHONE_LABEL_SIZE, STATIC_LABEL_SIZE = 11, 10, 10
# A label's box for the overlap test: characters of at most this many ems (semibold Noto Sans
# averages about 0.58, DejaVu Sans, the fallback, about 0.62), a line of 1.2 ems, and the halo.
CHAR_EM, LINE_EM, LABEL_HALO = 0.64, 1.2, 2


def short_names(lang: str) -> dict[str, str]:
    """Region labels for the map: names without the word for oblast, unless that makes two equal."""
    gdf = geo.load_boundaries()
    full = dict(zip(gdf["region_code"], gdf[f"name_{lang}"]))
    word = {"uk": " область", "en": " Oblast"}[lang]
    short = {c: n.replace(word, "") for c, n in full.items()}
    short["UA-43"] = {"uk": "АР Крим", "en": "Crimea"}[lang]
    clashes = {n for n in short.values() if list(short.values()).count(n) > 1}
    return {c: (full[c] if short[c] in clashes else short[c]) for c in short}


@lru_cache(maxsize=1)
def label_points() -> dict[str, tuple[float, float]]:
    """(lon, lat) of each region's label: its centroid, or for a shape that does not hold its own
    centroid well (a ring such as Kyiv Oblast, a crescent) the centre of its largest inscribed circle."""
    gdf = geo.load_boundaries()
    out = {}
    for code, geom in zip(gdf["region_code"], gdf.geometry):
        part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        centre = part.centroid
        if not part.buffer(-LABEL_INSET).contains(centre):
            centre = shapely.get_point(shapely.maximum_inscribed_circle(part, 0.01), 0)
        out[code] = (round(centre.x, 3), round(centre.y, 3))
    return out


def label_records(codes: list[str], lang: str, scale: float | None = None, size: float = LABEL_SIZE) -> list[dict]:
    """Region labels (short names) at their label points; `rank` 0 for the largest region.

    With a `scale` (pixels per radian of Web Mercator: view_scale or static_scale) only the labels
    that can be read at that scale in `size`-pixel type (place_labels).
    """
    short, points = short_names(lang), label_points()
    gdf = geo.load_boundaries()
    area = dict(zip(gdf["region_code"], shapely.area(gdf.geometry.to_numpy())))  # degrees², for ranking only
    ranked = sorted((c for c in codes if c in points), key=lambda c: -area[c])
    records = [{"code": c, "text": short[c], "position": list(points[c]), "rank": i} for i, c in enumerate(ranked)]
    if scale is None:
        return records
    return place_labels(records, scale, size, dict(zip(gdf["region_code"], gdf.geometry)))


def _project(lon: float, lat: float, scale: float) -> tuple[float, float]:
    # Web Mercator in pixels (y down), up to a shift that the overlap test does not need.
    return scale * math.radians(lon), -scale * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _unproject(x: float, y: float, scale: float) -> tuple[float, float]:
    return math.degrees(x / scale), math.degrees(2 * math.atan(math.exp(-y / scale)) - math.pi / 2)


def label_box(text: str, x: float, y: float, size: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in pixels of a label centred on (x, y): its text and halo."""
    half_w = len(text) * CHAR_EM * size / 2 + LABEL_HALO
    half_h = LINE_EM * size / 2 + LABEL_HALO
    return x - half_w, y - half_h, x + half_w, y + half_h


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(records: list[dict], scale: float, size: float, shapes: Mapping[str, object]) -> list[dict]:
    """The labels that can be read together at `scale` (pixels per radian of Web Mercator): in rank
    order (the largest region first), each at its label point, else a line above or below it
    when that stays inside its region, wherever its box overlaps no label kept before; a label
    that fits nowhere is left out (zooming in brings it back on screen)."""
    kept, boxes = [], []
    for record in sorted(records, key=lambda r: r["rank"]):
        x, y = _project(*record["position"], scale)
        shape = shapes.get(record["code"])
        step = LINE_EM * size + 2 * LABEL_HALO  # a box's height: the next line clears it
        for dy in (0.0, -step, step):
            box = label_box(record["text"], x, y + dy, size)
            if any(_overlap(box, other) for other in boxes):
                continue
            position = record["position"]
            if dy:
                lon, lat = _unproject(x, y + dy, scale)
                if shape is None or not shape.contains(shapely.Point(lon, lat)):
                    continue
                position = [round(lon, 3), round(lat, 3)]
            kept.append({**record, "position": position})
            boxes.append(box)
            break
    return kept


def view_scale(view: pdk.ViewState) -> float:
    """Pixels per radian of Web Mercator in a deck view (512-pixel tiles)."""
    return 512 * 2 ** view.zoom / (2 * math.pi)


def static_scale(codes: list[str], width: int, height: int) -> float:
    """Pixels per radian of the exported map's Mercator projection, fitted (as Vega fits it) to the
    regions' bounds in width by height pixels."""
    gdf = geo.load_boundaries()
    west, south, east, north = gdf[gdf["region_code"].isin(codes)].total_bounds
    (x0, y0), (x1, y1) = _project(west, north, 1.0), _project(east, south, 1.0)
    return min(width / max(x1 - x0, 1e-9), height / max(y1 - y0, 1e-9))
