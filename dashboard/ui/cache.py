"""Presentation layer: the caches — one typed function per figure, keyed by data version, view and privacy rule.

Each figure a page shows has a function here named after it, which asks the view's source for it
(one hop to `dashboard.metrics.live.Live`, the metric functions over the extract, or to
`dashboard.release.source.Release`, a protected release) through a Streamlit cache keyed by the
source's folder and version, the filters and the privacy Rule, so a changed extract or release,
view or protection never serves an old figure. Chart specs are cached too: building an Altair chart and turning it into a spec costs
tens of milliseconds, so a rerun of an unchanged view (or another visitor's) reuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.export import coverage as coverage_figures
from dashboard.export import gaps as gap_figures
from dashboard.filters import Filters
from dashboard.i18n import Translator, translator
from dashboard.metrics import quality as quality_metrics
from dashboard.metrics.coverage import Coverage
from dashboard.metrics.live import Live
from dashboard.privacy import Rule
from dashboard.release.source import Release
from dashboard.release.tables import is_release
from dashboard.store.database import Database

if TYPE_CHECKING:
    from dashboard.ui.context import Context

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


@st.cache_resource(max_entries=4, show_spinner=False)
def _release(folder: str, version: str) -> Release:
    return Release(Path(folder))


def release_source(folder: str) -> Release:
    """A release folder's figures (staff comparing a draft with the current release)."""
    return _release(folder, Path(folder).name)


def source(folder: str, version: str, rule: Rule) -> Live | Release:
    """Where the figures of `folder` come from: its release when it is one, else its extract, live."""
    if is_release(Path(folder)):
        return _release(folder, version)
    return Live(database(folder, version), rule)


@st.cache_data(max_entries=4, show_spinner=False)
def reference_tables(folder: str, version: str, rule: Rule) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    """Regions, programme spans, the cleaning report (a release: its manifest) and the quarantine counts."""
    src = source(folder, version, rule)
    return src.regions(), src.programme_spans(), src.report(), src.quarantine()


# ---- one function per figure ----------------------------------------------------------------
# The cached functions take the view's parts (they are the cache key); the public ones a Context.

@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _counts(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).counts(f)


