"""Presentation layer of the Coverage page: the reach, headline cards, the map, the coverage table and the planner's list, with downloads.

The figures are export.coverage's (the same function writes the files and the fact sheet's block),
through the cache, from the view's sites: the release's hubs in public mode, the extract's in
internal mode; settlement populations are the committed reference data.
"""

from __future__ import annotations

import dataclasses
import functools

import pandas as pd
import streamlit as st

from dashboard import settings
from dashboard.charts.coverage import coverage_map
from dashboard.export import files, registry
from dashboard.export.view import View
from dashboard.i18n import Translator
from dashboard.markdown import escape_md
from dashboard.metrics import coverage as metrics
from dashboard.ui import cache
from dashboard.ui.blocks import MISSING, localised
from dashboard.ui.exports import BUTTONS, frame_key, make_file
from dashboard.ui.frame import Context
from dashboard.wording import coverage as wording

PICKS_KEY = "coverage_picks"
MAX_PICKS = 25  # the planner's longest list on the page (its first picks do not depend on its length)
PAGE = "pages/coverage.py"


def reach() -> float:
    """The reach of a hub in km (DASHBOARD_COVERAGE_KM); a bad setting ends the page with its message."""
    try:
        return settings.coverage_km()
    except ValueError as exc:
        st.error(str(exc), icon=":material/settings:")
        st.stop()


def intro(ctx: Context, km: float) -> None:
    """What the page shows, with the reach in km."""
    st.caption(ctx.tr("coverage.intro", km=wording.km_text(km, ctx.tr)))


def figures(ctx: Context, km: float) -> metrics.Coverage:
    """Coverage of the view and the planner's first MAX_PICKS picks."""
    return cache.coverage(ctx, km, MAX_PICKS)


def place(ctx: Context) -> str:
    """The view in words: its region, all selected regions, or all regions."""
    return wording.view_name(ctx.filters.regions, ctx.region_names, ctx.tr)


def picks_picker(ctx: Context) -> int:
    """How many new hubs the planner suggests (1..MAX_PICKS, default metrics.DEFAULT_PICKS)."""
    value = st.number_input(ctx.tr("coverage.plan_picks"), min_value=1, max_value=MAX_PICKS,
                            value=metrics.DEFAULT_PICKS, step=1, key=PICKS_KEY, width=220)
    return int(value or metrics.DEFAULT_PICKS)


def headline(ctx: Context, cov: metrics.Coverage) -> None:
    """The sentence of the view and the four cards: people, rural residents and residents aged 60+
    within reach (60+: not available without a base), settlements out of reach."""
    tr, total = ctx.tr, cov.total.iloc[0]
    with st.container(border=True):
        st.markdown(escape_md(wording.headline(total, cov.km, tr, place(ctx))))
    found = wording.cards(total, cov.km, tr, cov.has_age_base)
    # Two cards a row: their labels are long in Ukrainian, and stay whole.
    for row in (found[:2], found[2:]):
        for column, (label, value, line, definition) in zip(st.columns(2), row):
            column.metric(label, value, line or None, delta_color="off", delta_arrow="off", help=definition,
                          border=True)


def coverage_points(cov: metrics.Coverage, plan: pd.DataFrame) -> pd.DataFrame:
    """The map's points with the planner's list cut to `plan`."""
    return metrics.map_points(dataclasses.replace(cov, plan=plan))


def map_block(ctx: Context, cov: metrics.Coverage, plan: pd.DataFrame) -> None:
    """The map of settlements within and out of reach, active hubs and the picks; under it the
    sentence it stands for (its text alternative) and its downloads."""
    tr = ctx.tr
    points = coverage_points(cov, plan)
    layers = wording.map_layers(points, tr, ctx.region_names, cov.km)
    regions = sorted(set(cov.settlements["region_code"]))
    spec = cache.chart(coverage_map, tr, layers["covered"], out=layers["out"], occupied=layers["occupied"],
                       hubs=layers["hub"], picks=layers["pick"], kinds=wording.kind_words(tr, cov.km),
                       tips=wording.tip_titles(tr), regions=regions)
    summary = wording.map_summary(cov.total.iloc[0], plan, cov.km, tr, place(ctx))
    st.vega_lite_chart(spec=spec, width="content", theme=None, alt=summary)
    st.caption(escape_md(summary))
    downloads(ctx, registry.FIGURES["coverage_map"], points)


