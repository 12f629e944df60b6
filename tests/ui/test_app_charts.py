"""Tests of the trend chart through its Vega-Lite spec (theme, locale, fields) and of its text alternative
(dashboard.charts.trend_chart, dashboard.wording.overview.trend_frame / trend_summary / trend_table)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import charts
from dashboard.i18n import Translator
from dashboard.wording import overview as wording

MONTHLY = pd.DataFrame({
    "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
    "people": pd.array([0, pd.NA, 1250], dtype="Int64"),
    "activities": pd.array([0, pd.NA, 3100], dtype="Int64"),
})
# "fewer than k" is written with the Translator's k: the pages' k of 10.
UK, EN = Translator("uk", 10), Translator("en", 10)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_trend_chart_spec(lang):
    tr = Translator(lang, 10)
    spec = charts.trend_chart(wording.trend_frame(MONTHLY, tr), tr).to_dict()
    config = spec["config"]
    assert config["font"] == charts.FONT and "DejaVu Sans" in config["font"]
    assert config["axis"]["labelLimit"] == 0
    assert config["range"]["category"] == list(charts.PALETTE)
    bars, hidden = spec["layer"]
    assert bars["mark"]["type"] == "bar" and hidden["mark"]["type"] == "point"
    assert bars["encoding"]["y"]["title"] == tr("chart.trend_y")
    assert [t["title"] for t in bars["encoding"]["tooltip"]] == [tr("col.month"), tr("col.people")]
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 3
    assert rows[1]["people"] is None and rows[1]["hidden"] is True  # suppressed: no bar, a mark


def test_locale_is_the_language_with_nominative_months():
    uk = charts.trend_chart(wording.trend_frame(MONTHLY, UK), UK).to_dict()["config"]["locale"]
    assert uk["number"]["decimal"] == "," and uk["number"]["thousands"] == "\u00a0"
    assert uk["time"]["months"][10] == "листопад"  # not the genitive "листопада"
    en = charts.trend_chart(wording.trend_frame(MONTHLY, EN), EN).to_dict()["config"]["locale"]
    assert en["number"]["thousands"] == "," and en["time"]["months"][10] == "November"


def test_text_alternative():
    summary = wording.trend_summary(MONTHLY, EN)
    assert summary.startswith("Most people learned in March 2024: 1,250.")
    assert "fewer than 10" in summary
    table = wording.trend_table(MONTHLY, EN)
    assert table.values.tolist() == [["January 2024", "0", "0"], ["February 2024", "fewer than 10", "fewer than 10"],
                                     ["March 2024", "1,250", "3,100"]]
    uk = wording.trend_table(MONTHLY, UK)
    assert list(uk.columns) == ["Місяць", "Осіб", "Занять і консультацій"]
    assert uk.iloc[2, 1] == "1\u00a0250"


def test_summary_when_every_month_is_hidden_or_empty():
    empty = MONTHLY.assign(people=pd.array([0, pd.NA, 0], dtype="Int64"))
    assert wording.trend_summary(empty, EN).startswith("No month has a count")


def test_theme_is_registered_for_exports():
    import altair as alt

    assert charts.THEME_NAME in alt.theme.names()
