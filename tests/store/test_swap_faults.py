"""Faults around the extract folder and its derived files, below the pages: a reader keeps the
extract it opened across a new cleaning run, an interrupted publication is undone by the next run
or by the app's start, scratch folders of dead runs are swept, the data version covers the
query-ready copies, and a damaged copy or quarantine costs no figure of any other table."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import build_clean

from dashboard.clean.pipeline import SCRATCH_PREFIX, run
from dashboard.filters import Filters
from dashboard.query.overview import load_activity_totals
from dashboard.query.quality import load_quarantine
from dashboard.store import prepared, versions
from dashboard.store.database import Database, DataUnavailable, data_version

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "raw_samples"
SALT = b"test-salt"
VIEW = Filters("ua_hubs", pd.Timestamp("2022-01-01").date(), pd.Timestamp("2025-06-30").date())


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (through a linked folder) with its bytes' hash."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def scratch_folders(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(SCRATCH_PREFIX))


def raw_without(tmp_path: Path, *names: str) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    for name in names:
        (raw / name).unlink()
    return raw


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def last_part(folder: Path, table: str = "activities") -> Path:
    return sorted((prepared.location(folder) / table).glob("part-*.parquet"))[-1]


def people(db: Database) -> int:
    return int(load_activity_totals(db, VIEW).iloc[0]["people"])


def waitlist_rows(db: Database) -> int:
    return int(db.execute("SELECT count(*) AS n FROM waitlist")["n"].iloc[0])


# ---- serving across a new cleaning run -----------------------------------------------------------

def test_a_reader_finishes_on_the_extract_it_opened(tmp_path):
    clean = tmp_path / "data" / "clean"
    run(SAMPLES, clean, SALT, progress=False)
    assert clean.is_symlink() and clean.is_dir()  # the same path as before, now a link to a version
    first = clean.resolve()
    old = Database(clean)
    try:
        before = (people(old), waitlist_rows(old))
        assert before[1] > 0
        version = data_version(clean)
        run(raw_without(tmp_path, "waitlist_sample.csv"), clean, SALT, progress=False)
        assert clean.resolve() != first and data_version(clean) != version
        # The reader that opened the first extract finishes on it: its tables and its query-ready
        # copies are still there, nothing mixes with the new extract, nothing fails.
        assert first.is_dir() and prepared.is_ready(first)
        assert (people(old), waitlist_rows(old)) == before
        new = Database(clean)
        try:
            assert waitlist_rows(new) == 0 and people(new) == before[0]
        finally:
            new.close()
    finally:
        old.close()
    # The next run drops the version nobody should still read: one current, one previous.
    second = clean.resolve()
    run(SAMPLES, clean, SALT, progress=False)
    kept = sorted(p.name for p in versions.versions_dir(clean).iterdir() if not p.name.startswith("."))
    assert kept == sorted([second.name, clean.resolve().name]) and not first.exists()
    assert scratch_folders(clean.parent) == []


def test_an_extract_folder_of_the_older_layout_is_taken_over(tmp_path):
    clean = build_clean(tmp_path / "clean")
    before = digest(clean)
    run(SAMPLES, clean, SALT, progress=False)
    assert clean.is_symlink()
    store = versions.versions_dir(clean)
    previous = [p for p in store.iterdir() if p.name.endswith("-previous")]
    assert len(previous) == 1 and digest(previous[0]) == before  # kept for its readers until the next run
    assert not (store / versions.JOURNAL).exists()


# ---- a publication interrupted between its renames ------------------------------------------------

def failing_after(n: int, monkeypatch) -> list[tuple[str, str]]:
    """Make every rename of a publication after the first `n` fail, as a crash would stop it."""
    done: list[tuple[str, str]] = []
    real = versions.rename

    def rename(src, dst):
        if len(done) >= n:
            raise OSError(5, "injected fault between the renames of a publication")
        done.append((str(src), str(dst)))
        real(src, dst)

    monkeypatch.setattr(versions, "rename", rename)
    return done


@pytest.mark.parametrize("recovered_by", ["app start", "next run"])
def test_a_publication_interrupted_between_its_renames_is_undone(tmp_path, monkeypatch, recovered_by):
    clean = build_clean(tmp_path / "clean")  # an extract folder of the older layout: a real folder
    before = digest(clean)
    with monkeypatch.context() as m:
        done = failing_after(2, m)  # the new version is in place, the old folder moved aside: stop
        with pytest.raises(OSError, match="injected fault"):
            run(SAMPLES, clean, SALT, progress=False)
    assert len(done) == 2
    assert not os.path.lexists(clean)  # what the crash leaves: no extract folder at all ...
    assert (versions.versions_dir(clean) / versions.JOURNAL).is_file()  # ... and a journal
    assert scratch_folders(tmp_path) == []
    if recovered_by == "app start":
        db = Database(clean)
        try:
            assert people(db) > 0
        finally:
            db.close()
        # The previous extract is back where it was, byte for byte (the app adds its copies).
        assert not clean.is_symlink()
        assert {k: v for k, v in digest(clean).items() if not k.startswith("_query/")} == before
    else:
        run(SAMPLES, clean, SALT, progress=False)
        assert clean.is_symlink() and prepared.is_ready(clean)
        previous = [p for p in versions.versions_dir(clean).iterdir() if p.name.endswith("-previous")]
        assert [digest(p) for p in previous] == [before]
    assert not (versions.versions_dir(clean) / versions.JOURNAL).exists()


@pytest.mark.parametrize("renames", [0, 1])
def test_a_failed_publication_leaves_the_previous_extract_byte_identical(tmp_path, monkeypatch, renames):
    clean = tmp_path / "clean"
    run(SAMPLES, clean, SALT, progress=False)
    target, before = clean.resolve(), digest(clean)
    with monkeypatch.context() as m:
        failing_after(renames, m)
        with pytest.raises(OSError, match="injected fault"):
            run(raw_without(tmp_path, "waitlist_sample.csv"), clean, SALT, progress=False)
    assert clean.resolve() == target and digest(clean) == before
    assert scratch_folders(tmp_path) == [] and not list(tmp_path.glob(".clean.link-*"))


def test_an_extract_folder_removed_on_purpose_stays_removed(tmp_path):
    clean = build_clean(tmp_path / "clean")
    shutil.rmtree(clean)
    assert versions.recover(clean) is False
    with pytest.raises(DataUnavailable) as info:
        Database(clean)
    assert info.value.problem == "folder not found"


# ---- scratch folders of dead runs -------------------------------------------------------------------

HOLDER = """
import sys, tempfile, time
from pathlib import Path
from dashboard.store import prepared, versions
scratch = Path(tempfile.mkdtemp(prefix=".clean-", dir=sys.argv[1]))
handle = versions.hold(scratch)
print(scratch.name, flush=True)
time.sleep(600)
"""


def holder(parent: Path) -> tuple[subprocess.Popen, str]:
    """A process that holds a scratch folder in `parent`, as a cleaning run does while it runs."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(parent)], stdout=subprocess.PIPE, text=True,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    return proc, proc.stdout.readline().strip()


