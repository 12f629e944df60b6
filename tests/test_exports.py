"""Export tests: every format read back with a real reader; Cyrillic glyphs; suppression in every
file; formula neutralisation; byte-identical repeats; the press kit; the fact sheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from dashboard import exports, factsheet
from dashboard.export import files, presskit
from dashboard.filters import Filters

D = dt.date
YEAR = (D(2024, 1, 1), D(2024, 12, 31))
# "Vinnytsia Oblast, 2024, women aged 60 and over": group A of the fixture, 12 women of 60–69
# who learned in March 2024 at hub ХЦО-00001; 10 of them rated themselves 8 after training.
VINNYTSIA = Filters("ua_hubs", *YEAR, regions=("UA-05",), age_band=("60_69", "70_plus"), gender=("female",))
# Men in 2024: 8 in group B and person P, 9 people, so every count of people is 1..9 and hidden.
MEN = Filters("ua_hubs", *YEAR, gender=("male",))
# The exact counts of people of MEN that must never appear (1, person P alone, is also a count
# of hubs and regions there, so it is checked in the people cells only).
HIDDEN_VALUES = {"8", "9"}
SVG_NS = "{http://www.w3.org/2000/svg}"
DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]


@pytest.fixture(autouse=True)
def _exact(monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")  # compare with hand-counted numbers


def view(db, f: Filters, lang: str = "uk") -> exports.View:
    return exports.make_view(db, f, lang)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads Cyrillic only with the mark
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def csv_table(data: bytes) -> pd.DataFrame:
    """The table of an exported CSV: after the header lines and the empty line."""
    rows = csv_rows(data)
    skip = rows.index([]) + 1
    return pd.read_csv(io.BytesIO(data), skiprows=skip, encoding="utf-8-sig", keep_default_na=False, dtype=str)


def xlsx_table(data: bytes, lines: int) -> pd.DataFrame:
    return pd.read_excel(io.BytesIO(data), skiprows=lines + 1, dtype=object, keep_default_na=False)


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return ["".join(el.itertext()).strip() for el in root.iter(f"{SVG_NS}text")]


def ink(png: bytes) -> int:
    """Pixels darker than the white background."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return int((pixels < 200).sum())


# ---- each format with a real reader ------------------------------------------------------

def test_trend_files_hold_title_filters_and_numbers(db):
    export = exports.build("participation_trend", db, view(db, VINNYTSIA))
    title = "Люди, що навчалися, за місяцями"
    scope = "Вінницька область · вік: 60–69, 70+; стать: жінки"
    # PNG: real image, at least twice the CSS size, with its words as text chunks.
    image = Image.open(io.BytesIO(files.png(export)))
    image.load()
    assert image.format == "PNG" and image.width >= 2 * files.WIDTH
    assert image.info["Title"] == title and scope in image.info["Description"]
    assert "30 червня 2025" in image.info["Source"]
    # SVG: the words and the numbers are text of the drawing.
    texts = svg_texts(files.svg(export))
    joined = " ".join(texts)
    assert title in texts and "Вінницька область" in joined and "жінки" in joined
    assert "Дані станом на 30 червня 2025" in joined and "12" in texts
    # CSV: header lines, then exactly the months drawn.
    rows = csv_rows(files.csv_bytes(export))
    assert rows[0] == [title] and scope in rows[1][0] and "30 червня 2025" in rows[2][0]
    table = csv_table(files.csv_bytes(export))
    assert list(table.columns) == ["Місяць", "Осіб"]
    assert table["Місяць"].tolist() == [f"2024-{m:02d}" for m in range(1, 13)]
    assert table["Осіб"].tolist() == ["0", "0", "12"] + ["0"] * 9
    # XLSX: the same, with numbers as numbers.
    sheet = xlsx_table(files.xlsx_bytes(export), len(files.header_lines(export)))
    assert sheet.iloc[:, 1].tolist() == [0, 0, 12] + [0] * 9
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx_bytes(export)))
    assert book.active["A1"].value == title and book.properties.title == title
    assert book.properties.created == dt.datetime(2025, 6, 30)


