"""Tests of the analytics metrics against figures counted by hand, and their agreement with the Overview.

The extract is tests/conftest.py's, extended here with a Lviv Oblast hub whose 11 people gave a
rating before training and none after (a region with no post ratings), a second Kemerovo group
and a Kemerovo centre that keeps a waiting list but never reported a class.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics

import numpy as np
import pandas as pd
import pytest

import conftest
from dashboard import charts, metrics, query
from dashboard import metrics_analytics as ma
from dashboard import query_analytics as qa
from dashboard import text_analytics as ta
from dashboard import text_network as tn
from dashboard.filters import Filters
from dashboard.i18n import Translator

D = dt.date
NA = pd.NA
Y2024 = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))
ALL = Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30))
KEM = Filters("kem_centres", D(2012, 1, 1), D(2012, 12, 31))
LVIV_HUB = ("ХЦО-00006", "ua_hubs", "Бібліотека-філія с. Зимна Вода", "library_branch", "UA-46", "village",
            D(2024, 1, 10), "active")
EXTRA_GROUPS = [
    # 11 people in Lviv Oblast, one class in June 2024, rated before training only.
    ("L", 11, "ХЦО-00006", "ua_hubs", "25_44", "female", "village", "employed", "no", "yes",
     [(D(2024, 6, 5), "ХЦО-00006", "cybersecurity", "group")]),
    # 12 people at the Kemerovo library in April 2012, the month before its waiting-list report.
    ("M", 12, "TK-001", "kem_centres", "60_69", "female", "city", "retired", "no", "no",
     [(D(2012, 4, 10), "TK-001", "basic_skills", "group")]),
]
LVIV_PRE = [2, 2, 2, 2, 8, 8, 8, 8, 8, 8, 8]
SECOND_CENTRE = ("TK-002", "kem_centres", "Центральная городская библиотека", "public_library", "RU-KEM", "city",
                 D(2011, 3, 1), "active")


@pytest.fixture(autouse=True)
def exact_counts(monkeypatch):
    """Hand counts are exact: perturbation off (the agreement tests turn it back on)."""
    monkeypatch.setenv("DASHBOARD_NOISE", "0")


@pytest.fixture(scope="module")
def ext_dir(tmp_path_factory):
    """The conftest extract plus the extra hubs, people, ratings and waiting list above."""
    folder = tmp_path_factory.mktemp("analytics")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conftest, "HUBS", conftest.HUBS + [LVIV_HUB, SECOND_CENTRE])
        mp.setattr(conftest, "GROUPS", conftest.GROUPS + EXTRA_GROUPS)
        conftest.build_clean(folder)
    ratings = pd.read_parquet(folder / "assessments.parquet")
    lviv = pd.DataFrame([dict(person_id=f"L{i:02d}", instrument="self_rating", stage="pre", area="overall",
                              score=float(score), assessed_on=D(2024, 6, 5), hub_id="ХЦО-00006",
                              region_code="UA-46", programme="ua_hubs") for i, score in enumerate(LVIV_PRE, 1)])
    conftest._frame("assessments", pd.concat([ratings, lviv]).to_dict("records")).to_parquet(
        folder / "assessments.parquet", index=False)
    waiting = pd.read_parquet(folder / "waitlist.parquet").to_dict("records")
    waiting.append(dict(hub_id="TK-002", programme="kem_centres", region_code="RU-KEM", month=D(2012, 5, 1), waiting=40))
    conftest._frame("waitlist", waiting).to_parquet(folder / "waitlist.parquet", index=False)
    return folder


@pytest.fixture
def ext(ext_dir):
    database = query.Database(ext_dir)
    yield database
    database.close()


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else (round(float(v), 9) if isinstance(v, float) else int(v)) for v in series]


# ---- participation --------------------------------------------------------------------------

def test_cumulative_has_every_month_and_counts_each_person_once(ext):
    got = ma.compute_cumulative(ext, Y2024)
    assert got["month"].dt.month.tolist() == list(range(1, 13))
    # March: A (12), B (8) and P's first 2024 class; June: L (11); other months: nobody new.
    assert _values(got["new_people"]) == [0, 0, 21, 0, 0, 11, 0, 0, 0, 0, 0, 0]
    assert _values(got["people_total"]) == [0, 0, 21, 21, 21, 32, 32, 32, 32, 32, 32, 32]


def test_cumulative_hides_a_small_first_month(db):
    got = ma.compute_cumulative(db, Filters("ua_hubs", D(2023, 11, 1), D(2024, 3, 31)))
    # November 2023: C (5); December: P (1); March 2024: A (12) and B (8) → 26.
    assert _values(got["new_people"]) == [None, None, 0, 0, 20]
    assert _values(got["people_total"]) == [None, None, None, None, 26]


@pytest.mark.parametrize("dimension, expected", [
    # value, people, activities, hubs; shown largest first, a hidden count (1..9) above zeros.
    ("topic", [("seniors_basics", 13, 13, 1), ("cybersecurity", 12, 12, 2), ("e_services", None, 16, 1),
               ("basic_skills", 0, 0, 0), ("other", 0, 0, 0)]),
    ("format", [("group", 24, 24, 2), ("individual", None, 17, 1), ("online", 0, 0, 0)]),
    ("disability", [("no", 31, 39, 3), ("yes", None, None, 2), ("unknown", 0, 0, 0)]),
    ("course", [("seniors basics", 13, 13, 1), ("cybersecurity", 12, 12, 2), ("e services", None, 16, 1)]),
])
def test_breakdowns(ext, dimension, expected):
    got = ma.compute_breakdown(ext, Y2024, dimension)
    rows = list(zip(got["value"], _values(got["people"]), _values(got["activities"]), _values(got["hubs"])))
    assert rows == expected


def test_regions_ranked_with_rates_per_100k(ext):
    got = ma.compute_breakdown(ext, Y2024, "region", regions=qa.load_regions_reference(ext))
    assert got["value"].tolist() == ["UA-05", "UA-46", "UA-32"]
    assert _values(got["people"]) == [13, 11, None]
    assert _values(got["per_100k"]) == [round(13 / 1_500_000 * 1e5, 9), round(11 / 2_480_000 * 1e5, 9), None]


def test_count_courses(ext):
    assert qa.count_courses(ext, Y2024) == 3


# ---- cascade --------------------------------------------------------------------------------

def _cell(cascade, region, phase):
    pick = cascade[(cascade["region_code"].isna() if region is None else cascade["region_code"] == region)
                   & (cascade["phase"].isna() if phase is None else cascade["phase"] == phase)]
    assert len(pick) == 1
    return pick.iloc[0]


def test_cascade_per_region_and_phase(ext):
    got = ma.compute_cascade(ext, Y2024)
    total = _cell(got, None, None)
    # T-2024-02 (5 trainers, hidden); K-2024-031 21 + K-2024-032 (no figure) + K-2024-040 8 = 29.
    assert (pd.isna(total["trainers"]), total["coordinators"], total["hubs"], total["people"]) == (True, 29, 3, 32)
    assert pd.isna(total["coordinators_per_trainer"])  # rests on a hidden count
    assert total["hubs_per_coordinator"] == pytest.approx(3 / 29)
    assert total["people_per_hub"] == pytest.approx(32 / 3)
    vinnytsia = _cell(got, "UA-05", None)
    assert (vinnytsia["trainers"], vinnytsia["coordinators"], vinnytsia["hubs"], vinnytsia["people"]) == (0, 21, 1, 13)
    assert vinnytsia["hubs_per_coordinator"] == pytest.approx(1 / 21)
    kyiv = _cell(got, "UA-32", "2024")
    assert pd.isna(kyiv["coordinators"]) and pd.isna(kyiv["people"]) and kyiv["hubs"] == 1
    lviv = _cell(got, "UA-46", None)  # a hub and people, but nobody trained there in 2024
    assert (lviv["coordinators"], lviv["hubs"], lviv["people"]) == (0, 1, 11)
    assert pd.isna(lviv["hubs_per_coordinator"])
    assert got["national_trainers"].isna().all()  # not in the extracts


def test_cascade_phases_split_the_whole_period(ext):
    got = ma.compute_cascade(ext, ALL)
    first = _cell(got, None, "2022–2023")
    # T-2022-01 (2, hidden), K-2023-014 (23); classes of C (H2) and P (H1) in 2023 → 6 people (hidden).
    assert (pd.isna(first["trainers"]), first["coordinators"], first["hubs"], pd.isna(first["people"])) == \
        (True, 23, 2, True)
    last = _cell(got, None, "2025")
    assert (last["trainers"], last["coordinators"], last["hubs"], last["people"]) == (0, 14, 1, 15)


def test_funnel(ext):
    got = ma.funnel(ma.compute_cascade(ext, Y2024))
    assert got["stage"].tolist() == list(ma.CASCADE_STAGES)
    assert _values(got["value"]) == [None, None, 29, 3, 32]
    assert _values(got["ratio"]) == [None, None, None, round(3 / 29, 9), round(32 / 3, 9)]
    missing = ma.funnel(ma.compute_cascade(ext, Y2024), phase="1999")
    assert missing["value"].isna().all()


# ---- skills ---------------------------------------------------------------------------------

GAINS_2024 = [5] * 10 + [1, 1, 1, 4, 4, 4, 4, 4] + [1]  # A01–A10, B01–B08, P


def test_ratings_of_the_view(ext):
    got = ma.compute_ratings(ext, Y2024).iloc[0]
    counts = {c: None if pd.isna(got[c]) else int(got[c]) for c in ma.RATING_COUNTS}
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
    got = ma.compute_ratings(ext, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-46",))).iloc[0]
    assert (got["n_pre"], pd.isna(got["pre_high"]), pd.isna(got["pre_low"]), got["n_post"], got["n_both"]) == \
        (11, True, True, 0, 0)
    assert pd.isna(got["post_high_share"]) and pd.isna(got["post_high_share_lo"])  # a share of nobody
    assert got["completion"] == 0  # 0 of 11 rated again
    assert pd.isna(got["gain_mean"]) and pd.isna(got["gain_mean_lo"])


def test_ratings_by_segment_hide_small_groups(ext):
    got = ma.compute_ratings(ext, Y2024, "gender").set_index("value")
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
    got = ma.compute_ratings(ext, Y2024, "disability", k=1).set_index("value").loc["yes"]  # P alone
    assert (got["n_pre"], got["n_post"], got["n_both"], got["gain_mean"]) == (1, 1, 1, 1)
    assert pd.isna(got["gain_mean_lo"])  # one value has no t interval
    assert got["completion"] == 1
    assert got["completion_lo"] == pytest.approx(1 / (1 + 1.959963984540054 ** 2))  # Wilson for 1 of 1


def test_distribution(ext):
    got = ma.compute_distribution(ext, Y2024)
    pre, post = (got[got["stage"] == s].set_index("score") for s in ("pre", "post"))
    assert pre.index.tolist() == list(range(1, 11)) and post.index.tolist() == list(range(1, 11))
    assert _values(pre["people"]) == [0, None, 12, 0, None, None, 0, None, 0, 0]
    assert pre.loc[3, "share"] == pytest.approx(12 / 32) and pd.isna(pre.loc[2, "share"])
    assert _values(post["people"]) == [0, 0, 0, 0, 0, None, None, 10, None, 0]
    assert post.loc[8, "share"] == pytest.approx(10 / 19) and post.loc[1, "share"] == 0
    assert set(_values(got["raters"])) == {32, 19}


def test_digigram(ext):
    hidden = ma.compute_digigram(ext, Y2024)
    assert len(hidden) == len(ma.contract.AREAS) * 2
    overall = hidden[hidden["area"] == "overall"].set_index("stage")
    assert pd.isna(overall.loc["pre", "people"]) and pd.isna(overall.loc["pre", "mean"])  # 2 people
    shown = ma.compute_digigram(ext, Y2024, k=1)
    overall = shown[shown["area"] == "overall"].set_index("stage")
    assert (overall.loc["pre", "people"], overall.loc["pre", "mean"], overall.loc["post", "mean"]) == (2, 40, 95)
    assert (overall.loc["post", "mean_lo"], overall.loc["post", "mean_hi"]) == (95, 95)
    basics = shown[shown["area"] == "basics"]
    assert (basics["people"] == 0).all() and basics["mean"].isna().all()


# ---- network and capacity -------------------------------------------------------------------

def test_network_years(ext):
    got = ma.compute_network_years(ext, Y2024)
    assert got["year"].tolist() == [2022, 2023, 2024]
    assert got["opened"].tolist() == [1, 1, 3] and got["in_network"].tolist() == [1, 2, 5]
    assert _values(got["active"]) == [None, None, 3]  # years outside the period have no figure


def test_kemerovo_network_grows_by_year(ext):
    got = ma.compute_network_years(ext, KEM)
    assert got["year"].tolist() == [2010, 2011, 2012]
    assert got["in_network"].tolist() == [1, 2, 2] and _values(got["active"]) == [None, None, 1]


def test_waitlist_against_capacity(ext):
    months = ma.compute_waitlist_months(ext, KEM)
    # May 2012: 1,000 + 40 waiting; K (May) and M (April) trained: 15 people in 3 months.
    assert months["month"].tolist() == [pd.Timestamp("2012-05-01")]
    row = months.iloc[0]
    assert (row["waiting"], row["trained_3m"], row["capacity"], row["months_to_clear"]) == (1040, 15, 5, 208)
    centres = ma.compute_waitlist_latest(ext, KEM, "centre").set_index("hub_id")
    assert (centres.loc["TK-001", "capacity"], centres.loc["TK-001", "months_to_clear"]) == (5, 200)
    # TK-002 never sent a class report: its capacity is unknown, not zero; 40 waiting are shown.
    assert centres.loc["TK-002", "waiting"] == 40 and not centres.loc["TK-002", "reported"]
    assert pd.isna(centres.loc["TK-002", "capacity"]) and pd.isna(centres.loc["TK-002", "months_to_clear"])
    everything = ma.compute_waitlist_latest(ext, KEM, "all").iloc[0]
    assert (everything["waiting"], everything["centres"], everything["months_to_clear"]) == (1040, 2, 208)
    region = ma.compute_waitlist_latest(ext, KEM, "region")
    assert region["region_code"].tolist() == ["RU-KEM"] and region.iloc[0]["waiting"] == 1040


def test_waitlist_hides_small_capacity(db):
    got = ma.compute_waitlist_latest(db, KEM, "centre").iloc[0]  # only K's 3 people trained
    assert got["waiting"] == 1000 and pd.isna(got["trained_3m"])
    assert pd.isna(got["capacity"]) and pd.isna(got["months_to_clear"])


def test_waitlist_of_a_programme_without_one(db):
    assert ma.compute_waitlist_months(db, Y2024).empty
    assert ma.compute_waitlist_latest(db, Y2024, "all").empty


@pytest.mark.parametrize("end, partners, staff", [(D(2012, 12, 31), 1, 140), (D(2012, 6, 30), 0, 0)])
def test_partners(db, end, partners, staff):
    got = ma.compute_partners(db, Filters("kem_centres", D(2012, 1, 1), end)).set_index("partner_type")
    assert got.index.tolist() == list(ma.contract.PARTNER_TYPES)
    assert (got.loc["hospital", "partners"], got.loc["hospital", "staff_trained"]) == (partners, staff)
    assert got.drop(index="hospital")["partners"].eq(0).all()


# ---- data quality ---------------------------------------------------------------------------

def test_silent_hubs(db):
    per_region, silent = ma.compute_silent_hubs(db, Y2024)
    # Active hubs that had joined by the end of 2024: H1, H2 (UA-05), H3 (UA-32); H2 sent nothing.
    assert silent["hub_id"].tolist() == ["ХЦО-00002"]
    assert per_region.values.tolist() == [["UA-05", 2, 1, 0.5], ["UA-32", 1, 0, 0.0]]


def test_regions_without_data(db):
    got = ma.compute_regions_without_data(db, Y2024)
    # Kyiv city's hub joined in 2025; Lviv Oblast has none; Kemerovo is another programme's country.
    assert got[["region_code", "hubs", "active_hubs", "reason"]].values.tolist() == [
        ["UA-30", 1, 0, "not_yet"], ["UA-46", 0, 0, "no_hubs"]]
    assert ma.compute_regions_without_data(db, Filters("ua_hubs", D(2023, 12, 1), D(2023, 12, 31),
                                                       regions=("UA-05",))).empty


def test_extract_times(clean_dir):
    got = ma.extract_times(clean_dir, conftest.REPORT).set_index("table")
    assert {"hubs", "participants", "quarantine", "report.json"} <= set(got.index)
    assert (got.loc["hubs", "rows"], got.loc["participants", "rows"], got.loc["quarantine", "rows"]) == (6, 41, 5)
    assert pd.isna(got.loc["activities", "rows"])  # the report gives no count for it
    assert got["written"].notna().all()


def test_targets_file(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("# a comment\nprogramme,people_target,by,source\nua_hubs,\"50,000\",2026-12-31,Plan\n"
                    "kem_centres,none,,\n", encoding="utf-8")
    assert qa.load_target("ua_hubs", path) == {"target": 50000, "by": D(2026, 12, 31), "source": "Plan"}
    assert qa.load_target("kem_centres", path) is None
    assert qa.load_target("ua_hubs", tmp_path / "absent.csv") is None
    assert qa.load_target("ua_hubs") is None  # the shipped file sets no target


# ---- the same figures as the Overview -------------------------------------------------------

AGREEMENT_VIEWS = [
    Y2024, ALL, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",)),
    Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), gender=("female",)),
    Filters("ua_hubs", D(2025, 1, 1), D(2025, 6, 30), displaced=("no",)),
    Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31)),
    Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-46",)),
]


def _same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and float(a) == pytest.approx(float(b)))


@pytest.mark.parametrize("f", AGREEMENT_VIEWS, ids=range(len(AGREEMENT_VIEWS)))
def test_figures_agree_with_the_overview(ext, monkeypatch, f):
    monkeypatch.setenv("DASHBOARD_NOISE", "2")  # the shown, perturbed figures must agree too
    counts = metrics.compute_counts(ext, f).iloc[0]
    assert _same(ma.compute_cumulative(ext, f).iloc[-1]["people_total"], counts["people"])
    total = _cell(ma.compute_cascade(ext, f), None, None)
    assert _same(total["people"], counts["people"]) and _same(total["hubs"], counts["hubs"])
    assert _same(total["coordinators"], counts["coordinators"])
    ratings = ma.compute_ratings(ext, f).iloc[0]
    for mine, overview in (("n_pre", "pre_people"), ("pre_high", "pre_7_10"), ("n_post", "post_people"),
                           ("post_high", "post_7_10"), ("pre_high_share", "share_before"),
                           ("post_high_share", "share_after")):
        assert _same(ratings[mine], counts[overview]), mine
    if len(f.regions) == 1:
        region = ma.compute_breakdown(ext, f, "region")
        assert _same(region["people"].sum() if len(region) else 0, counts["people"])
    if f.start.year == f.end.year:
        years = ma.compute_network_years(ext, f).set_index("year")
        assert _same(years.loc[f.start.year, "active"], counts["hubs"])


def test_activities_by_format_add_up_to_the_overview(ext):
    f = Y2024
    counts = metrics.compute_counts(ext, f, k=1).iloc[0]
    formats = ma.compute_breakdown(ext, f, "format", k=1)
    assert formats["activities"].sum() == counts["activities"] == 41
    assert formats["people"].sum() >= counts["people"]  # a person in two formats counts in each


def test_every_people_count_is_protected(ext):
    """No figure of these functions shows 1..k-1 people (counts of places are exempt)."""
    frames = {
        "cumulative": (ma.compute_cumulative(ext, ALL), ["new_people", "people_total"]),
        "breakdown": (ma.compute_breakdown(ext, ALL, "age"), ["people", "activities"]),
        "cascade": (ma.compute_cascade(ext, ALL), list(ma.CASCADE_PEOPLE)),
        "ratings": (ma.compute_ratings(ext, ALL, "employment"), list(ma.RATING_COUNTS)),
        "distribution": (ma.compute_distribution(ext, ALL), ["people", "raters"]),
        "digigram": (ma.compute_digigram(ext, ALL), ["people"]),
        "waitlist": (ma.compute_waitlist_latest(ext, KEM, "centre"), ["waiting", "trained_3m"]),
        "partners": (ma.compute_partners(ext, KEM), ["staff_trained"]),
    }
    for name, (frame, columns) in frames.items():
        values = pd.to_numeric(frame[columns].stack(), errors="coerce").dropna()
        assert not values.between(1, 9).any(), name
        assert not any(c.endswith("_key") for c in frame.columns), name


def test_small_extract_has_no_nan_crash(tmp_path):
    """An extract with hubs but no activity at all still gives empty, well-formed figures."""
    folder = conftest.build_clean(tmp_path / "x")
    db = query.Database(folder)
    try:
        f = Filters("ua_hubs", D(2030, 1, 1), D(2030, 3, 31))
        assert _values(ma.compute_cumulative(db, f)["people_total"]) == [0, 0, 0]
        assert ma.compute_breakdown(db, f, "region").empty
        assert ma.compute_ratings(db, f).iloc[0]["n_pre"] == 0
        assert pd.isna(ma.compute_ratings(db, f).iloc[0]["gain_mean"])
        assert ma.compute_cascade(db, f)["people"].tolist() == [0]
    finally:
        db.close()


# ---- charts and words -----------------------------------------------------------------------

MAX_ROWS = 5000


def _rows(chart) -> list[int]:
    return [len(v) for v in chart.to_dict()["datasets"].values()]


def _walk_specs(spec):
    yield spec
    for layer in spec.get("layer", []):
        yield from _walk_specs(layer)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_chart_builders_share_the_theme_and_stay_small(ext, lang):
    tr = Translator(lang)
    f = Filters("ua_hubs", D(2011, 1, 1), D(2025, 12, 31))  # fifteen years of months, the longest view
    monthly = metrics.compute_monthly(ext, f)
    names = {"UA-05": "x"}
    built = [
        charts.series_chart(ta.monthly_series(monthly, tr), tr, "t", "x", "y", "s", bar_series=tr("participation.series_people")),
        charts.cumulative_chart(ta.cumulative_frame(ma.compute_cumulative(ext, f), tr), tr, "t", "x", "y", 100, "goal", "g"),
        charts.ranked_bar_chart(ta.breakdown_bars(ma.compute_breakdown(ext, f, "region"), "region", tr, names), tr, "t", "v", "r"),
        charts.grouped_bar_chart(ta.distribution_bars(ma.compute_distribution(ext, f), tr), tr, "t", "x", "y", "g"),
        charts.interval_chart(ta.shares_frame(ma.compute_ratings(ext, f), tr), tr, "t", "x", "l", "g"),
        charts.funnel_chart(ta.funnel_frame(ma.funnel(ma.compute_cascade(ext, f)), tr), tr, "t", "v", "s"),
        charts.series_chart(tn.network_series(ma.compute_network_years(ext, f), tr), tr, "t", "x", "y", "s", yearly=True),
    ]
    assert len(monthly) == 180
    for chart in built:
        spec = chart.to_dict()
        assert spec["config"]["font"] == charts.FONT and spec["config"]["axis"]["labelLimit"] == 0
        assert spec["config"]["locale"]["number"]["decimal"] == ("," if lang == "uk" else ".")
        assert spec["title"]["text"] == "t" and spec["width"] == "container"
        assert all(n <= MAX_ROWS for n in _rows(chart))
        for part in _walk_specs(spec):  # every tooltip field has a title in words
            for tip in part.get("encoding", {}).get("tooltip", []):
                assert tip["title"].strip()


def test_suppressed_values_get_a_grey_diamond():
    tr = Translator("en")
    frame = pd.DataFrame({"label": ["a", "b"], "value": pd.array([12, pd.NA], dtype="Int64"),
                          "value_text": ["12", "fewer than 10"]})
    spec = charts.ranked_bar_chart(frame, tr, None, "People", "Region").to_dict()
    bars, hidden = spec["layer"]
    assert hidden["mark"]["shape"] == "diamond" and hidden["transform"] == [{"filter": "datum.hidden"}]
    assert next(iter(spec["datasets"].values()))[1]["value"] is None
    series = pd.DataFrame({"x": pd.to_datetime(["2024-01-01", "2024-02-01"]), "series": ["p", "p"],
                           "value": [5.0, None], "text": ["5", "fewer than 10"], "x_label": ["Jan", "Feb"]})
    layers = charts.series_chart(series, tr, None, "x", "y", "s").to_dict()["layer"]
    assert layers[-1]["mark"]["shape"] == "diamond"
    assert layers[-1]["transform"] == [{"filter": "!isValid(datum.value)"}]


def test_funnel_bars_start_at_one_on_a_log_scale():
    tr = Translator("en")
    frame = ta.funnel_frame(pd.DataFrame({"stage": list(ma.CASCADE_STAGES),
                                          "value": pd.array([pd.NA, 117, 1856, 4786, 59732], dtype="Int64"),
                                          "ratio": pd.array([pd.NA, pd.NA, 15.86, 2.58, 12.48], dtype="Float64")}), tr)
    assert frame["text"].tolist() == ["not recorded in the data", "117", "1,856 (× 15.9)", "4,786 (× 2.6)",
                                      "59,732 (× 12.5)"]
    bars = charts.funnel_chart(frame, tr, None, "Count", "Stage").to_dict()["layer"][0]
    assert bars["encoding"]["x"]["scale"]["type"] == "log" and bars["encoding"]["x2"]["field"] == "one"
    assert bars["encoding"]["x"]["axis"]["values"] == [1, 10, 100, 1000, 10000, 100000]


def test_interval_words():
    en, uk = Translator("en"), Translator("uk")
    assert ta.estimate(en, 0.169, 0.1666, 0.1726) == "16.9% (95% CI 16.7% – 17.3%)"
    assert ta.estimate(uk, 2.5, 2.25, 2.75, percent=False, digits=2).replace("\u00a0", " ") == "2,50 (95 % ДІ 2,25 – 2,75)"
    assert ta.estimate(en, pd.NA, 0.1, 0.2) == "—" and ta.estimate(en, 0.5, np.nan, np.nan) == "50.0%"


@pytest.mark.parametrize("value, trained, reported, expected", [
    (4.26, 12, True, "4.3"), (np.nan, 0, True, "cannot be cleared: no training reported"),
    (np.nan, pd.NA, True, "—"), (np.nan, 0, False, "unknown: the centres sent no class reports"),
])
def test_months_to_clear_words(value, trained, reported, expected):
    assert tn.months_text(value, trained, Translator("en"), reported) == expected


def test_who_gains_least_says_when_it_may_be_noise():
    tr = Translator("en")
    frame = pd.DataFrame({"value": ["female", "male", "unknown"], "gain_mean": [2.0, 3.0, 0.1],
                          "gain_mean_lo": [1.8, 2.9, -1.0], "gain_mean_hi": [2.2, 3.1, 1.2]})
    text = ta.least_gain(frame, "gender", tr)
    assert text.startswith("The smallest gain is for women: 2.00") and "unlikely to be chance" in text
    frame.loc[0, "gain_mean_hi"] = 2.95  # now the intervals overlap
    assert "may be chance" in ta.least_gain(frame, "gender", tr)
    assert ta.least_gain(frame.iloc[[0, 2]], "gender", tr) == tr("skills.least_none")  # "not stated" is not ranked


def test_cumulative_words_with_a_target(ext):
    tr = Translator("en")
    cumulative = ma.compute_cumulative(ext, Y2024)
    text = ta.cumulative_summary(cumulative, tr, {"target": 64, "by": D(2026, 12, 31), "source": "Plan"})
    assert text == ("By December 2024, 32 different people had been trained in this selection. "
                    "Target: 64 people by 31 December 2026; reached 50.0% (source: Plan).")
