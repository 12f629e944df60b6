"""Who is left behind (dashboard.metrics.gaps, stats.part_gap_ci) against gaps worked out by hand.

Two fixtures with a known gap: a hand-made table of cells (the ranking, the interval, hidden and
"unknown" cells left out), and the test extract (tests/conftest.py), where Kyiv Oblast's men of
2024 (group B's 8 men and P) gained 24/9 = 2.67 points against 74/19 = 3.89 nationally.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dashboard import stats
from dashboard.filters import SEGMENTS, Filters
from dashboard.metrics import gaps
from dashboard.metrics.live import Live
from dashboard.privacy import Rule
from dashboard.release.build import build
from dashboard.release.source import Release


# The reference the tests hold the sources' one-statement cells against: a source's per-view
# figures asked one region and characteristic at a time.
def collect_cells(ratings, f: Filters, areas: Sequence[str]) -> tuple[pd.Series, pd.DataFrame]:
    """The national self-rating figures of `f`'s programme and period (no region, no group) and
    those of every area of `areas` × value of every characteristic (columns area, dimension and
    gaps.RATING_COLUMNS). `f`'s regions and group do not apply: the gaps are of single groups."""
    bare = Filters(programme=f.programme, start=f.start, end=f.end)
    national = ratings(bare, None).iloc[0]
    parts = []
    for area in areas:
        scoped = replace(bare, regions=(area,) if area else ())
        for dimension in SEGMENTS:
            found = ratings(scoped, dimension)
            parts.append(found[list(gaps.RATING_COLUMNS)].assign(area=area, dimension=dimension))
    cells = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["area", "dimension",
                                                                                   *gaps.RATING_COLUMNS])
    return national, cells

Z = 1.959963984540054  # the normal 97.5th percentile
NATIONAL = pd.Series({"value": "all", "n_both": 100, "gain_mean": 3.0, "gain_mean_lo": 2.6, "gain_mean_hi": 3.4,
                      "gain_sd": 2.0})
# area, dimension, value, n_both, gain_mean, gain_sd (lo/hi of the cell's own mean: any numbers).
CELLS = [
    ("UA-05", "age", "70_plus", 25, 1.5, 1.0),
    ("UA-05", "settlement", "village", 40, 2.0, 2.0),
    ("UA-32", "age", "70_plus", 10, 0.5, 4.0),
    ("UA-32", "gender", "female", 30, 3.1, 2.0),
    ("UA-05", "gender", "male", 50, 4.0, 1.0),
    ("UA-32", "age", "60_69", None, None, None),   # hidden by protection: not in the list
    ("UA-05", "age", "unknown", 30, 0.5, 1.0),     # not a group anyone asks about
]
# By hand: gap = gain − 3.0; variance = sd²/n + 2²/100 − 2·sd²/100; interval gap ± 1.96·√variance.
#   UA-05 70+:     −1.5; 1/25 + 0.04 − 0.02 = 0.06;   ± 0.480 → −1.98 .. −1.02  behind
#   UA-05 village: −1.0; 4/40 + 0.04 − 0.08 = 0.06;   ± 0.480 → −1.48 .. −0.52  behind
#   UA-32 70+:     −2.5; 16/10 + 0.04 − 0.32 = 1.32;  ± 2.252 → −4.75 .. −0.25  behind (few people: ranked last of them)
#   UA-32 women:   +0.1; 4/30 + 0.04 − 0.08 = 0.0933; ± 0.599 → −0.50 .. +0.70  level
#   UA-05 men:     +1.0; 1/50 + 0.04 − 0.02 = 0.04;   ± 0.392 → +0.61 .. +1.39  ahead
EXPECTED = [
    ("UA-05", "age", "70_plus", 25, 1.5, -1.5, -1.98, -1.02, "behind"),
    ("UA-05", "settlement", "village", 40, 2.0, -1.0, -1.48, -0.52, "behind"),
    ("UA-32", "age", "70_plus", 10, 0.5, -2.5, -4.75, -0.25, "behind"),
    ("UA-32", "gender", "female", 30, 3.1, 0.1, -0.5, 0.7, "level"),
    ("UA-05", "gender", "male", 50, 4.0, 1.0, 0.61, 1.39, "ahead"),
]