def test_key_figures_table_is_what_the_image_shows(db):
    export = exports.build("key_figures", db, view(db, VINNYTSIA, "en"))
    table = csv_table(files.csv_bytes(export)).set_index("Indicator")
    # Hand counts: 12 women, 12 classes, 1 hub, 21 coordinators (K-2024-031), 2 library hubs of
    # 40 libraries; 0 of 12 rated 7–10 before, 10 of 10 after. The previous period (2023) had none.
    assert table.loc["People trained", ["Value", "Previous period", "Change"]].tolist() == ["12", "0", "12"]
    assert table.loc["Classes and consultations", "Value"] == "12"
    assert table.loc["Active hubs", "Value"] == "1"
    assert table.loc["Coordinators trained", ["Value", "Previous period", "Change"]].tolist() == ["21", "23", "-2"]
    assert table.loc["Libraries that are hubs", ["Value", "Unit"]].tolist() == ["5.0", "%"]
    assert table.loc["Rating their skills 7–10 before training", "Value"] == "0.0"
    assert table.loc["Rating their skills 7–10 after training", "Value"] == "100.0"
    assert table.loc["Change in that share, after minus before", ["Value", "Unit"]].tolist() == ["100.0", "pp"]
    texts = svg_texts(files.svg(export))
    for shown in ("12", "21", "23", "-2", "5.0%", "0.0%", "100.0%", "+100.0 pp", "Key figures"):
        assert shown in texts


def test_skills_files(db):
    export = exports.build("skills", db, view(db, VINNYTSIA, "en"))
    table = csv_table(files.csv_bytes(export))
    assert table.values.tolist() == [["Before training", "12", "0", "0.0"], ["After training", "10", "10", "100.0"]]
    texts = svg_texts(files.svg(export))
    assert "0.0%" in texts and "100.0%" in texts and "Before training (12 rated)" in texts


@pytest.mark.parametrize("name", list(exports.FIGURES))
def test_every_registered_figure_writes_every_format(db, name):
    export = exports.build(name, db, view(db, VINNYTSIA, "en"))
    for fmt in files.FORMATS:
        data = files.write(export, fmt)
        assert data and files.file_name(export, fmt) == f"{name}_en.{fmt}"
    assert export.title in svg_texts(files.svg(export))
    assert len(csv_table(files.csv_bytes(export))) == len(export.table)


# ---- Cyrillic ----------------------------------------------------------------------------

def test_cyrillic_renders_as_glyphs(db):
    export = exports.build("skills", db, view(db, VINNYTSIA))
    text = "Вінницька область: навчено людей"
    with_text = files.png(replace(export, title=text))
    without = files.png(replace(export, title=" "))
    # Characters no font here has (private use area) stand for "boxes or nothing".
    missing = files.png(replace(export, title="\ue000" * len(text)))
    assert ink(with_text) > ink(without) + 2000  # the title adds real ink
    assert with_text != missing and ink(with_text) != ink(missing)
    assert text in svg_texts(files.svg(replace(export, title=text)))


# ---- suppression: a cell of 1..9 people is hidden in every file --------------------------

@pytest.mark.parametrize("name", list(exports.FIGURES))
def test_small_counts_never_appear_in_any_file(db, name):
    export = exports.build(name, db, view(db, MEN, "en"))
    assert any(n.startswith("“fewer than 10”") for n in export.notes)
    table = csv_table(files.csv_bytes(export))
    cells = set(table.to_numpy().ravel())
    assert cells & {"fewer than 10", ""}  # a hidden count reads so; a share built on it is empty
    assert not cells & HIDDEN_VALUES
    sheet = xlsx_table(files.xlsx_bytes(export), len(files.header_lines(export)))
    assert not {str(v) for v in sheet.to_numpy().ravel()} & HIDDEN_VALUES
    assert not set(svg_texts(files.svg(export))) & HIDDEN_VALUES


def test_hidden_people_hide_their_shares(db):
    export = exports.build("key_figures", db, view(db, MEN, "en"))
    table = csv_table(files.csv_bytes(export)).set_index("Indicator")
    for row in ("People trained", "Classes and consultations"):
        assert table.loc[row, "Previous period"] == "fewer than 10"  # P's 1 class of December 2023
    assert table.loc["People trained", "Value"] == "fewer than 10"
    assert table.loc["People trained", "Change"] == ""
    assert table.loc["Rating their skills 7–10 after training", "Value"] == ""


# ---- neutralised formulas ----------------------------------------------------------------

@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_formula_starts(text):
    assert files.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Вінниця", "12 осіб", "", " =x", -5, 3.5, None])
def test_neutralise_leaves_the_rest(value):
    assert files.neutralise(value) == value


def test_csv_and_xlsx_cells_are_neutralised(db):
    export = exports.build("skills", db, view(db, VINNYTSIA, "en"))
    hostile = pd.DataFrame({"name": DANGEROUS, "value": [-5, 1.5, 0, 2, 3, 4]}, dtype=object)
    export = replace(export, table=hostile, title="=HYPERLINK(\"x\")")
    rows = csv_rows(files.csv_bytes(export))
    assert rows[0] == ["'=HYPERLINK(\"x\")"]
    body = rows[rows.index([]) + 2:]
    assert [r[0] for r in body] == ["'" + t for t in DANGEROUS]
    assert body[0][1] == "-5"  # a negative number stays a number
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx_bytes(export)))
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type in ("s", "n") for c in cells)  # no formula anywhere
    first = len(files.header_lines(export)) + 3  # 1-based row of the first value
    # XLSX stores a carriage return as _x000D_ (Excel turns it back; openpyxl does not).
    names = [book.active.cell(first + i, 1).value.replace("_x000D_", "\r") for i in range(len(DANGEROUS))]
    assert names == ["'" + t for t in DANGEROUS]
    assert -5 in {c.value for c in cells if c.data_type == "n"}


