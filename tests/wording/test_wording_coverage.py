"""The Coverage page's words (dashboard.wording.coverage): cards, the planner's sentence, the map's
kinds of point, on hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.i18n import Translator
from dashboard.wording import coverage as w

EN, UK = Translator("en"), Translator("uk")
# 3,300 of 8,700 people within reach (37.9%), 1,300 of 1,700 rural (76.5%), 3 of 6 settlements out.
TOTAL = pd.Series({"settlements": 6, "no_population": 1, "out_of_reach": 3, "people": 8700, "people_covered": 3300,
                   "share_covered": 3300 / 8700, "people_out": 5400, "rural_people": 1700, "rural_covered": 1300,
                   "share_rural": 1300 / 1700})
PLAN = pd.DataFrame({"rank": [1, 2], "name_uk": ["Жмеринка", "Бар"], "region_code": ["UA-05", "UA-05"],
                     "new_people": [1200, 1], "share_covered": [4500 / 8700, 4501 / 8700]})


def test_cards_say_when_residents_aged_60_plus_have_no_base():
    cards = w.cards(TOTAL, 10, EN, has_age_base=False)
    assert [c[:3] for c in cards] == [
        ("People within 10 km of a hub", "37.9%", "3,300 of 8,700"),
        ("Rural residents within 10 km", "76.5%", "1,300 of 1,700"),
        ("Residents aged 60+ within 10 km", "—", "not available"),
        ("Settlements out of reach", "3", "3 of 6"),
    ]
    aged = TOTAL.copy()
    aged["share_60_plus"], aged["covered_60_plus"], aged["people_60_plus"] = 0.5, 100, 200
    assert w.cards(aged, 7.5, UK, has_age_base=True)[2][:3] == ("Мешканці віком 60+ у межах 7,5 км", "50,0 %",
                                                                "100 з 200")


@pytest.mark.parametrize("rows, expected", [
    (1, "A new hub in Zhmerynka would bring 1,200 more people within 10 km of a hub, raising the share within "
        "reach from 37.9% to 51.7%."),
    (2, "A new hub in Zhmerynka would bring 1,200 more people within 10 km of a hub; the 2 listed together would "
        "bring 1,201 people, raising the share within reach from 37.9% to 51.7%."),
])
def test_the_planners_sentence(rows, expected):
    assert w.plan_sentence(PLAN.head(rows), TOTAL, 10, EN) == expected


def test_the_planners_sentence_in_ukrainian_agrees_with_its_numbers():
    # 1 200 осіб, 1 201 особу: the noun follows the number.
    assert w.plan_sentence(PLAN, TOTAL, 10, UK) == (
        "Новий хаб у населеному пункті Жмеринка охопив би ще 1\u00a0200 осіб (у межах 10 км); усі запропоновані (2) "
        "разом — 1\u00a0201 особу, і частка в межах досяжності зросла б з 37,9 % до 51,7 %.")


def test_map_kinds():
    points = pd.DataFrame({
        "layer": ["settlement"] * 4 + ["hub", "pick"],
        "lat": [50.0, 50.1, 50.2, 50.3, 50.0, 50.2], "lon": [30.0] * 6,
        "name_uk": ["Біла Церква", "Узин", "Рокитне", "Тетіїв", "Біла Церква", "Рокитне"],
        "settlement_type": ["city", "city", "town", "city", None, "town"],
        "hromada": ["Білоцерківська"] * 4 + [None, "Рокитнянська"], "region_code": ["UA-32"] * 6,
        "people": pd.array([200000, 11000, 13000, 0, None, None], dtype="Int64"),
        "covered": pd.array([True, False, False, True, None, None], dtype="boolean"),
        # Узин lies in occupied territory here; a settlement within reach is never drawn as occupied.
        "occupied": pd.array([False, True, False, True, None, None], dtype="boolean"),
        "nearest_km": [0.5, 30.2, 12.0, 3.0, None, None],
        "hubs": pd.array([None, None, None, None, 2, None], dtype="Int64"),
        "rank": pd.array([None, None, None, None, None, 1], dtype="Int64"),
        "new_people": pd.array([None, None, None, None, None, 13000], dtype="Int64"),
    })
    layers = w.map_layers(points, EN, {"UA-32": "Kyiv Oblast"}, 10)
    assert {k: v["t"].tolist() for k, v in layers.items()} == {
        "covered": ["Bila Tserkva (city)", "Tetiiv (city)"], "out": ["Rokytne (town)"], "occupied": ["Uzyn (city)"],
        "hub": ["Bila Tserkva"], "pick": ["1. Rokytne"]}
    assert layers["covered"]["l1"].tolist() == ["200,000", "no figure"]
    assert layers["covered"]["l2"].tolist() == ["0.5", "3.0"]
    assert layers["hub"]["l1"].tolist() == ["2"] and layers["pick"]["label"].tolist() == ["1"]
    assert set(layers["occupied"]["kind"]) == {"Out of reach, temporarily occupied territory"}
