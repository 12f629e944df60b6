"""The header of a raw file: found below title rows, combined from a grouped two-row header, looked
for on every sheet of a workbook; and the message when it cannot be read (`dashboard.clean.headers`)."""

from __future__ import annotations

import pytest
from hostile_raw import (
    HUB_ROWS, HUBS_HEADER, PARTICIPANT_HEADER, column, csv_text, default_limits, drain, grouped_merges,
    grouped_participants, office_workbook, problem,
)

from dashboard.clean import headers


@pytest.fixture(autouse=True)
def limits_from_defaults(monkeypatch):
    yield from default_limits(monkeypatch)


# ---- finding the header among the first rows -------------------------------------------------------

TITLE = ["Реєстр хабів цифрової освіти"]
N = len(PARTICIPANT_HEADER)
# case → (kind, rows, (index, height, score) of the header found, or None)
FIND_CASES = {
    "header on the first row": ("hubs", [HUBS_HEADER, HUB_ROWS[0]], (0, 1, 5)),
    "under a title and a blank row": ("hubs", [TITLE, [], HUBS_HEADER, HUB_ROWS[0]], (2, 1, 5)),
    "a title row is not a group": ("hubs", [TITLE + [""] * 4, HUBS_HEADER], (1, 1, 5)),
    "grouped, the other cells merged down": (
        "participants", [PARTICIPANT_HEADER + ["Самооцінка", ""], [""] * N + ["до", "після"]], (0, 2, 15)),
    "grouped, the other cells on the lower row": (
        "participants", [[""] * N + ["Самооцінка", ""], PARTICIPANT_HEADER + ["до", "після"]], (0, 2, 15)),
    "the group alone names nothing known": (
        "participants", [PARTICIPANT_HEADER + ["Самооцінка", ""]], (0, 1, 13)),
    "the tenth row is looked at": ("hubs", [TITLE] * 9 + [HUBS_HEADER], (9, 1, 5)),
    "the eleventh is not": ("hubs", [TITLE] * 10 + [HUBS_HEADER], (0, 1, 0)),
    "no known column: the first non-blank row": ("hubs", [[], ["a", "b"], ["c"]], (1, 1, 0)),
    "every row blank": ("hubs", [[], ["", " "]], None),
}


@pytest.mark.parametrize("case", list(FIND_CASES))
def test_find_header(case):
    kind, rows, expected = FIND_CASES[case]
    found = headers.find_header(kind, rows)
    assert (found and (found.index, found.height, found.score)) == expected


@pytest.mark.parametrize("top, bottom, names", [
    (["Код хабу", "Самооцінка", ""], ["", "до", "після"], ["Код хабу", "Самооцінка до", "Самооцінка після"]),
    (["Самооцінка (1-10)", ""], ["до", "після"], ["Самооцінка до (1-10)", "Самооцінка після (1-10)"]),
    (["", "Самооцінка", ""], ["Код хабу", "до", "після"], ["Код хабу", "Самооцінка до", "Самооцінка після"]),
    (["Оцінка", ""], ["до", "після"], ["Оцінка до", "Оцінка після"]),  # unknown: kept whole, reported
    (["Код хабу", "", "Стать"], ["", "", ""], ["Код хабу", "", "Стать"]),
])
def test_combined_names_of_a_two_row_header(top, bottom, names):
    assert headers.combined("participants", top, bottom) == names


# ---- headers: title rows, grouped headers, columns that cannot be read ---------------------------

def test_csv_header_below_title_rows(tmp_path):
    path = tmp_path / "hubs_titled.csv"
    path.write_text("Реєстр хабів цифрової освіти\nстаном на 01.11.2025\n\n" + csv_text([HUBS_HEADER] + HUB_ROWS),
                    encoding="utf-8")
    lay, rows, lines, _ = drain(path)
    assert lines == [5, 6] and column(lay, rows, "hub_id") == ["ХЦО-00001", "ХЦО-00002"]


def test_xlsx_header_below_title_rows(tmp_path):
    path = office_workbook(tmp_path / "hubs_titled.xlsx", {"Реєстр": [
        ["Реєстр хабів цифрової освіти станом на 01.11.2025"], [], HUBS_HEADER, *HUB_ROWS]})
    lay, rows, lines, _ = drain(path)
    assert lines == [4, 5]
    assert column(lay, rows, "region") == ["Вінницька обл.", "м. Київ"]


@pytest.mark.parametrize("group, before, after", [
    ("Самооцінка", "до", "після"),
    ("Самооцінка (1-10)", "до", "після"),
    ("Self-rating", "before", "after"),
])
def test_a_grouped_two_row_header_is_combined(tmp_path, group, before, after):
    path = office_workbook(tmp_path / "participants_grouped.xlsx", {"Звіт": grouped_participants(group, before, after)},
                           {"Звіт": grouped_merges(group)})
    lay, rows, lines, _ = drain(path)
    assert lay.unknown == []
    assert lines == [3, 4]
    assert column(lay, rows, "rating_pre") == ["3", "2"]
    assert column(lay, rows, "rating_post") == ["8", ""]
    assert column(lay, rows, "hub_id") == ["ХЦО-00001", "ХЦО-00002"]


def test_a_grouped_header_in_a_csv_is_combined(tmp_path):
    path = tmp_path / "participants_grouped.csv"
    path.write_text(csv_text(grouped_participants("Самооцінка", "до", "після")), encoding="utf-8")
    lay, rows, lines, _ = drain(path)
    assert lines == [3, 4] and column(lay, rows, "rating_post") == ["8", ""]


