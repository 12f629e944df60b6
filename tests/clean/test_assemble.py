"""The pipeline's SQL (dashboard.clean.assemble) against a plain pandas computation of the same rules.

The SQL finds duplicates, key clashes and each person's first and last activity by groupings
and joins (so that it spills to disk at national scale); here the same rules are computed the
obvious way, row by row in sorted order, on random rows with many ties and repeats.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from dashboard.clean import assemble
from dashboard.clean.pipeline import PipelineError, run

SEGMENTS = assemble.SEGMENT_VOCABULARIES


def _participant_rows(seed: int, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    people = [f"p{i:03d}" for i in range(n // 6)]
    frame = pd.DataFrame({
        "file_idx": rng.integers(0, 3, n).astype("int32"),
        "line": rng.permutation(n).astype("int64") + 2,
        "person_id": rng.choice(people, n),
        "hub_id": rng.choice(["H1", "H2", "H3"], n),
        "region_code": rng.choice(["UA-46", "UA-05"], n),
        "programme": "ua_hubs",
        # Few distinct days, so that people have several activities on one day (ties broken by file, line).
        "activity_date": [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 20, n)],
        "rating_pre": np.where(rng.random(n) < 0.3, np.nan, rng.integers(1, 11, n)),
        "rating_post": np.where(rng.random(n) < 0.5, np.nan, rng.integers(1, 11, n)),
    })
    for column, vocab in SEGMENTS.items():
        # 'unknown' often, so that a person's first known value is often not on the first row.
        frame[column] = rng.choice(list(vocab) + ["unknown"] * 4, n)
    frame["fate"] = "clean"
    return frame


def _expected_people(rows: pd.DataFrame) -> pd.DataFrame:
    ordered = rows.sort_values(["activity_date", "file_idx", "line"])
    out = []
    for person, group in ordered.groupby("person_id", sort=True):
        first = group.iloc[0]
        record = {"person_id": person, "hub_id": first.hub_id, "region_code": first.region_code,
                  "programme": first.programme}
        for column in SEGMENTS:
            known = group[group[column] != "unknown"][column]
            record[column] = known.iloc[0] if len(known) else "unknown"
        record.update(first_activity_on=pd.Timestamp(group.activity_date.min()),
                      last_activity_on=pd.Timestamp(group.activity_date.max()), activities=len(group))
        out.append(record)
    return pd.DataFrame(out)


def _expected_self_ratings(rows: pd.DataFrame) -> pd.DataFrame:
    ordered = rows.sort_values(["activity_date", "file_idx", "line"])
    out = []
    for person, group in ordered.groupby("person_id", sort=True):
        first = group.iloc[0]
        if not np.isnan(first.rating_pre):
            out.append((person, "pre", first.rating_pre, pd.Timestamp(first.activity_date), first.hub_id))
        after = group[group.rating_post.notna()]
        if len(after):
            last = after.iloc[-1]
            out.append((person, "post", last.rating_post, pd.Timestamp(last.activity_date), last.hub_id))
    return pd.DataFrame(out, columns=["person_id", "stage", "score", "assessed_on", "hub_id"])


@pytest.fixture
def con():
    con = duckdb.connect()
    yield con
    con.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_people_take_their_first_activity_and_first_known_segment(con, seed):
    rows = _participant_rows(seed)
    con.register("rows", rows)
    con.execute("CREATE TABLE resolved_participants AS SELECT * FROM rows")
    for statement in assemble.PREPARE_SQL["participants"]:
        con.execute(statement)
    found = con.sql(assemble.TABLE_SQL["participants"]).df()
    expected = _expected_people(rows)
    pd.testing.assert_frame_equal(found[expected.columns].reset_index(drop=True), expected,
                                  check_dtype=False)


@pytest.mark.parametrize("seed", [4, 5])
def test_self_ratings_before_at_the_first_activity_and_after_at_the_last_given(con, seed):
    rows = _participant_rows(seed)
    con.register("rows", rows)
    con.execute("CREATE TABLE resolved_participants AS SELECT * FROM rows")
    # No Digigram rows: an empty table with the columns the statement reads.
    con.execute("CREATE TABLE resolved_digigram AS SELECT 'x' AS person_id, 'pre' AS stage, DATE '2024-01-01' AS assessed_on,"
                " 'H1' AS hub_id, 'UA-46' AS region_code, 'ua_hubs' AS programme, 1.0 AS overall, 1.0 AS basics,"
                " 1.0 AS information, 1.0 AS communication, 1.0 AS content, 1.0 AS safety, 1.0 AS problem_solving,"
                " 'clean' AS fate LIMIT 0")
    found = con.sql(assemble.TABLE_SQL["assessments"]).df()
    assert set(found.instrument) == {"self_rating"} and set(found.area) == {"overall"}
    expected = _expected_self_ratings(rows).sort_values(["person_id", "stage"]).reset_index(drop=True)
    found = found.sort_values(["person_id", "stage"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(found[expected.columns], expected, check_dtype=False)


def _staged_tests(seed: int, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "file_idx": rng.integers(0, 3, n).astype("int32"),
        "line": np.arange(n, dtype="int64") + 2,
        "person_id": rng.choice([f"p{i}" for i in range(300)], n),
        "stage": rng.choice(["pre", "post"], n),
        "assessed_on": [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 10, n)],
        "reason": np.where(rng.random(n) < 0.1, "bad_score", None),
        "detail": None,
    })
    # A row hash that repeats often: exact copies of a report row.
    frame["row_hash"] = [f"h{v}" for v in rng.integers(0, n // 2, n)]
    return frame


def _expected_fates(rows: pd.DataFrame) -> pd.Series:
    fate = {}
    seen_hash = set()
    for r in rows.sort_values(["file_idx", "line"]).itertuples():
        if r.row_hash in seen_hash:
            fate[(r.file_idx, r.line)] = "duplicate"
        else:
            seen_hash.add(r.row_hash)
            fate[(r.file_idx, r.line)] = "quarantined" if pd.notna(r.reason) else None
    valid = rows[[fate[(f, line)] is None for f, line in zip(rows.file_idx, rows.line)]].copy()
    # Keep-order: the first test before training, the last test after it; then file and line.
    days = np.array([d.toordinal() for d in valid.assessed_on])
    valid["order"] = np.where(valid.stage == "post", -days, days)
    for _key, group in valid.sort_values(["order", "file_idx", "line"]).groupby(["person_id", "stage"]):
        for i, r in enumerate(group.itertuples()):
            fate[(r.file_idx, r.line)] = "clean" if i == 0 else "quarantined_key"
    return pd.Series(fate)


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_duplicates_and_repeated_tests_resolved_as_row_by_row(con, seed):
    rows = _staged_tests(seed)
    con.register("rows", rows)
    con.execute("CREATE VIEW stage_digigram AS SELECT * FROM rows")
    con.execute(assemble.resolve_sql("digigram"))
    found = con.sql("SELECT file_idx, line, fate, reason FROM resolved_digigram").df()
    expected = _expected_fates(rows)
    assert len(found) == len(rows)
    for r in found.itertuples():
        want = expected[(r.file_idx, r.line)]
        if want == "quarantined_key":
            assert (r.fate, r.reason) == ("quarantined", "repeated_test"), (r.file_idx, r.line)
        else:
            assert r.fate == want, (r.file_idx, r.line)
    assert (found.fate == "quarantined").sum() > (found.reason == "bad_score").sum() > 0  # both kinds occur
    assert (found.fate == "duplicate").sum() > 0


def test_a_run_beyond_the_order_key_limits_stops_with_a_message(tmp_path, monkeypatch):
    # The per-person tables join on an activity's place (day, file, line), unique only within
    # these limits: beyond them the run stops and says what to do, rather than mixing people up.
    samples = Path(__file__).resolve().parent.parent / "fixtures" / "raw_samples"
    monkeypatch.setattr(assemble, "MAX_LINE", 3)
    with pytest.raises(PipelineError, match=r"at most [\d,]+ raw files of at most 3 lines each .*clean them in parts"):
        run(samples, tmp_path / "clean", b"test-salt", progress=False)
    assert not (tmp_path / "clean").exists()
