"""Network & capacity page (pages/network.py, dashboard/ui/network.py) through AppTest: sites by year,
the waiting list against capacity and the partners equal hand counts of the fixture extract
(tests/conftest.py HUBS, the waitlist and partners rows of build_clean).

Perturbation is off (DASHBOARD_NOISE=0) and k is 10.
  ua_hubs joined: H1 2022, H2 2023, H3 and H4 (closed since) 2024, H5 2025; active in 2024: H1, H3.
  kem_centres: TK-001 joined 2010; its waiting list of 1,000 in May 2012; K's 3 people trained there
  in May 2012; one partner (a hospital, 140 staff trained, agreement September 2012).
"""

from __future__ import annotations

import pytest
from conftest import run_app
from page_tools import rows, sign_in_internal, table_under

YEAR_2024 = {"from": "2024-01-01", "to": "2024-12-31"}
KEM_2012 = {"lang": "en", "programme": "Computer literacy centres (Kemerovo Oblast)",
            "from": "2012-01-01", "to": "2012-12-31"}
WAITLIST = "Waiting list and training capacity"
WAITLIST_HEADER = ["Region", "Latest report", "Centres", "People waiting", "Trained in the last 3 months",
                   "Capacity (people trained per month)", "Months to clear"]
# The latest report (May 2012) of the one centre: 1,000 waiting; K's 3 people trained in the three
# months before it (hidden), so the capacity and the months to clear, built on them, are hidden too.
WAITLIST_FIGURES = ["May 2012", "1", "1,000", "fewer than 10", "—", "—"]


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode, monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")  # hand counts below are exact
    return app_data


@pytest.mark.parametrize("lang, title", [("uk", "Мережа й спроможність"), ("en", "Network & capacity")])
def test_default_view_runs(lang, title):
    at = run_app({"lang": lang}, page="network")
    assert not at.exception and not at.warning
    assert at.title[0].value == title


@pytest.mark.parametrize("lang, title, expected", [
    # Opened: H1 in 2022, H2 in 2023, H3 and H4 in 2024 (in the network: 1, 2, 4; the registry has no
    # closing date); active in 2024: H1 and H3 (the Overview's 2 active hubs); earlier years are outside
    # the period, so no active figure.
    ("en", "Sites opened and active, by year",
     [["Year", "Opened that year", "In the network", "Active that year"],
      ["2022", "1", "1", "—"], ["2023", "1", "2", "—"], ["2024", "2", "4", "2"]]),
    ("uk", "Відкриті й активні заклади за роками",
     [["Рік", "Відкрито того року", "У мережі", "Активні того року"],
      ["2022", "1", "1", "—"], ["2023", "1", "2", "—"], ["2024", "2", "4", "2"]]),
])
def test_sites_by_year_of_2024(lang, title, expected):
    at = run_app({"lang": lang, **YEAR_2024}, page="network")
    assert not at.exception
    table = table_under(at, title)
    assert [list(table.columns), *rows(table)] == expected


def test_no_waiting_list_for_the_hubs():
    at = run_app({"lang": "en", **YEAR_2024}, page="network")
    assert "No waiting list has been reported for this programme and these regions." in [i.value for i in at.info]
    assert "No partner institutions are recorded for this programme." in [i.value for i in at.info]


def test_waiting_list_of_kemerovo():
    at = run_app(KEM_2012, page="network")
    assert not at.exception
    table = table_under(at, WAITLIST)
    assert list(table.columns) == WAITLIST_HEADER
    shown = rows(table)
    assert len(shown) == 2  # the region, then all selected regions
    assert shown[0] == ["Kemerovo Oblast", *WAITLIST_FIGURES]
    assert shown[1][1:] == WAITLIST_FIGURES


@pytest.mark.parametrize("internal", [False, True], ids=["public", "internal"])
def test_waiting_list_total_row_is_labelled(monkeypatch, internal):
    """The last row of the waiting-list table is the total of all centres: it must say so."""
    if internal:
        sign_in_internal(monkeypatch)
    at = run_app(KEM_2012, page="network")
    shown = rows(table_under(at, WAITLIST))
    first = "TK-001 · Кемеровская областная научная библиотека" if internal else "Kemerovo Oblast"
    assert shown[0][0] == first
    assert shown[-1][0] == "All selected regions"


def test_partners_of_kemerovo():
    at = run_app(KEM_2012, page="network")
    table = table_under(at, "Partner institutions and staff trained")
    assert list(table.columns) == ["Type of partner", "Partners", "Staff trained", "Partners without a figure"]
    assert rows(table) == [["Hospitals", "1", "140", "0"],
                           ["Social services", "0", "0", "0"],
                           ["Employment centres", "0", "0", "0"],
                           ["Societies of people with disabilities", "0", "0", "0"],
                           ["Children's homes", "0", "0", "0"],
                           ["Other", "0", "0", "0"]]


def test_region_filter_leaves_the_partners_and_says_so():
    at = run_app(KEM_2012, page="network")
    at.multiselect(key="region").set_value(["RU-KEM"]).run()
    assert not at.exception
    assert rows(table_under(at, "Partner institutions and staff trained"))[0] == ["Hospitals", "1", "140", "0"]
    assert ("Partners are not tied to a region: the region filter does not apply to them."
            in [c.value for c in at.caption])
