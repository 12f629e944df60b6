"""Participation page (pages/participation.py, dashboard/ui/participation.py) through AppTest: the
tables behind its charts equal hand counts of the fixture extract (tests/conftest.py); the
participant-group and phase pickers change them; small counts read "fewer than 10".

Perturbation is off (DASHBOARD_NOISE=0) and k is 10. In 2024 (ua_hubs):
  A: 12 women 60–69, H1 (Vinnytsia Oblast, UA-05), group class "seniors basics" 12 Mar.
  B: 8 men 25–44, H3 (Kyiv Oblast, UA-32), individual "e services" 20 Mar and 17 Apr.
  P: 1 man 70+ with a disability, H1 group "seniors basics" 10 Mar, H3 individual "cybersecurity" 20 May.
  Coordinator groups ending in 2024: UA-05 21 completed, UA-32 8 (and one group without a figure);
  a regional-trainer group in UA-32 of 5.
"""

from __future__ import annotations

import pytest
from conftest import run_app
from page_tools import internal_mode, rows, table_under

YEAR_2024 = {"from": "2024-01-01", "to": "2024-12-31"}
EN_2024 = {"lang": "en", **YEAR_2024}
KEM_2012 = {"lang": "en", "programme": "Computer literacy centres (Kemerovo Oblast)",
            "from": "2012-01-01", "to": "2012-12-31"}
CASCADE_HEADER = ["Region", "Regional trainers trained", "Hub coordinators trained", "Hubs active", "People trained",
                  "Coordinators per trainer", "Active hubs per coordinator", "People per active hub"]


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode, monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")  # hand counts below are exact
    return app_data


@pytest.mark.parametrize("lang, title", [("uk", "Участь"), ("en", "Participation")])
def test_default_view_runs(lang, title):
    at = run_app({"lang": lang}, page="participation")
    assert not at.exception and not at.warning
    assert at.title[0].value == title
    assert at.get("vega_lite_chart")


def test_running_total_of_2024():
    at = run_app(EN_2024, page="participation")
    table = table_under(at, "People trained so far")
    assert list(table.columns) == ["Month", "New people", "People trained so far"]
    shown = rows(table)
    # Everyone of 2024 (A 12, B 8, P 1) is first seen in March: 21, then no one new; a published
    # release shows nobody like fewer than 10.
    few = "fewer than 10"
    assert shown[:3] == [["January 2024", few, few], ["February 2024", few, few], ["March 2024", "21", "21"]]
    assert shown[3:] == [[month, few, "21"] for month in (
        "April 2024", "May 2024", "June 2024", "July 2024", "August 2024", "September 2024", "October 2024",
        "November 2024", "December 2024")]


def test_breakdowns_by_course_family_and_format_of_2024(monkeypatch):
    internal_mode(monkeypatch)  # hand counts of the live figures; tests/release/test_source.py holds the release to them
    at = run_app(EN_2024, page="participation")
    # Seniors basics: A 12 + P = 13 people, 13 classes at H1; cybersecurity: P alone (1 class at H3);
    # e-services: B 8 people (hidden) in 16 classes at H3.
    topics = table_under(at, "By course")
    assert list(topics.columns) == ["Course family", "People", "Classes and consultations", "Hubs"]
    assert rows(topics) == [["Basics for older people", "13", "13", "1"],
                            ["Cybersecurity", "fewer than 10", "fewer than 10", "1"],
                            ["E-services", "fewer than 10", "16", "1"],
                            ["Basic digital skills", "0", "0", "0"],
                            ["Other courses", "0", "0", "0"]]
    # Group: A 12 + P = 13 in 13 classes at H1; individual: B 8 + P = 9 (hidden) in 16 + 1 = 17 at H3.
    formats = table_under(at, "By format")
    assert rows(formats) == [["Group class", "13", "13", "1"],
                             ["Individual consultation", "fewer than 10", "17", "1"],
                             ["Online", "0", "0", "0"]]


@pytest.mark.parametrize("lang, title, header, expected", [
    # Vinnytsia Oblast: A 12 + P = 13 people, 13 classes, hub H1; 13 per 1,500,000 residents = 0.087 per
    # 10,000, shown as 0.1. Kyiv Oblast: B 8 + P = 9 people (hidden, and the rate with them), 16 + 1 classes, hub H3.
    ("en", "By region, ranked",
     ["Region", "People", "Classes and consultations", "Hubs", "People trained per 10,000 residents"],
     [["Vinnytsia Oblast", "13", "13", "1", "0.1"], ["Kyiv Oblast", "fewer than 10", "17", "1", "—"]]),
    ("uk", "За регіонами, за спаданням",
     ["Регіон", "Осіб", "Занять і консультацій", "Хабів", "Навчено людей на 10 000 мешканців"],
     [["Вінницька область", "13", "13", "1", "0,1"], ["Київська область", "менше 10", "17", "1", "—"]]),
])
def test_breakdown_by_region_of_2024(lang, title, header, expected, monkeypatch):
    internal_mode(monkeypatch)  # hand counts of the live figures; tests/release/test_source.py holds the release to them
    at = run_app({"lang": lang, **YEAR_2024}, page="participation")
    table = table_under(at, title)
    assert list(table.columns) == header
    assert rows(table) == expected


