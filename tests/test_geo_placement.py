"""Placing hubs without coordinates at their settlement (dashboard/geo/placement.py), on a hand-made gazetteer.

Every expected answer below was worked out by hand from SETTLEMENTS and NAMESAKES: which
settlements of the hub's region carry the name, which of them the hromada and type leave, and
whether the one left has coordinates. No test here reads data/.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import contract
from dashboard.geo.placement import (
    PLACED, UNPLACED_REASONS, Gazetteer, hromada_key, name_key, place_hubs, split_settlement,
)

COLUMNS = ["settlement_id", "name_uk", "settlement_type", "hromada", "region_code", "lat", "lon", "katottg"]
# The settlements table: coordinates, one row per place. Two Рівне in two regions; Запоріжжя a
# city and a village of one region; Іванівка one village of two (NAMESAKES); Кемерово without code.
SETTLEMENTS = pd.DataFrame([
    ("s-rivne-56", "Рівне", "city", "Рівненська", "UA-56", 50.62, 26.24, "K01"),
    ("s-rivne-07", "Рівне", "village", "Рівненська", "UA-07", 51.24, 23.82, "K02"),
    ("s-zap-city", "Запоріжжя", "city", "Запорізька", "UA-23", 47.85, 35.12, "K03"),
    ("s-zap-mol", "Запоріжжя", "village", "Молочанська", "UA-23", 47.15, 35.75, "K04"),
    ("s-kp", "Кам’янець-Подільський", "city", "Кам’янець-Подільська", "UA-68", 48.68, 26.59, "K05"),
    ("s-ivan-br", "Іванівка", "village", "Брацлавська", "UA-05", 48.80, 28.90, "K06"),
    ("s-bratslav", "Брацлав", "town", "Брацлавська", "UA-05", 48.82, 28.94, "K08"),
    ("s-kem", "Кемерово", "city", "", "RU-KEM", 55.35, 86.10, ""),
], columns=COLUMNS)
# Every settlement of a region that shares its name with another (as the codifier lists them):
# the third Запоріжжя and the second Іванівка have no coordinates.
NAMESAKES = pd.DataFrame([
    ("UA-23", "Запоріжжя", "city", "Запорізька", "K03"),
    ("UA-23", "Запоріжжя", "village", "Молочанська", "K04"),
    ("UA-23", "Запоріжжя", "village", "Новоуспенівська", "K11"),
    ("UA-05", "Іванівка", "village", "Брацлавська", "K06"),
    ("UA-05", "Іванівка", "village", "Тульчинська", "K07"),
], columns=["region_code", "name_uk", "settlement_type", "hromada", "katottg"])


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(SETTLEMENTS, NAMESAKES)


@pytest.mark.parametrize("raw, expected", [
    ("м. Вінниця", ("Вінниця", "city")),
    ("Вінниця", ("Вінниця", "unknown")),
    ("м.Ковель", ("Ковель", "city")),
    ("місто Стрий", ("Стрий", "city")),
    ("смт Брацлав", ("Брацлав", "town")),
    ("СМТ   Брацлав", ("Брацлав", "town")),
    ("селище Козин", ("Козин", "town")),
    ("сел. Козин", ("Козин", "town")),
    ("селище міського типу Брацлав", ("Брацлав", "town")),
    ("с. Мар’янівка", ("Мар’янівка", "village")),
    ("с.Мар'янівка", ("Мар'янівка", "village")),
    ("село Іванівка", ("Іванівка", "village")),
    ("г. Кемерово", ("Кемерово", "city")),
    ("пгт Промышленная", ("Промышленная", "town")),
    # Names that begin like a prefix but are not one: no dot or space after it.
    ("Стрий", ("Стрий", "unknown")),
    ("Смотрич", ("Смотрич", "unknown")),
    ("Селидове", ("Селидове", "unknown")),
    ("Підгайці", ("Підгайці", "unknown")),
    ("Гола Пристань", ("Гола Пристань", "unknown")),
    ("м.", (None, "city")),
    ("", (None, "unknown")),
    (None, (None, "unknown")),
])
def test_split_settlement(raw, expected):
    assert split_settlement(raw) == expected


@pytest.mark.parametrize("variant", [
    "Кам'янець-Подільський", "Кам’янець-Подільський", "Камʼянець-Подільський", "Камянець-Подільський",
    "кам'янець - подільський", "  КАМ`ЯНЕЦЬ–ПОДІЛЬСЬКИЙ ", "Кам'янець Подільський",
])
def test_spellings_of_one_name_share_a_key(variant):
    assert name_key(variant) == "камянець подільський"


@pytest.mark.parametrize("a, b, same", [
    ("Вінниця", "Вiнниця", True),  # a Latin i among Cyrillic letters
    ("Киселёвск", "Киселевск", True),
    ("Рівне", "Рівна", False),
    ("Іванівка", "Іванівське", False),
])
def test_name_keys(a, b, same):
    assert (name_key(a) == name_key(b)) is same


@pytest.mark.parametrize("raw, key", [
    ("Брацлавська", "брацлавська"),
    ("Брацлавська селищна територіальна громада", "брацлавська"),
    ("Брацлавська ТГ", "брацлавська"),
    ("Молочанська сільська громада", "молочанська"),
    ("Кам’янець-Подільська міська громада", "камянець подільська"),
    (None, ""),
])
def test_hromada_keys(raw, key):
    assert hromada_key(raw) == key


# (region, settlement as registered, hromada) → the settlement placed at, or why none.
CASES = [
    # The same name in two regions: the region decides, whatever the prefix says.
    ("UA-56", "м. Рівне", None, "s-rivne-56"),
    ("UA-07", "с. Рівне", None, "s-rivne-07"),
    ("UA-07", "Рівне", None, "s-rivne-07"),
    ("UA-56", "Рівне", "Рівненська міська громада", "s-rivne-56"),
    # Three Запоріжжя in one region: type or hromada tell them apart, or nothing is guessed.
    ("UA-23", "Запоріжжя", None, "ambiguous"),
    ("UA-23", "м. Запоріжжя", None, "s-zap-city"),
    ("UA-23", "Запоріжжя", "Молочанська сільська громада", "s-zap-mol"),
    ("UA-23", "с. Запоріжжя", None, "ambiguous"),  # two villages
    ("UA-23", "с. Запоріжжя", "Молочанська", "s-zap-mol"),
    ("UA-23", "с. Запоріжжя", "Новоуспенівська ТГ", "not_found"),  # the official one has no coordinates
    # A name with and without hromada: two Іванівка, one in the table.
    ("UA-05", "с. Іванівка", None, "ambiguous"),
    ("UA-05", "с. Іванівка", "Брацлавська", "s-ivan-br"),
    ("UA-05", "с. Іванівка", "Тульчинська громада", "not_found"),
    ("UA-05", "с. Іванівка", "Немирівська", "ambiguous"),  # a hromada that is neither's tells nothing
    # One settlement of the name: placed whatever the prefix, spelling or an unknown hromada.
    ("UA-05", "смт Брацлав", None, "s-bratslav"),
    ("UA-05", "Брацлав", None, "s-bratslav"),
    ("UA-05", "селище Брацлав", "Брацлавська селищна територіальна громада", "s-bratslav"),
    ("UA-05", "с. Брацлав", None, "s-bratslav"),
    ("UA-05", "Брацлав", "Немирівська", "s-bratslav"),
    ("UA-05", "смт Бpацлав", None, "s-bratslav"),  # a Latin p
    ("UA-05", "смт Брацлав, Тульчинський район", None, "s-bratslav"),
    ("UA-68", "м. Кам'янець-Подільський", None, "s-kp"),
    ("UA-68", "місто Камʼянець - подільський", None, "s-kp"),
    ("UA-68", "КАМ’ЯНЕЦЬ-ПОДІЛЬСЬКИЙ", None, "s-kp"),
    ("RU-KEM", "г. Кемерово", None, "s-kem"),
    # Never across regions; nothing to look up.
    ("UA-05", "м. Кам'янець-Подільський", None, "not_found"),
    ("UA-68", "м. Вінниця", None, "not_found"),
    ("UA-05", "", None, "no_settlement"),
    ("UA-05", None, "Брацлавська", "no_settlement"),
    (None, "смт Брацлав", None, "no_region"),
]
BY_ID = SETTLEMENTS.set_index("settlement_id")


@pytest.mark.parametrize("region, raw, hromada, expected", CASES)
def test_place(gazetteer, region, raw, hromada, expected):
    name, kind = split_settlement(raw)
    got = gazetteer.place(region, name, kind, hromada)
    if expected in UNPLACED_REASONS:
        assert (got.lat, got.lon, got.placed, got.reason) == (None, None, None, expected)
    else:
        row = BY_ID.loc[expected]
        assert (got.lat, got.lon, got.placed, got.reason, got.settlement_id) == (
            row["lat"], row["lon"], "settlement", None, expected)


def test_without_namesakes_the_table_alone_decides():
    # The table has one Іванівка in UA-05: without the codifier's list it is the only one known.
    got = Gazetteer(SETTLEMENTS).place("UA-05", "Іванівка", "village", None)
    assert got.settlement_id == "s-ivan-br"


def test_place_hubs_keeps_coordinates_and_places_the_rest(gazetteer):
    hubs = pd.DataFrame({
        "region_code": ["UA-05", "UA-05", "UA-23", "UA-05"],
        "settlement": ["Брацлав", "Брацлав", "Запоріжжя", None],
        "settlement_type": ["town", "town", "unknown", "unknown"],
        "hromada": [None, None, None, None],
        "lat": [48.83, None, None, None], "lon": [28.95, None, None, None],
    }, index=[10, 11, 12, 13])
    expected = pd.DataFrame({
        "lat": [48.83, 48.82, None, None], "lon": [28.95, 28.94, None, None],
        "placed": ["coordinates", "settlement", None, None],
        "unplaced_reason": [None, None, "ambiguous", "no_settlement"],
    }, index=[10, 11, 12, 13])
    pd.testing.assert_frame_equal(place_hubs(hubs, gazetteer), expected, check_dtype=False)


def test_the_contract_names_the_same_codes():
    assert contract.PLACED == PLACED
    assert contract.UNPLACED_REASONS == UNPLACED_REASONS
    hubs = {c.name: c for c in contract.TABLES["hubs"].columns}
    assert hubs["placed"].vocab == PLACED and hubs["unplaced_reason"].vocab == UNPLACED_REASONS
