"""The shared frame (dashboard/ui/frame.py) through AppTest: every page runs for any shared or
hostile link, is registered and deep-linkable; the sidebar's programme and quick picks; what is
shown without readable data or with a bad setting."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import PAGES, run_app
from page_tools import MAX_CHART_ROWS, chart_rows, internal_mode

from dashboard.i18n import Translator

D = dt.date
# Links a user may share: codes, as the app writes them, and labels in the link's language, as
# links were written before they carried codes.
VIEWS = [
    {},
    {"from": "2024-01-01", "to": "2024-12-31"},
    {"lang": "en", "from": "2024-01-01", "to": "2024-12-31", "region": "UA-05"},
    {"gender": "female", "age": "60_69", "from": "2024-01-01", "to": "2024-12-31"},
    {"lang": "en", "from": "2025-01-01", "displaced": "not displaced"},
    {"lang": "en", "from": "2025-01-01", "disability": "with a disability"},
    {"from": "2023-01-01", "to": "2023-12-31", "settlement": "селище", "employment": "безробітні"},
    {"region": "Київ", "from": "2024-01-01", "to": "2024-12-31"},  # nothing there in 2024: the empty state
]
HOSTILE = [
    {"region": "<script>alert(1)</script>"},
    {"from": "2024-99-99", "to": "'; DROP TABLE activities; --"},
    {"age": ";DROP TABLE participants", "lang": "xx"},
    {"programme": "'; DROP TABLE hubs; --", "employment": "\u0000"},
    {"region": ["Вінницька область", "\u0000"], "to": "yesterday", "disability": "%"},
    {"region": ["Вінницька область", "**bold** [x](http://e.vil)"], "displaced": "%"},
]


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode):
    return app_data


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("params", VIEWS, ids=range(len(VIEWS)))
def test_every_page_runs_for_every_shared_link(page, params):
    at = run_app(params, page=page)
    assert not at.exception
    assert not at.warning  # a clean link gets no notice
    assert at.title[0].value == Translator(params.get("lang", "uk"))(f"page.{page}")
    date_line = {"uk": "Дані станом на 30 червня 2025\u202fр.", "en": "Data as of 30 June 2025"}
    assert date_line[params.get("lang", "uk")] in at.caption[0].value
    for chart in at.get("vega_lite_chart"):
        assert chart.proto.alt, "every chart has a text alternative"
        assert all(n <= MAX_CHART_ROWS for n in chart_rows(chart))


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("params", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_links_fall_back_with_one_notice(page, params):
    at = run_app(params, page=page)
    assert not at.exception
    assert len(at.warning) == 1
    for name in params:
        if not (name == "region" and isinstance(params[name], list)):
            assert name in at.warning[0].value
    texts = " ".join(str(m.value) for m in at.markdown)
    assert "<script>" not in texts and "](http://e.vil)" not in texts


def test_start_after_end_falls_back_to_the_whole_period():
    at = run_app({"lang": "en", "from": "2025-01-01", "to": "2023-01-01"})
    assert not at.exception
    assert "from" in at.warning[0].value and "to" in at.warning[0].value
    assert "1 October 2022 – 30 June 2025" in at.caption[0].value  # the period the page shows: all time


def test_changing_programme_resets_period_and_regions():
    at = run_app({"region": "Вінницька область", "from": "2024-01-01"})
    at.selectbox(key="programme").set_value("kem_centres").run()
    assert not at.exception
    assert at.multiselect(key="region").value == []
    assert (at.date_input(key="from").value, at.date_input(key="to").value) == (D(2012, 5, 1), D(2012, 12, 31))
    # The periods Kemerovo's release holds: all time, its one year, its quarters and months, from
    # its first record in May 2012 (no first quarter, no January).
    options = at.get_by_key("quick").options
    assert options[1] == "2012" and "2 кв. 2012" in options and all("2024" not in o for o in options)
    assert "1 кв. 2012" not in options and "травень 2012\u202fр." in options


def test_phase_quick_pick():
    at = run_app({"lang": "en"})
    assert "Phase 2022–2023" in at.get_by_key("quick").options
    at.get_by_key("quick").set_value("phase:2022–2023").run()
    assert not at.exception
    assert (at.date_input(key="from").value, at.date_input(key="to").value) == (D(2022, 10, 1), D(2023, 12, 31))


def test_typed_dates_clear_the_quick_pick(monkeypatch):
    internal_mode(monkeypatch)  # dates are typed in internal mode; a release offers its periods
    at = run_app({"lang": "en"})
    at.get_by_key("quick").set_value("year:2024").run()
    assert (at.date_input(key="from").value, at.date_input(key="to").value) == (D(2024, 1, 1), D(2024, 12, 31))
    at.date_input(key="from").set_value(D(2024, 3, 12)).run()
    assert not at.exception
    assert at.get_by_key("quick").value is None  # no quick pick matches the typed dates


@pytest.mark.parametrize("setup", ["missing folder", "missing table", "unreadable file"])
@pytest.mark.parametrize("lang", ["uk", "en"])
def test_missing_extract_explains_what_to_run(clean_dir, tmp_path, monkeypatch, setup, lang):
    folder = tmp_path / "clean"
    if setup != "missing folder":
        shutil.copytree(clean_dir, folder)
        if setup == "missing table":
            (folder / "participants.parquet").unlink()
        else:
            (folder / "regions.parquet").write_bytes(b"\x00garbage")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    internal_mode(monkeypatch)  # internal mode reads the extract; public mode, a release
    at = run_app({"lang": lang})
    assert not at.exception
    assert at.title[0].value == Translator(lang)("missing.title")
    assert "python -m dashboard.clean RAW CLEAN" in " ".join(m.value for m in at.markdown)
    if setup == "missing table":
        assert "participants.parquet" in at.error[0].value


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_public_mode_without_an_approved_release_says_how_to_publish_one(app_data, tmp_path, monkeypatch, lang):
    monkeypatch.setenv("DASHBOARD_RELEASES_DIR", str(tmp_path / "releases"))  # empty: nothing approved
    at = run_app({"lang": lang})
    assert not at.exception
    tr = Translator(lang)
    assert at.title[0].value == tr("release.none_title")
    steps = " ".join(m.value for m in at.markdown)
    assert "python -m dashboard.release CLEAN RELEASES --name" in steps and "--approve" in steps


def test_every_registered_page_has_tests():
    from dashboard.ui import frame

    assert {path for path, _key, _icon in frame.PAGES} == set(PAGES.values())
    assert list(PAGES)[0] == "overview"  # run_app treats the first page as the one at "/"


@pytest.mark.parametrize("page", list(PAGES))
def test_deep_link_before_any_navigation(monkeypatch, page):
    """A first request to a page URL runs the page file alone; it must still get the whole frame."""
    from streamlit.runtime import pages_manager
    from streamlit.testing.v1 import app_test

    monkeypatch.setattr(app_test, "PagesManager", pages_manager.PagesManager)  # AppTest as shipped
    at = run_app({"lang": "en", "region": "<b>x</b>"}, page=page)
    assert not at.exception
    assert at.title[0].value == Translator("en")(f"page.{page}")
    assert at.multiselect(key="region") is not None  # the sidebar comes from the entry file
    assert len(at.warning) == 1


@pytest.mark.parametrize("env, value", [("DASHBOARD_MIN_COUNT", "ten"), ("DASHBOARD_NOISE", "-1"),
                                        ("DASHBOARD_MODE", "internal")])
def test_misconfigured_deployment_shows_no_data(monkeypatch, env, value):
    monkeypatch.setenv(env, value)
    at = run_app({"lang": "en"})
    assert not at.exception
    assert at.error and not at.metric
