"""The chart builders (dashboard/charts.py): one theme, small datasets, words in every tooltip, hidden values drawn.

The frames come from the metrics and wording layers over the fixture extract (tests/conftest.py);
the figures themselves are tested in tests/metrics/ and their words in tests/wording/.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import charts
from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.metrics import network, overview, participation, skills
from dashboard.metrics.participation import CASCADE_STAGES
from dashboard.privacy import Rule
from dashboard.wording import network as network_words
from dashboard.wording import participation as participation_words
from dashboard.wording import skills as skills_words

D = dt.date
RULE = Rule(k=10, noise=2)
MAX_ROWS = 5000


def _rows(chart) -> list[int]:
    return [len(v) for v in chart.to_dict()["datasets"].values()]


def _walk_specs(spec):
    yield spec
    for layer in spec.get("layer", []):
        yield from _walk_specs(layer)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_chart_builders_share_the_theme_and_stay_small(db, lang):
    tr = Translator(lang, RULE.k)
    f = Filters("ua_hubs", D(2011, 1, 1), D(2025, 12, 31))  # fifteen years of months, the longest view
    monthly = overview.compute_monthly(db, f, RULE)
    names = {"UA-05": "x"}
    built = [
        charts.series_chart(participation_words.monthly_series(monthly, tr), tr, title="t", x_title="x",
                            y_title="y", series_title="s", bar_series=tr("participation.series_people")),
        charts.cumulative_chart(participation_words.cumulative_frame(participation.compute_cumulative(db, f, RULE), tr),
                                tr, title="t", x_title="x", y_title="y", target=100, target_text="goal",
                                target_title="g"),
        charts.ranked_bar_chart(participation_words.breakdown_bars(
            participation.compute_breakdown(db, f, RULE, "region"), "region", tr, names), tr, title="t",
            value_title="v", tooltip_title="r"),
        charts.grouped_bar_chart(skills_words.distribution_bars(skills.compute_distribution(db, f, RULE), tr), tr,
                                 title="t", x_title="x", y_title="y", group_title="g"),
        charts.interval_chart(skills_words.shares_frame(skills.compute_ratings(db, f, RULE), tr), tr, title="t",
                              x_title="x", label_title="l", group_title="g"),
        charts.funnel_chart(participation_words.ratio_frame(participation.funnel(
            participation.compute_cascade(db, f, RULE)), tr), tr, title="t", value_title="v", label_title="s"),
        charts.series_chart(network_words.network_series(network.compute_network_years(db, f), tr), tr, title="t",
                            x_title="x", y_title="y", series_title="s", yearly=True),
    ]
    assert len(monthly) == 180
    for chart in built:
        spec = chart.to_dict()
        assert spec["config"]["font"] == charts.FONT and spec["config"]["axis"]["labelLimit"] == 0
        assert spec["config"]["locale"]["number"]["decimal"] == ("," if lang == "uk" else ".")
        assert spec["title"]["text"] == "t" and spec["width"] == "container"
        assert all(n <= MAX_ROWS for n in _rows(chart))
        for part in _walk_specs(spec):  # every tooltip field has a title in words
            for tip in part.get("encoding", {}).get("tooltip", []):
                assert tip["title"].strip()


def test_suppressed_values_get_a_grey_diamond():
    tr = Translator("en", 10)
    frame = pd.DataFrame({"label": ["a", "b"], "value": pd.array([12, pd.NA], dtype="Int64"),
                          "value_text": ["12", "fewer than 10"]})
    spec = charts.ranked_bar_chart(frame, tr, value_title="People", tooltip_title="Region").to_dict()
    bars, hidden = spec["layer"]
    assert hidden["mark"]["shape"] == "diamond" and hidden["transform"] == [{"filter": "datum.hidden"}]
    assert next(iter(spec["datasets"].values()))[1]["value"] is None
    series = pd.DataFrame({"x": pd.to_datetime(["2024-01-01", "2024-02-01"]), "series": ["p", "p"],
                           "value": [5.0, None], "text": ["5", "fewer than 10"], "x_label": ["Jan", "Feb"]})
    layers = charts.series_chart(series, tr, x_title="x", y_title="y", series_title="s").to_dict()["layer"]
    assert layers[-1]["mark"]["shape"] == "diamond"
    assert layers[-1]["transform"] == [{"filter": "!isValid(datum.value)"}]


def _y_axes(spec) -> list[tuple[str, str, str]]:
    """(mark, axis title, axis side) of every layer that draws values on a y axis."""
    return [(part["mark"]["type"] if isinstance(part["mark"], dict) else part["mark"],
             part["encoding"]["y"].get("title"), part["encoding"]["y"].get("axis", {}).get("orient", "left"))
            for part in _walk_specs(spec) if "mark" in part and part["encoding"]["y"].get("field") == "value"]


def test_people_and_classes_are_read_on_axes_of_their_own():
    # People (bars) and classes (line) count different things: each is read on an axis titled with
    # its own unit, people on the left and classes on the right, on scales of their own.
    tr = Translator("en", 10)
    frame = pd.DataFrame({"x": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
                          "series": ["People", "People", "Classes", "Classes"], "value": [900.0, 40.0, 30.0, 2.0],
                          "text": ["900", "40", "30", "2"], "x_label": ["Jan", "Feb"] * 2})
    spec = charts.series_chart(frame, tr, x_title="Month", y_title="People", series_title="s",
                               bar_series="People", line_title="Classes").to_dict()
    assert spec["resolve"] == {"scale": {"y": "independent"}}
    assert sorted(_y_axes(spec)) == [("bar", "People", "left"), ("line", "Classes", "right")]
    # Without a line title the series share one axis, as bars and lines of the same unit do.
    shared = charts.series_chart(frame, tr, x_title="Month", y_title="Hubs", series_title="s",
                                 bar_series="People").to_dict()
    assert "resolve" not in shared
    assert sorted(_y_axes(shared)) == [("bar", "Hubs", "left"), ("line", "Hubs", "left")]


def test_cascade_steps_are_compared_on_one_linear_scale():
    # 117 trainers, 1,856 coordinators, 4,786 hubs, 59,732 people: on a log scale 59,732 looked
    # about twice 117. The steps are drawn as ratios on one linear scale from zero, each labelled with
    # the counts it comes from, and a dashed rule at 1 marks "as many as the stage above".
    tr = Translator("en", 10)
    frame = participation_words.ratio_frame(pd.DataFrame({
        "stage": list(CASCADE_STAGES), "value": pd.array([pd.NA, 117, 1856, 4786, 59732], dtype="Int64"),
        "ratio": pd.array([pd.NA, pd.NA, 15.86, 2.58, 12.48], dtype="Float64")}), tr)
    spec = charts.funnel_chart(frame, tr, value_title="Per one above", label_title="Step", one_text="1").to_dict()
    bars, _hidden, rule = spec["layer"][:3]
    assert bars["mark"]["type"] == "bar" and "type" not in bars["encoding"]["x"]["scale"]
    assert bars["encoding"]["x"]["scale"]["domain"][0] == 0
    assert spec["datasets"][rule["data"]["name"]] == [{"one": 1.0, "text": "1"}]
    assert rule["mark"]["strokeDash"] == [4, 3]
    data = next(v for v in spec["datasets"].values() if len(v) == 3)
    assert [round(r["value"], 2) for r in data] == [15.86, 2.58, 12.48]
    assert [r["text"] for r in data] == ["× 15.9: 1,856 from 117", "× 2.6: 4,786 from 1,856",
                                         "× 12.5: 59,732 from 4,786"]


@pytest.mark.parametrize("builder, kwargs", [
    (charts.ranked_bar_chart, {"value_title": "v"}),
    (charts.funnel_chart, {"value_title": "v", "label_title": "l"}),
])
def test_titles_are_keyword_only(builder, kwargs):
    frame = pd.DataFrame({"label": ["a"], "value": [1], "value_text": ["1"], "text": ["1"]})
    with pytest.raises(TypeError):
        builder(frame, Translator("en", 10), "a title", *kwargs.values())
