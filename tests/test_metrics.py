"""Tests of the metric and privacy layers against figures counted by hand from tests/conftest.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import metrics
from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.privacy import is_suppressed

D = dt.date
NA = pd.NA


@pytest.fixture(autouse=True)
def exact_counts(monkeypatch):
    """Hand-counted figures are exact: perturbation is off here and tested in test_privacy.py."""
    monkeypatch.setenv("DASHBOARD_NOISE", "0")
COUNT_COLUMNS = ["people", "activities", "hubs", "regions", "library_hubs", "public_libraries",
                 "coordinators", "pre_people", "pre_7_10", "post_people", "post_7_10"]
RATE_COLUMNS = ["library_share", "share_before", "share_after", "change_pp"]


def _row(people, activities, hubs, regions, lib_hubs, libs, coordinators, pre, pre_hi, post, post_hi,
         lib_share, before, after, change) -> pd.DataFrame:
    values = dict(zip(COUNT_COLUMNS + RATE_COLUMNS, [people, activities, hubs, regions, lib_hubs, libs,
                                                     coordinators, pre, pre_hi, post, post_hi,
                                                     lib_share, before, after, change]))
    frame = pd.DataFrame([values])
    return frame.astype({c: "Int64" for c in COUNT_COLUMNS} | {c: "Float64" for c in RATE_COLUMNS})


# Each case: the view, then the protected figures counted by hand (NA = 1..9 people, suppressed).
CASES = {
    # 2024, all regions: A (12), B (8, two classes each), P (two classes in 2024) → 21 people,
    # 12 + 16 + 2 = 30 activities; pre ratings 21 (none at 7–10); post 19 (A11, A12 have none),
    # 10 + 5 + 1 = 16 at 7–10; library hubs H1, H2 of 40 + 60 + 20 + 30 libraries; 21 + 8 coordinators.
    "year 2024": (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31)),
                  _row(21, 30, 2, 2, 2, 150, 29, 21, 0, 19, 16, 2 / 150, 0.0, 16 / 19, 16 / 19)),
    # One region: A (12) and P's March class at H1 → 13 people, 13 activities; posts A1–A10 + P, all ≥ 7.
    "one region": (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",)),
                   _row(13, 13, 1, 1, 2, 40, 21, 13, 0, 11, 11, 2 / 40, 0.0, 1.0, 1.0)),
    # Zero participants: Kyiv city has a hub only from 2025; shares of nobody are missing, not 0.
    "zero participants": (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-30",)),
                          _row(0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0.0, NA, NA, NA)),
    # 2023: C (5) and P → 6 people and 6 activities, suppressed, and every rating share with them.
    "small year": (Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31)),
                   _row(NA, NA, 2, 1, 2, 150, 23, NA, 0, NA, NA, 2 / 150, NA, NA, NA)),
    # Kyiv Oblast 2024: B (8) and P → 9 people (suppressed) but 17 activities; 8 coordinators (suppressed).
    "suppressed people, shown activities": (
        Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-32",)),
        _row(NA, 17, 1, 1, 0, 60, NA, NA, 0, NA, NA, 0.0, NA, NA, NA)),
    # Segment: women in 2024 are group A only; the library and coordinator figures ignore segments.
    "women": (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), gender=("female",)),
              _row(12, 12, 1, 1, 2, 150, 29, 12, 0, 10, 10, 2 / 150, 0.0, 1.0, 1.0)),
    # 2025 to the data date: D (15), no ratings; Kyiv city's hub has joined (3 library hubs).
    "no ratings": (Filters("ua_hubs", D(2025, 1, 1), D(2025, 6, 30)),
                   _row(15, 15, 1, 1, 3, 150, 14, 0, 0, 0, 0, 3 / 150, NA, NA, NA)),
    # Other programme: 3 people in Kemerovo Oblast, one library centre of 10 libraries.
    "other programme": (Filters("kem_centres", D(2012, 1, 1), D(2012, 12, 31)),
                        _row(NA, NA, 1, 1, 1, 10, 0, 0, 0, 0, 0, 0.1, NA, NA, NA)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_compute_counts(db, name):
    f, expected = CASES[name]
    got = metrics.compute_counts(db, f)[COUNT_COLUMNS + RATE_COLUMNS]
    got = got.astype({c: "Int64" for c in COUNT_COLUMNS} | {c: "Float64" for c in RATE_COLUMNS})
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9)


def test_compute_kpis_against_previous_period():
    current, previous = CASES["year 2024"][1], CASES["small year"][1]
    got = metrics.compute_kpis(current, previous)
    expected = pd.DataFrame({
        "kpi": ["active_hubs", "library_share", "people", "activities", "coordinators", "regions", "skills"],
        "kind": ["count", "share", "people", "people", "people", "count", "before_after"],
        "value": [2, 2 / 150, 21, 30, 29, 2, 16 / 19],
        "previous": [2, 2 / 150, NA, NA, 23, 1, 0.0],
        "change": [0, 0.0, NA, NA, 6, 1, 16 / 19],
    })
    assert got["kpi"].tolist() == expected["kpi"].tolist()
    assert got["kind"].tolist() == expected["kind"].tolist()
    for column in ("value", "previous", "change"):
        assert [None if pd.isna(v) else round(float(v), 9) for v in got[column]] == \
               [None if pd.isna(v) else round(float(v), 9) for v in expected[column]], column


def test_compute_kpis_without_previous_period():
    got = metrics.compute_kpis(CASES["year 2024"][1], None)
    assert got.loc[got["kind"] != "before_after", "change"].isna().all()
    assert got.loc[got["kpi"] == "skills", "change"].round(9).tolist() == [round(16 / 19, 9)]


@pytest.mark.parametrize("f, data_start, expected", [
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31)), D(2022, 1, 1), True),
    (Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30)), D(2022, 1, 1), False),
    (Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31)), D(2022, 1, 1), True),
    (Filters("ua_hubs", D(2022, 6, 1), D(2022, 12, 31)), D(2022, 1, 1), False),
])
def test_has_previous(f, data_start, expected):
    assert metrics.has_previous(f, data_start) is expected


def test_previous_period_has_the_same_length():
    f = Filters("ua_hubs", D(2025, 1, 1), D(2025, 6, 30))
    assert (f.previous().start, f.previous().end) == (D(2024, 7, 4), D(2024, 12, 31))
    assert f.previous().days() == f.days() == 181


def test_compute_monthly_fills_months_and_hides_small_ones(db):
    got = metrics.compute_monthly(db, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31)))
    assert got["month"].dt.month.tolist() == list(range(1, 13))
    # March: A, B, P; April: B (8); May: P (1); other months: nobody.
    assert got["people"].tolist() == [0, 0, 21, NA, NA, 0, 0, 0, 0, 0, 0, 0]
    assert got["activities"].tolist() == [0, 0, 21, NA, NA, 0, 0, 0, 0, 0, 0, 0]


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_headline_english():
    f, counts = CASES["year 2024"]
    assert _plain(metrics.headline(counts, f, Translator("en"))) == (
        "From 1 January 2024 to 31 December 2024, 2 hubs in 2 regions trained 21 people in "
        "30 classes and consultations. The share rating their digital skills 7–10 out of 10 rose "
        "from 0.0% to 84.2% (+84.2 pp).")


def test_headline_ukrainian_with_scope():
    f, counts = CASES["one region"]
    text = metrics.headline(counts, f, Translator("uk"), scope="Вінницька область")
    assert _plain(text) == (
        "З 1 січня 2024 р. по 31 грудня 2024 р. у 1 хабі в 1 регіоні навчено 13 осіб і проведено "
        "13 занять і консультацій. Частка тих, хто оцінює свої цифрові навички на 7–10 балів із 10, "
        "зросла з 0,0 % до 100,0 % (+100,0 в. п.). Вибір: Вінницька область.")


@pytest.mark.parametrize("name, lang, expected", [
    ("small year", "en", "This selection has fewer than 10 participants, so no figures are given, to protect them."),
    ("zero participants", "en", "No class or consultation matching the filters was recorded from 1 January 2024 to 31 December 2024."),
    ("no ratings", "en", "From 1 January 2025 to 30 June 2025, 1 hub in 1 region trained 15 people in 15 classes and consultations."),
    ("other programme", "uk", "У цьому виборі менше 10 учасників, тому цифр не наводимо, щоб захистити людей."),
])
def test_headline_states(name, lang, expected):
    f, counts = CASES[name]
    assert _plain(metrics.headline(counts, f, Translator(lang))) == expected


def test_is_empty():
    assert metrics.is_empty(CASES["zero participants"][1])
    assert not metrics.is_empty(CASES["small year"][1])  # suppressed is not empty
    assert not metrics.is_empty(CASES["year 2024"][1])


def test_describe_scope():
    f = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05", "UA-32"),
                gender=("female",), age_band=("60_69", "70_plus"))
    names = {"UA-05": "Vinnytsia Oblast", "UA-32": "Kyiv Oblast"}
    assert metrics.describe_scope(f, Translator("en"), names) == \
        "Vinnytsia Oblast, Kyiv Oblast; age: 60–69, 70+; gender: women"
    assert metrics.describe_scope(Filters("ua_hubs", D(2024, 1, 1), D(2024, 1, 2)), Translator("en"), {}) == ""


@pytest.mark.parametrize("f, expected", [
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-30",), gender=("male",)),
     ["empty.segment", "empty.regions", "empty.period"]),
    (Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30), regions=("UA-30",)), ["empty.regions"]),
    (Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30)), ["empty.programme"]),
])
def test_widen_suggestions(f, expected):
    assert metrics.widen_suggestions(f, (D(2022, 1, 1), D(2025, 6, 30))) == expected


# ---- data quality ----------------------------------------------------------------------------

def test_file_summary_and_reasons(db):
    from conftest import REPORT

    summary = metrics.file_summary(REPORT)
    expected = pd.DataFrame({
        "file": ["hubs_2025.csv", "participants_2024.csv"], "table": ["hubs", "participants"],
        "extract_date": [D(2025, 6, 30), D(2024, 12, 27)],
        "rows_in": [7, 25391], "cleaned": [5, 25386], "quarantined": [1, 4], "duplicates": [1, 1],
    })
    pd.testing.assert_frame_equal(summary, expected, check_dtype=False)
    assert metrics.unbalanced_files(summary) == []
    from dashboard import query

    no_parquet = metrics.quarantine_reasons(REPORT, query.load_quarantine(db).iloc[0:0])
    assert no_parquet.values.tolist() == [["hubs_2025.csv", "unknown_region", 1],
                                          ["participants_2024.csv", "unknown_hub", 3],
                                          ["participants_2024.csv", "bad_date", 1]]

    reasons = metrics.quarantine_reasons(REPORT, query.load_quarantine(db))
    assert reasons.values.tolist() == [["hubs_2025.csv", "unknown_region", 1],
                                       ["participants_2024.csv", "unknown_hub", 3],
                                       ["participants_2024.csv", "bad_date", 1]]


def test_file_summary_accepts_a_list_and_other_names():
    report = {"files": [
        {"file": "a.csv", "table": "hubs", "rows_read": 10, "rows_cleaned": 6,
         "quarantine": [{"reason": "x", "rows": 3}], "duplicates_dropped": 0, "extract_date": "soon"},
        {"name": "b.csv", "rows": 5, "kept": 5},
    ]}
    summary = metrics.file_summary(report)
    assert summary["file"].tolist() == ["a.csv", "b.csv"]
    assert summary["rows_in"].tolist() == [10, 5]
    assert summary["table"].tolist() == ["hubs", ""] and summary["extract_date"].isna().all()
    assert summary["quarantined"].tolist() == [3, NA]
    assert metrics.unbalanced_files(summary) == ["a.csv"]  # 6 + 3 + 0 ≠ 10
    reasons = metrics.quarantine_reasons(report, pd.DataFrame(columns=["source_file", "table", "reason", "rows"]))
    assert reasons.values.tolist() == [["a.csv", "x", 3]]
    assert metrics.file_summary({}).empty
