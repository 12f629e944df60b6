"""Metrics of the Data quality page (dashboard.metrics.quality): the cleaning report, silent hubs, regions without data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import REPORT
from dashboard.filters import Filters
from dashboard.metrics import quality as metrics
from dashboard.query import quality as queries

D = dt.date
NA = pd.NA
Y2024 = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))
QUARANTINE_REASONS = [["hubs_2025.csv", "unknown_region", 1],
                      ["participants_2024.csv", "unknown_hub", 3],
                      ["participants_2024.csv", "bad_date", 1]]


def test_file_summary():
    summary = metrics.file_summary(REPORT)
    expected = pd.DataFrame({
        "file": ["hubs_2025.csv", "participants_2024.csv"], "table": ["hubs", "participants"],
        "extract_date": [D(2025, 6, 30), D(2024, 12, 27)],
        "rows_in": [7, 25391], "cleaned": [5, 25386], "quarantined": [1, 4], "duplicates": [1, 1],
    })
    pd.testing.assert_frame_equal(summary, expected, check_dtype=False)
    assert list(summary.columns) == list(metrics.FILE_COLUMNS)
    assert metrics.unbalanced_files(summary) == []


@pytest.mark.parametrize("rows", ["none", "all"])
def test_quarantine_reasons_with_or_without_the_quarantine_table(db, rows):
    quarantine = queries.load_quarantine(db)
    if rows == "none":  # no quarantine Parquet: the report's counts are used
        quarantine = quarantine.iloc[0:0]
    assert metrics.quarantine_reasons(REPORT, quarantine).values.tolist() == QUARANTINE_REASONS


def test_file_summary_of_incomplete_entries():
    report = {"files": {
        "a.csv": {"kind": "hubs", "rows_in": 10, "cleaned": 6, "quarantined": 3, "duplicates": 0,
                  "extract_date": "soon", "by_reason": {"x": 3}},
        "b.csv": {"rows_in": 5, "cleaned": "five"},
    }}
    summary = metrics.file_summary(report)
    assert summary["file"].tolist() == ["a.csv", "b.csv"]
    assert summary["rows_in"].tolist() == [10, 5]
    assert summary["table"].tolist() == ["hubs", ""] and summary["extract_date"].isna().all()
    assert summary["cleaned"].tolist() == [6, NA] and summary["quarantined"].tolist() == [3, NA]
    assert metrics.unbalanced_files(summary) == ["a.csv"]  # 6 + 3 + 0 ≠ 10; b.csv is not known in full
    reasons = metrics.quarantine_reasons(report, pd.DataFrame(columns=["source_file", "table", "reason", "rows"]))
    assert reasons.values.tolist() == [["a.csv", "x", 3]]


@pytest.mark.parametrize("report", [{}, {"files": None}, {"files": []}, {"files": [{"file": "a.csv", "rows_in": 3}]},
                                    {"files": {"a.csv": "not an entry"}}])
def test_reports_not_in_the_pipelines_shape_give_no_rows(report):
    # Only the shape `python -m dashboard.clean` writes ({file name: entry}) is read.
    assert metrics.file_summary(report).empty
    assert list(metrics.file_summary(report).columns) == list(metrics.FILE_COLUMNS)
    assert metrics.quarantine_reasons(report, pd.DataFrame(columns=["source_file", "table", "reason", "rows"])).empty


def test_silent_hubs(db):
    per_region, silent = metrics.compute_silent_hubs(db, Y2024)
    # Active hubs that had joined by the end of 2024: H1, H2 (UA-05), H3 (UA-32); H2 sent nothing.
    assert silent["hub_id"].tolist() == ["ХЦО-00002"]
    assert per_region.values.tolist() == [["UA-05", 2, 1, 0.5], ["UA-32", 1, 0, 0.0]]


@pytest.mark.parametrize("f, expected", [
    # Kyiv city's hub joined in 2025; Lviv Oblast has none; Kemerovo is another programme's country.
    (Y2024, [["UA-30", 1, 0, "not_yet"], ["UA-46", 0, 0, "no_hubs"]]),
    (Filters("ua_hubs", D(2023, 12, 1), D(2023, 12, 31), regions=("UA-05",)), []),
])
def test_regions_without_data(db, f, expected):
    got = metrics.compute_regions_without_data(db, f)
    assert got[["region_code", "hubs", "active_hubs", "reason"]].values.tolist() == expected


def test_extract_times(clean_dir):
    got = metrics.extract_times(clean_dir, REPORT).set_index("table")
    assert {"hubs", "participants", "quarantine", "report.json"} <= set(got.index)
    assert (got.loc["hubs", "rows"], got.loc["participants", "rows"], got.loc["quarantine", "rows"]) == (6, 41, 5)
    assert pd.isna(got.loc["activities", "rows"])  # the report gives no count for it
    assert got["written"].notna().all()
