"""Disclosure control: the Rule and its settings, suppression, cell-key perturbation, hidden counts in words, and no recovery of hidden cells by differencing."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import privacy
from dashboard.i18n import Translator
from dashboard.privacy import Rule, protect, shown_count

NA = pd.NA
MOD = privacy.KEY_MODULUS
EXACT = Rule(k=10, noise=0)


def keyed(counts: list, keys: list | None = None) -> pd.DataFrame:
    return pd.DataFrame({"n": counts, "n_key": keys if keys is not None else [0] * len(counts)})


@pytest.mark.parametrize("counts, k, expected", [
    ([0, 1, 9, 10, 11, 250], 10, [0, NA, NA, 10, 11, 250]),
    ([0, 1, 4, 5], 5, [0, NA, NA, 5]),
    ([None, 3.0, 12.0], 10, [NA, NA, 12]),
    ([1, 2], 1, [1, 2]),
])
def test_primary_suppression_without_noise(counts, k, expected):
    got = protect(keyed(counts), ["n"], Rule(k=k, noise=0), keys={"n": "n_key"})
    pd.testing.assert_series_equal(got["n"], pd.Series(expected, dtype="Int64", name="n"))
    assert "n_key" not in got  # keys never leave the data layer


def test_rates_built_on_hidden_counts_are_hidden():
    frame = pd.DataFrame({"people": [50, 50, 4], "yes": [5, 20, 4], "share": [0.1, 0.4, 1.0],
                          "other": [0.5, 0.5, 0.5], "pk": [0, 0, 0], "yk": [0, 0, 0]})
    got = protect(frame, ["people", "yes"], EXACT, rates={"share": ["people", "yes"]},
                  keys={"people": "pk", "yes": "yk"})
    assert got["share"].tolist() == [NA, 0.4, NA]
    assert got["other"].tolist() == [0.5, 0.5, 0.5]
    assert frame["yes"].tolist() == [5, 20, 4]  # the input is not modified


def test_counts_without_cell_keys_are_refused():
    with pytest.raises(KeyError, match="cell keys"):
        protect(pd.DataFrame({"n": [12]}), ["n"], EXACT)
    with pytest.raises(KeyError):
        protect(keyed([1]), ["missing"], EXACT, keys={"missing": "n_key"})
    with pytest.raises(KeyError):
        protect(keyed([1]).assign(r=0.5), ["n"], EXACT, rates={"r": ["other"]}, keys={"n": "n_key"})


def test_the_rule_is_required_and_positional():
    with pytest.raises(TypeError):
        protect(keyed([1]), ["n"], keys={"n": "n_key"})  # no rule: nothing is read from the environment
    with pytest.raises(TypeError):
        protect(keyed([1]), ["n"], EXACT, k=5, keys={"n": "n_key"})  # the old k= / d= are gone


def test_protect_does_not_read_the_environment(monkeypatch):
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "5")
    monkeypatch.setenv("DASHBOARD_NOISE", "3")
    frame = keyed([4, 6, 12])
    assert protect(frame, ["n"], EXACT, keys={"n": "n_key"})["n"].tolist() == [NA, NA, 12]
    assert protect(frame, ["n"], Rule(k=5, noise=0), keys={"n": "n_key"})["n"].tolist() == [NA, 6, 12]


@pytest.mark.parametrize("k, noise", [(0, 0), (-3, 2), (10, -1), (1, -5)])
def test_rule_refuses_k_below_one_and_negative_noise(k, noise):
    with pytest.raises(ValueError):
        Rule(k=k, noise=noise)


@pytest.mark.parametrize("k, noise", [(1, 0), (10, 2), (25, 5)])
def test_rule_accepts_and_is_frozen(k, noise):
    rule = Rule(k=k, noise=noise)
    assert (rule.k, rule.noise) == (k, noise) and rule == Rule(k, noise) and hash(rule) == hash(Rule(k, noise))
    with pytest.raises(AttributeError):
        rule.k = 3


@pytest.mark.parametrize("env, expected", [
    ({}, Rule(k=10, noise=2)),  # the defaults
    ({"DASHBOARD_MIN_COUNT": "5"}, Rule(k=5, noise=2)),
    ({"DASHBOARD_NOISE": "0"}, Rule(k=10, noise=0)),
    ({"DASHBOARD_MIN_COUNT": "20", "DASHBOARD_NOISE": "5"}, Rule(k=20, noise=5)),
    ({"DASHBOARD_MIN_COUNT": " 12 "}, Rule(k=12, noise=2)),
])
def test_rule_from_settings(monkeypatch, env, expected):
    for name in ("DASHBOARD_MIN_COUNT", "DASHBOARD_NOISE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert privacy.from_settings() == expected


@pytest.mark.parametrize("name, value", [
    ("DASHBOARD_MIN_COUNT", "ten"), ("DASHBOARD_MIN_COUNT", "1"), ("DASHBOARD_MIN_COUNT", "0"),
    ("DASHBOARD_MIN_COUNT", "-4"), ("DASHBOARD_MIN_COUNT", "7.5"), ("DASHBOARD_MIN_COUNT", ""),
    ("DASHBOARD_NOISE", "two"), ("DASHBOARD_NOISE", "-1"), ("DASHBOARD_NOISE", "6"), ("DASHBOARD_NOISE", ""),
])
def test_a_bad_setting_is_refused_by_name(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        privacy.from_settings()


# --- hidden counts in words -----------------------------------------------------------------------

def test_a_translator_without_k_writes_no_hidden_count():
    tr = Translator("en")
    assert tr.k is None
    with pytest.raises(ValueError):
        tr.count(None)
    with pytest.raises(ValueError):
        tr.count(NA)
    with pytest.raises(ValueError):
        tr.fewer_than()
    assert tr.count(12) == "12"  # a shown count needs no k


@pytest.mark.parametrize("lang, k, expected", [
    ("en", 7, "fewer than 7"), ("en", 10, "fewer than 10"), ("en", 1000, "fewer than 1,000"),
    ("uk", 7, "менше 7"),
])
def test_a_hidden_count_names_the_translators_k(lang, k, expected):
    tr = Translator(lang, k)
    assert tr.k == k
    assert tr.count(None).replace("\u00a0", " ") == expected
    assert tr.count(NA) == tr.fewer_than() == tr.count(None)
    assert tr.count(25) == tr.number(25)


# d = 2: weights 1, 6, 6, 6, 1 of 20 for -2..2, so keys below 1/20 of the range get -2, below
# 7/20 -1, below 13/20 0, below 19/20 +1, the rest +2; d = 1: 1, 6, 1 of 8.
@pytest.mark.parametrize("key, d, change", [
    (0, 2, -2), (MOD // 20 - 1, 2, -2), (MOD * 3 // 20, 2, -1), (MOD // 2, 2, 0), (MOD * 16 // 20, 2, 1),
    (MOD - 1, 2, 2), (12345, 0, 0), (MOD // 12, 1, -1), (MOD // 2, 1, 0), (MOD * 11 // 12, 1, 1),
])
def test_perturbation_is_a_fixed_function_of_the_cell_key(key, d, change):
    assert privacy.perturbation(key, d) == change
    assert privacy.changes([key, key], d).tolist() == [change, change]


def test_perturbation_follows_its_table():
    """The largest changes rare: 1/20 of cells each +-2, 6/20 each -1, 0 and +1."""
    keys = [int(hashlib.md5(str(i).encode()).hexdigest()[:12], 16) for i in range(40_000)]
    changes = pd.Series([privacy.perturbation(k, 2) for k in keys]).value_counts(normalize=True)
    expected = {-2: 1 / 20, -1: 6 / 20, 0: 6 / 20, 1: 6 / 20, 2: 1 / 20}
    assert sorted(changes.index) == sorted(expected)
    for change, share in expected.items():
        assert abs(changes[change] - share) < 0.01, change


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, MOD - 1), min_size=1, max_size=50), st.integers(0, 20))
def test_sum_changes_stay_within_their_bound_and_follow_the_key(keys, bound):
    got = privacy.sum_perturbation(keys, bound)
    assert ((got >= -bound) & (got <= bound)).all()
    # A plain second computation with Python's integers.
    mix = 0x9E3779B97F4A7C15 % MOD | 1
    assert got.tolist() == [((k * mix) % MOD) * (2 * bound + 1) // MOD - bound if bound else 0 for k in keys]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, MOD - 1), st.integers(2, 20), st.integers(0, 5))
def test_a_shown_count_is_never_a_small_number_and_stays_near_the_truth(count, key, k, d):
    shown = shown_count(count, key, k, d)
    change = privacy.perturbation(key, d)
    if count == 0:
        assert shown == 0
    elif count < k or count + change < k:  # small, or changed below k: hidden
        assert shown is None
    else:
        assert shown == count + change and shown >= k and abs(shown - count) <= d


# --- differencing ------------------------------------------------------------------------------

def candidates(shown: int, k: int, d: int) -> range:
    """Every exact count an attacker who knows the rule could infer from a shown count."""
    return range(max(shown - d, k), shown + d + 1)  # never from fewer than k


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
