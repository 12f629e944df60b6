"""Skills page (pages/skills.py, dashboard/ui/skills.py) through AppTest: rating cards and the tables
behind the charts equal hand counts of the fixture's self-ratings (tests/conftest.py SELF_RATINGS);
the participant-group picker changes the comparison; Digigram is not split by group.

Perturbation is off (DASHBOARD_NOISE=0) and k is 10. People trained in 2024 and their overall
self-ratings (before → after):
  A: 12 women 60–69, 3 → 8 (A01–A10), A11 and A12 gave no "after" rating.
  B: 8 men 25–44, 5 → 6, 6, 6, 9, 9, 9, 9, 9.
  P: 1 man 70+, 6 → 7.
So 21 rated before (none at 7–10; 12 at 1–4: 57.1%), 19 after (16 at 7–10: 84.2%; none at 1–4),
19 both (19/21 = 90.5% completion). Gains: 5 × 10, 1 × 3 and 4 × 5 (B), 1 (P): 74/19 = 3.89 points.
"""

from __future__ import annotations

import pytest
from conftest import run_app
from page_tools import cards, internal_mode, rows, table_under

YEAR_2024 = {"from": "2024-01-01", "to": "2024-12-31"}
EN_2024 = {"lang": "en", **YEAR_2024}
RATINGS_HEADER = ["Rated before", "7–10 before", "1–4 before", "Rated after", "7–10 after", "1–4 after",
                  "Rated before and after", "Completion", "Mean gain (points)"]


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode, monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")  # hand counts below are exact
    return app_data


@pytest.mark.parametrize("lang, title", [("uk", "Навички"), ("en", "Skill gains")])
def test_default_view_runs(lang, title):
    at = run_app({"lang": lang}, page="skills")
    assert not at.exception and not at.warning
    assert at.title[0].value == title
    assert len(at.metric) == 4


@pytest.mark.parametrize("lang, expected", [
    # The interval of the mean gain: sd 1.595 over 19 people, t(18) = 2.101: 3.89 ± 0.77.
    ("en", [("Rated before", "21", ""), ("Rated after", "19", ""),
            ("Rated before and after", "19", "completion 90.5%"),
            ("Mean gain, points", "3.89", "95% CI 3.13 – 4.66")]),
    ("uk", [("Оцінили «до»", "21", ""), ("Оцінили «після»", "19", ""),
            ("Оцінили «до» і «після»", "19", "повнота 90,5 %"),
            ("Середній приріст, балів", "3,89", "95 % ДІ 3,13 – 4,66")]),
])
def test_rating_cards_of_2024(lang, expected):
    at = run_app({"lang": lang, **YEAR_2024}, page="skills")
    assert not at.exception
    assert cards(at) == expected


def test_shares_table_of_2024():
    at = run_app(EN_2024, page="skills")
    table = table_under(at, "Rating their skills high and low: before → after")
    assert list(table.columns) == ["Group", *RATINGS_HEADER]
    # Wilson 95% intervals: 0 of 21 → 0.0–15.5%; 12 of 21 → 36.5–75.5%; 16 of 19 → 62.4–94.5%;
    # 0 of 19 → 0.0–16.8%; 19 of 21 → 71.1–97.3%.
    assert rows(table) == [["Everyone in the selection", "21", "0.0% (95% CI 0.0% – 15.5%)",
                            "57.1% (95% CI 36.5% – 75.5%)", "19", "84.2% (95% CI 62.4% – 94.5%)",
                            "0.0% (95% CI 0.0% – 16.8%)", "19", "90.5% (95% CI 71.1% – 97.3%)",
                            "3.89 (95% CI 3.13 – 4.66)"]]


