"""Presentation layer of "who is left behind" on the Progress page: its period, the sentences, the chart, the table, downloads.

It follows the region filter: one region shows that region's groups, the whole country the
region × group gaps behind the national gain across every region. The figures are
export.gaps's, taken through the cache from the view's source (the release in public mode).
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.export import gaps as gap_figures
from dashboard.export import registry
from dashboard.filters import Filters
from dashboard.markdown import escape_md
from dashboard.metrics.gaps import left_behind
from dashboard.ui import cache
from dashboard.ui.blocks import table
from dashboard.ui.frame import Context
from dashboard.ui.progress import downloads
from dashboard.wording import gaps as wording
from dashboard.wording.progress import period_label

PERIOD_KEY = "gaps_period"
def periods(ctx: Context) -> dict:
    """The held periods the comparison offers: code -> (first day, last day), widest first."""
    return gap_figures.offered_periods(cache.held_periods(ctx))


def default_period(ctx: Context, held: dict) -> str:
    """The view's own period when it is offered, else the data date's year, else the widest."""
    return gap_figures.opening_period(held, ctx.filters, ctx.data_date)


def section(ctx: Context) -> None:
    """Who is left behind: the period picker, a summary, the sentences of the groups behind, the
    gaps with their intervals as a chart and a table, how they are computed, and downloads."""
    tr, names = ctx.tr, ctx.region_names
    region = ctx.filters.regions[0] if len(ctx.filters.regions) == 1 else None
    st.subheader(tr("gaps.title"))
    st.caption(tr("gaps.intro"))
    held = periods(ctx)
    if not held:
        return
    # Keyed by language, as the map's figure picker: the browser holds a choice as the words it
    # shows, so after a language switch a picker of the other language's words starts afresh.
    default = default_period(ctx, held)
    period = st.selectbox(tr("gaps.period"), list(held), index=list(held).index(default),
                          key=f"{PERIOD_KEY}_{tr.lang}", format_func=lambda c: period_label(c, tr))
    period = period if period in held else default
    start, end = held[period]
    f = Filters(programme=ctx.filters.programme, start=start, end=end, regions=(region,) if region else ())
    found = cache.left_behind(ctx, f)
    summary = wording.summary(found, tr, names, period, region)
    st.markdown(f"**{escape_md(tr('gaps.region_title', region=names.get(region, region)) if region else tr('gaps.country_title'))}**")
    st.markdown(escape_md(summary))
    lines = wording.sentences(found, tr, names, period)
    if lines:
        st.markdown("\n".join(f"- {escape_md(line)}" for line in lines))
    more = len(left_behind(found)) - len(lines)
    if more > 0:
        st.caption(tr("gaps.more_sentences", n=tr.number(more)))
    if len(found):
        spec = cache.chart(charts.interval_chart, tr, wording.chart_frame(found, tr, names, region is not None),
                           x_title=tr("gaps.chart_x"), label_title=tr("gaps.col_group"),
                           group_title=tr("gaps.col_standing"), percent=False)
        st.vega_lite_chart(spec=spec, width="stretch", theme=None, alt=summary)
        table(wording.gaps_table(found, tr, names))
    if ctx.filters.segment():  # the list compares single groups of everyone: the filters' group does not apply
        st.caption(tr("gaps.note_all_people"))
    for note in wording.notes(tr):
        st.caption(note)
    if len(found):
        downloads(ctx, registry.FIGURES["left_behind"], found, f)
