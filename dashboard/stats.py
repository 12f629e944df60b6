"""Statistics layer: pure interval estimates and derived figures (Wilson, t, cumulative, funnel, capacity)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

from dashboard.indicators import PER_RESIDENTS
from dashboard.privacy import KEY_MODULUS

# 95% intervals everywhere: the level funders and statistical offices quote by default.
ALPHA = 0.05
# Capacity is judged on the last three months: one month is too noisy (holidays, a sick
# trainer), a year hides a centre that has just grown or shrunk.
CAPACITY_MONTHS = 3


def wilson(count: Sequence[float] | float, nobs: Sequence[float] | float) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval (statsmodels) of count/nobs, as two arrays of fractions 0..1.

    Where nobs is 0 or missing there is no interval: both bounds are NaN.
    """
    x = np.atleast_1d(np.asarray(count, dtype="float64"))
    n = np.atleast_1d(np.asarray(nobs, dtype="float64"))
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0)
    lo, hi = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(x[ok], n[ok], alpha=ALPHA, method="wilson")
    return lo, hi


def mean_ci(n: Sequence[float] | float, mean: Sequence[float] | float,
            sd: Sequence[float] | float) -> tuple[np.ndarray, np.ndarray]:
    """95% t interval of a mean from its count, mean and sample standard deviation.

    Needs at least two values (NaN bounds otherwise); a standard deviation of 0 gives a
    zero-width interval at the mean.
    """
    n_ = np.atleast_1d(np.asarray(n, dtype="float64"))
    m = np.atleast_1d(np.asarray(mean, dtype="float64"))
    s = np.atleast_1d(np.asarray(sd, dtype="float64"))
    ok = np.isfinite(n_) & (n_ >= 2) & np.isfinite(m) & np.isfinite(s)
    lo, hi = np.full(m.shape, np.nan), np.full(m.shape, np.nan)
    if ok.any():
        half = scipy_stats.t.ppf(1 - ALPHA / 2, n_[ok] - 1) * s[ok] / np.sqrt(n_[ok])
        lo[ok], hi[ok] = m[ok] - half, m[ok] + half
    return lo, hi


def _floats(values: object) -> np.ndarray:
    # Numbers as float64 with NaN for every kind of missing value (None, NaN, pandas NA).
    array = pd.array(np.atleast_1d(np.asarray(values, dtype=object)), dtype="Float64")
    return array.to_numpy(dtype="float64", na_value=np.nan)


def share(part: Sequence[float] | float, whole: Sequence[float] | float) -> np.ndarray:
    """part / whole as fractions; NaN where whole is 0 or missing (a share of nobody is unknown)."""
    p, w = _floats(part), _floats(whole)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(w) & (w > 0), p / w, np.nan)


def ratio(part: object, whole: object) -> float:
    """One share (part / whole) as a number; NaN where whole is 0 or missing (see `share`)."""
    return float(share(part, whole)[0])


def per_residents(count: Sequence[float] | float, population: Sequence[float] | float,
                  per: int = PER_RESIDENTS) -> np.ndarray:
    """count per `per` residents (indicators.PER_RESIDENTS, 100,000, unless told); NaN without a population."""
    return share(count, population) * per


def add_share(frame: pd.DataFrame, name: str, part: str, whole: str, interval: bool = True) -> pd.DataFrame:
    """`frame` with column `name` = part/whole and, if `interval`, `name_lo`/`name_hi` (Wilson 95%)."""
    out = frame.copy()
    out[name] = share(out[part], out[whole])
    if interval:
        out[f"{name}_lo"], out[f"{name}_hi"] = wilson(out[part], out[whole])
    return out


def add_mean_ci(frame: pd.DataFrame, name: str, n: str, sd: str) -> pd.DataFrame:
    """`frame` with `name_lo`/`name_hi`: the 95% t interval of the mean in column `name`."""
    out = frame.copy()
    out[f"{name}_lo"], out[f"{name}_hi"] = mean_ci(out[n], out[name], out[sd])
    return out


