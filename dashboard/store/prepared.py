"""Query-ready copies of the people tables: written once per extract, read by every query.

The cleaned tables keep the contract's shape (string ids, timestamps, one fact per table). The
dashboard's queries all count distinct people over activities in a period, a region and a
demographic segment, so they read copies built for that, in `<extract>/_query/<fingerprint>/`:

- ids of people and activities are their 64-bit DuckDB hash (UBIGINT): distinct counts and joins
  run on integers instead of 16-character strings. `query.record_key` reads the cell key from the
  stored hash, so every cell keeps exactly the noise it had over the string ids. Two of three
  million ids sharing a hash has a chance of about one in ten million.
- activities carry their person's segment columns (age band, gender, …): a segment filter needs
  no join to participants;
- dates are DATE, and each table is written one file per programme and region, sorted by date
  within it, so a region filter skips the other files and a period filter the row groups outside
  it (DuckDB's min/max statistics); writing a region at a time also keeps the join and the sort
  within the pipeline's memory limit at ten million people.

The copies are written at cleaning time (`python -m dashboard.clean` calls `ensure`) and again by
the first process that opens an extract whose files changed since (the fingerprint covers the
source files, this module's format and the DuckDB version). Where the extract folder cannot be
written, the same tables are built in memory instead. Either way the tables are derived by the
SQL below from the cleaned files alone: nothing here is a second source of truth.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import duckdb

from dashboard.filters import SEGMENTS

QUERY_DIR = "_query"
# Inside a copy's folder: statements answered at cleaning time (dashboard.warm), one subfolder
# per version of the WHOLE extract (store.database.answers_fingerprint): this copy's fingerprint
# covers only the people tables, but a statement may read any cleaned table.
ANSWERS_DIR = "answers"
# Bump when the SQL below changes: older copies are then rebuilt.
FORMAT = 2
# Columns that hold a 64-bit hash of the contract's string id in the query-ready tables.
HASHED_IDS = ("person_id", "activity_id")
SOURCES = ("participants", "activities", "assessments")
_SEGMENT_COLUMNS = [column for column, _vocab in SEGMENTS.values()]
_ROW_GROUP = 61_440  # rows per Parquet row group: the unit a filter can skip
_DONE = ".complete"


def _activities_sql() -> str:
    segments = ", ".join(f"p.{c}" for c in _SEGMENT_COLUMNS)
    return (
        "SELECT hash(a.activity_id) AS activity_id, hash(a.person_id) AS person_id, a.hub_id, a.region_code,"
        " a.programme, CAST(a.activity_date AS DATE) AS activity_date, a.course, a.topic, a.format,"
        f" {segments} FROM src_activities a LEFT JOIN src_participants p ON p.person_id = a.person_id"
    )


# Each table: its rows, and their order within one programme and region. The copies are written
# one programme and region at a time (a file each), so that neither the join nor the sort ever
# holds a national table: ten million people clean within the pipeline's memory limit.
TABLES: dict[str, tuple[str, str]] = {
    "participants": ("SELECT * REPLACE (hash(person_id) AS person_id) FROM src_participants", "person_id"),
    "activities": (_activities_sql(), "activity_date, activity_id"),
    "assessments": ("SELECT * REPLACE (hash(person_id) AS person_id) FROM src_assessments",
                    "instrument, area, person_id, stage"),
}


def table_sql(name: str) -> str:
    """The whole query-ready table `name`, sorted by programme, region and its own order."""
    rows, order = TABLES[name]
    return f"{rows} ORDER BY programme, region_code, {order}"


def _part_sql(name: str) -> str:
    """One programme and region of the table (two parameters; NULL matches NULL)."""
    rows, order = TABLES[name]
    return (f"SELECT * FROM ({rows}) WHERE programme IS NOT DISTINCT FROM ? AND region_code IS NOT DISTINCT FROM ?"
            f" ORDER BY {order}")


def fingerprint(folder: Path) -> str:
    """A short hash of the source files (name, size, mtime), FORMAT and the DuckDB version.

    It names the query-ready copies, which are built from the people tables alone; it does NOT
    cover the other cleaned tables (hubs, trainings, regions, …), so it must not key anything
    derived from them: stored answers are keyed by store.database.answers_fingerprint instead.
    """
    parts = [f"format={FORMAT}", f"duckdb={duckdb.__version__}"]
    for name in SOURCES:
        path = Path(folder) / f"{name}.parquet"
        if path.is_file():
            st = path.stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        else:
            parts.append(f"{name}:absent")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def location(folder: Path) -> Path:
    """Where the query-ready copies of `folder`'s current files live (existing or not)."""
    return Path(folder) / QUERY_DIR / fingerprint(folder)