def test_scratch_folders_of_dead_runs_are_swept_and_live_ones_kept(tmp_path):
    parent = tmp_path / "data"
    parent.mkdir()
    killed, killed_name = holder(parent)
    alive, alive_name = holder(parent)
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        old = parent / f"{SCRATCH_PREFIX}older-version"  # a run of the older code: no lock file
        (old / "out").mkdir(parents=True)
        os.utime(old, (1, 1))
        fresh = parent / f"{SCRATCH_PREFIX}just-created"  # a run between mkdtemp and its lock
        fresh.mkdir()
        assert killed_name and alive_name and killed_name != alive_name
        run(SAMPLES, parent / "clean", SALT, progress=False)
        assert scratch_folders(parent) == sorted([alive_name, fresh.name])
    finally:
        alive.kill()
        alive.wait(timeout=30)
    assert versions.sweep(parent, SCRATCH_PREFIX) == [alive_name]  # its process is gone now


def test_cleaning_beside_an_extract_named_like_a_scratch_folder_keeps_its_versions(tmp_path):
    """An extract called `clean-2024` keeps its versions in `.clean-2024.versions`, which starts
    like a scratch folder (`.clean-`): cleaning another extract in the same folder must leave it."""
    parent = tmp_path / "data"
    parent.mkdir()
    run(SAMPLES, parent / "clean-2024", SALT, progress=False)
    before = sorted(p.name for p in (parent / ".clean-2024.versions").iterdir())
    assert before and (parent / "clean-2024" / "activities.parquet").exists()
    os.utime(parent / ".clean-2024.versions", (1, 1))  # published long ago: no run is young enough to hold it
    run(SAMPLES, parent / "clean-2025", SALT, progress=False)
    assert sorted(p.name for p in (parent / ".clean-2024.versions").iterdir()) == before
    assert (parent / "clean-2024" / "activities.parquet").exists()


# ---- the data version and the query-ready copies -------------------------------------------------

@pytest.fixture
def folder(tmp_path):
    folder = build_clean(tmp_path / "clean")
    Database(folder).close()  # the query-ready copies are written
    return folder


