"""Metrics of the Participation page (dashboard.metrics.participation) against figures counted by hand.

The extract is tests/metrics/extended_extract.py's (tests/conftest.py's plus a Lviv Oblast hub
of 11 people and a second Kemerovo group and centre).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.filters import Filters
from dashboard.metrics import participation as metrics
from dashboard.privacy import Rule
from dashboard.query import reference
from extended_extract import ALL, Y2024, ext, ext_dir  # noqa: F401 (fixtures)
from extended_extract import values as _values

D = dt.date
# Hand counts are exact: perturbation off (tests/metrics/test_metrics_agreement.py turns it on).
EXACT = Rule(k=10, noise=0)


def test_cumulative_has_every_month_and_counts_each_person_once(ext):
    got = metrics.compute_cumulative(ext, Y2024, EXACT)
    assert got["month"].dt.month.tolist() == list(range(1, 13))
    # March: A (12), B (8) and P's first 2024 class; June: L (11); other months: nobody new.
    assert _values(got["new_people"]) == [0, 0, 21, 0, 0, 11, 0, 0, 0, 0, 0, 0]
    assert _values(got["people_total"]) == [0, 0, 21, 21, 21, 32, 32, 32, 32, 32, 32, 32]


def test_cumulative_hides_a_small_first_month(db):
    got = metrics.compute_cumulative(db, Filters("ua_hubs", D(2023, 11, 1), D(2024, 3, 31)), EXACT)
    # November 2023: C (5); December: P (1); March 2024: A (12) and B (8) → 26.
    assert _values(got["new_people"]) == [None, None, 0, 0, 20]
    assert _values(got["people_total"]) == [None, None, None, None, 26]


@pytest.mark.parametrize("dimension, expected", [
    # value, people, activities, hubs; shown largest first, a hidden count (1..9) above zeros.
    ("topic", [("seniors_basics", 13, 13, 1), ("cybersecurity", 12, 12, 2), ("e_services", None, 16, 1),
               ("basic_skills", 0, 0, 0), ("other", 0, 0, 0)]),
    ("format", [("group", 24, 24, 2), ("individual", None, 17, 1), ("online", 0, 0, 0)]),
    ("disability", [("no", 31, 39, 3), ("yes", None, None, 2), ("unknown", 0, 0, 0)]),
    ("course", [("seniors basics", 13, 13, 1), ("cybersecurity", 12, 12, 2), ("e services", None, 16, 1)]),
])
def test_breakdowns(ext, dimension, expected):
    got = metrics.compute_breakdown(ext, Y2024, EXACT, dimension)
    rows = list(zip(got["value"], _values(got["people"]), _values(got["activities"]), _values(got["hubs"])))
    assert rows == expected


def test_regions_ranked_with_rates_per_10k(ext):
    got = metrics.compute_breakdown(ext, Y2024, EXACT, "region", regions=reference.load_regions_reference(ext))
    assert got["value"].tolist() == ["UA-05", "UA-46", "UA-32"]
    assert _values(got["people"]) == [13, 11, None]
    assert _values(got["people_per_10k"]) == [round(13 / 1_500_000 * 1e4, 9), round(11 / 2_480_000 * 1e4, 9), None]


# ---- cascade --------------------------------------------------------------------------------

def _cell(cascade, region, phase):
    pick = cascade[(cascade["region_code"].isna() if region is None else cascade["region_code"] == region)
                   & (cascade["phase"].isna() if phase is None else cascade["phase"] == phase)]
    assert len(pick) == 1
    return pick.iloc[0]


def test_cascade_per_region_and_phase(ext):
    got = metrics.compute_cascade(ext, Y2024, EXACT)
    total = _cell(got, None, None)
    # T-2024-02 (5 trainers, hidden); K-2024-031 21 + K-2024-032 (no figure) + K-2024-040 8 = 29.
    assert (pd.isna(total["trainers"]), total["coordinators"], total["hubs"], total["people"]) == (True, 29, 3, 32)
    assert pd.isna(total["coordinators_per_trainer"])  # rests on a hidden count
    assert total["hubs_per_coordinator"] == pytest.approx(3 / 29)
    assert total["people_per_hub"] == pytest.approx(32 / 3)
    vinnytsia = _cell(got, "UA-05", None)
    assert (vinnytsia["trainers"], vinnytsia["coordinators"], vinnytsia["hubs"], vinnytsia["people"]) == (0, 21, 1, 13)
    assert vinnytsia["hubs_per_coordinator"] == pytest.approx(1 / 21)
    kyiv = _cell(got, "UA-32", "2024")
    assert pd.isna(kyiv["coordinators"]) and pd.isna(kyiv["people"]) and kyiv["hubs"] == 1
    lviv = _cell(got, "UA-46", None)  # a hub and people, but nobody trained there in 2024
    assert (lviv["coordinators"], lviv["hubs"], lviv["people"]) == (0, 1, 11)
    assert pd.isna(lviv["hubs_per_coordinator"])
    assert got["national_trainers"].isna().all()  # not in the extracts


def test_cascade_phases_split_the_whole_period(ext):
    got = metrics.compute_cascade(ext, ALL, EXACT)
    first = _cell(got, None, "2022–2023")
    # T-2022-01 (2, hidden), K-2023-014 (23); classes of C (H2) and P (H1) in 2023 → 6 people (hidden).
    assert (pd.isna(first["trainers"]), first["coordinators"], first["hubs"], pd.isna(first["people"])) == \
        (True, 23, 2, True)
    last = _cell(got, None, "2025")
    assert (last["trainers"], last["coordinators"], last["hubs"], last["people"]) == (0, 14, 1, 15)


def test_funnel(ext):
    got = metrics.funnel(metrics.compute_cascade(ext, Y2024, EXACT))
    assert got["stage"].tolist() == list(metrics.CASCADE_STAGES)
    assert _values(got["value"]) == [None, None, 29, 3, 32]
    assert _values(got["ratio"]) == [None, None, None, round(3 / 29, 9), round(32 / 3, 9)]
    missing = metrics.funnel(metrics.compute_cascade(ext, Y2024, EXACT), phase="1999")
    assert missing["value"].isna().all()


@pytest.mark.parametrize("phases, expected", [
    (["2022–2023", "2024", "bad phase"], [("2022–2023", D(2022, 1, 1), D(2023, 12, 31)),
                                          ("2024", D(2024, 1, 1), D(2024, 12, 31))]),
    ([], []),
])
def test_phase_spans(phases, expected):
    assert metrics.phase_spans(phases) == expected
