"""Metrics of the Overview (dashboard.metrics.overview) against figures counted by hand from tests/conftest.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.filters import Filters
from dashboard.metrics import overview as metrics
from dashboard.privacy import Rule

D = dt.date
NA = pd.NA
# Hand-counted figures are exact: perturbation is off here (it is tested in tests/test_privacy.py).
EXACT = Rule(k=10, noise=0)
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
    got = metrics.compute_counts(db, f, EXACT)[COUNT_COLUMNS + RATE_COLUMNS]
    got = got.astype({c: "Int64" for c in COUNT_COLUMNS} | {c: "Float64" for c in RATE_COLUMNS})
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("k, people, coordinators", [
    # The Rule passed in is the one applied: with k = 5 the 6 people of 2023 are shown, with k = 1 everything.
    (5, 6, 23), (1, 6, 23), (30, NA, NA),
])
def test_compute_counts_applies_the_rule_it_is_given(db, monkeypatch, k, people, coordinators):
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "50")  # the environment is not read here
    monkeypatch.setenv("DASHBOARD_NOISE", "5")
    got = metrics.compute_counts(db, CASES["small year"][0], Rule(k=k, noise=0)).iloc[0]
    assert [None if pd.isna(v) else int(v) for v in (got["people"], got["coordinators"])] == \
        [None if pd.isna(v) else v for v in (people, coordinators)]


def test_compute_kpis_against_previous_period():
    current, previous = CASES["year 2024"][1], CASES["small year"][1]
    got = metrics.compute_kpis(current, previous)
    expected = pd.DataFrame({
        "kpi": ["hubs", "library_share", "people", "activities", "coordinators", "regions", "share_after"],
        "kind": ["count", "share", "people", "people", "people", "count", "before_after"],
        "value": [2, 2 / 150, 21, 30, 29, 2, 16 / 19],
        "previous": [2, 2 / 150, NA, NA, 23, 1, 0.0],
        "change": [0, 0.0, NA, NA, 6, 1, 16 / 19],
    })
    assert got["kpi"].tolist() == expected["kpi"].tolist() == list(metrics.KPI_CARDS)
    assert got["kind"].tolist() == expected["kind"].tolist()
    for column in ("value", "previous", "change"):
        assert [None if pd.isna(v) else round(float(v), 9) for v in got[column]] == \
               [None if pd.isna(v) else round(float(v), 9) for v in expected[column]], column


def test_compute_kpis_without_previous_period():
    got = metrics.compute_kpis(CASES["year 2024"][1], None)
    assert got.loc[got["kind"] != "before_after", "change"].isna().all()
    assert got.loc[got["kpi"] == metrics.BEFORE_AFTER, "change"].round(9).tolist() == [round(16 / 19, 9)]


@pytest.mark.parametrize("f, data_start, expected", [
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31)), D(2022, 1, 1), True),
    (Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30)), D(2022, 1, 1), False),
    (Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31)), D(2022, 1, 1), True),
    (Filters("ua_hubs", D(2022, 6, 1), D(2022, 12, 31)), D(2022, 1, 1), False),
])
def test_has_previous(f, data_start, expected):
    assert metrics.has_previous(f, data_start) is expected


def test_compute_monthly_fills_months_and_hides_small_ones(db):
    got = metrics.compute_monthly(db, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31)), EXACT)
    assert got["month"].dt.month.tolist() == list(range(1, 13))
    # March: A, B, P; April: B (8); May: P (1); other months: nobody.
    assert got["people"].tolist() == [0, 0, 21, NA, NA, 0, 0, 0, 0, 0, 0, 0]
    assert got["activities"].tolist() == [0, 0, 21, NA, NA, 0, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("name, expected", [
    ("zero participants", True),
    ("small year", False),  # suppressed is not empty
    ("year 2024", False),
])
def test_is_empty(name, expected):
    assert metrics.is_empty(CASES[name][1]) is expected


@pytest.mark.parametrize("f, expected", [
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-30",), gender=("male",)),
     ["empty.segment", "empty.regions", "empty.period"]),
    (Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30), regions=("UA-30",)), ["empty.regions"]),
    (Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30)), ["empty.programme"]),
])
def test_widen_suggestions(f, expected):
    assert metrics.widen_suggestions(f, (D(2022, 1, 1), D(2025, 6, 30))) == expected
