"""Query layer: the reference tables every page needs — regions, programme spans and phases."""

from __future__ import annotations

import pandas as pd

from dashboard.store.database import Database


def load_regions(db: Database) -> pd.DataFrame:
    """The regions reference: code, country, names, and each name's place in its alphabet."""
    return db.execute(
        "SELECT region_code, country_code, name_uk, name_en,"
        " row_number() OVER (ORDER BY name_uk COLLATE uk) AS order_uk,"
        " row_number() OVER (ORDER BY name_en COLLATE en) AS order_en"
        " FROM regions ORDER BY region_code"
    )


def load_programme_spans(db: Database) -> pd.DataFrame:
    """Per programme: its countries, first and last activity or training date, and its phases.

    A programme whose extract records no class and no training, only its network (sites that
    joined, a waiting list by month), spans the dates of that network instead: its own years.
    """
    return db.execute(
        "WITH dates AS ("
        "  SELECT programme, CAST(activity_date AS DATE) AS day FROM activities"
        "  UNION ALL SELECT programme, CAST(coalesce(start_date, end_date) AS DATE) FROM trainings),"
        " network AS ("
        "  SELECT programme, CAST(joined_on AS DATE) AS day FROM hubs WHERE joined_on IS NOT NULL"
        "  UNION ALL SELECT programme, CAST(month AS DATE) FROM waitlist),"
        " progs AS (SELECT programme FROM hubs UNION SELECT programme FROM activities)"
        " SELECT p.programme,"
        "  coalesce((SELECT min(day) FROM dates d WHERE d.programme = p.programme),"
        "           (SELECT min(day) FROM network n WHERE n.programme = p.programme)) AS first_day,"
        "  coalesce((SELECT max(day) FROM dates d WHERE d.programme = p.programme),"
        "           (SELECT max(day) FROM network n WHERE n.programme = p.programme)) AS last_day,"
        "  (SELECT list(DISTINCT r.country_code ORDER BY r.country_code) FROM hubs h"
        "     JOIN regions r ON r.region_code = h.region_code WHERE h.programme = p.programme) AS countries,"
        "  (SELECT list(DISTINCT t.phase ORDER BY t.phase) FROM trainings t"
        "     WHERE t.programme = p.programme) AS phases"
        " FROM progs p ORDER BY p.programme"
    )


def load_regions_reference(db: Database) -> pd.DataFrame:
    """Every region: code, country, population, public libraries and occupation."""
    return db.execute("SELECT region_code, country_code, population, public_libraries, occupation"
                      " FROM regions ORDER BY region_code")


def load_phases(db: Database, programme: str) -> list[str]:
    """The project phases the programme's trainings name, in order."""
    frame = db.execute("SELECT DISTINCT phase FROM trainings WHERE programme = ? ORDER BY phase", [programme])
    return [p for p in frame["phase"].tolist() if p]
