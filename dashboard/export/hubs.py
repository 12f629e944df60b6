"""Export layer: the hubs of the view on a map and in a table (the Impact map's hub table), each with
how it is on the map: at its registry coordinates, placed at its settlement, or not on the map.

The table holds what the Map page's hub table holds (a release's people per hub are of the view's
calendar year, or of all time when the period spans several years, whatever the participant group:
the notes say which),
plus each region's ISO code, so that a file can be joined to other data.
"""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd

from dashboard import geo
from dashboard.charts.coverage import BORDER, LAND
from dashboard.charts.theme import themed
from dashboard.contract import PLACED
from dashboard.export.view import Source, View
from dashboard.filters import Filters
from dashboard.maps import STATUS_COLOURS
from dashboard.metrics import map as map_metrics
from dashboard.wording import map as wording

# Status by colour (the Impact map's Okabe–Ito colours) and by shape, so that it reads without colour.
SHAPES = {"active": "circle", "suspended": "triangle-up", "closed": "square", "occupied": "diamond"}
# A hub placed at its settlement is drawn open: its point is the settlement's, not the hub's own.
FILL = dict(zip(PLACED, (0.9, 0.0)))
MAP_SIZE = (640, 480)  # CSS pixels


def compute_hubs(src: Source, f: Filters) -> pd.DataFrame:
    """The hubs of the view's regions (every region's when none is chosen) that had joined by the
    period's end, most people first (metrics.map.hub_table), with their points."""
    hubs = src.hub_metrics(replace(f, regions=()))
    regions = tuple(f.regions) or tuple(sorted(hubs["region_code"].dropna().unique()))
    table = map_metrics.hub_table(hubs, regions)
    points = hubs.set_index("hub_id")[["lat", "lon"]]
    return table.join(points, on="hub_id")


def hubs_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """Each hub in words: region's ISO code and name, hub, settlement, hromada, how it is on the
    map, status, date joined and people trained (or "fewer than k")."""
    tr, names = view.tr, view.region_names
    regions = frame["region_code"]
    out = {
        "ISO 3166-2": regions,
        tr("export.col_region"): [names.get(c, c) for c in regions],
        tr("map.col_hub"): frame["name"],
        tr("map.col_settlement"): wording.place_names(frame["settlement"], regions, tr, missing=None),
        tr("map.col_hromada"): wording.place_names(frame["hromada"], regions, tr, missing=None),
        tr("map.col_placed"): [_placed(p, lat, tr) for p, lat in zip(frame["placed"], frame["lat"])],
        tr("map.col_status"): [tr(f"map.status_{s}") for s in frame["status"]],
        tr("map.col_joined"): [None if pd.isna(d) else pd.Timestamp(d).date().isoformat() for d in frame["joined_on"]],
        tr("map.col_people"): [tr.fewer_than() if pd.isna(v) else int(v) for v in frame["people"]],
    }
    return pd.DataFrame(out, dtype=object)


def _placed(placed: object, lat: object, tr) -> str:
    """How a hub is on the map in words; without a record of it (an extract cleaned before hubs were
    placed), by whether it has a point at all."""
    if isinstance(placed, str) and placed:
        return wording.placed_text(placed, tr)
    return wording.placed_text("coordinates" if not pd.isna(lat) else None, tr)


def hubs_chart(frame: pd.DataFrame, view: View, size: tuple[int, int] = MAP_SIZE) -> alt.TopLevelMixin:
    """The view's regions with each hub that has a point: status by colour and shape; a hub placed
    at its settlement drawn open."""
    tr = view.tr
    located = frame[frame["lat"].notna() & frame["lon"].notna()]
    statuses = [s for s in SHAPES if (located["status"] == s).any()]
    words = {s: tr(f"map.status_{s}") for s in statuses}
    placed = located["placed"].fillna("coordinates").where(lambda p: p.isin(list(FILL)), "coordinates")
    place_words = {p: wording.placed_text(p, tr) for p in FILL}
    records = [{"lon": round(float(x), 4), "lat": round(float(y), 4), "status": words[s], "placed": place_words[p],
                "hub": n, "region": view.region_names.get(c, c)}
               for x, y, s, p, n, c in zip(located["lon"], located["lat"], located["status"], placed, located["name"],
                                           located["region_code"]) if s in words]
    codes = set(frame["region_code"])
    features = [f for f in geo.boundaries_geojson("d3")["features"] if f["properties"]["region_code"] in codes]
    land = alt.Chart(alt.Data(values=features)).mark_geoshape(fill=LAND, stroke=BORDER, strokeWidth=0.8)
    status_domain = [words[s] for s in statuses]
    shown_places = [place_words[p] for p in FILL if place_words[p] in {r["placed"] for r in records}]
    colours = alt.Scale(domain=status_domain, range=[STATUS_COLOURS[s] for s in statuses])
    # Vega-Lite draws no legend for an opacity channel: the notes say what an open mark is.
    points = alt.Chart(alt.Data(values=records)).mark_point(filled=True, size=28, strokeWidth=1.1, opacity=0.9).encode(
        longitude="lon:Q", latitude="lat:Q",
        color=alt.Color("status:N", title=tr("map.col_status"), scale=colours),
        stroke=alt.Stroke("status:N", title=tr("map.col_status"), scale=colours),
        shape=alt.Shape("status:N", title=tr("map.col_status"),
                        scale=alt.Scale(domain=status_domain, range=[SHAPES[s] for s in statuses])),
        fillOpacity=alt.FillOpacity("placed:N", legend=None,
                                    scale=alt.Scale(domain=shown_places,
                                                    range=[FILL[p] for p in FILL if place_words[p] in shown_places])),
        tooltip=[alt.Tooltip("hub:N", title=tr("map.col_hub")), alt.Tooltip("region:N", title=tr("export.col_region")),
                 alt.Tooltip("status:N", title=tr("map.col_status")),
                 alt.Tooltip("placed:N", title=tr("map.col_placed"))])
    layers = [land, points] if records else [land]
    chart = alt.layer(*layers).project(type="mercator").properties(width=size[0], height=size[1])
    return themed(chart, tr)


def hubs_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """How hubs are placed, how many are placed at their settlement or not on the map, and whose
    people the column counts."""
    tr = view.tr
    # A release holds people per hub by calendar year (or all time), for everyone.
    notes = [tr("export.note_hubs_people") if view.release is None else wording.hub_people_note(view.filters, tr)]
    at_settlement = int((frame["placed"] == "settlement").sum())
    if at_settlement:
        notes += [tr("map.placed_count", n=tr.number(at_settlement)), tr("export.note_hubs_open")]
    missing = int((frame["lat"].isna() | frame["lon"].isna()).sum())
    if missing:
        notes.append(tr("export.note_hubs_missing", n=tr.number(missing)))
    return notes
