"""Annotations in the exports: the events of the period in the monthly chart's files (drawn, and
listed in the notes in the file's language) and the national survey beside the skill shares
(drawn, and in the notes), for Ukraine's programme only; a broken reference file leaves the
file without them. Reference rows are written here (tests never read data/)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from export_readers import EXACT, MEN, VINNYTSIA, csv_rows, svg_texts, view

from dashboard.export import files, registry
from dashboard.metrics.live import Live
from dashboard.query import annotations

EVENTS = """programme,start,end,kind,label_uk,label_en,source
ua_hubs,2022-10-10,2023-02-15,outage,Відключення світла,Power blackouts,grid operator
,2024-03-11,,campaign,Марафон,Literacy marathon,calendar (demo)
kem_centres,2024-05-01,,phase,Перший центр,First centre,calendar (demo)
"""
SURVEY = """year,share,population,definition_uk,definition_en,source,url
2023,59,18–70,Частка дорослих,Share of adults,Ministry survey 2023,https://example.org/
2025,57,18–70,Частка дорослих,Share of adults,Ministry survey 2025,
"""


@pytest.fixture
def src(db):
    return Live(db, EXACT)


@pytest.fixture(autouse=True)
def _reference(tmp_path, monkeypatch):
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "survey.csv").write_text(SURVEY, encoding="utf-8")
    monkeypatch.setattr(annotations, "EVENTS_FILE", tmp_path / "events.csv")
    monkeypatch.setattr(annotations, "SURVEY_FILE", tmp_path / "survey.csv")
    return tmp_path


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("lang, note", [
    ("en", "Events in this period: Literacy marathon (11 March 2024)."),
    ("uk", "Події цього періоду: Марафон (11 березня 2024 р.)."),
])
def test_the_monthly_chart_lists_and_draws_the_events_of_its_period(src, lang, note):
    export = registry.build("participation_trend", src, view(src, MEN, lang))
    assert _plain(export.notes[0]) == note  # before the privacy notes
    csv_header = [_plain(row[0]) for row in csv_rows(files.csv_bytes(export)) if row][:6]
    assert note in csv_header
    spec = json.dumps(export.chart.to_dict(), ensure_ascii=False)
    label = "Literacy marathon" if lang == "en" else "Марафон"
    assert label in spec
    # The outages ended in 2023 and the first centre is Kemerovo's: neither is in this file.
    assert "Power blackouts" not in spec and "Відключення" not in spec and "First centre" not in spec
    texts = [_plain(t) for t in svg_texts(files.svg(export))]
    assert label in texts and any(note[:20] in t for t in texts)


def test_a_period_without_events_has_no_events_note(src):
    autumn = replace(MEN, start=MEN.start.replace(month=9))  # September–December 2024
    export = registry.build("participation_trend", src, view(src, autumn, "en"))
    assert not any(n.startswith("Events in this period") for n in export.notes)


def test_a_period_with_a_band_cut_to_it(src):
    winter = replace(MEN, start=MEN.start.replace(year=2023), end=MEN.end.replace(year=2023))
    export = registry.build("participation_trend", src, view(src, winter, "en"))
    assert export.notes[0] == "Events in this period: Power blackouts (10 October 2022 – 15 February 2023)."
    rows = [r for rows in export.chart.to_dict()["datasets"].values() for r in rows if "dates" in r]
    assert [(r["start"][:10], r["end"][:10]) for r in rows] == [("2023-01-01", "2023-02-16")]


@pytest.mark.parametrize("lang, sentence", [
    ("en", "Dashed line: 59% of adults aged 18–70 had basic or higher digital skills in 2023 (Ministry survey 2023)."),
    ("uk", "Пунктирна лінія: у 2023 році 59 % дорослих віком 18–70 років мали базові або вищі цифрові навички "
           "(Ministry survey 2023)."),
])
def test_the_skill_shares_carry_the_national_survey(src, lang, sentence):
    export = registry.build("skill_shares", src, view(src, VINNYTSIA, lang))  # a view of 2024: the 2023 wave
    assert _plain(export.notes[0]).startswith(sentence)
    rows = [r for rows in export.chart.to_dict()["datasets"].values() for r in rows if "row" in r]
    assert [r["value"] for r in rows] == [0.59]
    texts = [_plain(t) for t in svg_texts(files.svg(export))]
    assert any(t.startswith("National survey 2023" if lang == "en" else "Національне опитування 2023") for t in texts)


def test_no_survey_for_kemerovo(src):
    kemerovo = replace(MEN, programme="kem_centres", gender=())
    export = registry.build("skill_shares", src, view(src, kemerovo, "en"))
    assert not any("survey" in n for n in export.notes)
    assert "National survey" not in json.dumps(export.chart.to_dict())


def test_broken_reference_files_leave_the_files_without_them(src, _reference):
    (_reference / "events.csv").write_text(EVENTS.replace("2024-03-11", "2024-03-41"), encoding="utf-8")
    (_reference / "survey.csv").write_text(SURVEY.replace("2023,59", "2023,590"), encoding="utf-8")
    trend = registry.build("participation_trend", src, view(src, MEN, "en"))
    assert not any(n.startswith("Events") for n in trend.notes) and "Literacy" not in json.dumps(trend.chart.to_dict())
    shares = registry.build("skill_shares", src, view(src, VINNYTSIA, "en"))
    assert not any("survey" in n for n in shares.notes)
