"""Tests of the Impact map: region and hub figures against hand counts, classes, legend, deck spec, static twin."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from map_extract import HOSTILE_NAME, build_map_extract

from dashboard import geo, maps, settings
from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.metrics import map as metrics_map
from dashboard.metrics import overview as overview_metrics
from dashboard.privacy import Rule
from dashboard.store.database import Database

D = dt.date
NA = pd.NA
YEAR_2024 = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))
# Hand-counted figures are exact: perturbation is off (the noise is tested in test_privacy.py).
EXACT = Rule(k=10, noise=0)
NOISY = Rule(k=10, noise=2)
@pytest.fixture(scope="session")
def map_dir(tmp_path_factory):
    return build_map_extract(tmp_path_factory.mktemp("map_clean"))


@pytest.fixture
def mdb(map_dir):
    database = Database(map_dir)
    yield database
    database.close()


def tr_of(lang: str) -> Translator:
    """A Translator that writes "fewer than 10" (the Rule's k)."""
    return Translator(lang, EXACT.k)


# ---- each metric per region, counted by hand -------------------------------------------------

# 2024: UA-05 has A (12) and P's March class at H1 → 13 people, 1 active hub, library hubs H1 and H2
# of 40 libraries; ratings before: 13, none at 7–10; after: A1–A10 and P, all at 7–10 (11 of 11).
# UA-32 has B (8) and P's May class at H3 → 9 people (hidden), 1 active hub (CNAP), no library hub
# (H4 closed); UA-30's hub joins in 2025; UA-46 has a hub but no class and no reference figures;
# UA-43 is occupied (its occupied library hub counts as in the Overview: joined, not closed).
EXPECTED = {  # metric -> {region: (value, state)}
    "hubs": {"UA-05": (1, "value"), "UA-32": (1, "value"), "UA-30": (0, "value"), "UA-46": (0, "value"),
             "UA-43": (0, "occupied")},
    "hubs_per_100k": {"UA-05": (1e5 / 1_500_000, "value"), "UA-32": (1e5 / 1_780_000, "value"),
                      "UA-30": (0.0, "value"), "UA-46": (NA, "no_data"), "UA-43": (0.0, "occupied")},
    "library_share": {"UA-05": (2 / 40, "value"), "UA-32": (0.0, "value"), "UA-30": (0.0, "value"),
                      "UA-46": (NA, "no_data"), "UA-43": (1 / 796, "occupied")},
    "people": {"UA-05": (13, "value"), "UA-32": (NA, "hidden"), "UA-30": (0, "value"), "UA-46": (0, "value"),
               "UA-43": (0, "occupied")},
    # People per 10,000 residents: 13 of UA-05's 1,500,000 residents; UA-32's 9 are hidden, and so
    # is their rate; UA-46 has no population on record.
    "people_per_10k": {"UA-05": (13 * 1e4 / 1_500_000, "value"), "UA-32": (NA, "hidden"), "UA-30": (0.0, "value"),
                       "UA-46": (NA, "no_data"), "UA-43": (0.0, "occupied")},
    "people_per_hub": {"UA-05": (13.0, "value"), "UA-32": (NA, "hidden"), "UA-30": (NA, "no_data"),
                       "UA-46": (NA, "no_data"), "UA-43": (NA, "occupied")},
    "share_after": {"UA-05": (1.0, "value"), "UA-32": (NA, "hidden"), "UA-30": (NA, "no_data"),
                    "UA-46": (NA, "no_data"), "UA-43": (NA, "occupied")},
    "change_pp": {"UA-05": (1.0, "value"), "UA-32": (NA, "hidden"), "UA-30": (NA, "no_data"),
                  "UA-46": (NA, "no_data"), "UA-43": (NA, "occupied")},
}


def test_metrics_cover_every_choice():
    assert set(EXPECTED) == set(metrics_map.METRICS)


@pytest.mark.parametrize("metric", list(EXPECTED))
def test_each_metric_per_region(mdb, metric):
    regions = metrics_map.compute_region_metrics(mdb, YEAR_2024, EXACT).set_index("region_code")
    assert sorted(regions.index) == sorted(EXPECTED[metric])  # Ukraine's regions only, Kemerovo left out
    states = metrics_map.region_states(regions.reset_index(), metric)
    for code, (value, state) in EXPECTED[metric].items():
        shown = regions.at[code, metric]
        assert states[list(regions.index).index(code)] == state, code
        if value is NA:
            assert pd.isna(shown), code
        else:
            assert float(shown) == pytest.approx(value), code


def test_region_rows_equal_the_overview_for_that_region(mdb):
    """A click on a region lands on the Overview of that region: the same figures."""
    regions = metrics_map.compute_region_metrics(mdb, YEAR_2024, EXACT).set_index("region_code")
    for code in ("UA-05", "UA-32", "UA-30"):
        overview = overview_metrics.compute_counts(
            mdb, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=(code,)), EXACT)
        for column in ("people", "hubs", "library_share", "share_before", "share_after", "change_pp",
                       "pre_people", "post_people", "post_7_10"):
            a, b = regions.at[code, column], overview.at[0, column]
            assert (pd.isna(a) and pd.isna(b)) or float(a) == pytest.approx(float(b)), (code, column)


