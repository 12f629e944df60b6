"""Presentation layer of the Participation page: monthly series, running total, breakdowns, the cascade."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.metrics import participation as metrics
from dashboard.query import participation as queries
from dashboard.ui import annotations, cache
from dashboard.ui.blocks import chart_block, phase_picker, table
from dashboard.ui.frame import Context
from dashboard.wording import overview as overview_wording
from dashboard.wording import participation as wording
from dashboard.wording.annotations import event_frame, events_note, with_sentence


def monthly(ctx: Context) -> None:
    """People and classes per month (the Overview's monthly figures), with the period's events and its table."""
    tr, data, f = ctx.tr, cache.monthly(ctx), ctx.filters
    events = annotations.events(ctx)
    spec = cache.chart(charts.series_chart, tr, wording.monthly_series(data, tr), x_title=tr("chart.trend_x"),
                       y_title=tr("chart.trend_y"), series_title=tr("participation.series_title"),
                       bar_series=tr("participation.series_people"), line_title=tr("participation.series_activities"),
                       events=event_frame(events, tr, f.start, f.end))
    summary = with_sentence(overview_wording.trend_summary(data, tr), events_note(events, tr))
    chart_block(ctx, spec, summary, overview_wording.trend_table(data, tr))


def cumulative(ctx: Context) -> None:
    """The running total of people trained against the programme's target, if it has one, with the period's events."""
    tr, data, f = ctx.tr, cache.cumulative(ctx), ctx.filters
    events = annotations.events(ctx, notice=False)  # the monthly chart above says when they cannot be read
    # A programme's target is for the whole programme: not drawn against a region or group.
    whole = not (ctx.filters.regions or ctx.filters.segment())
    target = queries.load_target(ctx.filters.programme) if whole else None
    text = tr("participation.target_label", target=tr.number(target["target"])) if target else ""
    spec = cache.chart(charts.cumulative_chart, tr, wording.cumulative_frame(data, tr), x_title=tr("col.month"),
                       y_title=tr("participation.col_total"), target=target["target"] if target else None,
                       target_text=text, target_title=tr("participation.target_title"),
                       events=event_frame(events, tr, f.start, f.end))
    summary = with_sentence(wording.cumulative_summary(data, tr, target), events_note(events, tr))
    chart_block(ctx, spec, summary, wording.cumulative_table(data, tr))


def breakdown(ctx: Context, dimension: str) -> None:
    """People per value of a breakdown as ranked bars, with summary and table."""
    tr, data = ctx.tr, cache.breakdown(ctx, dimension)
    bars = wording.breakdown_bars(data, dimension, tr, ctx.region_names)
    spec = cache.chart(charts.ranked_bar_chart, tr, bars, value_title=tr("col.people"),
                       tooltip_title=tr(f"participation.dim_{dimension}"))
    chart_block(ctx, spec, wording.breakdown_summary(data, dimension, tr, ctx.region_names),
                wording.breakdown_table(data, dimension, tr, ctx.region_names))


def courses(ctx: Context) -> None:
    """The course titles as reported (free text, largest first), with how many are not listed."""
    tr, data = ctx.tr, cache.breakdown(ctx, "course")
    with st.expander(tr("participation.courses_title")):
        table(wording.breakdown_table(data, "course", tr, ctx.region_names))
        total = cache.course_count(ctx)
        if total > len(data):
            st.caption(wording.courses_more(len(data), total, tr))


def cascade(ctx: Context) -> None:
    """The training cascade as a funnel for a phase, and the same stages per region."""
    tr, data = ctx.tr, cache.cascade(ctx)
    phase = phase_picker(ctx, cache.phases(ctx))
    stages = metrics.funnel(data, phase)
    spec = cache.chart(charts.funnel_chart, tr, wording.ratio_frame(stages, tr),
                       value_title=tr("participation.funnel_x"), label_title=tr("participation.stage_title"),
                       one_text=tr("participation.one_line"))
    if ctx.filters.segment():
        st.info(tr("participation.cascade_everyone"), icon=":material/groups:")
    if ctx.release is not None and (ctx.filters.start, ctx.filters.end) != ctx.choices.quick.get("all"):
        st.info(tr("participation.cascade_all_time"), icon=":material/history:")
    chart_block(ctx, spec, wording.funnel_summary(stages, tr), wording.cascade_table(data, phase, tr, ctx.region_names))
    st.caption(tr("participation.cascade_note", k=tr.number(ctx.k)))
