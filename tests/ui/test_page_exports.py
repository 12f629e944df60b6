"""Exports page (pages/exports.py, dashboard/ui/exports.py) through AppTest: the page runs for any
view or hostile link, offers every chosen chart in four formats, the press kit and the fact sheet;
the files its buttons hand over hold hand counts of the fixture extract (tests/conftest.py). The
press kit and the fact sheet of a view the release holds no file of are made on request, as a
visitor makes them: a button that makes the file (in a turn of the process's export queue, the
page saying where it stands), then the download button (the release's own files:
tests/release/test_standard_files.py).

Perturbation is off (DASHBOARD_NOISE=0) and k is 10. The Vinnytsia view below (women 60–79 in
Vinnytsia Oblast, 2024) is group A alone: 12 women 60–69, one class each at H1 on 12 March 2024,
rated 3 before (all 12) and 8 after (10 of them). Libraries: H1 and H2 of Vinnytsia Oblast's 40
(5.0%); coordinators of Vinnytsia Oblast: 21 in 2024, 23 in 2023. No woman of 60–79 was trained
there in 2023.
"""

from __future__ import annotations

import csv
import io
import threading
import zipfile
from types import SimpleNamespace

import pytest
import streamlit
from page_tools import internal_mode
from conftest import run_app
from pypdf import PdfReader

from dashboard.export.queue import ExportQueue, MadeFiles
from dashboard.ui import exports

VINNYTSIA_2024 = {"from": "2024-01-01", "to": "2024-12-31", "region": "Вінницька область",
                  "gender": "жінки", "age": ["60–69", "70+"]}
# The charts offered before any choice, and their titles.
DEFAULT_CHARTS = ["participation_trend", "key_figures", "skills", "region_map"]
TITLES = {"participation_trend": "People learning, by month", "key_figures": "Key figures",
          "skills": "Rating their digital skills 7–10 out of 10, before and after training",
          "region_map": "People trained per 10,000 residents, by region"}
FORMATS = ("png", "svg", "csv", "xlsx")
HOSTILE = [
    {"region": "<script>alert(1)</script>"},
    {"from": "2024-99-99", "lang": "xx"},
    {"age": ";DROP TABLE participants", "export_figures": "../../etc/passwd"},
    {"region": ["Вінницька область", "\u0000"], "to": "yesterday", "disability": "%"},
]


KIT, SHEET = "export_kit", "export_sheet_pdf"  # the widget keys of the press kit and the fact sheet
READY = {"uk": "Файл готовий: збережіть його кнопкою нижче.",
         "en": "The file is ready: save it with the button below."}
PREPARING, BUSY = "Preparing the file…", "The site is busy preparing other visitors' files. Please try again in a few minutes."
SAFETY = 60  # seconds: a thread that waits longer than this is broken, not slow


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode, monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")
    return app_data


@pytest.fixture(autouse=True)
def _no_file_made(monkeypatch) -> MadeFiles:
    """No file made yet: the process keeps the files it made for every visitor, and a test must
    not be handed a file an earlier test made."""
    files = MadeFiles(exports.CACHE_ENTRIES)
    monkeypatch.setattr(exports, "made_files", lambda: files)
    return files