def combine_keys(keys: Sequence[int]) -> int:
    """The cell key of a union of disjoint cells: the sum of their keys modulo 2^48."""
    return int(sum(int(k) for k in keys) % KEY_MODULUS)


def cumulative(frame: pd.DataFrame, count: str, key: str) -> pd.DataFrame:
    """`frame` (in order) with running totals `count_total` and their cell keys `count_total_key`.

    The parts must be disjoint (each person counted in one row, e.g. the month of their first
    activity), so the running total is a count of distinct people and its key their key sum.
    """
    out = frame.copy()
    counts = pd.to_numeric(out[count]).fillna(0).astype("int64")
    out[f"{count}_total"] = counts.cumsum()
    running, keys = 0, []
    for k in pd.to_numeric(out[key]).fillna(0).astype("int64"):
        running = (running + int(k)) % KEY_MODULUS
        keys.append(running)
    out[f"{count}_total_key"] = pd.Series(keys, index=out.index, dtype="int64")
    return out


def stage_ratios(values: Sequence[float]) -> list[float]:
    """Each stage of a funnel divided by the stage before it (NaN for the first, or after 0/NaN)."""
    out = [math.nan]
    for before, now in zip(values[:-1], values[1:]):
        ok = before is not None and now is not None and not pd.isna(before) and not pd.isna(now) and before > 0
        out.append(float(now) / float(before) if ok else math.nan)
    return out


def months_to_clear(waiting: Sequence[float] | float, capacity: Sequence[float] | float) -> np.ndarray:
    """Months a waiting list needs at a monthly capacity: waiting / capacity.

    0 when nobody waits; NaN when people wait but the capacity is 0 or unknown (never cleared
    at that pace, or no figure to judge by).
    """
    w = np.atleast_1d(np.asarray(waiting, dtype="float64"))
    c = np.atleast_1d(np.asarray(capacity, dtype="float64"))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(np.isfinite(c) & (c > 0), w / c, np.nan)
    return np.where(w == 0, 0.0, out)


def overlap(lo_a: float, hi_a: float, lo_b: float, hi_b: float) -> bool | None:
    """Whether two intervals overlap (then a difference between them may be noise); None if unknown."""
    values = (lo_a, hi_a, lo_b, hi_b)
    if any(v is None or pd.isna(v) for v in values):
        return None
    return bool(lo_a <= hi_b and lo_b <= hi_a)


def part_gap_ci(n_part: Sequence[float] | float, sd_part: Sequence[float] | float,
                n_whole: Sequence[float] | float, sd_whole: Sequence[float] | float,
                gap: Sequence[float] | float) -> tuple[np.ndarray, np.ndarray]:
    """95% normal interval of `gap`, the mean of a part less the mean of a whole that contains it
    (a group of one region against the whole country, same period).

    The part's people are in both means, so the two are not independent: the covariance of the
    part's mean with the whole's is sd_part² / n_whole, and the variance of the gap is
    sd_part²/n_part + sd_whole²/n_whole − 2·sd_part²/n_whole (never below 0). NaN bounds where a
    count is under 2 or a figure is missing.
    """
    n_p, s_p, n_w, s_w, g = np.broadcast_arrays(*(np.atleast_1d(_floats(v))
                                                  for v in (n_part, sd_part, n_whole, sd_whole, gap)))
    ok = (np.isfinite(n_p) & (n_p >= 2) & np.isfinite(n_w) & (n_w >= 2)
          & np.isfinite(s_p) & np.isfinite(s_w) & np.isfinite(g))
    lo, hi = np.full(g.shape, np.nan), np.full(g.shape, np.nan)
    if ok.any():
        var = s_p[ok] ** 2 / n_p[ok] + s_w[ok] ** 2 / n_w[ok] - 2 * s_p[ok] ** 2 / n_w[ok]
        half = scipy_stats.norm.ppf(1 - ALPHA / 2) * np.sqrt(np.clip(var, 0, None))
        lo[ok], hi[ok] = g[ok] - half, g[ok] + half
    return lo, hi
