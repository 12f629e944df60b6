"""Data quality page (pages/data_quality.py, dashboard/ui/quality.py) through AppTest: the cleaning
report's tables equal the fixture's REPORT and QUARANTINE, the gaps of the view (silent hubs,
regions without data) equal hand counts of HUBS and GROUPS (tests/conftest.py), and the privacy
rule names the settings in force.

None of these figures is a count of people: they are exact whatever the perturbation.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pandas as pd
import pytest
from conftest import run_app, visible_texts
from page_tools import internal_mode, rows, shown, sign_in_internal, table_under

from dashboard.i18n import Translator

EN_2024 = {"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode):
    return app_data


@pytest.mark.parametrize("lang, title", [("uk", "Якість даних"), ("en", "Data quality")])
def test_default_view_runs(lang, title):
    at = run_app({"lang": lang}, page="data_quality")
    assert not at.exception and not at.warning
    assert at.title[0].value == title


def test_files_and_reasons_equal_the_report(monkeypatch):
    internal_mode(monkeypatch)  # the cleaning report is for signed-in staff; public mode shows the release
    at = run_app({"lang": "en"}, page="data_quality")
    assert not at.exception
    files, reasons = (shown(d) for d in at.dataframe[:2])  # then the silent hubs, listed for staff
    assert list(files.columns) == ["File", "Table", "Extract date", "Rows read", "Cleaned", "Quarantined", "Duplicates"]
    assert rows(files) == [["hubs_2025.csv", "hub registry", "30 June 2025", "7", "5", "1", "1"],
                           ["participants_2024.csv", "participant reports", "27 December 2024", "25,391", "25,386",
                            "4", "1"]]
    assert list(reasons.columns) == ["File", "Reason", "Rows"]
    # Reasons in words (the codes unknown_region, unknown_hub and bad_date of QUARANTINE).
    assert rows(reasons) == [["hubs_2025.csv", "a region name that matches no region", "1"],
                             ["participants_2024.csv", "a hub code that is not in the hub registry", "3"],
                             ["participants_2024.csv", "a date that cannot be read or is out of range", "1"]]
    # 7 + 25,391 read; 5 + 25,386 cleaned; 1 + 4 quarantined; 1 + 1 duplicates.
    assert "Rows read: 25,398; cleaned: 25,391; quarantined: 5; duplicates: 2." in [m.value for m in at.markdown]


def test_when_each_table_was_written(monkeypatch):
    internal_mode(monkeypatch)  # the cleaning report is for signed-in staff; public mode shows the release
    at = run_app({"lang": "en"}, page="data_quality")
    table = table_under(at, "When the data was cleaned")
    assert list(table.columns) == ["Cleaned table", "File", "Rows", "Written"]
    shown = rows(table)
    # Rows as the report counts them: 6 hubs, 41 participants (REPORT["tables"]), 5 quarantined.
    assert [r[:3] for r in shown] == [
        ["classes and consultations", "activities.parquet", "—"],
        ["skill ratings and tests", "assessments.parquet", "—"],
        ["hub registry", "hubs.parquet", "6"],
        ["participants", "participants.parquet", "41"],
        ["partners", "partners.parquet", "—"],
        ["quarantine", "quarantine.parquet", "5"],
        ["regions", "regions.parquet", "—"],
        ["targets", "targets.parquet", "—"],
        ["training cascade", "trainings.parquet", "—"],
        ["waiting list", "waitlist.parquet", "—"],
        ["cleaning report", "report.json", "—"],
    ]
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d", r[3]) for r in shown)


@pytest.mark.parametrize("lang, expected", [
    # Hubs expected to report in 2024 (joined by its end, not closed): UA-05 H1 and H2, UA-32 H3 (H4 is
    # closed, H5 joins in 2025). H2's only classes (C) were in 2023: 1 of 2 silent in UA-05.
    ("en", {"total": "1 of 3 active hubs sent no report in the period.",
            "silent": [["Region", "Active hubs expected to report", "Sent no report", "Share silent"],
                       ["Vinnytsia Oblast", "2", "1", "50.0%"], ["Kyiv Oblast", "1", "0", "0.0%"]],
            "nodata": [["Region", "Hubs in the registry", "Active hubs expected to report", "Likely reason"],
                       ["Kyiv", "1", "0", "no active hub had joined by the end of the period"],
                       ["Lviv Oblast", "0", "0", "no hub in the registry"]]}),
    ("uk", {"total": "1 з 3 активних хабів не подав звіту за період.",  # 1 хаб не подав
            "silent": [["Регіон", "Активних хабів, що мали звітувати", "Не подали звіту", "Частка без звітів"],
                       ["Вінницька область", "2", "1", "50,0 %"], ["Київська область", "1", "0", "0,0 %"]],
            "nodata": [["Регіон", "Хабів у реєстрі", "Активних хабів, що мали звітувати", "Імовірна причина"],
                       ["Київ", "1", "0", "до кінця періоду не приєднався жоден активний хаб"],
                       ["Львівська область", "0", "0", "у реєстрі немає хабів"]]}),
])
def test_gaps_of_2024(lang, expected):
    at = run_app({**EN_2024, "lang": lang}, page="data_quality")
    assert not at.exception
    titles = {"en": ("Hubs that sent no reports in the period", "Regions with no data"),
              "uk": ("Хаби, що не подали звітів за період", "Регіони без даних")}[lang]
    assert expected["total"] in [m.value for m in at.markdown]
    silent = table_under(at, titles[0])
    assert [list(silent.columns), *rows(silent)] == expected["silent"]
    nodata = table_under(at, titles[1])
    assert [list(nodata.columns), *rows(nodata)] == expected["nodata"]
    # Public mode: no hub names, and a line says why.
    assert not any(e.label in ("The hubs, one by one", "Хаби поіменно") for e in at.expander)
    assert {"en": "The names of the hubs are shown only in internal mode.",
            "uk": "Назви хабів показано лише у внутрішньому режимі."}[lang] in [c.value for c in at.caption]


def test_gaps_follow_the_region_filter():
    at = run_app(EN_2024, page="data_quality")
    at.multiselect(key="region").set_value(["UA-32"]).run()
    assert not at.exception
    assert rows(table_under(at, "Hubs that sent no reports in the period")) == [["Kyiv Oblast", "1", "0", "0.0%"]]
    assert "Every selected region reported classes in the period." in [s.value for s in at.success]


def test_silent_hubs_listed_one_by_one_only_in_internal_mode(monkeypatch):
    sign_in_internal(monkeypatch)
    at = run_app(EN_2024, page="data_quality")
    assert not at.exception
    listed = [e for e in at.expander if e.label == "The hubs, one by one"]
    assert listed
    table = listed[0].children[0]
    assert rows(shown(table)) == [["ХЦО-00002", "Бібліотека-філія с. Мар’янівка", "—", "Vinnytsia Oblast",
                                   "17 November 2023"]]
    assert table.value["Joined"].tolist() == [dt.date(2023, 11, 17)]  # a date, sorted as a date


@pytest.mark.parametrize("lang, rule", [
    ("en", 'How people are protected. (1) A count of 1 to 9 people is never shown, on screen or in any file: it reads '
           '"fewer than 10"'),
    ("uk", "Як ми захищаємо людей. (1) Кількість від 1 до 9 осіб ніколи не показуємо — ні на екрані, ні у файлах: "
           "замість неї стоїть «менше 10»"),
])
def test_privacy_rule_names_the_settings_in_force(lang, rule):
    at = run_app({"lang": lang}, page="data_quality")
    text = next(m.value for m in at.markdown if m.value.startswith(rule[:20]))
    assert text.startswith(rule)
    assert {"en": "between −2 and +2", "uk": "від −2 до +2"}[lang] in text  # DASHBOARD_NOISE's default


def test_without_report(clean_dir, tmp_path, monkeypatch):
    internal_mode(monkeypatch)  # the cleaning report is for signed-in staff; public mode shows the release
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    (folder / "report.json").unlink()
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    at = run_app({"lang": "en"}, page="data_quality")
    assert not at.exception
    assert "The data folder has no cleaning report (report.json), so there is no information about files." in [
        i.value for i in at.info]
    assert any("data date is not recorded" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_public_mode_names_the_release_and_no_raw_file(lang):
    at = run_app({"lang": lang}, page="data_quality")
    assert not at.exception
    tr = Translator(lang)
    texts = visible_texts(at)
    assert tr("dq.release_title") in " ".join(texts)
    table = next(t for t in at.dataframe if tr("dq.release_what") in t.value.columns)
    values = dict(zip(table.value.iloc[:, 0], table.value.iloc[:, 1]))
    assert values[tr("dq.release_name")] == "extract"  # the release tests/conftest.py publishes
    assert values[tr("dq.release_rule")] == tr("dq.release_rule_value", k="10", d="2")
    assert not any(".parquet" in t for t in texts)  # no raw or cleaned file is listed


def test_staff_review_a_draft_beside_the_current_release_and_approve_it(clean_dir, tmp_path, monkeypatch):
    import datetime as dt

    from dashboard.privacy import Rule
    from dashboard.release import catalogue
    from dashboard.release.build import build

    root = tmp_path / "releases"
    first = dt.datetime(2025, 1, 15, tzinfo=dt.timezone.utc)
    build(clean_dir, root, "2024-annual", Rule(k=10, noise=2), now=first)
    catalogue.approve(root, "2024-annual", "official@example.org", now=first)
    build(clean_dir, root, "2025-draft", Rule(k=10, noise=0), now=first + dt.timedelta(days=200))
    monkeypatch.setenv("DASHBOARD_RELEASES_DIR", str(root))
    internal_mode(monkeypatch)
    at = run_app({"lang": "en"}, page="data_quality")
    assert not at.exception
    listed = table_under(at, "Releases", 0)
    assert rows(listed)[0][0] == "2025-draft" and rows(listed)[1][0] == "2024-annual ★"
    changes = rows(table_under(at, "Releases", 1))
    # The whole country first: 41 people of all time in both (the draft has no noise; the
    # current release's 41 is within its ±2); then each region.
    assert changes[0][0] == "all regions" and changes[0][2] == "41"
    assert abs(int(changes[0][1]) - 41) <= 2
    at.button(key="release_approve").click().run()
    assert not at.exception
    assert catalogue.current(root).name == "2025-draft"
    assert catalogue.find(root, "2025-draft").manifest["approval"]["by"] == "tester@example.org"


# The raw files' rows of tests/conftest.py REPORT: 7 read in hubs_2025.csv, 25,391 in participants_2024.csv.
@pytest.mark.parametrize("lang, column, smallest_first", [
    ("en", "Rows read", [(7, "7"), (25391, "25,391")]),
    ("uk", "Рядків прочитано", [(7, "7"), (25391, "25\u00a0391")]),
])
def test_numbers_sort_as_numbers_and_read_the_language_way(monkeypatch, lang, column, smallest_first):
    """A click on a header sorts the numbers (the table's values), not their texts: as text,
    "25,391" would sort before "7". Each number still reads the language's way."""
    internal_mode(monkeypatch)
    at = run_app({"lang": lang}, page="data_quality")
    assert not at.exception
    files = at.dataframe[0]
    values, texts = files.value[column], shown(files)[column]
    assert pd.api.types.is_integer_dtype(values)
    order = values.sort_values(kind="stable").index
    assert list(zip(values[order].tolist(), texts[order].tolist())) == smallest_first
    dates = files.value.iloc[:, 2]  # Extract date: dates, sorted as dates (30 June 2025 after 27 December 2024)
    assert sorted(dates.tolist()) == [dt.date(2024, 12, 27), dt.date(2025, 6, 30)]


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_no_reason_code_reaches_the_page(monkeypatch, lang):
    """Every quarantine reason is shown in words, in the page's language."""
    from conftest import QUARANTINE

    internal_mode(monkeypatch)
    at = run_app({"lang": lang}, page="data_quality")
    assert not at.exception
    codes = {q[3] for q in QUARANTINE}
    texts = visible_texts(at)
    assert not codes & set(texts)
    assert not [t for t in texts if re.fullmatch(r"[a-z]+(?:_[a-z]+)+", t)]
    words = {"uk": "код хабу, якого немає в реєстрі хабів", "en": "a hub code that is not in the hub registry"}[lang]
    assert words in shown(at.dataframe[1]).iloc[:, 1].tolist()
