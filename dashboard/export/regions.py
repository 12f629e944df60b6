"""Export layer: static maps for files: the Impact map's choropleth with the selected regions
outlined (dashboard.maps.static_choropleth), and a plain locator map when that builder is absent.
"""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd

from dashboard import charts, geo, query
from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.privacy import noise_limit

try:  # the Impact map's builders; the fact sheet falls back to the locator without them
    from dashboard import maps, metrics_map
except ImportError:  # pragma: no cover - only on a tree without the map
    maps = metrics_map = None

# True when the Impact map's static choropleth can be used (and registered as a figure).
AVAILABLE = maps is not None and hasattr(maps, "static_choropleth") and hasattr(metrics_map, "compute_region_metrics")
METRIC = "people"  # the choropleth's figure in files: people trained, per region
MAP_SIZE = (560, 400)  # CSS pixels of the map in a file
# The selected region's outline: a white halo under a dark line, visible on every fill colour.
OUTLINES = ({"type": "geoshape", "filled": False, "stroke": "#ffffff", "strokeWidth": 5},
            {"type": "geoshape", "filled": False, "stroke": charts.INK, "strokeWidth": 2.2})
LOCATOR_COLOURS = {"selected": charts.PALETTE[0], "occupied": "#8c8c8c", "other": "#d9dde3"}
OCCUPIED = "full"  # occupation of a region that is wholly temporarily occupied
FRAME_CACHE = 4  # region frames kept for the fact sheets of one run (a few KB each)
_FRAMES: dict[tuple, pd.DataFrame] = {}


def region_names(lang: str) -> dict[str, str]:
    """ISO code -> region name in the language (uk or en), from the region reference."""
    ref = geo.load_region_reference()
    column = "name_en" if lang == "en" else "name_uk"
    return dict(zip(ref["region_code"], ref[column]))


def compute_region_map(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """Protected figures of every region of the programme (metrics_map.compute_region_metrics,
    which ignores the region filter), plus `selected`: the region is in the filter."""
    frame = metrics_map.compute_region_metrics(db, f, k)
    frame["selected"] = frame["region_code"].isin(f.regions)
    return frame


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


def region_map_chart(frame: pd.DataFrame, tr: Translator, size: tuple[int, int] = MAP_SIZE) -> alt.TopLevelMixin:
    """People trained per region (the Impact map's classes and colours), selected regions outlined."""
    chart = maps.static_choropleth(frame, METRIC, tr, region_names(tr.lang), width=size[0], height=size[1])
    selected = list(frame.loc[frame["selected"], "region_code"])
    return alt.LayerChart.from_dict(with_outline(chart, selected)) if selected else chart


def region_map_table(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The numbers the map draws: region code and name, people trained (or why there is none)."""
    names = region_names(tr.lang)
    states = metrics_map.region_states(frame, METRIC)
    people = []
    for value, state in zip(frame[METRIC], states):
        if state == metrics_map.VALUE:
            people.append(int(value))
        else:
            people.append(metrics_map.cell_text(value, state, METRIC, tr))
    return pd.DataFrame({"ISO 3166-2": frame["region_code"], tr("export.col_region"): [
        names.get(c, c) for c in frame["region_code"]], tr("col.people"): people}, dtype=object)


def map_notes(frame: pd.DataFrame, tr: Translator) -> list[str]:
    """Notes of the map: the outlined regions are the filter's; the map ignores the region filter."""
    return [tr("export.note_map")] if frame["selected"].any() else []


def locator_map(codes: list[str], selected: tuple[str, ...], tr: Translator,
                size: tuple[int, int] = MAP_SIZE) -> alt.TopLevelMixin:
    """The regions `codes` with the selected ones in colour and wholly occupied ones in dark grey."""
    ref = geo.load_region_reference()
    occupation = dict(zip(ref["region_code"], ref["occupation"]))
    labels = {"selected": tr("export.fs_selected"), "occupied": tr("export.fs_occupied"), "other": tr("export.fs_other")}
    features = []
    for feature in geo.boundaries_geojson("d3")["features"]:
        code = feature["properties"]["region_code"]
        if code in codes:
            state = "selected" if code in selected else "occupied" if occupation.get(code) == OCCUPIED else "other"
            features.append({"type": "Feature", "geometry": feature["geometry"], "properties": {"state": labels[state]}})
    present = {f["properties"]["state"] for f in features}
    used = [s for s in LOCATOR_COLOURS if labels[s] in present]
    chart = alt.Chart(alt.Data(values=features)).mark_geoshape(stroke="white", strokeWidth=0.6).encode(
        color=alt.Color("properties.state:N", title=None,
                        scale=alt.Scale(domain=[labels[s] for s in used], range=[LOCATOR_COLOURS[s] for s in used]),
                        legend=alt.Legend(orient="bottom", symbolType="square", labelFontSize=11)),
    ).project(type="mercator").properties(width=size[0], height=size[1])
    return charts.themed(chart, tr)


def sheet_map(db: query.Database, f: Filters, k: int, tr: Translator, codes: list[str],
              region: str | None, size: tuple[int, int]) -> dict:
    """The fact sheet's map spec: the choropleth with the region outlined, or the locator without it.

    At the size of half a page, region labels would be unreadable: they are left out, and the
    legend goes under the map so the map keeps the column's width.
    """
    if not AVAILABLE:
        return locator_map(codes, (region,) if region else tuple(codes), tr, size).to_dict()
    frame = _region_frame(db, replace(f, regions=()), k).copy()
    frame["selected"] = frame["region_code"] == region
    chart = maps.static_choropleth(frame, METRIC, tr, region_names(tr.lang), width=size[0], height=size[1])
    spec = with_outline(chart, [region] if region else [])
    spec["layer"] = [layer for layer in spec.get("layer", []) if _mark(layer) != "text"]
    for layer in spec["layer"]:
        legend = layer.get("encoding", {}).get("color", {}).get("legend")
        if isinstance(legend, dict):
            legend.update(orient="bottom", columns=2, labelFontSize=11, titleFontSize=11)
    return spec


def _region_frame(db: query.Database, f: Filters, k: int) -> pd.DataFrame:
    # The same for every sheet of one run (the map ignores the region filter): computed once
    # per extract version, filters and privacy settings.
    key = (str(db.folder), query.data_version(db.folder), f, k, noise_limit())
    if key not in _FRAMES:
        if len(_FRAMES) >= FRAME_CACHE:
            _FRAMES.clear()
        _FRAMES[key] = compute_region_map(db, f, k)
    return _FRAMES[key]


def _mark(layer: dict) -> str:
    mark = layer.get("mark")
    return mark.get("type", "") if isinstance(mark, dict) else str(mark)
