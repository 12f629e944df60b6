"""Progress page (pages/progress.py, dashboard/ui/progress.py) and the Overview's progress card through
AppTest, in public mode (a release of the fixture extract) and internal mode (live), against hand
counts of the fixture extract (tests/conftest.py TARGETS and GROUPS).

Perturbation is off (DASHBOARD_NOISE=0) unless a test says otherwise, and k is 10, so public and
internal mode show the same numbers. People of ua_hubs: 2023: C's 5 and P, 6 in all, both in
Vinnytsia Oblast (hidden); 2024: A's 12 and P in Vinnytsia Oblast (13), B's 8 and P in Kyiv Oblast
(9, hidden), 21 in all; 2025 (to the data date): D's 15 in Kyiv Oblast. The data date, 30 June
2025, is day 181 of 365 of 2025, so 181/365 = 49.6% of a 2025 count target is due by then; 2024 is
over, so all of its targets are due. At risk from 80% of what is due.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from urllib.parse import parse_qsl

import pandas as pd
import pytest
from conftest import internal_mode, run_app
from page_tools import chart_rows, one_slot_export_queue, shown, walk

from dashboard.export import files, registry
from dashboard.export.queue import QueueTimeout
from dashboard.filters import Filters
from dashboard.metrics.live import Live
from dashboard.privacy import Rule
from dashboard.release import catalogue
from dashboard.release.build import build
from dashboard.store.database import Database

D = dt.date
YEAR_2024 = {"from": "2024-01-01", "to": "2024-12-31"}
MODES = ["public", "internal"]
HEADER = {
    "en": ["Region", "Baseline", "Target", "Actual", "Achieved, % of target", "Expected by now, % of target",
           "Status"],
    "uk": ["Область", "Базове значення", "Ціль", "Фактично", "Виконано, % цілі", "Очікувано на зараз, % цілі", "Стан"],
}
# People trained in 2024, the whole country first, then the regions in the order of the region
# filter (by name). Baselines are 2023's. Whole country: 21 of 30 = 70% < 80% of all 30: off track.
# Kyiv: 0, no target. Kyiv Oblast: 9, hidden, so no per cent. Lviv Oblast: 0, no target. Vinnytsia
# Oblast: 13 of 10 = 130%: on track; its 2023 (6) is hidden.
PEOPLE_2024 = {
    "en": [["Whole country", "—", "30", "21", "70", "100", "✗ off track"],
           ["Kyiv", "0", "—", "0", "—", "100", "– no target"],
           ["Kyiv Oblast", "0", "20", "—", "—", "100", "… hidden (small number)"],
           ["Lviv Oblast", "0", "—", "0", "—", "100", "– no target"],
           ["Vinnytsia Oblast", "—", "10", "13", "130", "100", "✓ on track"]],
    "uk": [["Уся країна", "—", "30", "21", "70", "100", "✗ відставання"],
           ["Вінницька область", "—", "10", "13", "130", "100", "✓ за планом"],
           ["Київ", "0", "—", "0", "—", "100", "– ціль не поставлено"],
           ["Київська область", "0", "20", "—", "—", "100", "… приховано (мале число)"],
           ["Львівська область", "0", "—", "0", "—", "100", "– ціль не поставлено"]],
}
# People trained in 2025 (the page's default: the data date's year). The whole country has no
# target of its own: the regions' 40 + 20 = 60; its 15 is 25% of it, under 80% of the 29.8 due:
# off track. Kyiv: 0 of 40: off track. Kyiv Oblast: 15 of 20 = 75%, more than the 9.9 due: on
# track (2024's 9 hidden). Vinnytsia Oblast: nobody in 2025 and no target (2024: 13).
PEOPLE_2025_EN = [["Whole country (sum of the regions' targets)", "21", "60", "15", "25", "50", "✗ off track"],
                  ["Kyiv", "0", "40", "0", "0", "50", "✗ off track"],
                  ["Kyiv Oblast", "—", "20", "15", "75", "50", "✓ on track"],
                  ["Lviv Oblast", "0", "—", "0", "—", "50", "– no target"],
                  ["Vinnytsia Oblast", "13", "—", "0", "—", "50", "– no target"]]


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode, monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")  # hand counts below are exact
    return app_data


def _mode(monkeypatch, mode: str) -> None:
    if mode == "internal":
        internal_mode(monkeypatch)


def tables(at) -> list:
    return [el for el in walk(at.main) if el.type == "dataframe"]


def words(table) -> list[list[str]]:
    """The cells a user reads, as text."""
    return [[str(v) for v in row] for row in shown(table).values.tolist()]


def texts(at) -> list[str]:
    return [el.value for el in walk(at.main) if el.type in ("markdown", "caption")]


@pytest.mark.parametrize("lang, title", [("uk", "Виконання цілей"), ("en", "Progress to targets")])
@pytest.mark.parametrize("mode", MODES)
def test_the_default_view_is_the_data_dates_year(monkeypatch, mode, lang, title):
    _mode(monkeypatch, mode)
    at = run_app({"lang": lang}, page="progress")
    assert not at.exception
    assert at.title[0].value == title
    assert at.selectbox[0].value == "year:2025"
    if lang == "en":
        assert [row[:7] for row in words(tables(at)[0])] == PEOPLE_2025_EN
        assert any(t.startswith("2025, People trained: 1 of 4 regions on track, 0 at risk, 1 off track.")
                   for t in texts(at))


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("mode", MODES)
def test_people_trained_in_2024(monkeypatch, mode, lang):
    _mode(monkeypatch, mode)
    at = run_app({"lang": lang, **YEAR_2024}, page="progress")
    assert not at.exception
    table = tables(at)[0]
    assert list(shown(table).columns)[:7] == HEADER[lang]
    assert [row[:7] for row in words(table)] == PEOPLE_2024[lang]
    # Each region's link opens its progress in the period, in the page's language.
    links = table.value.iloc[:, 7].tolist()
    assert f"progress?lang={lang}&programme=ua_hubs&from=2024-01-01&to=2024-12-31&region=UA-05" in links
    # The chart draws the areas with a per cent only: the whole country and Vinnytsia Oblast.
    assert [chart_rows(el) for el in walk(at.main) if el.type == "vega_lite_chart"] == [[2]]


@pytest.mark.parametrize("lang, opened", [
    # 2024: 13 of 10 (the table's row); baseline 2023's 6, hidden. Who set the target is the data's own words.
    ("en", (["Targets of Vinnytsia Oblast"],
            [["People trained", "2024", "—", "10", "13", "130", "100", "✓ on track", "Oblast plan"]])),
    ("uk", (["Цілі: Вінницька область"],
            [["Навчено людей", "2024", "—", "10", "13", "130", "100", "✓ за планом", "Oblast plan"]])),
])
@pytest.mark.parametrize("mode", MODES)
def test_a_link_opens_that_oblasts_progress(monkeypatch, mode, lang, opened):
    _mode(monkeypatch, mode)
    at = run_app({"lang": lang, **YEAR_2024}, page="progress")
    link = next(v for v in tables(at)[0].value.iloc[:, 7] if isinstance(v, str) and v.endswith("region=UA-05"))
    path, _sep, query = link.partition("?")
    assert path == "progress"
    region = run_app(dict(parse_qsl(query)), page="progress")
    assert not region.exception
    subheaders, rows = opened
    # The region's targets, then who is left behind among its groups (tests/ui/test_page_left_behind.py).
    left_behind = {"en": "Who is left behind", "uk": "Хто відстає"}[lang]
    assert [el.value for el in walk(region.main) if el.type == "subheader"] == [*subheaders, left_behind]
    assert words(tables(region)[0]) == rows


def test_one_oblast_with_a_count_due_mid_year(monkeypatch):
    internal_mode(monkeypatch)
    at = run_app({"lang": "en", "region": "UA-32"}, page="progress")
    assert not at.exception
    # 2024: 9 of 20, hidden (no per cent). 2025: 15 of 20 (75%) with 49.6% due (9.9 people): on
    # track; its baseline, 2024's 9, is hidden.
    assert words(tables(at)[0]) == [
        ["People trained", "2024", "0", "20", "—", "—", "100", "… hidden (small number)", "Oblast plan"],
        ["People trained", "2025", "—", "20", "15", "75", "50", "✓ on track", "Oblast plan"]]
    assert at.subheader[0].value == "Targets of Kyiv Oblast"


def test_the_pickers_change_the_period_and_the_figure(monkeypatch):
    internal_mode(monkeypatch)
    at = run_app({"lang": "en"}, page="progress")
    at.selectbox[0].set_value("year:2024").run()
    assert [row[:7] for row in words(tables(at)[0])] == PEOPLE_2024["en"]
    at.button_group[0].set_value("share_after").run()
    # Rated before training in 2024: A 12, B 8 and P, none at 7–10 (0.0%); after: A 10, B 8 and P,
    # 16 at 7–10: 16/19 = 84.2% of a target of 80%: 105% achieved, due in full: on track.
    assert words(tables(at)[0])[0][:7] == ["Whole country", "0.0", "80.0", "84.2", "105", "100", "✓ on track"]


def test_the_table_sorts_as_numbers(monkeypatch):
    """The table holds numbers, not text, so a click on a header sorts 130 above 70; a missing
    number reads "—" in the browser too (its grid writes the placeholder, not the styler's text)."""
    internal_mode(monkeypatch)
    at = run_app({"lang": "en", **YEAR_2024}, page="progress")
    assert tables(at)[0].proto.placeholder == "—"
    frame = tables(at)[0].value
    numbers = ["Baseline", "Target", "Actual", "Achieved, % of target", "Expected by now, % of target"]
    assert all(pd.api.types.is_numeric_dtype(frame[c]) for c in numbers)
    ranked = frame.sort_values("Achieved, % of target", ascending=False)["Region"].tolist()
    assert ranked[:2] == ["Vinnytsia Oblast", "Whole country"]  # 130 before 70 (as text, "70" > "130")


def test_the_at_risk_cut_off_is_a_setting(monkeypatch):
    internal_mode(monkeypatch)
    monkeypatch.setenv("DASHBOARD_PROGRESS_AT_RISK", "0.7")
    at = run_app({"lang": "en", **YEAR_2024}, page="progress")
    # 21 of 30 reaches 70% of what is due: at risk with this cut-off (off track with 0.8).
    assert words(tables(at)[0])[0][6] == "! at risk"
    assert any("at risk when it reaches at least 70% of that" in t for t in texts(at))


def test_the_downloads_are_the_export_figures_files(monkeypatch, clean_dir, downloads):
    """PNG, SVG, CSV and XLSX of the table and chart shown, written as the Exports page's files: the
    CSV's header lines are those of the registered figure for the same view."""
    internal_mode(monkeypatch)
    at = run_app({"lang": "en", **YEAR_2024}, page="progress")
    labels = [el.proto.label for el in walk(at.main) if el.type == "download_button"]
    assert labels == ["PNG image", "SVG drawing", "CSV table", "Excel workbook"]
    assert set(downloads) == {f"progress_en.{fmt}" for fmt in ("png", "svg", "csv", "xlsx")}
    lines = list(csv.reader(io.StringIO(downloads["progress_en.csv"]().decode("utf-8-sig"))))
    db = Database(clean_dir)
    try:
        src = Live(db, Rule(10, 0))
        view = registry.make_view(src, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31)), "en")
        export = registry.build("progress", src, view)
    finally:
        db.close()
    head = files.header_lines(export)
    assert [line[0] for line in lines[:len(head)]] == head
    assert head[0] == "Progress to targets by region" and head[3] == "Target for: People trained, 2024."
    assert lines[len(head) + 1] == ["ISO 3166-2", "Region", *HEADER["en"][1:]]
    assert lines[len(head) + 2] == ["", "Whole country", "fewer than 10", "30", "21", "70.0", "100.0", "✗ off track"]



