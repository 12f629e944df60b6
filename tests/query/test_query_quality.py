"""Statements of the Data quality page (dashboard.query.quality)."""

from __future__ import annotations

from dashboard.query import quality as queries


def test_quarantine_counts(db):
    got = queries.load_quarantine(db)
    assert got[["source_file", "reason", "rows"]].values.tolist() == [
        ["hubs_2025.csv", "unknown_region", 1],
        ["participants_2024.csv", "unknown_hub", 3],
        ["participants_2024.csv", "bad_date", 1],
    ]
