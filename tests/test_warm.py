"""Stored answers of the standard views: each equals the live result of its statement, pages read
them instead of querying, and a changed extract or another view never uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import build_clean

from dashboard import metrics, prepared, query, warm
from dashboard.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "fixtures" / "raw_samples"


@pytest.fixture(scope="module")
def warmed(tmp_path_factory):
    """The fixture extract with the answers of every page's whole-country views, and the statements
    the pages sent while they were stored."""
    folder = build_clean(tmp_path_factory.mktemp("warm") / "clean")
    calls: list[tuple[str, list]] = []
    original = query.Database.execute

    def spy(db, sql, params=()):
        calls.append((sql, list(params)))
        return original(db, sql, params)

    mp = pytest.MonkeyPatch()
    mp.setattr(query.Database, "execute", spy)
    try:
        result = warm.run(folder, regions=False, log=lambda m: None)
    finally:
        mp.undo()
    return folder, result, calls


def answers(folder: Path) -> Path:
    return prepared.location(folder) / prepared.ANSWERS_DIR


def test_every_page_ran_and_stored_its_answers(warmed):
    folder, result, calls = warmed
    assert result["problems"] == []
    assert result["runs"] == result["pages"] * result["programmes"] == 7 * 2
    keys = {query.answer_key(sql, params) for sql, params in calls}
    assert result["answers"] == len(keys) == len(list(answers(folder).glob("*.parquet")))
    assert not query.Database.record  # the switch is off again after the run
    assert not list(answers(folder).glob(".*"))  # no temporary file left behind


def test_every_stored_answer_is_the_live_result(warmed, tmp_path):
    folder, _result, calls = warmed
    live = query.Database(folder)
    live._answers = None  # this connection always queries
    stored = query.Database(folder)
    try:
        assert stored._answers == answers(folder)
        for sql, params in {query.answer_key(s, p): (s, p) for s, p in calls}.values():
            pd.testing.assert_frame_equal(stored.execute(sql, params), live.execute(sql, params),
                                          obj=sql[:80])
    finally:
        live.close()
        stored.close()


def test_a_page_view_reads_answers_instead_of_querying(warmed):
    folder, _result, _calls = warmed
    db = query.Database(folder)
    sent = []
    con = db._con

    class Spy:
        def execute(self, sql, params=None):
            sent.append(sql)
            return con.execute(sql, params) if params is not None else con.execute(sql)

    db._con = Spy()
    try:
        spans = query.load_programme_spans(db)
        assert sent and all("read_parquet(" in s and prepared.ANSWERS_DIR in s for s in sent)
        sent.clear()
        # A view no page showed (one region) is computed live, and not stored (not recording).
        row = spans[spans["programme"] == "ua_hubs"].iloc[0]
        f = Filters("ua_hubs", row["first_day"], row["last_day"], regions=("UA-05",))
        before = set(answers(folder).iterdir())
        metrics.compute_counts(db, f, k=3)
        assert sent and not any(prepared.ANSWERS_DIR in s for s in sent)
        assert set(answers(folder).iterdir()) == before
    finally:
        db._con = con
        db.close()


def test_answers_are_keyed_by_statement_and_typed_parameters():
    f = Filters("ua_hubs", *[__import__("datetime").date(2024, 1, 1)] * 2)
    sql, params = query._activity_scope(f)
    assert query.answer_key(sql, params) == query.answer_key(sql, list(params))
    assert query.answer_key(sql, params) != query.answer_key(sql + " ", params)
    other = query._activity_scope(replace(f, programme="kem_centres"))
    assert query.answer_key(sql, params) != query.answer_key(*other)
    assert query.answer_key("SELECT ?", [1]) != query.answer_key("SELECT ?", ["1"])


def test_a_changed_extract_does_not_use_old_answers(warmed, tmp_path):
    import shutil

    folder, _result, _calls = warmed
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    assert answers(copy).is_dir()  # the copies came along with the same files and mtimes
    acts = pd.read_parquet(copy / "activities.parquet")
    acts.iloc[1:].to_parquet(copy / "activities.parquet", index=False)
    os.utime(copy / "activities.parquet", ns=(1, 1))
    db = query.Database(copy)
    try:
        assert db._answers == answers(copy) and not db._answers.exists()
        assert not (copy / prepared.QUERY_DIR / answers(folder).parent.name).exists()
    finally:
        db.close()


def test_the_clean_command_stores_the_answers(tmp_path):
    out = tmp_path / "out"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DASHBOARD_SALT": "s3cret"}
    proc = subprocess.run([sys.executable, "-m", "dashboard.clean", str(SAMPLES), str(out), "--quiet",
                           "--warm-country-only"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "stored" in proc.stderr and "answers" in proc.stderr
    assert prepared.is_ready(out) and list(answers(out).glob("*.parquet"))
