"""Disclosure control: suppression, cell-key perturbation, and no recovery of hidden cells by differencing."""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import privacy, query
from dashboard.privacy import protect, shown_count

NA = pd.NA
MOD = query.KEY_MODULUS


def keyed(counts: list, keys: list | None = None) -> pd.DataFrame:
    return pd.DataFrame({"n": counts, "n_key": keys if keys is not None else [0] * len(counts)})


@pytest.mark.parametrize("counts, k, expected", [
    ([0, 1, 9, 10, 11, 250], 10, [0, NA, NA, 10, 11, 250]),
    ([0, 1, 4, 5], 5, [0, NA, NA, 5]),
    ([None, 3.0, 12.0], 10, [NA, NA, 12]),
    ([1, 2], 1, [1, 2]),
])
def test_primary_suppression_without_noise(counts, k, expected):
    got = protect(keyed(counts), ["n"], k=k, d=0, keys={"n": "n_key"})
    pd.testing.assert_series_equal(got["n"], pd.Series(expected, dtype="Int64", name="n"))
    assert "n_key" not in got  # keys never leave the data layer


def test_rates_built_on_hidden_counts_are_hidden():
    frame = pd.DataFrame({"people": [50, 50, 4], "yes": [5, 20, 4], "share": [0.1, 0.4, 1.0],
                          "other": [0.5, 0.5, 0.5], "pk": [0, 0, 0], "yk": [0, 0, 0]})
    got = protect(frame, ["people", "yes"], rates={"share": ["people", "yes"]}, keys={"people": "pk", "yes": "yk"},
                  d=0)
    assert got["share"].tolist() == [NA, 0.4, NA]
    assert got["other"].tolist() == [0.5, 0.5, 0.5]
    assert frame["yes"].tolist() == [5, 20, 4]  # the input is not modified


def test_counts_without_cell_keys_are_refused():
    with pytest.raises(KeyError, match="cell keys"):
        protect(pd.DataFrame({"n": [12]}), ["n"])
    with pytest.raises(KeyError):
        protect(keyed([1]), ["missing"], keys={"missing": "n_key"})
    with pytest.raises(KeyError):
        protect(keyed([1]).assign(r=0.5), ["n"], rates={"r": ["other"]}, keys={"n": "n_key"})
    with pytest.raises(ValueError):
        protect(keyed([1]), ["n"], k=0, keys={"n": "n_key"})


def test_threshold_and_noise_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")
    frame = keyed([4, 6, 12])
    assert protect(frame, ["n"], keys={"n": "n_key"})["n"].tolist() == [NA, NA, 12]
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "5")
    assert protect(frame, ["n"], keys={"n": "n_key"})["n"].tolist() == [NA, 6, 12]


@pytest.mark.parametrize("key, d, change", [
    (0, 2, -2), (MOD - 1, 2, 2), (MOD // 2, 2, 0), (-(-MOD // 5), 2, -1), (MOD // 5, 2, -2), (12345, 0, 0),
    (-(-MOD // 3), 1, 0), (MOD // 3, 1, -1),
])
def test_perturbation_is_a_fixed_function_of_the_cell_key(key, d, change):
    assert privacy.perturbation(key, d) == change


def test_perturbation_is_uniform_over_its_range():
    keys = [int(hashlib.md5(str(i).encode()).hexdigest()[:12], 16) for i in range(20_000)]
    changes = pd.Series([privacy.perturbation(k, 2) for k in keys]).value_counts(normalize=True)
    assert sorted(changes.index) == [-2, -1, 0, 1, 2]
    assert changes.between(0.18, 0.22).all()


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, MOD - 1), st.integers(2, 20), st.integers(0, 5))
def test_a_shown_count_is_never_a_small_number_and_stays_near_the_truth(count, key, k, d):
    shown = shown_count(count, key, k, d)
    if count == 0:
        assert shown == 0
    elif count < k:
        assert shown is None
    else:
        assert shown >= k and abs(shown - count) <= d


def test_key_sums_in_sql_match_an_independent_computation():
    people = [f"{i:032x}" for i in range(1, 40)]
    con = duckdb.connect()
    # Each record's key on its own (DuckDB's hash, top 48 of 64 bits), summed here in Python.
    keys = [con.execute("SELECT hash(?)", [p]).fetchall()[0][0] >> 16 for p in people]
    assert all(0 <= k < MOD for k in keys)
    con.register("raw", pd.DataFrame({"id": people + people[:5]}))  # some people twice: counted once
    # The query layer holds people by their hash (dashboard.prepared); other ids are hashed in SQL.
    con.execute("CREATE TABLE t AS SELECT hash(id) AS person_id, id AS group_id FROM raw")
    got = con.execute(f"SELECT count(DISTINCT person_id), {query.key_sum('t.person_id')},"
                      f" {query.key_sum('group_id')} FROM t").fetchall()[0]
    assert got == (39, sum(keys) % MOD, sum(keys) % MOD)


# --- differencing ------------------------------------------------------------------------------

def candidates(shown: int, k: int, d: int) -> range:
    """Every exact count an attacker who knows the rule could infer from a shown count."""
    if shown == k:
        return range(k, k + d + 1)  # a count perturbed below k is shown as k
    return range(shown - d, shown + d + 1)


def person_key(pid: str) -> int:
    return int(hashlib.md5(pid.encode()).hexdigest()[:12], 16)


def shown_for(people: list[str], k: int, d: int) -> int | None:
    return shown_count(len(people), sum(map(person_key, people)) % MOD, k, d)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.booleans()), min_size=1, max_size=400, unique_by=lambda t: t[0]),
       st.integers(5, 15))
def test_a_hidden_cell_is_not_recovered_from_a_total_and_its_complement(people, k):
    """ "All ages" minus "60+" (or any total minus its shown part) never pins down a hidden cell."""
    d = 2
    everyone = [f"{i:032x}" for i, _ in people]
    older = [f"{i:032x}" for i, old in people if old]
    younger = [f"{i:032x}" for i, old in people if not old]
    if not 1 <= len(younger) < k:
        return  # the younger cell is not hidden: nothing to protect
    total, part = shown_for(everyone, k, d), shown_for(older, k, d)
    assert shown_for(younger, k, d) is None
    if total is None or part is None or part == 0:
        return  # the total or the part is hidden too: no subtraction is possible
    # The attacker's possible values for the hidden cell: every difference of candidates.
    possible = {t - p for t in candidates(total, k, d) for p in candidates(part, k, d)}
    assert len(younger) in possible  # the shown figures are honest ...
    assert len(possible) >= 2  # ... but do not single out the hidden count


def test_without_noise_differencing_would_recover_the_cell():
    """The check above can fail: with d = 0 the subtraction gives the hidden count exactly."""
    everyone = [f"{i:032x}" for i in range(60)]
    younger, older = everyone[:3], everyone[3:]
    total, part = shown_for(everyone, 10, 0), shown_for(older, 10, 0)
    assert total - part == len(younger) == 3
    total, part = shown_for(everyone, 10, 2), shown_for(older, 10, 2)
    possible = {t - p for t in candidates(total, 10, 2) for p in candidates(part, 10, 2)}
    assert 3 in possible and len(possible) > 1
