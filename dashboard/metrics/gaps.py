"""Metric layer of "who is left behind": each participant group's skill gain in a region against the national gain.

A *cell* is one region × one value of one participant characteristic (filters.SEGMENTS: age
band, gender, settlement type, employment, disability, displacement) in one period of one
programme. Its figure is the mean paired self-rating gain (post − pre, points on the 1–10 scale,
people rated both before and after: metrics.skills.compute_ratings, or a release's cell); the
national figure is the same for every participant of the programme in the period. The gap is

    gap = group's gain in the region − national gain        (points; negative: the group gains less)

with a 95% interval that allows for the group's people being part of the national figure
(stats.part_gap_ci). Only cells whose gain is shown are used: a cell hidden by protection (its
count of people under k, or a group the release does not hold) never enters the list, and in
public mode every figure comes from the release's protected, rounded values. A cell is
*behind* when its whole interval lies below 0, *ahead* when above, else *level*.

Ranking: behind cells first, by the upper end of the gap's interval (the smallest shortfall the
data allow, so a large gap of a handful of people does not outrank a sure one of many), then
level, then ahead cells.

The cells come from a source: `compute_group_ratings` counts every region's groups live in one
statement per characteristic (internal mode), a release reads its protected cells
(release.source.Release.group_ratings); the tests hold both against a source's per-view figures
asked one region and characteristic at a time. `compute_gaps` and `left_behind` are pure.

Reach (a group's share of the people trained against its share of the residents) needs the
population of each region by age band, gender, settlement type and so on; the reference data hold
only each region's total population (data/geo/regions.csv), so reach gaps are not computed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard import stats
from dashboard.filters import SEGMENTS, Filters
from dashboard.privacy import Rule, protect_with_intervals
from dashboard.query import gaps as queries
from dashboard.store.database import Database

# Values that name no group a donor can ask about: nobody is "left behind" as "age not stated".
NOT_A_GROUP = ("unknown",)
GAP_DECIMALS = 2  # points, as the Skills page shows a mean gain
STANDINGS = ("behind", "level", "ahead")
# Columns of a ratings frame the gaps use (metrics.skills.compute_ratings, release.source.Release.ratings).
RATING_COLUMNS = ("value", "n_both", "gain_mean", "gain_mean_lo", "gain_mean_hi", "gain_sd")
COLUMNS = ("area", "dimension", "value", "n_both", "gain_mean", "gain_mean_lo", "gain_mean_hi",
           "national_gain", "national_lo", "national_hi", "national_n", "gap", "gap_lo", "gap_hi", "standing")


def compute_group_ratings(db: Database, f: Filters, rule: Rule, areas: Sequence[str]) -> pd.DataFrame:
    """The cells of collect_cells for regions `areas` in `f`'s programme and period, six statements
    instead of one per region and characteristic: columns area, dimension and RATING_COLUMNS,
    protected as metrics.skills.compute_ratings protects them (the same people, hence the same
    cell keys and shown counts); a value nobody in a region has is a row of 0 people."""
    scoped = Filters(programme=f.programme, start=f.start, end=f.end, regions=tuple(areas))
    parts = []
    for dimension, (_column, vocab) in SEGMENTS.items():
        grid = pd.MultiIndex.from_product([list(areas), list(vocab)], names=["region_code", "value"]).to_frame(index=False)
        found = grid.merge(queries.load_region_gains(db, scoped, dimension), on=["region_code", "value"], how="left")
        found = found.fillna({"n_both": 0, "n_both_key": 0}).astype({"n_both": "int64", "n_both_key": "int64"})
        for column in ("gain_mean", "gain_sd"):
            found[column] = pd.to_numeric(found[column], errors="coerce").astype("float64")
        found = stats.add_mean_ci(found, "gain_mean", "n_both", "gain_sd")
        found = protect_with_intervals(found, ["n_both"], {"gain_mean": ["n_both"], "gain_sd": ["n_both"]}, rule)
        parts.append(found.rename(columns={"region_code": "area"}).assign(dimension=dimension))
    return pd.concat(parts, ignore_index=True)[["area", "dimension", *RATING_COLUMNS]]


def _floats(values: object) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").to_numpy()


def compute_gaps(national: pd.Series, cells: pd.DataFrame) -> pd.DataFrame:
    """Every shown cell of `cells` against `national` (collect_cells), ranked (see the module's
    docstring). Columns COLUMNS: the cell's people rated before and after (n_both) and gain with
    its interval; the national gain with its interval and count; the gap with its interval
    (points, rounded to GAP_DECIMALS); standing (STANDINGS)."""
    gain, n, sd = (_floats(cells[c]) for c in ("gain_mean", "n_both", "gain_sd"))
    shown = np.isfinite(gain) & np.isfinite(n) & ~cells["value"].isin(NOT_A_GROUP).to_numpy()
    out = cells.loc[shown, ["area", "dimension", "value", "n_both", "gain_mean", "gain_mean_lo",
                            "gain_mean_hi"]].reset_index(drop=True)
    gain, n, sd = gain[shown], n[shown], sd[shown]
    whole = {c: float(v) if not pd.isna(v) else np.nan
             for c, v in national[["gain_mean", "gain_mean_lo", "gain_mean_hi", "n_both", "gain_sd"]].items()}
    gap = gain - whole["gain_mean"]
    lo, hi = stats.part_gap_ci(n, sd, whole["n_both"], whole["gain_sd"], gap)
    out = out.assign(national_gain=whole["gain_mean"], national_lo=whole["gain_mean_lo"],
                     national_hi=whole["gain_mean_hi"], national_n=whole["n_both"],
                     gap=np.round(gap, GAP_DECIMALS), gap_lo=np.round(lo, GAP_DECIMALS),
                     gap_hi=np.round(hi, GAP_DECIMALS))
    out = out[np.isfinite(out["gap"].to_numpy(dtype="float64"))]
    out["standing"] = np.where(out["gap_hi"] < 0, "behind", np.where(out["gap_lo"] > 0, "ahead", "level"))
    out["n_both"] = pd.array(_floats(out["n_both"]), dtype="Int64")
    for column in ("gain_mean", "gain_mean_lo", "gain_mean_hi"):
        out[column] = _floats(out[column])
    order = out["standing"].map({s: i for i, s in enumerate(STANDINGS)})
    # Behind: the surest shortfall first (upper end); level and ahead: the lowest gap first.
    key = np.where(out["standing"] == "behind", out["gap_hi"], out["gap"])
    dimension = out["dimension"].map({d: i for i, d in enumerate(SEGMENTS)})
    out = out.assign(_order=order, _key=key, _dimension=dimension)
    out = out.sort_values(["_order", "_key", "gap", "area", "_dimension", "value"], kind="mergesort")
    return out.reset_index(drop=True)[list(COLUMNS)]


def left_behind(gaps: pd.DataFrame) -> pd.DataFrame:
    """The cells of a ranked gaps frame whose whole interval lies below the national gain."""
    return gaps[gaps["standing"] == "behind"].reset_index(drop=True)
