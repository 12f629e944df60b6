"""Stored answers of the standard views: each equals the live result of its statement, pages read
them instead of querying, a rewrite of ANY cleaned table never serves an old figure, and the
cleaning command stores them without Streamlit."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import PAGES, build_clean, internal_mode, run_app

from dashboard import warm
from dashboard.filters import Filters
from dashboard.metrics import overview
from dashboard.privacy import Rule
from dashboard.query import overview as overview_queries
from dashboard.query import reference
from dashboard.query.scope import activity_scope
from dashboard.store import database, prepared
from dashboard.store.database import Database, answer_key, answers_fingerprint

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "raw_samples"
EXACT = Rule(k=10, noise=0)
TABLES = ("regions", "hubs", "trainings", "participants", "activities", "assessments", "waitlist", "partners",
          "quarantine")


@pytest.fixture(scope="module")
def warmed(tmp_path_factory):
    """The fixture extract with the answers of every standard view (whole country and each region),
    and the statements sent while they were stored."""
    folder = build_clean(tmp_path_factory.mktemp("warm") / "clean")
    calls: list[tuple[str, list]] = []
    original = Database.execute

    def spy(db, sql, params=()):
        calls.append((sql, list(params)))
        return original(db, sql, params)

    mp = pytest.MonkeyPatch()
    mp.setattr(Database, "execute", spy)
    try:
        result = warm.run(folder, regions=True, log=lambda m: None)
    finally:
        mp.undo()
    return folder, result, calls


def answers(folder: Path) -> Path:
    """Where the answers for the extract's current files live."""
    return prepared.location(folder) / prepared.ANSWERS_DIR / answers_fingerprint(folder)


def statements(calls) -> list[tuple[str, list]]:
    """Each recorded statement once."""
    return list({answer_key(s, p): (s, p) for s, p in calls}.values())


def live_database(folder: Path) -> Database:
    db = Database(folder)
    db._answers = None  # this connection always queries
    return db


class Spy:
    """Stands in for a Database's DuckDB connection and keeps every statement sent to it."""

    def __init__(self, con, sent: list[str]):
        self._con, self._sent = con, sent

    def execute(self, sql, params=None):
        self._sent.append(sql)
        return self._con.execute(sql) if params is None else self._con.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self._con, name)


def rewrite(folder: Path, table: str, change) -> None:
    """Rewrite one cleaned table with `change(frame)` applied (a new mtime even on a coarse clock)."""
    path = folder / f"{table}.parquet"
    frame = change(pd.read_parquet(path))
    frame.to_parquet(path, index=False)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))


def _add(column: str, amount: int):
    def change(frame):
        frame[column] = frame[column] + amount
        return frame
    return change


def _set(column: str, value):
    def change(frame):
        frame[column] = value
        return frame
    return change


# One change per cleaned table, each of which changes some figure of the standard views.
CHANGES = {
    "regions": _add("population", 1_000_000),
    "hubs": _set("status", "closed"),
    "trainings": _add("completed", 5),
    "participants": _set("age_band", "25_44"),
    "activities": lambda frame: frame.iloc[1:],
    "assessments": _add("score", -1.0),
    "waitlist": _add("waiting", 100),
    "partners": _add("staff_trained", 7),
    "quarantine": lambda frame: frame.iloc[1:],
}


def test_every_view_stored_its_answers(warmed):
    folder, result, calls = warmed
    assert result["problems"] == []
    # Two programmes: ua_hubs with four regions, kem_centres with one; each also whole-country.
    assert result["programmes"] == 2 and result["views"] == 2 + 5
    keys = {answer_key(sql, params) for sql, params in calls}
    assert result["answers"] == len(keys) == len(list(answers(folder).glob("*.parquet")))
    assert not hasattr(Database, "record")  # a switch of each connection, not of the class
    db = Database(folder)
    try:
        assert db.record is False and db.answers == answers(folder)
    finally:
        db.close()
    assert not list(answers(folder).glob(".*"))  # no temporary file left behind
    assert [p.name for p in answers(folder).parent.iterdir()] == [answers(folder).name]


def test_every_stored_answer_is_the_live_result(warmed):
    folder, _result, calls = warmed
    live, stored = live_database(folder), Database(folder)
    try:
        assert stored.answers == answers(folder)
        for sql, params in statements(calls):
            pd.testing.assert_frame_equal(stored.execute(sql, params), live.execute(sql, params), obj=sql[:80])
    finally:
        live.close()
        stored.close()


