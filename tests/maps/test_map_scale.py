"""The Impact map at every scale: hubs counted by cell across the country, each hub with its status's
mark once a region is selected, the view for a phone, and the text alternative's selected region."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard import maps
from dashboard.i18n import Translator
from dashboard.ui.map import view_size
from dashboard.wording.map import map_summary

NA = pd.NA


def _hubs(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_code", "lat", "lon", "status"])


# Cells are 0.5° of latitude by 0.75° of longitude: 49.10 and 49.40 N both fall in row 98
# (49.10 / 0.5 = 98.2, 49.40 / 0.5 = 98.8), 49.60 N in row 99; 28.10 E and 28.45 E in column 37
# (37.47 and 37.93). Kyiv Oblast's hub shares a cell with two of Vinnytsia Oblast's but is
# counted apart (a circle belongs to one region); Lviv's hub has no coordinates.
HUBS = _hubs([
    ("UA-05", 49.10, 28.10, "active"),
    ("UA-05", 49.40, 28.40, "suspended"),
    ("UA-05", 49.60, 28.10, "active"),
    ("UA-32", 49.45, 28.45, "closed"),
    ("UA-46", None, None, "active"),
])


def test_hubs_are_counted_per_region_and_cell():
    cells = maps.count_cells(HUBS)
    expected = pd.DataFrame({
        "region_code": ["UA-05", "UA-05", "UA-32"],
        "lon": [28.25, 28.10, 28.45], "lat": [49.25, 49.60, 49.45],  # the mean position of the cell's hubs
        "hubs": [2, 1, 1], "active": [1, 1, 0], "closed": [0, 0, 1], "suspended": [1, 0, 0],
    })
    pd.testing.assert_frame_equal(cells.sort_values(["region_code", "lat"]).reset_index(drop=True),
                                  expected.sort_values(["region_code", "lat"]).reset_index(drop=True),
                                  check_like=True, check_dtype=False)
    assert maps.count_cells(HUBS.iloc[4:]).empty


@pytest.mark.parametrize("lang, two, one, statuses", [
    ("en", "2 hubs in this area", "1 hub in this area", "active: 1 · suspended: 1"),
    ("uk", "2 хаби в цій місцевості", "1 хаб у цій місцевості", "працює: 1 · призупинено: 1"),
])
def test_cell_circles_are_sized_by_their_hubs_and_say_what_they_hold(lang, two, one, statuses):
    cells = {(c["code"], c["p"][1]): c for c in maps.hub_cells(HUBS, Translator(lang), {"UA-05": "Vinnytsia"})}
    assert len(cells) == 3
    full, single = cells[("UA-05", 49.25)], cells[("UA-05", 49.6)]
    # Radius by the square root of the count: the fullest cell 21 km, one of two hubs 21 / √2 = 14.85 km.
    assert full["r"] == 21_000 and single["r"] == 14_849 and cells[("UA-32", 49.45)]["r"] == 14_849
    assert (full["t"], full["l1"], full["l2"]) == ("Vinnytsia", two, statuses)
    assert single["l1"] == one and cells[("UA-32", 49.45)]["t"] == "UA-32"  # a region without a name: its code


def test_region_from_a_clicked_cell():
    selection = {"selection": {"objects": {maps.LAYER_CELLS: [{"code": "UA-05", "t": "x"}]}}}
    assert maps.region_from_selection(selection, ["UA-05"]) == "UA-05"
    assert maps.region_from_selection(selection, ["UA-32"]) is None


def _regions(codes: list[str], values: list) -> pd.DataFrame:
    n = len(codes)
    frame = pd.DataFrame({"region_code": codes, "occupation": ["none"] * n,
                          "hubs": pd.array(values, dtype="Int64"), "people": pd.array([100] * n, dtype="Int64")})
    for column in ("population", "public_libraries", "library_hubs", "pre_people", "pre_7_10", "post_people",
                   "post_7_10"):
        frame[column] = pd.array([100] * n, dtype="Int64")
    for column in ("hubs_per_100k", "library_share", "people_per_hub", "share_before", "share_after", "change_pp"):
        frame[column] = pd.array([0.5] * n, dtype="Float64")
    return frame


def _deck_layers(regions: pd.DataFrame, hubs: pd.DataFrame, selected=(), size=(maps.VIEW_WIDTH, maps.VIEW_HEIGHT)):
    hubs = hubs.assign(hub_id=range(len(hubs)), name="H", settlement=None, hromada=None, joined_on=pd.NaT,
                       people=pd.array([5] * len(hubs), dtype="Int64"), activities=pd.array([5] * len(hubs), dtype="Int64"))
    deck = maps.impact_deck(regions, hubs, "hubs", Translator("en", 10), {}, selected, size=size)
    spec = json.loads(deck.to_json())
    return {layer["id"]: layer for layer in spec["layers"]}, spec["initialViewState"]


def test_whole_country_counts_hubs_by_cell_and_a_selection_shows_each_hub():
    regions = _regions(["UA-05", "UA-32", "UA-46"], [2, 0, 1])
    national, _view = _deck_layers(regions, HUBS)
    assert list(national) == [maps.LAYER_REGIONS, maps.LAYER_SELECTED, maps.LAYER_CELLS, maps.LAYER_LABELS]
    assert len(national[maps.LAYER_CELLS]["data"]) == 3
    chosen, _view = _deck_layers(regions, HUBS, selected=("UA-05",))
    assert list(chosen) == [maps.LAYER_REGIONS, maps.LAYER_SELECTED, maps.LAYER_HUBS, maps.LAYER_LABELS]
    assert len(chosen[maps.LAYER_HUBS]["data"]) == 4  # every hub with coordinates, its neighbours' too
    one, _view = _deck_layers(regions.iloc[:1], HUBS.iloc[:3])  # a programme of one region: each hub
    assert maps.LAYER_HUBS in one and maps.LAYER_CELLS not in one


def test_status_is_told_by_shape_as_well_as_colour():
    regions = _regions(["UA-05", "UA-32"], [2, 0])
    layers, _view = _deck_layers(regions, HUBS.iloc[:4], selected=("UA-05",))
    marks = {(p["p"][1], p["p"][0]): p for p in layers[maps.LAYER_HUBS]["data"]}
    active, suspended, closed = marks[(49.1, 28.1)], marks[(49.4, 28.4)], marks[(49.45, 28.45)]
    # At work: a filled disc of the status colour with a white rim; not at work: a ring of the
    # status colour around a (nearly) clear centre, thick when suspended, thin when closed.
    assert active["f"] == [0xD5, 0x5E, 0x00, 220] and active["c"] == [255, 255, 255, 255] and active["w"] == 1.0
    assert suspended["f"][3] <= 60 and suspended["c"] == [0xE6, 0x9F, 0x00, 255] and suspended["w"] == 2.5
    assert closed["f"][3] == 0 and closed["c"] == [0, 0, 0, 255] and closed["w"] == 1.5
    layer = layers[maps.LAYER_HUBS]
    assert (layer["getLineColor"], layer["getLineWidth"], layer["lineWidthUnits"]) == ("@@=c", "@@=w", "pixels")


def test_a_phone_gets_the_whole_country_in_its_width():
    regions = _regions(["UA-05", "UA-32", "UA-46"], [2, 0, 1])
    _layers, laptop = _deck_layers(regions, HUBS)
    _layers, phone = _deck_layers(regions, HUBS, size=(maps.PHONE_WIDTH, maps.PHONE_HEIGHT))
    # Web Mercator: 512 · 2^zoom pixels for 360°; the three regions span 22.1°–32.6° E.
    span = 32.64 - 22.14
    assert 512 * 2 ** phone["zoom"] * span / 360 <= maps.PHONE_WIDTH
    assert phone["zoom"] < laptop["zoom"]


@pytest.mark.parametrize("headers, size", [
    ({"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"}, "phone"),
    ({"user-agent": "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36"}, "phone"),
    ({"Sec-CH-UA-Mobile": "?1", "User-Agent": "Mozilla/5.0 (Linux; Android 14)"}, "phone"),
    ({"Sec-CH-UA-Mobile": "?0", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36"}, "laptop"),
    ({}, "laptop"),
    (None, "laptop"),
])
def test_view_size_from_the_request(headers, size):
    expected = {"phone": (maps.PHONE_WIDTH, maps.PHONE_HEIGHT), "laptop": (maps.VIEW_WIDTH, maps.VIEW_HEIGHT)}
    assert view_size(headers) == expected[size]


# ---- the text alternative: highest, lowest and the selected region ---------------------------

SUMMARY_REGIONS = _regions(["UA-05", "UA-32", "UA-46", "UA-30"], [7, 12, 7, NA])
NAMES = {"UA-05": "Vinnytsia Oblast", "UA-32": "Kyiv Oblast", "UA-46": "Lviv Oblast", "UA-30": "Kyiv"}


@pytest.mark.parametrize("selected, tail", [
    ((), ""),
    # 7 hubs, two regions with 7, one with more: both share rank 2 of the 3 with a figure.
    (("UA-46",), " Selected: Lviv Oblast, 7 (rank 2 of 3 regions with a figure)."),
    (("UA-32",), " Selected: Kyiv Oblast, 12 (rank 1 of 3 regions with a figure)."),
    (("UA-30",), " Selected: Kyiv, no data."),
    (("RU-KEM",), ""),  # not on this map
])
def test_summary_names_the_selected_region(selected, tail):
    text = map_summary(SUMMARY_REGIONS, "hubs", Translator("en", 10), NAMES, selected)
    head = "Active hubs by region: highest in Kyiv Oblast (12), lowest in Vinnytsia Oblast (7). Regions without data: 1."
    assert text == head + tail


def test_summary_names_the_selected_region_in_ukrainian():
    text = map_summary(SUMMARY_REGIONS, "hubs", Translator("uk", 10), {"UA-46": "Львівська область"}, ("UA-46",))
    assert text.endswith(" Вибрано: Львівська область, 7 (місце 2 з 3 регіонів із показником).")


# ---- labels: apart on screen, on a phone and in the exported map -----------------------------

def test_a_label_that_would_overlap_moves_a_line_or_gives_way():
    import shapely

    # 1,000 pixels per radian, 10-pixel type: "AAAA" is 4 · 0.64 · 10 + 2 · 2 = 29.6 px wide and
    # 1.2 · 10 + 2 · 2 = 16 px high. B sits 20 px east of A (0.02 rad = 1.146°): the boxes overlap,
    # so B goes a box's height (16 px) up: latitude atan(sinh(0.016)) = 0.917° N, if its region
    # holds that point; else down (0.917° S); else it is left out. C, far away, stays where it is.
    records = [{"code": "A", "text": "AAAA", "position": [0.0, 0.0], "rank": 0},
               {"code": "B", "text": "BBBB", "position": [1.146, 0.0], "rank": 1},
               {"code": "C", "text": "CCCC", "position": [10.0, 0.0], "rank": 2}]
    everywhere = {c: shapely.box(-20, -20, 20, 20) for c in "ABC"}
    placed = {r["code"]: r["position"] for r in maps.labels.place_labels(records, 1000.0, 10, everywhere)}
    assert placed == {"A": [0.0, 0.0], "B": [1.146, 0.917], "C": [10.0, 0.0]}
    south_only = everywhere | {"B": shapely.box(-20, -20, 20, 0.5)}
    placed = {r["code"]: r["position"] for r in maps.labels.place_labels(records, 1000.0, 10, south_only)}
    assert placed["B"] == [1.146, -0.917]
    tight = everywhere | {"B": shapely.box(1.1, -0.1, 1.2, 0.1)}
    assert [r["code"] for r in maps.labels.place_labels(records, 1000.0, 10, tight)] == ["A", "C"]


def _boxes(labels: list[dict], scale: float, size: float) -> list[tuple[float, float, float, float]]:
    # Boxes worked out here, from Web Mercator and the label box of the test above.
    import math

    out = []
    for label in labels:
        lon, lat = label["position"]
        x = scale * math.radians(lon)
        y = -scale * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
        w, h = len(label["text"]) * 0.64 * size / 2 + 2, 1.2 * size / 2 + 2
        out.append((x - w, y - h, x + w, y + h))
    return out


def _apart(boxes) -> bool:
    return not any(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                   for i, a in enumerate(boxes) for b in boxes[i + 1:])


UKRAINE = [c for c in maps.labels.label_points() if c.startswith("UA-")]


@pytest.mark.parametrize("lang", ["uk", "en"])
@pytest.mark.parametrize("size", [(maps.VIEW_WIDTH, maps.VIEW_HEIGHT), (maps.PHONE_WIDTH, maps.PHONE_HEIGHT)])
def test_deck_labels_never_overlap_in_the_first_view(lang, size):
    regions = _regions(UKRAINE, [1] * len(UKRAINE))
    layers, view = _deck_layers(regions, HUBS, size=size)
    labels = layers[maps.LAYER_LABELS]["data"]
    scale, type_size = 512 * 2 ** view["zoom"] / (2 * 3.141592653589793), layers[maps.LAYER_LABELS]["getSize"]
    assert _apart(_boxes(labels, scale, type_size))
    if size[0] == maps.VIEW_WIDTH:  # at a laptop's width every region is named
        assert len(labels) == len(UKRAINE) == 27


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_exported_map_names_every_region_without_overlap(lang):
    from dashboard.export.regions import MAP_SIZE

    labels = maps.label_records(UKRAINE, lang, maps.static_scale(UKRAINE, *MAP_SIZE), maps.STATIC_LABEL_SIZE)
    assert len(labels) == 27
    # Vega's Mercator fitted to the regions' bounds: the narrower of width / Δx and height / Δy.
    import math

    bounds = [c for code in UKRAINE for c in [maps.geo.load_boundaries().set_index("region_code").loc[code].geometry]]
    west = min(b.bounds[0] for b in bounds)
    east = max(b.bounds[2] for b in bounds)
    south = min(b.bounds[1] for b in bounds)
    north = max(b.bounds[3] for b in bounds)
    merc = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))  # noqa: E731
    scale = min(MAP_SIZE[0] / math.radians(east - west), MAP_SIZE[1] / (merc(north) - merc(south)))
    assert _apart(_boxes(labels, scale, maps.STATIC_LABEL_SIZE))


@pytest.mark.parametrize("lang, place", [
    # Romanised by the national system (resolution No. 55 of 2010): я → ia, ц → ts, ь and the
    # apostrophe unwritten, final -ий → -yi; Kemerovo's Russian names by BGN/PCGN.
    ("en", ["Kamianets-Podilskyi, Kamianets-Podilska hromada", "Prokopyevsk"]),
    ("uk", ["Кам'янець-Подільський, Кам’янець-Подільська громада", "Прокопьевск"]),
])
def test_hub_tooltips_name_places_in_the_page_language(lang, place):
    hubs = pd.DataFrame({"hub_id": ["a", "b"], "name": ["Бібліотека", "Центр"], "region_code": ["UA-68", "RU-KEM"],
                         "settlement": ["Кам'янець-Подільський", "Прокопьевск"], "hromada": ["Кам’янець-Подільська", None],
                         "lat": [48.7, 53.9], "lon": [26.6, 86.7], "joined_on": [pd.NaT, pd.NaT], "status": ["active", "active"],
                         "people": pd.array([12, 15], dtype="Int64"), "activities": pd.array([3, 4], dtype="Int64")})
    points = maps.hub_points(hubs, Translator(lang, 10), {})
    assert [p["l1"] for p in points] == place
    assert [p["t"] for p in points] == ["Бібліотека", "Центр"]  # a hub's own name as registered


def test_a_hub_of_unknown_status_is_counted_in_its_cell_without_words():
    hubs = _hubs([("UA-05", 49.10, 28.10, "active"), ("UA-05", 49.20, 28.20, None), ("UA-05", 49.30, 28.30, "planned")])
    [cell] = maps.hub_cells(hubs, Translator("en"), {})
    assert (cell["l1"], cell["l2"]) == ("3 hubs in this area", "active: 1")
