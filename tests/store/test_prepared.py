"""Query-ready tables: derived from the cleaned files alone, rebuilt when they change, the same
figures whether written next to the extract or built in memory, and the same cell keys as over
the string ids."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile

import duckdb
import pandas as pd
import pytest
from conftest import build_clean

from dashboard.filters import Filters
from dashboard.metrics import overview
from dashboard.privacy import KEY_MODULUS, Rule
from dashboard.query.overview import load_activity_totals
from dashboard.store import prepared
from dashboard.store.database import Database, DataUnavailable

D = dt.date
RULE = Rule(k=3, noise=2)  # with noise: the cell keys must agree too
VIEWS = [
    Filters("ua_hubs", D(2023, 1, 1), D(2024, 12, 31)),
    Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",), age_band=("60_69", "70_plus")),
    Filters("ua_hubs", D(2024, 1, 1), D(2024, 6, 30), gender=("female",), disability=("yes",)),
    Filters("kem_centres", D(2010, 1, 1), D(2013, 12, 31)),
]


@pytest.fixture
def folder(tmp_path):
    return build_clean(tmp_path / "clean")


def independent_totals(folder, f: Filters) -> dict:
    """People, their cell key and activities of a view, from the cleaned files with pandas (string
    ids; the key is 48 bits of DuckDB's hash of each distinct person id, summed mod 2^48)."""
    acts = pd.read_parquet(folder / "activities.parquet")
    people = pd.read_parquet(folder / "participants.parquet").set_index("person_id")
    day = pd.to_datetime(acts["activity_date"]).dt.date
    keep = (acts["programme"] == f.programme) & (day >= f.start) & (day <= f.end)
    if f.regions:
        keep &= acts["region_code"].isin(f.regions)
    for column, values in f.segment().items():
        keep &= acts["person_id"].map(people[column]).isin(values)
    ids = sorted(set(acts.loc[keep, "person_id"]))
    hashes = duckdb.execute("SELECT hash(unnest(?::VARCHAR[]))", [ids]).fetchall() if ids else []
    key = sum(h >> 16 for (h,) in hashes) % KEY_MODULUS
    return {"people": len(ids), "people_key": key, "activities": int(keep.sum())}


def test_the_copies_are_written_once_next_to_the_extract(folder):
    assert not prepared.is_ready(folder)
    Database(folder).close()
    where = prepared.location(folder)
    assert prepared.is_ready(folder)
    assert sorted(p.name for p in where.iterdir() if p.is_dir()) == ["activities", "assessments", "participants"]
    # A file of columns, then one per programme and region of the fixture (two programmes, five regions)
    parts = pd.read_parquet(folder / "activities.parquet")[["programme", "region_code"]].drop_duplicates()
    assert len(list((where / "activities").glob("part-*.parquet"))) == 1 + len(parts)
    stamp = {p: p.stat().st_mtime_ns for p in where.rglob("*")}
    Database(folder).close()
    assert {p: p.stat().st_mtime_ns for p in where.rglob("*")} == stamp  # not written again
    assert [p.name for p in (folder / prepared.QUERY_DIR).iterdir()] == [where.name]


@pytest.mark.parametrize("f", VIEWS, ids=range(len(VIEWS)))
def test_figures_and_cell_keys_match_the_cleaned_files(folder, f):
    db = Database(folder)
    try:
        got = load_activity_totals(db, f).iloc[0]
    finally:
        db.close()
    expected = independent_totals(folder, f)
    assert {k: int(got[k]) for k in expected} == expected


def test_a_changed_extract_gets_new_copies_and_new_figures(folder):
    f = VIEWS[0]
    db = Database(folder)
    before = int(load_activity_totals(db, f).iloc[0]["people"])
    db.close()
    old = prepared.location(folder)
    acts = pd.read_parquet(folder / "activities.parquet")
    first = acts["person_id"].iloc[0]
    acts[acts["person_id"] != first].to_parquet(folder / "activities.parquet", index=False)
    os.utime(folder / "activities.parquet", ns=(1, 1))  # a different mtime even on a coarse clock
    assert prepared.location(folder) != old
    db = Database(folder)
    after = int(load_activity_totals(db, f).iloc[0]["people"])
    db.close()
    assert after == independent_totals(folder, f)["people"] == before - 1
    assert not old.exists()  # the stale copies are gone


def test_an_unwritable_extract_is_prepared_in_memory(folder, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    db = Database(folder)
    try:
        assert not (folder / prepared.QUERY_DIR).exists() or not prepared.is_ready(folder)
        tables = set(db.execute("SELECT table_name FROM duckdb_tables()")["table_name"])
        assert {f"query_{t}" for t in prepared.SOURCES} <= tables
        for f in VIEWS:
            got = load_activity_totals(db, f).iloc[0]
            expected = independent_totals(folder, f)
            assert {k: int(got[k]) for k in expected} == expected
    finally:
        db.close()


def test_protected_figures_are_the_same_from_disk_and_from_memory(folder, tmp_path, monkeypatch):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    on_disk = Database(folder)
    with monkeypatch.context() as m:
        m.setattr(prepared, "ensure", lambda con, where: None)
        in_memory = Database(copy)
    try:
        for f in VIEWS:
            assert overview.compute_counts(on_disk, f, RULE).equals(overview.compute_counts(in_memory, f, RULE))
            pd.testing.assert_frame_equal(overview.compute_monthly(on_disk, f, RULE),
                                          overview.compute_monthly(in_memory, f, RULE))
    finally:
        on_disk.close()
        in_memory.close()


def test_a_lost_race_keeps_the_winners_copies(folder, monkeypatch):
    con = duckdb.connect()
    for name in prepared.SOURCES:
        con.execute(f"CREATE VIEW src_{name} AS SELECT * FROM read_parquet('{folder / (name + '.parquet')}')")
    winner = prepared.ensure(con, folder)
    stamp = (winner / "activities" / "part-00001.parquet").stat().st_mtime_ns
    # A second process that looked before the first had finished: it builds, then finds the place taken.
    real, answers = prepared._complete, [False]
    monkeypatch.setattr(prepared, "_complete", lambda target: answers.pop() if answers else real(target))
    loser = prepared.ensure(con, folder)
    con.close()
    assert not answers  # it did build
    assert (winner / "activities" / "part-00001.parquet").stat().st_mtime_ns == stamp
    assert loser == winner and prepared.is_ready(folder)
    assert [p.name for p in (folder / prepared.QUERY_DIR).iterdir()] == [winner.name]


def test_the_rows_are_sorted_for_pruning(folder):
    Database(folder).close()
    con = duckdb.connect()
    acts = con.execute(f"SELECT * FROM {prepared.files(prepared.location(folder), 'activities')}").df()
    con.close()
    order = acts[["programme", "region_code", "activity_date"]].apply(tuple, axis=1).tolist()
    assert order == sorted(order)  # files in programme and region order, each sorted by date
    assert acts["person_id"].dtype == "uint64"
    people = pd.read_parquet(folder / "participants.parquet")
    assert len(acts) == len(pd.read_parquet(folder / "activities.parquet"))
    assert set(acts["age_band"]) <= set(people["age_band"])


def test_a_batch_connection_keeps_to_its_memory_limit_and_spills_where_told(folder, tmp_path):
    # A release build at ten million people must not take the machine: DuckDB gets a limit
    # and a spill folder, and the figures do not change.
    spill = tmp_path / "spill"
    db = Database(folder, memory_limit="200MB", spill=spill)
    try:
        limit, temp = db.execute("SELECT current_setting('memory_limit') AS m,"
                                 " current_setting('temp_directory') AS t").iloc[0]
        assert limit in ("190.7 MiB", "200.0 MB") and temp == str(spill)
        f = VIEWS[0]
        assert overview.compute_counts(db, f, RULE)["people"].iloc[0] == \
            overview.compute_counts(Database(folder), f, RULE)["people"].iloc[0]
    finally:
        db.close()


def test_an_extract_cleaned_before_a_column_was_added_reads_on_with_it_empty(folder):
    # hubs.placed and unplaced_reason came later: an older extract must not take the map down.
    hubs = pd.read_parquet(folder / "hubs.parquet")
    hubs.drop(columns=["placed", "unplaced_reason"]).to_parquet(folder / "hubs.parquet", index=False)
    db = Database(folder)
    try:
        read = db.execute("SELECT hub_id, lat, placed, unplaced_reason FROM hubs ORDER BY hub_id")
        assert list(read["hub_id"]) == sorted(hubs["hub_id"])
        assert read["placed"].isna().all() and read["unplaced_reason"].isna().all()
    finally:
        db.close()
    hubs.drop(columns=["name"]).to_parquet(folder / "hubs.parquet", index=False)
    with pytest.raises(DataUnavailable, match="hubs has no name.*clean again"):
        Database(folder)
