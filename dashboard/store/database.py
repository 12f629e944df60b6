"""Store layer: the one door to data — a DuckDB connection over the cleaned extract, answers stored or live.

A connection reads one version of the extract to its end: when the extract folder is a link to a
version folder (store.versions.publish), it reads the version it found when it was opened, which
the next publication keeps. What the files derived from the extract lose is made again: a
query-ready copy that is damaged or removed is rebuilt (or kept in memory), an unreadable stored
answer is computed live, and an unreadable table that only one page reads (the quarantine) is an
empty view recorded in `Database.faults`, so that only that page says so. The details of every
such fault go to the server log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import contract
from dashboard.store import prepared, versions

# Without these the app cannot say anything; the other tables may be absent (empty views).
CORE_TABLES = ("regions", "hubs", "participants", "activities")
REPORT_FILE = "report.json"
QUARANTINE_TABLE = "quarantine"
# Tables that only one page reads: unreadable, they leave the rest of the app working (an empty
# view, named in Database.faults) and that page says so.
ISOLATED_TABLES = (QUARANTINE_TABLE,)
# Two cores on the target machine: let one query use both, requests queue on the lock anyway.
DUCKDB_THREADS = 2
# Attempts of one statement: the first, then once after each repair of the files it read.
ATTEMPTS = 3
# Errors of the statement itself or of the machine, never of the files it reads: no repair is tried.
NOT_FILE_ERRORS = (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException,
                   duckdb.OutOfMemoryException, duckdb.InterruptException)

log = logging.getLogger(__name__)


class DataUnavailable(Exception):
    """The cleaned-extract folder is missing, incomplete or unreadable."""

    def __init__(self, folder: Path, problem: str, missing: Sequence[str] = (), unreadable: Sequence[str] = ()):
        super().__init__(f"{folder}: {problem}")
        self.folder = folder
        self.problem = problem
        self.missing = tuple(missing)
        self.unreadable = tuple(unreadable)  # tables whose file could not be read


class Database:
    """A DuckDB connection with one view per cleaned table of `folder` (the contract's names).

    With `record=True` (dashboard.warm), every statement's result is also stored as its answer;
    the switch belongs to this instance only, so no other connection of the process records.
    """

    def __init__(self, folder: Path, record: bool = False, memory_limit: str | None = None,
                 spill: Path | None = None):
        """`memory_limit` (DuckDB's, e.g. "3GB") bounds the connection's memory, with larger work
        spilled to the folder `spill` (a batch job such as a release build; pages keep DuckDB's default)."""
        self.folder = Path(folder)
        self.record = record
        if not _present(self.folder):
            raise DataUnavailable(self.folder, "folder not found", CORE_TABLES)
        # The version folder the extract folder names now: this connection reads it to its end.
        self.root = _root(self.folder)
        missing = [t for t in CORE_TABLES if not (self.root / f"{t}.parquet").is_file()]
        if missing:
            raise DataUnavailable(self.folder, "tables missing", missing)
        self.faults: dict[str, str] = {}  # unreadable tables of ISOLATED_TABLES -> the problem
        self._lock = threading.Lock()
        self._answers: Path | None = None
        self._swept = False  # stale answer folders removed (once, before the first answer is written)
        # Taken before any table is read: answers stored by this connection are filed under the
        # files it opened, and it reads only the answers stored for exactly those files.
        self._version = answers_fingerprint(self.root)
        config = {"threads": DUCKDB_THREADS}
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        if spill is not None:
            config["temp_directory"] = str(spill)
        self._con = duckdb.connect(":memory:", config=config)
        self._con.execute("SET enable_progress_bar = false")  # long statements (a release) print nothing
        try:
            for name in (*contract.TABLES, QUARANTINE_TABLE):
                self._view(name)
            for name in CORE_TABLES:
                self._con.execute(f"SELECT count(*) FROM {name}").fetchone()
            self._use(prepared.attach(self._con, self.root))
        except duckdb.Error as exc:
            self._con.close()
            log.warning("the extract in %s could not be read: %s", self.folder, exc)
            raise DataUnavailable(self.folder, f"unreadable extract ({type(exc).__name__})") from exc
        except DataUnavailable:
            self._con.close()
            raise
        self._repairs = 0
        self._marker = prepared.marker(self.root)

    def _use(self, answers: Path | None) -> None:
        self._on_disk = answers is not None  # the query-ready copies are files (not in memory)
        self._answers = None if answers is None else answers / self._version

    def _view(self, name: str) -> None:
        path = self.root / f"{name}.parquet"
        if path.is_file():
            try:
                self._with_new_columns(name, self._con.read_parquet(str(path))).create_view(name)
                return
            except duckdb.Error as exc:
                if name not in ISOLATED_TABLES:
                    log.warning("cleaned table %s could not be read: %s", path, exc)
                    raise DataUnavailable(self.folder, f"unreadable extract ({type(exc).__name__})",
                                          unreadable=(name,)) from exc
                self._isolate(name, exc)
        self._empty_view(name)

    def _with_new_columns(self, name: str, table: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
        """The table with any optional column that the contract added after it was cleaned, empty
        (an extract cleaned by an earlier version reads on; a missing required column does not)."""
        if name not in contract.TABLES:
            return table
        missing = [c for c in contract.TABLES[name].columns if c.name not in table.columns]
        if not missing:
            return table
        required = [c.name for c in missing if not c.nullable]
        if required:
            raise DataUnavailable(self.folder, f"{name} has no {', '.join(required)}: cleaned by an earlier "
                                  "version; run python -m dashboard.clean again", unreadable=(name,))
        types = self._con.from_df(pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in missing})).types
        return table.project(", ".join(["*", *(f'NULL::{t} AS "{c.name}"' for c, t in zip(missing, types))]))

    def _empty_view(self, name: str) -> None:
        """The table as an empty view with the contract's columns (absent, or unreadable and isolated)."""
        columns = contract.TABLES[name].columns if name in contract.TABLES else contract.QUARANTINE_COLUMNS
        empty = pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in columns})
        self._con.from_df(empty).create_view(name, replace=True)

    def _isolate(self, name: str, exc: Exception) -> None:
        """An unreadable table that one page reads: recorded, and an empty view in its place."""
        log.warning("cleaned table %s could not be read; the pages that need it say so: %s",
                    self.root / f"{name}.parquet", exc)
        self.faults[name] = type(exc).__name__

    def execute(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """Run one statement with bound parameters and return the (small) result frame.

        A statement answered at cleaning time (dashboard.warm) is read from its stored answer;
        with `record` on, answers are stored as they are computed. Answers are filed under a
        fingerprint of every cleaned table (`answers_fingerprint`), so a statement is answered
        from storage only over the very files it was stored from. An answer that cannot be read
        (removed meanwhile by a newer extract's warm-up, or damaged)
        is computed live instead. A statement that fails on a damaged or missing query-ready
        copy runs again after the copy is rebuilt (`_repair`).
        """
        with self._lock:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    return self._run(sql, list(params))
                except duckdb.Error as exc:
                    if attempt == ATTEMPTS or not self._repair(exc):
                        raise

    def _run(self, sql: str, params: list[object]) -> pd.DataFrame:
        path = self._answers / f"{answer_key(sql, params)}.parquet" if self._answers else None
        if path is not None and path.is_file():
            try:
                return self._con.execute(f"SELECT * FROM read_parquet('{_quoted(path)}')").df()
            except duckdb.Error:  # gone or damaged: the live result is never wrong
                pass
        if path is not None and self.record:
            if not self._swept:
                drop_stale_answers(path.parent)
                self._swept = True
            _write_answer(self._con, sql, params, path)
        return self._con.execute(sql, params).df()

    def _repair(self, exc: duckdb.Error) -> bool:
        """Make the files a failed statement read whole again; whether it is worth running again.

        A table of ISOLATED_TABLES named in the error becomes an empty view (and a fault); a
        query-ready copy named in it (or, for an error that names no file, found unreadable) is
        rebuilt, or, when another process rebuilt it meanwhile, used as it is now; after
        MAX_REPAIRS rebuilds the copies are kept in memory. A failure of anything else (a cleaned
        table, a version folder removed, the statement itself) is not repaired here.
        """
        if isinstance(exc, NOT_FILE_ERRORS):
            return False
        text = str(exc)
        named = str(self.root) in text  # most errors of a file name it; some (a garbled footer) do not
        for name in ISOLATED_TABLES:
            path = self.root / f"{name}.parquet"
            if name not in self.faults and (str(path) in text or (not named and not _reads(self._con, path))):
                self._isolate(name, exc)
                self._empty_view(name)
                return True
        if not self._on_disk or not self.root.is_dir():
            return False
        if str(self.root / prepared.QUERY_DIR) not in text:
            if named or prepared.readable(self._con, prepared.location(self.root)):
                return False  # another file of the extract, or not a file at all
        now = prepared.marker(self.root)
        rebuilt_elsewhere = now is not None and now != self._marker
        self._repairs += 1
        in_memory = self._repairs > prepared.MAX_REPAIRS
        log.warning("a query-ready copy of %s failed (%s); %s", self.root, text.splitlines()[0][:300],
                    "building the tables in memory" if in_memory else
                    "using the copy rebuilt meanwhile" if rebuilt_elsewhere else "rebuilding it")
        try:
            self._use(prepared.repair(self._con, self.root, damaged=not rebuilt_elsewhere, in_memory=in_memory))
        except duckdb.Error as again:
            log.warning("the query-ready copy of %s could not be rebuilt: %s", self.root, again)
            return False
        self._marker = prepared.marker(self.root)
        return True

    def keep(self, name: str, sql: str, params: Sequence[object] = (), append: bool = False) -> None:
        """Keep the result of `sql` as the connection's temporary table `name` (replaced, or with
        `append` added to), for a batch job that builds a result in parts (a release's counts, a
        bucket of people at a time); spilled to the `spill` folder when it outgrows `memory_limit`.
        Never stored as an answer."""
        if not name.isidentifier():
            raise ValueError(f"not a table name: {name!r}")
        head = f"INSERT INTO {name} " if append else f"CREATE OR REPLACE TEMP TABLE {name} AS "
        with self._lock:
            self._con.execute(head + sql, list(params))

    @property
    def answers(self) -> Path | None:
        """The folder of this connection's stored answers (None when the tables are in memory)."""
        return self._answers

    def close(self) -> None:
        """Close the connection (tests and command-line use)."""
        self._con.close()


def _reads(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Whether the Parquet file at `path` reads to its end (absent counts as readable: an
    absent optional table is an empty view)."""
    if not path.is_file():
        return True
    try:
        con.execute(f"SELECT sum(hash(t)) FROM read_parquet('{_quoted(path)}') t").fetchone()
    except duckdb.Error:
        return False
    return True


def answer_key(sql: str, params: Sequence[object]) -> str:
    """The name of a statement's stored answer: a hash of its text and its typed parameters."""
    typed = json.dumps([[type(p).__name__, p] for p in params], default=str, ensure_ascii=False)
    return hashlib.sha256(f"{sql}\0{typed}".encode()).hexdigest()[:32]


def answers_fingerprint(folder: Path) -> str:
    """The name of the folder of stored answers for the extract's current files.

    A statement may read any cleaned table (hubs, trainings, regions, waitlist, partners,
    quarantine as well as the people tables), and which ones is written only in its SQL. So an
    answer is keyed on ALL of them: a hash of the name, size and mtime of every cleaned table
    and of report.json (`data_version` without the derived files). Rewriting any one file gives
    new, empty answers (the statement then runs live) instead of a stale figure. The query-ready
    copies' own fingerprint (prepared.fingerprint) covers only the people tables and is not
    enough here.
    """
    return hashlib.sha256(_files_version(_root(Path(folder))).encode()).hexdigest()[:16]


def drop_stale_answers(keep: Path) -> None:
    """Remove the answers stored for earlier versions of the extract: every sibling of the
    folder `keep` (and loose answer files of the older flat layout), best effort."""
    root = keep.parent
    if not root.is_dir():
        return
    for path in root.iterdir():
        if path.name == keep.name:
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _write_answer(con: duckdb.DuckDBPyConnection, sql: str, params: list[object], path: Path) -> None:
    """Store a statement's result next to the query-ready tables (temporary file, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    con.execute(f"COPY ({sql}) TO '{_quoted(scratch)}' (FORMAT parquet)", params)
    scratch.replace(path)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def data_version(folder: Path) -> str:
    """A fingerprint of the extract as the app reads it: the cleaned files (name, size, mtime of
    every cleaned table and of report.json), the version folder the extract folder links to, and
    the query-ready copies with their stored answers (prepared.stamp). It changes when the
    pipeline, or anyone, rewrites, damages or removes any of them, so nothing cached on an
    earlier state is served."""
    folder = Path(folder)
    if not _present(folder):
        return "missing"
    root = _root(folder)
    at = f"|at={root.name}" if root != folder else ""
    return f"{_files_version(root)}{at}|query={prepared.stamp(root)}"


def _files_version(folder: Path) -> str:
    if not folder.is_dir():
        return "missing"
    parts = []
    for path in sorted(folder.glob("*.parquet")) + [folder / REPORT_FILE]:
        if path.is_file():
            st = path.stat()
            parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts) or "empty"


def _present(folder: Path) -> bool:
    """Whether the extract folder is there, after undoing a publication that stopped half-way
    (store.versions.recover: a no-op unless one did). The app's start, and each of its runs,
    come through here (data_version, Database) before they read anything."""
    if folder.is_dir():
        return True
    try:
        versions.recover(folder)
    except OSError as exc:
        log.warning("could not recover the extract folder %s: %s", folder, exc)
    return folder.is_dir()


def _root(folder: Path) -> Path:
    """The folder the files are read from: the version folder a linked extract folder names."""
    return folder.resolve() if folder.is_symlink() else folder


def load_report(folder: Path) -> dict:
    """The pipeline's run report (`report.json`) as a dict; {} when absent or unreadable."""
    path = Path(folder) / REPORT_FILE
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report if isinstance(report, dict) else {}
