"""Tests of the query layer: views over the fixture extract, bound filters, unreadable folders."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pandas as pd
import pytest

from dashboard import contract, query
from dashboard.filters import Filters

D = dt.date
Y2024 = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))


def test_every_contract_table_is_a_view(db):
    for name in (*contract.TABLES, "quarantine"):
        assert list(db.execute(f"SELECT * FROM {name} LIMIT 0").columns)  # the view exists


def test_absent_optional_table_is_an_empty_view_with_contract_columns(clean_dir, tmp_path):
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    (folder / "partners.parquet").unlink()
    db = query.Database(folder)
    frame = db.execute("SELECT * FROM partners")
    assert frame.empty
    assert list(frame.columns) == contract.TABLES["partners"].names()


@pytest.mark.parametrize("remove, missing", [
    ("folder", ("regions", "hubs", "participants", "activities")),
    ("activities.parquet", ("activities",)),
])
def test_missing_folder_or_core_table_is_reported(clean_dir, tmp_path, remove, missing):
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    if remove == "folder":
        shutil.rmtree(folder)
    else:
        (folder / remove).unlink()
    with pytest.raises(query.DataUnavailable) as info:
        query.Database(folder)
    assert info.value.missing == missing


def test_unreadable_parquet_is_reported(clean_dir, tmp_path):
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    (folder / "hubs.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(query.DataUnavailable, match="unreadable"):
        query.Database(folder)


@pytest.mark.parametrize("f, expected", [
    # people, activities (rows), hubs, regions — counted by hand from tests/conftest.py
    (Y2024, (21, 30, 2, 2)),
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",)), (13, 13, 1, 1)),
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-30",)), (0, 0, 0, 0)),
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), gender=("female",)), (12, 12, 1, 1)),
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), gender=("male",), age_band=("70_plus",)), (1, 2, 2, 2)),
    (Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31)), (6, 6, 2, 1)),
    (Filters("ua_hubs", D(2024, 3, 12), D(2024, 3, 12)), (12, 12, 1, 1)),
    (Filters("kem_centres", D(2012, 1, 1), D(2012, 12, 31)), (3, 3, 1, 1)),
])
def test_activity_totals(db, f, expected):
    got = query.load_activity_totals(db, f)
    assert tuple(int(got.loc[0, c]) for c in ("people", "activities", "hubs", "regions")) == expected


@pytest.mark.parametrize("hostile", ["'; DROP TABLE hubs; --", "<script>alert(1)</script>", "UA-05' OR '1'='1"])
def test_hostile_values_are_bound_not_executed(db, hostile):
    f = Filters(hostile, D(2024, 1, 1), D(2024, 12, 31), regions=(hostile,), age_band=(hostile,))
    assert int(query.load_activity_totals(db, f).loc[0, "people"]) == 0
    assert int(db.execute("SELECT count(*) AS n FROM hubs").loc[0, "n"]) == 6


def test_segment_columns_come_from_the_vocabulary_only(db):
    from dashboard import filters

    assert {c for c, _v in filters.SEGMENTS.values()} <= set(contract.TABLES["participants"].names())


def test_monthly(db):
    got = query.load_monthly(db, Y2024)
    expected = pd.DataFrame({
        "month": [D(2024, 3, 1), D(2024, 4, 1), D(2024, 5, 1)],
        "people": [21, 8, 1],
        "activities": [21, 8, 1],
    })
    got["month"] = pd.to_datetime(got["month"]).dt.date
    pd.testing.assert_frame_equal(got.drop(columns=["people_key", "activities_key"]), expected, check_dtype=False)


@pytest.mark.parametrize("f, expected", [
    # library hubs not closed and joined by the end; public libraries of the programme's regions
    (Y2024, (2, 150)),
    (Filters("ua_hubs", D(2025, 1, 1), D(2025, 6, 30)), (3, 150)),
    (Filters("ua_hubs", D(2022, 1, 1), D(2022, 12, 31)), (1, 150)),
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",)), (2, 40)),
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-32",)), (0, 60)),
    (Filters("kem_centres", D(2012, 1, 1), D(2012, 12, 31)), (1, 10)),
])
def test_library_coverage(db, f, expected):
    got = query.load_library_coverage(db, f)
    assert (int(got.loc[0, "library_hubs"]), int(got.loc[0, "public_libraries"])) == expected


@pytest.mark.parametrize("f, expected", [
    (Y2024, (29, 3)),  # 21 + 8; K-2024-032 has no completion figure
    (Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31)), (23, 1)),
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-32",)), (8, 2)),
    (Filters("kem_centres", D(2012, 1, 1), D(2012, 12, 31)), (0, 0)),
])
def test_coordinators(db, f, expected):
    got = query.load_coordinators(db, f)
    assert (int(got.loc[0, "completed"]), int(got.loc[0, "groups"])) == expected


def test_self_ratings_ignore_digigram_and_count_missing_posts(db):
    got = query.load_self_ratings(db, Y2024)
    expected = pd.DataFrame({"stage": ["post", "pre"], "people": [19, 21], "people_7_10": [16, 0]})
    pd.testing.assert_frame_equal(got.drop(columns=["people_key", "people_7_10_key"]), expected, check_dtype=False)


def test_reference_tables(db):
    regions = query.load_regions(db)
    assert regions.sort_values("order_uk")["name_uk"].tolist() == [
        "Вінницька область", "Кемеровська область", "Київ", "Київська область", "Львівська область"]
    spans = query.load_programme_spans(db).set_index("programme")
    assert pd.Timestamp(spans.loc["ua_hubs", "first_day"]).date() == D(2022, 10, 17)
    assert list(spans.loc["ua_hubs", "countries"]) == ["UA"]
    assert sorted(spans.loc["ua_hubs", "phases"]) == ["2022–2023", "2024", "2025"]


def test_quarantine_counts(db):
    got = query.load_quarantine(db)
    assert got[["source_file", "reason", "rows"]].values.tolist() == [
        ["hubs_2025.csv", "unknown_region", 1],
        ["participants_2024.csv", "unknown_hub", 3],
        ["participants_2024.csv", "bad_date", 1],
    ]


def test_report_and_version(clean_dir, tmp_path):
    assert query.load_report(clean_dir)["data_date"] == "2025-06-30"
    assert query.load_report(tmp_path) == {}
    (tmp_path / "report.json").write_text("{not json", encoding="utf-8")
    assert query.load_report(tmp_path) == {}
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    before = query.data_version(folder)
    stamp = os.stat(folder / "hubs.parquet").st_mtime_ns + 10**9
    os.utime(folder / "hubs.parquet", ns=(stamp, stamp))
    assert query.data_version(folder) != before
    assert query.data_version(tmp_path / "nowhere") == "missing"


# ---- the filter state (dashboard/filters.py) ---------------------------------------------------

from dashboard import filters as flt  # noqa: E402

LABELS = {
    "programme": {"ua_hubs": "Хаби цифрової освіти", "kem_centres": "Центри"},
    "region": {"UA-05": "Вінницька область", "UA-32": "Київська область"},
    "age": {"60_69": "60–69", "70_plus": "70+"},
}
CHOICES = flt.make_choices(
    LABELS, {"ua_hubs": (D(2022, 10, 17), D(2025, 3, 3)), "kem_centres": (D(2012, 5, 15), D(2012, 5, 15))},
    ["2022–2023", "2024", "2025", "bad phase"], D(2025, 6, 30), "ua_hubs",
)


def test_choices_bounds_defaults_and_quick_picks():
    assert (CHOICES.first_day, CHOICES.last_day) == (D(2012, 1, 1), D(2025, 6, 30))
    assert (CHOICES.default_start, CHOICES.default_end) == (D(2022, 1, 1), D(2025, 6, 30))
    assert CHOICES.quick == {
        "all": (D(2022, 1, 1), D(2025, 6, 30)),
        "year:2022": (D(2022, 1, 1), D(2022, 12, 31)),
        "year:2023": (D(2023, 1, 1), D(2023, 12, 31)),
        "year:2024": (D(2024, 1, 1), D(2024, 12, 31)),
        "year:2025": (D(2025, 1, 1), D(2025, 6, 30)),  # clamped to the data date
        "phase:2022–2023": (D(2022, 1, 1), D(2023, 12, 31)),
    }
    assert flt.matching_quick(CHOICES, D(2024, 1, 1), D(2024, 12, 31)) == "year:2024"
    assert flt.matching_quick(CHOICES, D(2024, 1, 2), D(2024, 12, 31)) is None


@pytest.mark.parametrize("first, last, data_date, expected", [
    (D(2022, 10, 17), D(2025, 3, 3), D(2025, 6, 30), (D(2022, 1, 1), D(2025, 6, 30))),
    (D(2010, 3, 1), D(2013, 2, 1), D(2025, 6, 30), (D(2010, 1, 1), D(2013, 12, 31))),
    (D(2024, 1, 5), D(2025, 8, 1), D(2025, 6, 30), (D(2024, 1, 1), D(2025, 8, 1))),
    (None, None, D(2025, 6, 30), (D(2025, 1, 1), D(2025, 6, 30))),
])
def test_default_period(first, last, data_date, expected):
    assert flt.default_period(first, last, data_date) == expected


@pytest.mark.parametrize("phase, expected", [
    ("2022–2023", (D(2022, 1, 1), D(2023, 12, 31))),
    ("2022-2023", (D(2022, 1, 1), D(2023, 12, 31))),
    (" 2024 ", (D(2024, 1, 1), D(2024, 12, 31))),
    ("2024–2022", None), ("phase two", None), ("", None),
])
def test_phase_range(phase, expected):
    assert flt.phase_range(phase) == expected


@pytest.mark.parametrize("params, bad", [
    ({}, []),
    ({"lang": "en", "from": "2024-01-01", "to": ["2024-12-31"], "region": ["Вінницька область"]}, []),
    ({"region": "<script>alert(1)</script>"}, ["region"]),
    ({"from": "2024-99-99"}, ["from"]),
    ({"to": "31.12.2024"}, ["to"]),
    ({"age": ";DROP TABLE"}, ["age"]),
    ({"age": ["60–69", "nonsense"]}, ["age"]),
    ({"lang": "de", "programme": "x"}, ["lang", "programme"]),
    ({"region": ""}, []),  # an empty value clears the filter
    ({"unknown": "whatever"}, []),
])
def test_invalid_params(params, bad):
    assert flt.invalid_params(params, CHOICES) == bad


@pytest.mark.parametrize("args, expected, problems", [
    (("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), ["UA-32", "UA-05", "XX"], {"age": ["70_plus", "60_69", "?"]}),
     Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05", "UA-32"), age_band=("60_69", "70_plus")),
     []),
    (("nope", None, None, [], {}), Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30)), ["programme"]),
    (("ua_hubs", D(2025, 1, 1), D(2024, 1, 1), [], {}), Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30)),
     ["from", "to"]),
    (("ua_hubs", D(2001, 1, 1), D(2030, 1, 1), [], {}), Filters("ua_hubs", D(2012, 1, 1), D(2025, 6, 30)), []),
])
def test_build_filters(args, expected, problems):
    programme, start, end, regions, segment = args
    got, found = flt.build_filters(programme, start, end, regions, segment, choices=CHOICES)
    assert (got, found) == (expected, problems)


def test_filters_are_hashable_and_frozen():
    f = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",))
    assert hash(f) == hash(Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",)))
    with pytest.raises(AttributeError):
        f.programme = "kem_centres"
    assert f.segment() == {} and Filters("ua_hubs", f.start, f.end, gender=("male",)).segment() == {"gender": ("male",)}


def test_spans_by_programme(db):
    dates, phases, countries = flt.spans_by_programme(query.load_programme_spans(db))
    assert dates == {"kem_centres": (D(2012, 5, 15), D(2012, 5, 15)), "ua_hubs": (D(2022, 10, 17), D(2025, 3, 3))}
    assert phases == {"kem_centres": [], "ua_hubs": ["2022–2023", "2024", "2025"]}
    assert countries == {"kem_centres": ["RU"], "ua_hubs": ["UA"]}
