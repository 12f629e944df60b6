"""Reference statements every page needs (dashboard.query.reference), and the filter spans built from them."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import filters as flt
from dashboard.query import reference

D = dt.date


def test_regions_in_each_alphabet(db):
    regions = reference.load_regions(db)
    assert regions.sort_values("order_uk")["name_uk"].tolist() == [
        "Вінницька область", "Кемеровська область", "Київ", "Київська область", "Львівська область"]
    assert regions.sort_values("order_en")["name_en"].tolist() == [
        "Kemerovo Oblast", "Kyiv", "Kyiv Oblast", "Lviv Oblast", "Vinnytsia Oblast"]


def test_programme_spans(db):
    spans = reference.load_programme_spans(db).set_index("programme")
    assert pd.Timestamp(spans.loc["ua_hubs", "first_day"]).date() == D(2022, 10, 17)
    assert list(spans.loc["ua_hubs", "countries"]) == ["UA"]
    assert sorted(spans.loc["ua_hubs", "phases"]) == ["2022–2023", "2024", "2025"]


def test_spans_by_programme(db):
    dates, phases, countries = flt.spans_by_programme(reference.load_programme_spans(db))
    assert dates == {"kem_centres": (D(2012, 5, 15), D(2012, 5, 15)), "ua_hubs": (D(2022, 10, 17), D(2025, 3, 3))}
    assert phases == {"kem_centres": [], "ua_hubs": ["2022–2023", "2024", "2025"]}
    assert countries == {"kem_centres": ["RU"], "ua_hubs": ["UA"]}


def test_regions_reference_and_phases(db):
    regions = reference.load_regions_reference(db).set_index("region_code")
    assert regions.loc["UA-05", ["population", "public_libraries"]].tolist() == [1_500_000, 40]
    assert reference.load_phases(db, "ua_hubs") == ["2022–2023", "2024", "2025"]
    assert reference.load_phases(db, "kem_centres") == []
