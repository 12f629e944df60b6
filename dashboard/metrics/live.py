"""Metric layer: the live source — every page figure computed on request from the cleaned extract (internal mode, tools).

A *source* is where the pages, the exports and the tools take a view's figures from. There are
two, with the same methods and the same frames: `Live` (this module: the metric functions over a
Database, protected with a privacy Rule; any filter) and `dashboard.release.source.Release` (a
protected release, read as it was written; the views it holds). The presentation and export
layers call a source's methods and never know which one they hold.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.filters import Filters, default_period, parse_date, spans_by_programme
from dashboard.metrics import map as map_metrics
from dashboard.metrics import gaps, network, overview, participation, progress, quality, skills
from dashboard.privacy import Rule
from dashboard.query import coverage as coverage_queries
from dashboard.query import participation as participation_queries
from dashboard.query import progress as progress_queries
from dashboard.query import quality as quality_queries
from dashboard.query import reference
from dashboard.release import grain
from dashboard.store.database import Database, load_report


class Live:
    """Figures of any view, computed from the extract `db` reads and protected with `rule`."""

    release = None  # not a release: figures are computed per request

    def __init__(self, db: Database, rule: Rule):
        self.db, self.rule = db, rule

    # ---- reference ---------------------------------------------------------------------------
    def regions(self) -> pd.DataFrame:
        return reference.load_regions(self.db)

    def regions_reference(self) -> pd.DataFrame:
        return reference.load_regions_reference(self.db)

    def programme_spans(self) -> pd.DataFrame:
        return reference.load_programme_spans(self.db)

    def phases(self, programme: str) -> list[str]:
        return reference.load_phases(self.db, programme)

    def report(self) -> dict:
        return load_report(self.db.folder)

    def quarantine(self) -> pd.DataFrame:
        return quality_queries.load_quarantine(self.db)

    def view(self, f: Filters) -> tuple[None, Filters, list[str]]:
        """Any filters are a view of their own: nothing changes, no notice."""
        return None, f, []

    def official(self, f: Filters) -> bool:
        """Live figures are not the published totals (those come from a release)."""
        return False

    # ---- the pages' figures ------------------------------------------------------------------
    def counts(self, f: Filters) -> pd.DataFrame:
        return overview.compute_counts(self.db, f, self.rule)

    def monthly(self, f: Filters) -> pd.DataFrame:
        return overview.compute_monthly(self.db, f, self.rule)

    def cumulative(self, f: Filters) -> pd.DataFrame:
        return participation.compute_cumulative(self.db, f, self.rule)

    def breakdown(self, f: Filters, dimension: str) -> pd.DataFrame:
        regions = reference.load_regions_reference(self.db) if dimension == "region" else None
        return participation.compute_breakdown(self.db, f, self.rule, dimension, regions=regions)

    def course_count(self, f: Filters) -> int:
        return participation_queries.count_courses(self.db, f)

    def cascade(self, f: Filters) -> pd.DataFrame:
        return participation.compute_cascade(self.db, f, self.rule)

    def ratings(self, f: Filters, segment: str | None = None) -> pd.DataFrame:
        return skills.compute_ratings(self.db, f, self.rule, segment)

    def group_ratings(self, f: Filters, areas: list[str]) -> pd.DataFrame:
        return gaps.compute_group_ratings(self.db, f, self.rule, areas)

    def distribution(self, f: Filters) -> pd.DataFrame:
        return skills.compute_distribution(self.db, f, self.rule)

    def digigram(self, f: Filters) -> pd.DataFrame:
        return skills.compute_digigram(self.db, f, self.rule)

    def network_years(self, f: Filters) -> pd.DataFrame:
        return network.compute_network_years(self.db, f)

    def undated_sites(self, f: Filters) -> int:
        return network.undated_sites(self.db, f)

    def waitlist_months(self, f: Filters) -> pd.DataFrame:
        return network.compute_waitlist_months(self.db, f, self.rule)

    def waitlist_latest(self, f: Filters, by: str) -> pd.DataFrame:
        return network.compute_waitlist_latest(self.db, f, self.rule, by)

    def partners(self, f: Filters) -> pd.DataFrame:
        return network.compute_partners(self.db, f, self.rule)

    def silent_hubs(self, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
        return quality.compute_silent_hubs(self.db, f)

    def regions_without_data(self, f: Filters) -> pd.DataFrame:
        return quality.compute_regions_without_data(self.db, f)

    def region_metrics(self, f: Filters) -> pd.DataFrame:
        return map_metrics.compute_region_metrics(self.db, f, self.rule)

    def hub_metrics(self, f: Filters) -> pd.DataFrame:
        return map_metrics.compute_hub_metrics(self.db, f, self.rule)

    def growth(self, programme: str) -> pd.DataFrame:
        return map_metrics.compute_growth(self.db, programme)

    def sites(self, f: Filters) -> pd.DataFrame:
        """Every site of the programme that had joined by the period's end: place and status."""
        return coverage_queries.load_sites(self.db, f.programme, f.end)

    def data_date(self) -> dt.date | None:
        return parse_date(str(self.report().get("data_date", "")))

    def held_periods(self, programme: str) -> dict[str, tuple[dt.date, dt.date]]:
        """The periods a release of this extract would hold for the programme (all time, phases,
        years, quarters, months): code -> (first day, last day), widest first."""
        dates, phases, _countries = spans_by_programme(self.programme_spans())
        if programme not in dates:
            return {}
        bounds = default_period(*dates[programme], self.data_date())
        return grain.periods(bounds, phases.get(programme, []))

    def targets(self, programme: str) -> pd.DataFrame:
        return progress_queries.load_targets(self.db, programme)

    def progress_actuals(self, f: Filters, areas: list[str]) -> pd.DataFrame:
        return progress.compute_actuals(self.db, f, self.rule, areas)

    def previous(self, f: Filters, data_start: dt.date) -> Filters | None:
        """The period of equal length just before `f`'s, when it lies within the data."""
        return f.previous() if overview.has_previous(f, data_start) else None
