"""Presentation layer of the Impact map: cached figures, the deck with its click-to-select, legend, tables."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import charts, maps
from dashboard.filters import REGION_PARAM
from dashboard.i18n import Translator, translator
from dashboard.indicators import INDICATORS
from dashboard.metrics import map as metrics
from dashboard.metrics.map import METRICS, VALUE, region_states
from dashboard.settings import basemap_enabled
from dashboard.ui import cache
from dashboard.ui.blocks import MISSING, translated_table
from dashboard.ui.frame import Context
from dashboard.wording import map as wording
from dashboard.markdown import escape_md

METRIC_KEY = "map_metric"
YEAR_KEY = "map_year"
# Bumped on every click on the map: the next run draws a fresh chart (no stale selection
# dimming the other regions) that fits the newly selected region.
NONCE_KEY = "_map_nonce"
TABLE_HEIGHT = 430  # tall enough for a dozen rows; longer tables scroll
# A phone says so in a client hint (Chromium) or with "Mobi" in its user agent (MDN's advice).
PHONE_HINT, PHONE_AGENT = "?1", "Mobi"
# Programmes whose map replays the network's growth year by year (centre networks).
GROWTH_PROGRAMMES = ("kem_centres",)


# ---- cached figures ------------------------------------------------------------------------

@st.cache_data(max_entries=cache.HUB_CACHE_ENTRIES, show_spinner=False)
def _points(hubs: pd.DataFrame, lang: str, k: int, names: dict[str, str]) -> list[dict]:
    # The hub points with their tooltips are most of a map's build: a change of region or of the
    # figure shown reuses them.
    return maps.hub_points(hubs, translator(lang, k), names)


def _deck(regions: pd.DataFrame, hubs: pd.DataFrame, metric: str, tr: Translator, names: dict[str, str],
          selected: tuple[str, ...], size: tuple[int, int]):
    # Single hubs are drawn only for a selection, and only the selected regions' (the payload of a
    # click is one region's hubs, not the country's): the whole country shows them counted by cell.
    points = _points(hubs, tr.lang, tr.k, names) if selected or len(regions) == 1 else None
    if points is not None and selected:
        points = [p for p in points if p["code"] in selected]
    return maps.impact_deck(regions, hubs, metric, tr, names, selected, points=points,
                            basemap=basemap_enabled(), size=size)


def view_size(headers: Mapping[str, str] | None) -> tuple[int, int]:
    """(width, height) in pixels the map is fitted for: a phone's (maps.PHONE_WIDTH by
    PHONE_HEIGHT) when the request's headers say it comes from one, else a laptop's."""
    headers = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    phone = headers.get("sec-ch-ua-mobile") == PHONE_HINT or PHONE_AGENT in headers.get("user-agent", "")
    return (maps.PHONE_WIDTH, maps.PHONE_HEIGHT) if phone else (maps.VIEW_WIDTH, maps.VIEW_HEIGHT)


def region_metrics(ctx: Context) -> pd.DataFrame:
    """Protected figures of every region of the programme (metrics.map.compute_region_metrics)."""
    # The figures ignore the region filter: one cache entry serves every selection, so a click
    # on a region redraws at once.
    return cache.region_metrics(ctx, replace(ctx.filters, regions=()))


def hub_metrics(ctx: Context) -> pd.DataFrame:
    """Protected figures of every hub that had joined by the period's end (metrics.map.compute_hub_metrics)."""
    return cache.hub_metrics(ctx, replace(ctx.filters, regions=()))


# ---- selection: a click on the map sets the shared region filter ---------------------------

def apply_selection(state: MutableMapping, key: str, allowed: Iterable[str]) -> str | None:
    """Apply the map selection stored under `key` to the shared filter state; return the region set.

    A clicked region (or a hub, standing for its region) becomes the region filter, which the
    sidebar widget and the URL follow, so every page shows that region. Always asks for a fresh
    chart, so the click does not leave the other regions dimmed.
    """
    code = maps.region_from_selection(state.get(key), allowed)
    state[NONCE_KEY] = state.get(NONCE_KEY, 0) + 1
    if code is not None:
        state[REGION_PARAM] = [code]
    return code


def clear_regions(state: MutableMapping) -> None:
    """Back to all regions: empty the region filter and redraw the map fitted to the whole country."""
    state[REGION_PARAM] = []
    state[NONCE_KEY] = state.get(NONCE_KEY, 0) + 1


def _on_select(key: str, allowed: tuple[str, ...]) -> None:
    apply_selection(st.session_state, key, allowed)


# ---- page parts ----------------------------------------------------------------------------

def metric_picker(ctx: Context) -> str:
    """The figure that colours the regions (page-level choice; the default is active hubs).

    The widget is one per language (a widget keeps the words it was drawn with), and the choice
    itself is kept under METRIC_KEY, so switching the language keeps the figure.
    """
    tr, options = ctx.tr, list(METRICS)
    kept = st.session_state.get(METRIC_KEY, options[0])
    choice = st.selectbox(tr("map.metric_label"), options, index=options.index(kept) if kept in options else 0,
                          format_func=lambda m: tr(INDICATORS[m].label), key=f"{METRIC_KEY}_{ctx.lang}")
    st.session_state[METRIC_KEY] = choice
    st.caption(tr(INDICATORS[choice].help))
    return choice


