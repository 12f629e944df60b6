"""The public app on a release alone (AppTest): every page runs with no person-level file on disk;
the official totals are exact and marked; one view's people are one number on every page and in
every file; a link asking for more than the release holds gets the nearest view and a notice."""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest
from conftest import PAGES, run_app, visible_texts
from page_tools import cards

from dashboard.i18n import Translator
from dashboard.privacy import Rule
from dashboard.release import catalogue
from dashboard.release.build import build

YEAR_2024 = {"from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture(scope="module")
def release_only(clean_dir, tmp_path_factory):
    """A releases folder with the fixture's release (k = 10, noise ±2), and no extract anywhere."""
    base = tmp_path_factory.mktemp("public_only")
    copy = shutil.copytree(clean_dir, base / "clean")
    build(copy, base / "releases", "2024-annual", Rule(k=10, noise=2))
    catalogue.approve(base / "releases", "2024-annual", "official@example.org")
    shutil.rmtree(copy)  # the person-level files are gone: only the release is on disk
    return base / "releases"


@pytest.fixture(autouse=True)
def _public(release_only, tmp_path, monkeypatch, navigation_mode):
    monkeypatch.setenv("DASHBOARD_MODE", "public")
    monkeypatch.setenv("DASHBOARD_RELEASES_DIR", str(release_only))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "no-extract-here"))


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("lang", ["uk", "en"])
def test_every_page_runs_on_the_release_alone(page, lang):
    at = run_app({"lang": lang, **YEAR_2024}, page=page)
    assert not at.exception
    tr = Translator(lang)
    assert at.title[0].value == tr(f"page.{page}")
    side = " ".join(c.value for c in at.sidebar.caption)
    assert "2024-annual" in side  # every page names the release


def _official(release_only) -> pd.DataFrame:
    return pd.read_parquet(release_only / "2024-annual" / "official.parquet").set_index(["programme", "period"])


def test_the_official_total_is_exact_and_marked(release_only):
    at = run_app({"lang": "en", **YEAR_2024})
    people = dict((label, value) for label, value, _delta in cards(at))["People trained"]
    # A 12 + B 8 + P 1 = 21 people in 2024: exact, not perturbed.
    assert people == "21" == str(_official(release_only).loc[("ua_hubs", "year:2024"), "people"])
    assert any("official totals" in c.value for c in at.caption)
    # Another view is not official: no mark.
    region = run_app({"lang": "en", **YEAR_2024, "region": "Vinnytsia Oblast"})
    assert not any("official totals" in c.value for c in region.caption)


def test_one_view_has_one_number_of_people_on_every_page_and_file(release_only, monkeypatch, downloads):
    view = {"lang": "en", **YEAR_2024, "region": "Vinnytsia Oblast"}
    cells = pd.read_parquet(release_only / "2024-annual" / "cells.parquet")
    cell = cells[(cells.programme == "ua_hubs") & (cells.area == "UA-05") & (cells.period == "year:2024")
                 & (cells.dim1 == "")].iloc[0]
    shown = str(int(cell["people"]))  # Vinnytsia's 13 people, as the release protects them (±2)
    assert abs(int(shown) - 13) <= 2
    overview = run_app(view)
    assert dict((label, value) for label, value, _d in cards(overview))["People trained"] == shown
    exports = run_app(view, page="exports")
    lines = downloads["key_figures_en.csv"]().decode("utf-8-sig").splitlines()
    table = [row for row in csv.reader(lines[lines.index("") + 1:]) if row]
    assert [row[1] for row in table if row[0] == "People trained"] == [shown]
    assert any("release 2024-annual, published" in line for line in lines[:8]), lines[:8]
    assert not exports.exception
    # The map's region table (the whole country's regions, Vinnytsia among them).
    mapped = run_app({k: v for k, v in view.items() if k != "region"}, page="map")
    regions = mapped.dataframe[0].value
    assert str(int(regions.loc[regions["region"] == "Vinnytsia Oblast", "people"].iloc[0])) == shown


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_a_link_asking_for_more_than_the_release_holds_gets_the_nearest_view(lang):
    tr = Translator(lang)
    regions = {"uk": ["Вінницька область", "Київська область"], "en": ["Vinnytsia Oblast", "Kyiv Oblast"]}[lang]
    at = run_app({"lang": lang, "from": "2024-03-05", "to": "2024-03-20", "region": regions})
    assert not at.exception
    notes = " ".join(i.value for i in [*at.info, *at.warning])
    # One region at most: the picker keeps one of the two, or the view falls back to the country.
    assert len(at.multiselect(key="region").value) <= 1
    shown = regions[0] if at.multiselect(key="region").value else tr("release.country")
    assert tr("release.regions", shown=shown) in notes
    assert tr("release.period", period=tr.month(pd.Timestamp("2024-03-01").date())) in notes
    month = tr.period(pd.Timestamp("2024-03-01").date(), pd.Timestamp("2024-03-31").date())
    assert month in at.caption[0].value  # the page shows the month that holds the days asked
    # The date fields show the month shown, not the days the link asked for.
    assert [at.date_input(key=key).value for key in ("from", "to")] == [
        pd.Timestamp("2024-03-01").date(), pd.Timestamp("2024-03-31").date()]
    texts = " ".join(visible_texts(at))
    assert "Traceback" not in texts


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_a_link_with_two_values_of_one_characteristic_keeps_one_and_says_so(lang):
    tr = Translator(lang)
    at = run_app({"lang": lang, **YEAR_2024, "age": ["60_69", "70_plus"]})
    assert not at.exception
    assert at.multiselect(key="age").value == ["60_69"]
    notes = [i.value for i in at.info]
    before, after = tr("release.group", group="\0").split("\0")
    said = [n for n in notes if n.startswith(before) and n.endswith(after)]
    assert len(said) == 1, notes
    assert tr("age.60_69").replace("–", "-") in said[0].replace("–", "-"), said
    assert said[0][:1].isupper()  # a sentence, though it begins with the group's words
    # The year asked for is one the release holds: no period notice.
    assert tr("release.period", period=tr("quick.year", year="2024")) not in notes


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_the_cascade_says_it_is_of_all_time_when_a_period_is_chosen(lang):
    tr = Translator(lang)
    said = tr("participation.cascade_all_time")
    year = run_app({"lang": lang, **YEAR_2024}, page="participation")
    assert not year.exception
    assert said in [i.value for i in year.info]
    everything = run_app({"lang": lang}, page="participation")
    assert not everything.exception
    assert said not in [i.value for i in everything.info]
