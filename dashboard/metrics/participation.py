"""Metric layer of the Participation page: running totals, breakdowns and the training cascade, protected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from dashboard import contract, indicators, stats
from dashboard.filters import SEGMENTS, Filters, phase_range
from dashboard.privacy import Rule, keys_of, protect
from dashboard.query import participation as queries
from dashboard.query import reference
from dashboard.store.database import Database

# Stages of the training cascade, top to bottom. National trainers are not in the cleaned
# extracts (the trainings table starts at regional trainers); the stage is kept so the table
# says so instead of silently starting lower.
CASCADE_STAGES = ("national_trainers", "trainers", "coordinators", "hubs", "people")
CASCADE_PEOPLE = ("trainers", "coordinators", "people")
# Ratios between neighbouring stages and the counts each rests on.
CASCADE_RATIOS = {
    "coordinators_per_trainer": ("coordinators", "trainers"),
    "hubs_per_coordinator": ("hubs", "coordinators"),
    "people_per_hub": ("people", "hubs"),
}
# Vocabularies a breakdown fills in, so a value nobody chose shows as 0, not as a gap.
_VOCABULARIES = {"topic": contract.TOPICS, "format": contract.FORMATS,
                 **{name: vocab for name, (_column, vocab) in SEGMENTS.items()}}


def _month_grid(f: Filters) -> pd.DataFrame:
    start = pd.Timestamp(f.start).to_period("M").to_timestamp()
    return pd.DataFrame({"month": pd.date_range(start, pd.Timestamp(f.end), freq="MS")})


def compute_cumulative(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """People trained from the period's start to the end of each month (`people_total`) and those
    new in the month (`new_people`), protected; every month of the period, none skipped.

    The last month's total is the Overview's "people trained": each person counts once, in the
    month of their first activity in the view.
    """
    found = queries.load_new_people(db, f)
    found["month"] = pd.to_datetime(found["month"])
    grid = _month_grid(f).merge(found, on="month", how="left").fillna({"new_people": 0, "new_people_key": 0})
    grid = stats.cumulative(grid, "new_people", "new_people_key").rename(
        columns={"new_people_total": "people_total", "new_people_total_key": "people_total_key"})
    return protect(grid, ["new_people", "people_total"], rule, keys=keys_of(["new_people", "people_total"]))


def compute_breakdown(db: Database, f: Filters, rule: Rule, dimension: str,
                      regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """People, activities and hubs per value of `dimension` (queries.BREAKDOWNS), protected, largest first.

    Vocabulary dimensions list every value (0 when nobody); `region` adds `population` and
    `people_per_10k` (people per 10,000 residents) when `regions` (reference.load_regions_reference) is given.
    """
    found = queries.load_breakdown(db, f, dimension)
    if dimension in _VOCABULARIES:
        found = pd.DataFrame({"value": list(_VOCABULARIES[dimension])}).merge(found, on="value", how="left")
        found = found.fillna({c: 0 for c in ("people", "people_key", "activities", "activities_key", "hubs")})
    rates = {}
    if dimension == "region" and regions is not None:
        found = found.merge(regions[["region_code", "population"]].rename(columns={"region_code": "value"}),
                            on="value", how="left")
        found["people_per_10k"] = stats.per_residents(found["people"], found["population"],
                                                      indicators.PEOPLE_PER_RESIDENTS)
        rates["people_per_10k"] = ["people"]
    found["hubs"] = found["hubs"].astype("int64")
    out = protect(found, ["people", "activities"], rule, rates=rates, keys=keys_of(["people", "activities"]))
    # A hidden count is 1..k-1 people: it ranks below every shown count and above zero.
    order = pd.to_numeric(out["people"], errors="coerce").astype("float64").fillna(0.5)
    return out.assign(_order=order).sort_values(["_order", "value"], ascending=[False, True]) \
        .drop(columns="_order").reset_index(drop=True)


def phase_spans(phases: Sequence[str]) -> list[tuple[str, dt.date, dt.date]]:
    """The calendar span of each phase that has one (`2022–2023` → 2022-01-01 .. 2023-12-31)."""
    out = []
    for phase in phases:
        span = phase_range(phase)
        if span is not None:
            out.append((phase, *span))
    return out


def compute_cascade(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """The cascade per region and phase, protected: one row per (region_code, phase), where a
    missing region_code is all regions and a missing phase all phases.

    Columns: trainers (regional trainers who completed), coordinators (hub coordinators who
    completed), hubs (hubs with an activity), people (people trained); the ratios of
    CASCADE_RATIOS. The all-regions, all-phases row equals the Overview's figures.
    """
    spans = phase_spans(reference.load_phases(db, f.programme))
    trainings = queries.load_cascade_trainings(db, f)
    reach = queries.load_cascade_reach(db, f, spans)
    reach = reach[(reach["all_phases"] == 1) | reach["phase"].notna()]  # outside every phase: totals only
    rows: dict[tuple, dict] = {}

    def row(region, phase) -> dict:
        return rows.setdefault((region, phase), {"region_code": region, "phase": phase, **{
            c: 0 for c in ("trainers", "trainers_key", "coordinators", "coordinators_key",
                           "hubs", "people", "people_key")}})

    for r in reach.itertuples(index=False):
        cell = row(None if r.all_regions else r.region_code, None if r.all_phases else r.phase)
        cell.update(hubs=int(r.hubs), people=int(r.people), people_key=int(r.people_key))
    for t in trainings.itertuples(index=False):
        stage = "trainers" if t.level == "trainer" else "coordinators"
        for cell in (row(t.region_code, t.phase), row(t.region_code, None), row(None, t.phase), row(None, None)):
            cell[stage] += int(t.completed)
            cell[f"{stage}_key"] = stats.combine_keys([cell[f"{stage}_key"], int(t.completed_key)])
    frame = pd.DataFrame(list(rows.values()) or [row(None, None)],
                         columns=["region_code", "phase", "trainers", "trainers_key", "coordinators",
                                  "coordinators_key", "hubs", "people", "people_key"])
    for ratio, (top, bottom) in CASCADE_RATIOS.items():
        frame[ratio] = stats.share(frame[top], frame[bottom])
    bases = {ratio: [c for c in pair if c in CASCADE_PEOPLE] for ratio, pair in CASCADE_RATIOS.items()}
    out = protect(frame, CASCADE_PEOPLE, rule, rates=bases, keys=keys_of(CASCADE_PEOPLE))
    out["national_trainers"] = pd.array([pd.NA] * len(out), dtype="Int64")  # not recorded
    return out.sort_values(["region_code", "phase"], na_position="first", ignore_index=True)


def funnel(cascade: pd.DataFrame, phase: str | None = None, region: str | None = None) -> pd.DataFrame:
    """One cascade row as a funnel: `stage`, `value` and `ratio` (value ÷ the stage above it)."""
    pick = cascade[(cascade["phase"].isna() if phase is None else cascade["phase"] == phase)
                   & (cascade["region_code"].isna() if region is None else cascade["region_code"] == region)]
    values = [pd.NA] * len(CASCADE_STAGES) if pick.empty else [pick.iloc[0][s] for s in CASCADE_STAGES]
    ratios = stats.stage_ratios([None if pd.isna(v) else float(v) for v in values])
    return pd.DataFrame({"stage": list(CASCADE_STAGES), "value": pd.array(values, dtype="Int64"),
                         "ratio": pd.array(ratios, dtype="Float64")})
