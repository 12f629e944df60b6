"""Release layer: compute a release — every public figure at the grains of dashboard.release.grain, protected once.

`build(clean_dir, releases_dir, name, rule)` reads a cleaned extract through the store, counts
every held view at once (dashboard.release.cube), protects the counts (dashboard.release.protect;
the official totals: dashboard.release.official) and writes the tables with a manifest into a new
folder `releases_dir/name`, atomically (a scratch folder renamed into place) and never over an
existing release.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from dashboard import filters
from dashboard.privacy import Rule
from dashboard.query import map as map_queries
from dashboard.query import reference
from dashboard.release import cube, grain, snapshots
from dashboard.release.official import official_table, with_official
from dashboard.release.protect import (
    GROUP, cells_table, complete, context_table, digigram_table, items_table, months_table, plain_views,
    protect_counts, under_shown_cells)
from dashboard.store.database import Database, load_report

FORMAT = 1
MANIFEST = "manifest.json"
# The folder of a release's standard files: the press kits and fact sheets of its default view,
# written once it is approved (dashboard.release.catalogue.add_files), as they name its publication.
FILES = "files"
# DuckDB's memory for counting the cells; larger groupings spill to a scratch folder beside the
# releases (docs/benchmarks.md: the build's peak memory by size).
BUILD_MEMORY = "3GB"
ITEM_ORDER = ["programme", "area", "period", *GROUP, "dimension", "item"]
DIGIGRAM_ORDER = ["programme", "area", "period", "test_area", "stage"]
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class ReleaseError(Exception):
    """A release that cannot be written or read; the message names it and says what is wrong."""


Progress = Callable[[str], None]


# ---- the whole release --------------------------------------------------------------------------

def hub_tables(db: Database, programme: str, rule: Rule) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The public hub registry (place, type, status; no people) and people per hub and calendar
    year and all time, protected, with no participant group."""
    hubs = db.execute(
        "SELECT hub_id, programme, name, institution_type, is_library, region_code, hromada, settlement,"
        " settlement_type, lat, lon, placed, CAST(joined_on AS DATE) AS joined_on, status FROM hubs WHERE programme = ?"
        " ORDER BY region_code, hub_id", [programme])
    raw = cube.load_hub_people(db, programme)
    # Every hub in every year anyone was trained (and all time): a hub-year without a row would say "nobody".
    grid = hubs[["hub_id"]].merge(pd.DataFrame({"period": sorted(raw["period"].unique())}), how="cross")
    people = protect_counts(complete(raw, grid), ["people"], rule)
    return hubs, people.sort_values(["hub_id", "period"], ignore_index=True).assign(programme=programme)


def compute(db: Database, rule: Rule, progress: Progress = lambda _m: None) -> dict[str, pd.DataFrame]:
    """Every table of a release of the extract `db` reads, protected by `rule`."""
    report = load_report(db.folder)
    data_date = filters.parse_date(str(report.get("data_date", "")))
    spans = reference.load_programme_spans(db)
    dates, phases, _countries = filters.spans_by_programme(spans)
    regions = db.execute("SELECT * FROM regions ORDER BY region_code")
    out: dict[str, list[pd.DataFrame]] = {t: [] for t in (
        "cells", "months", "items", "digigram", "context", "official", "hubs", "hub_people", "growth")}
    periods_rows = []
    for programme, (first, last) in dates.items():
        bounds = filters.default_period(first, last, data_date)
        spans_of = grain.phase_spans(phases.get(programme, []))
        held = grain.periods(bounds, phases.get(programme, []))
        periods_rows += [{"programme": programme, "period": code, "start": s, "end": e} for code, (s, e) in held.items()]
        step = _Steps(programme, progress)
        count = cube.buckets(db, programme)
        with step("people and self-ratings per cell"):
            raw = cube.load_cells(db, programme, spans_of, count)
            active = cube.load_active(db, programme, spans_of)
            areas = [grain.COUNTRY, *sorted(set(_regions_of(db, programme)) | set(raw["area"]) - {grain.COUNTRY})]
            views = plain_views(areas, list(held), programme)
            raw = complete(raw, views)
        with step("protected cells"):
            cells = cells_table(raw, active, rule)
            official = official_table(raw, active, {programme: held}, rule)
        with step("people new per month"):
            months = months_table(cube.load_new_people(db, programme, spans_of, count), held, rule, views)
        cells, months = with_official(cells, under_shown_cells(months, cells), official)
        out["cells"].append(cells)
        out["months"].append(months)
        out["official"].append(official)
        if not official["official"].all():
            progress(f"{programme}: not official (a difference with a nested period is 1..k-1): "
                     + ", ".join(official.loc[~official["official"], "period"]))
        with step("people per topic, format and course"):
            items = {d: cube.load_activity_values(db, programme, spans_of, d, count) for d in ("topic", "format", "course")}
            item_hubs = {d: cube.load_active(db, programme, spans_of, d) for d in items}
            items = items_table(items, item_hubs, rule, views[["programme", "area", "period", *GROUP]])
            # Sorted: DuckDB's grouping returns rows in any order, and a release's bytes are its hash.
            out["items"].append(under_shown_cells(items, cells).sort_values(ITEM_ORDER, ignore_index=True))
        with step("Digigram scores"):
            out["digigram"].append(digigram_table(cube.load_digigram(db, programme, spans_of), rule)
                                   .sort_values(DIGIGRAM_ORDER, ignore_index=True))
        with step("libraries and coordinators"):
            out["context"].append(context_table(cube.load_context(db, programme, spans_of, held), rule))
        with step("hubs"):
            hubs, hub_people = hub_tables(db, programme, rule)
            out["hubs"].append(hubs)
            out["hub_people"].append(hub_people)
            out["growth"].append(map_queries.load_network_growth(db, programme).assign(programme=programme))
        with step("network and data-quality figures"):
            for table, frame in snapshots.compute(db, programme, spans_of, held, rule).items():
                out.setdefault(table, []).append(frame)
    tables = {name: _concat(parts) for name, parts in out.items()}
    tables["periods"] = pd.DataFrame(periods_rows)
    tables["programmes"] = spans
    tables["regions"] = regions
    return tables


