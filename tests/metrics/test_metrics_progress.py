"""Progress against targets (dashboard.metrics.progress): statuses, the elapsed share, the roll-up,
on hand-made targets and actuals whose expected answers are worked out in the comments."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import settings
from dashboard.metrics import progress as m

D = dt.date
YEAR_2024 = (D(2024, 1, 1), D(2024, 12, 31))  # 366 days (a leap year)


@pytest.mark.parametrize("actual, target, due, expected", [
    (130, 100, 1.0, "on_track"),       # ahead: 130 of 100 at the end
    (100, 100, 1.0, "on_track"),       # exactly reached
    (50, 100, 0.5, "on_track"),        # half of the target by mid-period: on track
    (45, 100, 0.5, "at_risk"),         # 45 ≥ 50 × 0.8 = 40
    (40, 100, 0.5, "at_risk"),         # the cut-off itself
    (39, 100, 0.5, "off_track"),       # behind: below 40
    (70, 100, 1.0, "off_track"),       # 70 < 80 at the end
    (70, None, 1.0, "no_target"),      # missing target
    (pd.NA, 100, 1.0, "suppressed"),   # a hidden small count
    (0, 0, 1.0, "on_track"),           # nothing asked, nothing done
])
def test_status(actual, target, due, expected):
    assert m.status(actual, target, due) == expected


def test_the_cut_off_is_a_parameter():
    assert m.status(45, 100, 0.5, at_risk_from=0.95) == "off_track"  # 45 < 47.5


@pytest.mark.parametrize("span, data_date, expected", [
    (YEAR_2024, D(2024, 7, 1), 183 / 366),   # 1 Jan .. 1 Jul, both ends counted
    (YEAR_2024, D(2024, 12, 31), 1.0),
    (YEAR_2024, D(2025, 3, 1), 1.0),          # the period is over
    (YEAR_2024, D(2023, 12, 31), 0.0),        # not begun
    (YEAR_2024, None, 1.0),
    ((D(2024, 4, 1), D(2024, 6, 30)), D(2024, 5, 15), 45 / 91),  # Q2: 30 + 15 of 91 days
])
def test_elapsed_share(span, data_date, expected):
    assert m.elapsed_share(span, data_date) == pytest.approx(expected)


@pytest.mark.parametrize("code, expected", [
    ("year:2024", "year:2023"), ("quarter:2024-Q1", "quarter:2023-Q4"), ("quarter:2024-Q3", "quarter:2024-Q2"),
    ("month:2024-01", "month:2023-12"), ("phase:2022–2023", None), ("all", None),
])
def test_the_period_before(code, expected):
    assert m.before(code) == expected


def actuals(rows: list[tuple]) -> pd.DataFrame:
    """An actuals frame from (area, people, share_after, share_before) rows; other counts 0."""
    return m.actuals_frame(pd.DataFrame([{"area": a, "people": p, "activities": 0, "hubs": 0, "coordinators": 0,
                                          "share_after": s, "share_before": b} for a, p, s, b in rows]))


def test_progress_of_a_count_at_mid_year():
    # Data date 1 July 2024: 183 of 366 days, so 50% of each target is due.
    targets = pd.DataFrame({"area": ["UA-05", "UA-32", "UA-46"], "target": [100.0, 100.0, 200.0]})
    now = actuals([("", None, None, None), ("UA-05", 60, None, None), ("UA-32", 42, None, None),
                   ("UA-46", 30, None, None), ("UA-30", 12, None, None), ("UA-61", None, None, None)])
    before = actuals([("", 80, None, None), ("UA-05", 50, None, None), ("UA-32", 20, None, None),
                      ("UA-46", None, None, None), ("UA-30", 0, None, None), ("UA-61", 0, None, None)])
    got = m.compute_progress(targets, now, before, "people", YEAR_2024, D(2024, 7, 1),
                             ["", "UA-05", "UA-32", "UA-46", "UA-30", "UA-61"])
    due = 183 / 366
    expected = pd.DataFrame({
        "area": ["", "UA-05", "UA-32", "UA-46", "UA-30", "UA-61"],
        # The country has no target of its own: the regions' 100 + 100 + 200; its actual is hidden.
        "baseline": pd.array([80, 50, 20, None, 0, 0], dtype="Int64"),
        "target": [400.0, 100.0, 100.0, 200.0, float("nan"), float("nan")],
        "summed": [True, False, False, False, False, False],
        "actual": pd.array([None, 60, 42, 30, 12, None], dtype="Int64"),
        "achieved": [float("nan"), 0.6, 0.42, 0.15, float("nan"), float("nan")],
        "expected": [due] * 6,
        # 60 ≥ 50.0: on track; 42 ≥ 40.0: at risk; 30 < 80.0 (of 100.0 due): off track.
        "status": ["suppressed", "on_track", "at_risk", "off_track", "no_target", "no_target"],
    })
    pd.testing.assert_frame_equal(got, expected)
    assert m.status_counts(got) == {"on_track": 1, "at_risk": 1, "off_track": 1, "suppressed": 0, "no_target": 2}


def test_a_share_is_expected_in_full_and_its_baseline_is_before_training():
    targets = pd.DataFrame({"area": [""], "target": [0.8]})
    now = actuals([("", 500, 0.75, 0.17), ("UA-05", 40, 0.5, 0.2)])
    got = m.compute_progress(targets, now, None, "share_after", YEAR_2024, D(2024, 7, 1), ["", "UA-05"])
    expected = pd.DataFrame({
        "area": ["", "UA-05"],
        "baseline": pd.array([0.17, 0.2], dtype="Float64"),
        "target": [0.8, float("nan")],  # shares of regions are not summed, nor is one set here
        "summed": [False, False],
        "actual": pd.array([0.75, 0.5], dtype="Float64"),
        "achieved": [0.75 / 0.8, float("nan")],
        "expected": [1.0, 1.0],
        "status": ["at_risk", "no_target"],  # 0.75 < 0.8 but ≥ 0.64
    })
    pd.testing.assert_frame_equal(got, expected)


def test_targets_of_one_indicator_and_period():
    targets = pd.DataFrame({"region_code": [None, "UA-05", "UA-05"], "period": ["year:2024", "year:2024", "year:2025"],
                            "indicator": ["people", "people", "people"], "target": [10.0, 5.0, 7.0],
                            "source": ["", "", ""]})
    got = m.targets_of(targets, "people", "year:2024")
    pd.testing.assert_frame_equal(got, pd.DataFrame({"area": ["", "UA-05"], "target": [10.0, 5.0]}))
    assert m.target_periods(targets, ["all", "year:2023", "year:2024", "year:2025"]) == ["year:2024", "year:2025"]


@pytest.mark.parametrize("raw, expected", [(None, 0.8), ("0.9", 0.9), ("0,7", 0.7), (" 1 ", 1.0)])
def test_the_cut_off_is_a_setting(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("DASHBOARD_PROGRESS_AT_RISK", raising=False)
    else:
        monkeypatch.setenv("DASHBOARD_PROGRESS_AT_RISK", raw)
    assert settings.progress_at_risk() == expected
    assert m.AT_RISK_FROM == 0.8  # the metric's default is the setting's


@pytest.mark.parametrize("raw", ["0", "1.2", "-0.5", "eighty", "nan", ""])
def test_a_bad_cut_off_is_refused_by_name(monkeypatch, raw):
    monkeypatch.setenv("DASHBOARD_PROGRESS_AT_RISK", raw)
    with pytest.raises(ValueError, match="DASHBOARD_PROGRESS_AT_RISK"):
        settings.progress_at_risk()
