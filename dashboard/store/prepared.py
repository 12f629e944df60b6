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

A copy is checked before it is used: its `.complete` marker lists every file with its size, so a
truncated or deleted part is found (`intact`) and the copy is rebuilt (`repair`); a copy that
still fails when read is rebuilt once more, then replaced by tables in memory. `stamp` summarises
the copy and its stored answers for the data version (store.database.data_version).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from dashboard.filters import SEGMENTS
from dashboard.store.versions import LOCK_FILE, abandoned, hold

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
_BUILD = ".build-"  # scratch folders of copies being written
# How often one connection rebuilds copies that fail when read, before it keeps them in memory.
MAX_REPAIRS = 2

log = logging.getLogger(__name__)


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


def intact(target: Path) -> bool:
    """Whether the copy in `target` is whole: its marker is there and every file it lists has the
    size it was written with (a marker of the older format, without the list: every table has a
    folder of files)."""
    try:
        lines = (target / _DONE).read_text(encoding="utf-8").splitlines()[1:]
        if not lines:
            return all(any((target / name).glob("part-*.parquet")) for name in TABLES)
        for line in lines:
            name, _sep, size = line.rpartition(" ")
            if (target / name).stat().st_size != int(size):
                return False
    except (OSError, ValueError):
        return False
    return True


def readable(con: duckdb.DuckDBPyConnection, target: Path) -> bool:
    """Whether every file of the copy in `target` reads to its end (every column of every row):
    finds damage that leaves a file's size as it was. Reads the whole copy: for faults only."""
    for name in TABLES:
        for path in sorted((target / name).glob("*.parquet")):
            try:
                con.execute(f"SELECT sum(hash(t)) FROM read_parquet('{_quoted(path)}') t").fetchone()
            except duckdb.Error:
                return False
    return True


def _manifest(scratch: Path) -> str:
    files = sorted(p for name in TABLES for p in (scratch / name).glob("*.parquet"))
    return "".join(f"{p.relative_to(scratch).as_posix()} {p.stat().st_size}\n" for p in files)


def discard(target: Path) -> None:
    """Remove a copy (renamed aside first, so no reader finds half of it under its name)."""
    aside = target.with_name(f"{_BUILD}discarded-{target.name}-{os.getpid()}-{time.monotonic_ns()}")
    try:
        target.rename(aside)
    except OSError:
        return  # gone already, or taken away by another process
    shutil.rmtree(aside, ignore_errors=True)


def ensure(con: duckdb.DuckDBPyConnection, folder: Path) -> Path | None:
    """Make sure the copies for `folder`'s current files exist and are whole; returns their
    folder, or None when the extract folder cannot be written (the caller then builds them in
    memory).

    `con` must have the source tables as views named src_participants, src_activities and
    src_assessments. Written to a temporary folder and renamed into place, so a reader never sees
    half a copy; two processes preparing at once both succeed (the second keeps the first's). A
    copy whose files were damaged or removed since (`intact`) is written again.
    """
    target = location(folder)
    if _complete(target):
        if intact(target):
            return target
        log.warning("query-ready copy %s is damaged or incomplete: rebuilding it", target)
        discard(target)
    root = target.parent
    try:
        root.mkdir(exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=_BUILD, dir=root))
    except OSError:
        return None
    lock = None
    try:
        lock = hold(scratch)
        for name in TABLES:
            _write_parts(con, name, scratch / name)
        (scratch / _DONE).write_text(f"format {FORMAT}\n{_manifest(scratch)}", encoding="utf-8")
        lock.close()  # the lock file stays out of the copy (a swept folder is an old one: GRACE_SECONDS)
        lock = None
        (scratch / LOCK_FILE).unlink()
        scratch.chmod(0o755)  # mkdtemp makes it private; replicas may run as another user
        try:
            scratch.rename(target)
        except OSError:
            if not _complete(target):  # not a race lost to another process: a real failure
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if lock is not None:
            lock.close()
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
    return _point(con, folder, _prepare(con, folder))


def repair(con: duckdb.DuckDBPyConnection, folder: Path, damaged: bool, in_memory: bool = False) -> Path | None:
    """Point the views of `con` (set up by `attach`) at whole copies again, after a statement
    failed on them: `damaged` copies are removed and written anew (a copy rebuilt by another
    process meanwhile is kept); with `in_memory`, or when no copy can be written, the tables are
    built in memory from the cleaned files. Returns the root of the stored answers, as `attach`."""
    if in_memory:
        return _point(con, folder, None)
    target = location(folder)
    if damaged and _complete(target):
        log.warning("query-ready copy %s failed when read: rebuilding it", target)
        discard(target)
    return _point(con, folder, _prepare(con, folder))


def marker(folder: Path) -> tuple[int, int] | None:
    """Identity of the current copy of `folder` (its marker's inode and mtime): it changes when
    the copy is written again. None when there is no whole copy."""
    try:
        st = (location(folder) / _DONE).stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def _prepare(con: duckdb.DuckDBPyConnection, folder: Path) -> Path | None:
    try:
        return ensure(con, folder)
    except (OSError, duckdb.IOException) as exc:  # a full or failing disk: the copies go in memory
        log.warning("query-ready copy of %s could not be written (%s): building it in memory", folder, exc)
        return None


def _point(con: duckdb.DuckDBPyConnection, folder: Path, where: Path | None) -> Path | None:
    for name in TABLES:
        if where is None:
            con.execute(f"CREATE OR REPLACE TABLE query_{name} AS {table_sql(name)}")
        source = f"query_{name}" if where is None else files(where, name)
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {source}")
    return None if where is None else where / ANSWERS_DIR


def stamp(folder: Path) -> str:
    """A short hash of the current copy of `folder` as it is on disk: each file's name, size and
    mtime, and the folders of stored answers. It changes when a copy is damaged, removed, written
    again or given new answers (store.database.data_version includes it)."""
    target = location(folder)
    try:
        st = (target / _DONE).stat()
    except OSError:
        return "none"
    parts = [f"{target.name}:{st.st_ino}:{st.st_mtime_ns}"]
    for sub in (*TABLES, ANSWERS_DIR):
        try:
            with os.scandir(target / sub) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    es = entry.stat()
                    parts.append(f"{sub}/{entry.name}:{es.st_size if sub != ANSWERS_DIR else ''}:{es.st_mtime_ns}")
        except OSError:
            parts.append(f"{sub}:absent")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _drop_stale(root: Path, keep: str) -> None:
    """Remove copies of earlier versions of the extract, and the scratch folders of builds that
    died (best effort)."""
    for path in root.iterdir():
        if path.name == keep:
            continue
        if path.name.startswith(_BUILD):
            if abandoned(path):
                shutil.rmtree(path, ignore_errors=True)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