def test_same_people_get_the_same_noise_as_on_the_overview(mdb):
    """Cell keys equal the Overview's: a region's count, and the one hub holding all its people,
    are perturbed exactly like the Overview's count for that region (no differencing between views)."""
    regions = metrics_map.compute_region_metrics(mdb, YEAR_2024, NOISY).set_index("region_code")
    hubs = metrics_map.compute_hub_metrics(mdb, YEAR_2024, NOISY).set_index("hub_id")
    overview = overview_metrics.compute_counts(
        mdb, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",)), NOISY)
    assert regions.at["UA-05", "people"] == overview.at[0, "people"] == hubs.at["ХЦО-00001", "people"]
    assert regions.at["UA-05", "post_7_10"] == overview.at[0, "post_7_10"]


def test_segment_narrows_people_but_not_libraries(mdb):
    women = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), gender=("female",))
    regions = metrics_map.compute_region_metrics(mdb, women, EXACT).set_index("region_code")
    assert regions.at["UA-05", "people"] == 12  # group A only
    assert regions.at["UA-32", "people"] == 0 and regions.at["UA-32", "hubs"] == 0
    assert regions.at["UA-05", "library_share"] == pytest.approx(2 / 40)


def test_people_counts_are_perturbed_within_the_noise(mdb):
    regions = metrics_map.compute_region_metrics(mdb, YEAR_2024, NOISY).set_index("region_code")
    assert abs(int(regions.at["UA-05", "people"]) - 13) <= 2 and pd.isna(regions.at["UA-32", "people"])
    assert not [c for c in regions.columns if c.endswith("_key")]


def test_hub_figures(mdb):
    hubs = metrics_map.compute_hub_metrics(mdb, YEAR_2024, EXACT).set_index("hub_id")
    # Joined by the end of 2024: H5 (2025) is left out; the Kemerovo centres belong to the other programme.
    assert sorted(hubs.index) == ["ХЦО-00001", "ХЦО-00002", "ХЦО-00003", "ХЦО-00004", "ХЦО-00006", "ХЦО-00007"]
    assert hubs.at["ХЦО-00001", "people"] == 13 and hubs.at["ХЦО-00001", "activities"] == 13
    assert pd.isna(hubs.at["ХЦО-00003", "people"])  # B (8) and P: 9 people, hidden
    assert hubs.at["ХЦО-00003", "activities"] == 17  # 16 classes of B and one of P
    assert hubs.at["ХЦО-00006", "people"] == 0 and hubs.at["ХЦО-00004", "status"] == "closed"
    assert not [c for c in hubs.columns if c.endswith("_key")]


def test_network_growth(mdb):
    growth = metrics_map.compute_growth(mdb, "kem_centres")
    assert growth.to_dict("list") == {"year": [2010, 2011, 2012], "joined": [1, 1, 1], "total": [1, 2, 3]}
    assert metrics_map.compute_growth(mdb, "nothing").empty


