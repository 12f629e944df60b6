"""Export registry tests: the View of an extract, each registered figure's table against hand
counts of the fixture (hand_counts.py), suppression with the rule's k, the notes, and the key
figures written in the same words as the Overview's cards."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from conftest import build_clean, internal_mode, run_app
from export_readers import EXACT, MEN, VINNYTSIA, csv_table, view
from hand_counts import FEWER, MEN_TABLES, VINNYTSIA_TABLES

from dashboard import filters, privacy
from dashboard.export import files, overview, registry
from dashboard.export.view import View
from dashboard.i18n import Translator
from dashboard.metrics import overview as overview_metrics
from dashboard.metrics.live import Live
from dashboard.privacy import Rule
from dashboard.query import annotations, reference
from dashboard.store.database import Database
from dashboard.wording.overview import kpi_card

D = dt.date
TABLES = {"vinnytsia": (VINNYTSIA, VINNYTSIA_TABLES), "men": (MEN, MEN_TABLES)}


@pytest.fixture
def src(db):
    """The fixture extract as a live source with exact figures (the hand counts' rule)."""
    return Live(db, EXACT)


# ---- the View ------------------------------------------------------------------------------

def test_view_of_the_extract(src):
    v = registry.make_view(src, VINNYTSIA, "en")
    assert isinstance(v, View) and v.filters == VINNYTSIA and v.lang == "en" and v.rule == EXACT
    assert v.data_date == D(2025, 6, 30)  # report.json's data date
    # Region names in the view's language, from the extract's regions table (every country).
    assert dict(v.region_names) == {"UA-05": "Vinnytsia Oblast", "UA-32": "Kyiv Oblast", "UA-30": "Kyiv",
                                    "UA-46": "Lviv Oblast", "RU-KEM": "Kemerovo Oblast"}
    assert registry.make_view(src, VINNYTSIA, "uk").region_names["UA-05"] == "Вінницька область"
    assert v.tr.lang == "en" and v.tr.k == 10
    assert registry.make_view(src, VINNYTSIA, "xx").lang == "uk"  # an unknown language: Ukrainian


def test_region_names_come_from_the_extract(tmp_path):
    """A region renamed in the extract's regions table is named so in every file (no list of our own)."""
    folder = build_clean(tmp_path / "renamed")
    regions = pd.read_parquet(folder / "regions.parquet")
    regions.loc[regions["region_code"] == "UA-05", ["name_uk", "name_en"]] = ["Вінниччина", "Vinnytsia Region"]
    regions.to_parquet(folder / "regions.parquet", index=False)
    database = Database(folder)
    renamed = Live(database, EXACT)
    try:
        v = view(renamed, VINNYTSIA, "en")
        assert "Vinnytsia Region" in registry.subtitle(v)
        for name in ("people_by_region", "region_map"):
            table = registry.build(name, renamed, v).table
            assert table.loc[table["ISO 3166-2"] == "UA-05", "Region"].tolist() == ["Vinnytsia Region"]
        assert "Вінниччина" in registry.subtitle(view(renamed, VINNYTSIA, "uk"))
    finally:
        database.close()


def test_subtitle_and_source_state_the_filters_and_the_date(src):
    v = view(src, VINNYTSIA, "en")
    assert registry.scope_parts(v)[0] == Translator("en")("programme.ua_hubs")
    assert "Vinnytsia Oblast" in registry.subtitle(v) and "women" in registry.subtitle(v)
    assert "30 June 2025" in registry.source_line(v)
    everyone = view(src, replace(VINNYTSIA, regions=(), age_band=(), gender=()), "en")
    parts = registry.scope_parts(everyone)
    assert parts[2:] == [Translator("en")("export.all_regions"), Translator("en")("export.all_people")]


# ---- each figure's table, counted by hand ----------------------------------------------------

def test_every_registered_figure_is_counted_by_hand():
    assert list(VINNYTSIA_TABLES) == list(MEN_TABLES) == list(registry.FIGURES)


@pytest.mark.parametrize("which", list(TABLES))
@pytest.mark.parametrize("name", list(registry.FIGURES))
def test_figure_table_equals_the_hand_count(src, name, which):
    f, tables = TABLES[which]
    export = registry.build(name, src, view(src, f, "en"))
    columns, expected = tables[name]
    assert list(export.table.columns) == columns
    rows = export.table.astype(object).where(export.table.notna(), None).values.tolist()
    assert rows == expected  # test_export_files.py reads the same cells back from the CSV and XLSX


def test_hidden_people_hide_their_shares(src):
    table = registry.build("key_figures", src, view(src, MEN, "en")).table.set_index("Indicator")
    for row in ("People trained", "Classes and consultations"):
        assert table.loc[row, "Previous period"] == FEWER  # P's one class of December 2023
    assert table.loc["People trained", "Value"] == FEWER
    assert table.loc["People trained", "Change"] is None  # no change is written from a hidden count
    assert table.loc["Rating their skills 7–10 after training", "Value"] is None


def test_fewer_than_names_the_rule_k(db):
    """With k = 5 the 9 men of 2024 are shown; P alone (UA-05) reads "fewer than 5", in the words
    and the notes of the files alike, and has no rate (9 of Kyiv Oblast's 1,780,000 residents are
    0.05 per 10,000, written as 0.1)."""
    src = Live(db, Rule(k=5, noise=0))
    v = view(src, MEN, "en")
    assert v.tr.k == 5
    export = registry.build("region_map", src, v)
    assert export.table.values.tolist() == [["UA-05", "Vinnytsia Oblast", "fewer than 5", None],
                                            ["UA-30", "Kyiv", 0, 0.0], ["UA-32", "Kyiv Oblast", 9, 0.1],
                                            ["UA-46", "Lviv Oblast", 0, 0.0]]
    assert any(n.startswith("“fewer than 5”: a count of 1 to 4 people") for n in export.notes)
    key = registry.build("key_figures", src, v).table.set_index("Indicator")
    assert key.loc["People trained", ["Value", "Previous period", "Change"]].tolist() == [9, "fewer than 5", None]


def test_notes_of_suppression_perturbation_and_previous_period(db, src, monkeypatch, tmp_path):
    no_events = tmp_path / "events.csv"  # the period's events have notes of their own (test_export_annotations.py)
    no_events.write_text("programme,start,end,kind,label_uk,label_en,source\n", encoding="utf-8")
    monkeypatch.setattr(annotations, "EVENTS_FILE", no_events)
    exact = registry.build("key_figures", src, view(src, VINNYTSIA, "en")).notes
    assert exact[0] == ("Previous period: 31 December 2022 – 31 December 2023 (same length). "
                        "Changes of shares are in percentage points.")
    assert not any("fewer than" in n or "differ from the exact" in n for n in exact)  # nothing hidden, no noise
    perturbed = Live(db, Rule(k=10, noise=2))
    noisy = registry.build("key_figures", perturbed, view(perturbed, VINNYTSIA, "en")).notes
    assert "Counts of people may differ from the exact ones by up to 2 (protection against differencing)." in noisy
    hidden = registry.build("participation_trend", src, view(src, MEN, "en")).notes
    assert hidden == ("Months with fewer than 10 people are marked with a grey diamond on the baseline.",
                      "“fewer than 10”: a count of 1 to 9 people is not shown, to protect privacy; "
                      "shares built on it are left empty.")
    outlined = registry.build("region_map", src, view(src, VINNYTSIA, "en")).notes
    assert outlined == ("Outlined: the regions of the selection. The map shows every region, whatever the "
                        "region filter.",)


# ---- the key figures and the Overview's cards: one figure, the same words -------------------

def _cards(db, f, rule: Rule, tr: Translator) -> dict[str, tuple]:
    """The Overview's cards of a view, as the page builds them (dashboard/ui/overview.py):
    {indicator key: (label, value, change, note, help)}."""
    spans, _phases, _countries = filters.spans_by_programme(reference.load_programme_spans(db))
    first, last = spans[f.programme]
    data_start = filters.default_period(first, last, D(2025, 6, 30))[0]
    current = overview_metrics.compute_counts(db, f, rule)
    previous = overview_metrics.compute_counts(db, f.previous(), rule) \
        if overview_metrics.has_previous(f, data_start) else None
    return {k.kpi: kpi_card(k, tr) for k in overview_metrics.compute_kpis(current, previous).itertuples(index=False)}


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("which", list(TABLES))
def test_key_figures_file_and_overview_cards_write_the_same_figure(db, src, which, lang):
    """Both write a figure with wording.overview.kpi_text: the key-figures file's cells and its
    image hold each card's label, value and change, for the same view."""
    f, _tables = TABLES[which]
    v = view(src, f, lang)
    tr = v.tr
    export = registry.build("key_figures", src, v)
    rows = {r["key"]: r for r in overview.kpi_rows(export.frame)}
    table = export.table.set_index(tr("export.col_indicator"))
    cards = _cards(db, f, EXACT, tr)
    assert set(cards) == set(overview_metrics.KPI_CARDS)
    for key, (label, value, change, _note, _help) in cards.items():
        if key == overview_metrics.BEFORE_AFTER:
            before, after = (overview.kpi_texts(rows[k], tr)[0] for k in ("share_before", "share_after"))
            assert value == tr("kpi.skills_value", before=before, after=after)
            continue
        drawn, _previous, drawn_change = overview.kpi_texts(rows[key], tr)
        assert overview.kpi_label(key, tr) == label and label in table.index
        assert drawn == value  # the image's cell is the card's value, character for character
        assert drawn_change == (change or "—")
        cell = table.loc[label, tr("export.col_value")]
        if rows[key]["kind"] == "people":
            assert str(cell) == value  # "12" or "fewer than 10": the same text
    # The example the brief gives: the people trained, in the CSV and on the card.
    people = csv_table(files.csv_bytes(export)).set_index(tr("export.col_indicator"))
    assert people.loc[cards["people"][0], tr("export.col_value")] == cards["people"][1]
    expected = {"vinnytsia": "12", "men": tr.fewer_than()}[which]
    assert cards["people"][1] == expected


def test_overview_page_cards_equal_the_key_figures_file(db, app_data, navigation_mode, monkeypatch):
    """The Overview page (AppTest, internal mode: live figures of any link) and the key-figures CSV
    of the same link show the same values (tests/ui/test_public_release.py does it for a release)."""
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "10")
    internal_mode(monkeypatch)
    rule = Rule(k=10, noise=0)  # signed-in staff see exact figures
    links = [({"lang": "en", "from": "2024-01-01", "to": "2024-12-31", "region": "Vinnytsia Oblast",
               "age": ["60–69", "70+"], "gender": "women"}, VINNYTSIA),
             ({"lang": "en", "from": "2024-01-01", "to": "2024-12-31", "gender": "men"}, MEN)]
    for params, f in links:
        at = run_app(params)
        assert not at.exception
        shown = {m.label: m.value for m in at.metric}
        src = Live(db, rule)
        table = csv_table(files.csv_bytes(registry.build("key_figures", src, view(src, f, "en"))))
        rows = table.set_index("Indicator")
        compared = 0
        for label, value in shown.items():
            if label in rows.index:
                cell, unit = rows.loc[label, ["Value", "Unit"]]
                assert value == cell + unit, (label, value, cell)
                compared += 1
        assert compared == len(overview_metrics.KPI_CARDS) - 1  # every card but before → after
        before, after = (rows.loc[f"Rating their skills 7–10 {w} training", "Value"] for w in ("before", "after"))
        tr = Translator("en", 10)
        assert shown[tr("kpi.skills")] == tr("kpi.skills_value", before=f"{before}%" if before else "—",
                                             after=f"{after}%" if after else "—")
        if f is VINNYTSIA:
            assert shown["People trained"] == rows.loc["People trained", "Value"]
        else:
            assert shown["People trained"] == rows.loc["People trained", "Value"] == "fewer than 10"