def test_the_downloads_take_their_turn_in_the_export_queue(monkeypatch, downloads):
    """A file of this page is made in a turn of the process's export queue, as the Exports page's
    are: it waits while the queue is busy, gives up after DASHBOARD_EXPORT_WAIT, and is made once."""
    busy, written = one_slot_export_queue(monkeypatch)
    internal_mode(monkeypatch)
    at = run_app({"lang": "en", **YEAR_2024}, page="progress")
    assert not at.exception and written == []  # nothing is made before a click
    with busy.turn(1):  # another visitor's file takes the one slot
        with pytest.raises(QueueTimeout):
            downloads["progress_en.csv"]()
    assert written == []
    first = downloads["progress_en.csv"]()
    assert first.decode("utf-8-sig").startswith("Progress to targets by region") and written == ["csv"]
    assert downloads["progress_en.csv"]() == first and written == ["csv"]  # kept for the next visitor


# ---- public mode reads the release alone ------------------------------------------------------

@pytest.fixture(scope="module")
def release_only(clean_dir, tmp_path_factory):
    """A releases folder with the fixture's release (k = 10, noise ±2), and no extract anywhere."""
    base = tmp_path_factory.mktemp("progress_public")
    copy = shutil.copytree(clean_dir, base / "clean")
    build(copy, base / "releases", "2024-annual", Rule(k=10, noise=2))
    catalogue.approve(base / "releases", "2024-annual", "official@example.org")
    shutil.rmtree(copy)
    return base / "releases"


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_public_actuals_are_the_releases_protected_cells(release_only, tmp_path, monkeypatch, lang):
    """With perturbation on and no extract on disk, each actual is the release's cell of people for
    the area and 2024 (perturbed; or hidden: then no number, no per cent and the status "hidden"),
    and each per cent is that actual over the target."""
    monkeypatch.setenv("DASHBOARD_MODE", "public")
    monkeypatch.setenv("DASHBOARD_RELEASES_DIR", str(release_only))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "no-extract-here"))
    at = run_app({"lang": lang, **YEAR_2024}, page="progress")
    assert not at.exception
    cells = pd.read_parquet(release_only / "2024-annual" / "cells.parquet")
    people = cells[(cells.programme == "ua_hubs") & (cells.period == "year:2024") & (cells.dim1 == "")] \
        .set_index("area")["people"]
    hidden = {"en": "… hidden (small number)", "uk": "… приховано (мале число)"}[lang]
    frame, read = tables(at)[0].value, words(tables(at)[0])
    targets = {"": 30, "UA-05": 10, "UA-32": 20}
    for i, link in enumerate(frame.iloc[:, 7]):
        area = "" if not isinstance(link, str) else link.rpartition("region=")[2]
        cell = people.get(area, 0)  # a cell the release does not write is nobody
        if pd.isna(cell):
            assert (read[i][3], read[i][4], read[i][6]) == ("—", "—", hidden), (area, read[i])
        else:
            assert frame.iloc[i, 3] == cell, area
            if area in targets:
                assert frame.iloc[i, 4] == pytest.approx(round(cell / targets[area] * 100, 1)), area
    # Kyiv Oblast's 9 people are hidden in the release too.
    assert pd.isna(people["UA-32"])