# ---- region codes: data and boundaries -------------------------------------------------------

def test_region_codes_in_data_and_boundaries_match_one_to_one():
    reference = geo.load_region_reference()["region_code"]
    boundaries = geo.load_boundaries()["region_code"]
    assert reference.is_unique and boundaries.is_unique
    assert sorted(reference) == sorted(boundaries)
    features = geo.boundaries_geojson()["features"]
    assert sorted(f["properties"]["region_code"] for f in features) == sorted(reference)
    assert set(maps.labels.label_points()) == set(reference) and set(maps.labels.short_names("uk")) == set(reference)


def test_every_region_of_the_view_is_drawn_once(mdb):
    regions = metrics_map.compute_region_metrics(mdb, YEAR_2024, EXACT)
    hubs = metrics_map.compute_hub_metrics(mdb, YEAR_2024, EXACT)
    spec = json.loads(maps.impact_deck(regions, hubs, "people", tr_of("en"), {}).to_json())
    shapes = next(layer for layer in spec["layers"] if layer["id"] == maps.LAYER_REGIONS)
    assert sorted(f["properties"]["code"] for f in shapes["data"]["features"]) == sorted(regions["region_code"])


# ---- classes and legend ----------------------------------------------------------------------

def test_sequential_classes_with_a_zero_class():
    values = pd.Series([0, 5, 10, 20, 40, 80, 160])
    classes = maps.classify(values, "people", tr_of("en"))
    # A class of 0, then four of 5, 10, 20, 40, 80, 160 at their natural breaks: {5, 10, 20}, {40},
    # {80}, {160} leaves 116.7 of squared deviations (mean 11.67), the next best, {5, 10}, {20, 40},
    # {80}, {160}, 212.5. Cuts: the roundest number above the class's last value and up to the
    # next class's first, nearest their middle: 30 (20–40), 60 (40–80), 100 (80–160).
    assert classes.breaks == (0, 5, 30, 60, 100, 160)
    assert classes.labels == ("0", "5 – 29", "30 – 59", "60 – 99", "100 – 160")
    assert classes.colours == maps.classes.SEQUENTIAL[5]
    assert classes.index(values).tolist() == [0, 1, 1, 1, 2, 3, 4]


def test_share_classes_are_read_in_percent():
    classes = maps.classify(pd.Series([0.1, 0.2, 0.4]), "library_share", tr_of("uk"))
    # 10, 20, 40 (%) in a class each; cuts 20 (the only one-digit number in (10, 20]) and 30.
    assert [round(b, 4) for b in classes.breaks] == [0.1, 0.2, 0.3, 0.4]
    assert [t.replace("\u00a0", " ") for t in classes.labels] == ["10,0 % – 20,0 %", "20,0 % – 30,0 %",
                                                                  "30,0 % – 40,0 %"]


@pytest.mark.parametrize("values, k, starts", [
    ([1, 2, 3, 10, 11, 12, 30], 3, [3, 6]),  # three clusters: {1, 2, 3}, {10, 11, 12}, {30}
    ([30, 1, 12, 2, 11, 3, 10], 3, [3, 6]),  # in any order
    ([1, 1, 1, 2, 2, 9], 5, [3, 5]),  # three distinct values: three classes, equal values together
    # Rates that barely differ but for one low region: the low one alone, the rest split where they part.
    ([6.0, 11.0, 11.1, 11.2, 12.4, 12.5, 12.6], 3, [1, 4]),
    ([5, 5, 5], 4, []),
    ([7], 5, []),
])
def test_natural_breaks(values, k, starts):
    assert maps.classes.natural_breaks(np.array(values, dtype=float), k) == starts


@pytest.mark.parametrize("last, first, whole, cut", [
    (20, 40, True, 30), (80, 160, True, 100), (129, 130, True, 130), (1, 2, True, 2),
    (11.04, 11.3, False, 11.2),  # no one- or two-digit number between: 11.1–11.3, nearest the middle 11.17
    (0.123, 0.5, False, 0.3), (10, 20, False, 20),
])
def test_round_cut(last, first, whole, cut):
    assert maps.classes.round_cut(last, first, whole) == pytest.approx(cut)


