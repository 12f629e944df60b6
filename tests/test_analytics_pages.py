"""Page tests (AppTest) of Participation, Skills, Network & capacity and Data quality: every filter
state and hostile link runs, the figures on screen are the metric functions', and they agree with
the Overview's for the same filters."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pytest
from conftest import run_app

from dashboard import metrics_analytics as ma
from dashboard import text_analytics as ta
from dashboard import text_network as tn
from dashboard.filters import Filters
from dashboard.i18n import Translator

D = dt.date
ANALYTICS = ("participation", "skills", "network", "data_quality")
ALL_TIME = Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30))
REGION_NAMES = {"uk": {"UA-05": "Вінницька область", "UA-32": "Київська область", "UA-30": "Київ",
                       "UA-46": "Львівська область", "RU-KEM": "Кемеровська область"},
                "en": {"UA-05": "Vinnytsia Oblast", "UA-32": "Kyiv Oblast", "UA-30": "Kyiv",
                       "UA-46": "Lviv Oblast", "RU-KEM": "Kemerovo Oblast"}}
KEM_LINK = {"lang": "en", "programme": "Computer literacy centres (Kemerovo Oblast)"}
# Links a user may share, with the view they mean (labels are in the link's language).
VIEWS = [
    ({}, ALL_TIME),
    ({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))),
    ({"lang": "en", "from": "2024-01-01", "to": "2024-12-31", "region": "Vinnytsia Oblast"},
     Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",))),
    ({"gender": "жінки", "from": "2024-01-01", "to": "2024-12-31"},
     Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), gender=("female",))),
    ({"lang": "en", "from": "2025-01-01", "disability": "with a disability"},
     Filters("ua_hubs", D(2025, 1, 1), D(2025, 6, 30), disability=("yes",))),
    ({"region": "Київ", "from": "2024-01-01", "to": "2024-12-31"},  # nothing there in 2024
     Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-30",))),
]
HOSTILE = [
    {"region": "<script>alert(1)</script>"},
    {"from": "2024-99-99", "to": "'; DROP TABLE activities; --"},
    {"age": ";DROP TABLE participants", "lang": "xx"},
    {"programme": "'; DROP TABLE hubs; --", "employment": "\u0000"},
    {"region": ["Вінницька область", "**bold** [x](http://e.vil)"], "displaced": "%"},
]
MAX_CHART_ROWS = 5000  # Altair's own limit; the pages' frames stay far below it


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode):
    # Perturbation stays on (as in test_pages): the screens are compared with the metric
    # functions, which perturb the same cells the same way, and with the Overview.
    return app_data


@pytest.fixture
def exact(monkeypatch):
    """Perturbation off, for the few checks against hand counts."""
    monkeypatch.setenv("DASHBOARD_NOISE", "0")


def _frame_of(at, title: str) -> pd.DataFrame:
    """The dataframe under the subheader `title` (the table behind its chart)."""
    found, seen = None, False
    for el in _walk(at.main):
        if el.type == "subheader":
            seen = el.value == title
        elif seen and el.type in ("dataframe", "table"):
            found = el.value
            break
    assert found is not None, f"no table under {title!r}"
    return found.reset_index(drop=True)


def _walk(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)


def _chart_rows(chart) -> list[int]:
    """Rows of every dataset a chart element carries (inline in the spec or as Arrow)."""
    spec = json.loads(chart.proto.spec)
    rows = [len(v) for v in spec.get("datasets", {}).values()]
    for named in chart.proto.datasets:
        rows.append(pa.ipc.open_stream(named.data.data).read_all().num_rows)
    if chart.proto.data.data:
        rows.append(pa.ipc.open_stream(chart.proto.data.data).read_all().num_rows)
    return rows


@pytest.mark.parametrize("page", ANALYTICS)
@pytest.mark.parametrize("params, f", VIEWS, ids=range(len(VIEWS)))
def test_pages_run_for_every_view_with_small_charts(page, params, f):
    at = run_app(params, page=page)
    assert not at.exception
    assert not at.warning
    tr = Translator(params.get("lang", "uk"))
    assert at.title[0].value == tr(f"page.{page}")
    for chart in at.get("vega_lite_chart"):
        assert chart.proto.alt, "every chart has a text alternative"
        assert all(n <= MAX_CHART_ROWS for n in _chart_rows(chart))


@pytest.mark.parametrize("page", ANALYTICS)
@pytest.mark.parametrize("params", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_links_fall_back_with_one_notice(page, params):
    at = run_app(params, page=page)
    assert not at.exception
    assert len(at.warning) == 1
    texts = " ".join(str(m.value) for m in at.markdown)
    assert "<script>" not in texts and "](http://e.vil)" not in texts


@pytest.mark.parametrize("params, f", VIEWS[:5], ids=range(5))
def test_participation_shows_the_metric_functions_figures(db, params, f):
    at = run_app(params, page="participation")
    tr = Translator(params.get("lang", "uk"))
    cumulative = ma.compute_cumulative(db, f)
    pd.testing.assert_frame_equal(_frame_of(at, tr("participation.cumulative_title")),
                                  ta.cumulative_table(cumulative, tr))
    pd.testing.assert_frame_equal(_frame_of(at, tr("participation.format_title")),
                                  ta.breakdown_table(ma.compute_breakdown(db, f, "format"), "format", tr, {}))
    names = REGION_NAMES[tr.lang]
    regions = ma.compute_breakdown(db, f, "region", regions=_regions(db))
    pd.testing.assert_frame_equal(_frame_of(at, tr("participation.region_title")),
                                  ta.breakdown_table(regions, "region", tr, names))
    pd.testing.assert_frame_equal(_frame_of(at, tr("participation.cascade_title")),
                                  ta.cascade_table(ma.compute_cascade(db, f), None, tr, names))


def _regions(db):
    from dashboard import query_analytics as qa

    return qa.load_regions_reference(db)


@pytest.mark.parametrize("params, f", [VIEWS[1], VIEWS[3]], ids=["2024", "women"])
def test_participation_agrees_with_the_overview(params, f):
    tr = Translator(params.get("lang", "uk"))
    overview = run_app(params)
    cards = {m.label: m.value for m in overview.metric}
    page = run_app(params, page="participation")
    running = _frame_of(page, tr("participation.cumulative_title"))
    assert running.iloc[-1][tr("participation.col_total")] == cards[tr("kpi.people")]
    cascade = _frame_of(page, tr("participation.cascade_title")).iloc[-1]  # all regions, last
    assert cascade[tr("participation.stage_people")] == cards[tr("kpi.people")]
    assert cascade[tr("participation.stage_hubs")] == cards[tr("kpi.active_hubs")]
    assert cascade[tr("participation.stage_coordinators")] == cards[tr("kpi.coordinators")]


def test_participation_pickers(db):
    at = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}, page="participation")
    tr, f = Translator("en"), Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))
    at.get_by_key("participation_by").set_value("disability").run()
    pd.testing.assert_frame_equal(_frame_of(at, tr("participation.segment_title")),
                                  ta.breakdown_table(ma.compute_breakdown(db, f, "disability"), "disability", tr, {}))
    at.get_by_key("cascade_phase").set_value("2024").run()
    assert not at.exception
    pd.testing.assert_frame_equal(_frame_of(at, tr("participation.cascade_title")),
                                  ta.cascade_table(ma.compute_cascade(db, f), "2024", tr, REGION_NAMES["en"]))


@pytest.mark.parametrize("params, f", VIEWS[:5], ids=range(5))
def test_skills_show_the_metric_functions_figures(db, params, f):
    at = run_app(params, page="skills")
    tr = Translator(params.get("lang", "uk"))
    ratings = ma.compute_ratings(db, f)
    r = ratings.iloc[0]
    cards = {m.label: m.value for m in at.metric}
    assert cards[tr("skills.card_pre")] == tr.count(r["n_pre"])
    assert cards[tr("skills.card_post")] == tr.count(r["n_post"])
    assert cards[tr("skills.card_both")] == tr.count(r["n_both"])
    pd.testing.assert_frame_equal(_frame_of(at, tr("skills.shares_title")), ta.ratings_table(ratings, None, tr))
    dist = ma.compute_distribution(db, f)
    pd.testing.assert_frame_equal(_frame_of(at, tr("skills.distribution_title")), ta.distribution_table(dist, tr))
    by_age = ma.compute_ratings(db, f, "age")
    pd.testing.assert_frame_equal(_frame_of(at, tr("skills.segment_title")), ta.ratings_table(by_age, "age", tr))
    if f.segment():
        assert any(tr("skills.digigram_no_segment") in i.value for i in at.info)


@pytest.mark.parametrize("params, f", [VIEWS[0], VIEWS[1], VIEWS[2]], ids=range(3))
def test_skills_agree_with_the_overview(params, f):
    tr = Translator(params.get("lang", "uk"))
    overview = {m.label: m.value for m in run_app(params).metric}
    table = _frame_of(run_app(params, page="skills"), tr("skills.shares_title")).iloc[0]
    shown = tr("kpi.skills_value", before=table[tr("skills.col_pre_high_share")].split(" (")[0],
               after=table[tr("skills.col_post_high_share")].split(" (")[0])
    assert shown == overview[tr("kpi.skills")]


def test_skills_segment_picker(db):
    at = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}, page="skills")
    at.get_by_key("skills_by").set_value("gender").run()
    assert not at.exception
    tr, f = Translator("en"), Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))
    ratings = ma.compute_ratings(db, f, "gender")
    pd.testing.assert_frame_equal(_frame_of(at, tr("skills.segment_title")), ta.ratings_table(ratings, "gender", tr))
    # Women (A, 12 people, 10 rated again) are the only group large enough: nothing to compare.
    assert any(m.value == tr("skills.least_none") for m in at.markdown)


def test_network_pages_figures(db):
    tr = Translator("en")
    at = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}, page="network")
    f = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))
    years = ma.compute_network_years(db, f)
    pd.testing.assert_frame_equal(_frame_of(at, tr("network.growth_title")), tn.network_table(years, tr))
    overview = {m.label: m.value for m in run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}).metric}
    active = _frame_of(at, tr("network.growth_title")).iloc[-1][tr("network.series_active")]
    assert active == overview[tr("kpi.active_hubs")]
    assert any(tr("network.waitlist_none") in i.value for i in at.info)


def test_network_waiting_list_and_partners(db, exact):
    tr = Translator("en")
    at = run_app({**KEM_LINK, "from": "2012-01-01", "to": "2012-12-31"}, page="network")
    assert not at.exception
    f = Filters("kem_centres", D(2012, 1, 1), D(2012, 12, 31))
    latest = pd.concat([ma.compute_waitlist_latest(db, f, "region"), ma.compute_waitlist_latest(db, f, "all")],
                       ignore_index=True)
    table = _frame_of(at, tr("network.waitlist_title"))
    pd.testing.assert_frame_equal(table, tn.waitlist_table(latest, "region", tr, REGION_NAMES["en"]))
    assert table[tr("network.series_waiting")].tolist() == ["1,000", "1,000"]
    assert table[tr("network.col_months")].tolist() == ["—", "—"]  # K's 3 people: capacity hidden
    pd.testing.assert_frame_equal(_frame_of(at, tr("network.partners_title")),
                                  tn.partners_table(ma.compute_partners(db, f), tr))


def test_network_hub_detail_in_internal_mode(db, monkeypatch):
    from dashboard import ui_analytics

    monkeypatch.setattr(ui_analytics, "hub_detail", lambda: True)
    at = run_app({**KEM_LINK, "from": "2012-01-01", "to": "2012-12-31"}, page="network")
    table = _frame_of(at, Translator("en")("network.waitlist_title"))
    assert table.iloc[0, 0] == "TK-001 · Кемеровская областная научная библиотека"


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_data_quality_gaps_and_rule(db, lang):
    tr = Translator(lang)
    at = run_app({"lang": lang, "from": "2024-01-01", "to": "2024-12-31"}, page="data_quality")
    f = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))
    per_region, _silent = ma.compute_silent_hubs(db, f)
    names = REGION_NAMES[lang]
    pd.testing.assert_frame_equal(_frame_of(at, tr("dq2.silent_title")), tn.silent_table(per_region, tr, names))
    pd.testing.assert_frame_equal(_frame_of(at, tr("dq2.nodata_title")),
                                  tn.nodata_table(ma.compute_regions_without_data(db, f), tr, names))
    extracts = _frame_of(at, tr("dq2.extracts_title"))
    assert tr("dq2.table.hubs") in extracts[tr("dq2.col_table")].tolist()
    rule = tr("privacy.rule", k=tr.number(10), k_minus=tr.number(9), d=tr.number(2))  # the settings in force
    assert any(m.value == rule for m in at.markdown)
    assert not at.expander or tr("dq2.silent_list") not in [e.label for e in at.expander]  # public mode


def test_data_quality_lists_silent_hubs_only_in_internal_mode(monkeypatch):
    from dashboard import ui_analytics

    monkeypatch.setattr(ui_analytics, "hub_detail", lambda: True)
    at = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}, page="data_quality")
    listed = [e for e in at.expander if e.label == "The hubs, one by one"]
    assert listed and listed[0].children[0].value.iloc[0, 0] == "ХЦО-00002"


def test_empty_view_says_what_to_widen():
    at = run_app({"lang": "en", "region": "Kyiv", "from": "2024-01-01", "to": "2024-12-31"}, page="participation")
    assert not at.exception
    assert Translator("en")("empty.title") in at.info[0].value
    assert not at.get("vega_lite_chart")


def test_kemerovo_participation_is_suppressed_not_broken():
    at = run_app({**KEM_LINK, "from": "2012-01-01", "to": "2012-12-31"}, page="participation")
    assert not at.exception
    table = _frame_of(at, Translator("en")("participation.cumulative_title"))
    assert set(table[Translator("en")("participation.col_total")]) <= {"0", "fewer than 10"}


def test_threshold_from_the_setting_reaches_these_pages(monkeypatch, exact):
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "5")
    at = run_app({"lang": "en", "from": "2023-01-01", "to": "2023-12-31"}, page="participation")
    running = _frame_of(at, "People trained so far")
    assert running.iloc[-1]["People trained so far"] == "6"  # C (5) and P, shown once k is 5
