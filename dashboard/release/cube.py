"""Release layer: the statements that count every held view at once (exact counts with their cell keys).

Each statement reads the query-ready tables through the store once and groups by the view codes
of dashboard.release.grain: a person counts once in every period (`all`, phase, year, quarter,
month) and area (the whole country, their region) in which they had an activity, and in every
group they belong to (none, each of their six characteristics alone, each pair of them). Counts
are additive from the per-person rows on, so the statements first reduce people to their
combinations of characteristics (a few thousand per period and area, however many people) and
then sum those into the 304 groups: the work grows with the people once, not with the views.

Exact counts and cell keys leave here; dashboard.release.build protects them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pandas as pd

from dashboard.indicators import HIGH_FROM, LOW_TO
from dashboard.privacy import KEY_MODULUS
from dashboard.query.scope import record_key
from dashboard.release import grain
from dashboard.store.database import Database

ATTRIBUTES = tuple(grain.COLUMN_OF[d] for d in grain.DIMENSIONS)  # participants' columns, in order
SCORES = tuple(range(1, 11))
# Counts of people per cell: name -> SQL condition on a person's (pre, post) overall self-rating.
RATED = {
    "n_pre": "pre IS NOT NULL", "pre_high": f"pre >= {HIGH_FROM}", "pre_low": f"pre <= {LOW_TO}",
    "n_post": "post IS NOT NULL", "post_high": f"post >= {HIGH_FROM}", "post_low": f"post <= {LOW_TO}",
    "n_both": "pre IS NOT NULL AND post IS NOT NULL",
    **{f"pre_{s}": f"pre = {s}" for s in SCORES}, **{f"post_{s}": f"post = {s}" for s in SCORES},
}
# Sums of scores per cell (for means): name -> SQL of the person's value.
SUMS = {"pre_sum": "pre", "post_sum": "post", "gain_sum": "post - pre", "gain_sq": "(post - pre) * (post - pre)"}
CELL_COUNTS = ("people", "activities", *RATED)
# People per bucket of the per-person statements: DuckDB reduces a bucket's per-person rows (about
# ten per person: periods × areas) to their combinations before it reads the next bucket.
PEOPLE_PER_BUCKET = 1_000_000
COMBINATIONS = "release_combinations"  # the temporary table the buckets' combinations gather in
KEYS = ("programme", "area", "period", "dim1", "value1", "dim2", "value2")


def _mod(total: str) -> str:
    return f"(coalesce({total}, 0)::HUGEINT % {KEY_MODULUS})::BIGINT"


def _groups_sql() -> str:
    """VALUES of the 22 group shapes: (dim1, dim2), '' for none."""
    shapes = [("", "")] + [(d, "") for d in grain.DIMENSIONS] + grain.dimension_pairs()
    return "(VALUES " + ", ".join(f"('{a}', '{b}')" for a, b in shapes) + ") AS g(dim1, dim2)"


def _value_of(dim: str) -> str:
    """SQL of the person's value of the dimension named in column `dim` ('' for none)."""
    cases = " ".join(f"WHEN '{d}' THEN coalesce(c.{grain.COLUMN_OF[d]}, 'unknown')" for d in grain.DIMENSIONS)
    return f"CASE g.{dim} {cases} ELSE '' END"


def _activities(programme: str, phases: Sequence[tuple[str, dt.date, dt.date]],
                bucket: str = "TRUE") -> tuple[str, list[object]]:
    """SQL of the programme's activities (of the people in `bucket`), one row per activity, period and area."""
    periods, params = grain.period_sql("activity_date", phases)
    attrs = ", ".join(ATTRIBUTES)
    # unnest of two lists in one SELECT zips them: expand the areas in a second step instead.
    sql = (
        f"SELECT *, unnest([region_code, '']) AS area FROM ("
        f" SELECT person_id, activity_id, hub_id, region_code, activity_date, course, topic, format, {attrs},"
        f" unnest({periods}) AS period FROM activities WHERE programme = ? AND {bucket})"
    )
    return sql, [*params, programme]


