"""Chart layer of the Coverage page: the map of settlements within and out of reach, active hubs and the planner's picks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from dashboard import geo
from dashboard.charts.theme import FONT, INK, themed
from dashboard.i18n import Translator

# Okabe–Ito blue and vermillion for within and out of reach, told apart with the common
# colour-vision deficiencies and, in grey print, by their shape as well: a dot, a triangle.
# Settlements in occupied territory, out of reach and beyond any new hub, in the grey of occupied
# territory on the impact map, as small squares.
COLOURS = {"covered": "#0072B2", "out": "#D55E00", "occupied": "#8c8c8c", "hub": INK, "pick": "#009E73"}
# A five-pointed star on Vega's unit square, for the picks (Vega has no star of its own).
STAR = "M0,-1L0.24,-0.33L0.95,-0.31L0.38,0.12L0.59,0.81L0,0.4L-0.59,0.81L-0.38,0.12L-0.95,-0.31L-0.24,-0.33Z"
SHAPES = {"covered": "circle", "out": "triangle-up", "occupied": "square", "hub": "diamond", "pick": STAR}
LAND, BORDER = "#eef1f4", "#9aa5b1"
# Settlement marks grow with the square root of their people: a village still shows, a city does
# not cover its oblast (square pixels).
SIZE_RANGE = (6, 320)
MAP_SIZE = (640, 480)  # CSS pixels: the page's map and the files'


def _tooltip(titles: Sequence[str]) -> list[alt.Tooltip]:
    return [alt.Tooltip(f"{field}:N", title=title) for field, title in zip(("t", "l1", "l2"), titles)]


def coverage_map(covered: pd.DataFrame, tr: Translator, *, out: pd.DataFrame, occupied: pd.DataFrame,
                 hubs: pd.DataFrame, picks: pd.DataFrame, kinds: Mapping[str, str], tips: Mapping[str, Sequence[str]],
                 regions: Sequence[str], width: int = MAP_SIZE[0], height: int = MAP_SIZE[1]) -> alt.TopLevelMixin:
    """The regions' outlines, active hubs (small dark diamonds, under the rest), settlements within
    reach (`covered`, blue dots) and out of reach (`out`, vermillion triangles; in occupied
    territory `occupied`, grey squares) sized by their people, and the picks (green stars numbered
    by rank); one legend gives each kind's colour, shape and words (`kinds`).

    The frames are wording.coverage.map_layers: lon, lat, kind, the tooltip's values t, l1 (and
    l2), named per kind by `tips`; the settlements people, the picks label. Each kind is its own
    dataset, so none nears Altair's 5,000 rows."""
    # The legend names the kinds the map draws, in the order of `kinds`.
    present = [k for k, frame in (("covered", covered), ("out", out), ("occupied", occupied), ("hub", hubs),
                                  ("pick", picks)) if len(frame)]
    shown = [k for k in kinds if k in present] or list(kinds)
    domain = [kinds[k] for k in shown]
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=domain, range=[COLOURS[k] for k in shown]),
                       legend=alt.Legend(orient="top", direction="horizontal", columns=2, symbolSize=110,
                                         symbolStrokeWidth=1.5, labelFontSize=12, symbolOpacity=1))
    shape = alt.Shape("kind:N", title=None, scale=alt.Scale(domain=domain, range=[SHAPES[k] for k in shown]))
    where = {"longitude": "lon:Q", "latitude": "lat:Q"}
    features = [f for f in geo.boundaries_geojson("d3")["features"] if f["properties"]["region_code"] in set(regions)]
    land = alt.Chart(alt.Data(values=features)).mark_geoshape(fill=LAND, stroke=BORDER, strokeWidth=0.8)
    size = alt.Size("people:Q", legend=None, scale=alt.Scale(type="sqrt", range=list(SIZE_RANGE), zero=True))
    layers = [land]
    # Hubs first, thin and small: thousands of them must not hide the settlements drawn over them.
    if len(hubs):
        layers.append(alt.Chart(hubs).mark_point(filled=False, size=18, strokeWidth=0.8, opacity=0.7).encode(
            **where, color=colour, shape=shape, tooltip=_tooltip(tips["hub"])))
    for kind, frame in (("occupied", occupied), ("covered", covered), ("out", out)):
        if len(frame):
            layers.append(alt.Chart(frame).mark_point(filled=True, opacity=0.8, strokeWidth=0).encode(
                **where, color=colour, shape=shape, size=size, tooltip=_tooltip(tips[kind])))
    if len(picks):
        layers.append(alt.Chart(picks).mark_point(filled=True, size=260, stroke="#ffffff", strokeWidth=1, opacity=1)
                      .encode(**where, color=colour, shape=shape, tooltip=_tooltip(tips["pick"])))
        layers.append(alt.Chart(picks).mark_text(dx=11, dy=-9, fontSize=12, fontWeight="bold", font=FONT, color=INK,
                                                 stroke="#ffffff", strokeWidth=3, strokeOpacity=0.9)
                      .encode(**where, text="label:N"))
        layers.append(alt.Chart(picks).mark_text(dx=11, dy=-9, fontSize=12, fontWeight="bold", font=FONT, color=INK)
                      .encode(**where, text="label:N"))
    chart = alt.layer(*layers).project(type="mercator").properties(width=width, height=height)
    return themed(chart, tr)