@pytest.mark.parametrize("lang, title, header, fewer", [
    ("en", "Self-ratings before and after", ["Rating (1–10)", "People before", "Share before", "People after",
                                              "Share after"], "fewer than 10"),
    ("uk", "Самооцінка до й після навчання", ["Оцінка (1–10)", "Осіб до", "Частка до", "Осіб після",
                                               "Частка після"], "менше 10"),
])
def test_distribution_table_of_2024(lang, title, header, fewer):
    at = run_app({"lang": lang, **YEAR_2024}, page="skills")
    table = table_under(at, title)
    assert list(table.columns) == header
    zero = "0.0%" if lang == "en" else "0,0 %"
    # Before: 3 × 12 (A: 12/21 = 57.1%), 5 × 8 (B) and 6 × 1 (P) hidden.
    # After: 6 × 3 and 9 × 5 (B), 7 × 1 (P) hidden; 8 × 10 (A: 10/19 = 52.6%).
    share = {"en": ("57.1%", "52.6%"), "uk": ("57,1 %", "52,6 %")}[lang]
    expected = [[str(score), "0", zero, "0", zero] for score in range(1, 11)]
    expected[2][1:3] = ["12", share[0]]
    expected[4][1:3] = [fewer, "—"]
    expected[5][1:5] = [fewer, "—", fewer, "—"]
    expected[6][3:5] = [fewer, "—"]
    expected[7][3:5] = ["10", share[1]]
    expected[8][3:5] = [fewer, "—"]
    assert rows(table) == expected


def test_group_picker_compares_by_the_chosen_characteristic(monkeypatch):
    internal_mode(monkeypatch)  # hand counts of the live figures; tests/release/test_source.py holds the release to them
    at = run_app(EN_2024, page="skills")
    by_age = table_under(at, "Who gains least?")
    assert list(by_age.columns) == ["Age", *RATINGS_HEADER]
    hidden = ["fewer than 10", "—", "—", "fewer than 10", "—", "—", "fewer than 10", "—", "—"]
    nobody = ["0", "—", "—", "0", "—", "—", "0", "—", "—"]
    # 60–69 is A: 12 rated 3 before (all 1–4), 10 rated 8 after (all 7–10), gain 5 for each;
    # 25–44 (B, 8) and 70+ (P) are too few.
    a_row = ["12", "0.0% (95% CI 0.0% – 24.2%)", "100.0% (95% CI 75.8% – 100.0%)", "10",
             "100.0% (95% CI 72.2% – 100.0%)", "0.0% (95% CI 0.0% – 27.8%)", "10",
             "83.3% (95% CI 55.2% – 95.3%)", "5.00 (95% CI 5.00 – 5.00)"]
    assert rows(by_age) == [["under 25", *nobody], ["25–44", *hidden], ["45–59", *nobody], ["60–69", *a_row],
                            ["70+", *hidden], ["age unknown", *nobody]]
    at.get_by_key("skills_by").set_value("gender").run()
    assert not at.exception
    by_gender = table_under(at, "Who gains least?")
    assert list(by_gender.columns) == ["Gender", *RATINGS_HEADER]
    # Women are A alone; men are B and P: 9 people, too few.
    assert rows(by_gender) == [["women", *a_row], ["men", *hidden], ["other", *nobody], ["not stated", *nobody]]
    # Women are the only group large enough: nothing to compare.
    assert "Too few groups with enough people to compare gains." in [m.value for m in at.markdown]


def test_digigram_table_and_its_group_notice(monkeypatch):
    internal_mode(monkeypatch)  # hand counts of the live figures; tests/release/test_source.py holds the release to them
    at = run_app(EN_2024, page="skills")
    table = table_under(at, "Digigram test scores by DigComp area")
    assert list(table.columns) == ["Area", "When", "People tested", "Mean score, %"]
    # Only A01 and A02 took the Digigram test (overall, before and after): too few.
    assert rows(table)[:3] == [["Overall", "Before", "fewer than 10", "—"], ["Overall", "After", "fewer than 10", "—"],
                               ["Basic skills", "Before", "0", "—"]]
    women = run_app({**EN_2024, "gender": "women"}, page="skills")
    assert not women.exception
    assert ("Digigram results carry no participant details, so they cannot be shown for a participant group. "
            "Clear the participant-group filter to see them.") in [i.value for i in women.info]
    with pytest.raises(AssertionError):
        table_under(women, "Digigram test scores by DigComp area")


def test_empty_view_says_what_to_widen():
    at = run_app({"lang": "en", "region": "Kyiv", **YEAR_2024}, page="skills")
    assert not at.exception
    assert "No data for this selection" in at.info[0].value
    assert not at.metric
