"""Metric layer of the Coverage page: who lives within reach of an active hub, and where new hubs would reach the most.

Pure: settlements (dashboard.geo.load_settlements: public reference data) and sites (the hubs'
places and statuses, public in a release too) in; frames out. No count of people trained is read.

- **Within reach**: a settlement lies within `km` kilometres, great-circle, of an active hub
  (status `active`, with a point). Its whole population counts as within reach or not: a
  settlement is one point. Hubs of neighbouring regions count too: a border does not stop anyone.
- **Coverage** of an area: the population of its settlements within reach over the population of
  all its settlements; the same for rural residents (villages) and, where the settlements carry a
  population aged 60+ (column AGE_BASE), for them. A settlement without a population figure
  (GeoNames writes 0) counts 0 people and is counted apart.
- **Planner**: each step picks the candidate settlement (`candidate_settlements`) whose `km` disc
  holds the most people of the view still out of reach, then counts them within reach, so each
  pick accounts for the ones before; people in temporarily occupied territory
  (`occupied_settlements`) count for no pick, as no hub can open there. Ties go to the larger
  settlement, then the smaller settlement_id. It stops after `picks` steps, or when no candidate
  would reach anyone new.

Distances come from a k-d tree over points on the unit sphere: the straight-line (chord) distance
between two such points grows with their great-circle distance, so a disc of `km` on the ground
is a ball of radius 2·sin(km / 2R) around the point, exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from dashboard.geo.placement import Gazetteer

EARTH_RADIUS_KM = 6371.0  # mean radius, as dashboard.geo.haversine_km
ACTIVE = "active"
OCCUPIED_HUB = "occupied"  # a hub in temporarily occupied territory
OCCUPIED_REGION = "full"  # regions.occupation of a region occupied in full
RURAL = "village"
URBAN = ("city", "town")
# A settlements table may carry residents aged 60+ per settlement; none that the project has does
# (data/geo/README.md), so their share is shown only where this column is filled.
AGE_BASE = "population_60_plus"
DEFAULT_PICKS = 10  # new hubs the planner lists unless asked for another number


@dataclass(frozen=True)
class Coverage:
    """Coverage of a view (its regions, or every region of the programme) at `km` kilometres."""

    km: float
    # The view's settlements (reach), with occupied, candidate and area.
    settlements: pd.DataFrame
    hubs: pd.DataFrame  # active hubs with a point that lie in the view or reach one of its settlements
    regions: pd.DataFrame  # summarise by region_code
    areas: pd.DataFrame  # summarise by region_code and area (the hromada; a settlement outside any)
    total: pd.DataFrame  # summarise of the whole view: one row
    plan: pd.DataFrame  # plan_hubs
    has_age_base: bool  # the settlements carry residents aged 60+


# ---- distances ------------------------------------------------------------------------------

def unit_vectors(lat: Sequence[float], lon: Sequence[float]) -> np.ndarray:
    """Points on the unit sphere (n × 3) of WGS 84 degrees."""
    phi, lam = np.radians(np.asarray(lat, dtype="float64")), np.radians(np.asarray(lon, dtype="float64"))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def chord_of(km: float) -> float:
    """The straight-line distance on the unit sphere of `km` along the ground."""
    return float(2 * np.sin(km / (2 * EARTH_RADIUS_KM)))


def km_of_chord(chord: np.ndarray) -> np.ndarray:
    """Kilometres along the ground of straight-line distances on the unit sphere."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, dtype="float64") / 2, 0, 1))


def _located(frame: pd.DataFrame) -> np.ndarray:
    return (frame["lat"].notna() & frame["lon"].notna()).to_numpy()


def active_hubs(sites: pd.DataFrame) -> pd.DataFrame:
    """The sites that count for coverage: status `active`, with both coordinates."""
    return sites[(sites["status"] == ACTIVE).to_numpy() & _located(sites)].reset_index(drop=True)


def nearest_km(settlements: pd.DataFrame, hubs: pd.DataFrame) -> np.ndarray:
    """Per settlement, the great-circle distance in km to the nearest of `hubs` (NaN without a
    point, or when no hub has one)."""
    out = np.full(len(settlements), np.nan)
    here, there = _located(settlements), _located(hubs)
    if here.any() and there.any():
        tree = cKDTree(unit_vectors(hubs.loc[there, "lat"], hubs.loc[there, "lon"]))
        chord, _index = tree.query(unit_vectors(settlements.loc[here, "lat"], settlements.loc[here, "lon"]), k=1)
        out[here] = km_of_chord(chord)
    return out