def expected_people(folder: Path) -> int:
    acts = pd.read_parquet(folder / "activities.parquet")
    day = pd.to_datetime(acts["activity_date"]).dt.date
    keep = (acts["programme"] == VIEW.programme) & (day >= VIEW.start) & (day <= VIEW.end)
    return acts.loc[keep, "person_id"].nunique()


@pytest.mark.parametrize("fault", ["truncated part", "deleted part", "deleted _query", "new answers"])
def test_the_data_version_covers_the_query_ready_copies(folder, fault):
    before = data_version(folder)
    if fault == "truncated part":
        truncate(last_part(folder))
    elif fault == "deleted part":
        last_part(folder).unlink()
    elif fault == "deleted _query":
        shutil.rmtree(folder / prepared.QUERY_DIR)
    else:
        (prepared.location(folder) / prepared.ANSWERS_DIR / "0123456789abcdef").mkdir(parents=True)
    assert data_version(folder) != before


@pytest.mark.parametrize("fault", ["truncated part", "deleted part", "deleted _query"])
def test_a_damaged_copy_is_rebuilt_when_opened(folder, fault):
    if fault == "deleted _query":
        shutil.rmtree(folder / prepared.QUERY_DIR)
    elif fault == "deleted part":
        last_part(folder).unlink()
    else:
        truncate(last_part(folder))
    db = Database(folder)
    try:
        assert prepared.intact(prepared.location(folder))
        assert people(db) == expected_people(folder)
    finally:
        db.close()


@pytest.mark.parametrize("fault", ["truncated part", "deleted _query", "garbled part"])
def test_a_copy_damaged_under_an_open_connection_is_rebuilt_and_the_statement_answered(folder, fault):
    db = Database(folder)
    try:
        assert people(db) == expected_people(folder)
        if fault == "deleted _query":
            shutil.rmtree(folder / prepared.QUERY_DIR)
        elif fault == "truncated part":
            truncate(last_part(folder))
        else:  # the same size, so only reading it shows the damage
            part = last_part(folder)
            data = bytearray(part.read_bytes())
            data[4:-8] = bytes(len(data) - 12)
            part.write_bytes(bytes(data))
        assert people(db) == expected_people(folder)
        assert prepared.intact(prepared.location(folder))
    finally:
        db.close()


def test_a_copy_that_keeps_failing_is_kept_in_memory(folder):
    db = Database(folder)
    try:
        db._repairs = prepared.MAX_REPAIRS  # it has been rebuilt as often as it may be
        truncate(last_part(folder))
        assert people(db) == expected_people(folder)
        tables = set(db.execute("SELECT table_name FROM duckdb_tables()")["table_name"])
        assert {f"query_{t}" for t in prepared.SOURCES} <= tables
    finally:
        db.close()


def test_a_reader_whose_version_folder_is_gone_fails_plainly(tmp_path):
    clean = tmp_path / "clean"
    run(SAMPLES, clean, SALT, progress=False)
    db = Database(clean)
    try:
        shutil.rmtree(clean.resolve())
        with pytest.raises(duckdb.Error):
            people(db)  # nothing to rebuild from: the page says so (tests/ui/test_page_faults.py)
        assert not clean.resolve().exists()  # and nothing was written into the removed folder
    finally:
        db.close()


# ---- unreadable cleaned tables ------------------------------------------------------------------

def test_a_truncated_quarantine_is_an_empty_table_and_a_fault(folder):
    truncate(folder / "quarantine.parquet")
    db = Database(folder)
    try:
        assert set(db.faults) == {"quarantine"}
        assert load_quarantine(db).empty
        assert people(db) == expected_people(folder)  # every other table still answers
    finally:
        db.close()


def test_a_quarantine_damaged_under_an_open_connection_becomes_a_fault(folder):
    db = Database(folder)
    try:
        assert len(load_quarantine(db)) and not db.faults
        truncate(folder / "quarantine.parquet")
        assert load_quarantine(db).empty and set(db.faults) == {"quarantine"}
    finally:
        db.close()


def test_an_unreadable_core_table_is_named(folder):
    truncate(folder / "hubs.parquet")
    with pytest.raises(DataUnavailable) as info:
        Database(folder)
    assert info.value.unreadable == ("hubs",) and not info.value.missing


def test_a_quarantine_garbled_under_an_open_connection_becomes_a_fault(folder):
    db = Database(folder)
    try:
        assert len(load_quarantine(db))
        path = folder / "quarantine.parquet"
        data = bytearray(path.read_bytes())
        data[4:-8] = bytes(len(data) - 12)  # the same size: an error that names no file
        path.write_bytes(bytes(data))
        assert load_quarantine(db).empty and set(db.faults) == {"quarantine"}
        assert people(db) == expected_people(folder)
    finally:
        db.close()
