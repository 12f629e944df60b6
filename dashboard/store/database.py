"""Store layer: the one door to data — a DuckDB connection over the cleaned extract, answers stored or live."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import contract
from dashboard.store import prepared

# Without these the app cannot say anything; the other tables may be absent (empty views).
CORE_TABLES = ("regions", "hubs", "participants", "activities")
REPORT_FILE = "report.json"
QUARANTINE_TABLE = "quarantine"
# Two cores on the target machine: let one query use both, requests queue on the lock anyway.
DUCKDB_THREADS = 2


class DataUnavailable(Exception):
    """The cleaned-extract folder is missing, incomplete or unreadable."""

    def __init__(self, folder: Path, problem: str, missing: Sequence[str] = ()):
        super().__init__(f"{folder}: {problem}")
        self.folder = folder
        self.problem = problem
        self.missing = tuple(missing)


class Database:
    """A DuckDB connection with one view per cleaned table of `folder` (the contract's names).

    With `record=True` (dashboard.warm), every statement's result is also stored as its answer;
    the switch belongs to this instance only, so no other connection of the process records.
    """

    def __init__(self, folder: Path, record: bool = False):
        self.folder = Path(folder)
        self.record = record
        if not self.folder.is_dir():
            raise DataUnavailable(self.folder, "folder not found", CORE_TABLES)
        missing = [t for t in CORE_TABLES if not (self.folder / f"{t}.parquet").is_file()]
        if missing:
            raise DataUnavailable(self.folder, "tables missing", missing)
        self._lock = threading.Lock()
        self._answers: Path | None = None
        self._swept = False  # stale answer folders removed (once, before the first answer is written)
        # Taken before any table is read: answers stored by this connection are filed under the
        # files it opened, and it reads only the answers stored for exactly those files.
        version = answers_fingerprint(self.folder)
        self._con = duckdb.connect(":memory:", config={"threads": DUCKDB_THREADS})
        try:
            for name, table in contract.TABLES.items():
                self._view(name, [(c.name, c.dtype) for c in table.columns])
            self._view(QUARANTINE_TABLE, [(c.name, c.dtype) for c in contract.QUARANTINE_COLUMNS])
            for name in CORE_TABLES:
                self._con.execute(f"SELECT count(*) FROM {name}").fetchone()
            answers = prepared.attach(self._con, self.folder)
            self._answers = None if answers is None else answers / version
        except duckdb.Error as exc:
            self._con.close()
            raise DataUnavailable(self.folder, f"unreadable extract ({type(exc).__name__})") from exc

    def _view(self, name: str, columns: list[tuple[str, str]]) -> None:
        path = self.folder / f"{name}.parquet"
        if path.is_file():
            self._con.read_parquet(str(path)).create_view(name)
        else:
            empty = pd.DataFrame({c: pd.Series(dtype=dtype) for c, dtype in columns})
            self._con.from_df(empty).create_view(name)

    def execute(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """Run one statement with bound parameters and return the (small) result frame.

        A statement answered at cleaning time (dashboard.warm) is read from its stored answer;
        with `record` on, answers are stored as they are computed. Answers are filed under a
        fingerprint of every cleaned table (`answers_fingerprint`), so a statement is answered
        from storage only over the very files it was stored from. An answer that cannot be read
        (removed meanwhile by a newer extract's warm-up, or damaged)
        is computed live instead.
        """
        path = self._answers / f"{answer_key(sql, params)}.parquet" if self._answers else None
        with self._lock:
            if path is not None and path.is_file():
                try:
                    return self._con.execute(f"SELECT * FROM read_parquet('{_quoted(path)}')").df()
                except duckdb.Error:  # gone or damaged: the live result is never wrong
                    pass
            if path is not None and self.record:
                if not self._swept:
                    drop_stale_answers(path.parent)
                    self._swept = True
                _write_answer(self._con, sql, list(params), path)
            return self._con.execute(sql, list(params)).df()

    @property
    def answers(self) -> Path | None:
        """The folder of this connection's stored answers (None when the tables are in memory)."""
        return self._answers

    def close(self) -> None:
        """Close the connection (tests and command-line use)."""
        self._con.close()


def answer_key(sql: str, params: Sequence[object]) -> str:
    """The name of a statement's stored answer: a hash of its text and its typed parameters."""
    typed = json.dumps([[type(p).__name__, p] for p in params], default=str, ensure_ascii=False)
    return hashlib.sha256(f"{sql}\0{typed}".encode()).hexdigest()[:32]


def answers_fingerprint(folder: Path) -> str:
    """The name of the folder of stored answers for the extract's current files.

    A statement may read any cleaned table (hubs, trainings, regions, waitlist, partners,
    quarantine as well as the people tables), and which ones is written only in its SQL. So an
    answer is keyed on ALL of them: a hash of `data_version` (name, size and mtime of every
    cleaned table and of report.json). Rewriting any one file gives new, empty answers (the
    statement then runs live) instead of a stale figure. The query-ready copies' own
    fingerprint (prepared.fingerprint) covers only the people tables and is not enough here.
    """
    return hashlib.sha256(data_version(folder).encode()).hexdigest()[:16]


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
    """A fingerprint of the extract files (name, size, mtime of every cleaned table and of
    report.json): changes when the pipeline, or anyone, rewrites any of them."""
    folder = Path(folder)
    if not folder.is_dir():
        return "missing"
    parts = []
    for path in sorted(folder.glob("*.parquet")) + [folder / REPORT_FILE]:
        if path.is_file():
            st = path.stat()
            parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts) or "empty"


def load_report(folder: Path) -> dict:
    """The pipeline's run report (`report.json`) as a dict; {} when absent or unreadable."""
    path = Path(folder) / REPORT_FILE
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report if isinstance(report, dict) else {}
