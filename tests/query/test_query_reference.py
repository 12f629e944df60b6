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


def test_a_programme_that_records_only_its_network_spans_its_own_years(clean_dir, tmp_path):
    # Kemerovo's centres as some extracts give them: the sites (joined 2010–2012 in the fixture's
    # hubs table) and a waiting list by month, no class and no training. Its span is its network's
    # years, not the data date's year (where it opened empty).
    import shutil

    import duckdb

    from dashboard.store.database import Database

    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    for table in ("activities", "trainings"):
        path = folder / f"{table}.parquet"
        duckdb.execute(f"COPY (SELECT * FROM read_parquet('{path}') WHERE programme <> 'kem_centres') "
                       f"TO '{folder / 'kept.parquet'}' (FORMAT parquet)")
        (folder / "kept.parquet").replace(path)
    hubs = pd.read_parquet(folder / "hubs.parquet")
    waiting = pd.read_parquet(folder / "waitlist.parquet")
    earliest = min(hubs.loc[hubs["programme"] == "kem_centres", "joined_on"].min(),
                   waiting.loc[waiting["programme"] == "kem_centres", "month"].min()).date()
    db = Database(folder)
    try:
        dates, _phases, _countries = flt.spans_by_programme(reference.load_programme_spans(db))
    finally:
        db.close()
    assert dates["ua_hubs"] == (D(2022, 10, 17), D(2025, 3, 3))  # a programme with classes: as before
    first, _last = dates["kem_centres"]
    assert first == earliest and first.year < 2012
