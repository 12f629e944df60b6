"""Words of the chart annotations (dashboard.wording.annotations): the events of a period as drawn
(cut to the period) and as written (their own dates), and the national survey's label and sentence,
in both languages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.i18n import Translator
from dashboard.wording import annotations as words

D = dt.date
T = pd.Timestamp
EVENTS = pd.DataFrame([
    {"programme": "ua_hubs", "start": D(2022, 10, 10), "end": D(2023, 2, 15), "kind": "outage",
     "label_uk": "Відключення світла", "label_en": "Power blackouts", "source": "grid operator"},
    {"programme": "", "start": D(2023, 3, 8), "end": None, "kind": "campaign", "label_uk": "Марафон",
     "label_en": "Marathon", "source": "calendar"},
])


def _plain(text: str) -> str:
    """Text with CLDR's no-break spaces (`59 %`, `1 235`) as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


POINT = {"year": 2023, "share": 0.59, "population": "18–70", "definition_uk": "Частка дорослих",
         "definition_en": "Share of adults", "source": "Ministry survey 2023", "url": ""}


def test_events_as_drawn_are_cut_to_the_period():
    frame = words.event_frame(EVENTS, Translator("en"), D(2023, 1, 1), D(2023, 12, 31))
    # The outages began before the view: drawn from its first day to the day after their last.
    assert frame[["start", "end", "label", "kind", "code", "source"]].to_dict("records") == [
        {"start": T("2023-01-01"), "end": T("2023-02-16"), "label": "Power blackouts", "kind": "power outages",
         "code": "outage", "source": "grid operator"},
        {"start": T("2023-03-08"), "end": pd.NaT, "label": "Marathon", "kind": "campaign", "code": "campaign",
         "source": "calendar"},
    ]
    assert frame["dates"].tolist() == ["10 October 2022 – 15 February 2023", "8 March 2023"]
    ends_early = words.event_frame(EVENTS.iloc[:1], Translator("en"), D(2022, 10, 1), D(2022, 12, 31))
    assert ends_early["end"].tolist() == [T("2023-01-01")]


@pytest.mark.parametrize("lang, note", [
    ("en", "Events in this period: Power blackouts (10 October 2022 – 15 February 2023); Marathon (8 March 2023)."),
    ("uk", "Події цього періоду: Відключення світла (10 жовтня 2022 р. – 15 лютого 2023 р.); "
           "Марафон (8 березня 2023 р.)."),
])
def test_the_events_note(lang, note):
    assert _plain(words.events_note(EVENTS, Translator(lang))) == note
    assert words.events_note(EVENTS.iloc[:0], Translator(lang)) == ""


@pytest.mark.parametrize("lang, label, tooltip", [
    ("en", "National survey 2023:\n59% of adults have basic\nor higher digital skills", "2023: 59%. Share of adults"),
    ("uk", "Національне опитування 2023:\n59 % дорослих мають базові\nабо вищі цифрові навички",
     "2023: 59 %. Частка дорослих"),
])
def test_the_survey_label_and_tooltip(lang, label, tooltip):
    frame = words.survey_frame(POINT, Translator(lang))
    frame[["label", "text"]] = frame[["label", "text"]].map(_plain)
    assert frame.to_dict("records") == [{"value": 0.59, "label": label, "text": tooltip,
                                         "source": "Ministry survey 2023"}]


def test_the_survey_sentence_names_year_share_population_and_source():
    sentence = words.survey_sentence(POINT, Translator("en"))
    assert sentence.startswith("Dashed line: 59% of adults aged 18–70 had basic or higher digital skills in 2023 "
                               "(Ministry survey 2023).")
    assert "not a like-for-like comparison" in sentence
    assert _plain(words.survey_sentence(POINT, Translator("uk"))).startswith(
        "Пунктирна лінія: у 2023 році 59 % дорослих віком 18–70 років")
    assert words.with_sentence("Summary.", "") == "Summary."
    assert words.with_sentence("Summary.", "More.") == "Summary. More."


def test_the_sources_are_in_the_language_of_the_page_where_the_file_gives_it():
    point = {**POINT, "source_uk": "Опитування Мінцифри 2023"}
    assert "(Опитування Мінцифри 2023)" in words.survey_sentence(point, Translator("uk"))
    assert "(Ministry survey 2023)" in words.survey_sentence(point, Translator("en"))
    assert words.survey_frame(point, Translator("uk"))["source"].tolist() == ["Опитування Мінцифри 2023"]
    # Blank, or a file without the column: the source as given.
    assert "(Ministry survey 2023)" in words.survey_sentence({**POINT, "source_uk": ""}, Translator("uk"))
    events = EVENTS.assign(source_uk=["оператор мережі", ""])
    period = (D(2023, 1, 1), D(2023, 12, 31))
    assert words.event_frame(events, Translator("uk"), *period)["source"].tolist() == ["оператор мережі", "calendar"]
    assert words.event_frame(events, Translator("en"), *period)["source"].tolist() == ["grid operator", "calendar"]
