"""Query layer of the Overview: totals, months, library coverage, coordinators and self-ratings of a view."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.query.scope import activity_scope, cell_key, key_sum, rated_high, record_key, region_scope
from dashboard.store.database import Database


def load_activity_totals(db: Database, f: Filters) -> pd.DataFrame:
    """One row: distinct people, activities (person × class rows), hubs and regions in the view."""
    scope, params = activity_scope(f)
    return db.execute(
        f"WITH act AS ({scope}) SELECT count(DISTINCT person_id) AS people,"
        f" {key_sum('person_id')} AS people_key, count(*) AS activities, {key_sum('activity_id')} AS activities_key,"
        " count(DISTINCT hub_id) AS hubs, count(DISTINCT region_code) AS regions FROM act",
        params,
    )


def load_monthly(db: Database, f: Filters) -> pd.DataFrame:
    """Per calendar month of the view: `month` (first day), distinct `people`, `activities`."""
    scope, params = activity_scope(f)
    return db.execute(
        f"WITH act AS ({scope}) SELECT CAST(date_trunc('month', activity_date) AS DATE) AS month,"
        f" count(DISTINCT person_id) AS people, {key_sum('person_id')} AS people_key,"
        f" count(*) AS activities, {key_sum('activity_id')} AS activities_key FROM act GROUP BY 1 ORDER BY 1",
        params,
    )


def load_library_coverage(db: Database, f: Filters) -> pd.DataFrame:
    """One row: library hubs in the network at the period's end, and public libraries of the regions.

    A hub counts when it is hosted by a library, joined on or before `f.end` (or has no date) and
    is not closed; only regions with a library count enter either side of the share.
    """
    regions, params = region_scope(f)
    return db.execute(
        f"WITH scope AS ({regions}) SELECT"
        " (SELECT count(*) FROM hubs h WHERE h.programme = ? AND h.is_library AND h.status <> 'closed'"
        "   AND (h.joined_on IS NULL OR CAST(h.joined_on AS DATE) <= ?)"
        "   AND h.region_code IN (SELECT region_code FROM scope WHERE public_libraries IS NOT NULL))"
        "   AS library_hubs,"
        " (SELECT sum(public_libraries) FROM scope) AS public_libraries",
        [*params, f.programme, f.end],
    )


def load_coordinators(db: Database, f: Filters) -> pd.DataFrame:
    """One row: people who completed coordinator training groups that ended in the period.

    A group's date is its end date (its start date when the end is missing); groups without a
    completion figure add nothing to `completed` but count in `groups`.
    """
    where = [
        "programme = ?", "level = 'coordinator'",
        "CAST(coalesce(end_date, start_date) AS DATE) BETWEEN ? AND ?",
    ]
    params: list[object] = [f.programme, f.start, f.end]
    if f.regions:
        where.append("list_contains(?::VARCHAR[], region_code)")
        params.append(list(f.regions))
    return db.execute(
        # Coordinators are counted per group, not per person: a group's key stands for its people.
        f"SELECT coalesce(sum(completed), 0) AS completed, {key_sum('group_id')} AS completed_key,"
        " count(*) AS groups FROM trainings WHERE "
        + " AND ".join(where),
        params,
    )


def load_self_ratings(db: Database, f: Filters) -> pd.DataFrame:
    """Per stage (`pre`, `post`): people of the view with an overall self-rating, and those at 7–10."""
    scope, params = activity_scope(f)
    high_key = cell_key(f"sum(DISTINCT {record_key('s.person_id')}) FILTER (WHERE {rated_high('s.score')})")
    return db.execute(
        f"WITH act AS ({scope})"
        # One row per person, instrument, stage and area (the table's key): count(*) counts people.
        f" SELECT s.stage, count(*) AS people, {key_sum('s.person_id')} AS people_key,"
        f" count(*) FILTER (WHERE {rated_high('s.score')}) AS people_7_10,"
        f" {high_key} AS people_7_10_key"
        " FROM assessments s"
        " WHERE s.instrument = 'self_rating' AND s.area = 'overall'"
        "   AND s.person_id IN (SELECT person_id FROM act) GROUP BY s.stage ORDER BY s.stage",
        params,
    )
