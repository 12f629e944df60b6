"""Query layer of the Impact map: per-region and per-hub figures, computed in DuckDB, values bound."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboard.filters import Filters
from dashboard.query.scope import activity_scope, cell_key, rated_high, record_key
from dashboard.store.database import Database

# The map shows every region of the programme's countries whatever the region filter says
# (the filter only decides what the map fits to), so every query here drops `regions`.


def _whole_country(f: Filters) -> Filters:
    return replace(f, regions=())


def load_region_figures(db: Database, f: Filters) -> pd.DataFrame:
    """One row per region of the programme's countries, with the exact figures of the view.

    Per region: `occupation`, `population`, `public_libraries` (reference); `hubs` (distinct hubs
    with a class or consultation in the view, as the Overview's active hubs); `library_hubs`
    (library hubs joined by the period's end and not closed, as the Overview's library share);
    `people` (distinct people with an activity in the region) and, among them, `pre_people`,
    `pre_7_10`, `post_people`, `post_7_10` (overall self-ratings before / after, and those at
    7–10). Every count of people comes with its cell key (`*_key`). A region's row equals the
    Overview's figures with that region selected.
    """
    scope, params = activity_scope(_whole_country(f))
    sql = f"""
        WITH act AS ({scope}),
        reg AS (
            SELECT region_code, occupation, population, public_libraries FROM regions
            WHERE country_code IN (SELECT DISTINCT r.country_code FROM hubs h
                                   JOIN regions r ON r.region_code = h.region_code WHERE h.programme = ?)),
        -- Each person once per region, with their record key: the keys are hashed once per pair,
        -- not once per class or rating (the sums below equal key_sum's sum of distinct keys).
        pr AS (SELECT region_code, person_id, {record_key('person_id')} AS k
               FROM (SELECT DISTINCT region_code, person_id FROM act)),
        reach AS (
            SELECT region_code, count(*) AS people, {cell_key('sum(k)')} AS people_key
            FROM pr GROUP BY region_code),
        active AS (SELECT region_code, count(DISTINCT hub_id) AS hubs FROM act GROUP BY region_code),
        net AS (
            SELECT region_code, count(*) AS library_hubs FROM hubs
            WHERE programme = ? AND is_library AND status <> 'closed'
              AND (joined_on IS NULL OR CAST(joined_on AS DATE) <= ?)
            GROUP BY region_code),
        rated AS (
            -- One assessment row per person, instrument, stage and area: count(*) counts people.
            SELECT pr.region_code, s.stage, count(*) AS people, {cell_key('sum(pr.k)')} AS people_key,
                   count(*) FILTER (WHERE {rated_high('s.score')}) AS people_7_10,
                   {cell_key('sum(pr.k) FILTER (WHERE ' + rated_high('s.score') + ')')} AS people_7_10_key
            FROM assessments s JOIN pr ON pr.person_id = s.person_id
            WHERE s.instrument = 'self_rating' AND s.area = 'overall'
            GROUP BY pr.region_code, s.stage)
        SELECT reg.region_code, reg.occupation, reg.population, reg.public_libraries,
               coalesce(active.hubs, 0) AS hubs,
               CASE WHEN reg.public_libraries IS NULL THEN 0 ELSE coalesce(net.library_hubs, 0) END
                   AS library_hubs,
               coalesce(reach.people, 0) AS people, coalesce(reach.people_key, 0) AS people_key,
               coalesce(pre.people, 0) AS pre_people, coalesce(pre.people_key, 0) AS pre_people_key,
               coalesce(pre.people_7_10, 0) AS pre_7_10, coalesce(pre.people_7_10_key, 0) AS pre_7_10_key,
               coalesce(post.people, 0) AS post_people, coalesce(post.people_key, 0) AS post_people_key,
               coalesce(post.people_7_10, 0) AS post_7_10, coalesce(post.people_7_10_key, 0) AS post_7_10_key
        FROM reg
        LEFT JOIN reach ON reach.region_code = reg.region_code
        LEFT JOIN active ON active.region_code = reg.region_code
        LEFT JOIN net ON net.region_code = reg.region_code
        LEFT JOIN rated pre ON pre.region_code = reg.region_code AND pre.stage = 'pre'
        LEFT JOIN rated post ON post.region_code = reg.region_code AND post.stage = 'post'
        ORDER BY reg.region_code
    """
    return db.execute(sql, [*params, f.programme, f.programme, f.end])


def load_hub_figures(db: Database, f: Filters) -> pd.DataFrame:
    """One row per hub of the programme that had joined by the period's end (or has no date).

    Columns: hub_id, name, settlement, hromada, region_code, lat, lon, placed (`coordinates`, or
    `settlement` when the point is the settlement's; empty off the map), joined_on (date), status, is_library; `people` (distinct people with an activity at the hub in the view) and
    `activities` (person × class rows there), each with its cell key. Closed and occupied hubs
    are included: the map colours hubs by status.
    """
    scope, params = activity_scope(_whole_country(f))
    sql = f"""
        WITH act AS ({scope}),
        -- activity_id is the activities table's key, so the plain sum equals key_sum's sum of
        -- distinct keys; people are hashed once per hub, not once per class.
        classes AS (
            SELECT hub_id, count(*) AS activities, {cell_key(f"sum({record_key('activity_id')})")} AS activities_key
            FROM act GROUP BY hub_id),
        learners AS (
            SELECT hub_id, count(*) AS people, {cell_key(f"sum({record_key('person_id')})")} AS people_key
            FROM (SELECT DISTINCT hub_id, person_id FROM act) GROUP BY hub_id)
        SELECT h.hub_id, h.name, h.settlement, h.hromada, h.region_code, h.lat, h.lon, h.placed,
               CAST(h.joined_on AS DATE) AS joined_on, h.status, h.is_library,
               coalesce(p.people, 0) AS people, coalesce(p.people_key, 0) AS people_key,
               coalesce(c.activities, 0) AS activities, coalesce(c.activities_key, 0) AS activities_key
        FROM hubs h LEFT JOIN learners p ON p.hub_id = h.hub_id LEFT JOIN classes c ON c.hub_id = h.hub_id
        WHERE h.programme = ? AND (h.joined_on IS NULL OR CAST(h.joined_on AS DATE) <= ?)
        ORDER BY h.region_code, h.hub_id
    """
    return db.execute(sql, [*params, f.programme, f.end])


def load_network_growth(db: Database, programme: str) -> pd.DataFrame:
    """Sites of a programme by the year they joined: `year`, `joined`, `total` (running sum).

    Every year from the first to the last joining year appears (zero when none joined); sites
    without a joining date are left out. Counts of sites, not of people.
    """
    return db.execute(
        """
        WITH years AS (
            SELECT year(joined_on) AS year, count(*) AS joined FROM hubs
            WHERE programme = ? AND joined_on IS NOT NULL GROUP BY 1),
        span AS (SELECT range AS year FROM range(
            (SELECT coalesce(min(year), 0) FROM years), (SELECT coalesce(max(year), -1) FROM years) + 1))
        SELECT span.year::INTEGER AS year, coalesce(years.joined, 0)::BIGINT AS joined,
               (sum(coalesce(years.joined, 0)) OVER (ORDER BY span.year))::BIGINT AS total
        FROM span LEFT JOIN years ON years.year = span.year ORDER BY span.year
        """,
        [programme],
    )
