"""Presentation layer: the caches — one typed function per figure, keyed by data version, view and privacy rule.

Each figure a page shows has a function here named after it, which calls its metric function
(one hop to `dashboard.metrics.<page>`) through a Streamlit cache keyed by the extract's version,
the filters and the privacy Rule, so a changed extract, view or protection never serves an old
figure. Chart specs are cached too: building an Altair chart and turning it into a spec costs
tens of milliseconds, so a rerun of an unchanged view (or another visitor's) reuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.filters import Filters
from dashboard.i18n import Translator, translator
from dashboard.metrics import map as map_metrics
from dashboard.metrics import network, overview, participation, quality, skills
from dashboard.privacy import Rule
from dashboard.query import participation as participation_queries
from dashboard.query import quality as quality_queries
from dashboard.query import reference
from dashboard.store.database import Database, load_report

if TYPE_CHECKING:
    from dashboard.ui.frame import Context

# Results are small aggregates (a few KB); 256 filter states per function stay well under
# a few MB, and the bound matters because expired entries are not freed (see NOTES.md).
CACHE_ENTRIES = 256
# A hub frame is ~6,000 rows: keep a few filter states, not the 256 of small aggregates.
HUB_CACHE_ENTRIES = 16

# Altair validates every schema object as it is created (its "debug mode"), a quarter of a
# chart's build; the app's charts are fixed code whose full specs the chart tests validate.
alt.utils.schemapi.disable_debug_mode()


# ---- the data -------------------------------------------------------------------------------

@st.cache_resource(max_entries=2, show_spinner=False)
def database(folder: str, version: str) -> Database:
    """The Database of an extract version (one connection per process and version)."""
    return Database(Path(folder))


@st.cache_data(max_entries=4, show_spinner=False)
def reference_tables(folder: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    """Regions, programme spans, the cleaning report and the quarantine counts of an extract."""
    db = database(folder, version)
    return (reference.load_regions(db), reference.load_programme_spans(db), load_report(Path(folder)),
            quality_queries.load_quarantine(db))


# ---- one function per figure ----------------------------------------------------------------
# The cached functions take the view's parts (they are the cache key); the public ones a Context.

@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _counts(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return overview.compute_counts(database(folder, version), f, rule)


def counts(ctx: Context, f: Filters | None = None) -> pd.DataFrame:
    """The Overview's figures of the view, or of `f` (metrics.overview.compute_counts)."""
    return _counts(ctx.folder, ctx.version, f or ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _monthly(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return overview.compute_monthly(database(folder, version), f, rule)


def monthly(ctx: Context) -> pd.DataFrame:
    """People and activities per month (metrics.overview.compute_monthly)."""
    return _monthly(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cumulative(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return participation.compute_cumulative(database(folder, version), f, rule)


def cumulative(ctx: Context) -> pd.DataFrame:
    """People trained so far, by month (metrics.participation.compute_cumulative)."""
    return _cumulative(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _breakdown(folder: str, version: str, f: Filters, rule: Rule, dimension: str) -> pd.DataFrame:
    db = database(folder, version)
    regions = reference.load_regions_reference(db) if dimension == "region" else None
    return participation.compute_breakdown(db, f, rule, dimension, regions=regions)


def breakdown(ctx: Context, dimension: str) -> pd.DataFrame:
    """People per value of a breakdown (metrics.participation.compute_breakdown)."""
    return _breakdown(ctx.folder, ctx.version, ctx.filters, ctx.rule, dimension)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _course_count(folder: str, version: str, f: Filters) -> int:
    return participation_queries.count_courses(database(folder, version), f)


def course_count(ctx: Context) -> int:
    """How many different course titles the view has (query.participation.count_courses)."""
    return _course_count(ctx.folder, ctx.version, ctx.filters)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cascade(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return participation.compute_cascade(database(folder, version), f, rule)


def cascade(ctx: Context) -> pd.DataFrame:
    """The training cascade per region and phase (metrics.participation.compute_cascade)."""
    return _cascade(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _phases(folder: str, version: str, programme: str) -> list[str]:
    return reference.load_phases(database(folder, version), programme)


def phases(ctx: Context) -> list[str]:
    """The programme's project phases (query.reference.load_phases)."""
    return _phases(ctx.folder, ctx.version, ctx.filters.programme)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _ratings(folder: str, version: str, f: Filters, rule: Rule, segment: str | None) -> pd.DataFrame:
    return skills.compute_ratings(database(folder, version), f, rule, segment)


def ratings(ctx: Context, segment: str | None = None) -> pd.DataFrame:
    """Self-rating figures, per value of `segment` or of everyone (metrics.skills.compute_ratings)."""
    return _ratings(ctx.folder, ctx.version, ctx.filters, ctx.rule, segment)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _distribution(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return skills.compute_distribution(database(folder, version), f, rule)


def distribution(ctx: Context) -> pd.DataFrame:
    """Self-ratings 1–10 before and after (metrics.skills.compute_distribution)."""
    return _distribution(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _digigram(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return skills.compute_digigram(database(folder, version), f, rule)


def digigram(ctx: Context) -> pd.DataFrame:
    """Digigram scores per area and stage (metrics.skills.compute_digigram)."""
    return _digigram(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _network_years(folder: str, version: str, f: Filters) -> pd.DataFrame:
    return network.compute_network_years(database(folder, version), f)


def network_years(ctx: Context) -> pd.DataFrame:
    """Sites opened, in the network and active by year (metrics.network.compute_network_years)."""
    return _network_years(ctx.folder, ctx.version, ctx.filters)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _undated_sites(folder: str, version: str, f: Filters) -> int:
    return network.undated_sites(database(folder, version), f)


def undated_sites(ctx: Context) -> int:
    """Sites without a joining date (metrics.network.undated_sites)."""
    return _undated_sites(ctx.folder, ctx.version, ctx.filters)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _waitlist_months(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return network.compute_waitlist_months(database(folder, version), f, rule)


def waitlist_months(ctx: Context) -> pd.DataFrame:
    """The waiting list by month against capacity (metrics.network.compute_waitlist_months)."""
    return _waitlist_months(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _waitlist_latest(folder: str, version: str, f: Filters, rule: Rule, by: str) -> pd.DataFrame:
    return network.compute_waitlist_latest(database(folder, version), f, rule, by)


def waitlist_latest(ctx: Context, by: str) -> pd.DataFrame:
    """The latest waiting list per centre, region or all (metrics.network.compute_waitlist_latest)."""
    return _waitlist_latest(ctx.folder, ctx.version, ctx.filters, ctx.rule, by)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _partners(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return network.compute_partners(database(folder, version), f, rule)


def partners(ctx: Context) -> pd.DataFrame:
    """Partners per type with the staff trained (metrics.network.compute_partners)."""
    return _partners(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _silent_hubs(folder: str, version: str, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    return quality.compute_silent_hubs(database(folder, version), f)


def silent_hubs(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Active hubs that sent no report, per region and each (metrics.quality.compute_silent_hubs)."""
    return _silent_hubs(ctx.folder, ctx.version, ctx.filters)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _regions_without_data(folder: str, version: str, f: Filters) -> pd.DataFrame:
    return quality.compute_regions_without_data(database(folder, version), f)


def regions_without_data(ctx: Context) -> pd.DataFrame:
    """Regions with nothing reported, and why (metrics.quality.compute_regions_without_data)."""
    return _regions_without_data(ctx.folder, ctx.version, ctx.filters)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _region_metrics(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return map_metrics.compute_region_metrics(database(folder, version), f, rule)


def region_metrics(ctx: Context, f: Filters) -> pd.DataFrame:
    """Every region's map figures (metrics.map.compute_region_metrics)."""
    return _region_metrics(ctx.folder, ctx.version, f, ctx.rule)


@st.cache_data(max_entries=HUB_CACHE_ENTRIES, show_spinner=False)
def _hub_metrics(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return map_metrics.compute_hub_metrics(database(folder, version), f, rule)


def hub_metrics(ctx: Context, f: Filters) -> pd.DataFrame:
    """Every hub's map figures (metrics.map.compute_hub_metrics)."""
    return _hub_metrics(ctx.folder, ctx.version, f, ctx.rule)


@st.cache_data(max_entries=8, show_spinner=False)
def _growth(folder: str, version: str, programme: str) -> pd.DataFrame:
    return map_metrics.compute_growth(database(folder, version), programme)


def growth(ctx: Context) -> pd.DataFrame:
    """Sites of the programme by joining year (metrics.map.compute_growth)."""
    return _growth(ctx.folder, ctx.version, ctx.filters.programme)


# ---- chart specs ----------------------------------------------------------------------------

@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _spec(name: str, lang: str, k: int | None, frame: pd.DataFrame, kwargs: dict,
          _builder: Callable[..., alt.TopLevelMixin]) -> dict:
    # Keyed by the builder's name (a function object is not a stable cache key); not validated
    # against the Vega-Lite schema here (a third of the time): the chart tests validate every
    # builder's output.
    return _builder(frame, translator(lang, k), **kwargs).to_dict(validate=False)


def chart(builder: Callable[..., alt.TopLevelMixin], tr: Translator, frame: pd.DataFrame, **kwargs: object) -> dict:
    """The Vega-Lite spec of `builder(frame, tr, **kwargs)` (a builder of dashboard.charts)."""
    return _spec(f"{builder.__module__}.{builder.__qualname__}", tr.lang, tr.k, frame, kwargs, _builder=builder)