def reach(settlements: pd.DataFrame, sites: pd.DataFrame, km: float) -> pd.DataFrame:
    """The settlements with `people` (population; 0 without a figure), `no_population`, `rural`
    (a village), `nearest_km` to an active hub and `covered` (nearest_km ≤ km)."""
    population = pd.to_numeric(settlements["population"], errors="coerce")
    out = settlements.reset_index(drop=True).copy()
    out["people"] = population.fillna(0).clip(lower=0).astype("int64").to_numpy()
    out["no_population"] = ~(population > 0).to_numpy()
    out["rural"] = (out["settlement_type"] == RURAL).to_numpy()
    out["nearest_km"] = nearest_km(out, active_hubs(sites))
    out["covered"] = (out["nearest_km"] <= km).to_numpy()
    return out


# ---- coverage of areas ----------------------------------------------------------------------

def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype("float64")
    return (part.astype("float64") / whole.where(whole > 0)).astype("Float64")


def summarise(reached: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Coverage per group of `by` (the whole frame as one row when empty): settlements,
    no_population (of them, without a figure), out_of_reach (settlements), people,
    people_covered, share_covered (0..1), people_out (people - people_covered), rural_people,
    rural_covered, share_rural; with AGE_BASE, people_60_plus, covered_60_plus, share_60_plus
    (missing for a group where any settlement with people lacks the figure). A share is missing
    where its base is 0."""
    frame = reached.assign(
        _all=0, settlement=1, out=~reached["covered"],
        people_covered=reached["people"].where(reached["covered"], 0),
        rural_people=reached["people"].where(reached["rural"], 0),
        rural_covered=reached["people"].where(reached["rural"] & reached["covered"], 0))
    sums = {"settlements": ("settlement", "sum"), "no_population": ("no_population", "sum"),
            "out_of_reach": ("out", "sum"), "people": ("people", "sum"), "people_covered": ("people_covered", "sum"),
            "rural_people": ("rural_people", "sum"), "rural_covered": ("rural_covered", "sum")}
    aged = AGE_BASE in reached.columns
    if aged:
        base = pd.to_numeric(reached[AGE_BASE], errors="coerce")
        frame = frame.assign(people_60_plus=base.fillna(0), covered_60_plus=base.fillna(0).where(reached["covered"], 0),
                             age_missing=base.isna() & (reached["people"] > 0))
        sums |= {"people_60_plus": ("people_60_plus", "sum"), "covered_60_plus": ("covered_60_plus", "sum"),
                 "age_missing": ("age_missing", "sum")}
    keys = list(by) or ["_all"]
    out = frame.groupby(keys, sort=True, dropna=False).agg(**sums).reset_index()
    if not by:
        # The whole view is one row, of zeros when it has no settlement.
        out = out.drop(columns="_all") if len(out) else pd.DataFrame({c: [0] for c in sums})
    for column in sums:
        out[column] = out[column].astype("int64")
    out.insert(out.columns.get_loc("people_covered") + 1, "share_covered", _share(out["people_covered"], out["people"]))
    out.insert(out.columns.get_loc("share_covered") + 1, "people_out", out["people"] - out["people_covered"])
    out.insert(out.columns.get_loc("rural_covered") + 1, "share_rural", _share(out["rural_covered"], out["rural_people"]))
    if aged:
        share = _share(out["covered_60_plus"], out["people_60_plus"]).mask(out.pop("age_missing") > 0)
        out["share_60_plus"] = share
    return out


def area_of(settlements: pd.DataFrame) -> pd.Series:
    """The area a settlement is counted in within its region: its hromada, or the settlement
    itself where it belongs to none (Kyiv, Sevastopol, the cities of Kemerovo Oblast)."""
    hromada = settlements["hromada"].fillna("").astype(str)
    return hromada.where(hromada != "", settlements["name_uk"])


def area_rows(cov: Coverage, region: str | None = None) -> pd.DataFrame:
    """The rows of the coverage table: the whole view (`total`) then each region, or, for one
    `region`, that region then each of its areas (hromadas); within a level, most people out of
    reach first, then most people, then by code and name. Columns: level (`total`, `region`,
    `area`), region_code, area (empty above the areas), then summarise's."""
    if region is None:
        head = cov.total.assign(level="total", region_code="", area="")
        rows = cov.regions.assign(level="region", area="")
    else:
        head = cov.regions[cov.regions["region_code"] == region].assign(level="region", area="")
        rows = cov.areas[cov.areas["region_code"] == region].assign(level="area")
    rows = rows.sort_values(["people_out", "people", "region_code", "area"], ascending=[False, False, True, True])
    out = pd.concat([head, rows], ignore_index=True)
    return out[["level", "region_code", "area", *[c for c in out.columns if c not in ("level", "region_code", "area")]]]


# ---- where a new hub may go -----------------------------------------------------------------

def hub_settlements(sites: pd.DataFrame, gazetteer: Gazetteer) -> pd.Series:
    """The settlement_id each site's registered settlement name points to in its region (as the
    pipeline places hubs: the hromada tells namesakes apart), missing when none or several do."""
    # Missing values as None: NaN never equals itself, so it could not key a dict.
    places = sites[["region_code", "settlement", "hromada"]].astype(object)
    keys = list(places.where(places.notna(), None).itertuples(index=False, name=None))
    found = {key: gazetteer.place(*key[:2], "unknown", key[2]).settlement_id for key in set(keys)}
    return pd.Series([found[key] for key in keys], index=sites.index, dtype="object")


def occupied_settlements(settlements: pd.DataFrame, sites: pd.DataFrame, occupation: Mapping[str, str]) -> pd.Series:
    """Settlements taken to lie in temporarily occupied territory: those of a region occupied in
    full, and those whose nearest site of the programme (any status, with a point) is recorded as
    occupied. No list of occupied settlements is at hand; the sites mark where the programme's
    places are, and an official list (by KATOTTG code) replaces this one function."""
    in_region = settlements["region_code"].map(occupation).eq(OCCUPIED_REGION).fillna(False).to_numpy(bool)
    nearest_status = np.full(len(settlements), "", dtype=object)
    here, there = _located(settlements), _located(sites)
    if here.any() and there.any():
        tree = cKDTree(unit_vectors(sites.loc[there, "lat"], sites.loc[there, "lon"]))
        _chord, index = tree.query(unit_vectors(settlements.loc[here, "lat"], settlements.loc[here, "lon"]), k=1)
        nearest_status[here] = sites.loc[there, "status"].to_numpy()[index]
    return pd.Series(in_region | (nearest_status == OCCUPIED_HUB), index=settlements.index)


def candidate_settlements(settlements: pd.DataFrame, sites: pd.DataFrame, gazetteer: Gazetteer,
                          occupation: Mapping[str, str]) -> pd.Series:
    """Where the planner may put a new hub: a settlement that has a public library.

    No list of libraries by settlement exists (data/geo/regions.csv counts them per region), so
    this stands in for one: every city and town (nearly all have a public library) and every
    settlement that holds a site of the programme, whatever its kind or status; but none in
    temporarily occupied territory (occupied_settlements). A real list of library settlements
    replaces this one function.
    """
    held = hub_settlements(sites, gazetteer)
    holds = settlements["settlement_id"].isin(set(held.dropna()))
    urban = settlements["settlement_type"].isin(URBAN)
    occupied = occupied_settlements(settlements, sites, occupation)
    return ((urban | holds) & ~occupied).fillna(False).astype(bool)


def plan_hubs(reached: pd.DataFrame, km: float, picks: int = DEFAULT_PICKS) -> pd.DataFrame:
    """Up to `picks` new hubs, one after another (see the module's docstring): rank,
    settlement_id, katottg, name_uk, settlement_type, hromada, region_code, lat, lon, population,
    new_people (brought within reach by this pick), new_rural (of them, in villages),
    people_covered and share_covered (of the view, with every pick so far).

    `reached` is `reach` of the view's settlements with a boolean `candidate` (and `occupied`, whose
    people no pick counts); only its people count.
    """
    columns = ["settlement_id", "katottg", "name_uk", "settlement_type", "hromada", "region_code", "lat", "lon",
               "population"]
    located = _located(reached)
    # Candidates in the order that breaks ties: np.argmax takes the first of equal gains.
    pool = reached[reached["candidate"].to_numpy() & located]
    pool = pool.assign(_size=pool["people"]).sort_values(["_size", "settlement_id"], ascending=[False, True])
    where = np.flatnonzero(located)
    people = reached["people"].to_numpy("float64")[where]
    rural = reached["rural"].to_numpy(bool)[where]
    # People already within reach, or in occupied territory (no hub can open there), are not won.
    occupied = reached["occupied"] if "occupied" in reached.columns else pd.Series(False, index=reached.index)
    closed = reached["covered"].to_numpy(bool) | occupied.to_numpy(bool)
    open_people = np.where(closed[where], 0.0, people)
    rows = []
    if len(pool) and len(where) and picks > 0:
        tree = cKDTree(unit_vectors(reached["lat"].to_numpy()[where], reached["lon"].to_numpy()[where]))
        near = tree.query_ball_point(unit_vectors(pool["lat"], pool["lon"]), r=chord_of(km))
        lengths = np.array([len(n) for n in near])
        discs = sparse.csr_matrix((np.ones(lengths.sum()), np.concatenate([np.asarray(n, dtype="int64") for n in near]),
                                   np.concatenate([[0], np.cumsum(lengths)])), shape=(len(pool), len(where)))
        for _step in range(picks):
            gains = discs @ open_people
            best = int(np.argmax(gains))
            if gains[best] <= 0:
                break
            reached_now = discs.indices[discs.indptr[best]:discs.indptr[best + 1]]
            rows.append((best, int(open_people[reached_now].sum()),
                         int(open_people[reached_now][rural[reached_now]].sum())))
            open_people[reached_now] = 0.0
    out = pool.iloc[[r[0] for r in rows]].reindex(columns=columns).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1, dtype="int64"))
    out["new_people"] = np.array([r[1] for r in rows], dtype="int64")
    out["new_rural"] = np.array([r[2] for r in rows], dtype="int64")
    total = int(reached["people"].sum())
    out["people_covered"] = int(reached.loc[reached["covered"], "people"].sum()) + out["new_people"].cumsum()
    out["share_covered"] = _share(out["people_covered"], pd.Series(total, index=out.index))
    return out


