"""Presentation layer of the analytics pages: cached figures and the Streamlit blocks that place them."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import auth, charts, settings
from dashboard import metrics_analytics as ma
from dashboard import query_analytics as qa
from dashboard import text_analytics as ta
from dashboard import text_network as tn
from dashboard.filters import SEGMENTS, Filters
from dashboard.ui import CACHE_ENTRIES, Context, _database, escape_md
from dashboard.ui_charts import chart_spec

# The figures a page may ask for: name -> function of (database, filters, k, *args).
_COMPUTE: dict[str, Callable] = {
    "cumulative": lambda db, f, k: ma.compute_cumulative(db, f, k=k),
    "breakdown": lambda db, f, k, dim: ma.compute_breakdown(
        db, f, dim, k=k, regions=qa.load_regions_reference(db) if dim == "region" else None),
    "courses": lambda db, f, k: qa.count_courses(db, f),
    "cascade": lambda db, f, k: ma.compute_cascade(db, f, k=k),
    "phases": lambda db, f, k: qa.load_phases(db, f.programme),
    "ratings": lambda db, f, k, segment=None: ma.compute_ratings(db, f, segment, k=k),
    "distribution": lambda db, f, k: ma.compute_distribution(db, f, k=k),
    "digigram": lambda db, f, k: ma.compute_digigram(db, f, k=k),
    "network_years": lambda db, f, k: ma.compute_network_years(db, f),
    "undated": lambda db, f, k: ma.undated_sites(db, f),
    "waitlist_months": lambda db, f, k: ma.compute_waitlist_months(db, f, k=k),
    "waitlist_latest": lambda db, f, k, by: ma.compute_waitlist_latest(db, f, by, k=k),
    "partners": lambda db, f, k: ma.compute_partners(db, f, k=k),
    "silent_hubs": lambda db, f, k: ma.compute_silent_hubs(db, f),
    "regions_without_data": lambda db, f, k: ma.compute_regions_without_data(db, f),
}
# Keys of the page-local pickers (not in the URL: they only change what one page shows).
SEGMENT_PICKER = {"participation": "participation_by", "skills": "skills_by"}
PHASE_PICKER = "cascade_phase"


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached(name: str, folder: str, version: str, f: Filters, k: int, d: int, args: tuple) -> object:
    return _COMPUTE[name](_database(folder, version), f, k, *args)


def figures(ctx: Context, name: str, *args: object) -> object:
    """The protected figures `name` (see _COMPUTE) of the page's view, cached per data version and view."""
    # The noise limit is part of the key (d is read by privacy.protect): a changed
    # DASHBOARD_NOISE must never serve figures protected under the old one.
    return _cached(name, ctx.folder, ctx.version, ctx.filters, ctx.k, settings.noise(), tuple(args))


def section(ctx: Context, title_key: str, help_key: str | None = None) -> None:
    """A section heading with its definition one click away (the ⓘ beside it)."""
    st.subheader(ctx.tr(title_key), help=ctx.tr(help_key, k=ctx.tr.number(ctx.k)) if help_key else None)


def chart_block(ctx: Context, chart: dict, summary: str, table: pd.DataFrame) -> None:
    """A chart with its text alternative: the one-line description under it and the table behind it."""
    st.vega_lite_chart(spec=chart, width="stretch", theme=None, alt=summary)
    st.caption(escape_md(summary))
    with st.expander(ctx.tr("chart.table")):
        st.dataframe(table, hide_index=True, width="stretch")


def segment_picker(ctx: Context, page: str) -> str:
    """A picker of the participant characteristic to compare by (age, gender, ...); returns its name."""
    tr = ctx.tr
    names = list(SEGMENTS)
    picked = st.segmented_control(tr("participation.compare_by"), names, default=names[0], required=True,
                                  format_func=lambda n: tr(f"filter.{n}"), key=SEGMENT_PICKER[page])
    return picked if picked in SEGMENTS else names[0]