def buckets(db: Database, programme: str) -> int:
    """How many buckets of people the per-person statements of a programme run in (1 up to
    PEOPLE_PER_BUCKET people): each bucket's per-person rows are reduced before the next is read."""
    found = db.execute("SELECT approx_count_distinct(person_id) AS n FROM activities WHERE programme = ?",
                       [programme])
    people = int(found["n"].iloc[0] or 0)
    return max(1, -(-people // PEOPLE_PER_BUCKET))


def _bucket(count: int, index: int) -> str:
    """SQL condition: the person is in bucket `index` of `count` (all people when count is 1)."""
    return "TRUE" if count == 1 else f"hash(person_id) % {count} = {index}"


def _combinations(db: Database, count: int, statement: Callable[[str], tuple[str, list[object]]],
                  keys: Sequence[str], measures: Sequence[str]) -> str:
    """Run `statement` (SQL of per-combination sums for the people of a bucket condition) for each of
    `count` buckets into one temporary table; return SQL of its rows summed over the buckets.

    A person is in one bucket, so per-combination sums add up across buckets (key sums too: they
    are reduced modulo 2^48 only once, at the end)."""
    for index in range(count):
        sql, params = statement(_bucket(count, index))
        db.keep(COMBINATIONS, sql, params, append=index > 0)
    return (f"SELECT {', '.join(keys)}, {', '.join(f'sum({m}) AS {m}' for m in measures)}"
            f" FROM {COMBINATIONS} GROUP BY {', '.join(keys)}")


def _expand(measures: Sequence[str], keyed: Sequence[str], extra: Sequence[str] = ()) -> str:
    """SELECT list that sums the combinations `c` into the groups `g` (keys reduced modulo 2^48)."""
    parts = [*(f"c.{e}" for e in extra), "g.dim1", f"{_value_of('dim1')} AS value1", "g.dim2",
             f"{_value_of('dim2')} AS value2"]
    parts += [f"sum(c.{m})::BIGINT AS {m}" for m in measures]
    parts += [f"{_mod(f'sum(c.{m}_key)')} AS {m}_key" for m in keyed]
    return ", ".join(parts)


def load_cells(db: Database, programme: str, phases: Sequence[tuple[str, dt.date, dt.date]],
               count: int = 1) -> pd.DataFrame:
    """Every non-empty cell (area, period, group) of the programme: people, activities and the
    self-rating counts of RATED (each with `_key`), and the score sums of SUMS (exact); people
    read in `count` buckets (see `buckets`)."""
    attrs = ", ".join(ATTRIBUTES)
    person_key = record_key("person_id")
    rated = ", ".join(
        f"count(*) FILTER (WHERE {cond}) AS {name}, sum(pk) FILTER (WHERE {cond}) AS {name}_key"
        for name, cond in RATED.items())
    sums = ", ".join(f"sum({expr}) AS {name}" for name, expr in SUMS.items())

    def statement(bucket: str) -> tuple[str, list[object]]:
        acts, params = _activities(programme, phases, bucket)
        return f"""
            WITH a AS ({acts}),
            pa AS (
                SELECT person_id, period, area, {", ".join(f"any_value({c}) AS {c}" for c in ATTRIBUTES)},
                       count(*) AS acts, sum({record_key('activity_id')}::HUGEINT) AS acts_key
                FROM a GROUP BY person_id, period, area),
            r AS (
                SELECT person_id, max(score) FILTER (WHERE stage = 'pre') AS pre,
                       max(score) FILTER (WHERE stage = 'post') AS post
                FROM assessments WHERE instrument = 'self_rating' AND area = 'overall' AND {bucket}
                  AND person_id IN (SELECT DISTINCT person_id FROM activities WHERE programme = ? AND {bucket})
                GROUP BY person_id)
            SELECT period, area, {attrs}, count(*) AS people, sum(pk) AS people_key,
                   sum(acts) AS activities, sum(acts_key) AS activities_key, {rated}, {sums}
            FROM (SELECT pa.*, {person_key}::HUGEINT AS pk, r.pre, r.post FROM pa LEFT JOIN r USING (person_id))
            GROUP BY period, area, {attrs}
        """, [*params, programme]

    counted = [m for name in ("people", "activities", *RATED) for m in (name, f"{name}_key")]
    c = _combinations(db, count, statement, ["period", "area", *ATTRIBUTES], [*counted, *SUMS])
    sql = f"""
        WITH c AS ({c})
        SELECT ? AS programme, c.area, c.period,
               {_expand(["people", "activities", *RATED], ["people", "activities", *RATED], [])},
               {", ".join(f"sum(c.{name})::DOUBLE AS {name}" for name in SUMS)}
        FROM c CROSS JOIN {_groups_sql()}
        GROUP BY c.area, c.period, g.dim1, value1, g.dim2, value2
    """
    return db.execute(sql, [programme])


def load_new_people(db: Database, programme: str, phases: Sequence[tuple[str, dt.date, dt.date]],
                    count: int = 1) -> pd.DataFrame:
    """Per cell and month: people whose first activity in the cell's period falls in that month
    (`new_people`, `new_people_key`); months without anyone new are not listed."""
    attrs = ", ".join(ATTRIBUTES)

    def statement(bucket: str) -> tuple[str, list[object]]:
        acts, params = _activities(programme, phases, bucket)
        return f"""
            WITH a AS ({acts}),
            firsts AS (
                SELECT person_id, period, area, {", ".join(f"any_value({c}) AS {c}" for c in ATTRIBUTES)},
                       CAST(date_trunc('month', min(activity_date)) AS DATE) AS month
                FROM a GROUP BY person_id, period, area)
            SELECT period, area, month, {attrs}, count(*) AS new_people,
                   sum({record_key('person_id')}::HUGEINT) AS new_people_key
            FROM firsts GROUP BY period, area, month, {attrs}
        """, params

    c = _combinations(db, count, statement, ["period", "area", "month", *ATTRIBUTES], ["new_people", "new_people_key"])
    sql = f"""
        WITH c AS ({c})
        SELECT ? AS programme, c.area, c.period, c.month, {_expand(["new_people"], ["new_people"])}
        FROM c CROSS JOIN {_groups_sql()}
        GROUP BY c.area, c.period, c.month, g.dim1, value1, g.dim2, value2
    """
    return db.execute(sql, [programme])


def load_activity_values(db: Database, programme: str, phases: Sequence[tuple[str, dt.date, dt.date]],
                         dimension: str, count: int = 1) -> pd.DataFrame:
    """Per cell with no group or one value of one dimension, and per value of the activities'
    `dimension` (topic, format or course): people with an activity of that value, activities."""
    if dimension not in ("topic", "format", "course"):
        raise ValueError(f"not an activity dimension: {dimension}")
    attrs = ", ".join(ATTRIBUTES)

    def statement(bucket: str) -> tuple[str, list[object]]:
        acts, params = _activities(programme, phases, bucket)
        return f"""
            WITH a AS ({acts}),
            pv AS (
                SELECT person_id, period, area, coalesce({dimension}, '') AS value,
                       {", ".join(f"any_value({c}) AS {c}" for c in ATTRIBUTES)},
                       count(*) AS acts, sum({record_key('activity_id')}::HUGEINT) AS acts_key
                FROM a GROUP BY person_id, period, area, value)
            SELECT period, area, value, {attrs}, count(*) AS people,
                   sum({record_key('person_id')}::HUGEINT) AS people_key,
                   sum(acts) AS activities, sum(acts_key) AS activities_key
            FROM pv GROUP BY period, area, value, {attrs}
        """, params

    c = _combinations(db, count, statement, ["period", "area", "value", *ATTRIBUTES],
                      ["people", "people_key", "activities", "activities_key"])
    sql = f"""
        WITH c AS ({c})
        SELECT ? AS programme, c.area, c.period, c.value AS item,
               {_expand(["people", "activities"], ["people", "activities"])}
        FROM c CROSS JOIN {_groups_sql()} WHERE g.dim2 = ''
        GROUP BY c.area, c.period, c.value, g.dim1, value1, g.dim2, value2
    """
    return db.execute(sql, [programme])


def load_active(db: Database, programme: str, phases: Sequence[tuple[str, dt.date, dt.date]],
                dimension: str | None = None) -> pd.DataFrame:
    """Per area and period (no group): active hubs and regions; with `dimension` (an activity
    dimension), active hubs per value of it (`item`)."""
    acts, params = _activities(programme, phases)
    item = f", coalesce({dimension}, '') AS item" if dimension else ""
    by = ", item" if dimension else ""
    if dimension not in (None, "topic", "format", "course"):
        raise ValueError(f"not an activity dimension: {dimension}")
    return db.execute(
        f"WITH a AS ({acts}) SELECT ? AS programme, area, period{item}, count(DISTINCT hub_id) AS hubs,"
        f" count(DISTINCT region_code) AS regions FROM a GROUP BY area, period{by}",
        [*params, programme])


def load_hub_people(db: Database, programme: str) -> pd.DataFrame:
    """Per hub and calendar year (and `all`): people with an activity there (exact, with key)."""
    key = _mod(f"sum(DISTINCT {record_key('person_id')})")
    return db.execute(
        f"SELECT hub_id, period, count(DISTINCT person_id) AS people, {key}"
        " AS people_key FROM (SELECT hub_id, person_id, unnest(['all', 'year:' || year(activity_date)]) AS period"
        " FROM activities WHERE programme = ?) GROUP BY hub_id, period",
        [programme])


def load_digigram(db: Database, programme: str, phases: Sequence[tuple[str, dt.date, dt.date]]) -> pd.DataFrame:
    """Per area and period (no group; Digigram results carry no participant details): for each
    test area and stage, people tested with their key, and the sum and sum of squares of scores."""
    periods, params = grain.period_sql("CAST(assessed_on AS DATE)", phases)
    sql = f"""
        WITH t AS (
            SELECT DISTINCT person_id, period, unnest([region_code, '']) AS area_ FROM (
                SELECT person_id, region_code, unnest({periods}) AS period FROM assessments
                WHERE instrument = 'digigram' AND programme = ?)),
        s AS (SELECT person_id, stage, area AS test_area, score FROM assessments WHERE instrument = 'digigram')
        SELECT ? AS programme, t.area_ AS area, t.period, s.test_area, s.stage, count(*) AS people,
               {_mod(f"sum({record_key('s.person_id')})")} AS people_key,
               sum(s.score)::DOUBLE AS score_sum, sum(s.score * s.score)::DOUBLE AS score_sq
        FROM t JOIN s USING (person_id) GROUP BY ALL
    """
    return db.execute(sql, [*params, programme, programme])


def _periods_values(periods: dict[str, tuple[dt.date, dt.date]]) -> tuple[str, list[object]]:
    rows = ", ".join(["(?, ?::DATE)"] * len(periods))
    params: list[object] = [x for code, (_start, end) in periods.items() for x in (code, end)]
    return f"(VALUES {rows}) AS p(period, period_end)", params


def load_context(db: Database, programme: str, phases: Sequence[tuple[str, dt.date, dt.date]],
                 periods: dict[str, tuple[dt.date, dt.date]]) -> pd.DataFrame:
    """Per area and period: library hubs in the network at the period's end and public libraries
    of the area's regions (as query.overview.load_library_coverage), and coordinators who
    completed training groups that ended in the period, with the groups' key (as load_coordinators)."""
    values, value_params = _periods_values(periods)
    days, day_params = grain.period_sql("CAST(coalesce(end_date, start_date) AS DATE)", phases)
    sql = f"""
        WITH scope AS (
            SELECT region_code, public_libraries FROM regions WHERE country_code IN (
                SELECT DISTINCT r.country_code FROM hubs h JOIN regions r ON r.region_code = h.region_code
                WHERE h.programme = ?)),
        areas AS (SELECT '' AS area UNION ALL SELECT region_code FROM scope),
        libs AS (
            SELECT a.area, sum(s.public_libraries) AS public_libraries FROM areas a
            JOIN scope s ON a.area = '' OR s.region_code = a.area GROUP BY a.area),
        lib_hubs AS (
            SELECT a.area, p.period, count(h.hub_id) AS library_hubs
            FROM areas a CROSS JOIN {values}
            LEFT JOIN hubs h ON h.programme = ? AND h.is_library AND h.status <> 'closed'
                AND (h.joined_on IS NULL OR CAST(h.joined_on AS DATE) <= p.period_end)
                AND h.region_code IN (SELECT region_code FROM scope WHERE public_libraries IS NOT NULL)
                AND (a.area = '' OR h.region_code = a.area)
            GROUP BY a.area, p.period),
        coord AS (
            SELECT area, period, sum(completed) AS coordinators,
                   {_mod(f"sum({record_key('group_id')})")} AS coordinators_key
            FROM (SELECT group_id, completed, unnest([region_code, '']) AS area, period FROM (
                SELECT *, unnest({days}) AS period FROM trainings WHERE programme = ? AND level = 'coordinator'))
            GROUP BY area, period)
        SELECT ? AS programme, l.area, l.period, l.library_hubs, libs.public_libraries,
               coalesce(c.coordinators, 0)::BIGINT AS coordinators, coalesce(c.coordinators_key, 0) AS coordinators_key
        FROM lib_hubs l LEFT JOIN libs ON libs.area = l.area
        LEFT JOIN coord c ON c.area = l.area AND c.period = l.period
        ORDER BY l.area, l.period
    """
    return db.execute(sql, [programme, *value_params, programme, *day_params, programme, programme])


def load_silent_hubs(db: Database, programme: str, phases: Sequence[tuple[str, dt.date, dt.date]],
                     periods: dict[str, tuple[dt.date, dt.date]]) -> pd.DataFrame:
    """Per held period, the hubs query.quality.load_silent_hubs lists for it (with `period`)."""
    values, value_params = _periods_values(periods)
    days, day_params = grain.period_sql("CAST(activity_date AS DATE)", phases)
    return db.execute(
        f"WITH p AS (SELECT * FROM {values}),"
        f" act AS (SELECT DISTINCT hub_id, unnest({days}) AS period FROM activities WHERE programme = ?)"
        " SELECT p.period, h.hub_id, h.name, h.settlement, h.region_code, CAST(h.joined_on AS DATE) AS joined_on"
        " FROM hubs h CROSS JOIN p WHERE h.programme = ? AND h.status = 'active'"
        " AND (h.joined_on IS NULL OR CAST(h.joined_on AS DATE) <= p.period_end)"
        " AND NOT EXISTS (SELECT 1 FROM act WHERE act.hub_id = h.hub_id AND act.period = p.period)"
        " ORDER BY p.period, h.region_code, h.hub_id",
        [*value_params, *day_params, programme, programme])


def load_region_activity(db: Database, programme: str, phases: Sequence[tuple[str, dt.date, dt.date]],
                         periods: dict[str, tuple[dt.date, dt.date]]) -> pd.DataFrame:
    """Per held period, the rows query.quality.load_region_activity gives for it (with `period`)."""
    values, value_params = _periods_values(periods)
    days, day_params = grain.period_sql("CAST(activity_date AS DATE)", phases)
    return db.execute(
        f"WITH p AS (SELECT * FROM {values}),"
        " scope AS (SELECT region_code, occupation FROM regions WHERE country_code IN ("
        "  SELECT DISTINCT r.country_code FROM hubs h JOIN regions r ON r.region_code = h.region_code"
        "  WHERE h.programme = ?)),"
        f" act AS (SELECT region_code, period, count(*) AS activities FROM (SELECT region_code, unnest({days})"
        "  AS period FROM activities WHERE programme = ?) GROUP BY ALL)"
        " SELECT p.period, s.region_code, s.occupation,"
        " (SELECT count(*) FROM hubs h WHERE h.programme = ? AND h.region_code = s.region_code) AS hubs,"
        " (SELECT count(*) FROM hubs h WHERE h.programme = ? AND h.region_code = s.region_code"
        "   AND h.status = 'active' AND (h.joined_on IS NULL OR CAST(h.joined_on AS DATE) <= p.period_end))"
        "   AS active_hubs,"
        " coalesce(a.activities, 0) AS activities"
        " FROM scope s CROSS JOIN p LEFT JOIN act a ON a.region_code = s.region_code AND a.period = p.period"
        " ORDER BY p.period, s.region_code",
        [*value_params, programme, *day_params, programme, programme, programme])
