"""Statements of the Overview (dashboard.query.overview) over the fixture extract, counted by hand from tests/conftest.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.filters import Filters
from dashboard.query import overview as queries

D = dt.date
Y2024 = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))


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
    got = queries.load_activity_totals(db, f)
    assert tuple(int(got.loc[0, c]) for c in ("people", "activities", "hubs", "regions")) == expected


@pytest.mark.parametrize("hostile", ["'; DROP TABLE hubs; --", "<script>alert(1)</script>", "UA-05' OR '1'='1"])
def test_hostile_values_are_bound_not_executed(db, hostile):
    f = Filters(hostile, D(2024, 1, 1), D(2024, 12, 31), regions=(hostile,), age_band=(hostile,))
    assert int(queries.load_activity_totals(db, f).loc[0, "people"]) == 0
    assert int(db.execute("SELECT count(*) AS n FROM hubs").loc[0, "n"]) == 6


def test_monthly(db):
    got = queries.load_monthly(db, Y2024)
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
    got = queries.load_library_coverage(db, f)
    assert (int(got.loc[0, "library_hubs"]), int(got.loc[0, "public_libraries"])) == expected


@pytest.mark.parametrize("f, expected", [
    (Y2024, (29, 3)),  # 21 + 8; K-2024-032 has no completion figure
    (Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31)), (23, 1)),
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-32",)), (8, 2)),
    (Filters("kem_centres", D(2012, 1, 1), D(2012, 12, 31)), (0, 0)),
])
def test_coordinators(db, f, expected):
    got = queries.load_coordinators(db, f)
    assert (int(got.loc[0, "completed"]), int(got.loc[0, "groups"])) == expected


def test_self_ratings_ignore_digigram_and_count_missing_posts(db):
    got = queries.load_self_ratings(db, Y2024)
    expected = pd.DataFrame({"stage": ["post", "pre"], "people": [19, 21], "people_7_10": [16, 0]})
    pd.testing.assert_frame_equal(got.drop(columns=["people_key", "people_7_10_key"]), expected, check_dtype=False)