def _cells() -> pd.DataFrame:
    frame = pd.DataFrame(CELLS, columns=["area", "dimension", "value", "n_both", "gain_mean", "gain_sd"])
    frame["n_both"] = pd.array(frame["n_both"], dtype="Int64")
    frame["gain_mean"] = frame["gain_mean"].astype("float64")
    return frame.assign(gain_mean_lo=frame["gain_mean"] - 0.5, gain_mean_hi=frame["gain_mean"] + 0.5)


def test_the_ranking_of_a_table_with_known_gaps():
    got = gaps.compute_gaps(NATIONAL, _cells())
    assert list(got.columns) == list(gaps.COLUMNS)
    columns = ["area", "dimension", "value", "n_both", "gain_mean", "gap", "gap_lo", "gap_hi", "standing"]
    expected = pd.DataFrame(EXPECTED, columns=columns)
    shown = got[columns].astype({"n_both": "int64"})
    pd.testing.assert_frame_equal(shown, expected, check_dtype=False)
    assert (got["national_gain"] == 3.0).all() and (got["national_n"] == 100).all()
    assert (got["national_lo"] == 2.6).all() and (got["national_hi"] == 3.4).all()
    assert gaps.left_behind(got)["value"].tolist() == ["70_plus", "village", "70_plus"]


def test_nothing_shown_gives_an_empty_list():
    hidden = _cells().assign(gain_mean=np.nan)
    assert gaps.compute_gaps(NATIONAL, hidden).empty
    assert gaps.compute_gaps(NATIONAL.copy().replace({3.0: np.nan}), _cells())["standing"].tolist() == []


@pytest.mark.parametrize("n_part, sd_part, n_whole, sd_whole, gap", [
    (25, 1.0, 100, 2.0, -1.5), (10, 4.0, 100, 2.0, -2.5), (9, 1.5811, 19, 1.5950, -1.2281),
])
def test_the_interval_of_a_part_against_its_whole(n_part, sd_part, n_whole, sd_whole, gap):
    lo, hi = stats.part_gap_ci(n_part, sd_part, n_whole, sd_whole, gap)
    # A second computation: simulate nothing, write the variance out as a sum over the two means.
    half = Z * math.sqrt(sd_part ** 2 / n_part + sd_whole ** 2 / n_whole - 2 * sd_part ** 2 / n_whole)
    assert (lo[0], hi[0]) == pytest.approx((gap - half, gap + half))


def test_too_few_people_have_no_interval():
    lo, hi = stats.part_gap_ci([1, np.nan], [1.0, 1.0], [100, 100], [2.0, 2.0], [-1.0, -1.0])
    assert np.isnan(lo).all() and np.isnan(hi).all()


# ---- the test extract: Kyiv Oblast in 2024, k = 5 so that groups of 8 and 9 are shown ----------
# Gains of 2024 (post − pre, people rated both): A01–A10 5 each (Vinnytsia Oblast), B01–B08
# 1 1 1 4 4 4 4 4 (Kyiv Oblast), P 1 (both oblasts). Nationally 74/19 = 3.8947, sd √((334 − 74²/19)/18) = 1.5950.
# Kyiv Oblast's groups: B and P (men, not displaced): 24/9 = 2.6667, sd √(20/8) = 1.5811; B alone
# (25–44, city, employed, without a disability): 23/8 = 2.875, sd √(16.875/7) = 1.5526.
Y2024 = Filters(programme="ua_hubs", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))


def _by_hand(gain: float, sd: float, n: int, national: float = 74 / 19, sd_n: float = math.sqrt((334 - 74 ** 2 / 19) / 18),
             n_n: int = 19) -> tuple[float, float, float]:
    gap = gain - national
    half = Z * math.sqrt(sd ** 2 / n + sd_n ** 2 / n_n - 2 * sd ** 2 / n_n)
    return round(gap, 2), round(gap - half, 2), round(gap + half, 2)