# ---- byte-identical repeats ---------------------------------------------------------------

@pytest.mark.parametrize("fmt", files.FORMATS)
def test_same_data_and_filters_give_the_same_bytes(db, fmt):
    first = files.write(exports.build("participation_trend", db, view(db, VINNYTSIA)), fmt)
    exports.build("key_figures", db, view(db, MEN))  # other work in between
    again = files.write(exports.build("participation_trend", db, view(db, VINNYTSIA)), fmt)
    assert first == again


def test_kit_and_fact_sheet_repeat_byte_for_byte(db):
    v = view(db, VINNYTSIA)
    assert presskit.build_kit(db, v) == presskit.build_kit(db, v)
    assert factsheet.pdf_bytes(db, v, "UA-05") == factsheet.pdf_bytes(db, v, "UA-05")


# ---- press kit -----------------------------------------------------------------------------

def test_press_kit_contents(db):
    v = view(db, VINNYTSIA)
    kit = zipfile.ZipFile(io.BytesIO(presskit.build_kit(db, v)))
    names = kit.namelist()
    assert names[0] == "README_uk.txt"
    expected = {f"{n}_uk.{fmt}" for n in exports.default_names() for fmt in presskit.KIT_FORMATS}
    assert set(names[1:]) == expected
    assert all(info.date_time == (2025, 6, 30, 0, 0, 0) for info in kit.infolist())
    text = kit.read("README_uk.txt").decode("utf-8")
    for words in ("Вінницька область", "вік: 60–69, 70+; стать: жінки", "1 січня 2024", "31 грудня 2024",
                  "Навчено людей: 12", "Визначення: Різні люди", "Дані станом на 30 червня 2025",
                  "менше 10", "participation_trend_uk.csv"):
        assert words in text
    trend = csv_table(kit.read("participation_trend_uk.csv"))
    assert trend["Осіб"].tolist()[2] == "12"
    Image.open(io.BytesIO(kit.read("key_figures_uk.png"))).verify()
    ET.fromstring(kit.read("skills_uk.svg"))


def test_press_kit_of_chosen_figures_and_unknown_names(db):
    v = view(db, MEN, "en")
    kit = zipfile.ZipFile(io.BytesIO(presskit.build_kit(db, v, ["skills"])))
    assert kit.namelist() == ["README_en.txt", "skills_en.png", "skills_en.svg", "skills_en.csv"]
    assert "People trained: fewer than 10" in kit.read("README_en.txt").decode()
    with pytest.raises(KeyError):
        presskit.build_kit(db, v, ["no_such_chart"])


# ---- fact sheet ----------------------------------------------------------------------------

def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def test_fact_sheet_of_a_region(db):
    data = factsheet.pdf_bytes(db, view(db, replace(VINNYTSIA, regions=())), "UA-05")
    pages, text = pdf_text(data)
    assert pages == 1
    for words in ("Довідка: Вінницька область", "вік: 60–69, 70+; стать: жінки", "Дані станом на 30 червня 2025",
                  "Навчено людей", "Навчено координаторів", "Люди, що навчалися, за місяцями"):
        assert words in text
    assert "12 Навчено людей" in text and "21 Навчено координаторів" in text
    assert "0,0 % → 100,0 %" in text  # skills before → after, with the arrow drawn
    info = PdfReader(io.BytesIO(data)).metadata
    assert info.title == "Довідка: Вінницька область" and info["/CreationDate"].startswith("D:20250630")


def test_fact_sheet_of_the_country_hides_small_counts(db):
    _pages, text = pdf_text(factsheet.pdf_bytes(db, view(db, MEN, "en"), None))
    assert "Fact sheet: Ukraine" in text and "fewer than 10 People trained" in text
    text = text.replace("a count of 1 to 9 people", "")  # the rule itself names 9
    assert not re.search(r"(?<![\d,.])[89](?![\d,.%])", text)  # 8 and 9 men are never written


def test_fact_sheets_for_every_region(db, tmp_path):
    written = factsheet.write_all(db, view(db, replace(VINNYTSIA, regions=())), tmp_path, workers=1)
    assert sorted(p.name for p in written) == sorted(
        f"factsheet_{code}_uk.pdf" for code in ("UA", "UA-05", "UA-30", "UA-32", "UA-46"))
    assert all(pdf_text(p.read_bytes())[0] == 1 for p in written)