# ---- the Overview's card --------------------------------------------------------------------

CARD_2024 = {
    "en": ["People trained, 2024: 21 of 30 (70.0%), ✗ off track.", "Regions: 1 on track, 0 at risk, 0 off track."],
    "uk": ["Навчено людей, 2024: 21 з 30 (70,0 %), ✗ відставання.",
           "Області: за планом — 1, під загрозою — 0, відставання — 0."],
}


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("mode", MODES)
def test_the_overview_card(monkeypatch, mode, lang):
    _mode(monkeypatch, mode)
    at = run_app({"lang": lang, **YEAR_2024})
    assert not at.exception
    # People trained (the first figure with a target) for the whole country, and the regions by
    # status: Vinnytsia Oblast on track; Kyiv Oblast hidden (counted in no status).
    shown_texts = texts(at)
    start = shown_texts.index({"en": "**Progress to targets**", "uk": "**Виконання цілей**"}[lang])
    assert shown_texts[start + 1:start + 3] == CARD_2024[lang]
    link = next(el.proto for el in walk(at.main) if el.type == "page_link")
    assert link.page == "progress"
    assert link.query_string == f"lang={lang}&programme=ua_hubs&from=2024-01-01&to=2024-12-31"


@pytest.mark.parametrize("params, lines", [
    # The whole span holds 2025, the data date's year: 15 of the regions' 60, off track; Kyiv off
    # track (0 of 40), Kyiv Oblast on track.
    ({}, ["People trained, 2025: 15 of 60 (25.0%), ✗ off track.", "Regions: 1 on track, 0 at risk, 1 off track."]),
    # One region: its own target, no count of regions.
    ({**YEAR_2024, "region": "UA-05"}, ["People trained, 2024: 13 of 10 (130.0%), ✓ on track."]),
    # A hidden actual: the target and the status, no per cent.
    ({**YEAR_2024, "region": "UA-32"}, ["People trained, 2024: target 20; … hidden (small number)."]),
])
@pytest.mark.parametrize("mode", MODES)
def test_the_overview_card_of_other_views(monkeypatch, mode, params, lines):
    _mode(monkeypatch, mode)
    at = run_app({"lang": "en", **params})
    assert not at.exception
    shown_texts = texts(at)
    start = shown_texts.index("**Progress to targets**")
    assert shown_texts[start + 1:start + 1 + len(lines)] == lines
    assert not any(t.startswith("Regions:") for t in shown_texts[start + 1 + len(lines):])
    link = next(el.proto for el in walk(at.main) if el.type == "page_link")
    assert link.page == "progress"
    assert link.query_string.endswith(f"&region={params['region']}" if params else "&to=2025-06-30")


@pytest.mark.parametrize("params", [
    {"from": "2023-01-01", "to": "2023-12-31"},  # no target within 2023
    {**YEAR_2024, "gender": "female"},  # targets are for everyone, not for one group
])
def test_no_card_without_targets_for_the_view(monkeypatch, params):
    internal_mode(monkeypatch)
    at = run_app({"lang": "en", **params})
    assert not at.exception
    assert "**Progress to targets**" not in texts(at)