def is_ready(folder: Path) -> bool:
    return _complete(location(folder))


def _complete(target: Path) -> bool:
    return (target / _DONE).is_file()


def ensure(con: duckdb.DuckDBPyConnection, folder: Path) -> Path | None:
    """Make sure the copies for `folder`'s current files exist; returns their folder, or None
    when the extract folder cannot be written (the caller then builds them in memory).

    `con` must have the source tables as views named src_participants, src_activities and
    src_assessments. Written to a temporary folder and renamed into place, so a reader never sees
    half a copy; two processes preparing at once both succeed (the second keeps the first's).
    """
    target = location(folder)
    if _complete(target):
        return target
    root = target.parent
    try:
        root.mkdir(exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    except OSError:
        return None
    try:
        for name in TABLES:
            _write_parts(con, name, scratch / name)
        (scratch / _DONE).write_text(f"format {FORMAT}\n", encoding="utf-8")
        scratch.chmod(0o755)  # mkdtemp makes it private; replicas may run as another user
        try:
            scratch.rename(target)
        except OSError:
            if not _complete(target):  # not a race lost to another process: a real failure
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _drop_stale(root, keep=target.name)
    return target


def _write_parts(con: duckdb.DuckDBPyConnection, name: str, out: Path) -> None:
    """The table's files in `out`: an empty one that carries the columns, then one per programme
    and region in their order (so a scan of the folder reads the rows sorted)."""
    out.mkdir()
    options = f"(FORMAT parquet, ROW_GROUP_SIZE {_ROW_GROUP})"
    con.execute(f"COPY ({TABLES[name][0]} LIMIT 0) TO '{_quoted(out / 'part-00000.parquet')}' {options}")
    parts = con.execute(f"SELECT DISTINCT programme, region_code FROM src_{name} ORDER BY ALL").fetchall()
    for i, (programme, region) in enumerate(parts, start=1):
        con.execute(f"COPY ({_part_sql(name)}) TO '{_quoted(out / f'part-{i:05d}.parquet')}' {options}",
                    [programme, region])


def files(where: Path, name: str) -> str:
    """SQL that reads the query-ready table `name` from its folder of files."""
    return f"read_parquet('{_quoted(where / name)}/*.parquet')"


def build(con: duckdb.DuckDBPyConnection, folder: Path) -> Path:
    """Write the copies for the cleaned extract in `folder` with `con` (the pipeline's connection,
    with its memory limit and spill folder); returns their folder."""
    for name in SOURCES:
        path = Path(folder) / f"{name}.parquet"
        con.execute(f"CREATE OR REPLACE VIEW src_{name} AS SELECT * FROM read_parquet('{_quoted(path)}')")
    where = ensure(con, folder)
    if where is None:
        raise OSError(f"{folder}: cannot write the query-ready tables")
    return where


def attach(con: duckdb.DuckDBPyConnection, folder: Path) -> Path | None:
    """Point the views `participants`, `activities` and `assessments` of `con` at the query-ready
    tables (written next to the extract, or built in memory when that is impossible); returns
    the root of the stored answers (see dashboard.warm), None in memory. The answers themselves
    live one level down, in a folder per version of the whole extract (Database picks it).

    Before the call those views are the cleaned files themselves (or empty stand-ins); they stay
    reachable as src_participants, src_activities and src_assessments.
    """
    for name in SOURCES:
        con.execute(f"ALTER VIEW {name} RENAME TO src_{name}")
    where = ensure(con, folder)
    if where is None:
        for name in TABLES:
            con.execute(f"CREATE TABLE query_{name} AS {table_sql(name)}")
    for name in TABLES:
        source = f"query_{name}" if where is None else files(where, name)
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM {source}")
    return None if where is None else where / ANSWERS_DIR


def _drop_stale(root: Path, keep: str) -> None:
    """Remove copies of earlier versions of the extract (best effort)."""
    for path in root.iterdir():
        if path.name != keep and not path.name.startswith(".build-"):
            shutil.rmtree(path, ignore_errors=True)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
