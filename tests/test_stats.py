"""Tests of the statistics layer against values worked out by hand (formulas written out here)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard import stats
from dashboard.privacy import KEY_MODULUS

Z = 1.959963984540054  # the normal quantile of 97.5%
T3 = 3.182446305284263  # Student's t, 97.5%, 3 degrees of freedom (from printed tables)
T1 = 12.706204736174707  # Student's t, 97.5%, 1 degree of freedom


def wilson_by_hand(x: int, n: int) -> tuple[float, float]:
    """Wilson's score interval written out (E. B. Wilson, 1927)."""
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize("x, n", [(0, 10), (5, 10), (10, 10), (1, 1), (16, 19), (10131, 59732)])
def test_wilson_matches_the_formula(x, n):
    lo, hi = stats.wilson(x, n)
    expected = wilson_by_hand(x, n)
    assert lo[0] == pytest.approx(expected[0], abs=1e-12)
    assert hi[0] == pytest.approx(expected[1], abs=1e-12)
    assert 0 <= lo[0] <= x / n <= hi[0] <= 1


def test_wilson_of_nobody_is_unknown():
    lo, hi = stats.wilson([0, 3, np.nan], [0, 0, 5])
    assert np.isnan(lo).all() and np.isnan(hi).all()


def test_wilson_is_vectorised():
    lo, hi = stats.wilson([0, 5], [10, 10])
    assert lo.tolist() == pytest.approx([wilson_by_hand(0, 10)[0], wilson_by_hand(5, 10)[0]])
    assert hi.tolist() == pytest.approx([wilson_by_hand(0, 10)[1], wilson_by_hand(5, 10)[1]])


def test_mean_ci_matches_the_t_formula():
    values = [1.0, 2.0, 3.0, 4.0]
    mean, sd = 2.5, math.sqrt(sum((v - 2.5) ** 2 for v in values) / 3)
    lo, hi = stats.mean_ci(4, mean, sd)
    assert lo[0] == pytest.approx(2.5 - T3 * sd / 2, abs=1e-9)
    assert hi[0] == pytest.approx(2.5 + T3 * sd / 2, abs=1e-9)
    lo2, hi2 = stats.mean_ci(2, 5.0, math.sqrt(2))  # values 4 and 6
    assert (lo2[0], hi2[0]) == pytest.approx((5 - T1, 5 + T1))


@pytest.mark.parametrize("n, mean, sd", [(1, 3.0, np.nan), (0, np.nan, np.nan), (np.nan, 2.0, 1.0)])
def test_mean_ci_needs_two_values(n, mean, sd):
    lo, hi = stats.mean_ci(n, mean, sd)
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_mean_ci_of_identical_values_has_no_width():
    lo, hi = stats.mean_ci(5, 7.0, 0.0)
    assert (lo[0], hi[0]) == (7.0, 7.0)


def test_share():
    assert stats.share([1, 0, 3, 2], [4, 0, 0, np.nan])[0] == 0.25
    assert np.isnan(stats.share([1, 0, 3, 2], [4, 0, 0, np.nan])[1:]).all()


@pytest.mark.parametrize("part, whole, expected", [
    (1, 4, 0.25), (0, 4, 0.0), (3, 3, 1.0), (2.0, 8.0, 0.25),
    (3, 0, math.nan),  # zero base: a share of nobody is unknown, not 0 or infinite
    (0, 0, math.nan),
    (3, None, math.nan), (3, np.nan, math.nan), (3, pd.NA, math.nan),  # missing base
    (None, 4, math.nan), (np.nan, 4, math.nan),  # missing part
])
def test_ratio(part, whole, expected):
    got = stats.ratio(part, whole)
    assert isinstance(got, float)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


@pytest.mark.parametrize("count, population, expected", [
    (13, 1_500_000, 13 / 1_500_000 * 100_000), (0, 2_480_000, 0.0), (100_000, 100_000, 100_000.0),
    (5, 0, math.nan),  # zero base
    (5, None, math.nan), (5, np.nan, math.nan), (5, pd.NA, math.nan),  # no population
])
def test_per_residents(count, population, expected):
    got = stats.per_residents(count, population)[0]
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_per_residents_is_vectorised_and_uses_the_indicator_base():
    from dashboard.indicators import PER_RESIDENTS

    got = stats.per_residents(pd.Series([13, 11, 4]), pd.Series([1_500_000, 2_480_000, 0]))
    assert got[:2].tolist() == pytest.approx([13 / 1_500_000 * PER_RESIDENTS, 11 / 2_480_000 * PER_RESIDENTS])
    assert math.isnan(got[2])


def test_add_share_and_mean_ci_columns():
    frame = pd.DataFrame({"x": [5, 0], "n": [10, 0], "m": [2.0, np.nan], "sd": [1.0, np.nan], "k": [4, 0]})
    out = stats.add_mean_ci(stats.add_share(frame, "s", "x", "n"), "m", "k", "sd")
    assert out["s"].tolist()[0] == 0.5 and np.isnan(out["s"].tolist()[1])
    assert out.loc[0, "s_lo"] == pytest.approx(wilson_by_hand(5, 10)[0])
    assert out.loc[0, "m_hi"] == pytest.approx(2.0 + T3 * 1.0 / 2)
    assert np.isnan(out.loc[1, "s_lo"]) and np.isnan(out.loc[1, "m_lo"])


def test_cumulative_totals_and_keys():
    frame = pd.DataFrame({"c": [2, 0, 5], "c_key": [KEY_MODULUS - 1, 0, 3]})
    out = stats.cumulative(frame, "c", "c_key")
    assert out["c_total"].tolist() == [2, 2, 7]
    # Keys add modulo 2^48, like the key of the union of the months' people.
    assert out["c_total_key"].tolist() == [KEY_MODULUS - 1, KEY_MODULUS - 1, 2]


def test_combine_keys():
    assert stats.combine_keys([]) == 0
    assert stats.combine_keys([KEY_MODULUS - 2, 5]) == 3


@pytest.mark.parametrize("values, expected", [
    ([None, 117, 1856, 4786, 59732], [math.nan, math.nan, 1856 / 117, 4786 / 1856, 59732 / 4786]),
    ([10, 0, 5], [math.nan, 0.0, math.nan]),  # nothing to divide by after a stage of zero
    ([10, pd.NA, 5], [math.nan, math.nan, math.nan]),  # a hidden stage hides its neighbours' ratios
])
def test_stage_ratios(values, expected):
    got = stats.stage_ratios(values)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert (math.isnan(g) and math.isnan(e)) or g == pytest.approx(e)


@pytest.mark.parametrize("waiting, capacity, expected", [
    (1000, 1.0, 1000.0), (163, 40.0, 4.075), (0, 0.0, 0.0), (0, np.nan, 0.0),
    (50, 0.0, math.nan), (50, np.nan, math.nan),
])
def test_months_to_clear(waiting, capacity, expected):
    got = stats.months_to_clear(waiting, capacity)[0]
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


@pytest.mark.parametrize("a, b, expected", [
    ((1, 2), (2, 3), True), ((1, 2), (2.5, 3), False), ((2.5, 3), (1, 2), False), ((1, np.nan), (0, 1), None),
])
def test_overlap(a, b, expected):
    assert stats.overlap(*a, *b) is expected
