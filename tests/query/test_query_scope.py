"""What every statement shares (dashboard.query.scope): segment columns and the cell keys of privacy.protect."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard import contract, filters
from dashboard.privacy import KEY_MODULUS
from dashboard.query import scope


def test_segment_columns_come_from_the_vocabulary_only():
    assert scope.SEGMENT_COLUMNS == {c for c, _v in filters.SEGMENTS.values()}
    assert scope.SEGMENT_COLUMNS <= set(contract.TABLES["participants"].names())


def test_key_sums_in_sql_match_an_independent_computation():
    people = [f"{i:032x}" for i in range(1, 40)]
    con = duckdb.connect()
    # Each record's key on its own (DuckDB's hash, top 48 of 64 bits), summed here in Python.
    keys = [con.execute("SELECT hash(?)", [p]).fetchall()[0][0] >> 16 for p in people]
    assert all(0 <= k < KEY_MODULUS for k in keys)
    con.register("raw", pd.DataFrame({"id": people + people[:5]}))  # some people twice: counted once
    # The query layer holds people by their hash (dashboard.store.prepared); other ids are hashed in SQL.
    con.execute("CREATE TABLE t AS SELECT hash(id) AS person_id, id AS group_id FROM raw")
    got = con.execute(f"SELECT count(DISTINCT person_id), {scope.key_sum('t.person_id')},"
                      f" {scope.key_sum('group_id')} FROM t").fetchall()[0]
    assert got == (39, sum(keys) % KEY_MODULUS, sum(keys) % KEY_MODULUS)