def selection_bar(ctx: Context) -> None:
    """When regions are selected: what is selected and the way back to all regions."""
    f = ctx.filters
    if not f.regions:
        return
    names = ", ".join(ctx.region_names.get(c, c) for c in f.regions)
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(escape_md(ctx.tr("map.selected", regions=names)))
    right.button(ctx.tr("map.whole_country"), icon=":material/zoom_out_map:", on_click=clear_regions,
                 args=(st.session_state,), width="stretch")


def growth_year(ctx: Context, growth: pd.DataFrame) -> int | None:
    """For a centre network: the year slider that replays its growth (None for other programmes)."""
    if ctx.filters.programme not in GROWTH_PROGRAMMES or growth.empty:
        return None
    first, last = int(growth["year"].min()), int(growth["year"].max())
    if first == last:
        return last
    return st.slider(ctx.tr("map.growth_slider"), first, last, last, key=YEAR_KEY)


def hubs_by_year(hubs: pd.DataFrame, year: int | None, last_year: int | None) -> pd.DataFrame:
    """The hubs that had joined by the end of `year` (undated hubs only in the last year)."""
    if year is None:
        return hubs
    years = pd.to_datetime(hubs["joined_on"]).dt.year
    keep = (years <= year) | (years.isna() & (year == last_year))
    return hubs[keep.fillna(False).astype(bool)]


def impact_map(ctx: Context, regions: pd.DataFrame, hubs: pd.DataFrame, metric: str) -> None:
    """The deck across the content width (click a region to select it), then its legend and the
    text alternative (highest, lowest and the selected regions)."""
    tr = ctx.tr
    names = {c: ctx.region_names.get(c, c) for c in regions["region_code"]}
    size = view_size(st.context.headers)
    deck = _deck(regions, hubs, metric, tr, names, ctx.filters.regions, size)
    key = f"impact_map_{st.session_state.get(NONCE_KEY, 0)}_{'-'.join(ctx.filters.regions)}"
    allowed = tuple(ctx.choices.labels[REGION_PARAM])
    summary = wording.map_summary(regions, metric, tr, names, ctx.filters.regions)
    st.pydeck_chart(deck, height=size[1], width="stretch", on_select=functools.partial(_on_select, key, allowed),
                    selection_mode="single-object", key=key, alt=tr("map.alt", metric=tr(INDICATORS[metric].label)))
    legend(regions, metric, tr, bool(ctx.filters.regions) or len(regions) == 1)
    st.caption(escape_md(summary))
    at_settlement = int(hubs["placed"].eq("settlement").fillna(False).sum())
    if at_settlement:
        st.caption(tr("map.placed_count", n=tr.number(at_settlement)))
    missing = int((hubs["lat"].isna() | hubs["lon"].isna()).sum())
    if missing:
        st.caption(tr("map.no_coordinates", n=tr.number(missing)))


def legend(regions: pd.DataFrame, metric: str, tr: Translator, single_hubs: bool) -> None:
    """The classes with their colours and units, the states without a figure, and the hubs' marks:
    each status's (single hubs) or the cells' circle (the whole country)."""
    states = region_states(regions, metric)
    classes = maps.classify(regions[metric].where(states == VALUE), metric, tr)
    if single_hubs:
        label = tr("map.legend_points")
        points = [(fill if alpha else "transparent", rim, width, tr(f"map.status_{s}"))
                  for s, (fill, alpha, rim, width) in maps.STATUS_MARKS.items()]
    else:
        label, points = "", [(maps.CELL_FILL, maps.CELL_RIM, 1.0, tr("map.legend_cells"))]
    st.markdown(legend_html(tr(f"map.legend_{metric}"), maps.legend(classes, states, tr), label, points),
                unsafe_allow_html=True)


# A colour is written into a style attribute: only a hex colour may reach it.
_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SWATCH = ('<span style="display:inline-flex;align-items:center;margin:0 .9em .2em 0;white-space:nowrap">'
           '<span style="width:1.1em;height:.8em;background:{c};border:1px solid #9aa5b1;margin-right:.35em">'
           '</span>{t}</span>')
_MARK = ('<span style="display:inline-flex;align-items:center;margin:0 .9em .2em 0">'
         '<span style="flex:none;box-sizing:border-box;width:.8em;height:.8em;border-radius:50%;background:{f};'
         'border:{w:.1f}px solid {c};margin-right:.35em"></span>{t}</span>')


