"""Language tests (AppTest): every label translated, numbers and dates per language, switching keeps the view."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from page_tools import internal_mode, shown
from conftest import HUBS, PAGES, QUARANTINE, REGIONS, labels, run_app, visible_texts

from dashboard.i18n import Translator

CYRILLIC = re.compile("[\u0400-\u04ff]")
# Words that are the same in both languages by design: the language switch's own options.
NEUTRAL = {"uk", "en"}
# Names that come from the data, not from the catalogues (shown as delivered).
DATA_NAMES = {h[2] for h in HUBS} | {q[4] for q in QUARANTINE} | {r[2] for r in REGIONS}
VIEWS = [{}, {"from": "2024-01-01", "to": "2024-12-31"}, {"programme": "kem"}]


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode):
    return app_data


def _params(view: dict, lang: str) -> dict:
    params = dict(view, lang=lang)
    if params.get("programme") == "kem":
        params["programme"] = Translator(lang)("programme.kem_centres")
    return params


@pytest.mark.parametrize("view", VIEWS, ids=["default", "2024", "other programme"])
@pytest.mark.parametrize("page", list(PAGES))
def test_switching_language_changes_every_label(page, view):
    uk = run_app(_params(view, "uk"), page=page)
    en = run_app(_params(view, "en"), page=page)
    assert not uk.exception and not en.exception
    uk_labels, en_labels = labels(uk), labels(en)
    assert len(uk_labels) == len(en_labels) > 5
    same = [(a, b) for a, b in zip(uk_labels, en_labels) if a == b and a not in NEUTRAL]
    assert same == [], "labels left untranslated"


@pytest.mark.parametrize("view", VIEWS, ids=["default", "2024", "other programme"])
@pytest.mark.parametrize("page", list(PAGES))
def test_english_pages_have_no_ukrainian_words(page, view):
    at = run_app(_params(view, "en"), page=page)
    stray = [t for t in visible_texts(at) if CYRILLIC.search(t) and t not in DATA_NAMES]
    assert stray == []


def test_ukrainian_page_is_in_ukrainian():
    at = run_app({"lang": "uk"})
    latin_words = re.compile(r"\b[A-Za-z]{4,}\b")
    texts = [t for t in labels(at) if t not in NEUTRAL]
    assert [t for t in texts if latin_words.search(t)] == []


@pytest.mark.parametrize("lang, period, library_share, skills, rows_read", [
    # All time: library hubs H1, H2, H5 of 150 public libraries = 2.0%; rating 7–10 before 0 of 26,
    # after 21 of 24 = 87.5% (+87.5 pp); participants_2024.csv had 25,391 rows.
    ("uk", "1 жовтня 2022 р. – 30 червня 2025 р.", ("Публічні бібліотеки, що є хабами", "2,0 %"),
     ("Оцінюють навички на 7–10: до → після", "0,0 % → 87,5 %", "+87,5 в. п."), ("Рядків прочитано", "25 391")),
    ("en", "1 October 2022 – 30 June 2025", ("Public libraries serving as hubs", "2.0%"),
     ("Rating their skills 7–10: before → after", "0.0% → 87.5%", "+87.5 pp"), ("Rows read", "25,391")),
])
def test_numbers_and_dates_follow_the_language(monkeypatch, lang, period, library_share, skills, rows_read):
    def plain(text):
        return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\\", "")

    # Signed-in staff see exact live figures (a published release hides a 0, like the 0 of 26 above).
    internal_mode(monkeypatch)
    at = run_app({"lang": lang})
    assert period in plain(at.caption[0].value)
    cards = {m.label: (plain(m.value), plain(m.delta or "")) for m in at.metric}
    assert cards[library_share[0]][0] == library_share[1]
    assert cards[skills[0]] == skills[1:]
    quality = run_app({"lang": lang}, page="data_quality")
    column, big = rows_read
    assert big in [plain(v) for v in shown(quality.dataframe[0])[column]]  # the numbers as the table shows them


def test_language_switch_keeps_the_view():
    view = {"from": "2024-01-01", "to": "2024-12-31", "region": "Вінницька область", "gender": "жінки"}
    at = run_app(view)
    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    assert at.multiselect(key="region").value == ["UA-05"]
    assert at.multiselect(key="gender").value == ["female"]
    assert at.date_input(key="from").value == dt.date(2024, 1, 1)
    fresh = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31",
                     "region": "Vinnytsia Oblast", "gender": "women"})
    assert [(m.label, m.value) for m in at.metric] == [(m.label, m.value) for m in fresh.metric]
    assert at.metric[0].label == "Active hubs"
