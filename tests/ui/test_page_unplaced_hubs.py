"""Hubs placed at their settlement, and hubs that cannot be placed, as users read them (AppTest):
the Data quality page lists the hubs off the map with the reason in words, the Impact map marks
a hub placed at its settlement in its tooltip and in the hub table.

The extract is the fixture (tests/conftest.py) with its six hubs given places by hand (PLACES):
two with the registry's coordinates, one placed at its settlement and three off the map, one
for each reason the pipeline gives.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import build_clean, run_app
from page_tools import internal_mode, rows, shown, table_under

from dashboard import contract, maps
from dashboard.i18n import Translator
from dashboard.wording.map import hub_tips

# hub_id → settlement, settlement_type, hromada, lat, lon, placed, unplaced_reason
PLACES = {
    "ХЦО-00001": ("Брацлав", "town", "Брацлавська", 48.82, 28.94, "settlement", None),
    "ХЦО-00002": ("Мар’янівка", "village", None, None, None, None, "ambiguous"),
    "ХЦО-00003": ("Бровари", "city", "Броварська", 50.51, 30.79, "coordinates", None),
    "ХЦО-00004": ("Невідоме", "village", "Броварська", None, None, None, "not_found"),
    "ХЦО-00005": (None, "city", None, None, None, None, "no_settlement"),
    "TK-001": ("Кемерово", "city", None, 55.35, 86.09, "coordinates", None),
}
# What the Data quality page lists: the three hubs off the map, by region code (UA-05, UA-30, UA-32).
UNPLACED = {
    "en": [["Hub code", "Name", "Settlement", "Type", "Hromada", "Region", "Why not on the map"],
           ["ХЦО-00002", "Бібліотека-філія с. Мар’янівка", "Мар’янівка", "village", "—", "Vinnytsia Oblast",
            "several settlements of this name in the region; the hromada and type do not tell which"],
           ["ХЦО-00005", "Центральна бібліотека \"Світоч\"", "—", "city", "—", "Kyiv", "no settlement given"],
           ["ХЦО-00004", "Сільська бібліотека", "Невідоме", "village", "Броварська", "Kyiv Oblast",
            "no settlement of this name with known coordinates in the region"]],
    "uk": [["Код хабу", "Назва", "Населений пункт", "Тип", "Громада", "Регіон", "Чому немає на мапі"],
           ["ХЦО-00002", "Бібліотека-філія с. Мар’янівка", "Мар’янівка", "село", "—", "Вінницька область",
            "у регіоні кілька однойменних населених пунктів; громада й тип не вказують, який саме"],
           ["ХЦО-00005", "Центральна бібліотека \"Світоч\"", "—", "місто", "—", "Київ", "не вказано населений пункт"],
           ["ХЦО-00004", "Сільська бібліотека", "Невідоме", "село", "Броварська", "Київська область",
            "у регіоні немає населеного пункту з такою назвою та відомими координатами"]],
}
# 6 hubs: 2 with their own coordinates, 1 placed at its settlement, 3 off the map.
TOTALS = {"en": "Hubs in the registry: 6; with their own coordinates: 2; placed at their settlement: 1; "
                "not on the map: 3.",
          "uk": "Хабів у реєстрі: 6; з власними координатами: 2; розміщено за населеним пунктом: 1; "
                "немає на мапі: 3."}


@pytest.fixture(scope="module")
def placed_dir(tmp_path_factory):
    folder = build_clean(tmp_path_factory.mktemp("placed"))
    hubs = pd.read_parquet(folder / "hubs.parquet")
    columns = ["settlement", "settlement_type", "hromada", "lat", "lon", "placed", "unplaced_reason"]
    for i, hub in enumerate(hubs["hub_id"]):
        for column, value in zip(columns, PLACES[hub]):
            hubs.at[i, column] = value
    contract.schema("hubs").validate(hubs)
    hubs.to_parquet(folder / "hubs.parquet", index=False)
    return folder


@pytest.fixture(autouse=True)
def _data(placed_dir, monkeypatch, navigation_mode):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(placed_dir))
    monkeypatch.setenv("DASHBOARD_NOISE", "0")
    return placed_dir


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_data_quality_lists_the_hubs_off_the_map_with_the_reason(monkeypatch, lang):
    internal_mode(monkeypatch)
    at = run_app({"lang": lang}, page="data_quality")
    assert not at.exception
    tr = Translator(lang)
    assert TOTALS[lang] in [m.value for m in at.markdown]
    listed = table_under(at, tr("dq2.unplaced_title"))
    assert [list(listed.columns), *rows(listed)] == UNPLACED[lang]


def test_public_mode_lists_no_hub_off_the_map():
    at = run_app({"lang": "en"}, page="data_quality")
    assert not at.exception
    assert "Hubs the map cannot place" not in [s.value for s in at.subheader]


@pytest.mark.parametrize("lang, marker, column, values, places", [
    ("en", "placed at its settlement: no coordinates in the registry", "On the map",
     ["placed at settlement", "not on the map"], ("Bratslav", "Bratslavska", "Brovary", "Brovarska")),
    ("uk", "розміщено за населеним пунктом: у реєстрі немає координат", "На мапі",
     ["розміщено за населеним пунктом", "немає на мапі"], ("Брацлав", "Брацлавська", "Бровари", "Броварська")),
])
def test_map_marks_a_hub_placed_at_its_settlement(monkeypatch, lang, marker, column, values, places):
    internal_mode(monkeypatch)  # a release carries no `placed` yet: live figures
    tr = Translator(lang)
    region = {"en": "Vinnytsia Oblast", "uk": "Вінницька область"}[lang]
    at = run_app({"lang": lang, "region": region, "from": "2024-01-01", "to": "2024-12-31"}, page="map")
    assert not at.exception
    # The selected region's hubs with a point (only its own are sent): ХЦО-00001, at its settlement.
    # (ХЦО-00003, Kyiv Oblast's ЦНАП in Бровари, at its own coordinates, is not Vinnytsia's.)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    points = next(layer for layer in deck["layers"] if layer["id"] == maps.LAYER_HUBS)["data"]
    # Place names in the page's language: romanised in English (Брацлав → Bratslav, Бровари → Brovary).
    assert {p["t"]: p["l1"] for p in points} == {
        "Брацлавська публічна бібліотека": f"{places[0]}, {tr('map.hromada', name=places[1])} · {marker}",
    }
    assert tr("map.placed_count", n="1") in [c.value for c in at.caption]
    # The hub table of the selected region: ХЦО-00001 and ХЦО-00002 (off the map), as read and exported.
    hubs = next(t for t in at.dataframe if "placed" in t.value.columns)
    assert hubs.value["name"].tolist() == ["Брацлавська публічна бібліотека", "Бібліотека-філія с. Мар’янівка"]
    assert shown(hubs)["placed"].tolist() == values
    assert json.loads(hubs.proto.columns)["placed"]["label"] == column


@pytest.mark.parametrize("frame_has_placed", [True, False])
def test_tooltips_mark_only_hubs_placed_at_their_settlement(frame_has_placed):
    tr = Translator("en", 10)
    hubs = pd.DataFrame({
        "name": ["A", "B"], "settlement": ["Брацлав", "Бровари"], "hromada": [None, None],
        "region_code": ["UA-05", "UA-32"], "joined_on": [dt.date(2024, 1, 1)] * 2, "status": ["active"] * 2,
        "people": [12, 30], "placed": ["settlement", "coordinates"],
    })
    if not frame_has_placed:  # a release's hubs carry no `placed`
        hubs = hubs.drop(columns="placed")
    marker = " · placed at its settlement: no coordinates in the registry"
    # English tooltips romanise place names: Брацлав → Bratslav, Бровари → Brovary.
    assert hub_tips(hubs, tr, {})["l1"].tolist() == ["Bratslav" + (marker if frame_has_placed else ""), "Brovary"]
