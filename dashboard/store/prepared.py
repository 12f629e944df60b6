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

The extract folder itself (the second half of this module, shared by the pipeline that writes it
and the store that reads it): the folder users name, CLEAN_DIR, is a symbolic link to one
version folder in `.<name>.versions/` next to it. A new extract is published by replacing that
link (one rename), so CLEAN_DIR always names a whole extract, and a reader that opened the
previous version keeps reading it: the previous version is removed only by the next publication.
An extract folder of the older layout (a real folder) is moved into the versions first, under a
journal, so that an interruption between the two renames is undone by `recover` (at the start of
the next run and when the app finds no extract). Scratch folders of runs that died are swept by
the next run (`sweep`): a live run holds a lock on a file in its scratch folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from typing import TextIO
from pathlib import Path

import duckdb

try:  # POSIX: a lock the system releases when its process dies, whatever the cause
    import fcntl
except ImportError:  # pragma: no cover - Windows: the pid in the lock file decides
    fcntl = None  # type: ignore[assignment]

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


# ---- the extract folder: versions, publication, recovery, scratch folders -------------------
# Shared by the pipeline (which publishes a new extract) and the store (which recovers an
# interrupted publication when it finds no extract). See the module's docstring.

VERSIONS_SUFFIX = ".versions"  # `.<name>.versions/` next to the extract folder `<name>`
JOURNAL = "swap.json"  # in the versions folder while an extract folder of the older layout is moved
LOCK_FILE = "run.lock"  # in a scratch folder: held by its live run; its pid for the reader
_SWAP_LOCK = ".lock"  # in the versions folder: held while publishing or recovering
# A scratch folder without a lock file older than this is a dead run's (a live run writes its
# lock within microseconds of creating the folder; runs of older versions wrote none).
GRACE_SECONDS = 60


def rename(src: Path, dst: Path) -> None:
    """Every rename of a publication goes through here (os.replace: atomic, and over an existing
    symbolic link it replaces the link); tests replace it to interrupt a publication."""
    os.replace(src, dst)


def hold(folder: Path) -> TextIO:
    """Mark `folder` as used by this process until the returned file is closed: a lock file with
    the pid, locked (POSIX) so that `abandoned` sees it free the moment the process dies."""
    handle = open(folder / LOCK_FILE, "w", encoding="utf-8")  # noqa: SIM115 - the caller closes it
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # a file system without locks: the pid decides
    return handle