def test_a_view_reads_answers_and_any_other_view_queries(warmed):
    folder, _result, _calls = warmed
    db = Database(folder)
    sent: list[str] = []
    con, db._con = db._con, Spy(db._con, sent)
    try:
        spans = reference.load_programme_spans(db)
        assert sent and all("read_parquet(" in s and str(answers(folder)) in s for s in sent)
        sent.clear()
        # A view no standard view covers (a segment) is computed live, and not stored (not recording).
        row = spans[spans["programme"] == "ua_hubs"].iloc[0]
        f = Filters("ua_hubs", row["first_day"], row["last_day"], age_band=("60_69",))
        before = set(answers(folder).iterdir())
        overview.compute_counts(db, f, EXACT)
        assert sent and not any(prepared.ANSWERS_DIR in s for s in sent)
        assert set(answers(folder).iterdir()) == before
    finally:
        db._con = con
        db.close()


@pytest.fixture
def spied_databases(monkeypatch):
    """Every statement any Database opened from now on sends to DuckDB (after its setup); the
    Streamlit caches start empty, so the pages open their own Database and compute every figure."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    sent: list[str] = []
    original = Database.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._con = Spy(self._con, sent)

    monkeypatch.setattr(Database, "__init__", init)
    return sent


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_of_a_standard_view_sends_no_query_to_duckdb(warmed, page, spied_databases, navigation_mode,
                                                           monkeypatch):
    """The whole-country default view, and one region, of each page: only stored answers are read
    (internal mode: the pages that read the extract; public pages read a release)."""
    folder, _result, _calls = warmed
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    internal_mode(monkeypatch)
    at = run_app(page=page)
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert spied_databases, "the page read no figure at all"
    live = [s for s in spied_databases if str(answers(folder)) not in s]
    assert live == []
    spied_databases.clear()
    at.multiselect(key="region").set_value(["UA-05"]).run()
    assert not at.exception and not at.error
    assert [s for s in spied_databases if str(answers(folder)) not in s] == []


def test_the_standard_views_are_the_frames_defaults(warmed):
    folder, _result, _calls = warmed
    db = Database(folder)
    try:
        views = warm.standard_views(db)
    finally:
        db.close()
    ua = views["ua_hubs"]
    assert ua[0].filters == Filters("ua_hubs", dt.date(2022, 10, 1), dt.date(2025, 6, 30))
    assert [v.filters.regions for v in ua] == [(), ("UA-05",), ("UA-30",), ("UA-32",), ("UA-46",)]
    assert all(v.data_start == dt.date(2022, 10, 1) and replace(v.filters, regions=()) == ua[0].filters for v in ua)
    assert [v.filters.regions for v in views["kem_centres"]] == [(), ("RU-KEM",)]


def test_answers_are_keyed_by_statement_and_typed_parameters():
    f = Filters("ua_hubs", dt.date(2024, 1, 1), dt.date(2024, 1, 1))
    sql, params = activity_scope(f)
    assert answer_key(sql, params) == answer_key(sql, list(params))
    assert answer_key(sql, params) != answer_key(sql + " ", params)
    assert answer_key(sql, params) != answer_key(*activity_scope(replace(f, programme="kem_centres")))
    assert answer_key("SELECT ?", [1]) != answer_key("SELECT ?", ["1"])


def test_the_answers_folder_covers_every_cleaned_table(warmed, tmp_path):
    folder, _result, _calls = warmed
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)  # the same files with the same mtimes: the answers still apply
    assert answers_fingerprint(copy) == answers_fingerprint(folder)
    seen = {answers_fingerprint(copy)}
    for table in (*TABLES, "report"):
        path = copy / (database.REPORT_FILE if table == "report" else f"{table}.parquet")
        os.utime(path, ns=(7, 7))
        assert answers_fingerprint(copy) not in seen, table
        seen.add(answers_fingerprint(copy))


@pytest.mark.parametrize("table", TABLES)
def test_a_rewritten_table_never_serves_a_stale_figure(warmed, tmp_path, table):
    """Warm, rewrite one cleaned table so that some figure changes, open a fresh Database: every
    statement stored for the standard views returns what DuckDB computes from the files now."""
    folder, _result, calls = warmed
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    old = Database(folder)  # the figures before the change: the stored answers
    before = {answer_key(s, p): old.execute(s, p) for s, p in statements(calls)}
    old.close()
    rewrite(copy, table, CHANGES[table])
    stored, live = Database(copy), live_database(copy)
    try:
        changed = 0
        for sql, params in statements(calls):
            now = live.execute(sql, params)
            pd.testing.assert_frame_equal(stored.execute(sql, params), now, obj=f"{table}: {sql[:80]}")
            changed += not before[answer_key(sql, params)].equals(now)
        assert changed, f"the change to {table} changes no figure: the test proves nothing"
    finally:
        stored.close()
        live.close()


def test_the_overview_library_hubs_follow_a_rewritten_hubs_table(warmed, tmp_path):
    """The bug this guards against: answers keyed on the people tables only kept the old count."""
    folder, _result, _calls = warmed
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    db = Database(copy)
    f = warm.standard_views(db, regions=False)["ua_hubs"][0].filters
    assert overview_queries.load_library_coverage(db, f)["library_hubs"].iloc[0] == 3
    db.close()
    rewrite(copy, "hubs", CHANGES["hubs"])
    stored, live = Database(copy), live_database(copy)
    try:
        assert overview_queries.load_library_coverage(stored, f)["library_hubs"].iloc[0] == 0
        assert (overview.compute_counts(stored, f, EXACT)["library_share"].iloc[0]
                == overview.compute_counts(live, f, EXACT)["library_share"].iloc[0] == 0)
    finally:
        stored.close()
        live.close()


def test_warming_a_changed_extract_replaces_its_old_answers(warmed, tmp_path):
    folder, _result, calls = warmed
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    old = answers(copy)
    assert old.is_dir()
    rewrite(copy, "hubs", CHANGES["hubs"])
    result = warm.run(copy, regions=False, log=lambda m: None)
    assert result["problems"] == [] and result["answers"] > 0
    assert not old.exists() and [p.name for p in answers(copy).parent.iterdir()] == [answers(copy).name]
    stored, live = Database(copy), live_database(copy)
    try:
        for sql, params in statements(calls):
            pd.testing.assert_frame_equal(stored.execute(sql, params), live.execute(sql, params), obj=sql[:80])
    finally:
        stored.close()
        live.close()


def test_a_changed_people_table_gets_new_copies_without_old_answers(warmed, tmp_path):
    folder, _result, _calls = warmed
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    assert answers(copy).is_dir()  # the copies came along with the same files and mtimes
    old_copies = prepared.location(copy)
    rewrite(copy, "activities", CHANGES["activities"])
    db = Database(copy)
    try:
        assert db.answers == answers(copy) and not db.answers.exists()
        assert not old_copies.exists()
    finally:
        db.close()


def test_a_damaged_answer_is_computed_live(warmed, tmp_path):
    folder, _result, calls = warmed
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    sql, params = statements(calls)[0]
    (answers(copy) / f"{answer_key(sql, params)}.parquet").write_bytes(b"not parquet")
    stored, live = Database(copy), live_database(copy)
    try:
        pd.testing.assert_frame_equal(stored.execute(sql, params), live.execute(sql, params))
    finally:
        stored.close()
        live.close()


# Runs the command as `python -m dashboard.clean` does, then says which Streamlit modules it loaded.
CLEAN_WRAPPER = """
import runpy, sys
sys.argv = ["dashboard.clean", *sys.argv[1:]]
try:
    runpy.run_module("dashboard.clean", run_name="__main__", alter_sys=True)
    code = 0
except SystemExit as exc:
    code = exc.code
print("streamlit modules:", sorted(m for m in sys.modules if m.split(".")[0] == "streamlit"))
sys.exit(code)
"""


def _environment() -> dict:
    return {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DASHBOARD_SALT": "s3cret"}


def test_the_clean_command_stores_the_answers_without_streamlit(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-c", CLEAN_WRAPPER, str(SAMPLES), str(out), "--quiet",
                           "--warm-country-only"], capture_output=True, text=True, env=_environment(), cwd=ROOT,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "streamlit modules: []" in proc.stdout
    assert "stored" in proc.stderr and "answers" in proc.stderr and "warning" not in proc.stderr
    assert prepared.is_ready(out) and list(answers(out).glob("*.parquet"))


def test_the_warm_command_still_works(warmed, tmp_path):
    folder, _result, _calls = warmed
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    shutil.rmtree(answers(copy))
    proc = subprocess.run([sys.executable, "-m", "dashboard.warm", str(copy), "--no-regions"], capture_output=True,
                          text=True, env=_environment(), cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "stored" in proc.stderr and "warning" not in proc.stderr
    assert list(answers(copy).glob("*.parquet"))
