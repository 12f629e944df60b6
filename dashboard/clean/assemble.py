"""Pipeline layer: SQL that turns staged, normalised rows into the cleaned tables.

Staged rows carry their file, line, salted row hash and first problem. Here DuckDB drops
exact duplicates (the first copy by file and line is kept), quarantines rows that clash on a
table's key, and builds every cleaned table — out of core, so millions of rows fit in bounded
memory. Every statement reads the views `stage_<kind>` created by `pipeline.py`.
"""

from __future__ import annotations

# Key and keep-order of each staged kind: among valid rows sharing a key, the first by this
# order is kept and the others are quarantined. Digigram keeps the first test before training
# and the last test after it.
KEYS = {
    "hubs": ("hub_id", "file_idx, line", "duplicate_hub_id"),
    "trainings": ("group_id", "file_idx, line", "duplicate_group_id"),
    "participants": (None, None, None),
    "digigram": ("person_id, stage",
                 "CASE WHEN stage = 'post' THEN -epoch(assessed_on) ELSE epoch(assessed_on) END, file_idx, line",
                 "repeated_test"),
    "waitlist": ("hub_id, month", "file_idx, line", "duplicate_month"),
    "partners": ("partner_id", "file_idx, line", "duplicate_partner"),
    "targets": ("programme, region_code, period, indicator", "file_idx, line", "duplicate_target"),
}

KEY_DETAIL = {
    "duplicate_hub_id": "hub_id: registered again with different details (first row kept)",
    "duplicate_group_id": "group_id: listed again with different details (first row kept)",
    "repeated_test": "test: the person has another test at this stage (first before / last after kept)",
    "duplicate_month": "month: the centre has another count for this month (first row kept)",
    "duplicate_partner": "partner: listed again (first row kept)",
    "duplicate_target": "target: set again for this programme, region, period and indicator (first row kept)",
}


def resolve_sql(kind: str) -> str:
    """Every staged row with its final status: `duplicate`, `quarantined` (with reason) or `clean`."""
    key, order, reason = KEYS[kind]
    keyed = (
        f"CASE WHEN dup OR reason IS NOT NULL THEN NULL ELSE row_number() OVER "
        f"(PARTITION BY dup OR reason IS NOT NULL, {key} ORDER BY {order}) END"
        if key else "NULL"
    )
    detail = KEY_DETAIL.get(reason, "")
    return f"""
    CREATE OR REPLACE TABLE resolved_{kind} AS
    WITH hashed AS (
        SELECT *, row_number() OVER (PARTITION BY row_hash ORDER BY file_idx, line) > 1 AS dup
        FROM stage_{kind}
    ), keyed AS (
        SELECT *, {keyed} AS key_rank FROM hashed
    )
    SELECT * REPLACE (
        CASE WHEN NOT dup AND reason IS NULL AND key_rank > 1 THEN '{reason}' ELSE reason END AS reason,
        CASE WHEN NOT dup AND reason IS NULL AND key_rank > 1 THEN '{detail}' ELSE detail END AS detail),
        CASE WHEN dup THEN 'duplicate'
             WHEN reason IS NOT NULL OR coalesce(key_rank, 1) > 1 THEN 'quarantined'
             ELSE 'clean' END AS fate
    FROM keyed
    """


def ok(kind: str) -> str:
    return f"(SELECT * FROM resolved_{kind} WHERE fate = 'clean')"


_ORD = "date_diff('day', DATE '1970-01-01', activity_date)::BIGINT * 1000000000000 + file_idx::BIGINT * 1000000000 + line"