def buttons(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


def make(at, widget: str):
    """Click the button that makes the file of `widget` (KIT, SHEET) and let the page make it."""
    at.button(key=f"{widget}_make").click().run()
    assert not at.exception
    return at


def make_buttons(at) -> list[str]:
    """Keys of the buttons that make a file on request."""
    return [b.key for b in at.button if b.key and b.key.endswith("_make")]


def successes(at) -> list[str]:
    return [s.value for s in at.success]


def csv_table(data: bytes) -> list[list[str]]:
    """The table of an exported CSV: the rows after the first empty line (title and notes come first)."""
    lines = data.decode("utf-8-sig").splitlines()
    return [row for row in csv.reader(lines[lines.index("") + 1:]) if row]


@pytest.mark.parametrize("lang, title, kit, sheet", [
    ("uk", "Експорт", "Завантажити пресфайл (ZIP)", "Завантажити довідку (PDF)"),
    ("en", "Exports", "Download the press kit (ZIP)", "Download the fact sheet (PDF)")])
def test_default_view_offers_every_default_chart(lang, title, kit, sheet, downloads):
    at = run_app({"lang": lang}, page="exports")
    assert not at.exception and not at.warning
    assert at.title[0].value == title
    labels = buttons(at)
    png, xlsx = {"uk": ("Зображення PNG", "Таблиця Excel"), "en": ("PNG image", "Excel workbook")}[lang]
    assert labels.count(png) == labels.count(xlsx) == len(DEFAULT_CHARTS)
    names = set(downloads)
    for name in DEFAULT_CHARTS:
        assert {f"{name}_{lang}.{fmt}" for fmt in FORMATS} <= names
    # This release holds no files of its own: the press kit and the fact sheet are made when asked
    # for, under the words of their download buttons, and nothing is made before.
    assert make_buttons(at) == [f"{KIT}_make", f"{SHEET}_make"]
    assert (at.button(key=f"{KIT}_make").label, at.button(key=f"{SHEET}_make").label) == (kit, sheet)
    assert kit not in labels and sheet not in labels and not successes(at)
    assert not any(n.startswith(f"press_kit_{lang}_") or n.startswith("factsheet_") for n in names)
    make(at, KIT)
    assert successes(at) == [READY[lang]] and kit in buttons(at)
    assert any(n.startswith(f"press_kit_{lang}_") for n in downloads)
    make(at, SHEET)
    assert successes(at) == [READY[lang]] and sheet in buttons(at) and not make_buttons(at)
    assert f"factsheet_UA_{lang}.pdf" in downloads  # no region chosen: the whole country


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
        ["Публічні бібліотеки, що є хабами", "5.0", "%", "5.0", "0.0"],
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
    assert csv_table(downloads["region_map_uk.csv"]())[:2] == [["ISO 3166-2", "Регіон", "Осіб", "Навчено людей на 10 000 мешканців"],
                                                               ["UA-05", "Вінницька область", "12", "0.1"]]
    for name in DEFAULT_CHARTS:
        assert downloads[f"{name}_uk.png"]().startswith(b"\x89PNG\r\n\x1a\n")
        assert downloads[f"{name}_uk.svg"]().startswith(b"<svg")
        assert zipfile.is_zipfile(io.BytesIO(downloads[f"{name}_uk.xlsx"]()))
    make(at, KIT)
    make(at, SHEET)
    assert successes(at) == [READY["uk"]]  # the fact sheet's; the press kit, made already, is offered at once
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
    make(at, KIT)
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
    kit = at.button(key=f"{KIT}_make")
    assert kit.label == "Download the press kit (ZIP)" and kit.disabled


def test_fact_sheet_for_another_region(downloads):
    at = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}, page="exports")
    at.selectbox(key="export_sheet_en").set_value("UA-32")
    at.run()
    assert not at.exception
    assert "factsheet_UA-32_en.pdf" not in downloads
    make(at, SHEET)
    assert successes(at) == [READY["en"]]
    text = PdfReader(io.BytesIO(downloads["factsheet_UA-32_en.pdf"]())).pages[0].extract_text()
    assert "Fact sheet: Kyiv Oblast" in text


def test_empty_selection_shows_the_empty_state():
    # January 2023: within the programme's time (it starts in October 2022), no class held.
    at = run_app({"lang": "en", "from": "2023-01-01", "to": "2023-01-31"}, page="exports")
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


# ---- a file made on request waits its turn, and the page says so -------------------------------

