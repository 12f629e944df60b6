"""Pipeline layer: read every raw file, normalise, stage, assemble, validate, write atomically.

Load: raw files are read in chunks and transformed row by row into staged Parquet.
Process: DuckDB drops duplicates, resolves keys and builds the cleaned tables out of core.
Save: every table is validated against the contract, and the outputs against each other and the
report (`check_outputs`), in a scratch folder that replaces the output folder only when
everything succeeded: the finished extract becomes a version folder that the output folder, a
symbolic link, is pointed at with one rename (store.versions.publish), so the output folder always
holds a whole extract and readers of the previous one finish on it. Each run first undoes a
publication that was interrupted (store.versions.recover) and removes the scratch folders of runs
that died (store.versions.sweep); its own scratch folder holds a lock while it runs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from dashboard import settings
from dashboard.store import prepared, versions
from dashboard.clean import assemble, normalise, readers, targets, transforms
from dashboard.clean.readers import Chunk, FileProblem
from dashboard.contract import TABLES, QUARANTINE_COLUMNS, schema

# Kinds in the order they must run: later kinds look hub codes up in the cleaned registry.
ORDER = ("hubs", "trainings", "participants", "digigram", "waitlist", "partners", "targets")
# Each kind's row transform (the targets kind has a module of its own: dashboard.clean.targets).
TRANSFORMS = {**transforms.TRANSFORMS, targets.KIND: targets.targets}
# Programme a file belongs to when its rows do not say (centre-network files are Kemerovo's).
DEFAULT_PROGRAMME = {"waitlist": "kem_centres", "partners": "kem_centres"}
KEM_PREFIXES = ("kemerovo", "centres")
BATCH_ROWS = 200_000
# Scratch folders of runs, next to the output folder (removed by the run, or by a later one).
SCRATCH_PREFIX = ".clean-"
# No programme's data starts before this (Kemerovo's starts in 2010); an earlier date in a cleaned
# table means a date was read or converted wrongly.
DATE_FLOOR = dt.date(2000, 1, 1)

_DATES = {"joined_on", "start_date", "end_date", "activity_date", "submitted_on", "assessed_on", "month",
          "agreement_date"}
_FLOATS = {"lat", "lon", "rating_pre", "rating_post", "target", *transforms.AREAS}
_INTS = {"enrolled", "completed", "waiting", "staff_trained"}
_META = [("file_idx", pa.int32()), ("source_file", pa.string()), ("line", pa.int64()),
         ("row_hash", pa.string()), ("raw", pa.string()), ("reason", pa.string()), ("detail", pa.string())]
_ARROW = {"str": pa.string(), "bool": pa.bool_(), "boolean": pa.bool_(), "Int64": pa.int64(),
          "int64": pa.int64(), "float64": pa.float64(), "datetime64[ms]": pa.timestamp("ms")}


log = logging.getLogger(__name__)


class PipelineError(Exception):
    """A run that cannot finish; the message names the file or table and the problem."""


def _stage_type(col: str) -> pa.DataType:
    if col in _DATES:
        return pa.date32()
    if col in _FLOATS:
        return pa.float64()
    if col in _INTS:
        return pa.int64()
    if col == "coordinator_trained":
        return pa.bool_()
    return pa.string()


def _stage_schema(kind: str) -> pa.Schema:
    probe = TRANSFORMS[kind](pd.DataFrame(), transforms.Context(b"", "ua_hubs"))
    cols = [c for c in probe.columns if c not in ("reason", "detail")]
    return pa.schema(_META + [(c, _stage_type(c)) for c in cols])


def arrow_schema(table: str) -> pa.Schema:
    """The Parquet schema of a cleaned table, from the contract."""
    return pa.schema([(c.name, _ARROW[c.dtype]) for c in TABLES[table].columns])


def _write_part(frame: pd.DataFrame, sch: pa.Schema, path: Path) -> None:
    arrays = [pa.array(frame[f.name].astype(object), type=f.type, from_pandas=True) if f.name in frame
              else pa.nulls(len(frame), f.type) for f in sch]
    pq.write_table(pa.Table.from_arrays(arrays, schema=sch), path)


def _stage_file(path: Path, idx: int, ctx: transforms.Context, out: Path, bar: tqdm) -> dict:
    kind, chunks = readers.read(path)
    layout = next(chunks)
    canonical = sorted({c for c, _, _ in readers.header_table()[kind].values()})
    sch = _stage_schema(kind)
    entry = {"kind": kind, "unknown_columns": layout.unknown}
    for part, chunk in enumerate(chunks):
        assert isinstance(chunk, Chunk)
        raw = pd.DataFrame(chunk.rows, columns=chunk.columns, dtype=object)
        frame = TRANSFORMS[kind](raw, ctx)
        frame["row_hash"] = transforms.row_hashes(raw, canonical, ctx.salt)
        # Only rows that may end in the quarantine need their raw values: rows with a problem,
        # and in keyed kinds any row, since a clash on the key is found later.
        keyed_kind = assemble.KEYS[kind][0] is not None
        wanted = [keyed_kind or r is not None for r in frame["reason"]]
        frame["raw"] = transforms.raw_json(raw, layout.personal, wanted)
        frame["line"] = chunk.lines
        if chunk.bad:
            # A row whose fields do not line up with the header: its values cannot be told apart
            # from personal ones, so only their number is kept.
            frame = pd.concat([frame, pd.DataFrame({
                "line": [b[0] for b in chunk.bad], "reason": [b[1] for b in chunk.bad],
                "detail": [b[2] for b in chunk.bad],
                "row_hash": [transforms.keyed(ctx.salt, "\x1e".join(b[3])) for b in chunk.bad],
                "raw": [json.dumps({"fields": len(b[3])}) for b in chunk.bad]})], ignore_index=True)
        frame["file_idx"], frame["source_file"] = idx, path.name
        _write_part(frame, sch, out / f"part-{idx:05d}-{part:05d}.parquet")
        bar.update(len(frame))
    return entry


def _connect(scratch: Path) -> duckdb.DuckDBPyConnection:
    # A database file (not in-memory) lets DuckDB keep the resolved staging tables on disk.
    return duckdb.connect(str(scratch / "work.duckdb"), config={
        "memory_limit": f"{settings.clean_memory_mb()}MB", "threads": 2, "temp_directory": str(scratch / "spill"),
        "preserve_insertion_order": False})


def _write_table(con: duckdb.DuckDBPyConnection, sql: str, sch: pa.Schema, path: Path) -> int:
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    rows = 0
    with pq.ParquetWriter(path, sch) as w:
        for batch in reader:
            w.write_batch(batch.cast(sch) if batch.schema != sch else batch)
            rows += batch.num_rows
    return rows


def validate(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    """Check a written table against its pandera schema and its key, a batch at a time.

    The tables are written in the order of their keys (assemble.TABLE_SQL), so a repeated key is a
    row equal to the one before it: found batch by batch in bounded memory. A table found out of
    that order is checked by a grouping in DuckDB instead (on the run's connection, within its
    memory limit, spilling to disk); a distinct count of ten million keys would hold them all.
    """
    per_batch = schema(table, unique=False)
    nullable = {c.name: ("Int64" if c.dtype == "Int64" else "boolean")
                for c in TABLES[table].columns if c.dtype in ("Int64", "boolean")}
    keys = list(TABLES[table].key)
    ordered, repeats, last = True, 0, None
    # Without pre-buffering: with it, pyarrow keeps the column chunks it has read (1.6 GB for the
    # activities of ten million people); without it, a batch at a time (0.4 GB).
    for batch in pq.ParquetFile(path, pre_buffer=False).iter_batches(BATCH_ROWS):
        frame = batch.to_pandas().astype(nullable)
        try:
            per_batch.validate(frame, lazy=True)
        except Exception as e:
            raise PipelineError(f"cleaned table '{table}' breaks the contract: {str(e)[:1500]}") from None
        if ordered and len(frame):
            ordered, found, last = _ordered_repeats(frame[keys], last)
            repeats += found
    if not ordered:
        columns = ", ".join(keys)
        repeats = con.execute(f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM read_parquet(?) "
                              f"GROUP BY {columns} HAVING count(*) > 1)", [str(path)]).fetchone()[0]
    if repeats:
        raise PipelineError(f"cleaned table '{table}' has {repeats} repeated keys ({', '.join(keys)})")


def _ordered_repeats(keys: pd.DataFrame, last: tuple | None) -> tuple[bool, int, tuple | None]:
    """(whether `keys` continue the key order after `last`, the keys equal to the one before
    them, the batch's last key). A missing value, which has no order, counts as out of order."""
    if keys.isna().to_numpy().any():
        return False, 0, None
    index = pd.MultiIndex.from_frame(keys)
    first = index[0]
    try:
        if not index.is_monotonic_increasing or (last is not None and first < last):
            return False, 0, None
    except TypeError:
        return False, 0, None
    return True, int(index.duplicated().sum()) + int(last is not None and first == last), index[-1]


def check_outputs(folder: Path, report: dict) -> list[str]:
    """Problems that must stop a run, found by reading the cleaned tables in `folder` against `report`.

    Each problem names the file or table and the counts: a raw file whose rows do not add up to
    cleaned + quarantined + duplicates, a region code that is not in the regions table, a date
    before DATE_FLOOR or after the report's data date (plus one day). Read with DuckDB, so a
    national extract is counted without loading it.
    """
    problems = []
    for name, f in sorted(report["files"].items()):
        total = f["cleaned"] + f["quarantined"] + f["duplicates"]
        if f["rows_in"] != total:
            problems.append(f"{name}: {_rows(f['rows_in'])} read but {f['cleaned']} cleaned + {f['quarantined']} "
                            f"quarantined + {f['duplicates']} duplicates = {total}")
    missing = [t for t in TABLES if not (folder / f"{t}.parquet").is_file()]
    problems += [f"{t}.parquet: missing from the output" for t in missing]
    # Without a data date no clean row has a date that sets it; the reader's own bound is the ceiling.
    data_date = dt.date.fromisoformat(report["data_date"]) if report.get("data_date") else normalise.DATE_MAX
    ceiling = data_date + dt.timedelta(days=1)
    con = duckdb.connect(config={"memory_limit": f"{settings.clean_memory_mb()}MB", "threads": 2})
    try:
        regions = folder / "regions.parquet"
        for table in TABLES:
            if table in missing:
                continue
            path = folder / f"{table}.parquet"
            if table == "hubs":
                problems += _placement_problems(con, path)
            if table != "regions" and "region_code" in TABLES[table].names() and "regions" not in missing:
                unknown = con.execute(
                    "SELECT t.region_code, count(*) FROM read_parquet(?) t ANTI JOIN read_parquet(?) r "
                    "USING (region_code) WHERE t.region_code IS NOT NULL GROUP BY ALL ORDER BY 1", [str(path), str(regions)]).fetchall()
                if unknown:
                    codes = ", ".join(f"{code} ({n})" for code, n in unknown)
                    problems.append(f"{table}: {_rows(sum(n for _, n in unknown))} with a region_code not in "
                                    f"regions: {codes}")
            for col in (c.name for c in TABLES[table].columns if c.dtype == "datetime64[ms]"):
                outside, low, high = con.execute(
                    f'SELECT count(*) FILTER (WHERE "{col}"::DATE < ? OR "{col}"::DATE > ?), '
                    f'min("{col}")::DATE, max("{col}")::DATE FROM read_parquet(?)',
                    [DATE_FLOOR, ceiling, str(path)]).fetchall()[0]
                if outside:
                    problems.append(f"{table}.{col}: {_rows(outside)} outside {DATE_FLOOR} – {ceiling} "
                                    f"(found {low} – {high})")
    finally:
        con.close()
    return problems


def placement_counts(hubs: Path) -> dict[str, int]:
    """Cleaned hubs by how they were placed (`coordinates`, `settlement`) or why not (the
    `unplaced_reason` codes), for the report; kinds with no hub are left out."""
    found = duckdb.sql(f"SELECT coalesce(placed, unplaced_reason, 'unknown'), count(*) FROM read_parquet('{hubs}')"
                       " GROUP BY ALL ORDER BY 1").fetchall()
    return {kind: n for kind, n in found}


def _placement_problems(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Hubs whose lat/lon, `placed` and `unplaced_reason` disagree: a point needs a `placed`, and
    a hub without one needs a reason."""
    bad = con.execute(
        "SELECT count(*) FROM read_parquet(?) WHERE (lat IS NULL OR lon IS NULL) <> (placed IS NULL)"
        " OR (placed IS NULL) <> (unplaced_reason IS NOT NULL)", [str(path)]).fetchall()[0][0]
    return [f"hubs: {_rows(bad)} whose coordinates, placed and unplaced_reason disagree"] if bad else []


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _regions(path: Path) -> set[str]:
    from dashboard.geo import load_region_reference

    ref = load_region_reference()
    pq.write_table(pa.Table.from_pandas(ref, schema=arrow_schema("regions"), preserve_index=False), path)
    return set(ref["region_code"])


def raw_files(raw_dir: Path) -> list[Path]:
    if not raw_dir.is_dir():
        raise FileProblem(f"{raw_dir}: no such folder of raw files")
    files = sorted(p for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise FileProblem(f"{raw_dir}: the folder holds no raw files")
    for p in files:
        readers.file_kind(p)
    return files


def run(raw_dir: Path, clean_dir: Path, salt: bytes, progress: bool = True, salt_kind: str = "secret",
        before_publish: Callable[[Path], None] | None = None) -> dict:
    """Clean every raw file in `raw_dir` into `clean_dir`; returns the run report.

    `salt_kind` ("secret" or "demo", never the salt itself) is recorded in the report, so an
    extract pseudonymised with the demo's public salt says so. `before_publish(folder)` runs on
    the finished extract before it is published (the clean command stores the standard views'
    answers there, so the first visitor after the swap finds them).
    """
    files = raw_files(raw_dir)
    clean_dir.parent.mkdir(parents=True, exist_ok=True)
    if versions.recover(clean_dir):
        log.warning("%s: an interrupted run's publication was undone", clean_dir)
    versions.sweep(clean_dir.parent, SCRATCH_PREFIX)
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=clean_dir.parent))
    lock = None
    try:
        lock = versions.hold(scratch)
        out = scratch / "out"
        out.mkdir()
        report = _run(files, scratch, out, salt, progress)
        report["salt"] = salt_kind
        (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                         encoding="utf-8")
        if before_publish is not None:
            before_publish(out)
        _swap(out, clean_dir, scratch)
        return report
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if lock is not None:
            lock.close()


def _swap(out: Path, clean_dir: Path, scratch: Path) -> None:
    """Publish the finished extract: `clean_dir` names it after one rename (store.versions)."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    versions.publish(out, clean_dir, f"{stamp}-{scratch.name.removeprefix(SCRATCH_PREFIX)}")


def _run(files: list[Path], scratch: Path, out: Path, salt: bytes, progress: bool) -> dict:
    con = _connect(scratch)
    report: dict = {"files": {}, "tables": {}}
    known_regions = _regions(out / "regions.parquet")
    report["tables"]["regions"] = len(known_regions)
    ctx = transforms.Context(salt, "ua_hubs")
    bar = tqdm(desc="cleaning", unit=" rows", disable=not progress, file=sys.stderr, mininterval=1)
    quarantine = []
    for kind in ORDER:
        stage = scratch / "stage" / kind
        stage.mkdir(parents=True)
        _write_part(pd.DataFrame(), _stage_schema(kind), stage / "part-empty.parquet")
        for idx, path in enumerate(files):
            if readers.file_kind(path) != kind:
                continue
            prefix = DEFAULT_PROGRAMME.get(kind) or (
                "kem_centres" if path.name.casefold().startswith(KEM_PREFIXES) else "ua_hubs")
            ctx.programme = prefix
            report["files"][path.name] = _stage_file(path, idx, ctx, stage, bar)
        con.execute(f"CREATE OR REPLACE VIEW stage_{kind} AS SELECT * FROM read_parquet('{stage}/*.parquet')")
        con.execute(assemble.resolve_sql(kind))
        _report_kind(con, kind, report)
        quarantine.append(assemble.quarantine_sql(kind))
        if kind == "hubs":
            ctx.hubs = {h: (r, p) for h, r, p in con.execute(
                f"SELECT hub_id, region_code, programme FROM {assemble.ok('hubs')}").fetchall()}
    bar.close()
    longest = con.execute("SELECT coalesce(max(line), 0) FROM resolved_participants").fetchall()[0][0]
    if len(files) > assemble.MAX_FILES or longest > assemble.MAX_LINE:
        raise PipelineError(f"one run cleans at most {assemble.MAX_FILES:,} raw files of at most "
                            f"{assemble.MAX_LINE:,} lines each (found {len(files):,} files, a line {longest:,}): "
                            "clean them in parts")
    for table in assemble.TABLE_SQL:
        for statement in assemble.PREPARE_SQL.get(table, ()):
            con.execute(statement)
        report["tables"][table] = _write_table(con, assemble.TABLE_SQL[table], arrow_schema(table),
                                               out / f"{table}.parquet")
    qsch = pa.schema([(c.name, _ARROW[c.dtype]) for c in QUARANTINE_COLUMNS])
    report["quarantined"] = _write_table(
        con, " UNION ALL ".join(quarantine) + " ORDER BY source_file, line", qsch, out / "quarantine.parquet")
    for table in TABLES:
        validate(con, out / f"{table}.parquet", table)
    report["placement"] = placement_counts(out / "hubs.parquet")
    dates = [f["extract_date"] for f in report["files"].values() if f.get("extract_date")]
    report["data_date"] = max(dates) if dates else None
    # Checked before the query-ready copies are built from these tables, so a bad table stops
    # the run with its own message rather than a later, stranger one.
    problems = check_outputs(out, report)
    if problems:
        raise PipelineError("the cleaned tables failed their checks; the previous output is kept:\n  "
                            + "\n  ".join(problems))
    prepared.build(con, out)
    return report


def _report_kind(con: duckdb.DuckDBPyConnection, kind: str, report: dict) -> None:
    for name, rows_in, cleaned, quarantined, dups, extract in con.execute(assemble.report_sql(kind)).fetchall():
        entry = report["files"][name]
        entry.update(rows_in=rows_in, cleaned=cleaned, quarantined=quarantined, duplicates=dups,
                     extract_date=extract.isoformat() if extract else None, by_reason={})
    for name, reason, count in con.execute(assemble.reasons_sql(kind)).fetchall():
        report["files"][name]["by_reason"][reason] = count
    for entry in report["files"].values():
        if entry["kind"] == kind and "rows_in" not in entry:
            entry.update(rows_in=0, cleaned=0, quarantined=0, duplicates=0, extract_date=None, by_reason={})