def phase_picker(ctx: Context, phases: list[str]) -> str | None:
    """A picker of the project phase of the cascade (None = all phases)."""
    tr = ctx.tr
    options = ["all", *phases]
    picked = st.segmented_control(tr("participation.phase"), options, default="all", required=True,
                                  format_func=lambda p: tr("participation.all_phases") if p == "all"
                                  else tr("quick.phase", phase=p), key=PHASE_PICKER)
    return None if picked in (None, "all") or picked not in phases else picked


def hub_detail() -> bool:
    """Whether hub-level detail may be shown (a signed-in visitor of internal mode)."""
    return auth.current_access().hub_detail


def definitions(ctx: Context, keys: list[str]) -> None:
    """An expander listing the definitions behind a page's figures."""
    tr = ctx.tr
    with st.expander(tr("skills.definitions"), icon=":material/menu_book:"):
        k = tr.number(ctx.k)
        st.markdown("\n".join(f"- **{tr(key + '_term')}**: {tr(key, k=k)}" for key in keys))


def table(frame: pd.DataFrame) -> None:
    """A table already in words (text_analytics), full width, without the index."""
    st.dataframe(frame, hide_index=True, width="stretch")


def static_table(frame: pd.DataFrame) -> None:
    """A short table in words shown whole (no scrolling), for the data-quality notes."""
    # st.table renders every cell as Markdown: a region name like `![x](http://...)` would load
    # an image from that host in every visitor's browser.
    safe = frame.rename(columns=escape_md).map(lambda v: escape_md(v) if isinstance(v, str) else v)
    st.table(safe, hide_index=True)


def monthly(ctx: Context) -> None:
    """People and classes per month (the Overview's monthly figures), with its table."""
    tr, data = ctx.tr, ctx.monthly()
    chart = chart_spec(ctx, "series_chart", ta.monthly_series(data, tr), None, tr("chart.trend_x"),
                       tr("chart.trend_y"), tr("participation.series_title"),
                       bar_series=tr("participation.series_people"))
    chart_block(ctx, chart, charts.trend_summary(data, tr), charts.trend_table(data, tr))


def cumulative(ctx: Context) -> None:
    """The running total of people trained against the programme's target, if it has one."""
    tr = ctx.tr
    data = figures(ctx, "cumulative")
    # A programme's target is for the whole programme: not drawn against a region or group.
    whole = not (ctx.filters.regions or ctx.filters.segment())
    target = qa.load_target(ctx.filters.programme) if whole else None
    text = tr("participation.target_label", target=tr.number(target["target"])) if target else ""
    chart = chart_spec(ctx, "cumulative_chart", ta.cumulative_frame(data, tr), None, tr("col.month"),
                       tr("participation.col_total"), target["target"] if target else None, text,
                       tr("participation.target_title"))
    chart_block(ctx, chart, ta.cumulative_summary(data, tr, target), ta.cumulative_table(data, tr))


def breakdown(ctx: Context, dimension: str, value: str = "people") -> None:
    """People per value of a breakdown as ranked bars, with summary and table."""
    tr = ctx.tr
    data = figures(ctx, "breakdown", dimension)
    title = tr("participation.col_per_100k") if value == "per_100k" else tr("col.people")
    chart = chart_spec(ctx, "ranked_bar_chart", ta.breakdown_bars(data, dimension, tr, ctx.region_names, value),
                       None, title, tr(f"participation.dim_{dimension}"))
    chart_block(ctx, chart, ta.breakdown_summary(data, dimension, tr, ctx.region_names),
                ta.breakdown_table(data, dimension, tr, ctx.region_names))


def courses(ctx: Context) -> None:
    """The course titles as reported (free text, largest first), with how many are not listed."""
    tr = ctx.tr
    data = figures(ctx, "breakdown", "course")
    with st.expander(tr("participation.courses_title")):
        table(ta.breakdown_table(data, "course", tr, ctx.region_names))
        total = figures(ctx, "courses")
        if total > len(data):
            st.caption(tr("participation.courses_more", shown=tr.number(len(data)), total=tr.number(total)))


