"""Presentation layer of the Overview: the headline, the KPI cards and the monthly trend."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.metrics import overview as metrics
from dashboard.ui import annotations, cache
from dashboard.ui.blocks import chart_block
from dashboard.ui.frame import Context
from dashboard.wording import overview as wording
from dashboard.wording.annotations import event_frame, events_note, with_sentence
from dashboard.markdown import escape_md
from dashboard.wording.common import describe_scope


def figures(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The view's figures and those of the previous period (of equal length; in a release, the
    month, quarter or year before), None when there is none: the source's counts through the cache."""
    counts = cache.counts(ctx)
    before = cache.previous(ctx)
    return counts, None if before is None else cache.counts(ctx, before)


def headline(ctx: Context, counts: pd.DataFrame) -> None:
    """The press-ready sentence for the view, in a box that is easy to copy from."""
    tr = ctx.tr
    scope = describe_scope(ctx.filters, tr, ctx.region_names)
    with st.container(border=True):
        st.markdown(f"**{tr('headline.title')}**", help=tr("headline.help"))
        st.markdown(escape_md(wording.headline(counts, ctx.filters, tr, scope)))


def kpi_cards(ctx: Context, counts: pd.DataFrame, previous: pd.DataFrame | None, per_row: int = 4) -> None:
    """One st.metric per KPI card (metrics.overview.compute_kpis), with its definition on hover.

    A before → after card takes two places: its value is two percentages. Without a previous
    period a line says why no change is shown.
    """
    tr = ctx.tr
    kpis = metrics.compute_kpis(counts, previous)
    rows, widths = [[]], [[]]
    for k in kpis.itertuples(index=False):
        width = 2 if k.kind == "before_after" else 1
        if sum(widths[-1]) + width > per_row:
            rows.append([]), widths.append([])
        rows[-1].append(k), widths[-1].append(width)
    for cards, spans in zip(rows, widths):
        columns = st.columns(spans + [per_row - sum(spans)] if sum(spans) < per_row else spans)
        for col, k in zip(columns, cards):
            label, value, delta, note, definition = wording.kpi_card(k, tr)
            col.metric(label, value, delta, help=definition, delta_description=note, border=True)
    if cache.official(ctx):
        st.caption(tr("release.official_cards"))
    if previous is None:
        st.caption(tr("kpi.no_previous"))


def records_no_people(ctx: Context) -> bool:
    """Whether the programme's data record nobody trained at all, in all of its time and places
    (a network of centres sent as sites, a waiting list and partners): its Overview is its network."""
    f = ctx.filters.everyone()
    whole = dataclasses.replace(f, start=ctx.choices.default_start, end=ctx.choices.default_end, regions=())
    return metrics.is_empty(cache.counts(ctx, whole))


def network_cards(ctx: Context, counts: pd.DataFrame, previous: pd.DataFrame | None) -> None:
    """The Overview of a programme that records only its network: what its data hold, and the
    cards that have a figure (its sites and the libraries among them); the growth follows."""
    tr = ctx.tr
    st.info(tr("kpi.network_only", programme=tr(f"programme.{ctx.filters.programme}")),
            icon=":material/hub:")
    kpis = metrics.compute_kpis(counts, previous, metrics.NETWORK_CARDS)
    values = pd.to_numeric(kpis["value"], errors="coerce")
    shown = kpis[values.notna() & (values > 0)]
    for col, k in zip(st.columns(4), shown.itertuples(index=False)):
        label, value, delta, note, definition = wording.kpi_card(k, tr)
        col.metric(label, value, delta, help=definition, delta_description=note, border=True)


def trend(ctx: Context) -> None:
    """The monthly participation chart, with the period's events, and its text alternative (caption + table)."""
    tr, monthly, f = ctx.tr, cache.monthly(ctx), ctx.filters
    st.subheader(tr("chart.trend_title"))
    events = annotations.events(ctx)
    spec = cache.chart(charts.trend_chart, tr, wording.trend_frame(monthly, tr),
                       events=event_frame(events, tr, f.start, f.end))
    summary = with_sentence(wording.trend_summary(monthly, tr), events_note(events, tr))
    chart_block(ctx, spec, summary, wording.trend_table(monthly, tr))
