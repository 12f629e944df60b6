"""Query layer of the Progress page: the programme's targets (the cleaned `targets` table)."""

from __future__ import annotations

import pandas as pd

from dashboard.store.database import Database

TARGET_COLUMNS = ("region_code", "period", "indicator", "target", "source")


def load_targets(db: Database, programme: str) -> pd.DataFrame:
    """Every target of a programme: region_code (missing = the programme as a whole), period code,
    indicator, target (a count, or a share 0..1), source. Empty when the extract has no targets."""
    return db.execute(
        "SELECT region_code, period, indicator, target, source FROM targets WHERE programme = ?"
        " ORDER BY period, indicator, region_code NULLS FIRST", [programme])
