"""Page tests (AppTest): every page runs for any view or hostile link and shows the metric functions' figures."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from conftest import PAGES, run_app

from dashboard import charts, metrics
from dashboard.filters import Filters
from dashboard.i18n import Translator

D = dt.date
DATA_START = D(2022, 1, 1)  # 1 January of the first year with a dated record (T-2022-01)
ALL_TIME = Filters("ua_hubs", DATA_START, D(2025, 6, 30))

# Query strings a user may share (labels are in the link's language), with the view they mean.
VIEWS = [
    ({}, ALL_TIME),
    ({"from": "2024-01-01", "to": "2024-12-31"}, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))),
    ({"lang": "en", "from": "2024-01-01", "to": "2024-12-31", "region": "Vinnytsia Oblast"},
     Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",))),
    ({"gender": "жінки", "age": "60–69", "from": "2024-01-01", "to": "2024-12-31"},
     Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), gender=("female",), age_band=("60_69",))),
    ({"lang": "en", "from": "2025-01-01", "displaced": "not displaced"},
     Filters("ua_hubs", D(2025, 1, 1), D(2025, 6, 30), displaced=("no",))),
    ({"from": "2023-01-01", "to": "2023-12-31", "settlement": "селище", "employment": "безробітні"},
     Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31), settlement_type=("town",), employment=("unemployed",))),
]
HOSTILE = [
    {"region": "<script>alert(1)</script>"},
    {"from": "2024-99-99"},
    {"age": ";DROP TABLE participants"},
    {"lang": "xx"},
    {"programme": "'; DROP TABLE hubs; --"},
    {"region": ["Вінницька область", "\u0000"], "to": "yesterday", "disability": "%"},
]


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode):
    return app_data


def _lang(params: dict) -> str:
    return params.get("lang", "uk")


def expected_cards(db, f: Filters, tr: Translator) -> list[tuple[str, str, str]]:
    """(label, value, delta) of each KPI card, from the metric functions."""
    current = metrics.compute_counts(db, f)
    previous = metrics.compute_counts(db, f.previous()) if metrics.has_previous(f, DATA_START) else None
    cards = []
    for k in metrics.compute_kpis(current, previous).itertuples():
        if k.kind == "before_after":
            value = tr("kpi.skills_value", before=tr.percent(k.previous), after=tr.percent(k.value))
            delta = tr.points(k.change) or ""
        elif k.kind == "share":
            value, delta = tr.percent(k.value), tr.points(k.change) or ""
        else:
            value = tr.count(k.value) if k.kind == "people" else tr.number(k.value)
            delta = "" if pd.isna(k.change) else tr.signed(k.change)
        cards.append((tr(f"kpi.{k.kpi}"), value, delta))
    return cards


def shown_cards(at) -> list[tuple[str, str, str]]:
    return [(m.label, m.value, m.delta or "") for m in at.metric]


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("lang", ["uk", "en"])
def test_default_view_runs(page, lang):
    at = run_app({"lang": lang}, page=page)
    assert not at.exception
    assert not at.warning  # a clean link gets no notice
    tr = Translator(lang)
    assert at.title[0].value == tr(f"page.{page}")
    date_line = tr("common.data_date", date=tr.date(D(2025, 6, 30)))
    assert any(date_line in c.value for c in at.caption), "data date on the page"


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("params", [p for p, _f in VIEWS], ids=range(len(VIEWS)))
def test_filter_combinations_run(page, params):
    at = run_app(params, page=page)
    assert not at.exception
    assert not at.warning


@pytest.mark.parametrize("params, f", VIEWS, ids=range(len(VIEWS)))
def test_figures_equal_the_metric_functions(db, params, f):
    at = run_app(params)
    tr = Translator(_lang(params))
    counts = metrics.compute_counts(db, f)
    if metrics.is_empty(counts):
        assert not at.metric
        return
    assert shown_cards(at) == expected_cards(db, f, tr)
    scope = metrics.describe_scope(f, tr, {"UA-05": "Vinnytsia Oblast"})
    sentence = metrics.headline(counts, f, tr, scope)
    assert any(m.value.replace("\\", "") == sentence for m in at.markdown)
    table = at.expander[0].children[0].value  # the table behind the trend chart
    pd.testing.assert_frame_equal(table.reset_index(drop=True),
                                  charts.trend_table(metrics.compute_monthly(db, f), tr))


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("params", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_query_strings_fall_back_with_a_notice(db, page, params):
    at = run_app(params, page=page)
    assert not at.exception
    assert len(at.warning) == 1
    for name in params:
        if not (name == "region" and isinstance(params[name], list)):
            assert name in at.warning[0].value
    if page == "overview":
        tr = Translator("uk")
        region = ("UA-05",) if isinstance(params.get("region"), list) else ()
        view = Filters("ua_hubs", DATA_START, D(2025, 6, 30), regions=region)
        assert shown_cards(at) == expected_cards(db, view, tr)


def test_start_after_end_falls_back_to_the_default_period(db):
    at = run_app({"from": "2025-01-01", "to": "2023-01-01"})
    assert not at.exception
    assert "from" in at.warning[0].value and "to" in at.warning[0].value
    assert shown_cards(at) == expected_cards(db, ALL_TIME, Translator("uk"))


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_empty_selection_says_what_to_widen(lang):
    region = {"uk": "Київ", "en": "Kyiv"}[lang]
    at = run_app({"lang": lang, "region": region, "from": "2024-01-01", "to": "2024-12-31"})
    assert not at.exception
    tr = Translator(lang)
    text = at.info[0].value
    assert tr("empty.title") in text
    assert tr("empty.regions") in text and tr("empty.period") in text
    assert not at.metric


def test_small_selection_is_suppressed():
    at = run_app({"lang": "en", "programme": "Computer literacy centres (Kemerovo Oblast)"})
    assert not at.exception
    cards = dict((label, value) for label, value, _d in shown_cards(at))
    assert cards["People trained"] == "fewer than 10"
    assert any("fewer than 10 participants" in m.value for m in at.markdown)


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
    at = run_app({"lang": lang})
    assert not at.exception
    tr = Translator(lang)
    assert at.title[0].value == tr("missing.title")
    assert "python -m dashboard.clean RAW CLEAN" in " ".join(m.value for m in at.markdown)
    if setup == "missing table":
        assert "participants.parquet" in at.error[0].value


def test_widgets_drive_the_figures(db):
    at = run_app({"lang": "en"})
    at.multiselect(key="region").set_value(["UA-05"]).run()
    at.get_by_key("quick").set_value("year:2024").run()
    assert (at.date_input(key="from").value, at.date_input(key="to").value) == (D(2024, 1, 1), D(2024, 12, 31))
    f = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",))
    assert shown_cards(at) == expected_cards(db, f, Translator("en"))
    at.multiselect(key="gender").set_value(["female"]).run()
    f = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",), gender=("female",))
    assert shown_cards(at) == expected_cards(db, f, Translator("en"))
    at.date_input(key="from").set_value(D(2024, 3, 12)).run()
    assert at.get_by_key("quick").value is None  # no quick pick matches the typed dates
    assert not at.exception


def test_changing_programme_resets_period_and_regions():
    at = run_app({"region": "Вінницька область", "from": "2024-01-01"})
    at.selectbox(key="programme").set_value("kem_centres").run()
    assert not at.exception
    assert at.multiselect(key="region").value == []
    assert (at.date_input(key="from").value, at.date_input(key="to").value) == (D(2012, 1, 1), D(2012, 12, 31))
    assert at.get_by_key("quick").options[1:] == ["2012"]


def test_phase_quick_pick():
    at = run_app({"lang": "en"})
    assert "Phase 2022–2023" in at.get_by_key("quick").options
    at.get_by_key("quick").set_value("phase:2022–2023").run()
    assert (at.date_input(key="from").value, at.date_input(key="to").value) == (D(2022, 1, 1), D(2023, 12, 31))


def test_data_quality_tables_equal_the_report(db):
    from conftest import REPORT

    at = run_app({"lang": "en"}, page="data_quality")
    assert not at.exception
    files, reasons = (d.value for d in at.dataframe)
    assert files["File"].tolist() == metrics.file_summary(REPORT)["file"].tolist()
    assert files["Table"].tolist() == ["hub registry", "participant reports"]
    assert files["Extract date"].tolist() == ["30 June 2025", "27 December 2024"]
    assert files["Rows read"].tolist() == ["7", "25,391"]
    assert files["Quarantined"].tolist() == ["1", "4"]
    assert reasons.values.tolist() == [["hubs_2025.csv", "unknown_region", "1"],
                                       ["participants_2024.csv", "unknown_hub", "3"],
                                       ["participants_2024.csv", "bad_date", "1"]]
    assert any("Rows read: 25,398; cleaned: 25,391; quarantined: 5; duplicates: 2." in m.value for m in at.markdown)


def test_data_quality_without_report(clean_dir, tmp_path, monkeypatch):
    folder = tmp_path / "clean"
    shutil.copytree(clean_dir, folder)
    (folder / "report.json").unlink()
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    at = run_app({"lang": "en"}, page="data_quality")
    assert not at.exception
    assert any("report.json" in i.value for i in at.info)
    assert any("data date is not recorded" in c.value for c in at.caption)


def test_every_registered_page_has_tests():
    from dashboard import ui

    assert {path for path, _key, _icon in ui.PAGES} == set(PAGES.values())
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


def test_threshold_comes_from_the_setting(db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "5")
    monkeypatch.setenv("DASHBOARD_NOISE", "0")  # the hand count below is exact
    at = run_app({"lang": "en", "from": "2023-01-01", "to": "2023-12-31"})
    cards = {label: value for label, value, _d in shown_cards(at)}
    assert cards["People trained"] == "6"  # C (5) and P: shown once k is 5
    f = Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31))
    assert at.metric[2].value == Translator("en").count(metrics.compute_counts(db, f, k=5).loc[0, "people"])
    assert any("Counts of 1 to 4 people" in c.value for c in at.caption)


@pytest.mark.parametrize("env, value", [("DASHBOARD_MIN_COUNT", "ten"), ("DASHBOARD_MODE", "internal")])
def test_misconfigured_deployment_shows_no_data(monkeypatch, env, value):
    monkeypatch.setenv(env, value)
    at = run_app({"lang": "en"})
    assert not at.exception
    assert at.error and not at.metric
