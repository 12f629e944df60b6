"""Map layer: the pydeck Deck of the Impact map and its static Altair twin; the choropleth's classes
and legend are in dashboard.maps.classes, the regions' labels in dashboard.maps.labels."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping

import altair as alt
import numpy as np
import pandas as pd
import pydeck as pdk

from dashboard import charts, geo
from dashboard.i18n import Translator
from dashboard.metrics.map import METRICS, VALUE, region_states
from dashboard.wording.map import cell_text, hub_tips, region_tips
from dashboard.maps.classes import Classes, classify, legend, region_colours
from dashboard.maps.labels import (LABEL_FONT, LABEL_SIZE, PHONE_LABEL_SIZE, STATIC_LABEL_SIZE, label_records,
                                  static_scale, view_scale)

# Hub points: Okabe–Ito colours by status (none of them in the YlGnBu fill), and a shape that
# tells the statuses apart without colour: a hub at work is a filled disc (white rim; dark rim in
# occupied territory), a hub not at work a hollow ring (thick orange when suspended, thin black
# when closed). (fill, alpha of the fill, rim, rim width in pixels)
STATUS_COLOURS = {"active": "#D55E00", "suspended": "#E69F00", "closed": "#000000", "occupied": "#CC79A7"}
STATUS_MARKS = {"active": ("#D55E00", 220, "#ffffff", 1.0), "occupied": ("#CC79A7", 230, "#1f2933", 1.5),
                "suspended": ("#ffffff", 60, "#E69F00", 2.5), "closed": ("#ffffff", 0, "#000000", 1.5)}
OTHER_MARK = ("#000000", 200, "#ffffff", 1.0)
# At the whole country's scale, hubs are counted in cells of this size (degrees: about 55 km by
# 55 km at Ukraine's latitudes), one region's hubs apart from its neighbours', and each cell is
# a neutral circle sized by its count: 6,000 points would hide the regions' colours, and a click
# on a circle still selects its region. Single hubs appear once a region is selected.
CELL_LAT, CELL_LON = 0.5, 0.75
CELL_RADIUS_MAX = 21_000.0  # metres: under 0.4 of a cell, so the circles of a cell and its neighbours stay apart
CELL_FILL, CELL_RIM = "#3e4c59", "#ffffff"
# Point radius in metres, by people trained: about 2–4 px for 6,000 hubs at national zoom,
# growing as the map zooms into a region (never above RADIUS_MAX_PIXELS).
RADIUS_MIN, RADIUS_MAX = 1_200.0, 8_000.0
RADIUS_MAX_PIXELS = 10
# Width and height the map is fitted for: the page's content width at a laptop's width (about
# 950 px with the sidebar open), a little less so that a narrower window still shows it whole;
# a phone (about 360 px of content) gets a view of its own.
VIEW_WIDTH, VIEW_HEIGHT = 820, 520
PHONE_WIDTH, PHONE_HEIGHT = 340, 300
# Optional light basemap (Carto tiles, no token): only when this variable says "carto".
LAYER_REGIONS, LAYER_SELECTED, LAYER_LABELS, LAYER_HUBS = "regions", "selected", "labels", "hubs"
LAYER_CELLS = "hub_cells"  # the hubs counted by cell, at the whole country's scale
# Tooltip: fixed markup of ours; data only ever enters through {field} values, which the
# frontend HTML-escapes.
TOOLTIP = {
    "html": "<b>{t}</b><br/>{l1}<br/>{l2}<br/>{l3}<br/>{l4}",
    "style": {"backgroundColor": "#1f2933", "color": "#ffffff", "fontSize": "13px", "maxWidth": "340px"},
}


def _rgba(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


# ---- the view ----------------------------------------------------------------------------

def fit_view(codes: list[str], width: int = VIEW_WIDTH, height: int = VIEW_HEIGHT) -> pdk.ViewState:
    """The view that shows the given regions whole (Web Mercator, 512-pixel tiles), with a margin;
    Ukraine when none of the codes has a boundary."""
    gdf = geo.load_boundaries()
    shown = gdf[gdf["region_code"].isin(codes)]
    west, south, east, north = (shown if len(shown) else gdf[gdf["region_code"].str.startswith("UA-")]).total_bounds
    merc = lambda lat: math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))  # noqa: E731
    zoom_x = math.log2(width * 360 / (512 * max(east - west, 1e-3)))
    zoom_y = math.log2(height * 360 / (512 * max(merc(north) - merc(south), 1e-3)))
    centre_lat = math.degrees(2 * math.atan(math.exp(math.radians((merc(north) + merc(south)) / 2))) - math.pi / 2)
    return pdk.ViewState(longitude=round((west + east) / 2, 4), latitude=round(centre_lat, 4),
                         zoom=round(min(zoom_x, zoom_y) - 0.15, 2), min_zoom=3, max_zoom=12)


# ---- the deck ------------------------------------------------------------------------------

class CompactDeck(pdk.Deck):
    """A pdk.Deck whose JSON is compact UTF-8 (pydeck's own indents and escapes every letter,
    which makes Cyrillic names six bytes each: three times the bytes sent for 6,000 hubs)."""

    def to_json(self) -> str:
        from pydeck.bindings.json_tools import default_serialize

        return json.dumps(self, sort_keys=True, default=default_serialize, ensure_ascii=False,
                          separators=(",", ":"))


def region_features(regions: pd.DataFrame, metric: str, classes: Classes, tr: Translator,
                    names: dict[str, str]) -> dict:
    """GeoJSON of the regions in `regions`; properties: `code`, `fill` (RGBA) and the tooltip lines."""
    colours = region_colours(regions, metric, classes)
    tips = region_tips(regions, metric, tr, names)
    props = {code: {"code": code, "fill": _rgba(colours[i], 235), **tips.loc[i].to_dict()}
             for i, code in regions["region_code"].items()}
    # The geometries are shared, not copied (a copy of every boundary was a quarter of a map's build).
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props[code], "geometry": geometry}
        for code, geometry in geo.region_geometries().items() if code in props
    ]}


def hub_points(hubs: pd.DataFrame, tr: Translator, names: dict[str, str]) -> list[dict]:
    """One record per hub with coordinates: `code` (region), `p` (lon, lat), `r` (radius in metres,
    by people trained), `f` (fill, RGBA), `c` (rim, RGBA), `w` (rim width in pixels): the status's
    mark (STATUS_MARKS: a disc at work, a ring not), and the tooltip lines."""
    located = hubs[hubs["lat"].notna() & hubs["lon"].notna()]
    people = pd.to_numeric(located["people"], errors="coerce").astype("float64")
    top = people.max() if people.notna().any() and people.max() > 0 else 1.0
    radius = RADIUS_MIN + (RADIUS_MAX - RADIUS_MIN) * np.sqrt(people.fillna(0).clip(lower=0) / top)
    marks = [STATUS_MARKS.get(s, OTHER_MARK) for s in located["status"]]
    points = pd.DataFrame({
        "code": located["region_code"].astype(str),
        "p": [[round(float(x), 4), round(float(y), 4)] for x, y in zip(located["lon"], located["lat"])],
        "r": radius.round(0),
        "f": [_rgba(fill, alpha) for fill, alpha, _rim, _w in marks],
        "c": [_rgba(rim) for _fill, _alpha, rim, _w in marks],
        "w": [w for _fill, _alpha, _rim, w in marks],
    }, index=located.index)
    return pd.concat([points, hub_tips(located, tr, names)], axis=1).to_dict("records")


def count_cells(hubs: pd.DataFrame) -> pd.DataFrame:
    """The hubs with coordinates counted per region and cell (CELL_LAT by CELL_LON degrees).

    One row per cell of a region: region_code, lon and lat (the mean position of its hubs, so the
    circle sits where they are), hubs (how many), and one column of counts per status found.
    """
    located = hubs[hubs["lat"].notna() & hubs["lon"].notna()]
    columns = ["region_code", "lon", "lat", "hubs"]
    if located.empty:
        return pd.DataFrame(columns=columns)
    lat, lon = located["lat"].astype("float64"), located["lon"].astype("float64")
    frame = pd.DataFrame({"region_code": located["region_code"].astype(str),
                          "row": np.floor(lat / CELL_LAT).astype(int), "col": np.floor(lon / CELL_LON).astype(int),
                          "lon": lon, "lat": lat, "status": located["status"].astype(str)})
    keys = ["region_code", "row", "col"]
    cells = frame.groupby(keys).agg(lon=("lon", "mean"), lat=("lat", "mean"), hubs=("lon", "size"))
    statuses = frame.groupby([*keys, "status"]).size().unstack("status", fill_value=0)
    return cells.join(statuses).reset_index().drop(columns=["row", "col"])


def hub_cells(hubs: pd.DataFrame, tr: Translator, names: dict[str, str]) -> list[dict]:
    """The hubs at the whole country's scale: one neutral circle per cell of a region (count_cells),
    `code` (region), `p` (lon, lat), `r` (radius in metres, by the cell's count of hubs; the
    fullest cell CELL_RADIUS_MAX) and the tooltip lines."""
    cells = count_cells(hubs)
    if cells.empty:
        return []
    top = float(cells["hubs"].max())
    statuses = [s for s in STATUS_MARKS if s in cells.columns]  # a status without words is only counted
    words = {s: tr(f"map.status_{s}") for s in statuses}
    records = []
    for cell in cells.to_dict("records"):
        by_status = " · ".join(tr("map.cell_status", status=words[s], n=tr.number(cell[s])) for s in statuses if cell[s])
        records.append({
            "code": cell["region_code"], "p": [round(float(cell["lon"]), 3), round(float(cell["lat"]), 3)],
            "r": round(CELL_RADIUS_MAX * math.sqrt(cell["hubs"] / top)),
            "t": names.get(cell["region_code"], cell["region_code"]), "l1": tr.plural("map.cell_hubs", cell["hubs"]),
            "l2": by_status, "l3": tr("map.tip_cell_click"), "l4": "",
        })
    return records


def impact_deck(regions: pd.DataFrame, hubs: pd.DataFrame, metric: str, tr: Translator,
                names: dict[str, str], selected: tuple[str, ...] = (), points: list[dict] | None = None,
                basemap: bool = False, size: tuple[int, int] = (VIEW_WIDTH, VIEW_HEIGHT)) -> pdk.Deck:
    """The Impact map: region choropleth of `metric`, selected regions outlined, labels, and the hubs:
    counted by cell (hub_cells) at the whole country's scale, each hub a point (hub_points) once a
    region is selected.

    `regions` comes from metrics_map.compute_region_metrics, `hubs` from compute_hub_metrics
    (filter them first, e.g. by joining year). The view fits the selected regions, else all, in
    `size` (width, height in pixels: VIEW_WIDTH by VIEW_HEIGHT, or PHONE_WIDTH by PHONE_HEIGHT).
    `points` are hub_points(hubs, tr, names) when the caller keeps them (they are most of the
    work and change with neither the figure shown nor the selection).
    No basemap unless `basemap` (settings.basemap_enabled()); then Carto's light tiles, still without a token.
    """
    classes = classify(regions[metric].where(region_states(regions, metric) == VALUE), metric, tr)
    shapes = region_features(regions, metric, classes, tr, names)
    chosen = [c for c in selected if c in set(regions["region_code"])]
    view = fit_view(chosen or list(regions["region_code"]), *size)
    label_size = PHONE_LABEL_SIZE if size[0] <= PHONE_WIDTH else LABEL_SIZE
    layers = [
        pdk.Layer("GeoJsonLayer", shapes, id=LAYER_REGIONS, pickable=True, stroked=True, filled=True,
                  get_fill_color="properties.fill", get_line_color=[255, 255, 255], line_width_min_pixels=1,
                  auto_highlight=True, highlight_color=[0, 0, 0, 40]),
        pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection",
                                   "features": [f for f in shapes["features"] if f["properties"]["code"] in chosen]},
                  id=LAYER_SELECTED, pickable=False, stroked=True, filled=False,
                  get_line_color=[31, 41, 51], line_width_min_pixels=3),
        # Single hubs for a selection, or a programme of one region; else counted by cell.
        hub_layer(hubs, tr, names, points) if chosen or len(regions) == 1 else cell_layer(hubs, tr, names),
        pdk.Layer("TextLayer", label_records(list(regions["region_code"]), tr.lang, view_scale(view), label_size),
                  id=LAYER_LABELS, pickable=False, get_position="position", get_text="text", get_size=label_size,
                  get_color=[31, 41, 51], font_family=f"'{LABEL_FONT}'", font_weight=600, character_set="'auto'",
                  # A halo of about 1.7 px: the outline is measured in pixels of the 64-pixel glyph
                  # atlas, and must fit in the distance field's radius and the glyphs' buffer.
                  font_settings={"sdf": True, "buffer": 16, "radius": 16}, outline_width=10,
                  outline_color=[255, 255, 255, 235],
                  get_text_anchor="'middle'", get_alignment_baseline="'center'",
                  # Labels are placed apart for the first view (place_labels); those that would
                  # overlap once zoomed out give way to larger regions' labels.
                  extensions=[{"@@type": "CollisionFilterExtension"}], get_collision_priority="-rank",
                  collision_test_props={"sizeScale": 1.15}),
    ]
    # Without a provider pydeck writes its map-style placeholder, which tells Streamlit to draw no
    # basemap; an explicit map_style=None would make it fetch Carto's style (fails offline).
    base = dict(map_provider="carto", map_style=pdk.map_styles.CARTO_LIGHT_NO_LABELS) if basemap \
        else dict(map_provider=None)
    return CompactDeck(layers=layers, initial_view_state=view, tooltip=TOOLTIP, **base)


def hub_layer(hubs: pd.DataFrame, tr: Translator, names: dict[str, str],
              points: list[dict] | None = None) -> pdk.Layer:
    """Every hub as a point: its status's mark (STATUS_MARKS), sized by people trained."""
    return pdk.Layer("ScatterplotLayer", hub_points(hubs, tr, names) if points is None else points, id=LAYER_HUBS,
                     pickable=True, get_position="p", get_radius="r", radius_min_pixels=2.5,
                     radius_max_pixels=RADIUS_MAX_PIXELS, filled=True, get_fill_color="f", stroked=True,
                     get_line_color="c", get_line_width="w", line_width_units="'pixels'", auto_highlight=True)


