"""Exports page (pages/exports.py, dashboard/ui/exports.py) through AppTest: the page runs for any
view or hostile link, offers every chosen chart in four formats, the press kit and the fact sheet;
the files its buttons hand over hold hand counts of the fixture extract (tests/conftest.py).

Perturbation is off (DASHBOARD_NOISE=0) and k is 10. The Vinnytsia view below (women 60–79 in
Vinnytsia Oblast, 2024) is group A alone: 12 women 60–69, one class each at H1 on 12 March 2024,
rated 3 before (all 12) and 8 after (10 of them). Libraries: H1 and H2 of Vinnytsia Oblast's 40
(5.0%); coordinators of Vinnytsia Oblast: 21 in 2024, 23 in 2023. No woman of 60–79 was trained
there in 2023.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from page_tools import internal_mode
from conftest import run_app
from pypdf import PdfReader
from streamlit.runtime.media_file_manager import MediaFileManager

VINNYTSIA_2024 = {"from": "2024-01-01", "to": "2024-12-31", "region": "Вінницька область",
                  "gender": "жінки", "age": ["60–69", "70+"]}
# The charts offered before any choice, and their titles.
DEFAULT_CHARTS = ["participation_trend", "key_figures", "skills", "region_map"]
TITLES = {"participation_trend": "People learning, by month", "key_figures": "Key figures",
          "skills": "Rating their digital skills 7–10 out of 10, before and after training",
          "region_map": "People trained, by region"}
FORMATS = ("png", "svg", "csv", "xlsx")
HOSTILE = [
    {"region": "<script>alert(1)</script>"},
    {"from": "2024-99-99", "lang": "xx"},
    {"age": ";DROP TABLE participants", "export_figures": "../../etc/passwd"},
    {"region": ["Вінницька область", "\u0000"], "to": "yesterday", "disability": "%"},
]


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode, monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")
    return app_data


@pytest.fixture
def downloads(monkeypatch):
    """file name -> the callable of every download button the page registered."""
    found: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found


def buttons(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


def csv_table(data: bytes) -> list[list[str]]:
    """The table of an exported CSV: the rows after the first empty line (title and notes come first)."""
    lines = data.decode("utf-8-sig").splitlines()
    return [row for row in csv.reader(lines[lines.index("") + 1:]) if row]


@pytest.mark.parametrize("lang, title, kit", [("uk", "Експорт", "Завантажити пресфайл (ZIP)"),
                                              ("en", "Exports", "Download the press kit (ZIP)")])
def test_default_view_offers_every_default_chart(lang, title, kit, downloads):
    at = run_app({"lang": lang}, page="exports")
    assert not at.exception and not at.warning
    assert at.title[0].value == title
    labels = buttons(at)
    png, xlsx = {"uk": ("Зображення PNG", "Таблиця Excel"), "en": ("PNG image", "Excel workbook")}[lang]
    assert labels.count(png) == labels.count(xlsx) == len(DEFAULT_CHARTS)
    assert kit in labels
    names = set(downloads)
    for name in DEFAULT_CHARTS:
        assert {f"{name}_{lang}.{fmt}" for fmt in FORMATS} <= names
    assert any(n.startswith(f"press_kit_{lang}_") for n in names)
    assert f"factsheet_UA_{lang}.pdf" in names  # no region chosen: the whole country


def test_buttons_hand_over_the_files_of_the_view(downloads, monkeypatch):
    internal_mode(monkeypatch)  # hand counts of the live figures (months of nobody read 0, not "fewer than 10")
    at = run_app(VINNYTSIA_2024, page="exports")
    assert not at.exception
    # A's 12 women, all in March 2024.
    trend = csv_table(downloads["participation_trend_uk.csv"]())
    assert trend[0] == ["Місяць", "Осіб"]
    assert trend[1:] == [[f"2024-{m:02d}", "12" if m == 3 else "0"] for m in range(1, 13)]
    # Against 31 Dec 2022 – 31 Dec 2023 (the previous period of the same length): nobody of the group.
    assert csv_table(downloads["key_figures_uk.csv"]()) == [
        ["Показник", "Значення", "Одиниця", "Попередній період", "Зміна"],
        ["Активні хаби", "1", "", "0", "1"],
        ["Частка бібліотек-хабів", "5.0", "%", "5.0", "0.0"],
        ["Навчено людей", "12", "", "0", "12"],
        ["Заняття й консультації", "12", "", "0", "12"],
        ["Навчено координаторів", "21", "", "23", "-2"],
        ["Охоплено регіонів", "1", "", "0", "1"],
        ["Оцінюють навички на 7–10 до навчання", "0.0", "%", "", ""],
        ["Оцінюють навички на 7–10 після навчання", "100.0", "%", "", ""],
        ["Зміна частки тих, хто оцінює навички на 7–10", "100.0", "в. п.", "", ""],
    ]
    assert csv_table(downloads["skills_uk.csv"]()) == [
        ["Коли", "Людей, що дали оцінку", "З них оцінили на 7–10", "Частка з оцінкою 7–10, %"],
        ["До навчання", "12", "0", "0.0"],
        ["Після навчання", "10", "10", "100.0"],
    ]
    assert csv_table(downloads["region_map_uk.csv"]())[:2] == [["ISO 3166-2", "Регіон", "Осіб"],
                                                               ["UA-05", "Вінницька область", "12"]]
    for name in DEFAULT_CHARTS:
        assert downloads[f"{name}_uk.png"]().startswith(b"\x89PNG\r\n\x1a\n")
        assert downloads[f"{name}_uk.svg"]().startswith(b"<svg")
        assert zipfile.is_zipfile(io.BytesIO(downloads[f"{name}_uk.xlsx"]()))
    kit = zipfile.ZipFile(io.BytesIO(downloads["press_kit_uk_2024-01-01_2024-12-31.zip"]()))
    assert kit.namelist() == ["README_uk.txt", *[f"{name}_uk.{fmt}" for name in DEFAULT_CHARTS
                                                 for fmt in ("png", "svg", "csv")]]
    readme = kit.read("README_uk.txt").decode()
    assert "- Навчено людей: 12 (попередній період: 0; зміна: +12)" in readme
    assert "- Навчено координаторів: 21 (попередній період: 23; зміна: -2)" in readme
    # One region in the filter: the fact sheet is that region's.
    assert at.selectbox(key="export_sheet_uk").value == "UA-05"
    sheet = PdfReader(io.BytesIO(downloads["factsheet_UA-05_uk.pdf"]())).pages[0].extract_text()
    assert sheet.startswith("Довідка: Вінницька область")
    assert "12\nНавчено людей\n12\nЗаняття й консультації\n1\nАктивні хаби\n21\nНавчено координаторів" in sheet


def test_chosen_charts_and_language_of_the_files(downloads):
    at = run_app({"lang": "uk", "from": "2024-01-01"}, page="exports")
    at.multiselect(key="export_figures_uk").set_value(["skills"])
    at.button_group(key="export_lang_uk").set_value("en")
    at.run()
    assert not at.exception
    assert buttons(at).count("Зображення PNG") == 1
    assert "skills_en.png" in downloads and "skills_en.xlsx" in downloads
    assert any(n.startswith("press_kit_en_") for n in downloads)
    kit = next(fn for n, fn in downloads.items() if n.startswith("press_kit_en_"))()
    assert zipfile.ZipFile(io.BytesIO(kit)).namelist() == ["README_en.txt", "skills_en.png", "skills_en.svg",
                                                          "skills_en.csv"]


def test_no_chart_chosen_says_so(downloads):
    at = run_app({"lang": "en"}, page="exports")
    at.multiselect(key="export_figures_en").set_value([])
    at.run()
    assert not at.exception
    assert "Choose at least one chart." in [i.value for i in at.info]
    assert "PNG image" not in buttons(at)
    kit = next(b for b in at.get("download_button") if b.label == "Download the press kit (ZIP)")
    assert kit.proto.disabled


def test_fact_sheet_for_another_region(downloads):
    at = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}, page="exports")
    at.selectbox(key="export_sheet_en").set_value("UA-32")
    at.run()
    assert not at.exception
    text = PdfReader(io.BytesIO(downloads["factsheet_UA-32_en.pdf"]())).pages[0].extract_text()
    assert "Fact sheet: Kyiv Oblast" in text


def test_empty_selection_shows_the_empty_state():
    at = run_app({"lang": "en", "from": "2022-01-01", "to": "2022-06-30"}, page="exports")
    assert not at.exception
    assert "PNG image" not in buttons(at)
    assert any("No data for this selection" in i.value for i in at.info)


@pytest.mark.parametrize("params", HOSTILE)
def test_hostile_links_do_not_break_the_page(params):
    at = run_app(params, page="exports")
    assert not at.exception
    assert "Зображення PNG" in buttons(at) or "PNG image" in buttons(at) or at.info


def test_a_preview_is_drawn_only_when_its_box_is_opened():
    at = run_app({"lang": "en"}, page="exports")
    assert not at.exception
    assert not at.get("image"), "a closed preview drew its image"
    at.session_state["preview_participation_trend"] = True
    at.run()
    assert not at.exception
    images = at.get("image")
    assert len(images) == 1
    assert TITLES["participation_trend"] in str(images[0].proto)


def test_switching_the_interface_language_keeps_the_charts_and_moves_the_files_language():
    at = run_app({"lang": "uk"}, page="exports")
    at.multiselect(key="export_figures_uk").set_value(["skills"]).run()
    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    picker = at.multiselect(key="export_figures_en")
    assert picker.value == ["skills"]
    assert picker.format_func("skills") == TITLES["skills"]
    assert at.button_group(key="export_lang_en").value == "en"
