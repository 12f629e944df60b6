"""Pipeline layer: SQL that turns staged, normalised rows into the cleaned tables.

Staged rows carry their file, line, salted row hash and first problem. Here DuckDB drops
exact duplicates (the first copy by file and line is kept), quarantines rows that clash on a
table's key, and builds every cleaned table — out of core, so millions of rows fit in bounded
memory. Every statement reads the views `stage_<kind>` created by `pipeline.py`.
"""

from __future__ import annotations

from dashboard.filters import SEGMENTS

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
    """Statements that give every staged row its final status, in the table `resolved_<kind>`:
    `duplicate`, `quarantined` (with reason) or `clean`.

    A row is a duplicate when an earlier row (by file and line) has its row hash, and loses on its
    key when a valid row with the same key comes first in the kind's keep-order. Both are found
    by grouping into small tables of the hashes and keys seen more than once (`repeats_<kind>`,
    `firsts_<kind>`), then one pass over the staged rows joins them. Neither a window over the
    staged rows nor a single statement doing all three: both hold whole staged rows, raw text
    included, and ran out of DuckDB's memory limit (ten million people at 512 MB; a million at
    64 MB), where groupings and joins against small tables stay within it.
    """
    key, order, reason = KEYS[kind]
    dup = f"coalesce({_pos('s')} <> r.first_pos, false)"
    rows = f"stage_{kind} s LEFT JOIN repeats_{kind} r ON s.row_hash = r.row_hash"
    statements = [f"""
    CREATE OR REPLACE TABLE repeats_{kind} AS
    SELECT row_hash, min({_pos()}) AS first_pos FROM stage_{kind} GROUP BY row_hash HAVING count(*) > 1"""]
    if key:
        cols = [c.strip() for c in key.split(",")]
        on = " AND ".join(f"s.{c} IS NOT DISTINCT FROM k.{c}" for c in cols)
        # The keys held by more than one valid row are found by a count (a numeric grouping, which
        # spills); the keep-order is only compared among their rows.
        statements.append(f"""
    CREATE OR REPLACE TABLE firsts_{kind} AS
    WITH valid AS NOT MATERIALIZED (SELECT s.* FROM {rows} WHERE NOT {dup} AND s.reason IS NULL),
    shared AS (SELECT {key} FROM valid GROUP BY ALL HAVING count(*) > 1)
    SELECT {", ".join(f"s.{c}" for c in cols)}, arg_min({_pos('s')}, row({order})) AS first_pos
    FROM valid s SEMI JOIN shared k ON {on} GROUP BY ALL""")
        rows += f" LEFT JOIN firsts_{kind} k ON {on}"
        lost = f"NOT {dup} AND s.reason IS NULL AND coalesce({_pos('s')} <> k.first_pos, false)"
        keep = (f"* EXCLUDE (lost) REPLACE (CASE WHEN lost THEN '{reason}' ELSE reason END AS reason, "
                f"CASE WHEN lost THEN '{KEY_DETAIL[reason]}' ELSE detail END AS detail)")
    else:
        lost, keep = "false", "* EXCLUDE (lost)"
    statements.append(f"""
    CREATE OR REPLACE TABLE resolved_{kind} AS
    SELECT {keep},
           CASE WHEN dup THEN 'duplicate' WHEN reason IS NOT NULL OR lost THEN 'quarantined' ELSE 'clean' END AS fate
    FROM (SELECT s.*, {dup} AS dup, {lost} AS lost FROM {rows})""")
    return ";".join(statements)


def _pos(alias: str = "") -> str:
    """A staged row's position: file, then line (unique per row, and in the order rows were read)."""
    at = f"{alias}." if alias else ""
    return f"({at}file_idx::BIGINT * 4294967296 + {at}line)"


def ok(kind: str) -> str:
    return f"(SELECT * FROM resolved_{kind} WHERE fate = 'clean')"


# The participants' segment columns and their vocabularies (the contract's), in the table's order.
SEGMENT_VOCABULARIES: dict[str, tuple[str, ...]] = dict(SEGMENTS.values())
_NOT_IN_VOCABULARY = 63  # decodes to NULL, which the contract's check then stops


def _first_known(column: str) -> str:
    """The first (by ord) value of `column` other than 'unknown', packed with its ord."""
    vocab = _vocabulary(column)
    return (f"min(ord * 64 + coalesce(list_position({vocab}, {column}), {_NOT_IN_VOCABULARY})) "
            f"FILTER (WHERE {column} <> 'unknown') AS {column}")


