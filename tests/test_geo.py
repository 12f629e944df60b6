"""Tests for the geo layer: committed boundaries, region reference, settlements, lookup."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from dashboard import geo
from dashboard.contract import schema

# One degree of latitude, and at most one degree of longitude, in km: distance in degree
# space times this bounds the true distance from above, so the check below is stricter.
KM_PER_DEGREE_MAX = 111.32
SETTLEMENT_COLUMNS = [
    "settlement_id", "name_uk", "settlement_type", "hromada", "region_code", "lat", "lon",
    "population", "katottg",
]


@pytest.fixture(scope="module")
def boundaries():
    return geo.load_boundaries()


@pytest.fixture(scope="module")
def reference():
    return geo.load_region_reference()


@pytest.fixture(scope="module")
def settlements():
    return geo.load_settlements()


@pytest.fixture(scope="module")
def ukraine(boundaries):
    return boundaries[boundaries["region_code"].str.startswith("UA-")]


def test_boundaries_are_28_valid_polygons(boundaries):
    assert len(boundaries) == 28
    assert boundaries.crs.to_epsg() == 4326
    assert list(boundaries.columns) == ["region_code", "name_uk", "name_en", "geometry"]
    assert boundaries["region_code"].is_unique
    assert shapely.is_valid(boundaries.geometry.to_numpy()).all()
    assert set(boundaries.geom_type) <= {"Polygon", "MultiPolygon"}
    assert (shapely.area(boundaries.geometry.to_numpy()) > 0).all()


def test_boundary_codes_match_reference_one_to_one(boundaries, reference):
    merged = boundaries[["region_code", "name_uk", "name_en"]].merge(
        reference[["region_code", "name_uk", "name_en"]], on="region_code", how="outer",
        validate="one_to_one", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["name_uk_x"] == merged["name_uk_y"]).all()
    assert (merged["name_en_x"] == merged["name_en_y"]).all()


def test_reference_validates_against_contract(reference):
    schema("regions").validate(reference)
    assert len(reference) == 28


def test_reference_file_has_sources_for_every_row():
    raw = pd.read_csv(geo.REGIONS_FILE, dtype=str)
    assert list(raw.columns) == [
        "region_code", "country_code", "name_uk", "name_en", "population", "population_year",
        "public_libraries", "libraries_year", "occupation", "population_source", "libraries_source",
    ]
    assert raw[["population_source", "libraries_source"]].notna().all().all()


@pytest.mark.parametrize(("code", "name_uk", "name_en", "occupation"), [
    ("UA-30", "Київ", "Kyiv", "none"),
    ("UA-32", "Київська область", "Kyiv Oblast", "none"),
    ("UA-51", "Одеська область", "Odesa Oblast", "none"),
    ("UA-43", "Автономна Республіка Крим", "Autonomous Republic of Crimea", "full"),
    ("UA-40", "Севастополь", "Sevastopol", "full"),
    ("UA-14", "Донецька область", "Donetsk Oblast", "partial"),
    ("UA-09", "Луганська область", "Luhansk Oblast", "partial"),
    ("UA-23", "Запорізька область", "Zaporizhzhia Oblast", "partial"),
    ("UA-65", "Херсонська область", "Kherson Oblast", "partial"),
    ("UA-63", "Харківська область", "Kharkiv Oblast", "partial"),
    ("UA-46", "Львівська область", "Lviv Oblast", "none"),
    ("RU-KEM", "Кемеровська область", "Kemerovo Oblast", "none"),
])
def test_reference_names_and_occupation(reference, code, name_uk, name_en, occupation):
    row = reference.set_index("region_code").loc[code]
    assert (row["name_uk"], row["name_en"], row["occupation"]) == (name_uk, name_en, occupation)


def test_population_and_library_totals_plausible(reference):
    ua = reference[reference["country_code"] == "UA"]
    assert 35_000_000 <= ua["population"].sum() <= 45_000_000
    assert 14_000 <= ua["public_libraries"].sum() <= 18_000
    kem = reference.set_index("region_code").loc["RU-KEM"]
    assert 2_000_000 <= kem["population"] <= 3_500_000


def test_no_overlaps_between_regions(boundaries):
    geoms = boundaries.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlap.max() < 1e-9


def test_ukraine_has_no_gaps(ukraine):
    geoms = ukraine.geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    parts = getattr(union, "geoms", [union])
    holes = [Polygon(ring).area for part in parts for ring in part.interiors]
    assert max(holes, default=0.0) < 1e-6
    assert abs(union.area - shapely.area(geoms).sum()) < 1e-6


def test_kyiv_city_is_separate_and_inside_kyiv_oblast(boundaries):
    g = boundaries.set_index("region_code").geometry
    city, oblast = g["UA-30"], g["UA-32"]
    assert city.geom_type == "Polygon" and city.is_valid
    assert city.area > 0.05  # visible: several pixels wide on a country map
    assert shapely.intersection(city, oblast).area < 1e-9
    assert Polygon(oblast.exterior).contains(city.representative_point())
    shared = shapely.intersection(city.boundary, oblast.boundary).length
    assert shared == pytest.approx(city.exterior.length, rel=1e-6)


def test_geojson_under_size_budget_and_shaped_for_maps():
    assert geo.BOUNDARIES_FILE.stat().st_size <= geo.BOUNDARIES_MAX_BYTES
    collection = geo.boundaries_geojson()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 28
    for feature in collection["features"]:
        assert set(feature["properties"]) == {"region_code", "name_uk", "name_en"}
    collection["features"][0]["properties"]["value"] = 1
    assert "value" not in geo.boundaries_geojson()["features"][0]["properties"]


def _ring_orientations(collection: dict) -> tuple[set, set]:
    """(is_ccw of every exterior ring, is_ccw of every hole) over all features."""
    exteriors, holes = set(), set()
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for exterior, *interiors in polygons:
            exteriors.add(bool(shapely.is_ccw(shapely.LinearRing(exterior))))
            holes |= {bool(shapely.is_ccw(shapely.LinearRing(r))) for r in interiors}
    return exteriors, holes


def test_geojson_winding_rfc7946_in_file_and_d3_on_request():
    assert _ring_orientations(geo.boundaries_geojson()) == ({True}, {False})
    assert _ring_orientations(geo.boundaries_geojson("d3")) == ({False}, {True})
    with pytest.raises(ValueError):
        geo.boundaries_geojson("clockwise")


def test_settlement_table_shape(settlements, reference):
    assert list(settlements.columns) == SETTLEMENT_COLUMNS
    assert len(settlements) > 3000
    assert settlements["settlement_id"].is_unique
    assert set(settlements["settlement_type"]) == {"city", "town", "village"}
    assert set(settlements["region_code"]) <= set(reference["region_code"])
    assert (settlements["population"] >= 0).all()
    ua = settlements[settlements["region_code"].str.startswith("UA-")]
    assert ua["katottg"].str.match(r"^UA\d{17}$").all() and ua["katottg"].is_unique
    kem = settlements[settlements["region_code"] == "RU-KEM"]
    assert {"Кемерово", "Новокузнецк", "Прокопьевск"} <= set(kem["name_uk"])
    assert (kem["hromada"] == "").all() and (kem["katottg"] == "").all()


def test_settlements_sorted_deterministically(settlements):
    expected = settlements.sort_values(
        ["region_code", "population", "settlement_id"], ascending=[True, False, True])
    assert settlements["settlement_id"].tolist() == expected["settlement_id"].tolist()


def test_settlements_lie_in_their_own_region(settlements, boundaries):
    found = geo.region_of_points(settlements["lat"], settlements["lon"])
    assert (found == settlements["region_code"].to_numpy(dtype=object)).all()
    own = boundaries.set_index("region_code").geometry.loc[settlements["region_code"]].to_numpy()
    points = shapely.points(settlements["lon"], settlements["lat"])
    inside = shapely.contains(own, points)
    km_bound = shapely.distance(own, points) * KM_PER_DEGREE_MAX
    assert (inside | (km_bound <= geo.NEAREST_REGION_KM)).all()


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    (50.45, 30.52, "UA-30"),     # Kyiv
    (49.84, 24.03, "UA-46"),     # Lviv
    (46.48, 30.73, "UA-51"),     # Odesa
    (55.35, 86.09, "RU-KEM"),    # Kemerovo
    (44.95, 34.10, "UA-43"),     # Simferopol
    (44.60, 33.52, "UA-40"),     # Sevastopol
    (46.45, 30.82, "UA-51"),     # Black Sea, about 2 km off Odesa's coast
    (46.20, 31.30, None),        # Black Sea, far offshore
    (52.23, 21.01, None),        # Warsaw
    (float("nan"), 30.0, None),  # missing coordinate
])
def test_region_of_points_known_places(lat, lon, expected):
    assert geo.region_of_points(lat, lon).tolist() == [expected]


def test_region_of_points_is_vectorised_and_tolerance_bounded():
    lat, lon = [50.45, 46.45, 52.23], [30.52, 30.82, 21.01]
    assert geo.region_of_points(lat, lon).tolist() == ["UA-30", "UA-51", None]
    assert geo.region_of_points(lat, lon, tolerance_km=0).tolist() == ["UA-30", None, None]
    assert geo.region_of_points([], []).tolist() == []


def test_every_region_has_settlements(settlements, reference):
    # Sevastopol's codifier entry is the city alone; every other region has many places.
    counts = settlements["region_code"].value_counts()
    for code in reference["region_code"]:
        assert counts.get(code, 0) >= (1 if code in ("UA-30", "UA-40") else 15), code


def test_settlement_names_are_cyrillic(settlements):
    assert settlements["name_uk"].str.match(r"^[А-ЯҐЄІЇа-яґєіїёЁ’'\- ]+$").all()