# ---- the view -------------------------------------------------------------------------------

def compute_coverage(settlements: pd.DataFrame, sites: pd.DataFrame, regions: Sequence[str], km: float,
                     occupation: Mapping[str, str], gazetteer: Gazetteer, picks: int = DEFAULT_PICKS) -> Coverage:
    """Coverage of the settlements of `regions` (region codes) by the active ones among `sites`
    (every site of the programme: hubs across a border count), and the planner's `picks`."""
    mine = settlements[settlements["region_code"].isin(list(regions))].reset_index(drop=True)
    reached = reach(mine, sites, km)
    reached["occupied"] = occupied_settlements(reached, sites, occupation).to_numpy()
    reached["candidate"] = candidate_settlements(reached, sites, gazetteer, occupation).to_numpy()
    reached["area"] = area_of(reached).to_numpy()
    hubs = active_hubs(sites)
    near = nearest_km(hubs, reached) <= km
    hubs = hubs[hubs["region_code"].isin(list(regions)).to_numpy() | near].reset_index(drop=True)
    return Coverage(km=km, settlements=reached, hubs=hubs, regions=summarise(reached, ["region_code"]),
                    areas=summarise(reached, ["region_code", "area"]), total=summarise(reached),
                    plan=plan_hubs(reached, km, picks), has_age_base=AGE_BASE in settlements.columns)