def test_cascade_of_2024(monkeypatch):
    internal_mode(monkeypatch)  # hand counts of the live figures; tests/release/test_source.py holds the release to them
    at = run_app(EN_2024, page="participation")
    table = table_under(at, "The training cascade: where does it thin out?")
    assert list(table.columns) == CASCADE_HEADER
    # UA-05: no trainer group, coordinators 21, hub H1, people 13: 1/21 = 0.05 hubs per coordinator.
    # UA-32: trainers 5 and coordinators 8 (hidden), hub H3, people 9 (hidden).
    # All: trainers 5 (hidden), coordinators 29, hubs 2 (0.07 per coordinator), people 21 (10.5 per hub).
    assert rows(table) == [
        ["Vinnytsia Oblast", "0", "21", "1", "13", "—", "0.0", "13.0"],
        ["Kyiv Oblast", "fewer than 10", "fewer than 10", "1", "fewer than 10", "—", "—", "—"],
        ["All selected regions", "fewer than 10", "29", "2", "21", "—", "0.1", "10.5"],
    ]


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_cascade_counts_everyone_whatever_the_group(monkeypatch, lang):
    # Trainers and coordinators are not trained for one participant group: under a group filter
    # (women aged 60–69: A, 12 people at H1) the cascade still shows every participant, the same
    # figures as test_cascade_of_2024, and says why.
    internal_mode(monkeypatch)
    at = run_app({"lang": lang, **YEAR_2024, "gender": "female", "age": "60_69"}, page="participation")
    assert not at.exception
    title = ("The training cascade: where does it thin out?" if lang == "en"
             else "Каскад навчання: де він рідшає?")
    people = [row[4] for row in rows(table_under(at, title))]
    assert people == (["13", "fewer than 10", "21"] if lang == "en" else ["13", "менше 10", "21"])
    said = " ".join(i.value for i in at.info)
    assert ("The cascade counts every participant, whatever the participant group chosen" in said if lang == "en"
            else "Каскад охоплює всіх учасників, хоч би яку групу учасників вибрано" in said)
    plain = run_app({"lang": lang, **YEAR_2024}, page="participation")
    assert not any("cascade counts every participant" in i.value or "Каскад охоплює" in i.value for i in plain.info)


def test_phase_picker_narrows_the_cascade():
    at = run_app({"lang": "en"}, page="participation")
    at.get_by_key("cascade_phase").set_value("2022–2023").run()
    assert not at.exception
    table = table_under(at, "The training cascade: where does it thin out?")
    # Phase 2022–2023, all in UA-05: a trainer group of 2 (hidden), coordinators 23; classes in 2022–2023
    # at H2 (C) and H1 (P): 2 hubs, 6 people (hidden); 2/23 = 0.09 hubs per coordinator.
    assert rows(table) == [
        ["Vinnytsia Oblast", "fewer than 10", "23", "2", "fewer than 10", "—", "0.1", "—"],
        ["All selected regions", "fewer than 10", "23", "2", "fewer than 10", "—", "0.1", "—"],
    ]


def test_group_picker_compares_by_the_chosen_characteristic(monkeypatch):
    internal_mode(monkeypatch)  # hand counts of the live figures; tests/release/test_source.py holds the release to them
    at = run_app(EN_2024, page="participation")
    # Default: by age. 60–69: A 12 at H1; 25–44: B 8 at H3 (16 classes); 70+: P at H1 and H3.
    assert rows(table_under(at, "By participant group")) == [
        ["60–69", "12", "12", "1"],
        ["25–44", "fewer than 10", "16", "1"],
        ["70+", "fewer than 10", "fewer than 10", "2"],
        ["45–59", "0", "0", "0"],
        ["under 25", "0", "0", "0"],
        ["age unknown", "0", "0", "0"],
    ]
    at.get_by_key("participation_by").set_value("disability").run()
    assert not at.exception
    table = table_under(at, "By participant group")
    assert list(table.columns) == ["Disability", "People", "Classes and consultations", "Hubs"]
    # Without: A 12 + B 8 = 20 people, 12 + 16 = 28 classes, H1 and H3; with: P, 2 classes at H1 and H3.
    assert rows(table) == [["without a disability", "20", "28", "2"],
                           ["with a disability", "fewer than 10", "fewer than 10", "2"],
                           ["not stated", "0", "0", "0"]]


def test_empty_view_says_what_to_widen():
    at = run_app({"lang": "en", "region": "Kyiv", **YEAR_2024}, page="participation")
    assert not at.exception
    assert "No data for this selection" in at.info[0].value
    assert not at.get("vega_lite_chart")


def test_small_programme_is_suppressed_not_broken():
    at = run_app(KEM_2012, page="participation")
    assert not at.exception
    table = table_under(at, "People trained so far")
    # K's 3 people, all in May 2012: the programme's time starts that month (a link asking for the
    # whole of 2012 is shown its held year, May to December).
    assert rows(table)[0] == ["May 2012", "fewer than 10", "fewer than 10"]
    # The months after May add nobody: a published release shows that like fewer than 10.
    assert {r[2] for r in rows(table)} == {"fewer than 10"}


def test_threshold_from_the_setting_reaches_this_page(monkeypatch):
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "5")
    at = run_app({"lang": "en", "from": "2023-01-01", "to": "2023-12-31"}, page="participation")
    running = table_under(at, "People trained so far")
    assert running.iloc[-1]["People trained so far"] == "6"  # C (5) and P, shown once k is 5
