"""Metric layer of the Network & capacity page: sites by year, waiting list against capacity, partners."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import contract, stats
from dashboard.filters import Filters
from dashboard.privacy import Rule, keys_of, protect
from dashboard.query import network as queries
from dashboard.store.database import Database


def compute_network_years(db: Database, f: Filters) -> pd.DataFrame:
    """Sites per year from the first opening to the period's end: `opened` that year, `in_network`
    (opened by the year's end, those closed since included: the registry has no closing date) and
    `active` (sites with an activity in the view that year; missing for years outside the period).
    """
    years = queries.load_hub_years(db, f)
    dated = years.dropna(subset=["year"]).astype({"year": "int64"})
    active = queries.load_active_hubs_by_year(db, f).astype({"year": "int64"})
    first = min([*dated["year"].tolist(), *active["year"].tolist(), f.start.year])
    frame = pd.DataFrame({"year": range(first, f.end.year + 1)})
    frame = frame.merge(dated[["year", "opened"]], on="year", how="left").fillna({"opened": 0})
    frame["opened"] = frame["opened"].astype("int64")
    frame["in_network"] = frame["opened"].cumsum()
    frame = frame.merge(active, on="year", how="left")
    in_period = frame["year"].between(f.start.year, f.end.year)
    frame["active"] = frame["active"].where(~in_period, frame["active"].fillna(0)).astype("Int64")
    return frame


def undated_sites(db: Database, f: Filters) -> int:
    """Sites of the view's programme and regions without a joining date (left out of the years)."""
    years = queries.load_hub_years(db, f)
    return int(years.loc[years["year"].isna(), "opened"].sum())


def _capacity(frame: pd.DataFrame) -> pd.DataFrame:
    # Centres that never sent a class report have an unknown capacity, not a capacity of zero.
    reported = frame["reported"].fillna(False).astype(bool).to_numpy()
    trained = np.where(reported, frame["trained_3m"].astype("float64"), np.nan)
    frame["capacity"] = stats.share(trained, np.full(len(frame), stats.CAPACITY_MONTHS))
    frame["months_to_clear"] = np.where(reported, stats.months_to_clear(frame["waiting"], frame["capacity"]), np.nan)
    return frame


_CAPACITY_RATES = {"capacity": ["trained_3m"], "months_to_clear": ["waiting", "trained_3m"]}


def compute_waitlist_months(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """Per month up to the period's end: people `waiting` (all centres in view), `trained_3m`,
    `capacity` (trained_3m ÷ 3: people trained per month at those centres over the last three
    months; missing when none of them ever sent a class report) and `months_to_clear`
    (waiting ÷ capacity), protected.
    """
    frame = queries.load_waitlist_months(db, f)
    frame["month"] = pd.to_datetime(frame["month"])
    frame = _capacity(frame.astype({"waiting": "int64", "trained_3m": "int64"}))
    return protect(frame, ["waiting", "trained_3m"], rule, rates=_CAPACITY_RATES, keys=keys_of(["waiting", "trained_3m"]))


def compute_waitlist_latest(db: Database, f: Filters, rule: Rule, by: str = "region") -> pd.DataFrame:
    """The latest waiting list of each centre up to the period's end against its capacity, grouped
    `by` "centre" (hub-level detail), "region" or "all": waiting, trained_3m, capacity,
    months_to_clear (see compute_waitlist_months), latest `month` and `centres`; protected.
    """
    found = queries.load_waitlist_latest(db, f).astype({"waiting": "int64", "trained_3m": "int64"})
    if by == "centre":
        frame = found.assign(centres=1)
    else:
        groups = ["region_code"] if by == "region" else []
        frame = found.assign(all="all").groupby(groups or ["all"], as_index=False).agg(
            waiting=("waiting", "sum"), waiting_key=("waiting_key", stats.combine_keys),
            trained_3m=("trained_3m", "sum"), trained_3m_key=("trained_3m_key", stats.combine_keys),
            month=("month", "max"), centres=("hub_id", "count"), reported=("reported", "any"))
    frame = _capacity(frame)
    return protect(frame, ["waiting", "trained_3m"], rule, rates=_CAPACITY_RATES, keys=keys_of(["waiting", "trained_3m"]))


def compute_partners(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """Partners per type with an agreement by the period's end: `partners`, `staff_trained` (people,
    protected) and `staff_unknown` (partners that gave no figure); every type listed.
    """
    found = queries.load_partners(db, f)
    frame = pd.DataFrame({"partner_type": list(contract.PARTNER_TYPES)}).merge(found, on="partner_type", how="left")
    frame = frame.fillna({c: 0 for c in ("partners", "staff_trained", "staff_trained_key", "staff_unknown")})
    frame = frame.astype({"partners": "int64", "staff_unknown": "int64"})
    return protect(frame, ["staff_trained"], rule, keys=keys_of(["staff_trained"]))