def cell_layer(hubs: pd.DataFrame, tr: Translator, names: dict[str, str]) -> pdk.Layer:
    """The hubs counted by cell (hub_cells): small neutral circles with a white rim, which leave
    the regions' colours legible; a click on one selects its region."""
    return pdk.Layer("ScatterplotLayer", hub_cells(hubs, tr, names), id=LAYER_CELLS, pickable=True,
                     get_position="p", get_radius="r", radius_min_pixels=2, radius_max_pixels=16,
                     filled=True, get_fill_color=_rgba(CELL_FILL), stroked=True, get_line_color=_rgba(CELL_RIM, 220),
                     line_width_min_pixels=1, auto_highlight=True)


def geojson_bytes(deck: pdk.Deck) -> int:
    """Bytes of region GeoJSON in the deck's JSON as sent to the browser (UTF-8)."""
    spec = json.loads(deck.to_json())
    return sum(len(json.dumps(layer["data"], ensure_ascii=False, separators=(",", ":")).encode())
               for layer in spec["layers"] if layer["@@type"] == "GeoJsonLayer")


def region_from_selection(selection: object, allowed: Iterable[str]) -> str | None:
    """The region a map selection points at: the clicked region, or the region of a clicked hub or cell.

    `selection` is what st.pydeck_chart keeps under its key ({"selection": {"objects": {layer
    id: [object]}}}); anything else, or a region outside `allowed`, gives None.
    """
    allowed = set(allowed)
    chosen = selection.get("selection") if isinstance(selection, Mapping) else None
    objects = chosen.get("objects") if isinstance(chosen, Mapping) else None
    if not isinstance(objects, Mapping):
        return None
    for layer in (LAYER_REGIONS, LAYER_HUBS, LAYER_CELLS):
        for obj in objects.get(layer) or []:
            if not isinstance(obj, Mapping):
                continue
            props = obj.get("properties") if layer == LAYER_REGIONS else obj
            code = props.get("code") if isinstance(props, Mapping) else None
            if isinstance(code, str) and code in allowed:
                return code
    return None


