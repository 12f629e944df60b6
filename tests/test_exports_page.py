"""Exports page tests (AppTest): the page runs for any view or hostile link, offers every chosen
chart in four formats, the press kit and the fact sheet, and its buttons hand over exactly the
files the export functions write."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from conftest import run_app
from pypdf import PdfReader
from streamlit.runtime.media_file_manager import MediaFileManager

from dashboard import exports, factsheet
from dashboard.export import files, presskit
from dashboard.filters import Filters
from dashboard.i18n import translator

D = dt.date
VINNYTSIA_2024 = {"from": "2024-01-01", "to": "2024-12-31", "region": "Вінницька область",
                  "gender": "жінки", "age": ["60–69", "70+"]}
VINNYTSIA = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",),
                    age_band=("60_69", "70_plus"), gender=("female",))
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


@pytest.mark.parametrize("lang, title, kit", [("uk", "Експорт", "Завантажити пресфайл (ZIP)"),
                                              ("en", "Exports", "Download the press kit (ZIP)")])
def test_default_view_offers_every_default_chart(lang, title, kit, downloads):
    at = run_app({"lang": lang}, page="exports")
    assert not at.exception and not at.warning
    assert at.title[0].value == title
    labels, tr = buttons(at), translator(lang)
    assert labels.count(tr("export.button_png")) == labels.count(tr("export.button_xlsx")) == len(exports.default_names())
    assert kit in labels
    names = set(downloads)
    for name in exports.default_names():
        assert {f"{name}_{lang}.{fmt}" for fmt in files.FORMATS} <= names
    assert any(n.startswith(f"press_kit_{lang}_") for n in names)
    assert f"factsheet_UA_{lang}.pdf" in names  # no region chosen: the whole country


def test_buttons_hand_over_the_export_files(db, downloads):
    at = run_app(VINNYTSIA_2024, page="exports")
    assert not at.exception
    view = exports.make_view(db, VINNYTSIA, "uk")
    for name in exports.default_names():
        export = exports.build(name, db, view)
        for fmt in ("csv", "svg", "xlsx"):
            assert downloads[f"{name}_uk.{fmt}"]() == files.write(export, fmt)
    kit = downloads["press_kit_uk_2024-01-01_2024-12-31.zip"]()
    assert kit == presskit.build_kit(db, view, exports.default_names())
    assert "Навчено людей: 12" in zipfile.ZipFile(io.BytesIO(kit)).read("README_uk.txt").decode()
    # One region in the filter: the fact sheet is that region's.
    assert at.selectbox(key="export_sheet_uk").value == "UA-05"
    sheet = downloads["factsheet_UA-05_uk.pdf"]()
    assert sheet == factsheet.pdf_bytes(db, view, "UA-05")
    assert "Довідка: Вінницька область" in PdfReader(io.BytesIO(sheet)).pages[0].extract_text()


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


def test_fact_sheet_for_another_region(db, downloads):
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
    name = exports.default_names()[0]
    at.session_state[f"preview_{name}"] = True
    at.run()
    assert not at.exception
    images = at.get("image")
    assert len(images) == 1
    assert translator("en")(exports.FIGURES[name].title_key) in str(images[0].proto)


def test_switching_the_interface_language_keeps_the_charts_and_moves_the_files_language():
    at = run_app({"lang": "uk"}, page="exports")
    at.multiselect(key="export_figures_uk").set_value(["skills"]).run()
    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    picker = at.multiselect(key="export_figures_en")
    assert picker.value == ["skills"]
    assert picker.format_func("skills") == translator("en")(exports.FIGURES["skills"].title_key)
    assert at.button_group(key="export_lang_en").value == "en"
