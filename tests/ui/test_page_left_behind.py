"""Who is left behind, on the Progress page (pages/progress.py, dashboard/ui/gaps.py), through AppTest in
both languages, public mode (a release of the fixture extract) and internal mode (live), and its
downloads, against gaps worked out by hand from tests/conftest.py.

k = 5 and no perturbation, so that Kyiv Oblast's groups of 8 and 9 people of 2024 are shown. Gains
of 2024 (post − pre, people rated both): A01–A10 5 each (Vinnytsia Oblast), B01–B08 1 1 1 4 4 4 4 4
(Kyiv Oblast, men), P 1 (a man, both oblasts). Nationally 74/19 = 3.8947 (sd 1.5950). Kyiv Oblast's
men (B and P): 24/9 = 2.6667 (sd 1.5811), t interval 2.6667 ± 2.3060 × 1.5811 / 3 = 1.45 – 3.88;
the gap −1.2281 ± 1.96 × √(1.5811²/9 + 1.5950²/19 − 2 × 1.5811²/19) = −1.98 .. −0.47.
A release rounds the gains and spreads to two decimals first: (2.67 − 3.89) = −1.22, ± 0.753:
−1.97 .. −0.47. Kyiv Oblast's groups of B alone (25–44, city, employed, without a disability): 23/8
= 2.875, a gap of −1.02 (−1.85 .. −0.18); men and those not displaced are B and P.
"""

from __future__ import annotations

import csv
import io

import pytest
from conftest import internal_mode, run_app
from page_tools import walk

KYIV_2024 = {"region": "UA-32", "from": "2024-01-01", "to": "2024-12-31"}
MODES = ["public", "internal"]
# The first sentence of Kyiv Oblast (men), by mode: live figures, and the release's rounded ones.
SENTENCE = {
    ("en", "internal"): "Kyiv Oblast, 2024: men raised their self-rated digital skills by 2.67 points on average "
                        "(95% CI 1.45 – 3.88), 1.23 points less than participants nationwide (3.89 points; 95% CI "
                        "of the gap 0.47 – 1.98).",
    ("en", "public"): "Kyiv Oblast, 2024: men raised their self-rated digital skills by 2.67 points on average "
                      "(95% CI 1.45 – 3.88), 1.22 points less than participants nationwide (3.89 points; 95% CI "
                      "of the gap 0.47 – 1.97).",
    ("uk", "internal"): "Київська область, 2024: чоловіки підвищили самооцінку цифрових навичок у середньому на "
                        "2,67 бала (95 % ДІ 1,45 – 3,88) — на 1,23 бала менше, ніж учасники по всій країні "
                        "(3,89 бала; 95 % ДІ розриву 0,47 – 1,98).",
    ("uk", "public"): "Київська область, 2024: чоловіки підвищили самооцінку цифрових навичок у середньому на "
                      "2,67 бала (95 % ДІ 1,45 – 3,88) — на 1,22 бала менше, ніж учасники по всій країні "
                      "(3,89 бала; 95 % ДІ розриву 0,47 – 1,97).",
}
SUMMARY = {"en": "Kyiv Oblast, 2024: 6 of 6 groups gained clearly less than participants nationwide.",
           "uk": "Київська область, 2024: 6 з 6 груп помітно менше, ніж учасники по всій країні, підвищили "
                 "самооцінку навичок."}
# The table's groups, surest gap first: B and P (men, not displaced), then B alone (in the order of
# the characteristics: age, settlement, employment, disability).
GROUPS = {"en": ["men", "not displaced", "25–44", "city", "employed", "without a disability"],
          "uk": ["чоловіки", "не ВПО", "25–44", "місто", "працюють", "без інвалідності"]}


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode, monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "5")
    return app_data


def _mode(monkeypatch, mode: str) -> None:
    if mode == "internal":
        internal_mode(monkeypatch)


def texts(at) -> list[str]:
    return [el.value.replace("\\", "") for el in walk(at.main) if el.type in ("markdown", "caption")]


def gap_table(at):
    return [el for el in walk(at.main) if el.type == "dataframe"][-1].value


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("mode", MODES)
def test_an_oblasts_link_shows_its_groups_left_behind(monkeypatch, mode, lang):
    _mode(monkeypatch, mode)
    at = run_app({"lang": lang, **KYIV_2024}, page="progress")
    assert not at.exception
    shown = texts(at)
    assert {"en": "Who is left behind", "uk": "Хто відстає"}[lang] in [s.value for s in at.subheader]
    assert at.selectbox(key=f"gaps_period_{lang}").value == "year:2024"  # the link's own period
    assert SUMMARY[lang] in shown
    assert f"- {SENTENCE[(lang, mode)]}" in "\n".join(shown).split("\n")
    table = gap_table(at)
    assert table.iloc[:, 2].tolist() == GROUPS[lang]
    assert table.iloc[:, 3].tolist() == ["9", "9", "8", "8", "8", "8"]
    gap = {"internal": "-1.23 (95% CI -1.98 – -0.47)", "public": "-1.22 (95% CI -1.97 – -0.47)"}[mode]
    if lang == "en":
        assert table.iloc[0, 6] == gap
        assert table.iloc[:, 7].tolist() == ["▼ gained less"] * 6
    # Reach needs a population base the dashboard does not hold, and says so.
    reach = {"en": "Reach (a group's share", "uk": "Охоплення (частку групи"}[lang]
    assert any(s.startswith(reach) for s in shown)