# ---- the map --------------------------------------------------------------------------------

MAP_LAYERS = ("settlement", "hub", "pick")


def map_points(cov: Coverage) -> pd.DataFrame:
    """What the coverage map draws, one row per point, `layer` first (MAP_LAYERS): every
    settlement of the view (covered or not), the active hubs (one row per place: hubs at the same
    point to 3 decimals, about 100 m, are one, with their number in `hubs`) and the planner's picks
    (`rank`, `new_people`). Columns: layer, lat, lon, name_uk, settlement_type, hromada,
    region_code, people, covered, nearest_km, occupied, candidate, hubs, rank, new_people,
    settlement_id, katottg."""
    places = cov.settlements[_located(cov.settlements)]
    settlements = places.assign(layer="settlement")
    hubs = cov.hubs.assign(lat=cov.hubs["lat"].round(3), lon=cov.hubs["lon"].round(3))
    hubs = hubs.groupby(["lat", "lon"], sort=True).agg(
        hubs=("hub_id", "size"), name_uk=("settlement", "first"), region_code=("region_code", "first"),
        hromada=("hromada", "first")).reset_index().assign(layer="hub")
    picks = cov.plan.assign(layer="pick")
    frame = pd.concat([settlements, hubs, picks], ignore_index=True)
    columns = ["layer", "lat", "lon", "name_uk", "settlement_type", "hromada", "region_code", "people", "covered",
               "nearest_km", "occupied", "candidate", "hubs", "rank", "new_people", "settlement_id", "katottg"]
    out = frame.reindex(columns=columns)
    for column in ("people", "hubs", "rank", "new_people"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    for column in ("covered", "occupied", "candidate"):
        out[column] = out[column].astype("boolean")
    return out
