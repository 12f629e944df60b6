"""Query layer of the Data quality page: silent hubs, regions without data, hubs off the map, the extract's files, the quarantine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dashboard.filters import Filters
from dashboard.query.scope import region_clause, region_scope
from dashboard.store.database import Database


def load_silent_hubs(db: Database, f: Filters) -> pd.DataFrame:
    """Active sites of the programme (selected regions) that had joined by the period's end (or have
    no date) and reported no activity in the period: hub_id, name, settlement, region, joined_on.

    The participant-group filter does not apply: a hub that trained only other groups did report.
    """
    params: list[object] = [f.programme, f.end]
    regions = region_clause(f, "h.region_code", params)
    params += [f.programme, f.start, f.end]
    return db.execute(
        "SELECT h.hub_id, h.name, h.settlement, h.region_code, CAST(h.joined_on AS DATE) AS joined_on"
        " FROM hubs h WHERE h.programme = ? AND h.status = 'active'"
        " AND (h.joined_on IS NULL OR CAST(h.joined_on AS DATE) <= ?)" + regions
        + " AND h.hub_id NOT IN (SELECT hub_id FROM activities WHERE programme = ?"
        "   AND CAST(activity_date AS DATE) BETWEEN ? AND ?) ORDER BY h.region_code, h.hub_id",
        params,
    )


def load_placement(db: Database) -> pd.DataFrame:
    """Hubs of every programme by how they are on the map: `kind` is `coordinates` (the registry's),
    `settlement` (placed at it) or, for a hub without a point, its `unplaced_reason`; `hubs` counts them."""
    return db.execute(
        "SELECT CASE WHEN lat IS NULL OR lon IS NULL THEN unplaced_reason ELSE coalesce(placed, 'coordinates') END"
        " AS kind, count(*) AS hubs FROM hubs GROUP BY ALL ORDER BY hubs DESC, kind"
    )


def load_unplaced_hubs(db: Database) -> pd.DataFrame:
    """Hubs of every programme that are not on the map (no point): hub_id, name, settlement (without
    its prefix), settlement_type, hromada, region_code and unplaced_reason; by region, then code."""
    return db.execute(
        "SELECT hub_id, name, settlement, settlement_type, hromada, region_code, unplaced_reason FROM hubs"
        " WHERE lat IS NULL OR lon IS NULL ORDER BY region_code, hub_id"
    )


def load_region_activity(db: Database, f: Filters) -> pd.DataFrame:
    """Every region of the programme's countries (selected regions): its occupation, `hubs` in the
    registry (any status), `active_hubs` (status active and joined by the period's end or undated:
    the hubs expected to report) and `activities` reported in the period.
    """
    regions, params = region_scope(f)
    return db.execute(
        f"WITH scope AS ({regions}) SELECT s.region_code, r.occupation,"
        " (SELECT count(*) FROM hubs h WHERE h.programme = ? AND h.region_code = s.region_code) AS hubs,"
        " (SELECT count(*) FROM hubs h WHERE h.programme = ? AND h.region_code = s.region_code"
        "   AND h.status = 'active' AND (h.joined_on IS NULL OR CAST(h.joined_on AS DATE) <= ?)) AS active_hubs,"
        " (SELECT count(*) FROM activities a WHERE a.programme = ? AND a.region_code = s.region_code"
        "   AND CAST(a.activity_date AS DATE) BETWEEN ? AND ?) AS activities"
        " FROM scope s JOIN regions r USING (region_code) ORDER BY s.region_code",
        [*params, f.programme, f.programme, f.end, f.programme, f.start, f.end],
    )


def extract_files(folder: Path) -> pd.DataFrame:
    """The cleaned files of the extract folder: `file` name and `written` (local time of last write)."""
    rows = [{"file": p.name, "written": dt.datetime.fromtimestamp(p.stat().st_mtime)}
            for p in sorted(Path(folder).glob("*.parquet")) + [Path(folder) / "report.json"] if p.is_file()]
    return pd.DataFrame(rows, columns=["file", "written"])


def load_quarantine(db: Database) -> pd.DataFrame:
    """Quarantined raw rows per source file, target table and reason code (`rows`)."""
    return db.execute(
        'SELECT source_file, "table", reason, count(*) AS rows FROM quarantine'
        ' GROUP BY ALL ORDER BY source_file, rows DESC, reason, "table"'
    )
