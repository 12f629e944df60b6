"""The reference files drawn over charts (dashboard.query.annotations): events and the national
survey read and checked row by row, bad rows named by file, line and field, the events of a
period, the survey wave of a view, and a broken file that leaves the chart without them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.query import annotations
from dashboard.wording import annotations as words

D = dt.date
EVENTS_HEADER = "programme,start,end,kind,label_uk,label_en,source"
SURVEY_HEADER = "year,share,population,definition_uk,definition_en,source,url"
SURVEY_ROW = "{year},{share},18–70,визначення,definition,Ministry survey,https://example.org/"
EVENTS = "\n".join([
    EVENTS_HEADER,
    "ua_hubs,2021-01-15,,phase,Запуск,Launch,calendar",
    "ua_hubs,2022-10-10,2023-02-15,outage,Відключення,Blackouts,grid operator",
    ",10.03.2024,,campaign,Для всіх,For everyone,calendar",
    "kem_centres,2010-03-01,,phase,Перший центр,First centre,calendar",
])


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_events_are_read_with_their_dates(tmp_path):
    events = annotations.load_events(_write(tmp_path, "events.csv", EVENTS))
    assert events["source_uk"].tolist() == [""] * 4  # a file without the optional column
    assert events.drop(columns="source_uk").to_dict("records") == [
        {"programme": "ua_hubs", "start": D(2021, 1, 15), "end": None, "kind": "phase", "label_uk": "Запуск",
         "label_en": "Launch", "source": "calendar"},
        {"programme": "ua_hubs", "start": D(2022, 10, 10), "end": D(2023, 2, 15), "kind": "outage",
         "label_uk": "Відключення", "label_en": "Blackouts", "source": "grid operator"},
        {"programme": "", "start": D(2024, 3, 10), "end": None, "kind": "campaign", "label_uk": "Для всіх",
         "label_en": "For everyone", "source": "calendar"},
        {"programme": "kem_centres", "start": D(2010, 3, 1), "end": None, "kind": "phase",
         "label_uk": "Перший центр", "label_en": "First centre", "source": "calendar"},
    ]


@pytest.mark.parametrize("programme, start, end, labels", [
    # The outage period touches a view that starts inside it; the launch is before every view here.
    ("ua_hubs", D(2023, 1, 1), D(2023, 12, 31), ["Blackouts"]),
    ("ua_hubs", D(2022, 1, 1), D(2024, 12, 31), ["Blackouts", "For everyone"]),
    ("ua_hubs", D(2023, 2, 16), D(2024, 3, 9), []),  # the day after the outages to the day before the campaign
    ("ua_hubs", D(2023, 2, 15), D(2024, 3, 10), ["Blackouts", "For everyone"]),  # both ends included
    ("ua_hubs", D(2021, 1, 15), D(2021, 1, 15), ["Launch"]),
    ("kem_centres", D(2010, 1, 1), D(2024, 12, 31), ["First centre", "For everyone"]),  # blank = every programme
])
def test_events_of_a_period(tmp_path, programme, start, end, labels):
    events = annotations.load_events(_write(tmp_path, "events.csv", EVENTS))
    assert annotations.events_in_period(events, programme, start, end)["label_en"].tolist() == labels


@pytest.mark.parametrize("row, message", [
    ("ua_hubs,2023-13-01,,phase,a,b,c", "line 2, field “start”: “2023-13-01” is not a date"),
    ("ua_hubs,,,phase,a,b,c", "line 2, field “start”: “” is not a date"),
    ("ua_hubs,2023-02-01,2023-01-31,phase,a,b,c", "line 2, field “end”: 2023-01-31 is before the start, 2023-02-01"),
    ("ua_hubs,2023-02-01,soon,phase,a,b,c", "line 2, field “end”: “soon” is not a date"),
    ("ua_hubs,2023-02-01,,holiday,a,b,c", "line 2, field “kind”: “holiday” is not one of campaign, phase, outage"),
    ("ua_hubs,2023-02-01,,phase,,b,c", "line 2, field “label_uk”: is empty"),
    ("ua_hubs,2023-02-01,,phase,a,,c", "line 2, field “label_en”: is empty"),
    ("ua_hubs,2023-02-01,,phase,a,b,", "line 2, field “source”: is empty"),
    ("kyiv,2023-02-01,,phase,a,b,c", "line 2, field “programme”: “kyiv” is not one of ua_hubs, kem_centres"),
])
def test_a_bad_event_row_is_named_by_file_line_and_field(tmp_path, row, message):
    _assert_named(annotations.load_events, _write(tmp_path, "events.csv", f"{EVENTS_HEADER}\n{row}"), message)


def _assert_named(load, path, message: str) -> None:
    """`load(path)` fails with a message that starts with the file and holds `message`."""
    with pytest.raises(annotations.ReferenceFileError) as raised:
        load(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


def test_every_bad_row_is_listed_and_the_header_checked(tmp_path):
    path = _write(tmp_path, "events.csv", f"{EVENTS_HEADER}\nua_hubs,2023-02-01,,phase,a,b,c\n"
                                          "ua_hubs,2023-02-30,,phase,a,b,c\n\nua_hubs,2023-02-01,,,a,b,c")
    with pytest.raises(annotations.ReferenceFileError) as raised:
        annotations.load_events(path)
    assert raised.value.problems == ["line 3, field “start”: “2023-02-30” is not a date (write YYYY-MM-DD)",
                                     "line 5, field “kind”: “” is not one of campaign, phase, outage"]
    headless = _write(tmp_path, "headless.csv", "programme,start,kind\nua_hubs,2023-02-01,phase")
    with pytest.raises(annotations.ReferenceFileError, match="line 1: the header lacks the column"):
        annotations.load_events(headless)
    with pytest.raises(annotations.ReferenceFileError, match="file not found"):
        annotations.load_events(tmp_path / "missing.csv")
    cp1251 = tmp_path / "cp1251.csv"
    cp1251.write_bytes(f"{EVENTS_HEADER}\nua_hubs,2023-02-01,,phase,Запуск,Launch,c\n".encode("cp1251"))
    with pytest.raises(annotations.ReferenceFileError, match="not UTF-8"):
        annotations.load_events(cp1251)


def test_the_survey_is_read_in_shares(tmp_path):
    text = "\n".join([SURVEY_HEADER, SURVEY_ROW.format(year=2021, share="52"), SURVEY_ROW.format(year=2019, share="47%"),
                      SURVEY_ROW.format(year=2023, share='"59,5"')])
    survey = annotations.load_survey(_write(tmp_path, "survey.csv", text))
    assert survey["year"].tolist() == [2019, 2021, 2023]
    assert survey["share"].tolist() == pytest.approx([0.47, 0.52, 0.595])


@pytest.mark.parametrize("row, message", [
    (SURVEY_ROW.format(year="20x3", share=59), "line 2, field “year”: “20x3” is not a year"),
    (SURVEY_ROW.format(year=2023, share=0), "line 2, field “share”: “0” is not a percentage above 0 and at most 100"),
    (SURVEY_ROW.format(year=2023, share=590), "line 2, field “share”: “590” is not a percentage"),
    (SURVEY_ROW.format(year=2023, share="many"), "line 2, field “share”: “many” is not a percentage"),
    ("2023,59,,визначення,definition,Ministry survey,", "line 2, field “population”: is empty"),
    ("2023,59,18–70,,definition,Ministry survey,", "line 2, field “definition_uk”: is empty"),
    ("2023,59,18–70,визначення,definition,,", "line 2, field “source”: is empty"),
    ("2023,59,18–70,визначення,definition,Ministry survey,osvita", "line 2, field “url”: “osvita” is not a web address"),
])
def test_a_bad_survey_row_is_named_by_file_line_and_field(tmp_path, row, message):
    _assert_named(annotations.load_survey, _write(tmp_path, "survey.csv", f"{SURVEY_HEADER}\n{row}"), message)


def test_a_survey_year_given_twice(tmp_path):
    text = "\n".join([SURVEY_HEADER, SURVEY_ROW.format(year=2023, share=59), SURVEY_ROW.format(year=2023, share=58)])
    with pytest.raises(annotations.ReferenceFileError, match="line 3, field “year”: 2023 is already given on line 2"):
        annotations.load_survey(_write(tmp_path, "survey.csv", text))


SURVEY = pd.DataFrame({"year": [2019, 2021, 2023, 2025], "share": [0.47, 0.52, 0.59, 0.57]})


@pytest.mark.parametrize("year, expected", [
    (2018, 2019),  # before the first wave: the earliest
    (2019, 2019), (2020, 2019), (2022, 2021), (2023, 2023), (2024, 2023), (2025, 2025), (2030, 2025),
])
def test_the_survey_wave_of_a_view(year, expected):
    assert annotations.survey_for_year(SURVEY, year)["year"] == expected


def test_no_survey_wave_without_rows():
    assert annotations.survey_for_year(SURVEY.iloc[:0], 2024) is None


def test_the_survey_is_drawn_for_ukraine_only(tmp_path):
    path = _write(tmp_path, "survey.csv", "\n".join([SURVEY_HEADER, SURVEY_ROW.format(year=2023, share=59)]))
    point, problem = annotations.survey_point("ua_hubs", D(2024, 12, 31), path)
    assert (point["year"], point["share"], problem) == (2023, 0.59, None)
    assert annotations.survey_point("kem_centres", D(2024, 12, 31), path) == (None, None)


def test_a_broken_file_leaves_the_chart_without_it(tmp_path, monkeypatch):
    logged = []
    monkeypatch.setattr(annotations.log, "warning", lambda *args: logged.append(args[0] % args[1:]))
    bad = _write(tmp_path, "events.csv", f"{EVENTS_HEADER}\nua_hubs,2023-02-01,2023-01-01,phase,a,b,c")
    events, problem = annotations.period_events("ua_hubs", D(2023, 1, 1), D(2023, 12, 31), bad)
    assert events.empty and list(events.columns) == list(annotations.EVENT_COLUMNS)
    assert "line 2, field “end”: 2023-01-01 is before the start" in problem
    bad_survey = _write(tmp_path, "survey.csv", f"{SURVEY_HEADER}\nlast year,59,18–70,u,e,s,")
    assert annotations.survey_point("ua_hubs", D(2024, 1, 1), bad_survey)[0] is None
    assert len(logged) == 2 and "events.csv: line 2" in logged[0] and "survey.csv: line 2" in logged[1]


def test_the_committed_reference_files_are_valid():
    # The files a fresh clone draws: every row must pass the checks (a programme officer's edit
    # that breaks one is caught here as well as on the page).
    events = annotations.load_events()
    assert set(events["kind"]) <= set(annotations.EVENT_KINDS) and len(events)
    survey = annotations.load_survey()
    assert survey["year"].is_unique and survey["share"].between(0, 1).all()
    # Each source has its Ukrainian words too (the Ukrainian pages show them).
    assert (events["source_uk"] != "").all() and (survey["source_uk"] != "").all()


def test_the_ukrainian_source_is_read_where_the_file_has_the_column(tmp_path):
    text = "\n".join([SURVEY_HEADER + ",source_uk", SURVEY_ROW.format(year=2021, share="52") + ",Опитування Мінцифри",
                      SURVEY_ROW.format(year=2023, share="59")])
    survey = annotations.load_survey(_write(tmp_path, "survey.csv", text))
    assert survey["source_uk"].tolist() == ["Опитування Мінцифри", ""]
    assert words.source_in(survey.iloc[0], "uk") == "Опитування Мінцифри"
    assert words.source_in(survey.iloc[1], "uk") == survey.iloc[1]["source"]
    assert words.source_in(survey.iloc[0], "en") == survey.iloc[0]["source"]
