"""Presentation layer of the Progress page and the Overview's progress card: pickers, the chart, the table, downloads.

The figures are export.progress's (the same functions write the files and the fact sheet's block),
with the actuals taken through the cache from the view's source: the release in public mode,
the extract live in internal mode.
"""

from __future__ import annotations

import dataclasses
import functools

import pandas as pd
import streamlit as st

from dashboard import settings
from dashboard.charts.progress import STATUS_COLOURS, STATUS_TEXT, progress_chart
from dashboard.contract import TARGET_SHARES
from dashboard.export import files, registry
from dashboard.export import progress as figures
from dashboard.export.view import View
from dashboard.filters import REGION_PARAM, Filters
from dashboard.markdown import escape_md
from dashboard.metrics.progress import COUNTRY
from dashboard.release import grain
from dashboard.ui import cache
from dashboard.ui.blocks import MISSING, localised
from dashboard.ui.exports import BUTTONS, frame_key, make_file
from dashboard.ui.frame import Context
from dashboard.wording import progress as wording

PERIOD_KEY = "progress_period"
INDICATOR_KEY = "progress_indicator"
PAGE = "pages/progress.py"


def plan(ctx: Context) -> figures.Plan:
    """The targets of the view's programme and the periods the source shows with one (widest first)."""
    return figures.plan_of(ctx.filters.programme, cache.targets(ctx), cache.held_periods(ctx))


def _actuals(ctx: Context) -> figures.Actuals:
    return lambda f, areas: cache.progress_actuals(ctx, f, tuple(areas))


def period_picker(ctx: Context, p: figures.Plan) -> str:
    """A picker of the period with targets: the sidebar's period when it has targets, else the
    year of the data date, else the widest."""
    default = figures.default_period(p, ctx.filters.start, ctx.filters.end, ctx.data_date)
    return st.selectbox(ctx.tr("progress.period"), p.periods, index=p.periods.index(default), key=PERIOD_KEY,
                        format_func=lambda c: wording.period_label(c, ctx.tr))


def indicator_picker(ctx: Context, p: figures.Plan, period: str) -> str | None:
    """A picker of the figure among those with a target in the period (people trained first)."""
    options = figures.indicators_of(p, period)
    if not options:
        return None
    picked = st.segmented_control(ctx.tr("progress.indicator"), options, default=options[0], required=True,
                                  format_func=lambda i: ctx.tr(f"indicator.{i}"), key=INDICATOR_KEY)
    return picked if picked in options else options[0]


def regions_of(ctx: Context) -> tuple[str, ...]:
    """The programme's regions, in the order of the region filter."""
    return tuple(ctx.choices.labels.get(REGION_PARAM, {}))


def _styled(table: pd.DataFrame, found: pd.DataFrame, ctx: Context):
    """The table with numbers written the language's way (shares in per cent with one decimal) and
    each status cell in its colour, with text that stays readable on it. A hidden actual is a
    missing number ("—"): its status says it is hidden."""
    tr = ctx.tr
    styler = localised(table, tr)
    shares = table.index[found["indicator"].isin(TARGET_SHARES).to_numpy()]
    if len(shares):
        values = [tr(f"progress.col_{c}") for c in ("baseline", "target", "actual")]
        styler = styler.format(lambda v: tr.number(v, 1), subset=pd.IndexSlice[shares, values])
    look = {wording.status_label(s, tr): f"background-color: {c}; color: {STATUS_TEXT[s]}; font-weight: 600"
            for s, c in STATUS_COLOURS.items()}
    return styler.map(lambda v: look.get(v, ""), subset=[tr("progress.col_status")])


def show_table(ctx: Context, table: pd.DataFrame, found: pd.DataFrame) -> None:
    """The progress table (numbers stay numbers: a click on a header sorts them), each region's
    address as a link when the table has them."""
    link = ctx.tr("progress.col_link")
    config = {link: st.column_config.LinkColumn(link, display_text=ctx.tr("progress.open_region"))} \
        if link in table.columns else None
    # The browser's grid writes a missing cell as the placeholder, whatever the styler says.
    st.dataframe(_styled(table, found, ctx), hide_index=True, width="stretch", column_config=config, placeholder=MISSING)


def _chart(ctx: Context, frame: pd.DataFrame, label_title: str, summary: str, first: int = 0) -> None:
    if len(frame):
        spec = cache.chart(progress_chart, ctx.tr, frame, label_title=label_title,
                           status_words=wording.status_words(ctx.tr), first=first)
        st.vega_lite_chart(spec=spec, width="stretch", theme=None, alt=summary)


