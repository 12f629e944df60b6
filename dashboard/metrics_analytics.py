"""Metric layer of the analytics pages: participation, cascade, skills, network and data quality.

Each `compute_*` returns a small frame that is safe to show: counts of people pass through
`privacy.protect` once, with rates, shares, means and intervals computed from the exact counts
first and hidden where a count they rest on is suppressed. Counts of places (hubs, partners,
regions) and of raw rows are shown exactly, as on the Overview.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard import contract, query, stats
from dashboard import query_analytics as qa
from dashboard.filters import SEGMENTS, Filters, phase_range
from dashboard.privacy import protect

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
# Self-rating counts of load_rating_summary, and the shares built on them: share -> (part, whole).
RATING_COUNTS = ("n_pre", "pre_high", "pre_low", "n_post", "post_high", "post_low", "n_both")
RATING_SHARES = {
    "pre_high_share": ("pre_high", "n_pre"), "pre_low_share": ("pre_low", "n_pre"),
    "post_high_share": ("post_high", "n_post"), "post_low_share": ("post_low", "n_post"),
    "completion": ("n_both", "n_pre"),
}
RATING_MEANS = {"pre_mean": ("n_pre",), "post_mean": ("n_post",), "gain_mean": ("n_both",)}
SCORES = tuple(range(1, 11))
# Per 100,000 residents: the unit regional statistics are published in.
PER_POPULATION = 100_000
# Vocabularies a breakdown fills in, so a value nobody chose shows as 0, not as a gap.
_VOCABULARIES = {"topic": contract.TOPICS, "format": contract.FORMATS,
                 **{name: vocab for name, (_column, vocab) in SEGMENTS.items()}}


def _keys(columns: Sequence[str]) -> dict[str, str]:
    return {c: f"{c}_key" for c in columns}


def _protect_with_intervals(frame: pd.DataFrame, counts: Sequence[str], rates: dict[str, Sequence[str]],
                            k: int | None) -> pd.DataFrame:
    """protect(), where every rate's `_lo`/`_hi` interval columns hide together with the rate."""
    full = dict(rates)
    for rate, bases in rates.items():
        for end in ("_lo", "_hi"):
            if f"{rate}{end}" in frame.columns:
                full[f"{rate}{end}"] = bases
    return protect(frame, counts, k=k, rates=full, keys=_keys(counts))


# ---- participation --------------------------------------------------------------------------

def _month_grid(f: Filters) -> pd.DataFrame:
    start = pd.Timestamp(f.start).to_period("M").to_timestamp()
    return pd.DataFrame({"month": pd.date_range(start, pd.Timestamp(f.end), freq="MS")})