@pytest.mark.parametrize("values, labels, colours", [
    # Falls in red, rises in blue, each side cut at its terciles (here one fall, two rises: median 20).
    ([-0.05, 0.1, 0.3], ("-5 – 0", "0 – +20", "+20 – +30"), maps.classes.DIVERGING[2:5]),
    # Every region rose by 55–70 points: three shades of blue still tell them apart (terciles 60.7, 62.7).
    ([0.55, 0.6, 0.62, 0.64, 0.7], ("0 – +61", "+61 – +63", "+63 – +70"), maps.classes.DIVERGING[3:]),
    ([0.0, 0.0], ("0",), maps.classes.DIVERGING[3:4]),
])
def test_changes_get_a_diverging_scale_around_zero(values, labels, colours):
    classes = maps.classify(pd.Series(values), "change_pp", tr_of("en"))
    assert classes.labels == labels and classes.colours == colours
    assert classes.index(pd.Series(values)).tolist() == sorted(classes.index(pd.Series(values)).tolist())
    assert 0.0 in classes.breaks  # no class straddles zero


def test_one_value_and_no_value():
    tr = tr_of("en")
    assert maps.classify(pd.Series([7.0]), "hubs", tr).labels == ("7",)
    assert maps.classify(pd.Series([0, 0]), "hubs", tr).labels == ("0",)
    assert maps.classify(pd.Series([NA], dtype="Float64"), "hubs", tr).labels == ()


def test_legend_names_states_apart_from_zero(mdb):
    tr = tr_of("en")
    regions = metrics_map.compute_region_metrics(mdb, YEAR_2024, EXACT)
    states = metrics_map.region_states(regions, "people_per_hub")
    classes = maps.classify(regions["people_per_hub"].where(states == "value"), "people_per_hub", tr)
    entries = maps.legend(classes, states, tr)
    assert entries == [(maps.classes.SEQUENTIAL[1][0], "13.0"), (maps.classes.STATE_COLOURS["no_data"], "no data"),
                       (maps.classes.STATE_COLOURS["hidden"], "hidden: fewer than 10 people"),
                       (maps.classes.STATE_COLOURS["occupied"], "temporarily occupied territory")]
    colours = maps.region_colours(regions, "people", maps.classify(
        regions["people"].where(metrics_map.region_states(regions, "people") == "value"), "people", tr))
    by_code = dict(zip(regions["region_code"], colours))
    zero = by_code["UA-30"]
    assert zero == by_code["UA-46"] and zero not in maps.classes.STATE_COLOURS.values()
    assert by_code["UA-43"] == maps.classes.STATE_COLOURS["occupied"] and by_code["UA-32"] == maps.classes.STATE_COLOURS["hidden"]


# ---- the deck --------------------------------------------------------------------------------

def _deck_spec(mdb, metric="people", lang="en", selected=(), basemap=False):
    regions = metrics_map.compute_region_metrics(mdb, YEAR_2024, EXACT)
    hubs = metrics_map.compute_hub_metrics(mdb, YEAR_2024, EXACT)
    names = dict(zip(regions["region_code"], regions["region_code"]))
    deck = maps.impact_deck(regions, hubs, metric, tr_of(lang), names, selected, basemap=basemap)
    return deck, json.loads(deck.to_json())


def test_hostile_hub_name_reaches_the_spec_as_plain_text(mdb):
    deck, spec = _deck_spec(mdb, selected=("UA-46",))  # single hubs: a region is selected
    hubs = next(layer for layer in spec["layers"] if layer["id"] == maps.LAYER_HUBS)
    hostile = [h for h in hubs["data"] if h["t"] == HOSTILE_NAME]
    assert len(hostile) == 1  # the name as data, character for character: the frontend escapes {t}
    template = maps.TOOLTIP["html"]
    assert "<img" not in template and "onerror" not in template and "{t}" in template
    assert deck._tooltip == maps.TOOLTIP  # the markup is ours alone
    text = deck.to_json()
    assert text.count("onerror") == 1 and "html" not in json.dumps(spec["layers"])


