"""Release layer: the protected tables of a release, from the exact counts of dashboard.release.cube.

What is protected, once, here:

- every count of people (people, activities, self-ratings and their distribution, people new in a
  month and trained so far, Digigram testers, people per hub and year, coordinators trained):
  counts of 1..k-1 hidden, the rest changed by the cell-key method (privacy.shown_counts) and
  hidden too where the change takes them below k; 0 is hidden like them ("nobody" and "fewer
  than k" look the same) in cells that cross a group, in the months, items and hub-years, and
  shown only as a view's own count of people (the whole country or a region in a period, where
  "no data for this selection" must be said) and in the months and items of such an empty view;
  every view without a group is written (every area and held period, every month of its period,
  every topic, format and course, every hub and year), so a missing row never says "nobody":
  a hidden count may be anything from 0 (1 for a view's people) to k-1+noise, and no bound met
  by differencing pins it at the edge of that band;
- every share and its interval from the protected counts, rounded to the shown decimals; means
  of self-ratings and gains are sums changed by up to 5 x noise (a fixed function of the cell
  key) over the protected counts (an exact sum over the exact count, to two decimals, would tell
  which count it was; an exact sum over the shown count would give the exact sum), rounded to the
  shown decimals and hidden with the count they rest on; Digigram means are exact sums over the
  protected counts;
- counts of hubs and regions beside a count of people only where no group is chosen, and hidden
  where that count of people is.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard import stats
from dashboard.privacy import KEY_MODULUS, Rule, shown_counts, sum_perturbation
from dashboard.release import cube, grain

SHARE_DECIMALS = 3  # fractions: 0.1 of a percentage point, as every share is shown
MEAN_DECIMALS = {"pre_mean": 2, "post_mean": 2, "gain_mean": 2, "gain_sd": 2}
SCORE_DECIMALS = 1  # Digigram means, percent
RATE_DECIMALS = 1  # per hub, per 100,000 residents
# The largest change to a sum of scores per unit of noise: as if `noise` people of a middling
# rating (5 of 10) came or went.
SUM_NOISE_PER_PERSON = 5
# Shares of the cells: name -> (part, whole), all protected counts of cube.RATED.
SHARES = {
    "pre_high_share": ("pre_high", "n_pre"), "pre_low_share": ("pre_low", "n_pre"),
    "post_high_share": ("post_high", "n_post"), "post_low_share": ("post_low", "n_post"),
    "completion": ("n_both", "n_pre"),
    **{f"pre_{s}_share": (f"pre_{s}", "n_pre") for s in cube.SCORES},
    **{f"post_{s}_share": (f"post_{s}", "n_post") for s in cube.SCORES},
}
GROUP = ["dim1", "value1", "dim2", "value2"]
INTERVALS = ("pre_high_share", "pre_low_share", "post_high_share", "post_low_share", "completion")


def protect_counts(frame: pd.DataFrame, counts: list[str], rule: Rule,
                   zero_shown: np.ndarray | None = None) -> pd.DataFrame:
    """`frame` with each count replaced by its shown value and its `_key` column dropped; 0 is
    hidden like 1..k-1 except in the rows `zero_shown` marks (see the module's docstring)."""
    out = frame.copy()
    hide_zero = np.full(len(frame), rule.k > 1)  # with k = 1 nothing is small: 0 is shown
    if zero_shown is not None:
        hide_zero &= ~np.asarray(zero_shown, dtype=bool)
    for c in counts:
        out[c] = shown_counts(frame[c].fillna(0).to_numpy(), frame[f"{c}_key"].fillna(0).to_numpy(), rule,
                              hide_zero=hide_zero)
    return out.drop(columns=[f"{c}_key" for c in counts])


def _plain(frame: pd.DataFrame) -> np.ndarray:
    """Rows of a view without a group."""
    return (frame["dim1"] == grain.NO_DIM).to_numpy()


def _of_empty_views(frame: pd.DataFrame, count: str, keys: list[str]) -> np.ndarray:
    """Rows without a group of a view (`keys`) in which `count` is 0 throughout: its cell shows 0
    people, so its months and items may show 0 too (they tell nothing the cell does not)."""
    total = frame.groupby(keys, sort=False)[count].transform("sum").to_numpy()
    return _plain(frame) & (total == 0)


def complete(raw: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """`raw` with a row of zeros (counts, keys and sums) for every row of `grid` (key columns
    only) that it lacks: an empty view is written, and hidden, like one of a few people."""
    if grid.empty or raw.empty:
        return raw  # nothing to complete, or no rows to take the columns from (nobody at all)
    keys = list(grid.columns)
    missing = grid.merge(raw[keys].drop_duplicates(), on=keys, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    if missing.empty:
        return raw
    numeric = [c for c in raw.columns if c not in keys and pd.api.types.is_numeric_dtype(raw[c])]
    filled = missing.assign(**{c: 0 for c in numeric})
    out = pd.concat([raw, filled], ignore_index=True)
    return out.astype({c: raw[c].dtype for c in numeric})


def plain_views(areas: list[str], periods: list[str], programme: str) -> pd.DataFrame:
    """Every view without a group: each area (the country '' and the regions) x held period."""
    grid = pd.MultiIndex.from_product([[programme], areas, periods], names=["programme", "area", "period"])
    return grid.to_frame(index=False).assign(dim1=grain.NO_DIM, value1="", dim2=grain.NO_DIM, value2="")


def shown_share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole of two protected counts, within 0..1, rounded to SHARE_DECIMALS; missing
    where either is hidden or the whole is 0."""
    p = pd.to_numeric(part, errors="coerce").astype("float64")
    w = pd.to_numeric(whole, errors="coerce").astype("float64")
    value = np.clip(stats.share(p, w), 0.0, 1.0)
    return pd.Series(pd.array(np.round(value, SHARE_DECIMALS), dtype="Float64"), index=part.index) \
        .mask(p.isna() | w.isna())


def _rounded(values: object, decimals: int, hide: pd.Series) -> pd.Series:
    out = pd.Series(pd.array(np.round(np.asarray(values, dtype="float64"), decimals), dtype="Float64"),
                    index=hide.index)
    return out.mask(hide | out.isna())


def _with_rates(cells: pd.DataFrame, exact: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """Shares (with Wilson intervals of the protected counts) and means of the protected cells."""
    out = cells
    for name, (part, whole) in SHARES.items():
        out[name] = shown_share(out[part], out[whole])
        if name in INTERVALS:
            whole_n = pd.to_numeric(out[whole]).astype("float64")
            # Two protected counts of nearly the same people may cross: the part never exceeds the whole.
            lo, hi = stats.wilson(np.minimum(pd.to_numeric(out[part]).astype("float64"), whole_n), whole_n)
            hide = out[name].isna()
            out[f"{name}_lo"] = _rounded(lo, SHARE_DECIMALS, hide)
            out[f"{name}_hi"] = _rounded(hi, SHARE_DECIMALS, hide)
    # Over the shown (protected) counts: a mean of an exact sum over an exact count, to two
    # decimals, would tell which count of people it was divided by. The sums are changed too
    # (sum_perturbation), else mean x count gives the exact sum of a cell's ratings, and the sums
    # of a view less those of its shown groups the exact sum of a hidden one.
    n_pre, n_post, n_both = (pd.to_numeric(out[c]).astype("float64").to_numpy()
                             for c in ("n_pre", "n_post", "n_both"))
    bound = SUM_NOISE_PER_PERSON * rule.noise
    pre_sum, post_sum, gain_sum = (
        exact[name].to_numpy() + sum_perturbation(exact[f"{count}_key"].fillna(0).to_numpy(), bound)
        for name, count in (("pre_sum", "n_pre"), ("post_sum", "n_post"), ("gain_sum", "n_both")))
    with np.errstate(divide="ignore", invalid="ignore"):
        pre_mean = np.clip(pre_sum / n_pre, 1, 10)
        post_mean = np.clip(post_sum / n_post, 1, 10)
        gain_mean = np.clip(gain_sum / n_both, -9, 9)
        var = pd.Series((exact["gain_sq"].to_numpy() - n_both * gain_mean ** 2) / (n_both - 1))
    gain_sd = np.sqrt(np.clip(var.where(n_both > 1), 0, None)).to_numpy()
    lo, hi = stats.mean_ci(n_both, gain_mean, gain_sd)
    hide = {c: out[c].isna() for c in ("n_pre", "n_post", "n_both")}
    out["pre_mean"] = _rounded(pre_mean, MEAN_DECIMALS["pre_mean"], hide["n_pre"])
    out["post_mean"] = _rounded(post_mean, MEAN_DECIMALS["post_mean"], hide["n_post"])
    out["gain_mean"] = _rounded(gain_mean, MEAN_DECIMALS["gain_mean"], hide["n_both"])
    out["gain_sd"] = _rounded(gain_sd, MEAN_DECIMALS["gain_sd"], hide["n_both"])
    out["gain_mean_lo"] = _rounded(lo, MEAN_DECIMALS["gain_mean"], hide["n_both"])
    out["gain_mean_hi"] = _rounded(hi, MEAN_DECIMALS["gain_mean"], hide["n_both"])
    return out


def cells_table(raw: pd.DataFrame, active: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """The protected cells (see the module's docstring) from cube.load_cells and cube.load_active."""
    out = protect_counts(raw.drop(columns=list(cube.SUMS)), list(cube.CELL_COUNTS), rule, zero_shown=_plain(raw))
    out = _with_rates(out, raw, rule)
    out = out.merge(active, on=["programme", "area", "period"], how="left")
    out = out.fillna({"hubs": 0, "regions": 0})  # a view nobody is in: no hub, no region active
    mask = (out["dim1"] != grain.NO_DIM) | out["people"].isna()
    for column in ("hubs", "regions"):
        out[column] = pd.array(out[column], dtype="Int64").copy()
        out.loc[mask, column] = pd.NA
    return _without_hidden_groups(out).sort_values(list(cube.KEYS), ignore_index=True)


def _without_hidden_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows, less those of a group whose people are hidden: such a row, written, would tell
    "fewer than k" from "nobody" (a row never written); read, both are "fewer than k"."""
    return frame[(frame["dim1"] == grain.NO_DIM) | frame["people"].notna()]


def months_table(raw: pd.DataFrame, periods: dict[str, tuple[dt.date, dt.date]], rule: Rule,
                 views: pd.DataFrame | None = None) -> pd.DataFrame:
    """People new in each month of a cell's period and trained so far, protected.

    Every view of `views` (by default those of `raw`) and every group cell of `raw` lists every
    month of its period: a month missing would say "nobody new", where a listed one says
    "fewer than k" (0 and 1..k-1 look the same).
    """
    month_of = {code: pd.date_range(pd.Timestamp(s).to_period("M").to_timestamp(), pd.Timestamp(e), freq="MS")
                for code, (s, e) in periods.items()}
    grid = raw[list(cube.KEYS)]
    if views is not None:
        grid = pd.concat([views[list(cube.KEYS)], grid[grid["dim1"] != grain.NO_DIM]], ignore_index=True)
    grid = grid.drop_duplicates()
    grid = grid.assign(month=grid["period"].map(lambda p: list(month_of[p]))).explode("month")
    grid["month"] = pd.to_datetime(grid["month"]).astype("datetime64[us]")
    raw = raw.assign(month=pd.to_datetime(raw["month"]).astype("datetime64[us]"))
    raw = grid.merge(raw, on=[*cube.KEYS, "month"], how="left").fillna({"new_people": 0, "new_people_key": 0})
    raw = raw.astype({"new_people": "int64", "new_people_key": "int64"})
    frame = raw.sort_values([*cube.KEYS, "month"], ignore_index=True)
    groups = frame.groupby(list(cube.KEYS), sort=False)
    frame["people_total"] = groups["new_people"].cumsum()
    frame["people_total_key"] = groups["new_people_key"].cumsum() % KEY_MODULUS
    return protect_counts(frame, ["new_people", "people_total"], rule,
                          zero_shown=_of_empty_views(frame, "new_people", list(cube.KEYS)))


def items_table(raw: dict[str, pd.DataFrame], active: dict[str, pd.DataFrame], rule: Rule,
                views: pd.DataFrame | None = None) -> pd.DataFrame:
    """People, activities (and hubs, with no group) per topic, format and course of each cell;
    with `views`, every item of a dimension is written for every view without a group."""
    parts = []
    for dimension, frame in raw.items():
        if views is not None and len(frame):
            items = pd.DataFrame({"item": sorted(frame["item"].dropna().unique())})
            frame = complete(frame, views.merge(items, how="cross"))
        out = protect_counts(frame, ["people", "activities"], rule,
                             zero_shown=_of_empty_views(frame, "people", list(cube.KEYS)))
        out = out.merge(active[dimension][["programme", "area", "period", "item", "hubs"]],
                        on=["programme", "area", "period", "item"], how="left")
        out["hubs"] = pd.array(out["hubs"].fillna(0), dtype="Int64").copy()  # no row: no hub active
        out.loc[(out["dim1"] != grain.NO_DIM) | out["people"].isna(), "hubs"] = pd.NA
        parts.append(_without_hidden_groups(out).assign(dimension=dimension))
    return pd.concat(parts, ignore_index=True)


def digigram_table(raw: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """People tested per test area and stage, with mean, sd and the mean's 95% interval (percent)."""
    out = protect_counts(raw, ["people"], rule)
    n = pd.to_numeric(out["people"]).astype("float64")  # the shown count, as for every mean
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (raw["score_sum"] / n).clip(0, 100)
        sd = np.sqrt(np.clip(((raw["score_sq"] - n * mean ** 2) / (n - 1)).where(n > 1), 0, None))
    lo, hi = stats.mean_ci(n, mean, sd)
    hide = out["people"].isna()
    out["mean"] = _rounded(mean, SCORE_DECIMALS, hide)
    out["sd"] = _rounded(sd, SCORE_DECIMALS, hide)
    out["mean_lo"] = _rounded(lo, SCORE_DECIMALS, hide)
    out["mean_hi"] = _rounded(hi, SCORE_DECIMALS, hide)
    return out.drop(columns=["score_sum", "score_sq"])


def context_table(raw: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """Per area and period: library hubs, public libraries and their share (exact: counts of
    institutions), and coordinators trained (protected)."""
    out = protect_counts(raw, ["coordinators"], rule, zero_shown=np.ones(len(raw), bool))  # a view's own count
    out["public_libraries"] = pd.array(out["public_libraries"], dtype="Int64")
    share = stats.share(out["library_hubs"], out["public_libraries"])
    out["library_share"] = pd.array(np.round(share, SHARE_DECIMALS), dtype="Float64")
    return out


def under_shown_cells(frame: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """`frame` (months, items) less the rows of group cells whose people are hidden: such rows
    would tell "somebody" from "nobody" and, narrowed, name a person's group."""
    shown = cells.loc[(cells["dim1"] != grain.NO_DIM) & cells["people"].notna(), list(cube.KEYS)]
    group = frame["dim1"] != grain.NO_DIM
    kept = frame[group].merge(shown, on=list(cube.KEYS), how="inner")
    return pd.concat([frame[~group], kept], ignore_index=True)