def counts(ctx: Context, f: Filters | None = None) -> pd.DataFrame:
    """The Overview's figures of the view, or of `f`."""
    return _counts(ctx.folder, ctx.version, f or ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _monthly(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).monthly(f)


def monthly(ctx: Context) -> pd.DataFrame:
    """People and activities per month."""
    return _monthly(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cumulative(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).cumulative(f)


def cumulative(ctx: Context) -> pd.DataFrame:
    """People trained so far, by month."""
    return _cumulative(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _breakdown(folder: str, version: str, f: Filters, rule: Rule, dimension: str) -> pd.DataFrame:
    return source(folder, version, rule).breakdown(f, dimension)


def breakdown(ctx: Context, dimension: str) -> pd.DataFrame:
    """People per value of a breakdown."""
    return _breakdown(ctx.folder, ctx.version, ctx.filters, ctx.rule, dimension)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _course_count(folder: str, version: str, f: Filters, rule: Rule) -> int:
    return source(folder, version, rule).course_count(f)


def course_count(ctx: Context) -> int:
    """How many different course titles the view has."""
    return _course_count(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cascade(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).cascade(f)


def cascade(ctx: Context) -> pd.DataFrame:
    """The training cascade per region and phase, of every participant (Filters.everyone): its
    trainers and coordinators are not trained for one participant group."""
    return _cascade(ctx.folder, ctx.version, ctx.filters.everyone(), ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _ratings(folder: str, version: str, f: Filters, rule: Rule, segment: str | None) -> pd.DataFrame:
    return source(folder, version, rule).ratings(f, segment)


def ratings(ctx: Context, segment: str | None = None) -> pd.DataFrame:
    """Self-rating figures, per value of `segment` or of everyone."""
    return _ratings(ctx.folder, ctx.version, ctx.filters, ctx.rule, segment)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _distribution(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).distribution(f)


def distribution(ctx: Context) -> pd.DataFrame:
    """Self-ratings 1–10 before and after."""
    return _distribution(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _digigram(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).digigram(f)


def digigram(ctx: Context) -> pd.DataFrame:
    """Digigram scores per area and stage."""
    return _digigram(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _network_years(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).network_years(f)


def network_years(ctx: Context) -> pd.DataFrame:
    """Sites opened, in the network and active by year."""
    return _network_years(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _undated_sites(folder: str, version: str, f: Filters, rule: Rule) -> int:
    return source(folder, version, rule).undated_sites(f)


def undated_sites(ctx: Context) -> int:
    """Sites without a joining date."""
    return _undated_sites(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _waitlist_months(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).waitlist_months(f)


def waitlist_months(ctx: Context) -> pd.DataFrame:
    """The waiting list by month against capacity."""
    return _waitlist_months(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _waitlist_latest(folder: str, version: str, f: Filters, rule: Rule, by: str) -> pd.DataFrame:
    return source(folder, version, rule).waitlist_latest(f, by)


def waitlist_latest(ctx: Context, by: str) -> pd.DataFrame:
    """The latest waiting list per centre, region or all."""
    return _waitlist_latest(ctx.folder, ctx.version, ctx.filters, ctx.rule, by)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _partners(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).partners(f)


def partners(ctx: Context) -> pd.DataFrame:
    """Partners per type with the staff trained."""
    return _partners(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _silent_hubs(folder: str, version: str, f: Filters, rule: Rule) -> tuple[pd.DataFrame, pd.DataFrame]:
    return source(folder, version, rule).silent_hubs(f)


def silent_hubs(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Active hubs that sent no report, per region and each."""
    return _silent_hubs(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=4, show_spinner=False)
def _placement(folder: str, version: str) -> tuple[dict[str, int], pd.DataFrame]:
    return quality_metrics.compute_placement(database(folder, version))


def placement(ctx: Context) -> tuple[dict[str, int], pd.DataFrame]:
    """How the extract's hubs are on the map, and those that are not (metrics.quality.compute_placement).

    The extract's own registry, whatever the filters: for internal mode (a release has no such list).
    """
    return _placement(ctx.folder, ctx.version)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _regions_without_data(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).regions_without_data(f)


def regions_without_data(ctx: Context) -> pd.DataFrame:
    """Regions with nothing reported, and why."""
    return _regions_without_data(ctx.folder, ctx.version, ctx.filters, ctx.rule)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _region_metrics(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).region_metrics(f)


def region_metrics(ctx: Context, f: Filters) -> pd.DataFrame:
    """Every region's map figures."""
    return _region_metrics(ctx.folder, ctx.version, f, ctx.rule)


@st.cache_data(max_entries=HUB_CACHE_ENTRIES, show_spinner=False)
def _hub_metrics(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return source(folder, version, rule).hub_metrics(f)


def hub_metrics(ctx: Context, f: Filters) -> pd.DataFrame:
    """Every hub's map figures."""
    return _hub_metrics(ctx.folder, ctx.version, f, ctx.rule)


def previous(ctx: Context) -> Filters | None:
    """The view compared with on the Overview: the period before (None when there is none)."""
    return source(ctx.folder, ctx.version, ctx.rule).previous(ctx.filters, ctx.data_start)


def official(ctx: Context) -> bool:
    """Whether the view's headline counts are the official (exact, published) totals."""
    return source(ctx.folder, ctx.version, ctx.rule).official(ctx.filters)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _phases(folder: str, version: str, rule: Rule, programme: str) -> list[str]:
    return source(folder, version, rule).phases(programme)


def phases(ctx: Context) -> list[str]:
    """The programme's project phases."""
    return _phases(ctx.folder, ctx.version, ctx.rule, ctx.filters.programme)


@st.cache_data(max_entries=8, show_spinner=False)
def _growth(folder: str, version: str, rule: Rule, programme: str) -> pd.DataFrame:
    return source(folder, version, rule).growth(programme)


def growth(ctx: Context) -> pd.DataFrame:
    """Sites of the programme by joining year."""
    return _growth(ctx.folder, ctx.version, ctx.rule, ctx.filters.programme)


# ---- Progress ------------------------------------------------------------------------------

@st.cache_data(max_entries=8, show_spinner=False)
def _targets(folder: str, version: str, rule: Rule, programme: str) -> pd.DataFrame:
    return source(folder, version, rule).targets(programme)


def targets(ctx: Context) -> pd.DataFrame:
    """The programme's targets (region_code missing = the programme as a whole)."""
    return _targets(ctx.folder, ctx.version, ctx.rule, ctx.filters.programme)


@st.cache_data(max_entries=8, show_spinner=False)
def _held_periods(folder: str, version: str, rule: Rule, programme: str) -> dict:
    return source(folder, version, rule).held_periods(programme)


def held_periods(ctx: Context) -> dict:
    """The periods the source shows for the programme: code -> (first day, last day), widest first."""
    return _held_periods(ctx.folder, ctx.version, ctx.rule, ctx.filters.programme)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _progress_actuals(folder: str, version: str, f: Filters, rule: Rule, areas: tuple[str, ...]) -> pd.DataFrame:
    return source(folder, version, rule).progress_actuals(f, list(areas))


def progress_actuals(ctx: Context, f: Filters, areas: tuple[str, ...]) -> pd.DataFrame:
    """The progress figures of `f`'s period for each area ("" = the programme as a whole)."""
    return _progress_actuals(ctx.folder, ctx.version, f, ctx.rule, areas)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _left_behind(folder: str, version: str, f: Filters, rule: Rule) -> pd.DataFrame:
    return gap_figures.compute_left_behind(source(folder, version, rule), f)


def left_behind(ctx: Context, f: Filters) -> pd.DataFrame:
    """Who is left behind in `f`'s period: its one region's groups, or every region's groups behind
    the national skill gain (export.gaps.compute_left_behind)."""
    return _left_behind(ctx.folder, ctx.version, f, ctx.rule)


# ---- Coverage ------------------------------------------------------------------------------

# A coverage holds every settlement of the view (up to ~5,000 rows): a few views, not 256.
@st.cache_data(max_entries=HUB_CACHE_ENTRIES, show_spinner=False)
def _coverage(folder: str, version: str, f: Filters, rule: Rule, km: float, picks: int) -> Coverage:
    return coverage_figures.coverage_of(source(folder, version, rule), f, picks, km)


def coverage(ctx: Context, km: float, picks: int) -> Coverage:
    """Coverage of the view's regions within `km` of an active hub and the planner's first `picks`
    (export.coverage.coverage_of: the source's sites, the committed settlements)."""
    f = ctx.filters
    # The sites and settlements follow the programme, the period and the regions, not the group.
    view = Filters(programme=f.programme, start=f.start, end=f.end, regions=f.regions)
    return _coverage(ctx.folder, ctx.version, view, ctx.rule, km, picks)


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