def cascade(ctx: Context) -> None:
    """The training cascade as a funnel for a phase, and the same stages per region."""
    tr = ctx.tr
    data = figures(ctx, "cascade")
    phase = phase_picker(ctx, figures(ctx, "phases"))
    stages = ma.funnel(data, phase)
    chart = chart_spec(ctx, "funnel_chart", ta.funnel_frame(stages, tr), None, tr("participation.funnel_x"),
                       tr("participation.stage_title"))
    chart_block(ctx, chart, ta.funnel_summary(stages, tr), ta.cascade_table(data, phase, tr, ctx.region_names))
    st.caption(tr("participation.cascade_note", k=tr.number(ctx.k)))


# ---- skills ---------------------------------------------------------------------------------

def rating_cards(ctx: Context, ratings: pd.DataFrame) -> None:
    """People rated before, after and both (with completion), and the mean paired gain."""
    tr, r = ctx.tr, ratings.iloc[0]
    cols = st.columns(4)
    cols[0].metric(tr("skills.card_pre"), tr.count(r["n_pre"]), help=tr("skills.def_pre"), border=True)
    cols[1].metric(tr("skills.card_post"), tr.count(r["n_post"]), help=tr("skills.def_post"), border=True)
    cols[2].metric(tr("skills.card_both"), tr.count(r["n_both"]), help=tr("skills.def_completion"), border=True,
                   delta=tr("skills.completion_value", share=tr.percent(r["completion"])),
                   delta_color="off", delta_arrow="off")
    cols[3].metric(tr("skills.card_gain"), tr.number(r["gain_mean"], 2) if not pd.isna(r["gain_mean"]) else "—",
                   help=tr("skills.def_gain"), border=True,
                   delta=tr("skills.ci_only", ci=ta.interval(tr, r["gain_mean_lo"], r["gain_mean_hi"], False, 2)),
                   delta_color="off",
                   delta_arrow="off")


def skill_shares(ctx: Context, ratings: pd.DataFrame) -> None:
    """Shares 7–10 and 1–4 before → after with their Wilson intervals, and the table of every figure."""
    tr = ctx.tr
    chart = chart_spec(ctx, "interval_chart", ta.shares_frame(ratings, tr), None, tr("skills.share_x"),
                       tr("skills.col_band"), tr("skills.col_stage"))
    chart_block(ctx, chart, ta.shares_summary(ratings, tr), ta.ratings_table(ratings, None, tr))


def distribution(ctx: Context) -> None:
    """Self-ratings 1–10 before and after, as shares of the people who gave each."""
    tr = ctx.tr
    data = figures(ctx, "distribution")
    chart = chart_spec(ctx, "grouped_bar_chart", ta.distribution_bars(data, tr), None, tr("skills.col_score"),
                       tr("skills.share_y"), tr("skills.col_stage"))
    chart_block(ctx, chart, ta.distribution_summary(data, tr), ta.distribution_table(data, tr))


def by_segment(ctx: Context) -> None:
    """Who gains least: every self-rating figure per value of a chosen participant characteristic."""
    tr = ctx.tr
    segment = segment_picker(ctx, "skills")
    data = figures(ctx, "ratings", segment)
    st.markdown(escape_md(ta.least_gain(data, segment, tr)))
    group = tr(f"filter.{segment}")
    gain = chart_spec(ctx, "interval_chart", ta.segment_frame(data, segment, "gain", tr), tr("skills.gain_title"),
                      tr("skills.gain_x"), group, tr("skills.col_measure"), percent=False)
    high = chart_spec(ctx, "interval_chart", ta.segment_frame(data, segment, "high", tr), tr("skills.high_title"),
                      tr("skills.share_x"), group, tr("skills.col_stage"))
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(spec=gain, width="stretch", theme=None, alt=tr("skills.gain_title"))
    with right:
        st.vega_lite_chart(spec=high, width="stretch", theme=None, alt=tr("skills.high_title"))
    st.caption(tr("skills.segment_caption", k=tr.number(ctx.k)))
    with st.expander(tr("chart.table")):
        table(ta.ratings_table(data, segment, tr))


