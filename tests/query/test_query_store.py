"""The store under the query layer (dashboard.store.database): views over the extract, unreadable folders, report and version.

Kept with the query tests: these are the statements' door to the data.
"""

from __future__ import annotations

import os
import shutil

import pytest

from dashboard import contract
from dashboard.store.database import Database, DataUnavailable, data_version, load_report


def test_every_contract_table_is_a_view(db):
    for name in (*contract.TABLES, "quarantine"):
        assert list(db.execute(f"SELECT * FROM {name} LIMIT 0").columns)  # the view exists


def test_absent_optional_table_is_an_empty_view_with_contract_columns(clean_dir, tmp_path):
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    (folder / "partners.parquet").unlink()
    db = Database(folder)
    try:
        frame = db.execute("SELECT * FROM partners")
    finally:
        db.close()
    assert frame.empty
    assert list(frame.columns) == contract.TABLES["partners"].names()


@pytest.mark.parametrize("remove, missing", [
    ("folder", ("regions", "hubs", "participants", "activities")),
    ("activities.parquet", ("activities",)),
])
def test_missing_folder_or_core_table_is_reported(clean_dir, tmp_path, remove, missing):
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    if remove == "folder":
        shutil.rmtree(folder)
    else:
        (folder / remove).unlink()
    with pytest.raises(DataUnavailable) as info:
        Database(folder)
    assert info.value.missing == missing


def test_unreadable_parquet_is_reported(clean_dir, tmp_path):
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    (folder / "hubs.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(DataUnavailable, match="unreadable"):
        Database(folder)


def test_report_and_version(clean_dir, tmp_path):
    assert load_report(clean_dir)["data_date"] == "2025-06-30"
    assert load_report(tmp_path) == {}
    (tmp_path / "report.json").write_text("{not json", encoding="utf-8")
    assert load_report(tmp_path) == {}
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    before = data_version(folder)
    stamp = os.stat(folder / "hubs.parquet").st_mtime_ns + 10**9
    os.utime(folder / "hubs.parquet", ns=(stamp, stamp))
    assert data_version(folder) != before
    assert data_version(tmp_path / "nowhere") == "missing"
