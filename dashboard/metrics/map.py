"""Metric layer of the Impact map: protected region and hub figures, and the tables behind the map."""

from __future__ import annotations

import pandas as pd

from dashboard import indicators, stats
from dashboard.filters import Filters
from dashboard.indicators import INDICATORS
from dashboard.privacy import Rule, keys_of, protect
from dashboard.query import map as queries
from dashboard.store.database import Database

# The figures the map can colour the regions by (indicator keys), in the picker's order; the
# first is the default. `change_pp` rises and falls around zero: a diverging scale.
# People trained are read per 10,000 residents first (the regions compared fairly), then as a number.
MAP_FIGURES = ("hubs", "hubs_per_100k", "library_share", "people_per_10k", "people", "people_per_hub", "share_after",
               "change_pp")
METRICS = {key: INDICATORS[key] for key in MAP_FIGURES}
DIVERGING_FIGURES = ("change_pp",)
# Region counts of people and the rates built on them (hidden when a base is suppressed).
REGION_COUNTS = indicators.people_counts(("people", *INDICATORS["change_pp"].bases))
REGION_RATES = indicators.rates(("people_per_10k", "people_per_hub", "share_before", "share_after", "change_pp"))
HUB_COUNTS = ("people", "activities")
# Figures on hubs that a release hides with the region's people (counts of hubs beside a hidden count
# of people would tell how many hubs served fewer than k).
HIDDEN_WITH_PEOPLE = ("hubs", "hubs_per_100k")
# A region drawn as occupied, whatever its figures: the whole of it is temporarily occupied.
OCCUPIED = "full"
# What a region's cell shows: a value, or why there is none.
VALUE, HIDDEN, NO_DATA, OCCUPIED_STATE = "value", "hidden", "no_data", "occupied"


def _ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
    return pd.Series(pd.array(stats.share(part, whole), dtype="Float64"), index=part.index)


def compute_region_metrics(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """Protected figures of every region of the programme's countries (the region filter aside).

    Columns: region_code, occupation, population, public_libraries, hubs (active hubs),
    library_hubs, hubs_per_100k (hubs per 100,000 residents), library_share (library hubs /
    public libraries, 0..1), people, people_per_10k (people per 10,000 residents),
    people_per_hub (people / active hubs), pre_people,
    pre_7_10, post_people, post_7_10, share_before, share_after (0..1) and change_pp (after −
    before, as a fraction: 0.05 = 5 pp). Rates come from the exact counts, then one protect.
    """
    raw = queries.load_region_figures(db, f)
    out = raw.copy()
    out["hubs_per_100k"] = pd.array(stats.per_residents(out["hubs"], out["population"]), dtype="Float64")
    out["library_share"] = _ratio(out["library_hubs"], out["public_libraries"])
    out["people_per_hub"] = _ratio(out["people"], out["hubs"])
    out["people_per_10k"] = pd.array(stats.per_residents(out["people"], out["population"],
                                                         indicators.PEOPLE_PER_RESIDENTS), dtype="Float64")
    out["share_before"] = _ratio(out["pre_7_10"], out["pre_people"])
    out["share_after"] = _ratio(out["post_7_10"], out["post_people"])
    out["change_pp"] = out["share_after"] - out["share_before"]
    out = protect(out, REGION_COUNTS, rule, rates=REGION_RATES, keys=keys_of(REGION_COUNTS))
    for column in ("hubs", "library_hubs", "population", "public_libraries"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    return out.reset_index(drop=True)


def compute_hub_metrics(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """Protected figures of every hub that had joined by the period's end.

    Columns of queries.load_hub_figures without the keys: people and activities of the view
    at the hub are missing when 1..k-1 (as everywhere, whatever the deployment mode).
    """
    raw = queries.load_hub_figures(db, f)
    return protect(raw, HUB_COUNTS, rule, keys=keys_of(HUB_COUNTS)).reset_index(drop=True)


def compute_growth(db: Database, programme: str) -> pd.DataFrame:
    """Sites of a programme by joining year: year, joined, total (counts of sites, shown exactly)."""
    return queries.load_network_growth(db, programme)


def region_states(regions: pd.DataFrame, metric: str) -> pd.Series:
    """Per region: `occupied` (wholly occupied), `hidden` (built on 1..k-1 people), `no_data`, `value`."""
    m = METRICS[metric]
    values = pd.to_numeric(regions[metric], errors="coerce")
    hidden = regions[list(m.bases)].isna().any(axis=1) if m.bases else pd.Series(False, index=regions.index)
    if metric in HIDDEN_WITH_PEOPLE:  # a release hides hub counts beside a hidden count of people
        hidden |= values.isna() & regions["people"].isna()
    state = pd.Series(VALUE, index=regions.index, dtype="object")
    state[values.isna()] = NO_DATA
    state[hidden] = HIDDEN
    state[regions["occupation"] == OCCUPIED] = OCCUPIED_STATE
    return state


def region_table(regions: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The regions with every figure (numbers kept numeric, so the table sorts by value) and
    a `region` column with the name, after region_code."""
    out = regions.copy()
    out.insert(1, "region", [names.get(c, c) for c in out["region_code"]])
    return out


def hub_table(hubs: pd.DataFrame, regions: tuple[str, ...]) -> pd.DataFrame:
    """The hubs of the selected regions, most people first: name, settlement, hromada, placed
    (how the hub is on the map), status, joined_on, people, activities (protected; a release has
    no activities per hub)."""
    mine = hubs[hubs["region_code"].isin(regions)]
    columns = [c for c in ("hub_id", "name", "settlement", "hromada", "placed", "region_code", "status", "joined_on",
                           "people", "activities") if c in hubs.columns]
    people = pd.to_numeric(mine["people"], errors="coerce").fillna(-1)
    return mine.assign(_order=people).sort_values(["_order", "name"], ascending=[False, True])[columns].reset_index(drop=True)