def compute_cumulative(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """People trained from the period's start to the end of each month (`people_total`) and those
    new in the month (`new_people`), protected; every month of the period, none skipped.

    The last month's total is the Overview's "people trained": each person counts once, in the
    month of their first activity in the view.
    """
    found = qa.load_new_people(db, f)
    found["month"] = pd.to_datetime(found["month"])
    grid = _month_grid(f).merge(found, on="month", how="left").fillna({"new_people": 0, "new_people_key": 0})
    grid = stats.cumulative(grid, "new_people", "new_people_key").rename(
        columns={"new_people_total": "people_total", "new_people_total_key": "people_total_key"})
    return protect(grid, ["new_people", "people_total"], k=k, keys=_keys(["new_people", "people_total"]))


def compute_breakdown(db: query.Database, f: Filters, dimension: str, k: int | None = None,
                      regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """People, activities and hubs per value of `dimension` (qa.BREAKDOWNS), protected, largest first.

    Vocabulary dimensions list every value (0 when nobody); `region` adds `population` and
    `per_100k` (people per 100,000 residents) when `regions` (qa.load_regions_reference) is given.
    """
    found = qa.load_breakdown(db, f, dimension)
    if dimension in _VOCABULARIES:
        found = pd.DataFrame({"value": list(_VOCABULARIES[dimension])}).merge(found, on="value", how="left")
        found = found.fillna({c: 0 for c in ("people", "people_key", "activities", "activities_key", "hubs")})
    rates = {}
    if dimension == "region" and regions is not None:
        found = found.merge(regions[["region_code", "population"]].rename(columns={"region_code": "value"}),
                            on="value", how="left")
        found["per_100k"] = stats.share(found["people"], found["population"]) * PER_POPULATION
        rates["per_100k"] = ["people"]
    found["hubs"] = found["hubs"].astype("int64")
    out = protect(found, ["people", "activities"], k=k, rates=rates, keys=_keys(["people", "activities"]))
    # A hidden count is 1..k-1 people: it ranks below every shown count and above zero.
    order = pd.to_numeric(out["people"], errors="coerce").astype("float64").fillna(0.5)
    return out.assign(_order=order).sort_values(["_order", "value"], ascending=[False, True]) \
        .drop(columns="_order").reset_index(drop=True)


# ---- the training cascade -------------------------------------------------------------------

def phase_spans(phases: Sequence[str]) -> list[tuple[str, dt.date, dt.date]]:
    """The calendar span of each phase that has one (`2022–2023` → 2022-01-01 .. 2023-12-31)."""
    out = []
    for phase in phases:
        span = phase_range(phase)
        if span is not None:
            out.append((phase, *span))
    return out


def compute_cascade(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """The cascade per region and phase, protected: one row per (region_code, phase), where a
    missing region_code is all regions and a missing phase all phases.

    Columns: trainers (regional trainers who completed), coordinators (hub coordinators who
    completed), hubs (hubs with an activity), people (people trained); the ratios of
    CASCADE_RATIOS. The all-regions, all-phases row equals the Overview's figures.
    """
    spans = phase_spans(qa.load_phases(db, f.programme))
    trainings = qa.load_cascade_trainings(db, f)
    reach = qa.load_cascade_reach(db, f, spans)
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
    out = protect(frame, CASCADE_PEOPLE, k=k, rates=bases, keys=_keys(CASCADE_PEOPLE))
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


# ---- skills ---------------------------------------------------------------------------------

def compute_ratings(db: query.Database, f: Filters, segment: str | None = None, k: int | None = None) -> pd.DataFrame:
    """Self-rating figures of the view, per value of `segment` (query-string name) or one `all` row.

    Protected counts RATING_COUNTS; shares RATING_SHARES (0..1) each with a 95% Wilson interval
    (`_lo`, `_hi`); means pre_mean, post_mean and gain_mean (post − pre of people with both, with a
    95% t interval); completion = n_both / n_pre. Rates hide where a count they rest on is hidden.
    """
    values = list(SEGMENTS[segment][1]) if segment else ["all"]
    found = pd.DataFrame({"value": values}).merge(qa.load_rating_summary(db, f, segment), on="value", how="left")
    for column in RATING_COUNTS:
        found[column] = found[column].fillna(0).astype("int64")
        found[f"{column}_key"] = found[f"{column}_key"].fillna(0).astype("int64")
    for column in ("pre_mean", "post_mean", "gain_mean", "gain_sd"):
        found[column] = pd.to_numeric(found[column], errors="coerce").astype("float64")
    for name, (part, whole) in RATING_SHARES.items():
        found = stats.add_share(found, name, part, whole)
    found = stats.add_mean_ci(found, "gain_mean", "n_both", "gain_sd")
    rates = {name: list(pair) for name, pair in RATING_SHARES.items()}
    rates |= {name: list(bases) for name, bases in RATING_MEANS.items()}
    rates["gain_sd"] = ["n_both"]
    return _protect_with_intervals(found, RATING_COUNTS, rates, k)


def compute_distribution(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """People per stage (`pre`, `post`) and self-rating 1–10, with `share` of the stage's raters
    (hidden where the score's count or the stage's total is suppressed); every score listed.
    """
    found = qa.load_rating_distribution(db, f)
    grid = pd.MultiIndex.from_product([list(contract.STAGES), list(SCORES)], names=["stage", "score"]).to_frame(index=False)
    frame = grid.merge(found, on=["stage", "score"], how="left").fillna({"people": 0, "people_key": 0})
    frame = frame.astype({"people": "int64", "people_key": "int64"})
    totals = frame.groupby("stage").agg(raters=("people", "sum"), raters_key=("people_key", stats.combine_keys))
    frame = frame.merge(totals, on="stage")
    frame["share"] = stats.share(frame["people"], frame["raters"])
    return protect(frame, ["people", "raters"], k=k, rates={"share": ["people", "raters"]},
                   keys=_keys(["people", "raters"]))


def compute_digigram(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """Digigram scores per area and stage: `people` tested (protected) and `mean` (percent) with
    its 95% t interval, hidden where `people` is suppressed; every area and stage listed.
    """
    found = qa.load_digigram(db, f)
    grid = pd.MultiIndex.from_product([list(contract.AREAS), list(contract.STAGES)], names=["area", "stage"]).to_frame(index=False)
    frame = grid.merge(found, on=["area", "stage"], how="left").fillna({"people": 0, "people_key": 0})
    frame = frame.astype({"people": "int64", "people_key": "int64", "mean": "float64", "sd": "float64"})
    frame = stats.add_mean_ci(frame, "mean", "people", "sd")
    return _protect_with_intervals(frame, ["people"], {"mean": ["people"], "sd": ["people"]}, k)


# ---- network and capacity -------------------------------------------------------------------

def compute_network_years(db: query.Database, f: Filters) -> pd.DataFrame:
    """Sites per year from the first opening to the period's end: `opened` that year, `in_network`
    (opened by the year's end, those closed since included: the registry has no closing date) and
    `active` (sites with an activity in the view that year; missing for years outside the period).
    """
    years = qa.load_hub_years(db, f)
    dated = years.dropna(subset=["year"]).astype({"year": "int64"})
    active = qa.load_active_hubs_by_year(db, f).astype({"year": "int64"})
    first = min([*dated["year"].tolist(), *active["year"].tolist(), f.start.year])
    frame = pd.DataFrame({"year": range(first, f.end.year + 1)})
    frame = frame.merge(dated[["year", "opened"]], on="year", how="left").fillna({"opened": 0})
    frame["opened"] = frame["opened"].astype("int64")
    frame["in_network"] = frame["opened"].cumsum()
    frame = frame.merge(active, on="year", how="left")
    in_period = frame["year"].between(f.start.year, f.end.year)
    frame["active"] = frame["active"].where(~in_period, frame["active"].fillna(0)).astype("Int64")
    return frame


def undated_sites(db: query.Database, f: Filters) -> int:
    """Sites of the view's programme and regions without a joining date (left out of the years)."""
    years = qa.load_hub_years(db, f)
    return int(years.loc[years["year"].isna(), "opened"].sum())


def _capacity(frame: pd.DataFrame) -> pd.DataFrame:
    # Centres that never sent a class report have an unknown capacity, not a capacity of zero.
    reported = frame["reported"].fillna(False).astype(bool).to_numpy()
    trained = np.where(reported, frame["trained_3m"].astype("float64"), np.nan)
    frame["capacity"] = stats.share(trained, np.full(len(frame), stats.CAPACITY_MONTHS))
    frame["months_to_clear"] = np.where(reported, stats.months_to_clear(frame["waiting"], frame["capacity"]), np.nan)
    return frame


_CAPACITY_RATES = {"capacity": ["trained_3m"], "months_to_clear": ["waiting", "trained_3m"]}


def compute_waitlist_months(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """Per month up to the period's end: people `waiting` (all centres in view), `trained_3m`,
    `capacity` (trained_3m ÷ 3: people trained per month at those centres over the last three
    months; missing when none of them ever sent a class report) and `months_to_clear`
    (waiting ÷ capacity), protected.
    """
    frame = qa.load_waitlist_months(db, f)
    frame["month"] = pd.to_datetime(frame["month"])
    frame = _capacity(frame.astype({"waiting": "int64", "trained_3m": "int64"}))
    return protect(frame, ["waiting", "trained_3m"], k=k, rates=_CAPACITY_RATES, keys=_keys(["waiting", "trained_3m"]))


def compute_waitlist_latest(db: query.Database, f: Filters, by: str = "region", k: int | None = None) -> pd.DataFrame:
    """The latest waiting list of each centre up to the period's end against its capacity, grouped
    `by` "centre" (hub-level detail), "region" or "all": waiting, trained_3m, capacity,
    months_to_clear (see compute_waitlist_months), latest `month` and `centres`; protected.
    """
    found = qa.load_waitlist_latest(db, f).astype({"waiting": "int64", "trained_3m": "int64"})
    if by == "centre":
        frame = found.assign(centres=1)
    else:
        groups = ["region_code"] if by == "region" else []
        frame = found.assign(all="all").groupby(groups or ["all"], as_index=False).agg(
            waiting=("waiting", "sum"), waiting_key=("waiting_key", stats.combine_keys),
            trained_3m=("trained_3m", "sum"), trained_3m_key=("trained_3m_key", stats.combine_keys),
            month=("month", "max"), centres=("hub_id", "count"), reported=("reported", "any"))
    frame = _capacity(frame)
    return protect(frame, ["waiting", "trained_3m"], k=k, rates=_CAPACITY_RATES, keys=_keys(["waiting", "trained_3m"]))


def compute_partners(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """Partners per type with an agreement by the period's end: `partners`, `staff_trained` (people,
    protected) and `staff_unknown` (partners that gave no figure); every type listed.
    """
    found = qa.load_partners(db, f)
    frame = pd.DataFrame({"partner_type": list(contract.PARTNER_TYPES)}).merge(found, on="partner_type", how="left")
    frame = frame.fillna({c: 0 for c in ("partners", "staff_trained", "staff_trained_key", "staff_unknown")})
    frame = frame.astype({"partners": "int64", "staff_unknown": "int64"})
    return protect(frame, ["staff_trained"], k=k, keys=_keys(["staff_trained"]))


# ---- data quality ---------------------------------------------------------------------------

def compute_silent_hubs(db: query.Database, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Active hubs that reported nothing in the period: per region (`active_hubs`, `silent`,
    `silent_share`) for regions with active hubs, and the list of those hubs (hub-level detail).
    """
    silent = qa.load_silent_hubs(db, f)
    regions = qa.load_region_activity(db, f)
    per_region = regions[["region_code", "active_hubs"]].merge(
        silent.groupby("region_code").size().rename("silent").reset_index(), on="region_code", how="left")
    per_region["silent"] = per_region["silent"].fillna(0).astype("int64")
    per_region = per_region[per_region["active_hubs"] > 0].copy()
    per_region["silent_share"] = stats.share(per_region["silent"], per_region["active_hubs"])
    per_region = per_region.sort_values(["silent_share", "region_code"], ascending=[False, True], ignore_index=True)
    return per_region, silent


def compute_regions_without_data(db: query.Database, f: Filters) -> pd.DataFrame:
    """Regions of the view with no activity reported in the period, and why it may be: `reason`
    `occupied` (the whole region is occupied), `no_hubs` (none in the registry), `not_yet` (no
    active hub had joined by the period's end) or `no_reports` (active hubs sent none).
    """
    regions = qa.load_region_activity(db, f)
    empty = regions[regions["activities"] == 0].copy()
    empty["reason"] = np.select([empty["occupation"] == "full", empty["hubs"] == 0, empty["active_hubs"] == 0],
                                ["occupied", "no_hubs", "not_yet"], "no_reports")
    return empty.reset_index(drop=True)


def extract_times(folder, report: dict) -> pd.DataFrame:
    """When each cleaned table was written (`written`) and its rows (`rows`, from the report)."""
    files = qa.extract_files(folder)
    tables = (report or {}).get("tables") or {}
    files["table"] = files["file"].str.removesuffix(".parquet")
    # The quarantine's rows are the report's `quarantined` total; the report itself has none.
    counts = {**tables, "quarantine": (report or {}).get("quarantined")}
    files["rows"] = pd.array([counts.get(t) if isinstance(counts.get(t), int) else None
                              for t in files["table"]], dtype="Int64")
    return files[["file", "table", "rows", "written"]]