def _known_value(column: str) -> str:
    return (f"CASE WHEN f.{column} IS NULL THEN 'unknown' "
            f"ELSE list_extract({_vocabulary(column)}, (f.{column} & 63)::INTEGER) END AS {column}")


def _vocabulary(column: str) -> str:
    return "[" + ", ".join(f"'{v}'" for v in SEGMENT_VOCABULARIES[column]) + "]"


# An activity's place in the order of activities: day, then file, then line. Unique to the row (the
# per-person tables join on it) for up to 100,000 raw files of up to 100,000,000 lines; days count
# from 2000-01-01 (the earliest date a clean row has), so that `ord * 64` stays within BIGINT.
MAX_FILES, MAX_LINE = 99_999, 99_999_999
_ORD = ("date_diff('day', DATE '2000-01-01', activity_date)::BIGINT * 10000000000000"
        " + file_idx::BIGINT * 100000000 + line")

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
    # One row per person, built by PREPARE_SQL (a join and a sort in one statement ran out of
    # DuckDB's memory limit where each on its own stays within it).
    "participants": "SELECT * FROM people ORDER BY person_id",
    # Before = the rating given at the person's first activity (none if left blank there); after =
    # the last rating given at the end of an activity. Each is the row of that activity, found by
    # its `ord` in a numeric grouping and joined back (see participants).
    "assessments": f"""
        WITH a AS NOT MATERIALIZED (
            SELECT person_id, hub_id, region_code, programme, activity_date, rating_pre, rating_post, {_ORD} AS ord
            FROM {ok('participants')}),
        f AS (
            SELECT person_id, min(ord) AS pre, max(ord) FILTER (WHERE rating_post IS NOT NULL) AS post
            FROM a GROUP BY person_id),
        self AS (
            SELECT a.person_id, k.stage, CASE k.stage WHEN 'pre' THEN a.rating_pre ELSE a.rating_post END AS score,
                   a.activity_date AS assessed_on, a.hub_id, a.region_code, a.programme
            FROM (UNPIVOT f ON pre, post INTO NAME stage VALUE ord) k JOIN a ON a.ord = k.ord),
        dg AS (
            UNPIVOT (SELECT person_id, stage, assessed_on, hub_id, region_code, programme,
                            overall, basics, information, communication, content, safety, problem_solving
                     FROM {ok('digigram')})
            ON overall, basics, information, communication, content, safety, problem_solving
            INTO NAME area VALUE score)
        SELECT person_id, instrument, stage, area, score::DOUBLE AS score,
               assessed_on::TIMESTAMP_MS AS assessed_on, hub_id, region_code, programme
        FROM (
            SELECT *, 'self_rating' AS instrument, 'overall' AS area FROM self WHERE score IS NOT NULL
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

# Statements run before a table's TABLE_SQL, each within DuckDB's memory limit on its own.
PREPARE_SQL: dict[str, tuple[str, ...]] = {
    # Segment fields come from the person's first activity; a field left blank there is taken
    # from the next activity that has it. Every per-person grouping below is numeric (DuckDB
    # spills a numeric grouping to disk; `arg_min` over ten million people held its states in
    # memory past the limit): the first activity is found by its `ord` (unique per row) and
    # joined back, and a segment field's first known value travels as `ord * 64 + its place in
    # the vocabulary`, whose low six bits give the value back.
    "participants": (f"""
        CREATE OR REPLACE TABLE people AS
        WITH a AS NOT MATERIALIZED (
            SELECT person_id, hub_id, region_code, programme, activity_date, {", ".join(SEGMENT_VOCABULARIES)},
                   {_ORD} AS ord
            FROM {ok('participants')}),
        f AS (
            SELECT person_id, min(ord) AS first_ord, {", ".join(_first_known(c) for c in SEGMENT_VOCABULARIES)},
                   min(activity_date) AS first_on, max(activity_date) AS last_on, count(*) AS activities
            FROM a GROUP BY person_id)
        SELECT f.person_id, a.hub_id, a.region_code, a.programme,
               {", ".join(_known_value(c) for c in SEGMENT_VOCABULARIES)},
               f.first_on::TIMESTAMP_MS AS first_activity_on, f.last_on::TIMESTAMP_MS AS last_activity_on,
               f.activities
        FROM f JOIN a ON a.ord = f.first_ord""",),
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