@pytest.mark.parametrize("mode", MODES)
def test_the_whole_country_ranks_the_gaps_of_every_region(monkeypatch, mode):
    _mode(monkeypatch, mode)
    at = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}, page="progress")
    assert not at.exception
    shown = texts(at)
    assert "2024: groups of a region that gained clearly less than participants nationwide: 6. " \
           "The surest gaps come first." in shown
    # Five sentences, the sixth in the table and the files; Vinnytsia Oblast's groups gained more.
    assert "Further groups behind (1) are in the table and the downloads." in shown
    table = gap_table(at)
    assert table.iloc[:, 0].tolist() == ["Kyiv Oblast"] * 6
    assert table.iloc[:, 2].tolist() == GROUPS["en"]


def test_the_period_picker_changes_the_comparison(monkeypatch):
    internal_mode(monkeypatch)
    at = run_app({"lang": "en", **KYIV_2024}, page="progress")
    at.selectbox(key="gaps_period_en").set_value("year:2025").run()
    # 2025: Kyiv Oblast's D group, 15 people, has no self-ratings at all.
    assert "Kyiv Oblast, 2025: no group has figures that can be shown (each needs at least 5 people rated " \
           "before and after training)." in texts(at)


def test_hidden_groups_are_never_listed(monkeypatch, downloads):
    """With k = 10 every group of Kyiv Oblast in 2024 (9 people at most) is hidden: none is listed,
    none is downloadable."""
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "10")
    internal_mode(monkeypatch)
    at = run_app({"lang": "en", **KYIV_2024}, page="progress")
    assert "Kyiv Oblast, 2024: no group has figures that can be shown (each needs at least 10 people rated " \
           "before and after training)." in texts(at)
    assert not [name for name in downloads if name.startswith("left_behind")]
    assert not any("raised their self-rated" in t for t in texts(at))


@pytest.mark.parametrize("mode", MODES)
def test_the_left_behind_list_downloads(monkeypatch, downloads, mode):
    _mode(monkeypatch, mode)
    run_app({"lang": "en", **KYIV_2024}, page="progress")
    assert {f"left_behind_en.{fmt}" for fmt in ("png", "svg", "csv", "xlsx")} <= set(downloads)
    lines = list(csv.reader(io.StringIO(downloads["left_behind_en.csv"]().decode("utf-8-sig"))))
    header = next(i for i, line in enumerate(lines) if line and line[0] == "ISO 3166-2")
    assert lines[0][0] == "Who is left behind: skill gains of participant groups against the national gain"
    assert lines[header][:5] == ["ISO 3166-2", "Region", "Characteristic", "Group", "People rated before and after"]
    first = dict(zip(lines[header], lines[header + 1]))
    national = {"internal": "3.89", "public": "3.89"}[mode]
    gap = {"internal": ("-1.23", "-1.98", "-0.47"), "public": ("-1.22", "-1.97", "-0.47")}[mode]
    assert (first["ISO 3166-2"], first["Group"], first["People rated before and after"]) == ("UA-32", "men", "9")
    assert first["National gain, points"] == national
    assert (first["Gap, points"], first["Gap, lower 95% bound"], first["Gap, upper 95% bound"]) == gap
    assert first["In words"] == SENTENCE[("en", mode)]
    assert len(lines) - header - 1 >= 6
    rows = lines[header + 1:header + 7]
    assert [r[3] for r in rows] == GROUPS["en"]
    notes = "\n".join(line[0] for line in lines[:header] if line)
    assert "Period: 2024." in notes and "Reach (a group's share" in notes


def test_the_filters_group_does_not_narrow_the_list_and_the_page_says_so(monkeypatch):
    internal_mode(monkeypatch)
    at = run_app({"lang": "en", **KYIV_2024, "gender": "male"}, page="progress")
    assert not at.exception
    assert gap_table(at).iloc[:, 2].tolist() == GROUPS["en"]  # every group of everyone, as without the filter
    assert "Each group is one value of one characteristic, for every participant: the participant group of " \
           "the filters does not apply to this figure." in texts(at)


def test_a_language_switch_keeps_the_comparison_working(monkeypatch):
    # The browser holds a choice as the words it shows: after a switch to English it may send back
    # "Увесь час". The picker is keyed by language, and a value it does not offer falls back to the
    # default period instead of breaking the page.
    at = run_app({"lang": "uk", **KYIV_2024}, page="progress")
    at.session_state["gaps_period_en"] = "Увесь час"
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert "Who is left behind" in [s.value for s in at.subheader]