def _regions_of(db: Database, programme: str) -> list[str]:
    """The regions of the programme's hubs (its areas besides the whole country)."""
    found = db.execute("SELECT DISTINCT region_code FROM hubs WHERE programme = ? AND region_code IS NOT NULL",
                       [programme])
    return [str(r) for r in found["region_code"]]


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p.columns)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


class _Steps:
    """Times the steps of one programme (`with step("what"):`) and tells `progress` what each took."""

    def __init__(self, programme: str, progress: Progress):
        self.programme, self.progress, self.what, self.started = programme, progress, "", 0.0

    def __call__(self, what: str) -> _Steps:
        self.what = what
        return self

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.progress(f"{self.programme}: {self.what} ({time.perf_counter() - self.started:.1f} s)")


def _fingerprint(clean_dir: Path) -> str:
    """A short hash of the cleaned tables' bytes (names and contents): the same data, the same print."""
    digest = hashlib.sha256()
    for path in sorted(Path(clean_dir).resolve().glob("*.parquet")):
        digest.update(path.name.encode())
        digest.update(_sha256(path).encode())
    return digest.hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build(clean_dir: Path, releases_dir: Path, name: str, rule: Rule,
          progress: Progress = lambda _m: None, now: dt.datetime | None = None) -> Path:
    """Compute the release `name` of the extract in `clean_dir` and write it to `releases_dir/name`.

    Raises ReleaseError when the name is not a plain lower-case name or the release exists (a
    release is never changed once written). Nothing is left behind when it fails: the tables are
    written to a scratch folder that is renamed into place at the end.
    """
    if not NAME.match(name):
        raise ReleaseError(f"release name {name!r}: use lower-case letters, digits, '.', '_' or '-' "
                           "(for example 2024-annual)")
    releases_dir = Path(releases_dir)
    target = releases_dir / name
    if target.exists():
        raise ReleaseError(f"release {name} exists already; a release is never changed: choose another name")
    releases_dir.mkdir(parents=True, exist_ok=True)
    scratch = releases_dir / f".{name}.build-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    db = Database(Path(clean_dir), memory_limit=BUILD_MEMORY, spill=releases_dir / f".{name}.spill-{os.getpid()}")
    try:
        started = time.perf_counter()
        tables = compute(db, rule, progress)
        report = load_report(db.folder)
    finally:
        db.close()
        shutil.rmtree(releases_dir / f".{name}.spill-{os.getpid()}", ignore_errors=True)
    try:
        scratch.mkdir()
        files = {}
        for table, frame in tables.items():
            path = scratch / f"{table}.parquet"
            frame.to_parquet(path, index=False)
            files[table] = {"rows": int(len(frame)), "sha256": _sha256(path)}
        manifest = {
            "format": FORMAT, "name": name,
            "created": (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
            "data_date": report.get("data_date"),
            "source": {"fingerprint": _fingerprint(Path(clean_dir)),
                       "salt": report.get("salt")},
            "rule": {"k": rule.k, "noise": rule.noise},
            "tables": files,
            "build_seconds": round(time.perf_counter() - started, 1),
            "approval": None,
        }
        (scratch / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        for path in scratch.iterdir():
            path.chmod(0o444)
        os.rename(scratch, target)  # fails, leaving the scratch to be removed, if the name was taken meanwhile
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    progress(f"release {name}: {sum(f['rows'] for f in files.values()):,} rows in {len(files)} tables")
    return target