TABLE_SQL = {
    "hubs": f"""
        SELECT hub_id, programme, name, institution_type,
               institution_type IN ('public_library', 'library_branch') AS is_library,
               region_code, hromada, settlement, settlement_type, lat, lon, placed, unplaced_reason,
               joined_on::TIMESTAMP_MS AS joined_on, status, coordinator_trained
        FROM {ok('hubs')} ORDER BY hub_id""",
    "trainings": f"""
        SELECT group_id, programme, level, region_code, start_date::TIMESTAMP_MS AS start_date,
               end_date::TIMESTAMP_MS AS end_date, enrolled, completed, phase
        FROM {ok('trainings')} ORDER BY group_id""",
    "activities": f"""
        SELECT row_hash AS activity_id, person_id, hub_id, region_code, programme,
               activity_date::TIMESTAMP_MS AS activity_date, course, topic, format
        FROM {ok('participants')} ORDER BY activity_id""",
    # Segment fields come from the person's first activity; a field left blank there is taken
    # from the next activity that has it.
    "participants": f"""
        WITH a AS (SELECT *, {_ORD} AS ord FROM {ok('participants')})
        SELECT person_id,
               arg_min(hub_id, ord) AS hub_id, arg_min(region_code, ord) AS region_code,
               arg_min(programme, ord) AS programme,
               coalesce(arg_min(age_band, ord) FILTER (WHERE age_band <> 'unknown'), 'unknown') AS age_band,
               coalesce(arg_min(gender, ord) FILTER (WHERE gender <> 'unknown'), 'unknown') AS gender,
               coalesce(arg_min(settlement_type, ord) FILTER (WHERE settlement_type <> 'unknown'), 'unknown')
                   AS settlement_type,
               coalesce(arg_min(employment, ord) FILTER (WHERE employment <> 'unknown'), 'unknown') AS employment,
               coalesce(arg_min(disability, ord) FILTER (WHERE disability <> 'unknown'), 'unknown') AS disability,
               coalesce(arg_min(displaced, ord) FILTER (WHERE displaced <> 'unknown'), 'unknown') AS displaced,
               min(activity_date)::TIMESTAMP_MS AS first_activity_on,
               max(activity_date)::TIMESTAMP_MS AS last_activity_on,
               count(*) AS activities
        FROM a GROUP BY person_id ORDER BY person_id""",
    # Before = the rating given at the person's first activity (none if left blank there: the
    # `_null` form keeps a blank, where arg_min would take the next rating given); after = the last
    # rating given at the end of an activity. Both stream (an ordered `first(… ORDER BY …)` holds
    # every row of the group in memory).
    "assessments": f"""
        WITH a AS (SELECT *, {_ORD} AS ord FROM {ok('participants')}),
        pre AS (
            SELECT person_id, arg_min_null(rating_pre, ord) AS score,
                   arg_min_null(activity_date, ord) AS assessed_on,
                   arg_min_null(hub_id, ord) AS hub_id, arg_min_null(region_code, ord) AS region_code,
                   arg_min_null(programme, ord) AS programme
            FROM a GROUP BY person_id),
        post AS (
            SELECT person_id, arg_max(rating_post, ord) AS score, arg_max(activity_date, ord) AS assessed_on,
                   arg_max(hub_id, ord) AS hub_id, arg_max(region_code, ord) AS region_code,
                   arg_max(programme, ord) AS programme
            FROM a WHERE rating_post IS NOT NULL GROUP BY person_id),
        dg AS (
            UNPIVOT (SELECT person_id, stage, assessed_on, hub_id, region_code, programme,
                            overall, basics, information, communication, content, safety, problem_solving
                     FROM {ok('digigram')})
            ON overall, basics, information, communication, content, safety, problem_solving
            INTO NAME area VALUE score)
        SELECT person_id, instrument, stage, area, score::DOUBLE AS score,
               assessed_on::TIMESTAMP_MS AS assessed_on, hub_id, region_code, programme
        FROM (
            SELECT *, 'self_rating' AS instrument, 'pre' AS stage, 'overall' AS area FROM pre WHERE score IS NOT NULL
            UNION ALL BY NAME
            SELECT *, 'self_rating' AS instrument, 'post' AS stage, 'overall' AS area FROM post
            UNION ALL BY NAME
            SELECT *, 'digigram' AS instrument FROM dg)
        ORDER BY person_id, instrument, stage, area""",
    "waitlist": f"""
        SELECT hub_id, programme, region_code, month::TIMESTAMP_MS AS month, waiting
        FROM {ok('waitlist')} ORDER BY hub_id, month""",
    "partners": f"""
        SELECT partner_id, programme, partner, partner_type,
               agreement_date::TIMESTAMP_MS AS agreement_date, staff_trained
        FROM {ok('partners')} ORDER BY partner_id""",
    "targets": f"""
        SELECT programme, region_code, period, indicator, target, source
        FROM {ok('targets')} ORDER BY programme, region_code NULLS FIRST, period, indicator""",
}

# The date column that says how recent each kind's rows are (for the report's extract date).
EXTRACT_DATE = {
    "hubs": "joined_on", "trainings": "coalesce(end_date, start_date)",
    "participants": "greatest(activity_date, coalesce(submitted_on, activity_date))",
    "digigram": "assessed_on", "waitlist": "month", "partners": "agreement_date",
    "targets": "NULL::DATE",  # a plan says nothing of how recent the data is
}


def report_sql(kind: str) -> str:
    """Per source file: rows in, clean, quarantined, duplicates and the newest clean date."""
    return f"""
        SELECT source_file, count(*) AS rows_in,
               count(*) FILTER (WHERE fate = 'clean') AS cleaned,
               count(*) FILTER (WHERE fate = 'quarantined') AS quarantined,
               count(*) FILTER (WHERE fate = 'duplicate') AS duplicates,
               max({EXTRACT_DATE[kind]}) FILTER (WHERE fate = 'clean') AS extract_date
        FROM resolved_{kind} GROUP BY source_file ORDER BY source_file"""


def reasons_sql(kind: str) -> str:
    return f"""
        SELECT source_file, reason, count(*) AS n FROM resolved_{kind}
        WHERE fate = 'quarantined' GROUP BY ALL ORDER BY ALL"""


# The cleaned table each raw kind feeds, as named in a quarantine record.
TABLE_OF = {"hubs": "hubs", "trainings": "trainings", "participants": "activities",
            "digigram": "assessments", "waitlist": "waitlist", "partners": "partners",
            "targets": "targets"}


def quarantine_sql(kind: str) -> str:
    return f"""
        SELECT source_file, line::BIGINT AS line, '{TABLE_OF[kind]}' AS "table", reason,
               coalesce(detail, reason) AS detail, raw
        FROM resolved_{kind} WHERE fate = 'quarantined'"""
