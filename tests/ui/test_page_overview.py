"""Overview page (pages/overview.py, dashboard/ui/overview.py) through AppTest: the KPI cards, the
headline and the trend table equal hand counts of the fixture extract (tests/conftest.py), in both
languages; the sidebar filters drive them; small counts are hidden with the k in force.

Perturbation is off (DASHBOARD_NOISE=0) and k is 10, so every count of people is exact or
"fewer than 10". The fixture in short (ua_hubs; hubs H1 = ХЦО-00001 ... H5):
  A: 12 women 60–69, H1 (UA-05), one group class 12 Mar 2024; rated 3 before, 8 after (10 of 12).
  B: 8 men 25–44, H3 (UA-32), individual e-services 20 Mar and 17 Apr 2024; rated 5 → 6,6,6,9,9,9,9,9.
  C: 5 women 45–59, H2 (UA-05), 15 Nov 2023; rated 4 → 7.
  P: 1 man 70+, H1 5 Dec 2023 and 10 Mar 2024, H3 20 May 2024; rated 6 → 7.
  D: 15 women 70+, H3, online 11 Feb 2025; no ratings.
  Library hubs: H1 (joined 2022), H2 (2023), H5 (UA-30, 2025); H4 is closed; H3 a CNAP.
  Public libraries of Ukraine's regions: 40 + 60 + 20 + 30 = 150.
  Coordinator groups (completed): 2023 UA-05 23; 2024 UA-05 21, UA-32 none recorded + 8; 2025 UA-30 14.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import run_app
from page_tools import cards, plain, rows

from dashboard.i18n import Translator

D = dt.date
YEAR_2024 = {"from": "2024-01-01", "to": "2024-12-31"}
YEAR_2023 = {"from": "2023-01-01", "to": "2023-12-31"}

# 2024 against 2023 (the previous year in the release):
#   hubs H1, H3 = 2 (2023: 6 people, hidden, and the release hides the hub and region counts beside
#   them: no change shown); library hubs H1, H2 of 150 = 1.3% (2023 the same: 0.0 pp);
#   people A 12 + B 8 + P 1 = 21 (2023: C 5 + P 1 = 6, hidden: no change shown);
#   classes A 12 + B 2×8 + P 2 = 30 (2023: 6, hidden); coordinators 21 + 8 = 29 (2023: 23, +6);
#   regions UA-05, UA-32 = 2 (2023 hidden with its people: no change shown);
#   rated before A 12 + B 8 + P 1 = 21, none at 7–10: 0.0%; after A 10 + B 8 + P 1 = 19, at 7–10
#   A 10 + B 5 + P 1 = 16: 16/19 = 84.2%; change +84.2 pp.
CARDS_2024 = {
    "en": [("Active hubs", "2", ""),
           ("Public libraries serving as hubs", "1.3%", "0.0 pp"),
           ("People trained", "21", ""),
           ("Classes and consultations", "30", ""),
           ("Coordinators trained", "29", "+6"),
           ("Regions covered", "2", ""),
           ("Rating their skills 7–10: before → after", "0.0% → 84.2%", "+84.2 pp")],
    "uk": [("Активні хаби", "2", ""),
           ("Публічні бібліотеки, що є хабами", "1,3 %", "0,0 в. п."),
           ("Навчено людей", "21", ""),
           ("Заняття й консультації", "30", ""),
           ("Навчено координаторів", "29", "+6"),
           ("Охоплено регіонів", "2", ""),
           ("Оцінюють навички на 7–10: до → після", "0,0 % → 84,2 %", "+84,2 в. п.")],
}
# 2023 against 2022: hubs and regions hidden with the 6 people beside them ("—"); library hubs H1, H2 of 150 = 1.3% (2022: H1,
# 1/150 = 0.7%: +0.6 pp, the change of the shares as published, 1.3% and 0.7%); people C 5 + P 1 = 6 and classes 6: fewer than 10; coordinators 23
# (2022: only a trainer group, +23); ratings of 6 people: hidden, so no share.
CARDS_2023 = {
    "en": [("Active hubs", "—", ""),
           ("Public libraries serving as hubs", "1.3%", "+0.6 pp"),
           ("People trained", "fewer than 10", ""),
           ("Classes and consultations", "fewer than 10", ""),
           ("Coordinators trained", "23", "+23"),
           ("Regions covered", "—", ""),
           ("Rating their skills 7–10: before → after", "— → —", "")],
    "uk": [("Активні хаби", "—", ""),
           ("Публічні бібліотеки, що є хабами", "1,3 %", "+0,6 в. п."),
           ("Навчено людей", "менше 10", ""),
           ("Заняття й консультації", "менше 10", ""),
           ("Навчено координаторів", "23", "+23"),
           ("Охоплено регіонів", "—", ""),
           ("Оцінюють навички на 7–10: до → після", "— → —", "")],
}
# All time (1 Jan 2022 – 30 Jun 2025, no previous period in the data): hubs H1, H2, H3 = 3; library
# hubs H1, H2, H5 of 150 = 2.0%; people 12 + 8 + 5 + 1 + 15 = 41; classes 12 + 16 + 5 + 3 + 15 = 51;
# coordinators 23 + 21 + 8 + 14 = 66; regions 2; rated before 26 (none at 7–10), after 10 + 8 + 5 + 1
# = 24, at 7–10 10 + 5 + 5 + 1 = 21: 87.5%.
CARDS_ALL_TIME_UK = [("Активні хаби", "3", ""),
                     ("Публічні бібліотеки, що є хабами", "2,0 %", ""),
                     ("Навчено людей", "41", ""),
                     ("Заняття й консультації", "51", ""),
                     ("Навчено координаторів", "66", ""),
                     ("Охоплено регіонів", "2", ""),
                     ("Оцінюють навички на 7–10: до → після", "0,0 % → 87,5 %", "+87,5 в. п.")]


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode, monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")  # hand counts below are exact
    return app_data


@pytest.mark.parametrize("lang, title, date_line", [("uk", "Огляд", "Дані станом на 30 червня 2025\u202fр."),
                                                    ("en", "Overview", "Data as of 30 June 2025")])
def test_default_view_runs(lang, title, date_line):
    at = run_app({"lang": lang})
    assert not at.exception and not at.warning
    assert at.title[0].value == title
    assert date_line in at.caption[0].value
    assert len(at.metric) == 7


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_cards_of_2024(lang):
    at = run_app({"lang": lang, **YEAR_2024})
    assert not at.exception
    assert cards(at) == CARDS_2024[lang]


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_small_counts_read_fewer_than_10(lang):
    at = run_app({"lang": lang, **YEAR_2023})
    assert not at.exception
    assert cards(at) == CARDS_2023[lang]
    too_few = {"uk": "У цьому виборі менше 10 учасників, тому цифр не наводимо, щоб захистити людей.",
               "en": "This selection has fewer than 10 participants, so no figures are given, to protect them."}
    assert too_few[lang] in [m.value for m in at.markdown]


def test_headline_of_2024():
    en = run_app({"lang": "en", **YEAR_2024})
    assert ("From 1 January 2024 to 31 December 2024, 2 hubs in 2 regions trained 21 people in 30 classes and "
            "consultations. The share rating their digital skills 7–10 out of 10 rose from 0.0% to 84.2%, "
            "by 84.2 percentage points.") in [plain(m.value) for m in en.markdown]
    uk = run_app({"lang": "uk", **YEAR_2024})
    assert ("З 1 січня 2024\u202fр. по 31 грудня 2024\u202fр. у 2 хабах в 2 регіонах навчено 21 особу і проведено "
            "30 занять і консультацій. Частка тих, хто оцінює свої цифрові навички на 7–10 балів із 10, зросла "
            "з 0,0 % до 84,2 %, на 84,2 відсоткового пункту.") in [plain(m.value) for m in uk.markdown]


@pytest.mark.parametrize("lang, header, march, april", [
    ("en", ["Month", "People", "Classes and consultations"], ["March 2024", "21", "21"],
     ["April 2024", "fewer than 10", "fewer than 10"]),
    ("uk", ["Місяць", "Осіб", "Занять і консультацій"], ["березень 2024\u202fр.", "21", "21"],
     ["квітень 2024\u202fр.", "менше 10", "менше 10"]),
])
def test_trend_table_of_2024(lang, header, march, april):
    at = run_app({"lang": lang, **YEAR_2024})
    table = at.expander[0].children[0].value  # the table behind the trend chart
    assert list(table.columns) == header
    shown = rows(table)
    assert len(shown) == 12  # every month of the year, those without classes as 0
    # March: A 12 (12 Mar) + B 8 (20 Mar) + P (10 Mar) = 21 people, 21 classes; April: B 8;
    # May: P alone; every other month 0.
    assert shown[2] == march and shown[3] == april
    assert shown[4][1:] == april[1:]
    assert [r[1:] for i, r in enumerate(shown) if i not in (2, 3, 4)] == [["0", "0"]] * 9


def test_all_time_has_no_previous_period():
    at = run_app({"lang": "uk"})
    assert cards(at) == CARDS_ALL_TIME_UK
    assert "Змін не показано: у даних немає попереднього періоду такої ж тривалості." in [c.value for c in at.caption]


@pytest.mark.parametrize("params, expected", [
    ({"region": "<script>alert(1)</script>"}, CARDS_ALL_TIME_UK),
    # The valid region of the link is kept: Vinnytsia Oblast all time. Hubs H1, H2; library hubs H1,
    # H2 of 40 = 5.0%; people A 12 + C 5 + P 1 = 18, classes 12 + 5 + 2 = 19; coordinators 23 + 21 = 44;
    # rated before 18 (none at 7–10), after 10 + 5 + 1 = 16, all at 7–10.
    ({"region": ["Вінницька область", "\u0000"], "to": "yesterday"},
     [("Активні хаби", "2", ""), ("Публічні бібліотеки, що є хабами", "5,0 %", ""), ("Навчено людей", "18", ""),
      ("Заняття й консультації", "19", ""), ("Навчено координаторів", "44", ""), ("Охоплено регіонів", "1", ""),
      ("Оцінюють навички на 7–10: до → після", "0,0 % → 100,0 %", "+100,0 в. п.")]),
], ids=["bad region", "one good region"])
def test_hostile_link_shows_the_default_view(params, expected):
    at = run_app(params)
    assert not at.exception and len(at.warning) == 1
    assert cards(at) == expected


@pytest.mark.parametrize("lang, region, title, hint", [
    ("uk", "Київ", "Для цього вибору даних немає",
     "Спробуйте розширити вибір: усі регіони, довший період (наприклад, «Увесь час»)."),
    ("en", "Kyiv", "No data for this selection",
     "Try widening the selection: all regions, a longer period (for example, 'All time')."),
])
def test_empty_selection_says_what_to_widen(lang, region, title, hint):
    at = run_app({"lang": lang, "region": region, **YEAR_2024})  # Kyiv's hub joined in 2025
    assert not at.exception
    text = at.info[0].value
    assert text.startswith(f"**{title}**") and text.endswith(hint)
    assert not at.metric


def test_small_programme_is_suppressed():
    at = run_app({"lang": "en", "programme": "Computer literacy centres (Kemerovo Oblast)"})
    assert not at.exception
    # 2012: K's 3 people at TK-001 (a public library of Kemerovo Oblast's 10: 10.0%), no coordinators;
    # the hub and region beside 3 hidden people are hidden too.
    assert cards(at) == [("Active hubs", "—", ""), ("Public libraries serving as hubs", "10.0%", ""),
                         ("People trained", "fewer than 10", ""), ("Classes and consultations", "fewer than 10", ""),
                         ("Coordinators trained", "0", ""), ("Regions covered", "—", ""),
                         ("Rating their skills 7–10: before → after", "— → —", "")]
    assert any("fewer than 10 participants" in m.value for m in at.markdown)


def test_sidebar_filters_drive_the_cards():
    at = run_app({"lang": "en"})
    at.multiselect(key="region").set_value(["UA-05"]).run()
    at.get_by_key("quick").set_value("year:2024").run()
    assert not at.exception
    # Vinnytsia Oblast 2024 (2023): hub H1 (2023's hubs and region hidden with its 6 people: no
    # change); library hubs H1, H2 of 40 = 5.0% (the same); people A 12 + P 1 = 13, classes 13
    # (2023: 6, hidden); coordinators 21 (23: −2); rated before 13, none at 7–10; after A 10 + P 1 =
    # 11, all at 7–10.
    assert cards(at) == [("Active hubs", "1", ""), ("Public libraries serving as hubs", "5.0%", "0.0 pp"),
                         ("People trained", "13", ""), ("Classes and consultations", "13", ""),
                         ("Coordinators trained", "21", "-2"), ("Regions covered", "1", ""),
                         ("Rating their skills 7–10: before → after", "0.0% → 100.0%", "+100.0 pp")]
    at.multiselect(key="gender").set_value(["female"]).run()
    assert not at.exception
    # Women only: A 12. Hubs and regions are not published for a participant group; libraries and
    # coordinators do not depend on it. Rated after: A 10, all at 7–10; before, none at 7–10 — and in
    # a group "none" is hidden like 1..9, so the share before (and the change) is not shown.
    assert cards(at) == [("Active hubs", "—", ""), ("Public libraries serving as hubs", "5.0%", "0.0 pp"),
                         ("People trained", "12", ""), ("Classes and consultations", "12", ""),
                         ("Coordinators trained", "21", "-2"), ("Regions covered", "—", ""),
                         ("Rating their skills 7–10: before → after", "— → 100.0%", "")]
    # A release holds fixed periods: picking one sets the dates, which follow and cannot be typed.
    at.get_by_key("quick").set_value("quarter:2024-Q1").run()
    assert not at.exception
    assert (at.date_input(key="from").value, at.date_input(key="to").value) == (D(2024, 1, 1), D(2024, 3, 31))
    assert at.date_input(key="from").disabled
    assert "1 January 2024 – 31 March 2024" in at.caption[0].value


def test_threshold_comes_from_the_setting(monkeypatch):
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "5")
    at = run_app({"lang": "en", **YEAR_2023})
    shown = {label: value for label, value, _delta in cards(at)}
    assert shown["People trained"] == "6"  # C (5) and P: shown once k is 5
    assert shown["Classes and consultations"] == "6"
    assert any("Counts of 1 to 4 people" in c.value for c in at.caption)


def _network_only(clean_dir, folder):
    """The fixture extract with Kemerovo's centres as some extracts send them: sites, waiting list
    and partners, no class, participant, rating or training (K's 3 people of 2012 left out)."""
    import shutil

    import duckdb
    import pandas as pd

    shutil.copytree(clean_dir, folder)
    for table in ("activities", "participants", "assessments", "trainings"):
        path = folder / f"{table}.parquet"
        if "programme" not in pd.read_parquet(path).columns:
            continue
        duckdb.execute(f"COPY (SELECT * FROM read_parquet('{path}') WHERE programme <> 'kem_centres') "
                       f"TO '{folder / 'kept.parquet'}' (FORMAT parquet)")
        (folder / "kept.parquet").replace(path)
    return folder


@pytest.mark.parametrize("lang, period, growth", [
    ("en", "1 March 2010 –", "Sites opened and active, by year"),
    ("uk", "1 березня 2010\u202fр. –", "Відкриті й активні заклади за роками"),
])
def test_a_programme_that_records_only_its_network_opens_on_its_growth(clean_dir, tmp_path, monkeypatch,
                                                                       lang, period, growth):
    # The fixture's first centre joined in March 2010: the programme opens on its own years (not on
    # the data date's year, where it said "No data"), every card shown has a figure, and the page
    # says what the data hold and shows the network's growth.
    import pandas as pd

    folder = _network_only(clean_dir, tmp_path / "clean")
    hubs = pd.read_parquet(folder / "hubs.parquet")
    first = hubs.loc[hubs["programme"] == "kem_centres", "joined_on"].min()
    assert (first.year, first.month) == (2010, 3)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    at = run_app({"lang": lang, "programme": "kem_centres"})
    assert not at.exception
    assert period in at.caption[0].value
    assert any("Kemerovo" in i.value or "Кемеров" in i.value for i in at.info)
    shown = cards(at)
    assert shown and all(value not in ("—", "0", "fewer than 10", "менше 10") for _label, value, _d in shown)
    assert any(growth in h.value for h in at.subheader) and at.get("vega_lite_chart")
    # The network's size: its library sites that are not closed, in regions whose libraries are counted.
    regions = pd.read_parquet(folder / "regions.parquet")
    counted = set(regions.loc[regions["public_libraries"].notna(), "region_code"])
    centres = hubs[(hubs["programme"] == "kem_centres") & hubs["is_library"] & (hubs["status"] != "closed")
                   & hubs["region_code"].isin(counted)]
    label = Translator(lang)("indicator.library_hubs")
    assert len(centres) > 0
    assert dict((name, value) for name, value, _d in shown)[label] == str(len(centres))
