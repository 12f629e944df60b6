"""Metrics of the Skills page (dashboard.metrics.skills) against figures counted by hand.

The extract is tests/metrics/extended_extract.py's: Lviv Oblast's 11 people rated before training only.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics

import pandas as pd
import pytest

from dashboard import contract
from dashboard.filters import Filters
from dashboard.metrics import skills as metrics
from dashboard.privacy import Rule
from extended_extract import Y2024, ext, ext_dir  # noqa: F401 (fixtures)
from extended_extract import values as _values

D = dt.date
EXACT = Rule(k=10, noise=0)
EVERYTHING = Rule(k=1, noise=0)  # nothing suppressed
GAINS_2024 = [5] * 10 + [1, 1, 1, 4, 4, 4, 4, 4] + [1]  # A01–A10, B01–B08, P


def test_ratings_of_the_view(ext):
    got = metrics.compute_ratings(ext, Y2024, EXACT).iloc[0]
    counts = {c: None if pd.isna(got[c]) else int(got[c]) for c in metrics.RATING_COUNTS}
    # Before: A 12 × 3, B 8 × 5, P 6, L 2 2 2 2 8 8 8 8 8 8 8. After: A01–A10 8, B 6 6 6 9 9 9 9 9, P 7.
    assert counts == {"n_pre": 32, "pre_high": None, "pre_low": 16, "n_post": 19, "post_high": 16,
                      "post_low": 0, "n_both": 19}
    assert pd.isna(got["pre_high_share"]) and pd.isna(got["pre_high_share_lo"])  # 7 people: hidden
    assert got["pre_low_share"] == pytest.approx(16 / 32)
    assert got["post_high_share"] == pytest.approx(16 / 19)
    assert got["post_low_share"] == 0 and got["post_low_share_lo"] == pytest.approx(0, abs=1e-12)
    assert got["completion"] == pytest.approx(19 / 32)
    assert got["pre_mean"] == pytest.approx(146 / 32) and got["post_mean"] == pytest.approx(150 / 19)
    assert got["gain_mean"] == pytest.approx(statistics.mean(GAINS_2024))
    half = 2.10092204024096 * statistics.stdev(GAINS_2024) / math.sqrt(19)  # t(0.975, 18)
    assert (got["gain_mean_lo"], got["gain_mean_hi"]) == pytest.approx(
        (statistics.mean(GAINS_2024) - half, statistics.mean(GAINS_2024) + half))


def test_region_with_no_post_ratings(ext):
    f = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-46",))
    got = metrics.compute_ratings(ext, f, EXACT).iloc[0]
    assert (got["n_pre"], pd.isna(got["pre_high"]), pd.isna(got["pre_low"]), got["n_post"], got["n_both"]) == \
        (11, True, True, 0, 0)
    assert pd.isna(got["post_high_share"]) and pd.isna(got["post_high_share_lo"])  # a share of nobody
    assert got["completion"] == 0  # 0 of 11 rated again
    assert pd.isna(got["gain_mean"]) and pd.isna(got["gain_mean_lo"])


def test_ratings_by_segment_hide_small_groups(ext):
    got = metrics.compute_ratings(ext, Y2024, EXACT, "gender").set_index("value")
    assert got.index.tolist() == ["female", "male", "other", "unknown"]
    women = got.loc["female"]  # A (12) and L (11)
    assert (women["n_pre"], women["pre_low"], women["n_post"], women["post_high"], women["n_both"]) == (23, 16, 10, 10, 10)
    assert (women["gain_mean"], women["gain_mean_lo"], women["gain_mean_hi"]) == (5, 5, 5)  # all gained 5
    men = got.loc["male"]  # B (8) and P: 9 people, so nothing about them is shown
    assert pd.isna(men["n_pre"]) and pd.isna(men["gain_mean"]) and pd.isna(men["gain_mean_hi"])
    assert pd.isna(men["post_high_share"]) and pd.isna(men["completion_lo"])
    other = got.loc["other"]
    assert other["n_pre"] == 0 and pd.isna(other["post_high_share"]) and pd.isna(other["gain_mean"])


def test_a_segment_of_one_person_when_nothing_is_suppressed(ext):
    got = metrics.compute_ratings(ext, Y2024, EVERYTHING, "disability").set_index("value").loc["yes"]  # P alone
    assert (got["n_pre"], got["n_post"], got["n_both"], got["gain_mean"]) == (1, 1, 1, 1)
    assert pd.isna(got["gain_mean_lo"])  # one value has no t interval
    assert got["completion"] == 1
    assert got["completion_lo"] == pytest.approx(1 / (1 + 1.959963984540054 ** 2))  # Wilson for 1 of 1


def test_distribution(ext):
    got = metrics.compute_distribution(ext, Y2024, EXACT)
    pre, post = (got[got["stage"] == s].set_index("score") for s in ("pre", "post"))
    assert pre.index.tolist() == list(metrics.SCORES) and post.index.tolist() == list(metrics.SCORES)
    assert _values(pre["people"]) == [0, None, 12, 0, None, None, 0, None, 0, 0]
    assert pre.loc[3, "share"] == pytest.approx(12 / 32) and pd.isna(pre.loc[2, "share"])
    assert _values(post["people"]) == [0, 0, 0, 0, 0, None, None, 10, None, 0]
    assert post.loc[8, "share"] == pytest.approx(10 / 19) and post.loc[1, "share"] == 0
    assert set(_values(got["raters"])) == {32, 19}


def test_digigram(ext):
    hidden = metrics.compute_digigram(ext, Y2024, EXACT)
    assert len(hidden) == len(contract.AREAS) * 2
    overall = hidden[hidden["area"] == "overall"].set_index("stage")
    assert pd.isna(overall.loc["pre", "people"]) and pd.isna(overall.loc["pre", "mean"])  # 2 people
    shown = metrics.compute_digigram(ext, Y2024, EVERYTHING)
    overall = shown[shown["area"] == "overall"].set_index("stage")
    assert (overall.loc["pre", "people"], overall.loc["pre", "mean"], overall.loc["post", "mean"]) == (2, 40, 95)
    assert (overall.loc["post", "mean_lo"], overall.loc["post", "mean_hi"]) == (95, 95)
    basics = shown[shown["area"] == "basics"]
    assert (basics["people"] == 0).all() and basics["mean"].isna().all()
