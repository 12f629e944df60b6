"""Query layer of the Coverage page: the programme's sites — where each hub is and its status, no people."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.store.database import Database

# What coverage needs of a hub: its place (point, settlement, hromada, region), status and whether a
# library hosts it. A release holds the same columns (dashboard.release.source.Release.sites).
SITE_COLUMNS = ("hub_id", "settlement", "hromada", "region_code", "lat", "lon", "status", "is_library")


def load_sites(db: Database, programme: str, end: dt.date) -> pd.DataFrame:
    """Every hub of the programme that had joined by `end` (or has no joining date), whatever its
    status: SITE_COLUMNS, lat/lon missing where the hub is not on the map. Sites, not people."""
    return db.execute(
        f"SELECT {', '.join(SITE_COLUMNS)} FROM hubs"
        " WHERE programme = ? AND (joined_on IS NULL OR CAST(joined_on AS DATE) <= ?)"
        " ORDER BY region_code, hub_id", [programme, end])
