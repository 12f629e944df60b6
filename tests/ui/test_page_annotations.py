"""Annotations on the pages through AppTest: the Overview, Participation and Skills pages render in
both languages with the period's events on their monthly charts (and in the charts' text), the
national survey beside the skill shares for Ukraine only, and a short notice instead of them when
a reference file is broken. Reference rows are written here (tests never read data/)."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from conftest import run_app

from dashboard.query import annotations

EVENTS = """programme,start,end,kind,label_uk,label_en,source
ua_hubs,2022-10-10,2023-02-15,outage,Відключення світла,Power blackouts,grid operator
ua_hubs,2024-03-11,,campaign,Марафон,Literacy marathon,calendar (demo)
kem_centres,2012-05-01,,phase,Перший центр,First centre,calendar (demo)
"""
SURVEY = """year,share,population,definition_uk,definition_en,source,url
2023,59,18–70,Частка дорослих,Share of adults,Ministry survey 2023,
"""
YEAR_2024 = {"from": "2024-01-01", "to": "2024-12-31"}
LABELS = {"uk": ("Марафон", "Відключення світла", "Національне опитування 2023"),
          "en": ("Literacy marathon", "Power blackouts", "National survey 2023")}
KEM = {"en": "Computer literacy centres (Kemerovo Oblast)"}


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "survey.csv").write_text(SURVEY, encoding="utf-8")
    monkeypatch.setattr(annotations, "EVENTS_FILE", tmp_path / "events.csv")
    monkeypatch.setattr(annotations, "SURVEY_FILE", tmp_path / "survey.csv")
    return tmp_path


def _specs(at) -> list[str]:
    """Each chart's spec and data as one text (Streamlit sends a chart's datasets apart, in Arrow)."""
    out = []
    for chart in at.get("vega_lite_chart"):
        data = [pa.ipc.open_stream(named.data.data).read_all().to_pylist() for named in chart.proto.datasets]
        out.append(json.dumps([json.loads(chart.proto.spec), data], ensure_ascii=False, default=str))
    return out


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("lang", ["uk", "en"])
@pytest.mark.parametrize("page, charts_with_events", [("overview", 1), ("participation", 2)])
def test_monthly_charts_carry_the_events_of_the_period(lang, page, charts_with_events):
    at = run_app({"lang": lang, **YEAR_2024}, page=page)
    assert not at.exception and not at.warning
    marathon, outages, _survey = LABELS[lang]
    specs = _specs(at)
    assert sum(marathon in s for s in specs) == charts_with_events
    assert not any(outages in s for s in specs)  # they ended in 2023
    captions = [c.value for c in at.caption if marathon in c.value]
    assert len(captions) == charts_with_events  # the text alternative names them too


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_skills_page_shows_the_national_survey(lang):
    at = run_app({"lang": lang, **YEAR_2024}, page="skills")
    assert not at.exception and not at.warning
    survey = LABELS[lang][2]
    assert sum(survey in s for s in _specs(at)) == 2  # the shares chart and the shares 7–10 by group
    sentence = "Dashed line: 59% of adults aged 18–70" if lang == "en" else "Пунктирна лінія: у 2023 році 59 %"
    assert any(sentence in _plain(c.value) for c in at.caption)


def test_no_survey_and_the_centres_own_events_for_kemerovo():
    at = run_app({"lang": "en", "programme": KEM["en"], "from": "2012-01-01", "to": "2012-12-31"}, page="skills")
    assert not at.exception
    assert not any("National survey" in s for s in _specs(at))
    overview = run_app({"lang": "en", "programme": KEM["en"], "from": "2012-01-01", "to": "2012-12-31"})
    assert not overview.exception
    specs = _specs(overview)
    assert any("First centre" in s for s in specs) and not any("Literacy marathon" in s for s in specs)


@pytest.mark.parametrize("lang", ["uk", "en"])
@pytest.mark.parametrize("page", ["overview", "participation"])
def test_a_broken_events_file_leaves_the_chart_without_events(_data, lang, page):
    (_data / "events.csv").write_text(EVENTS.replace("2024-03-11,,", "2024-03-11,2024-03-01,"), encoding="utf-8")
    at = run_app({"lang": lang, **YEAR_2024}, page=page)
    assert not at.exception
    assert len(at.warning) == 1  # once a page, above its first monthly chart
    assert "events.csv" in at.warning[0].value
    assert at.get("vega_lite_chart") and not any(LABELS[lang][0] in s for s in _specs(at))


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_a_broken_survey_file_leaves_the_shares_without_it(_data, lang):
    (_data / "survey.csv").write_text(SURVEY.replace("2023,59", "2023,"), encoding="utf-8")
    at = run_app({"lang": lang, **YEAR_2024}, page="skills")
    assert not at.exception
    assert len(at.warning) == 1 and "digital_skills.csv" in at.warning[0].value
    assert not any(LABELS[lang][2] in s for s in _specs(at))
