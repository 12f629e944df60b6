"""Query layer: the only place SQL runs; DuckDB views over the cleaned Parquet, values always bound."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import contract, prepared
from dashboard.filters import SEGMENTS, Filters

# Without these the app cannot say anything; the other tables may be absent (empty views).
CORE_TABLES = ("regions", "hubs", "participants", "activities")
REPORT_FILE = "report.json"
QUARANTINE_TABLE = "quarantine"
# Two cores on the target machine: let one query use both, requests queue on the lock anyway.
DUCKDB_THREADS = 2
_SEGMENT_COLUMNS = {column for column, _vocab in SEGMENTS.values()}


# Cell keys live in [0, 2^48): privacy.protect reads them as fractions of this modulus.
KEY_MODULUS = 2**48


def record_key(column: str) -> str:
    """SQL of a record's cell key: 48 bits of DuckDB's hash of its id (uniform, fixed for the record).

    privacy.protect perturbs a count of people with the sum of the keys of the people in the
    cell, so the same people always get the same noise, whichever view they are reached from.
    People and activities are held by that hash already (see dashboard.prepared), so their key is
    read from it; other ids (training groups, partners) are hashed here.
    """
    # hash() is several times cheaper than md5 over millions of rows; a DuckDB release that changed
    # it would give every cell a new fixed noise, which is harmless.
    if column.rsplit(".", 1)[-1] in prepared.HASHED_IDS:
        return f"({column} >> 16)::BIGINT"
    return f"(hash({column}) >> 16)::BIGINT"


def key_sum(column: str) -> str:
    """SQL aggregate of the cell key of the distinct records of `column` (pair it with count(DISTINCT)).

    """
    return cell_key(f"sum(DISTINCT {record_key(column)})")


def cell_key(total: str) -> str:
    """SQL that reduces a sum of record keys to the cell key, an integer in [0, 2^48)."""
    return f"(coalesce({total}, 0)::HUGEINT % {KEY_MODULUS})::BIGINT"


class DataUnavailable(Exception):
    """The cleaned-extract folder is missing, incomplete or unreadable."""

    def __init__(self, folder: Path, problem: str, missing: Sequence[str] = ()):
        super().__init__(f"{folder}: {problem}")
        self.folder = folder
        self.problem = problem
        self.missing = tuple(missing)


class Database:
    """A DuckDB connection with one view per cleaned table of `folder` (the contract's names)."""

    # Store each statement's result as its answer (dashboard.warm sets this in its own process).
    record = False

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise DataUnavailable(self.folder, "folder not found", CORE_TABLES)
        missing = [t for t in CORE_TABLES if not (self.folder / f"{t}.parquet").is_file()]
        if missing:
            raise DataUnavailable(self.folder, "tables missing", missing)
        self._lock = threading.Lock()
        self._answers: Path | None = None
        self._con = duckdb.connect(":memory:", config={"threads": DUCKDB_THREADS})
        try:
            for name, table in contract.TABLES.items():
                self._view(name, [(c.name, c.dtype) for c in table.columns])
            self._view(QUARANTINE_TABLE, [(c.name, c.dtype) for c in contract.QUARANTINE_COLUMNS])
            for name in CORE_TABLES:
                self._con.execute(f"SELECT count(*) FROM {name}").fetchone()
            self._answers = prepared.attach(self._con, self.folder)
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
        with `record` on, answers are stored as they are computed.
        """
        path = self._answers / f"{answer_key(sql, params)}.parquet" if self._answers else None
        with self._lock:
            if path is not None and path.is_file():
                return self._con.execute(f"SELECT * FROM read_parquet('{_quoted(path)}')").df()
            if path is not None and self.record:
                _write_answer(self._con, sql, list(params), path)
            return self._con.execute(sql, list(params)).df()

    def close(self) -> None:
        """Close the connection (tests and command-line use)."""
        self._con.close()


def answer_key(sql: str, params: Sequence[object]) -> str:
    """The name of a statement's stored answer: a hash of its text and its typed parameters."""
    typed = json.dumps([[type(p).__name__, p] for p in params], default=str, ensure_ascii=False)
    return hashlib.sha256(f"{sql}\0{typed}".encode()).hexdigest()[:32]


def _write_answer(con: duckdb.DuckDBPyConnection, sql: str, params: list[object], path: Path) -> None:
    """Store a statement's result next to the query-ready tables (temporary file, then renamed)."""
    path.parent.mkdir(exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    con.execute(f"COPY ({sql}) TO '{_quoted(scratch)}' (FORMAT parquet)", params)
    scratch.replace(path)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def data_version(folder: Path) -> str:
    """A fingerprint of the extract files (name, size, mtime): changes when the pipeline rewrites."""
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


def _activity_scope(f: Filters) -> tuple[str, list[object]]:
    """SQL of the activities in the view (programme, period, regions, segment) and its parameters."""
    where = ["a.programme = ?", "CAST(a.activity_date AS DATE) BETWEEN ? AND ?"]
    params: list[object] = [f.programme, f.start, f.end]
    if f.regions:
        where.append("list_contains(?::VARCHAR[], a.region_code)")
        params.append(list(f.regions))
    for column, values in f.segment().items():
        if column not in _SEGMENT_COLUMNS:  # column names come from SEGMENTS, never from input
            raise ValueError(f"not a segment column: {column}")
        where.append(f"list_contains(?::VARCHAR[], a.{column})")
        params.append(list(values))
    # The query-ready activities carry their person's segment (dashboard.prepared): no join.
    segments = "".join(f", a.{column}" for column in sorted(_SEGMENT_COLUMNS))
    sql = (
        "SELECT a.activity_id, a.person_id, a.hub_id, a.region_code, a.activity_date, a.course, a.topic,"
        f" a.format{segments} FROM activities a WHERE " + " AND ".join(where)
    )
    return sql, params


def _region_scope(f: Filters) -> tuple[str, list[object]]:
    """SQL of the programme's regions (those of its hubs' countries) within the region filter."""
    sql = (
        "SELECT region_code, public_libraries FROM regions WHERE country_code IN ("
        " SELECT DISTINCT r.country_code FROM hubs h JOIN regions r ON r.region_code = h.region_code"
        " WHERE h.programme = ?)"
    )
    params: list[object] = [f.programme]
    if f.regions:
        sql += " AND list_contains(?::VARCHAR[], region_code)"
        params.append(list(f.regions))
    return sql, params


def load_activity_totals(db: Database, f: Filters) -> pd.DataFrame:
    """One row: distinct people, activities (person × class rows), hubs and regions in the view."""
    scope, params = _activity_scope(f)
    return db.execute(
        f"WITH act AS ({scope}) SELECT count(DISTINCT person_id) AS people,"
        f" {key_sum('person_id')} AS people_key, count(*) AS activities, {key_sum('activity_id')} AS activities_key,"
        " count(DISTINCT hub_id) AS hubs, count(DISTINCT region_code) AS regions FROM act",
        params,
    )


def load_monthly(db: Database, f: Filters) -> pd.DataFrame:
    """Per calendar month of the view: `month` (first day), distinct `people`, `activities`."""
    scope, params = _activity_scope(f)
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
    regions, params = _region_scope(f)
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
    scope, params = _activity_scope(f)
    high_key = cell_key(f"sum(DISTINCT {record_key('s.person_id')}) FILTER (WHERE s.score >= 7)")
    return db.execute(
        f"WITH act AS ({scope})"
        # One row per person, instrument, stage and area (the table's key): count(*) counts people.
        f" SELECT s.stage, count(*) AS people, {key_sum('s.person_id')} AS people_key,"
        " count(*) FILTER (WHERE s.score >= 7) AS people_7_10,"
        f" {high_key} AS people_7_10_key"
        " FROM assessments s"
        " WHERE s.instrument = 'self_rating' AND s.area = 'overall'"
        "   AND s.person_id IN (SELECT person_id FROM act) GROUP BY s.stage ORDER BY s.stage",
        params,
    )


def load_regions(db: Database) -> pd.DataFrame:
    """The regions reference: code, country, names, and each name's place in its alphabet."""
    return db.execute(
        "SELECT region_code, country_code, name_uk, name_en,"
        " row_number() OVER (ORDER BY name_uk COLLATE uk) AS order_uk,"
        " row_number() OVER (ORDER BY name_en COLLATE en) AS order_en"
        " FROM regions ORDER BY region_code"
    )


def load_programme_spans(db: Database) -> pd.DataFrame:
    """Per programme: its countries, first and last activity or training date, and its phases."""
    return db.execute(
        "WITH dates AS ("
        "  SELECT programme, CAST(activity_date AS DATE) AS day FROM activities"
        "  UNION ALL SELECT programme, CAST(coalesce(start_date, end_date) AS DATE) FROM trainings),"
        " progs AS (SELECT programme FROM hubs UNION SELECT programme FROM activities)"
        " SELECT p.programme,"
        "  (SELECT min(day) FROM dates d WHERE d.programme = p.programme) AS first_day,"
        "  (SELECT max(day) FROM dates d WHERE d.programme = p.programme) AS last_day,"
        "  (SELECT list(DISTINCT r.country_code ORDER BY r.country_code) FROM hubs h"
        "     JOIN regions r ON r.region_code = h.region_code WHERE h.programme = p.programme) AS countries,"
        "  (SELECT list(DISTINCT t.phase ORDER BY t.phase) FROM trainings t"
        "     WHERE t.programme = p.programme) AS phases"
        " FROM progs p ORDER BY p.programme"
    )


def load_quarantine(db: Database) -> pd.DataFrame:
    """Quarantined raw rows per source file, target table and reason code (`rows`)."""
    return db.execute(
        'SELECT source_file, "table", reason, count(*) AS rows FROM quarantine'
        ' GROUP BY ALL ORDER BY source_file, rows DESC, reason, "table"'
    )
