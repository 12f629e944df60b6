"""Metric layer of the Progress page: targets against actuals per region and period, with a status.

A target is set for a programme, a region (or the programme as a whole), a period code and one of
the Overview's figures (contract.TARGET_INDICATORS). The actual is that figure of the region in
the period, protected as everywhere (`compute_actuals` live; a release reads its own protected
cells). Counts accrue over the period, so by the data date only the elapsed share of the target is
expected (half of it at mid-year); a share is expected whole at any time. The status compares the
actual with that expectation:

    actual ≥ expected                       → on_track
    actual ≥ expected × at_risk_from        → at_risk (a setting: DASHBOARD_PROGRESS_AT_RISK)
    otherwise                               → off_track

and is `no_target` without a target, `suppressed` when the actual is a hidden small count (no per
cent is given then).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard.contract import TARGET_INDICATORS, TARGET_SHARES
from dashboard.filters import Filters
from dashboard.metrics import overview
from dashboard.privacy import Rule
from dashboard.release import grain
from dashboard.settings import SETTINGS
from dashboard.store.database import Database

# An actual at or above this fraction of what is expected by now is "at risk", below it "off
# track": the default of the DASHBOARD_PROGRESS_AT_RISK setting, which callers read and pass on.
AT_RISK_FROM = float(SETTINGS["DASHBOARD_PROGRESS_AT_RISK"].default)
STATUSES = ("on_track", "at_risk", "off_track", "suppressed", "no_target")
COUNTRY = grain.COUNTRY  # the area code of the programme as a whole
# Columns of an actuals frame: area, then each indicator, then what the baseline of a share is.
ACTUAL_COLUMNS = ("area", *TARGET_INDICATORS, "share_before")


def span_of(code: str, bounds: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date] | None:
    """The whole days of a period code (all time: `bounds`, the programme's span), not clipped to the data."""
    if code == grain.ALL:
        return bounds
    return grain.period_span(code, (dt.date.min, dt.date.max))


def before(code: str) -> str | None:
    """The period of the same kind just before: the year, quarter or month before; None for all
    time and a phase (no period of the same kind precedes them in the plan)."""
    kind, _sep, value = code.partition(":")
    if kind == "year":
        return f"year:{int(value) - 1}"
    if kind == "quarter":
        year, q = (int(x) for x in value.split("-Q"))
        return f"quarter:{year}-Q{q - 1}" if q > 1 else f"quarter:{year - 1}-Q4"
    if kind == "month":
        day = dt.date.fromisoformat(f"{value}-01") - dt.timedelta(days=1)
        return f"month:{day:%Y-%m}"
    return None


def elapsed_share(span: tuple[dt.date, dt.date], data_date: dt.date | None) -> float:
    """The share of the period's days up to the data date (both ends counted), 0..1; a period
    without a data date is taken as over."""
    start, end = span
    if data_date is None or data_date >= end:
        return 1.0
    if data_date < start:
        return 0.0
    return ((data_date - start).days + 1) / ((end - start).days + 1)


def compute_actuals(db: Database, f: Filters, rule: Rule, areas: Sequence[str]) -> pd.DataFrame:
    """The progress figures of the view's period for each of `areas` (COUNTRY = the programme as a
    whole), exact and protected as the Overview's (metrics.overview.compute_counts, no group).

    Columns ACTUAL_COLUMNS: people, activities, coordinators (protected counts of people; missing
    when hidden), hubs (active hubs), share_after and share_before (0..1).
    """
    bare = Filters(programme=f.programme, start=f.start, end=f.end)
    rows = []
    for area in areas:
        counts = overview.compute_counts(db, dataclasses.replace(bare, regions=(area,) if area else ()), rule)
        rows.append(counts.iloc[0][list(ACTUAL_COLUMNS[1:])].to_dict() | {"area": area})
    return actuals_frame(pd.DataFrame(rows))


def actuals_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the columns and dtypes of an actuals frame (ACTUAL_COLUMNS)."""
    out = pd.DataFrame({"area": pd.Series(frame["area"], dtype="str").reset_index(drop=True)})
    for column in ACTUAL_COLUMNS[1:]:
        kind = "Float64" if column in (*TARGET_SHARES, "share_before") else "Int64"
        values = pd.to_numeric(frame[column], errors="coerce").astype("float64").reset_index(drop=True)
        out[column] = pd.array(values.round(6) if kind == "Float64" else values, dtype=kind)
    return out


def status(actual: float | None, target: float | None, expected_share: float,
           at_risk_from: float = AT_RISK_FROM) -> str:
    """The status of one actual against its target, `expected_share` of which is due by now."""
    if target is None or pd.isna(target):
        return "no_target"
    if actual is None or pd.isna(actual):
        return "suppressed"
    expected = float(target) * expected_share
    if float(actual) >= expected:
        return "on_track"
    if float(actual) >= expected * at_risk_from:
        return "at_risk"
    return "off_track"


def compute_progress(targets: pd.DataFrame, actuals: pd.DataFrame, baselines: pd.DataFrame | None,
                     indicator: str, span: tuple[dt.date, dt.date], data_date: dt.date | None,
                     areas: Sequence[str], at_risk_from: float = AT_RISK_FROM) -> pd.DataFrame:
    """One row per area of `areas` (COUNTRY first when given) for `indicator` in one period.

    `targets` has area (COUNTRY for the programme as a whole) and target of that indicator and
    period; `actuals` and `baselines` are actuals frames of the period and of the one before
    (None: no baseline). The country's target, when none is set, is the sum of the regions'
    (counts only: shares do not add up), flagged in `summed`.

    Columns: area, baseline, target, summed, actual, achieved (actual ÷ target, 0..), expected
    (share of the target due by the data date, 0..1), status (STATUSES).
    """
    share = indicator in TARGET_SHARES
    expected = 1.0 if share else elapsed_share(span, data_date)
    by_area = dict(zip(targets["area"], targets["target"]))
    actual_of = dict(zip(actuals["area"], actuals[indicator]))
    if share:
        base_of = dict(zip(actuals["area"], actuals["share_before"]))
    else:
        base_of = {} if baselines is None else dict(zip(baselines["area"], baselines[indicator]))
    rows = []
    for area in areas:
        target, summed = by_area.get(area, np.nan), False
        if area == COUNTRY and pd.isna(target) and not share:
            regional = [t for a, t in by_area.items() if a != COUNTRY and not pd.isna(t)]
            target, summed = (float(sum(regional)), True) if regional else (np.nan, False)
        actual = actual_of.get(area, pd.NA)
        achieved = (float(actual) / float(target) if not pd.isna(actual) and not pd.isna(target) and target > 0
                    else np.nan)
        rows.append({"area": area, "baseline": base_of.get(area, pd.NA), "target": target, "summed": summed,
                     "actual": actual, "achieved": achieved, "expected": expected,
                     "status": status(actual, target, expected, at_risk_from)})
    out = pd.DataFrame(rows, columns=["area", "baseline", "target", "summed", "actual", "achieved", "expected",
                                      "status"])
    kind = "Float64" if share else "Int64"
    for column in ("baseline", "actual"):
        out[column] = pd.array(pd.to_numeric(out[column], errors="coerce").astype("float64"), dtype=kind)
    out["target"] = out["target"].astype("float64")
    out["achieved"] = out["achieved"].astype("float64")
    return out


def status_counts(progress: pd.DataFrame) -> dict[str, int]:
    """How many regions (the country left out) are in each status, in STATUSES order."""
    regions = progress[progress["area"] != COUNTRY]
    return {s: int((regions["status"] == s).sum()) for s in STATUSES}


def targets_of(targets: pd.DataFrame, indicator: str, period: str) -> pd.DataFrame:
    """The targets of one indicator and period as area, target (COUNTRY for the programme as a whole)."""
    found = targets[(targets["indicator"] == indicator) & (targets["period"] == period)]
    return pd.DataFrame({"area": found["region_code"].fillna(COUNTRY).astype("str").tolist(),
                         "target": found["target"].astype("float64").tolist()})


def target_periods(targets: pd.DataFrame, held: Sequence[str]) -> list[str]:
    """The periods with a target that the source can show (`held`), in `held`'s order (widest first)."""
    wanted = set(targets["period"])
    return [code for code in held if code in wanted]