def area_block(ctx: Context, cov: metrics.Coverage) -> None:
    """Coverage of the view and each region (each with the address of its own coverage), or of
    one region and each of its hromadas; then its downloads."""
    tr, f = ctx.tr, ctx.filters
    region = f.regions[0] if len(f.regions) == 1 else None
    rows = metrics.area_rows(cov, region)
    st.subheader(tr("coverage.table_areas" if region else "coverage.table_regions"))
    table = wording.area_table(rows, tr, ctx.region_names, place(ctx))
    config = None
    if region is None:
        link = tr("coverage.col_link")
        table[link] = [wording.region_link(c, ctx.lang, f.programme, f.start, f.end) if level == "region" else None
                       for c, level in zip(rows["region_code"], rows["level"])]
        config = {link: st.column_config.LinkColumn(link, display_text=tr("coverage.open_region"))}
    _table(table, tr, config)
    st.caption(tr("coverage.table_help"))
    if region is not None:
        st.page_link(PAGE, label=tr("coverage.all_regions"), icon=":material/arrow_back:",
                     query_params={"lang": ctx.lang, "programme": f.programme, "from": f.start.isoformat(),
                                   "to": f.end.isoformat()})
    downloads(ctx, registry.FIGURES["coverage"], rows)


def plan_block(ctx: Context, cov: metrics.Coverage, plan: pd.DataFrame) -> None:
    """Where to open the next hub: how the picks are made, what they add, the ranked list, downloads."""
    tr = ctx.tr
    st.subheader(tr("coverage.plan_title"), help=tr("coverage.plan_help", km=wording.km_text(cov.km, tr)))
    st.markdown(escape_md(wording.plan_sentence(plan, cov.total.iloc[0], cov.km, tr)))
    if len(plan):
        _table(wording.plan_table(plan, tr, ctx.region_names), tr)
        downloads(ctx, registry.FIGURES["coverage_plan"], plan)


def notes(ctx: Context, cov: metrics.Coverage) -> None:
    """How the figures are made, and when the hubs counted had joined."""
    tr = ctx.tr
    lines = [tr("coverage.period_note", date=tr.date(ctx.filters.end)),
             *wording.notes(cov.km, tr, int(cov.total.iloc[0]["no_population"]), older_missing=not cov.has_age_base)]
    st.caption("\n\n".join(escape_md(line) for line in lines))


def _table(table: pd.DataFrame, tr: Translator, config: dict | None = None) -> None:
    """A table whose numbers are written the language's way, per cents with one decimal."""
    percents = [c for c in table.columns if c in wording.percent_columns(tr)]
    styler = localised(table, tr).format(lambda v: tr.number(v, 1), subset=percents)
    st.dataframe(styler, hide_index=True, width="stretch", column_config=config, placeholder=MISSING)


def _file(figure: registry.Figure, frame: pd.DataFrame, view: View, fmt: str) -> bytes:
    return files.write(registry.prepare(figure, frame, view), fmt)


def downloads(ctx: Context, figure: registry.Figure, frame: pd.DataFrame) -> None:
    """The figure shown as PNG, SVG, CSV and XLSX, written as every exported figure is (the export
    registry and files: title, filters, source and notes above the numbers); made on click."""
    tr = ctx.tr
    view = View(filters=ctx.filters, lang=ctx.lang, region_names=ctx.region_names, data_date=ctx.data_date,
                rule=ctx.rule, release=ctx.release)
    # What names the file in the export queue's store, less its format.
    named = ("figure", ctx.folder, ctx.version, figure.name, ctx.filters, ctx.lang, ctx.rule, frame_key(frame))
    for column, (fmt, icon) in zip(st.columns(len(BUTTONS)), BUTTONS):
        # The file (and its chart) is made when the button is clicked, not on every run of the page.
        column.download_button(tr(f"export.button_{fmt}"),
                               functools.partial(make_file, (*named, fmt), functools.partial(_file, figure, frame, view, fmt)),
                               file_name=f"{figure.name}_{ctx.lang}.{fmt}", mime=files.MIME[fmt],
                               key=f"{figure.name}_{fmt}", on_click="ignore", icon=icon, width="stretch",
                               help=tr("export.download_help", name=tr(figure.title_key), format=fmt.upper()))