def test_no_basemap_and_no_token(mdb, monkeypatch):
    monkeypatch.delenv("DASHBOARD_BASEMAP", raising=False)
    assert not settings.basemap_enabled()
    deck, spec = _deck_spec(mdb, basemap=settings.basemap_enabled())
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec  # Streamlit draws no tiles
    text = deck.to_json().lower()
    assert "mapbox" not in text and "carto" not in text and "token" not in text
    monkeypatch.setenv("DASHBOARD_BASEMAP", "carto")
    assert settings.basemap_enabled()
    _deck, spec = _deck_spec(mdb, basemap=settings.basemap_enabled())
    assert spec["mapProvider"] == "carto" and "cartocdn" in spec["mapStyle"]


def test_layers_labels_and_points(mdb):
    _deck, spec = _deck_spec(mdb, lang="uk", selected=("UA-05",))
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert list(layers) == [maps.LAYER_REGIONS, maps.LAYER_SELECTED, maps.LAYER_HUBS, maps.LAYER_LABELS]
    labels = layers[maps.LAYER_LABELS]
    assert labels["characterSet"] == "auto" and "Noto Sans" in labels["fontFamily"]
    assert {r["text"] for r in labels["data"]} == {"Вінницька", "Київська", "Київ", "Львівська", "АР Крим"}
    points = {p["t"]: p for p in layers[maps.LAYER_HUBS]["data"]}
    assert len(points) == 6  # every hub of the programme that had joined by the end of 2024, beyond the selection too
    top, hidden, zero = (points[n]["r"] for n in ("Брацлавська публічна бібліотека", "ЦНАП <b>Бровари</b>", HOSTILE_NAME))
    assert top == maps.RADIUS_MAX and hidden == zero == maps.RADIUS_MIN  # a hidden count draws as the smallest
    assert points["Сімферопольська бібліотека"]["f"][:3] == [204, 121, 167]  # occupied status colour
    tips = points["Брацлавська публічна бібліотека"]
    assert [tips[k] for k in ("l1", "l2", "l3", "l4")] == [
        "Брацлав, Брацлавська громада", "UA-05", "працює · приєднався 3 жовтня 2022\u202fр.",
        "Навчено людей: 13 · занять: 13"]
    assert points["ЦНАП <b>Бровари</b>"]["l4"] == "Навчено людей: менше 10 · занять: 17"


def test_region_tooltips_name_occupation_and_missing_figures(mdb):
    _deck, spec = _deck_spec(mdb, metric="people_per_hub")
    features = {f["properties"]["code"]: f["properties"] for f in spec["layers"][0]["data"]["features"]}
    assert features["UA-43"]["l4"] == "Temporarily occupied territory"
    assert features["UA-32"]["l4"] == "Partly temporarily occupied"
    assert features["UA-32"]["l1"] == "People trained per active hub: hidden: fewer than 10 people"
    assert features["UA-30"]["l1"] == "People trained per active hub: no data"
    assert features["UA-05"]["l1"] == "People trained per active hub: 13.0"
    assert features["UA-05"]["l2"] == "Active hubs: 1 · people trained: 13"


def test_selection_fits_the_view_and_outlines_the_region(mdb):
    _deck, national = _deck_spec(mdb)
    _deck, chosen = _deck_spec(mdb, selected=("UA-05",))
    outline = next(layer for layer in chosen["layers"] if layer["id"] == maps.LAYER_SELECTED)
    assert [f["properties"]["code"] for f in outline["data"]["features"]] == ["UA-05"]
    view = chosen["initialViewState"]
    west, south, east, north = geo.load_boundaries().set_index("region_code").loc[["UA-05"]].total_bounds
    assert west < view["longitude"] < east and south < view["latitude"] < north
    assert view["zoom"] > national["initialViewState"]["zoom"] + 1


