"""Metric layer of the Overview: the view's figures from query results, protected before they leave."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import indicators, stats
from dashboard.filters import Filters
from dashboard.privacy import Rule, keys_of, protect
from dashboard.query import overview as queries
from dashboard.store.database import Database

# The Overview's figures (indicators), in the order of compute_counts' columns.
FIGURES = ("people", "activities", "hubs", "regions", "library_share", "coordinators",
           "pre_people", "pre_7_10", "post_people", "post_7_10", "share_before", "share_after", "change_pp")
PEOPLE_COUNTS = indicators.people_counts(FIGURES)
RATES = indicators.rates(FIGURES)
# KPI cards of the Overview, in display order (indicator keys); the last is drawn as one
# before → after card of the shares rating 7–10.
KPI_CARDS = ("hubs", "library_share", "people", "activities", "coordinators", "regions", "share_after")
BEFORE_AFTER = "share_after"
# The cards of a programme whose data record only its network (no class, nobody trained).
NETWORK_CARDS = ("library_hubs", "library_share")


def compute_counts(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """One protected row of every Overview figure (FIGURES; see dashboard.indicators).

    Columns: people, activities, hubs, regions (of the activities in the view); library_hubs,
    public_libraries, library_share (0..1); coordinators (completed coordinator training);
    pre_people / pre_7_10 and post_people / post_7_10 (people with an overall self-rating before
    / after, and those at 7–10); share_before, share_after (0..1) and change_pp (after − before,
    as a fraction: 0.05 = 5 percentage points).
    """
    totals = queries.load_activity_totals(db, f).iloc[0]
    cover = queries.load_library_coverage(db, f).iloc[0]
    coordinators = queries.load_coordinators(db, f).iloc[0]
    ratings = queries.load_self_ratings(db, f).set_index("stage")

    def rating(stage: str, column: str) -> int:
        return int(ratings.loc[stage, column]) if stage in ratings.index else 0

    row = {
        "people": int(totals["people"]),
        "activities": int(totals["activities"]),
        "people_key": int(totals["people_key"]),
        "activities_key": int(totals["activities_key"]),
        "coordinators_key": int(coordinators["completed_key"]),
        "pre_people_key": rating("pre", "people_key"),
        "pre_7_10_key": rating("pre", "people_7_10_key"),
        "post_people_key": rating("post", "people_key"),
        "post_7_10_key": rating("post", "people_7_10_key"),
        "hubs": int(totals["hubs"]),
        "regions": int(totals["regions"]),
        "library_hubs": int(cover["library_hubs"]),
        "public_libraries": None if pd.isna(cover["public_libraries"]) else int(cover["public_libraries"]),
        "coordinators": int(coordinators["completed"]),
        "pre_people": rating("pre", "people"),
        "pre_7_10": rating("pre", "people_7_10"),
        "post_people": rating("post", "people"),
        "post_7_10": rating("post", "people_7_10"),
    }
    row["library_share"] = stats.ratio(row["library_hubs"], row["public_libraries"])
    row["share_before"] = stats.ratio(row["pre_7_10"], row["pre_people"])
    row["share_after"] = stats.ratio(row["post_7_10"], row["post_people"])
    row["change_pp"] = row["share_after"] - row["share_before"]
    return protect(pd.DataFrame([row]), PEOPLE_COUNTS, rule, rates=RATES, keys=keys_of(PEOPLE_COUNTS))


def is_empty(counts: pd.DataFrame) -> bool:
    """True when the view has no activity at all (zero people, not a suppressed small number)."""
    people = counts.iloc[0]["people"]
    return not pd.isna(people) and int(people) == 0


def compute_kpis(current: pd.DataFrame, previous: pd.DataFrame | None,
                 cards: tuple[str, ...] = KPI_CARDS) -> pd.DataFrame:
    """The KPI cards (`cards`, by default KPI_CARDS) from two compute_counts rows (previous None =
    no comparable period).

    Columns: kpi (indicator key), kind (the indicator's kind, `before_after` for the skills card),
    value, previous, change. For counts the change is value − previous; for shares it is in
    fractions (0.05 = 5 pp); for `before_after` `previous` holds the share before training and
    `change` is after − before.
    """
    now = current.iloc[0]
    before = previous.iloc[0] if previous is not None else None
    rows = []
    for key in cards:
        value = now[key]
        if key == BEFORE_AFTER:
            rows.append({"kpi": key, "kind": "before_after", "value": value,
                         "previous": now["share_before"], "change": now["change_pp"]})
            continue
        last = before[key] if before is not None else pd.NA
        change = value - last if not (pd.isna(value) or pd.isna(last)) else pd.NA
        rows.append({"kpi": key, "kind": indicators.INDICATORS[key].kind, "value": value, "previous": last,
                     "change": change})
    return pd.DataFrame(rows)


def has_previous(f: Filters, data_start: dt.date) -> bool:
    """Whether the period before `f` of the same length lies within the data (else no comparison)."""
    return f.previous().start >= data_start


def compute_monthly(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """People and activities in every month of the view, protected (1..k-1 people become missing)."""
    found = queries.load_monthly(db, f)
    found["month"] = pd.to_datetime(found["month"])
    # Every month of the period, so a month without classes shows as zero, not as a gap.
    months = pd.DataFrame({"month": pd.date_range(pd.Timestamp(f.start).to_period("M").to_timestamp(),
                                                  pd.Timestamp(f.end), freq="MS")})
    monthly = months.merge(found, on="month", how="left").fillna(
        {"people": 0, "activities": 0, "people_key": 0, "activities_key": 0})
    return protect(monthly, ["people", "activities"], rule, keys=keys_of(["people", "activities"]))


def widen_suggestions(f: Filters, full_period: tuple[dt.date, dt.date]) -> list[str]:
    """Catalogue keys of what to widen when the view has no data (most promising first)."""
    keys = []
    if f.segment():
        keys.append("empty.segment")
    if f.regions:
        keys.append("empty.regions")
    if (f.start, f.end) != tuple(full_period):
        keys.append("empty.period")
    return keys or ["empty.programme"]
