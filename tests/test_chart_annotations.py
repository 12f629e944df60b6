"""Annotations in the chart specs (dashboard.charts.annotations: event_layers, reference_layers): the events of a
period drawn on the monthly charts with their labels, dates and tooltips, an event outside the
period absent; the national survey's line and label on the skill-share charts, for the right year.

The events and survey rows are written here (tests never read data/); the period and figures are
small frames like those of the wording layer.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from dashboard import charts
from dashboard.charts import annotations as layers
from dashboard.i18n import Translator
from dashboard.query import annotations
from dashboard.wording import annotations as words
from dashboard.wording import overview as overview_words
from dashboard.wording import participation as participation_words
from dashboard.wording import skills as skills_words

D = dt.date
START, END = D(2023, 1, 1), D(2023, 12, 31)
EVENTS = pd.DataFrame([
    {"programme": "ua_hubs", "start": D(2022, 10, 10), "end": D(2023, 2, 15), "kind": "outage",
     "label_uk": "Відключення світла", "label_en": "Power blackouts", "source": "grid operator"},
    {"programme": "ua_hubs", "start": D(2023, 10, 2), "end": None, "kind": "campaign",
     "label_uk": "Марафон", "label_en": "Literacy marathon", "source": "calendar (demo)"},
    {"programme": "ua_hubs", "start": D(2024, 1, 8), "end": D(2024, 11, 30), "kind": "phase",
     "label_uk": "Етап 2024", "label_en": "Phase 2024", "source": "calendar (demo)"},
])
MONTHS = pd.date_range("2023-01-01", "2023-12-01", freq="MS")
MONTHLY = pd.DataFrame({"month": MONTHS, "people": [float(10 + i) for i in range(12)],
                        "activities": [float(30 + i) for i in range(12)]})


def _events(lang: str) -> pd.DataFrame:
    shown = annotations.events_in_period(EVENTS, "ua_hubs", START, END)
    return words.event_frame(shown, Translator(lang, 10), START, END)


def _layers(spec: dict):
    for layer in spec.get("layer", []):
        yield layer
        yield from _layers(layer)


def _rows_with(spec: dict, field: str) -> list[dict]:
    return [row for rows in spec["datasets"].values() for row in rows if field in row]


def _charts(lang: str) -> dict[str, dict]:
    tr, events = Translator(lang, 10), _events(lang)
    cumulative = MONTHLY.assign(people_total=MONTHLY["people"].cumsum(), new_people=MONTHLY["people"])
    return {
        "trend": charts.trend_chart(overview_words.trend_frame(MONTHLY, tr), tr, events=events),
        "series": charts.series_chart(participation_words.monthly_series(MONTHLY, tr), tr, x_title="x", y_title="y",
                                      series_title="s", bar_series=tr("participation.series_people"), events=events),
        "cumulative": charts.cumulative_chart(participation_words.cumulative_frame(cumulative, tr), tr, x_title="x",
                                              y_title="y", target=500, target_text="Target", events=events),
    }


@pytest.mark.parametrize("name", ["trend", "series", "cumulative"])
def test_events_of_the_period_are_drawn(name):
    spec = _charts("en")[name].to_dict(validate=True)
    rows = _rows_with(spec, "dates")
    # The outages (from before the period) start on its first day; the marathon is a one-day rule.
    assert [(r["label"], r["start"][:10], (r["end"] or "")[:10], r["dates"]) for r in rows] == [
        ("Power blackouts", "2023-01-01", "2023-02-16", "10 October 2022 – 15 February 2023"),
        ("Literacy marathon", "2023-10-02", "", "2 October 2023"),
    ]
    layers = list(_layers(spec))
    band = [la for la in layers if la.get("mark", {}).get("type") == "rect"]
    assert len(band) == 1 and band[0]["encoding"]["x2"]["field"] == "end"
    assert band[0]["transform"] == [{"filter": "isValid(datum.end)"}]
    day = [la for la in layers if la.get("mark", {}).get("strokeDash") == [4, 3]]
    assert len(day) == 1 and day[0]["transform"] == [{"filter": "!isValid(datum.end)"}]
    texts = [la for la in layers if la.get("mark", {}).get("type") == "text" and la["encoding"]["text"]["field"] == "label"]
    assert len(texts) == 4  # left- and right-aligned labels, each with its halo
    tips = {t["field"]: t["title"] for t in day[0]["encoding"]["tooltip"]}
    assert tips == {"label": "Event", "dates": "Dates", "kind": "Kind", "source": "Source"}
    # The phase of 2024 is outside the period: nowhere in the chart.
    assert "Phase 2024" not in json.dumps(spec)


def test_event_labels_stand_above_the_data_in_lanes():
    spec = _charts("en")["trend"].to_dict()
    rows = _rows_with(spec, "label_y")
    assert [r["label_y"] for r in rows] == [4, 4]  # far apart: one lane
    bars = next(la for la in _layers(spec) if la.get("mark", {}).get("type") == "bar")
    assert bars["encoding"]["y"]["scale"]["domainMax"] > MONTHLY["people"].max()
    crowded = pd.DataFrame({"start": pd.to_datetime(["2023-03-01", "2023-03-05", "2023-12-20"]),
                            "label": ["First", "Second", "Last one"]})
    lanes, left = layers.event_lanes(crowded, pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01"))
    assert lanes == [0, 1, 0] and left == [False, False, True]


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_no_events_no_layers(lang):
    tr = Translator(lang, 10)
    plain = charts.trend_chart(overview_words.trend_frame(MONTHLY, tr), tr).to_dict()
    empty = charts.trend_chart(overview_words.trend_frame(MONTHLY, tr), tr, events=_events(lang).iloc[:0]).to_dict()
    assert plain == empty and len(plain["layer"]) == 2
    yearly = charts.series_chart(participation_words.monthly_series(MONTHLY, tr), tr, x_title="x", y_title="y",
                                 series_title="s", yearly=True, events=_events(lang)).to_dict()
    assert not _rows_with(yearly, "dates")  # a chart of years has no days to mark


SURVEY = pd.DataFrame({"year": [2019, 2021, 2023, 2025], "share": [0.47, 0.52, 0.59, 0.57],
                       "population": ["18–70"] * 4, "definition_uk": ["Частка"] * 4,
                       "definition_en": ["Share of adults aged 18–70"] * 4, "source": ["Ministry survey"] * 4,
                       "url": [""] * 4})
RATINGS = pd.DataFrame([{f"{stage}_{band}_share{end}": value for stage in ("pre", "post")
                         for band in ("high", "low")
                         for end, value in (("", 0.4), ("_lo", 0.3), ("_hi", 0.5))}])


@pytest.mark.parametrize("end_year, year, share, label", [
    (2024, 2023, 0.59, "National survey 2023:\n59% of adults have basic\nor higher digital skills"),
    (2025, 2025, 0.57, "National survey 2025:\n57% of adults have basic\nor higher digital skills"),
    (2018, 2019, 0.47, "National survey 2019:\n47% of adults have basic\nor higher digital skills"),
])
def test_the_survey_line_on_the_skill_shares(end_year, year, share, label):
    tr = Translator("en", 10)
    point = annotations.survey_for_year(SURVEY, end_year)
    spec = charts.interval_chart(skills_words.shares_frame(RATINGS, tr), tr, x_title="Share", label_title="l",
                                 group_title="g", reference=words.survey_frame(point, tr)).to_dict(validate=True)
    rows = _rows_with(spec, "row")
    assert [(r["value"], r["label"], r["row"]) for r in rows] == [(share, label, charts.REFERENCE_ROW)]
    assert rows[0]["text"].startswith(f"{year}: {round(share * 100)}%. Share of adults")
    layers = list(_layers(spec))
    rule = next(la for la in layers if la.get("mark", {}).get("type") == "rule" and la["encoding"]["x"]["field"] == "value")
    assert rule["mark"]["strokeDash"] == [6, 4]
    assert [t["title"] for t in rule["encoding"]["tooltip"]] == ["National survey", "Source"]
    text = [la for la in layers if la.get("mark", {}).get("type") == "text"]
    assert len(text) == 2 and all(la["mark"]["lineBreak"] == "\n" for la in text)
    # The label has a row of its own above the bands, without a tick or a name on the axis.
    dots = next(la for la in layers if la.get("mark", {}).get("type") == "point")
    assert dots["encoding"]["y"]["scale"]["domain"] == [charts.REFERENCE_ROW, "Rate their skills 7–10",
                                                       "Rate their skills 1–4"]
    assert dots["encoding"]["y"]["axis"]["values"] == ["Rate their skills 7–10", "Rate their skills 1–4"]


def test_no_survey_line_without_a_reference():
    tr = Translator("en", 10)
    spec = charts.interval_chart(skills_words.shares_frame(RATINGS, tr), tr, x_title="Share", label_title="l",
                                 group_title="g").to_dict()
    assert not _rows_with(spec, "row") and "National survey" not in json.dumps(spec)