@pytest.mark.parametrize("selection, expected", [
    ({"selection": {"objects": {"regions": [{"type": "Feature", "properties": {"code": "UA-05"}}]}}}, "UA-05"),
    ({"selection": {"objects": {"hubs": [{"code": "UA-32", "t": "x"}]}}}, "UA-32"),
    ({"selection": {"objects": {"regions": [{"properties": {"code": "RU-KEM"}}]}}}, None),  # not this programme
    ({"selection": {"indices": {}, "objects": {}}}, None),
    ({"selection": {"objects": {"regions": ["UA-05"]}}}, None),
    (None, None),
    ("UA-05", None),
])
def test_region_from_selection(selection, expected):
    assert maps.region_from_selection(selection, ["UA-05", "UA-32"]) == expected


def test_geojson_sent_is_small():
    reference = geo.load_region_reference()
    regions = reference[reference["country_code"] == "UA"].copy()
    for column in ("hubs", "library_hubs", "people", "pre_people", "pre_7_10", "post_people", "post_7_10"):
        regions[column] = pd.array([0] * len(regions), dtype="Int64")
    for column in ("hubs_per_100k", "library_share", "people_per_hub", "share_before", "share_after", "change_pp"):
        regions[column] = pd.array([np.nan] * len(regions), dtype="Float64")
    hubs = pd.DataFrame(columns=["hub_id", "name", "settlement", "hromada", "region_code", "lat", "lon",
                                 "joined_on", "status", "people", "activities"])
    deck = maps.impact_deck(regions, hubs, "hubs", tr_of("uk"), dict(zip(regions.region_code, regions.name_uk)))
    assert 80_000 < maps.geojson_bytes(deck) < 150_000  # 27 simplified regions with their tooltips


# ---- the static twin -------------------------------------------------------------------------

def test_static_choropleth_has_the_same_classes_and_legend(mdb):
    tr = tr_of("en")
    regions = metrics_map.compute_region_metrics(mdb, YEAR_2024, EXACT)
    names = dict(zip(regions["region_code"], regions["region_code"]))
    chart = maps.static_choropleth(regions, "people", tr, names)
    spec = chart.to_dict()
    shapes, halo, text = spec["layer"]
    assert shapes["mark"]["type"] == "geoshape" and halo["mark"]["type"] == text["mark"]["type"] == "text"
    assert (halo["mark"]["stroke"], halo["mark"]["strokeWidth"]) == ("#ffffff", 3)  # a white halo under the ink
    states = metrics_map.region_states(regions, "people")
    classes = maps.classify(regions["people"].where(states == "value"), "people", tr)
    entries = maps.legend(classes, states, tr)
    scale = shapes["encoding"]["color"]["scale"]
    assert scale["domain"] == [t for _c, t in entries] and scale["range"] == [c for c, _t in entries]
    assert shapes["encoding"]["color"]["title"] == "People trained, number of people"
    values = shapes["data"]["values"]
    assert sorted(v["properties"]["region"] for v in values) == sorted(regions["region_code"])
    legend = {v["properties"]["region"]: v["properties"]["legend"] for v in values}
    assert legend["UA-43"] == "temporarily occupied territory" and legend["UA-32"] == "hidden: fewer than 10 people"
    ring = values[0]["geometry"]["coordinates"][0]
    ring = ring[0] if isinstance(ring[0][0], list) else ring
    signed = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
    assert signed < 0  # clockwise exterior: the d3 winding Vega-Lite needs


def test_static_choropleth_renders_with_cyrillic(mdb):
    import vl_convert as vlc

    regions = metrics_map.compute_region_metrics(mdb, YEAR_2024, EXACT)
    chart = maps.static_choropleth(regions, "hubs", tr_of("uk"), {"UA-05": "Вінницька область"})
    svg = vlc.vegalite_to_svg(chart.to_dict())
    assert "Вінницька" in svg and "Активні хаби" in svg


def test_fit_view_is_finite_for_every_region():
    for code in geo.load_boundaries()["region_code"]:
        view = maps.fit_view([code])
        assert all(math.isfinite(v) for v in (view.latitude, view.longitude, view.zoom))
