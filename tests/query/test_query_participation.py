"""Statements of the Participation page (dashboard.query.participation): courses and the programme targets file."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.filters import Filters
from dashboard.query import participation as queries

D = dt.date
Y2024 = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))


def test_count_courses(db):
    # 2024: seniors basics (A, P), e services (B), cybersecurity (P).
    assert queries.count_courses(db, Y2024) == 3


def test_unknown_breakdown_is_refused(db):
    with pytest.raises(ValueError, match="not a breakdown"):
        queries.load_breakdown(db, Y2024, "person_id")


def test_targets_file(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("# a comment\nprogramme,people_target,by,source\nua_hubs,\"50,000\",2026-12-31,Plan\n"
                    "kem_centres,none,,\n", encoding="utf-8")
    assert queries.load_target("ua_hubs", path) == {"target": 50000, "by": D(2026, 12, 31), "source": "Plan"}
    assert queries.load_target("kem_centres", path) is None
    assert queries.load_target("ua_hubs", tmp_path / "absent.csv") is None


def test_the_shipped_targets_file_is_read():
    # dashboard/targets.csv is the file programme officers edit (named in the Participation page's help).
    assert queries.TARGETS_FILE.is_file(), queries.TARGETS_FILE
    assert queries.load_target("ua_hubs") is None  # the shipped file sets no target