def test_a_grouped_header_that_cannot_be_combined_fails_the_file(tmp_path):
    path = office_workbook(tmp_path / "participants_grouped.xlsx",
                           {"Звіт": grouped_participants("Самооцінка", "до навчання", "після навчання")},
                           {"Звіт": grouped_merges("Самооцінка")})
    message, _ = problem(path)
    assert message == (
        "participants_grouped.xlsx: column 14 'Самооцінка' looks like rating_post, rating_pre but could not be read "
        "(a grouped header that could not be combined? name each column in full: 'самооцінка після (1-10)' / "
        "'самооцінка до (1-10)') (the header was looked for in rows 1–10 of sheet 'Звіт'; the closest, row 1 of "
        "'Звіт', names 13 known columns)")


def test_a_known_column_that_is_named_twice_fails_the_file(tmp_path):
    path = tmp_path / "hubs_twice.csv"
    path.write_text(csv_text([HUBS_HEADER + ["Hub ID"]] + [r + ["X"] for r in HUB_ROWS]), encoding="utf-8")
    message, _ = problem(path)
    assert "hubs_twice.csv: columns 1 'Код хабу' and 6 'Hub ID' both name hub_id (keep one)" in message


# ---- workbooks: which sheet ---------------------------------------------------------------------

def test_data_on_the_second_sheet_is_found(tmp_path):
    path = office_workbook(tmp_path / "hubs_sheets.xlsx", {
        "Інструкція": [["Заповніть аркуш «Дані»"], ["Код хабу — як у реєстрі"]],
        "Дані": [HUBS_HEADER, *HUB_ROWS]})
    lay, rows, lines, _ = drain(path)
    assert lines == [2, 3] and column(lay, rows, "hub_id") == ["ХЦО-00001", "ХЦО-00002"]


def test_no_matching_sheet_names_the_rows_and_sheets_read(tmp_path):
    path = office_workbook(tmp_path / "hubs_sheets.xlsx", {
        "Інструкція": [["Заповніть аркуш «Дані»"]],
        "Дані": [["Звіт"], ["Код хабу", "Назва закладу"], ["ХЦО-00001", "Бібліотека"]]})
    message, _ = problem(path)
    assert message == ("hubs_sheets.xlsx: missing required column(s): region (the header was looked for in rows "
                       "1–10 of sheets 'Інструкція', 'Дані'; the closest, row 2 of 'Дані', names 2 known columns)")


def test_two_matching_sheets_fail_rather_than_drop_one(tmp_path):
    path = office_workbook(tmp_path / "hubs_two.xlsx", {"2024": [HUBS_HEADER, HUB_ROWS[0]],
                                                        "2025": [HUBS_HEADER, HUB_ROWS[1]]})
    message, _ = problem(path)
    assert message == ("hubs_two.xlsx: sheets '2024', '2025' each hold a hubs header; only one table is read from "
                       "a workbook (move the others to files of their own)")


def test_a_workbook_with_only_empty_sheets(tmp_path):
    path = office_workbook(tmp_path / "hubs_blank.xlsx", {"Аркуш1": [], "Аркуш2": []})
    message, _ = problem(path)
    assert message == ("hubs_blank.xlsx: the workbook holds no header row (rows 1–10 of sheets 'Аркуш1', "
                       "'Аркуш2' are empty)")


# ---- no header at all ----------------------------------------------------------------------------

HUBS_NEEDS = "missing required column(s): hub_id ('код хабу'), name ('назва закладу'), region ('область')"
BELOW = " (a header below row 10 is not looked for: delete the title rows above it)"


def test_a_csv_header_below_the_rows_looked_at_is_named_as_not_found(tmp_path):
    path = tmp_path / "hubs_deep.csv"
    path.write_text("Реєстр хабів\n" * 12 + csv_text([HUBS_HEADER] + HUB_ROWS), encoding="utf-8")
    message, _ = problem(path)
    assert message == f"hubs_deep.csv: {HUBS_NEEDS}; header not found: none of lines 1–10 names a known column{BELOW}"


def test_a_short_csv_without_a_header_is_named_as_not_found(tmp_path):
    path = tmp_path / "hubs_headless.csv"
    path.write_text(csv_text(HUB_ROWS), encoding="utf-8")
    message, _ = problem(path)
    assert message == f"hubs_headless.csv: {HUBS_NEEDS}; header not found: none of lines 1–2 names a known column"


def test_a_workbook_whose_header_is_below_the_rows_looked_at(tmp_path):
    path = office_workbook(tmp_path / "hubs_deep.xlsx", {
        "Інструкція": [["Заповніть аркуш «Дані»"]],
        "Дані": [["Реєстр хабів"]] * 12 + [HUBS_HEADER, *HUB_ROWS]})
    message, _ = problem(path)
    assert message == (f"hubs_deep.xlsx: {HUBS_NEEDS}; header not found: none of rows 1–10 of sheets 'Інструкція', "
                       f"'Дані' names a known column{BELOW}")


def test_a_workbook_of_rows_without_a_header(tmp_path):
    path = office_workbook(tmp_path / "hubs_headless.xlsx", {"Аркуш1": HUB_ROWS})
    message, _ = problem(path)
    assert message == (f"hubs_headless.xlsx: {HUBS_NEEDS}; header not found: none of rows 1–10 of sheet 'Аркуш1' "
                       "names a known column")


def test_empty_rows_above_a_header_below_the_rows_looked_at(tmp_path):
    path = office_workbook(tmp_path / "hubs_low.xlsx", {"Аркуш1": [[]] * 11 + [HUBS_HEADER, *HUB_ROWS]})
    message, _ = problem(path)
    assert message == ("hubs_low.xlsx: the workbook holds no header row (rows 1–10 of sheet 'Аркуш1' are empty; a "
                       "header below row 10 is not looked for: delete the empty rows above it)")
