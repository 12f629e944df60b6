"""Geo layer: region boundaries, region reference, settlements and point-to-region lookup."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

GEO_DIR = Path(__file__).resolve().parents[2] / "data" / "geo"
BOUNDARIES_FILE = GEO_DIR / "regions.geojson"
REGIONS_FILE = GEO_DIR / "regions.csv"
SETTLEMENTS_FILE = GEO_DIR / "settlements.csv"
NAMESAKES_FILE = GEO_DIR / "namesakes.csv"

# A point this close to a region but outside every polygon (riverside and coastal towns,
# which the simplified coastline can leave in the water) belongs to the nearest region.
NEAREST_REGION_KM = 5.0
# Budget for the committed GeoJSON (all 28 units); a test measures the file against it.
BOUNDARIES_MAX_BYTES = 200_000

REFERENCE_COLUMNS = (
    "region_code", "country_code", "name_uk", "name_en", "population", "population_year",
    "public_libraries", "libraries_year", "occupation",
)
_INT_COLUMNS = ("population", "population_year", "public_libraries", "libraries_year")
_EARTH_RADIUS_KM = 6371.0
_KM_PER_DEGREE = np.pi * _EARTH_RADIUS_KM / 180


@lru_cache(maxsize=1)
def _boundaries_text() -> str:
    return BOUNDARIES_FILE.read_text(encoding="utf-8")


def boundaries_geojson(winding: str = "rfc7946") -> dict:
    """The 28 region polygons as a GeoJSON FeatureCollection (WGS 84, 4-decimal coordinates).

    Each feature's properties are region_code, name_uk and name_en. winding="rfc7946"
    (the file as committed) has counter-clockwise exterior rings, which pydeck and GeoPandas
    expect; winding="d3" reverses every ring, as Vega-Lite/Altair geoshapes need (with RFC
    winding they fill the whole globe instead). Returns a fresh copy, so callers may add
    properties (values for a choropleth) without touching the cache.
    """
    if winding not in ("rfc7946", "d3"):
        raise ValueError(f"winding must be 'rfc7946' or 'd3', not {winding!r}")
    collection = copy.deepcopy(_boundaries_dict())
    if winding == "d3":
        for feature in collection["features"]:
            _reverse_rings(feature["geometry"])
    return collection


def _reverse_rings(geometry: dict) -> None:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        for ring in polygon:
            ring.reverse()


@lru_cache(maxsize=1)
def _boundaries_dict() -> dict:
    return json.loads(_boundaries_text())


@lru_cache(maxsize=1)
def region_geometries() -> dict[str, dict]:
    """Each region's GeoJSON geometry (RFC 7946 winding) by code, in the file's order. Shared
    between callers, unlike boundaries_geojson's copy: put them into new features, never change them."""
    return {f["properties"]["region_code"]: f["geometry"] for f in _boundaries_dict()["features"]}


@lru_cache(maxsize=1)
def load_boundaries() -> gpd.GeoDataFrame:
    """Region polygons: region_code, name_uk, name_en, geometry (EPSG:4326), sorted by code.

    Ukraine's 27 units form a gap-free coverage; Kyiv city (UA-30) is its own polygon
    inside the hole of Kyiv Oblast (UA-32). Cached: do not modify the returned frame.
    """
    gdf = gpd.GeoDataFrame.from_features(_boundaries_dict()["features"], crs="EPSG:4326")
    gdf = gdf[["region_code", "name_uk", "name_en", "geometry"]]
    return gdf.astype({"region_code": "str", "name_uk": "str", "name_en": "str"})


@lru_cache(maxsize=1)
def _reference_csv() -> pd.DataFrame:
    return pd.read_csv(REGIONS_FILE, dtype=str, keep_default_na=False, na_values=[""])


def load_region_reference() -> pd.DataFrame:
    """The `regions` table of the contract: one row per region, population and libraries.

    Columns region_code, country_code, name_uk, name_en, occupation (str) and population,
    population_year, public_libraries, libraries_year (Int64). Sources per row are in
    data/geo/regions.csv (population_source, libraries_source).
    """
    df = _reference_csv()[list(REFERENCE_COLUMNS)].copy()
    for col in _INT_COLUMNS:
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    return df