def legend_html(title: str, classes: list[tuple[str, str]], points_label: str,
                points: list[tuple[str, str, float, str]]) -> str:
    """The legend as HTML: every text escaped, every colour a hex colour (anything else is grey; a
    mark's fill may also be "transparent", a ring), so no word from the catalogue or the data can
    become markup. `points`: (fill, rim, rim width in pixels, text) of each hub mark."""
    def colour(c: str, hollow: bool = False) -> str:
        return c if _HEX_COLOUR.match(str(c)) or (hollow and c == "transparent") else "#9aa5b1"

    def width(w: object) -> float:
        return min(max(float(w), 0.0), 4.0) if isinstance(w, (int, float)) else 1.0

    entries = "".join(_SWATCH.format(c=colour(c), t=html.escape(t)) for c, t in classes)
    dots = "".join(_MARK.format(f=colour(f, hollow=True), c=colour(c), w=width(w), t=html.escape(t))
                   for f, c, w, t in points)
    return (f'<div style="font-size:.85rem;line-height:1.6"><b>{html.escape(title)}</b><br/>{entries}<br/>'
            f'{html.escape(points_label)} {dots}</div>')


def region_table(ctx: Context, regions: pd.DataFrame, metric: str) -> None:
    """Every region with every map figure, sorted by the chosen one; headers sort on click."""
    tr = ctx.tr
    table = metrics.region_table(regions, ctx.region_names)
    order = [metric, *[m for m in METRICS if m != metric]]
    table = table.sort_values(metric, ascending=False, na_position="last", ignore_index=True)
    shown = table[["region", *order, "occupation"]]
    styler = shown.style
    for m in order:
        states = region_states(table, m)
        for state in states.unique():
            rows = shown.index[states == state]
            styler = styler.format(functools.partial(wording.cell_text, state=state, metric=m, tr=tr),
                                   subset=pd.IndexSlice[rows, [m]])
    styler = styler.format(lambda o: tr(f"map.occupation_{o}"), subset=["occupation"])
    config = {m: st.column_config.Column(tr(INDICATORS[m].label), help=tr(INDICATORS[m].help)) for m in order}
    config |= {"region": st.column_config.Column(tr("map.col_region"), pinned=True),
               "occupation": st.column_config.Column(tr("map.col_occupation"))}
    st.dataframe(styler, hide_index=True, width="stretch", height=_height(len(shown)), column_config=config,
                 placeholder=MISSING)


def _height(rows: int) -> int:
    # Row and header height of st.dataframe: short tables end where their rows end.
    return min(TABLE_HEIGHT, 35 * (rows + 1) + 3)


def hub_table(ctx: Context, hubs: pd.DataFrame) -> None:
    """The hubs of the selected regions with their figures (people counts protected)."""
    tr = ctx.tr
    table = metrics.hub_table(hubs, ctx.filters.regions)
    if table.empty:
        st.info(tr("map.no_hubs"))
        return
    counts = [c for c in ("people", "activities") if c in table.columns]  # a release has people only
    shown = table[["name", *counts, "settlement", "hromada", "placed", "status", "joined_on"]].assign(
        settlement=wording.place_names(table["settlement"], table["region_code"], tr),
        hromada=wording.place_names(table["hromada"], table["region_code"], tr))
    styler = shown.style.format(lambda v: tr.count(v), subset=counts)
    styler = styler.format(lambda s: tr(f"map.status_{s}"), subset=["status"])
    styler = styler.format(lambda d: "—" if pd.isna(d) else tr.date(d), subset=["joined_on"])
    styler = styler.format(lambda v: wording.placed_text(v, tr), subset=["placed"])
    headers = {"name": "col_hub", "settlement": "col_settlement", "hromada": "col_hromada", "placed": "col_placed",
               "status": "col_status", "joined_on": "col_joined", "people": "col_people",
               "activities": "col_activities"}
    config = {c: st.column_config.Column(tr(f"map.{k}"), pinned=c == "name") for c, k in headers.items()
              if c in shown.columns}
    st.dataframe(styler, hide_index=True, width="stretch", height=_height(len(shown)), column_config=config,
                 placeholder=MISSING)
    if ctx.release is not None:  # published figures per hub: of a calendar year (or all time), for everyone
        st.caption(wording.hub_people_note(ctx.filters, tr))


def growth_panel(ctx: Context, growth: pd.DataFrame, year: int) -> None:
    """Centres in the network by year, the chosen year darker, with its sentence and table."""
    tr = ctx.tr
    row = growth[growth["year"] == year].iloc[0]
    st.markdown(f"**{tr('map.growth_title')}**")
    st.markdown(wording.growth_text(row["total"], row["joined"], year, tr))
    spec = cache.chart(charts.growth_chart, tr, growth, year=year)
    st.vega_lite_chart(spec=spec, width="stretch", theme=None, alt=tr("map.growth_chart"))
    with st.expander(tr("chart.table")):
        translated_table(growth.astype({"year": str}), {"year": "map.growth_year", "joined": "map.growth_joined",
                                                         "total": "map.growth_total"}, tr)


def growth(ctx: Context) -> pd.DataFrame:
    """Sites of the programme by joining year (metrics.map.compute_growth)."""
    return cache.growth(ctx)
