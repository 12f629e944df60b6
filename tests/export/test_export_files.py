"""Export file tests: every format read back with a real reader; Cyrillic glyphs; suppression in
every file; formula neutralisation; byte-identical repeats; the press kit; the fact sheet.

Every figure's CSV and XLSX table is checked against its table counted by hand from the fixture
extract (hand_counts.py); test_export_registry.py checks the tables themselves and their words.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest
from export_readers import (
    EXACT, HIDDEN_VALUES, MEN, VINNYTSIA, csv_rows, csv_table, ink, pdf_text, svg_texts, view, xlsx_table,
)
from coverage_counts import coverage_tables
from hand_counts import MEN_TABLES, VINNYTSIA_TABLES, as_csv
from PIL import Image
from pypdf import PdfReader

from dashboard.export import factsheet, files, presskit, reach_sheet, registry
from dashboard.filters import Filters
from dashboard.metrics.live import Live

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]


@pytest.fixture
def src(db):
    """The fixture extract as a live source with exact figures (the hand counts' rule)."""
    return Live(db, EXACT)


# ---- each format with a real reader ------------------------------------------------------

def test_trend_files_hold_title_filters_and_numbers(src):
    export = registry.build("participation_trend", src, view(src, VINNYTSIA))
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


def test_key_figures_image_shows_the_table(src):
    export = registry.build("key_figures", src, view(src, VINNYTSIA, "en"))
    texts = svg_texts(files.svg(export))
    # The hand counts of hand_counts.VINNYTSIA_TABLES, as the Overview's cards write them.
    for shown in ("Key figures", "Active hubs", "People trained", "Coordinators trained", "12", "21", "23",
                  "-2", "+12", "5.0%", "0.0%", "100.0%", "+100.0 pp", "Change in the share rating their skills 7–10"):
        assert shown in texts, shown


def test_skills_files(src):
    export = registry.build("skills", src, view(src, VINNYTSIA, "en"))
    table = csv_table(files.csv_bytes(export))
    assert table.values.tolist() == [["Before training", "12", "0", "0.0"], ["After training", "10", "10", "100.0"]]
    texts = svg_texts(files.svg(export))
    assert "0.0%" in texts and "100.0%" in texts and "Before training (12 rated)" in texts


@pytest.mark.parametrize("name", list(registry.FIGURES))
def test_every_registered_figure_writes_every_format(src, name):
    export = registry.build(name, src, view(src, VINNYTSIA, "en"))
    for fmt in files.FORMATS:
        data = files.write(export, fmt)
        assert data and files.file_name(export, fmt) == f"{name}_en.{fmt}"
    assert export.title in svg_texts(files.svg(export))


@pytest.mark.parametrize("tables", [VINNYTSIA_TABLES, MEN_TABLES], ids=["vinnytsia", "men"])
@pytest.mark.parametrize("name", list(registry.FIGURES))
def test_csv_and_xlsx_hold_the_hand_counted_table(src, name, tables):
    """Every figure's CSV and XLSX table, against the table counted by hand (hand_counts.py)."""
    f = VINNYTSIA if tables is VINNYTSIA_TABLES else MEN
    export = registry.build(name, src, view(src, f, "en"))
    columns, expected = tables[name]
    table = csv_table(files.csv_bytes(export))
    assert list(table.columns) == columns
    assert table.values.tolist() == [[as_csv(cell) for cell in row] for row in expected]
    # XLSX: the same cells, numbers as numbers, an empty cell for no value.
    sheet = xlsx_table(files.xlsx_bytes(export), len(files.header_lines(export)))
    assert list(sheet.columns) == columns
    for got, want in zip(sheet.values.tolist(), expected, strict=True):
        for a, b in zip(got, want, strict=True):
            if isinstance(b, (int, float)):
                assert isinstance(a, (int, float)) and a == pytest.approx(b), (got, want)
            else:
                assert a == ("" if b is None else b), (got, want)


# ---- Cyrillic ----------------------------------------------------------------------------

def test_cyrillic_renders_as_glyphs(src):
    export = registry.build("skills", src, view(src, VINNYTSIA))
    text = "Вінницька область: навчено людей"
    with_text = files.png(replace(export, title=text))
    without = files.png(replace(export, title=" "))
    # Characters no font here has (private use area) stand for "boxes or nothing".
    missing = files.png(replace(export, title="\ue000" * len(text)))
    assert ink(with_text) > ink(without) + 2000  # the title adds real ink
    assert with_text != missing and ink(with_text) != ink(missing)
    assert text in svg_texts(files.svg(replace(export, title=text)))


# ---- suppression: a cell of 1..9 people is hidden in every file --------------------------

# The figures with counts of people (the coverage figures hold settlements' populations, public
# reference data, and no count of people trained).
# Who is left behind lists only the groups whose figures are shown, and says so, so it writes no
# "fewer than 10" (MEN: no group of a region is behind and shown).
SHOWN_ONLY = {"left_behind"}


@pytest.mark.parametrize("name", [name for name, figure in registry.FIGURES.items() if figure.counts])
def test_small_counts_never_appear_in_any_file(src, name):
    export = registry.build(name, src, view(src, MEN, "en"))
    table = csv_table(files.csv_bytes(export))
    cells = set(table.to_numpy().ravel())
    if name in SHOWN_ONLY:
        assert any("at least 10 people rated before and after" in n for n in export.notes)
    else:
        assert any(n.startswith("“fewer than 10”") for n in export.notes)
        assert cells & {"fewer than 10", ""}  # a hidden count reads so; a share built on it is empty
    assert not cells & HIDDEN_VALUES
    sheet = xlsx_table(files.xlsx_bytes(export), len(files.header_lines(export)))
    assert not {str(v) for v in sheet.to_numpy().ravel()} & HIDDEN_VALUES
    assert not set(svg_texts(files.svg(export))) & HIDDEN_VALUES


# ---- neutralised formulas ----------------------------------------------------------------

@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_formula_starts(text):
    assert files.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Вінниця", "12 осіб", "", " =x", -5, 3.5, None])
def test_neutralise_leaves_the_rest(value):
    assert files.neutralise(value) == value


def test_csv_and_xlsx_cells_are_neutralised(src):
    export = registry.build("skills", src, view(src, VINNYTSIA, "en"))
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
def test_same_data_and_filters_give_the_same_bytes(src, fmt):
    first = files.write(registry.build("participation_trend", src, view(src, VINNYTSIA)), fmt)
    registry.build("key_figures", src, view(src, MEN))  # other work in between
    again = files.write(registry.build("participation_trend", src, view(src, VINNYTSIA)), fmt)
    assert first == again


def test_kit_and_fact_sheet_repeat_byte_for_byte(src):
    v = view(src, VINNYTSIA)
    assert presskit.build_kit(src, v) == presskit.build_kit(src, v)
    assert factsheet.pdf_bytes(src, v, "UA-05") == factsheet.pdf_bytes(src, v, "UA-05")


# ---- press kit -----------------------------------------------------------------------------

def test_press_kit_contents(src):
    v = view(src, VINNYTSIA)
    kit = zipfile.ZipFile(io.BytesIO(presskit.build_kit(src, v)))
    names = kit.namelist()
    assert names[0] == "README_uk.txt"
    expected = {f"{n}_uk.{fmt}" for n in registry.default_names() for fmt in presskit.KIT_FORMATS}
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


def test_press_kit_of_chosen_figures_and_unknown_names(src):
    v = view(src, MEN, "en")
    kit = zipfile.ZipFile(io.BytesIO(presskit.build_kit(src, v, ["skills"])))
    assert kit.namelist() == ["README_en.txt", "skills_en.png", "skills_en.svg", "skills_en.csv"]
    assert "People trained: fewer than 10" in kit.read("README_en.txt").decode()
    with pytest.raises(KeyError):
        presskit.build_kit(src, v, ["no_such_chart"])


def test_press_kit_of_all_time_writes_no_previous_period(src):
    # All time has no previous period: the key figures say nothing of one (before, a missing
    # previous value read "fewer than 10", as if growth had started from under 10), and the note
    # says there is none.
    v = view(src, Filters("ua_hubs", dt.date(2022, 10, 1), dt.date(2025, 6, 30)), "en")
    text = zipfile.ZipFile(io.BytesIO(presskit.build_kit(src, v, ["skills"]))).read("README_en.txt").decode()
    figures = [line for line in text.splitlines() if line.startswith("- People trained:")
               or line.startswith("- Classes and consultations:") or line.startswith("- Coordinators trained:")]
    assert len(figures) == 3 and not any("previous period" in line for line in figures)
    assert "fewer than 10" not in "\n".join(figures)
    assert "No changes shown: the data has no previous period of the same length." in text


# ---- fact sheet ----------------------------------------------------------------------------

def test_fact_sheet_of_a_region(src):
    data = factsheet.pdf_bytes(src, view(src, replace(VINNYTSIA, regions=())), "UA-05")
    pages, text = pdf_text(data)
    assert pages == 2
    for words in ("Довідка: Вінницька область", "вік: 60–69, 70+; стать: жінки", "Дані станом на 30 червня 2025",
                  "Навчено людей", "Навчено координаторів", "Люди, що навчалися, за місяцями"):
        assert words in text
    assert "12 Навчено людей" in text and "21 Навчено координаторів" in text
    assert "0,0 % → 100,0 %" in text  # skills before → after, with the arrow drawn
    info = PdfReader(io.BytesIO(data)).metadata
    assert info.title == "Довідка: Вінницька область" and info["/CreationDate"].startswith("D:20250630")


def test_fact_sheet_of_the_country_hides_small_counts(src):
    data = factsheet.pdf_bytes(src, view(src, MEN, "en"), None)
    _pages, text = pdf_text(data)
    assert "Fact sheet: Ukraine" in text and "fewer than 10 People trained" in text
    # The second page counts residents of settlements (public reference data), ranks and the reach
    # in km, never people trained: the numbers are looked for on the first page.
    text = re.sub(r"\s+", " ", PdfReader(io.BytesIO(data)).pages[0].extract_text())
    text = text.replace("a count of 1 to 9 people", "")  # the rule itself names 9
    # The events of the period (data/reference/events.csv) are dated: days of the month, not counts.
    text = re.sub(r"Events in this period: .*?\)\.", "", text, flags=re.S)
    assert not re.search(r"(?<![\d,.])[89](?![\d,.%])", text)  # 8 and 9 men are never written


# Kyiv Oblast over the whole span (2022 to the data date, 30 June 2025): its 2024 target, 20 people,
# against 9 (B and P: hidden, so no per cent), and its 2025 target, 20, against D's 15: 75.0%, with
# 181/365 = 49.6% of it due by the data date, so on track. The status's symbol is drawn, not written.
SHEET_TARGETS = {
    "en": "Progress to targets Figure Period Target Actual Achieved, % of target Expected by now, % of target "
          "Status People trained 2024 20 fewer than 10 — 100.0% … hidden (small number) "
          "People trained 2025 20 15 75.0% 49.6% on track",
    "uk": "Виконання цілей Показник Період Ціль Фактично Виконано, % цілі Очікувано на зараз, % цілі Стан "
          "Навчено людей 2024 20 менше 10 — 100,0 % … приховано (мале число) "
          "Навчено людей 2025 20 15 75,0 % 49,6 % за планом",
}
WHOLE_SPAN = Filters("ua_hubs", dt.date(2022, 1, 1), dt.date(2025, 6, 30))


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_fact_sheet_lists_the_regions_targets(src, lang):
    pages, text = pdf_text(factsheet.pdf_bytes(src, view(src, WHOLE_SPAN, lang), "UA-32"))
    assert pages == 2
    assert SHEET_TARGETS[lang] in text


def test_fact_sheet_of_the_country_lists_its_targets(src):
    # 2024: 21 of 30 (70.0%, all due: off track); 80.0% rating 7–10 after training against 16 of 19
    # (84.2%, 105.3%: on track). 2025: no target of its own, the regions' 20 + 40 = 60, against 15.
    _pages, text = pdf_text(factsheet.pdf_bytes(src, view(src, WHOLE_SPAN, "en"), None))
    assert ("People trained 2024 30 21 70.0% 100.0% off track Rating their skills 7–10 after training 2024 80.0% "
            "84.2% 105.3% 100.0% on track People trained (sum of the regions' targets) 2025 60 15 25.0% 49.6% "
            "off track") in text


@pytest.mark.parametrize("f", [
    Filters("ua_hubs", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),  # no target within 2023
    replace(WHOLE_SPAN, gender=("male",)),  # targets are for everyone, not for one group
], ids=["no-target", "group"])
def test_fact_sheet_without_targets_has_no_progress_block(src, f):
    pages, text = pdf_text(factsheet.pdf_bytes(src, view(src, f, "en"), "UA-32"))
    assert pages == 2 and "Progress to targets" not in text


def test_fact_sheets_for_every_region(src, tmp_path):
    written = factsheet.write_all(src, view(src, replace(VINNYTSIA, regions=())), tmp_path, workers=1)
    assert sorted(p.name for p in written) == sorted(
        f"factsheet_{code}_uk.pdf" for code in ("UA", "UA-05", "UA-30", "UA-32", "UA-46"))
    assert all(pdf_text(p.read_bytes())[0] == 2 for p in written)


def _reach_text(data: bytes) -> str:
    """The words of the fact sheet's second page, the reach, with runs of white space as one."""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    return re.sub(r"\s+", " ", reader.pages[1].extract_text())


def _area_words(row: list) -> str:
    # A row of coverage_counts' coverage table as the sheet writes it: name, people, share, out of reach.
    _iso, name, _settlements, people, _covered, share, _rural, _rural_share, out, _out_settlements = row
    return f"{name} {people:,} {'—' if share is None else f'{share:.1f}%'} {out:,}"


def test_fact_sheet_second_page_is_the_reach_of_the_region(src):
    # coverage_counts.py counts Vinnytsia Oblast's settlements and the greedy picks a second way,
    # from data/geo/settlements.csv: no hub of the fixture has a point, so nobody is within reach.
    text = _reach_text(factsheet.pdf_bytes(src, view(src, replace(VINNYTSIA, regions=()), "en"), "UA-05"))
    assert text.startswith("Vinnytsia Oblast: who lives within 10 km of an active hub")
    _columns, areas = coverage_tables("UA-05", ("UA-05",))["coverage"]
    listed = areas[:reach_sheet.AREAS + 1]  # the region, then the hromadas with most people out of reach
    assert " ".join(_area_words(row) for row in listed) in text
    assert f"Rows not listed here: {len(areas) - len(listed)}." in text
    _columns, plan = coverage_tables("UA-05", ("UA-05",))["coverage_plan"]
    assert len(plan) == 10
    picks = " ".join(f"{rank} {name} {hromada} {population:,} +{new:,} {share:.1f}%"
                     for rank, name, _code, _type, hromada, _region, _iso, population, new, _rural, _so_far, share
                     in plan)
    assert f"Where to open the next hub Rank Settlement Hromada Population People newly within reach " \
           f"Share within reach with the picks so far, % {picks}" in text


def test_fact_sheet_second_page_of_the_country_lists_regions(src):
    text = _reach_text(factsheet.pdf_bytes(src, view(src, replace(VINNYTSIA, regions=()), "en"), None))
    assert text.startswith("Ukraine: who lives within 10 km of an active hub")
    _columns, areas = coverage_tables(None, ("UA-05", "UA-30", "UA-32", "UA-46"))["coverage"]
    assert "Regions with the most people out of reach" in text
    assert " ".join(_area_words(row) for row in areas) in text and "Rows not listed" not in text