def abandoned(folder: Path, grace: float = GRACE_SECONDS) -> bool:
    """Whether the scratch folder `folder` belongs to no live process (see `hold`)."""
    lock = folder / LOCK_FILE
    try:
        if not lock.is_file():
            return time.time() - folder.stat().st_mtime > grace
        if fcntl is not None:
            with open(lock, "a", encoding="utf-8") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                fcntl.flock(handle, fcntl.LOCK_UN)
                return True
        pid = int(lock.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return False
    return not _alive(pid)


def _alive(pid: int) -> bool:  # pragma: no cover - used where there is no fcntl
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep(parent: Path, prefix: str) -> list[str]:
    """Remove the scratch folders `<parent>/<prefix>*` that no live process holds (runs that were
    killed or failed without cleaning up); returns their names."""
    swept = []
    try:
        candidates = [p for p in Path(parent).iterdir() if p.name.startswith(prefix) and p.is_dir()]
    except OSError:
        return swept
    for path in sorted(candidates):
        if not path.is_symlink() and abandoned(path):
            shutil.rmtree(path, ignore_errors=True)
            swept.append(path.name)
    if swept:
        log.info("removed the scratch folders of dead runs in %s: %s", parent, ", ".join(swept))
    return swept


def versions_dir(clean_dir: Path) -> Path:
    """The folder holding the versions of the extract folder `clean_dir` (next to it, hidden)."""
    clean_dir = Path(clean_dir)
    return clean_dir.parent / f".{clean_dir.name}{VERSIONS_SUFFIX}"


def current_version(clean_dir: Path) -> str | None:
    """The name of the version `clean_dir` links to, when it is one of its versions folder."""
    clean_dir = Path(clean_dir)
    if not clean_dir.is_symlink():
        return None
    target = Path(os.readlink(clean_dir))
    if not target.is_absolute():
        target = clean_dir.parent / target
    store = versions_dir(clean_dir)
    return target.name if os.path.normpath(target.parent) == os.path.normpath(store) else None


@contextlib.contextmanager
def _swap_lock(store: Path) -> Iterator[None]:
    """One publication or recovery at a time for one extract folder (POSIX; best effort)."""
    try:
        handle = open(store / _SWAP_LOCK, "a", encoding="utf-8")  # noqa: SIM115
    except OSError:  # a read-only folder: nothing here will be changed anyway
        yield
        return
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()


def publish(out: Path, clean_dir: Path, name: str | None = None) -> Path:
    """Make the finished extract in `out` the one `clean_dir` names, and return its version folder.

    `out` is moved into the versions folder as version `name`; then `clean_dir`, a symbolic link,
    is pointed at it by replacing the link (one rename: there is always a whole extract at
    `clean_dir`). The version it named before is kept, so that readers that opened it finish on
    it; every older version (and any left by an interrupted run) is removed. An extract folder of
    the older layout (a real folder) is first moved into the versions folder under a journal,
    which `recover` reads if the process stops before the link is in place; a symbolic link that
    points elsewhere is replaced and its target left alone. Where no symbolic link can be made,
    the new version is renamed to `clean_dir` instead (the same journal covers the two renames).
    """
    clean_dir = Path(clean_dir)
    store = versions_dir(clean_dir)
    store.mkdir(exist_ok=True)
    name = name or f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{os.getpid()}-{time.monotonic_ns()}"
    with _swap_lock(store):
        _recover(clean_dir, store)
        for stray in clean_dir.parent.glob(f".{clean_dir.name}.link-*"):
            stray.unlink(missing_ok=True)
        new = store / name
        rename(out, new)  # nothing served changes yet
        previous = current_version(clean_dir)
        moved = None
        if clean_dir.is_dir() and not clean_dir.is_symlink():
            moved = f"{name}-previous"
            (store / JOURNAL).write_text(json.dumps({"moved": moved}), encoding="utf-8")
            previous = moved
        try:
            if moved is not None:
                rename(clean_dir, store / moved)
            served = _link(new, clean_dir)
        except BaseException:
            if moved is not None:
                try:
                    _recover(clean_dir, store)
                except Exception:  # noqa: BLE001 - the first failure is the one to report
                    log.exception("could not undo the interrupted publication of %s: the next run "
                                  "or the app's start undoes it", clean_dir)
            raise
        (store / JOURNAL).unlink(missing_ok=True)
        for old in store.iterdir():
            if old.name not in (name, previous) and not old.name.startswith(".") and old.name != JOURNAL:
                shutil.rmtree(old, ignore_errors=True)
    return served


def _link(new: Path, clean_dir: Path) -> Path:
    """Point `clean_dir` at `new` with one rename; returns where the extract now is."""
    link = clean_dir.parent / f".{clean_dir.name}.link-{os.getpid()}"
    try:
        os.symlink(os.path.relpath(new, clean_dir.parent), link, target_is_directory=True)
    except (OSError, NotImplementedError):  # pragma: no cover - no symbolic links here
        rename(new, clean_dir)
        return clean_dir
    try:
        rename(link, clean_dir)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    return new


def recover(clean_dir: Path) -> bool:
    """Undo a publication that stopped between moving an extract folder of the older layout
    aside and putting the link in its place: the previous extract is put back where it was.
    Called at the start of every run and by the store when it finds no extract; returns whether
    anything was put back. Without a journal (no publication was under way) it changes nothing,
    so a folder removed on purpose stays removed."""
    store = versions_dir(clean_dir)
    if not (store / JOURNAL).is_file():
        return False
    with _swap_lock(store):
        return _recover(Path(clean_dir), store)


def _recover(clean_dir: Path, store: Path) -> bool:
    journal = store / JOURNAL
    try:
        moved = str(json.loads(journal.read_text(encoding="utf-8"))["moved"])
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        moved = ""
    restored = False
    if moved and "/" not in moved and not os.path.lexists(clean_dir) and (store / moved).is_dir():
        rename(store / moved, clean_dir)
        log.warning("an interrupted publication of %s was undone: the previous extract is back", clean_dir)
        restored = True
    if os.path.lexists(clean_dir) or not moved:
        journal.unlink(missing_ok=True)
    return restored