# ---- the static twin -----------------------------------------------------------------------

def static_choropleth(regions: pd.DataFrame, metric: str, tr: Translator, names: dict[str, str],
                      width: int = 640, height: int = 440) -> alt.TopLevelMixin:
    """The choropleth as an Altair geoshape with the same classes, colours and legend (for exports)."""
    states = region_states(regions, metric)
    classes = classify(regions[metric].where(states == VALUE), metric, tr)
    entries = legend(classes, states, tr)
    colour_of = dict(zip(regions["region_code"], region_colours(regions, metric, classes)))
    label_of = {colour: text for colour, text in entries}
    collection = geo.boundaries_geojson("d3")
    features = []
    for f in collection["features"]:
        code = f["properties"]["region_code"]
        if code in colour_of:
            features.append({"type": "Feature", "geometry": f["geometry"], "properties": {
                "code": code, "region": names.get(code, code), "legend": label_of[colour_of[code]],
                "value": cell_text(regions.loc[regions["region_code"] == code, metric].iloc[0],
                                   states[regions["region_code"] == code].iloc[0], metric, tr)}})
    title = tr(f"map.legend_{metric}")
    shapes = alt.Chart(alt.Data(values=features)).mark_geoshape(stroke="#ffffff", strokeWidth=0.7).encode(
        color=alt.Color("properties.legend:N", title=title,
                        scale=alt.Scale(domain=[t for _c, t in entries], range=[c for c, _t in entries]),
                        legend=alt.Legend(orient="right", symbolType="square", labelLimit=0, titleLimit=0)),
        tooltip=[alt.Tooltip("properties.region:N", title=tr("map.col_region")),
                 alt.Tooltip("properties.value:N", title=tr(METRICS[metric].label))],
    )
    codes = [f["properties"]["code"] for f in features]
    labels = pd.DataFrame(label_records(codes, tr.lang, static_scale(codes, width, height), STATIC_LABEL_SIZE),
                          columns=["code", "text", "position", "rank"])
    labels[["lon", "lat"]] = pd.DataFrame(labels.pop("position").tolist(), index=labels.index, columns=["lon", "lat"])
    # A white halo under dark type: legible on the palest and the darkest class alike.
    text = alt.Chart(labels).mark_text(fontSize=STATIC_LABEL_SIZE, font=charts.FONT, fontWeight=600).encode(
        longitude="lon:Q", latitude="lat:Q", text="text:N")
    halo = text.mark_text(fontSize=STATIC_LABEL_SIZE, font=charts.FONT, fontWeight=600, color="#ffffff",
                          stroke="#ffffff", strokeWidth=3, strokeJoin="round", strokeOpacity=0.9)
    ink = text.mark_text(fontSize=STATIC_LABEL_SIZE, font=charts.FONT, fontWeight=600, color=charts.INK)
    chart = alt.layer(shapes, halo, ink).project(type="mercator").properties(width=width, height=height)
    return charts.themed(chart, tr)
