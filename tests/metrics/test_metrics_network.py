"""Metrics of the Network & capacity page (dashboard.metrics.network) against figures counted by hand.

The extract is tests/metrics/extended_extract.py's: a second Kemerovo centre keeps a waiting list
of 40 but never reported a class, and 12 more people trained in Kemerovo in April 2012.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import contract
from dashboard.filters import Filters
from dashboard.metrics import network as metrics
from dashboard.privacy import Rule
from extended_extract import KEM, Y2024, ext, ext_dir  # noqa: F401 (fixtures)
from extended_extract import values as _values

D = dt.date
EXACT = Rule(k=10, noise=0)


@pytest.mark.parametrize("f, years, opened, in_network, active", [
    (Y2024, [2022, 2023, 2024], [1, 1, 3], [1, 2, 5], [None, None, 3]),  # years outside the period: no figure
    (KEM, [2010, 2011, 2012], [1, 1, 0], [1, 2, 2], [None, None, 1]),
])
def test_network_years(ext, f, years, opened, in_network, active):
    got = metrics.compute_network_years(ext, f)
    assert got["year"].tolist() == years
    assert got["opened"].tolist() == opened and got["in_network"].tolist() == in_network
    assert _values(got["active"]) == active


def test_waitlist_against_capacity(ext):
    months = metrics.compute_waitlist_months(ext, KEM, EXACT)
    # May 2012: 1,000 + 40 waiting; K (May) and M (April) trained: 15 people in 3 months.
    assert months["month"].tolist() == [pd.Timestamp("2012-05-01")]
    row = months.iloc[0]
    assert (row["waiting"], row["trained_3m"], row["capacity"], row["months_to_clear"]) == (1040, 15, 5, 208)
    centres = metrics.compute_waitlist_latest(ext, KEM, EXACT, "centre").set_index("hub_id")
    assert (centres.loc["TK-001", "capacity"], centres.loc["TK-001", "months_to_clear"]) == (5, 200)
    # TK-002 never sent a class report: its capacity is unknown, not zero; 40 waiting are shown.
    assert centres.loc["TK-002", "waiting"] == 40 and not centres.loc["TK-002", "reported"]
    assert pd.isna(centres.loc["TK-002", "capacity"]) and pd.isna(centres.loc["TK-002", "months_to_clear"])
    everything = metrics.compute_waitlist_latest(ext, KEM, EXACT, "all").iloc[0]
    assert (everything["waiting"], everything["centres"], everything["months_to_clear"]) == (1040, 2, 208)
    region = metrics.compute_waitlist_latest(ext, KEM, EXACT, "region")
    assert region["region_code"].tolist() == ["RU-KEM"] and region.iloc[0]["waiting"] == 1040


def test_waitlist_hides_small_capacity(db):
    got = metrics.compute_waitlist_latest(db, KEM, EXACT, "centre").iloc[0]  # only K's 3 people trained
    assert got["waiting"] == 1000 and pd.isna(got["trained_3m"])
    assert pd.isna(got["capacity"]) and pd.isna(got["months_to_clear"])


def test_waitlist_of_a_programme_without_one(db):
    assert metrics.compute_waitlist_months(db, Y2024, EXACT).empty
    assert metrics.compute_waitlist_latest(db, Y2024, EXACT, "all").empty


@pytest.mark.parametrize("end, partners, staff", [(D(2012, 12, 31), 1, 140), (D(2012, 6, 30), 0, 0)])
def test_partners(db, end, partners, staff):
    got = metrics.compute_partners(db, Filters("kem_centres", D(2012, 1, 1), end), EXACT).set_index("partner_type")
    assert got.index.tolist() == list(contract.PARTNER_TYPES)
    assert (got.loc["hospital", "partners"], got.loc["hospital", "staff_trained"]) == (partners, staff)
    assert got.drop(index="hospital")["partners"].eq(0).all()


def test_undated_sites(db):
    assert metrics.undated_sites(db, Y2024) == 0  # every fixture hub has a joining date
