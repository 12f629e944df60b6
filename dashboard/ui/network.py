"""Presentation layer of the Network & capacity page: growth by year, the waiting list, partners."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.ui import cache
from dashboard.ui.blocks import chart_block
from dashboard.ui.frame import Context
from dashboard.wording import network as wording


def network_growth(ctx: Context) -> None:
    """Sites opened, in the network and active, by year."""
    tr, years = ctx.tr, cache.network_years(ctx)
    spec = cache.chart(charts.series_chart, tr, wording.network_series(years, tr), x_title=tr("network.col_year"),
                       y_title=tr("network.sites_y"), series_title=tr("network.series_title"),
                       bar_series=tr("network.series_in_network"), yearly=True)
    chart_block(ctx, spec, wording.network_summary(years, tr), wording.network_table(years, tr))
    undated = cache.undated_sites(ctx)
    if undated:
        st.caption(wording.undated_text(undated, tr))


def waitlist(ctx: Context) -> None:
    """The waiting list against the training capacity of its centres, with months to clear it."""
    tr, months = ctx.tr, cache.waitlist_months(ctx)
    if months.empty:
        st.info(tr("network.waitlist_none"), icon=":material/hourglass_empty:")
        return
    overall = cache.waitlist_latest(ctx, "all")
    spec = cache.chart(charts.series_chart, tr, wording.waitlist_series(months, tr), x_title=tr("chart.trend_x"),
                       y_title=tr("chart.trend_y"), series_title=tr("network.series_title"))
    by = "centre" if ctx.hub_detail else "region"
    table = wording.waitlist_table(cache.waitlist_latest(ctx, by), by, tr, ctx.region_names, overall=overall)
    chart_block(ctx, spec, wording.waitlist_summary(overall, tr), table)
    st.caption(tr("network.capacity_note", k=tr.number(ctx.k)))


def partners(ctx: Context) -> None:
    """Partner organisations by type with the staff the centres trained."""
    tr, data = ctx.tr, cache.partners(ctx)
    if not (data["partners"] > 0).any():
        st.info(tr("network.partners_none"), icon=":material/handshake:")
        return
    spec = cache.chart(charts.ranked_bar_chart, tr, wording.partners_bars(data, tr), value_title=tr("network.col_staff"),
                       tooltip_title=tr("network.col_partner_type"))
    chart_block(ctx, spec, wording.partners_summary(data, tr), wording.partners_table(data, tr))
    if ctx.filters.regions:
        st.caption(tr("network.partners_no_region"))
