"""Export layer: the Impact map's choropleth for files (maps.static_choropleth), the regions of
the filter outlined, for the press kit and the fact sheets.
"""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd

from dashboard import charts, geo, maps
from dashboard.export.view import Source, View, source_folder
from dashboard.filters import Filters
from dashboard.indicators import INDICATORS
from dashboard.metrics import map as map_metrics
from dashboard.store.database import data_version
from dashboard.wording.map import cell_text

# The choropleth's figure in files: people trained per 10,000 residents (the Impact map's default),
# so that regions of different size compare fairly; the table gives the number of people beside it.
METRIC = "people_per_10k"
MAP_SIZE = (560, 400)  # CSS pixels of the map in a file
# The selected region's outline: a white halo under a dark line, visible on every fill colour.
OUTLINES = ({"type": "geoshape", "filled": False, "stroke": "#ffffff", "strokeWidth": 5},
            {"type": "geoshape", "filled": False, "stroke": charts.INK, "strokeWidth": 2.2})
FRAME_CACHE = 4  # region frames kept for the fact sheets of one run (a few KB each)
_FRAMES: dict[tuple, pd.DataFrame] = {}


def compute_region_map(src: Source, f: Filters) -> pd.DataFrame:
    """Protected figures of every region of the programme (the source's region_metrics, which
    ignore the region filter), plus `selected`: the region is in the filter."""
    frame = src.region_metrics(f)
    return frame.assign(selected=frame["region_code"].isin(f.regions))


def _outlines(codes: list[str]) -> list[dict]:
    features = [feat for feat in geo.boundaries_geojson("d3")["features"]
                if feat["properties"]["region_code"] in codes]
    return [{"data": {"values": features}, "mark": mark} for mark in OUTLINES]


def with_outline(chart: alt.TopLevelMixin, codes: list[str]) -> dict:
    """The spec of a map chart with the given regions outlined (white halo, dark line)."""
    spec = chart.to_dict()
    if codes and "layer" in spec:
        spec["layer"].extend(_outlines(codes))
    return spec


def region_map_chart(frame: pd.DataFrame, view: View, size: tuple[int, int] = MAP_SIZE) -> alt.TopLevelMixin:
    """People trained per 10,000 residents per region (the Impact map's classes and colours),
    selected regions outlined."""
    chart = maps.static_choropleth(frame, METRIC, view.tr, dict(view.region_names), width=size[0], height=size[1])
    selected = list(frame.loc[frame["selected"], "region_code"])
    return alt.LayerChart.from_dict(with_outline(chart, selected)) if selected else chart


def region_map_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """The numbers the map draws: region code and name, people trained (or why there is none) and
    people trained per 10,000 residents (rounded as shown; empty where the count is hidden or the
    population unknown)."""
    tr, names = view.tr, view.region_names
    return pd.DataFrame({"ISO 3166-2": frame["region_code"], tr("export.col_region"): [
        names.get(c, c) for c in frame["region_code"]], tr("col.people"): _cells(frame, "people", tr),
        tr(INDICATORS[METRIC].label): _cells(frame, METRIC, tr)}, dtype=object)


def _cells(frame: pd.DataFrame, metric: str, tr) -> list:
    """A figure per region as a file cell: the number wherever the map shows one (an occupied region
    may still have figures), rounded as shown; else why there is none (a rate: empty)."""
    decimals = INDICATORS[metric].decimals
    cells = []
    for value, state in zip(frame[metric], map_metrics.region_states(frame, metric)):
        if state == map_metrics.VALUE or (state == map_metrics.OCCUPIED_STATE and not pd.isna(value)):
            cells.append(int(value) if INDICATORS[metric].kind == "people" else round(float(value), decimals))
        elif INDICATORS[metric].kind == "people":
            cells.append(cell_text(value, state, metric, tr))
        else:
            cells.append(None)
    return cells


def map_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """Notes of the map: the outlined regions are the filter's; the map ignores the region filter."""
    return [view.tr("export.note_map")] if frame["selected"].any() else []


def sheet_map(src: Source, view: View, region: str | None, size: tuple[int, int]) -> dict:
    """The fact sheet's map spec: the choropleth with the region outlined (none for the country).

    At the size of half a page, region labels would be unreadable: they are left out, and the
    legend goes under the map so the map keeps the column's width.
    """
    frame = _region_frame(src, replace(view.filters, regions=())).copy()
    frame["selected"] = frame["region_code"] == region
    chart = maps.static_choropleth(frame, METRIC, view.tr, dict(view.region_names), width=size[0], height=size[1])
    spec = with_outline(chart, [region] if region else [])
    spec["layer"] = [layer for layer in spec.get("layer", []) if _mark(layer) != "text"]
    for layer in spec["layer"]:
        legend = layer.get("encoding", {}).get("color", {}).get("legend")
        if isinstance(legend, dict):
            legend.update(orient="bottom", columns=2, labelFontSize=11, titleFontSize=11)
    return spec


def _region_frame(src: Source, f: Filters) -> pd.DataFrame:
    # The same for every sheet of one run (the map ignores the region filter): computed once
    # per source (its kind, folder and version: a release's tables never change), filters and
    # privacy rule.
    folder = source_folder(src)
    version = data_version(folder) if src.release is None else src.release["created"]
    key = (type(src).__name__, str(folder), version, f, src.rule)
    if key not in _FRAMES:
        if len(_FRAMES) >= FRAME_CACHE:
            _FRAMES.clear()
        _FRAMES[key] = compute_region_map(src, f)
    return _FRAMES[key]


def _mark(layer: dict) -> str:
    mark = layer.get("mark")
    return mark.get("type", "") if isinstance(mark, dict) else str(mark)
