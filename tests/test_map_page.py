"""Impact map page tests (AppTest): the figures shown equal the metric functions'; a click selects a region."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import run_app
from streamlit import dataframe_util
from streamlit.proto.WidgetStates_pb2 import WidgetState
from test_maps import HOSTILE_NAME, build_map_extract

from dashboard import maps, metrics_map
from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.metrics_map import METRICS
from dashboard.query import Database

D = dt.date
PAGE = "map"
VIEW_2024 = {"from": "2024-01-01", "to": "2024-12-31"}
F_2024 = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))


@pytest.fixture(scope="module")
def map_dir(tmp_path_factory):
    return build_map_extract(tmp_path_factory.mktemp("map_page"))


@pytest.fixture(autouse=True)
def _data(map_dir, monkeypatch, navigation_mode):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(map_dir))
    monkeypatch.setenv("DASHBOARD_NOISE", "0")  # figures compared with hand counts below
    return map_dir


@pytest.fixture
def mdb(map_dir):
    database = Database(map_dir)
    yield database
    database.close()


def _open(params: dict):
    at = run_app(params, page=PAGE)
    assert not at.exception
    return at


def _deck(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _shown(table) -> pd.DataFrame:
    """The texts a user reads in a styled table (the display values, not the numbers sorted on)."""
    return dataframe_util.convert_arrow_bytes_to_pandas_df(table.proto.arrow_data.styler.display_values)


def _click(at, obj: dict, layer: str = maps.LAYER_REGIONS):
    """Send the selection event the browser sends when a deck object is clicked, then rerun."""
    deck = at.get("deck_gl_json_chart")[0]
    selection = {"selection": {"indices": {layer: [0]}, "objects": {layer: [obj]}}}
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=deck.proto.id, string_value=json.dumps(selection)))
    at._run(states)
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_default_view_shows_every_region_with_the_metric_functions_figures(mdb, lang):
    at = _open({"lang": lang, **VIEW_2024})
    tr = Translator(lang)
    assert at.title[0].value == tr("page.map")
    regions = metrics_map.compute_region_metrics(mdb, F_2024)
    reference = mdb.execute("SELECT region_code, name_uk, name_en FROM regions")
    names = dict(zip(reference["region_code"], reference[f"name_{lang}"]))
    table = at.dataframe[0]
    numbers = table.value
    expected = metrics_map.region_table(regions, names).sort_values("hubs", ascending=False, ignore_index=True)
    assert numbers["region"].tolist() == expected["region"].tolist()
    for metric in METRICS:  # the numbers the table sorts on are the protected figures
        pd.testing.assert_series_equal(numbers[metric].astype("Float64"), expected[metric].astype("Float64"),
                                       check_names=False)
    shown = _shown(table).set_index("region")
    kyiv_oblast = names["UA-32"]
    assert shown.at[kyiv_oblast, "people"] == tr.count(None)  # 9 people: "fewer than 10"
    assert shown.at[names["UA-46"], "hubs_per_100k"] == tr("map.state_no_data")
    assert shown.at[names["UA-43"], "share_after"] == tr("map.state_occupied")
    summary = metrics_map.map_summary(regions, "hubs", tr, names)
    assert any(c.value.replace("\\", "") == summary for c in at.caption)
    legend = next(m.value for m in at.markdown if tr("map.legend_hubs") in m.value)
    assert tr("map.state_occupied") in legend and tr("map.legend_points") in legend
    spec = _deck(at)
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec


@pytest.mark.parametrize("metric", list(METRICS))
def test_every_metric_can_be_picked(mdb, metric):
    at = _open({"lang": "en", **VIEW_2024})
    at.selectbox(key="map_metric_en").set_value(metric).run()
    assert not at.exception
    tr = Translator("en")
    assert any(tr(f"map.legend_{metric}") in m.value for m in at.markdown)
    numbers = at.dataframe[0].value
    assert list(numbers.columns[:2]) == ["region", metric]  # the chosen figure first, sorted by it
    values = pd.to_numeric(numbers[metric], errors="coerce").dropna().tolist()
    assert values == sorted(values, reverse=True)


def test_the_picked_metric_survives_a_language_switch(mdb):
    at = _open({"lang": "en", **VIEW_2024})
    metric = list(METRICS)[-1]
    at.selectbox(key="map_metric_en").set_value(metric).run()
    at.segmented_control(key="lang").set_value("uk").run()
    assert not at.exception
    picker = at.selectbox(key="map_metric_uk")
    assert picker.value == metric
    assert picker.format_func(picker.value) == Translator("uk")(f"map.metric_{metric}")


def test_click_on_a_region_selects_it_for_every_page(mdb):
    at = _open({"lang": "en", **VIEW_2024})
    national = _deck(at)["initialViewState"]["zoom"]
    _click(at, {"type": "Feature", "properties": {"code": "UA-05", "t": "Vinnytsia Oblast"}})
    assert at.multiselect(key="region").value == ["UA-05"]  # the shared filter: sidebar, URL, other pages
    spec = _deck(at)
    assert spec["initialViewState"]["zoom"] == maps.fit_view(["UA-05"]).zoom > national
    outline = next(layer for layer in spec["layers"] if layer["id"] == maps.LAYER_SELECTED)
    assert [f["properties"]["code"] for f in outline["data"]["features"]] == ["UA-05"]
    hubs = at.dataframe[0].value
    expected = metrics_map.hub_table(metrics_map.compute_hub_metrics(mdb, F_2024), ("UA-05",))
    assert hubs["name"].tolist() == expected["name"].tolist()
    assert hubs["people"].astype("Float64").tolist() == expected["people"].astype("Float64").tolist()
    assert "Vinnytsia Oblast" in at.caption[0].value  # the page header follows the selection
    # The way back to the whole country
    at.button[0].click().run()
    assert not at.exception
    assert at.multiselect(key="region").value == []
    assert _deck(at)["initialViewState"]["zoom"] == national
    assert "region" in at.dataframe[0].value.columns


def test_click_on_a_hub_selects_its_region():
    at = _open({"lang": "uk", **VIEW_2024})
    _click(at, {"code": "UA-32", "t": "ЦНАП"}, layer=maps.LAYER_HUBS)
    assert at.multiselect(key="region").value == ["UA-32"]


def test_click_outside_the_programme_changes_nothing():
    at = _open({"lang": "en", **VIEW_2024})
    _click(at, {"type": "Feature", "properties": {"code": "RU-KEM"}})
    assert at.multiselect(key="region").value == []


def test_selection_from_the_url_fits_the_map_and_lists_the_hubs(mdb):
    at = _open({"lang": "en", "region": "Lviv Oblast", **VIEW_2024})
    assert _deck(at)["initialViewState"]["zoom"] == maps.fit_view(["UA-46"]).zoom
    shown = _shown(at.dataframe[0])
    assert shown["name"].tolist() == [HOSTILE_NAME]  # a name is shown as text, as delivered
    assert shown["people"].tolist() == ["0"]


def test_hostile_hub_name_stays_data(mdb):
    at = _open({"lang": "en", **VIEW_2024})
    deck = at.get("deck_gl_json_chart")[0].proto
    assert json.loads(deck.tooltip) == maps.TOOLTIP  # the only markup: ours
    hubs = next(layer for layer in json.loads(deck.json)["layers"] if layer["id"] == maps.LAYER_HUBS)
    assert [h["t"] for h in hubs["data"] if "onerror" in h["t"]] == [HOSTILE_NAME]


def test_kemerovo_replays_the_network_growth(mdb):
    tr = Translator("en")
    at = _open({"lang": "en", "programme": tr("programme.kem_centres")})
    slider = at.slider(key="map_year")
    assert (slider.min, slider.max, slider.value) == (2010, 2012, 2012)
    hubs = next(layer for layer in _deck(at)["layers"] if layer["id"] == maps.LAYER_HUBS)
    assert len(hubs["data"]) == 3
    assert tr("map.growth_caption", total="3", year=2012, joined="1") in [m.value for m in at.markdown]
    slider.set_value(2010).run()
    assert not at.exception
    hubs = next(layer for layer in _deck(at)["layers"] if layer["id"] == maps.LAYER_HUBS)
    assert [h["t"] for h in hubs["data"]] == ["Кемеровская областная научная библиотека"]
    assert tr("map.growth_caption", total="1", year=2010, joined="1") in [m.value for m in at.markdown]
    assert [f["properties"]["code"] for f in _deck(at)["layers"][0]["data"]["features"]] == ["RU-KEM"]


@pytest.mark.parametrize("params", [
    {"region": "<script>alert(1)</script>"},
    {"lang": "en", "gender": "women", "from": "2024-01-01"},
    {"lang": "en", "from": "2025-01-01", "region": "Kyiv"},
])
def test_other_views_and_hostile_links_run(params):
    at = run_app(params, page=PAGE)
    assert not at.exception
    assert at.get("deck_gl_json_chart")