def load_settlements() -> pd.DataFrame:
    """Settlements: settlement_id, name_uk, settlement_type (city/town/village), hromada,
    region_code, lat, lon (WGS 84), population (GeoNames; 0 = no figure), katottg.

    hromada and katottg are empty strings where unknown (Kemerovo Oblast, Kyiv, Sevastopol).
    """
    return _settlements_csv().copy()


@lru_cache(maxsize=1)
def _settlements_csv() -> pd.DataFrame:
    dtypes = {"lat": "float64", "lon": "float64", "population": "int64"}
    df = pd.read_csv(SETTLEMENTS_FILE, dtype={c: "str" for c in ("settlement_id", "name_uk",
                     "settlement_type", "hromada", "region_code", "katottg")} | dtypes,
                     keep_default_na=False)
    return df


def load_namesakes() -> pd.DataFrame:
    """Settlements that share their name with another settlement of their region (KATOTTG):
    region_code, name_uk, settlement_type (city/town/village), hromada, katottg, all str.

    Only names that settlements.csv has in that region are listed; most of these settlements
    have no coordinates (dashboard.geo.placement uses them to tell namesakes apart).
    """
    return _namesakes_csv().copy()


@lru_cache(maxsize=1)
def _namesakes_csv() -> pd.DataFrame:
    return pd.read_csv(NAMESAKES_FILE, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _region_index() -> tuple[np.ndarray, shapely.STRtree]:
    gdf = load_boundaries()
    return gdf["region_code"].to_numpy(dtype=object), shapely.STRtree(gdf.geometry.to_numpy())


def region_of_points(lat, lon, tolerance_km: float = NEAREST_REGION_KM) -> np.ndarray:
    """ISO 3166-2 code of the region holding each point, as an object array (None if none).

    lat and lon are WGS 84 degrees (scalars or arrays of one length). A point outside
    every polygon takes the nearest region within tolerance_km; farther points, and
    missing coordinates, give None.
    """
    codes, tree = _region_index()
    return assign_regions(codes, tree, lat, lon, tolerance_km)


def assign_regions(codes, tree: shapely.STRtree, lat, lon, tolerance_km: float) -> np.ndarray:
    """Vectorised point-in-polygon with a nearest-polygon fallback (see region_of_points)."""
    lat = np.atleast_1d(np.asarray(lat, dtype="float64"))
    lon = np.atleast_1d(np.asarray(lon, dtype="float64"))
    out = np.full(lat.shape, None, dtype=object)
    valid = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    points = shapely.points(lon[valid], lat[valid])
    hit_pt, hit_poly = tree.query(points, predicate="intersects")
    # A point on a shared edge hits two regions: keep the first in code order.
    order = np.lexsort((hit_poly, hit_pt))
    hit_pt, hit_poly = hit_pt[order], hit_poly[order]
    first = np.unique(hit_pt, return_index=True)[1]
    out[valid[hit_pt[first]]] = codes[hit_poly[first]]
    missing = np.setdiff1d(np.arange(len(valid)), hit_pt)
    if len(missing) and tolerance_km > 0:
        _assign_nearest(out, codes, tree, valid[missing], points[missing], lat, tolerance_km)
    return out


def _assign_nearest(out, codes, tree, rows, points, lat, tolerance_km) -> None:
    """Give points just outside every polygon their nearest region within tolerance_km."""
    # Query in degrees with a bound loose enough for longitude shrinking with latitude,
    # then measure the true great-circle distance to the nearest point of each candidate.
    max_deg = tolerance_km / (_KM_PER_DEGREE * np.cos(np.radians(np.nanmax(np.abs(lat[rows])))))
    pt, poly = tree.query(points, predicate="dwithin", distance=max_deg)
    if not len(pt):
        return
    lines = shapely.shortest_line(points[pt], tree.geometries[poly])
    ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    km = haversine_km(ends[:, 0, 1], ends[:, 0, 0], ends[:, 1, 1], ends[:, 1, 0])
    order = np.lexsort((poly, km, pt))
    pt, poly, km = pt[order], poly[order], km[order]
    first = np.unique(pt, return_index=True)[1]
    close = km[first] <= tolerance_km
    out[rows[pt[first][close]]] = codes[poly[first][close]]


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between WGS 84 points (arrays broadcast)."""
    p = np.pi / 180
    a = (np.sin((lat2 - lat1) * p / 2) ** 2
         + np.cos(lat1 * p) * np.cos(lat2 * p) * np.sin((lon2 - lon1) * p / 2) ** 2)
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