class _Placeholder:
    """A placeholder of the page that records every message it shows (they are replaced as the
    file moves on, so the page's last state keeps none of them)."""

    def __init__(self, placeholder, shown: list[str], heard: threading.Event):
        self._placeholder, self._shown, self._heard = placeholder, shown, heard

    def _show(self, kind: str, body: str, **kwargs):
        if not self._shown or self._shown[-1] != body:
            self._shown.append(body)
        self._heard.set()
        return getattr(self._placeholder, kind)(body, **kwargs)

    def info(self, body, **kwargs):
        return self._show("info", body, **kwargs)

    def warning(self, body, **kwargs):
        return self._show("warning", body, **kwargs)

    def __getattr__(self, name):
        return getattr(self._placeholder, name)


class _Streamlit:
    """Streamlit as the export blocks call it, its placeholders recording what they show."""

    def __init__(self, shown: list[str], heard: threading.Event):
        self._shown, self._heard = shown, heard

    def empty(self):
        return _Placeholder(streamlit.empty(), self._shown, self._heard)

    def __getattr__(self, name):
        return getattr(streamlit, name)


@pytest.fixture
def busy(monkeypatch):
    """The process's export queue (one slot) with its slot taken by another visitor's file until
    `done()`; `shown` lists the messages of the page's placeholders, `heard` is set at each."""
    queue, shown, heard = ExportQueue(1), [], threading.Event()
    taken, free = threading.Event(), threading.Event()
    monkeypatch.setattr(exports, "_queue", lambda _slots: queue)
    monkeypatch.setattr(exports, "st", _Streamlit(shown, heard))

    def other_visitor() -> None:
        with queue.turn(SAFETY):
            taken.set()
            free.wait(SAFETY)

    thread = threading.Thread(target=other_visitor, daemon=True)
    thread.start()
    assert taken.wait(SAFETY)

    def done() -> None:
        free.set()
        thread.join(SAFETY)

    yield SimpleNamespace(queue=queue, shown=shown, heard=heard, done=done)
    done()


WAITING_FIRST = "Waiting for its turn: other visitors' files are being prepared first. Place in line: 1."


def test_a_file_made_on_request_waits_its_turn_and_the_page_says_so(busy, downloads):
    # The other visitor's file is done as soon as this visitor has been told the place in line.
    threading.Thread(target=lambda: busy.heard.wait(SAFETY) and busy.done(), daemon=True).start()
    at = run_app({"lang": "en"}, page="exports")
    assert not busy.shown  # nothing is made before it is asked for
    make(at, KIT)
    assert busy.shown == [WAITING_FIRST, PREPARING]
    # Made: the page says so once, the messages of the wait are gone, the file is offered.
    assert successes(at) == [READY["en"]] and not at.info and not at.warning
    assert make_buttons(at) == [f"{SHEET}_make"]
    kit = next(fn for n, fn in downloads.items() if n.startswith("press_kit_en_"))()
    assert zipfile.ZipFile(io.BytesIO(kit)).namelist()[0] == "README_en.txt"
    assert (busy.queue.running, busy.queue.waiting) == (0, 0)


def test_a_visitor_who_gets_no_turn_in_time_is_told_to_try_again(busy, downloads, monkeypatch):
    monkeypatch.setenv("DASHBOARD_EXPORT_WAIT", "1")
    at = run_app({"lang": "en"}, page="exports")
    make(at, SHEET)
    assert busy.shown == [WAITING_FIRST, BUSY] and [w.value for w in at.warning] == [BUSY]
    assert not successes(at) and "factsheet_UA_en.pdf" not in downloads
    assert f"{SHEET}_make" in make_buttons(at)  # the visitor can ask again
    assert (busy.queue.running, busy.queue.waiting) == (1, 0)  # it left the line
    busy.done()
    make(at, SHEET)
    assert successes(at) == [READY["en"]] and not at.warning
    assert busy.shown[-1] == PREPARING
    sheet = PdfReader(io.BytesIO(downloads["factsheet_UA_en.pdf"]())).pages[0].extract_text()
    assert sheet.startswith("Fact sheet: ")