def test_the_extracts_known_gap_live(db):
    national, cells = collect_cells(Live(db, Rule(5, 0)).ratings, Y2024, ["UA-32"])
    got = gaps.compute_gaps(national, cells)
    b_and_p = _by_hand(24 / 9, math.sqrt(20 / 8), 9)
    b_alone = _by_hand(23 / 8, math.sqrt(16.875 / 7), 8)
    assert b_and_p == (-1.23, -1.98, -0.47) and b_alone == (-1.02, -1.85, -0.18)
    expected = [("gender", "male", 9, *b_and_p), ("displaced", "no", 9, *b_and_p),
                ("age", "25_44", 8, *b_alone), ("settlement", "city", 8, *b_alone),
                ("employment", "employed", 8, *b_alone), ("disability", "no", 8, *b_alone)]
    rows = [(r.dimension, r.value, int(r.n_both), r.gap, r.gap_lo, r.gap_hi) for r in got.itertuples()]
    assert rows == expected
    assert set(got["standing"]) == {"behind"} and set(got["area"]) == {"UA-32"}


def test_the_extracts_known_gap_from_a_release(clean_dir, tmp_path):
    """A release's cells: gains and their spreads rounded to two decimals, as published, and the gap
    worked from those: (2.67 − 3.89) with sd 1.58 of 9 and 1.59 of 19."""
    build(clean_dir, tmp_path, "gaps", Rule(5, 0))
    national, cells = collect_cells(Release(tmp_path / "gaps").ratings, Y2024, ["UA-32"])
    got = gaps.compute_gaps(national, cells)
    male = got[(got["dimension"] == "gender") & (got["value"] == "male")].iloc[0]
    half = Z * math.sqrt(1.58 ** 2 / 9 + 1.59 ** 2 / 19 - 2 * 1.58 ** 2 / 19)
    assert (male["gain_mean"], male["national_gain"]) == (2.67, 3.89)
    assert (male["gap"], male["gap_lo"], male["gap_hi"]) == (-1.22, round(-1.22 - half, 2), round(-1.22 + half, 2))
    # Kyiv Oblast's women, retired, village residents, with a disability: P alone or nobody (hidden).
    assert not got["value"].isin(["female", "retired", "village"]).any()


# ---- every region at once: the same cells as one region at a time --------------------------------

AREAS = ["UA-05", "UA-30", "UA-32", "UA-46"]
CELL_COLUMNS = ["area", "dimension", "value", *gaps.RATING_COLUMNS[1:]]


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[CELL_COLUMNS].sort_values(["area", "dimension", "value"], ignore_index=True)
    return out.astype({"n_both": "Float64", **{c: "float64" for c in CELL_COLUMNS[4:]}})


@pytest.mark.parametrize("rule", [Rule(5, 0), Rule(5, 2), Rule(10, 2)])
def test_all_regions_in_one_statement_equal_each_region_alone(db, rule):
    """metrics.gaps.compute_group_ratings (one statement per characteristic) against the Skills
    page's figures of each region alone (metrics.skills.compute_ratings): the same people, hence
    the same shown counts under perturbation, and the same gains."""
    _national, one_by_one = collect_cells(Live(db, rule).ratings, Y2024, AREAS)
    at_once = gaps.compute_group_ratings(db, Y2024, rule, AREAS)
    pd.testing.assert_frame_equal(_ordered(at_once), _ordered(one_by_one))


def test_a_releases_cells_at_once_equal_each_region_alone(clean_dir, tmp_path):
    build(clean_dir, tmp_path, "cells", Rule(5, 2))
    release = Release(tmp_path / "cells")
    _national, one_by_one = collect_cells(release.ratings, Y2024, AREAS)
    at_once = release.group_ratings(Y2024, AREAS)
    pd.testing.assert_frame_equal(_ordered(at_once), _ordered(one_by_one))