def regions_view(ctx: Context, p: figures.Plan, period: str, indicator: str) -> None:
    """Every region and the whole country for one figure and period: summary, chart, table, downloads."""
    tr, at_risk = ctx.tr, settings.progress_at_risk()
    areas = (COUNTRY, *regions_of(ctx))
    found = figures.progress_of(p, _actuals(ctx), period, indicator, areas, ctx.data_date, at_risk)
    links = {a: wording.region_link(a, ctx.lang, ctx.filters.programme, p.held[period]) for a in areas if a}
    summary = wording.summary(found, indicator, period, tr, ctx.data_date)
    st.markdown(escape_md(summary))
    _chart(ctx, wording.chart_frame(found, tr, ctx.region_names), tr("progress.col_region"), summary,
           wording.national_rows(found))
    show_table(ctx, wording.progress_table(found, indicator, tr, ctx.region_names, links), found)
    st.caption(wording.rule_note(float(found["expected"].iloc[0]), ctx.data_date, tr, at_risk))
    downloads(ctx, registry.FIGURES["progress"], found, figures.period_filters(p, period))


def region_view(ctx: Context, p: figures.Plan, region: str) -> None:
    """One region's targets: every figure and period with a target for it."""
    tr, at_risk = ctx.tr, settings.progress_at_risk()
    name = ctx.region_names.get(region, region)
    st.subheader(tr("progress.region_title", region=name))
    found = figures.region_progress(p, _actuals(ctx), region, ctx.data_date, at_risk)
    if found.empty:
        st.info(tr("progress.no_indicator"), icon=":material/flag:")
    else:
        rows = wording.region_chart_frame(found, tr)
        _chart(ctx, rows, tr("progress.col_indicator"), tr("progress.region_title", region=name), len(rows))
        show_table(ctx, wording.region_table(found, tr), found)
        st.caption(wording.rule_note(None, ctx.data_date, tr, at_risk))
    st.page_link(PAGE, label=tr("progress.all_regions"), icon=":material/arrow_back:",
                 query_params={"lang": ctx.lang, "programme": ctx.filters.programme})
    if len(found):
        whole = figures.period_filters(p, grain.ALL)
        downloads(ctx, registry.REGION_PROGRESS, found, dataclasses.replace(whole, regions=(region,)))


def downloads(ctx: Context, figure: registry.Figure, found: pd.DataFrame, f: Filters) -> None:
    """The figure shown as PNG, SVG, CSV and XLSX, written as every exported figure is (the export
    registry and files: title, filters, source and notes above the numbers); made on click."""
    view = View(filters=f, lang=ctx.lang, region_names=ctx.region_names, data_date=ctx.data_date, rule=ctx.rule,
                release=ctx.release)
    export = registry.prepare(figure, found, view)
    # What names the file in the export queue's store, less its format.
    named = ("figure", ctx.folder, ctx.version, figure.name, f, ctx.lang, ctx.rule, frame_key(found))
    for column, (fmt, icon) in zip(st.columns(len(BUTTONS)), BUTTONS):
        column.download_button(ctx.tr(f"export.button_{fmt}"),
                               functools.partial(make_file, (*named, fmt), functools.partial(files.write, export, fmt)),
                               file_name=files.file_name(export, fmt), mime=files.MIME[fmt],
                               key=f"{figure.name}_{fmt}", on_click="ignore", icon=icon, width="stretch",
                               help=ctx.tr("export.download_help", name=export.title, format=fmt.upper()))


def overview_card(ctx: Context) -> None:
    """The Overview's progress card: the progress of the whole country (with the regions by status)
    or of the view's one region on people trained (or the first figure with a target for it), in
    the view's period or the data date's year within it (figures.card_period). Nothing without
    such a target, for a view of several regions, or of one participant group (targets are for
    everyone)."""
    f = ctx.filters
    p = plan(ctx)
    period = figures.card_period(p, f.start, f.end, ctx.data_date)
    if period is None or f.segment() or len(f.regions) > 1:
        return
    area = f.regions[0] if f.regions else COUNTRY
    options = figures.indicators_of(p, period, f.regions[0] if f.regions else None)
    if not options:
        return
    areas = (area,) if f.regions else (COUNTRY, *regions_of(ctx))
    found = figures.progress_of(p, _actuals(ctx), period, options[0], areas, ctx.data_date,
                                settings.progress_at_risk())
    lines = wording.card_lines(found, options[0], period, ctx.tr, area)
    if not lines:
        return
    start, end = p.held[period]
    link = {"lang": ctx.lang, "programme": f.programme, "from": start.isoformat(), "to": end.isoformat(),
            **({REGION_PARAM: area} if f.regions else {})}
    with st.container(border=True):
        st.markdown(f"**{ctx.tr('progress.card_title')}**")
        for line in lines:
            st.markdown(escape_md(line))
        st.page_link(PAGE, label=ctx.tr("progress.card_link" if not f.regions else "progress.card_link_region"),
                     icon=":material/flag:", query_params=link)