def digigram(ctx: Context) -> None:
    """Mean Digigram scores per DigComp area, before and after, with intervals."""
    tr = ctx.tr
    if ctx.filters.segment():
        st.info(tr("skills.digigram_no_segment"), icon=":material/group_off:")
        return
    data = figures(ctx, "digigram")
    if pd.to_numeric(data["people"], errors="coerce").fillna(1).eq(0).all():
        st.info(tr("skills.digigram_none"))
        return
    chart = chart_spec(ctx, "interval_chart", ta.digigram_frame(data, tr), None, tr("skills.digigram_x"),
                       tr("skills.col_area"), tr("skills.col_stage"), percent=False)
    chart_block(ctx, chart, tr("skills.digigram_caption"), ta.digigram_table(data, tr))


# ---- network --------------------------------------------------------------------------------

def network_growth(ctx: Context) -> None:
    """Sites opened, in the network and active, by year."""
    tr = ctx.tr
    years = figures(ctx, "network_years")
    chart = chart_spec(ctx, "series_chart", tn.network_series(years, tr), None, tr("network.col_year"),
                       tr("network.sites_y"), tr("network.series_title"),
                       bar_series=tr("network.series_in_network"), yearly=True)
    chart_block(ctx, chart, tn.network_summary(years, tr), tn.network_table(years, tr))
    undated = figures(ctx, "undated")
    if undated:
        st.caption(tr("network.undated", n=tr.number(undated)))


def waitlist(ctx: Context) -> None:
    """The waiting list against the training capacity of its centres, with months to clear it."""
    tr = ctx.tr
    months = figures(ctx, "waitlist_months")
    if months.empty:
        st.info(tr("network.waitlist_none"), icon=":material/hourglass_empty:")
        return
    overall = figures(ctx, "waitlist_latest", "all")
    chart = chart_spec(ctx, "series_chart", tn.waitlist_series(months, tr), None, tr("chart.trend_x"),
                       tr("chart.trend_y"), tr("network.series_title"))
    by = "centre" if hub_detail() else "region"
    detail = pd.concat([figures(ctx, "waitlist_latest", by), overall], ignore_index=True)
    chart_block(ctx, chart, tn.waitlist_summary(overall, tr), tn.waitlist_table(detail, by, tr, ctx.region_names))
    st.caption(tr("network.capacity_note", k=tr.number(ctx.k)))


def partners(ctx: Context) -> None:
    """Partner organisations by type with the staff the centres trained."""
    tr = ctx.tr
    data = figures(ctx, "partners")
    if not (data["partners"] > 0).any():
        st.info(tr("network.partners_none"), icon=":material/handshake:")
        return
    chart = chart_spec(ctx, "ranked_bar_chart", tn.partners_bars(data, tr), None, tr("network.col_staff"),
                       tr("network.col_partner_type"))
    chart_block(ctx, chart, tn.partners_summary(data, tr), tn.partners_table(data, tr))
    if ctx.filters.regions:
        st.caption(tr("network.partners_no_region"))


# ---- data quality ---------------------------------------------------------------------------

def extracts(ctx: Context, report: dict) -> None:
    """When each cleaned table was written, and its rows."""
    times = ma.extract_times(ctx.folder, report)
    if times.empty:
        st.info(ctx.tr("dq2.no_files"))
        return
    static_table(tn.extract_table(times, ctx.tr))


def silent_hubs(ctx: Context) -> None:
    """Active hubs that sent no report in the period, per region (and each hub in internal mode)."""
    tr = ctx.tr
    per_region, silent = figures(ctx, "silent_hubs")
    if per_region.empty:
        st.info(tr("dq2.silent_none_active"))
        return
    st.markdown(tr("dq2.silent_total", silent=tr.number(len(silent)),
                   active=tr.number(per_region["active_hubs"].sum())))
    static_table(tn.silent_table(per_region, tr, ctx.region_names))
    if hub_detail() and len(silent):
        with st.expander(tr("dq2.silent_list")):
            table(tn.silent_list(silent, tr, ctx.region_names))
    else:
        st.caption(tr("dq2.silent_public"))


def regions_without_data(ctx: Context) -> None:
    """Regions of the view where nothing was reported in the period, and the likely reason."""
    tr = ctx.tr
    empty = figures(ctx, "regions_without_data")
    if empty.empty:
        st.success(tr("dq2.nodata_none"), icon=":material/check_circle:")
        return
    static_table(tn.nodata_table(empty, tr, ctx.region_names))
