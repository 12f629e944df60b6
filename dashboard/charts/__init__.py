"""Chart layer: pure chart builders (small frame in, chart out) on the shared theme of
`dashboard.charts.theme`; annotations (events, reference values) in `dashboard.charts.annotations`."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from dashboard.charts.annotations import REFERENCE_ROW, event_layers, reference_layers, room_above
from dashboard.charts.theme import (CHART_HEIGHT, FONT, FRAME_HEIGHT, INK, MUTED, PALETTE, THEME, THEME_NAME,
                                    themed, vega_locale)
from dashboard.i18n import Translator

# Names other layers read from `dashboard.charts` (the theme's colours and fonts, the annotations).
__all__ = ["CHART_HEIGHT", "FONT", "FRAME_HEIGHT", "INK", "MUTED", "PALETTE", "REFERENCE_ROW", "THEME", "THEME_NAME",
           "event_layers", "reference_layers", "room_above", "themed", "vega_locale"]

def trend_chart(trend: pd.DataFrame, tr: Translator, *, events: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    """Bars of people learning per month; a suppressed month gets a grey mark on the baseline.

    `trend` is wording.overview.trend_frame: month, people (missing = suppressed), month_label
    and people_label (the tooltip's words). `events` (wording.annotations.event_frame) are drawn
    over the months: see event_layers.
    """
    data = trend.copy()
    data["people"] = pd.to_numeric(data["people"], errors="coerce").astype("float64")
    data["hidden"] = data["people"].isna()
    data["baseline"] = 0.0
    data = data[["month", "people", "hidden", "baseline", "month_label", "people_label"]]
    x = alt.X("yearmonth(month):T", title=tr("chart.trend_x"),
              axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap="greedy", labelSeparation=8))
    tooltip = [alt.Tooltip("month_label:N", title=tr("col.month")),
               alt.Tooltip("people_label:N", title=tr("col.people"))]
    marked = event_layers(events, tr, data["month"], tr("chart.trend_x"))
    base = alt.Chart(data)
    bars = base.mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2).encode(
        x=x, y=alt.Y("people:Q", title=tr("chart.trend_y"), axis=alt.Axis(format=",d", tickMinStep=1),
                     scale=room_above(data["people"].max(), marked.top_px)),
        tooltip=tooltip,
    )
    hidden = base.transform_filter("datum.hidden").mark_point(
        shape="diamond", size=45, filled=True, color=MUTED, opacity=0.8,
    ).encode(x=x, y="baseline:Q", tooltip=tooltip)
    chart = alt.layer(*marked.behind, bars, hidden, *marked.front).properties(width="container", height=CHART_HEIGHT)
    return themed(chart, tr)


# ---- annotations: dated events over months, a reference value beside estimates -------------


# Each takes a small frame with display labels already in the chart's language (see
# dashboard/wording/) and returns a themed chart; `title` is drawn above the chart.

ROW_HEIGHT = 24  # pixels per bar of a horizontal chart: Cyrillic labels stay readable
BAND = 18  # pixels of one band in a chart of intervals


def _titled(chart: alt.TopLevelMixin, title: str | None, tr: Translator, height: int = CHART_HEIGHT) -> alt.TopLevelMixin:
    props = {"width": "container", "height": height}
    if title:
        props["title"] = alt.Title(title)
    return themed(chart.properties(**props), tr)


def _frame_height(rows: int, title: str | None, legend: bool = False) -> int:
    return max(rows, 40) + FRAME_HEIGHT + (24 if title else 0) + (28 if legend else 0)


def _number_format(percent: bool) -> str:
    return ".0%" if percent else ",.1~f"


def ranked_bar_chart(frame: pd.DataFrame, tr: Translator, *, title: str | None = None, value_title: str,
                     tooltip_title: str | None = None, percent: bool = False) -> alt.TopLevelMixin:
    """Horizontal bars in the frame's order: columns `label`, `value` (missing = suppressed, drawn as
    a grey diamond at zero) and `value_text` (what the tooltip says, e.g. "fewer than 10")."""
    data = frame[["label", "value", "value_text"]].copy()
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype("float64")
    data["hidden"], data["baseline"] = data["value"].isna(), 0.0
    y = alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=0))
    tooltip = [alt.Tooltip("label:N", title=tooltip_title or value_title),
               alt.Tooltip("value_text:N", title=value_title)]
    base = alt.Chart(data)
    bars = base.mark_bar(cornerRadiusTopRight=2, cornerRadiusBottomRight=2).encode(
        y=y, x=alt.X("value:Q", title=value_title,
                     axis=alt.Axis(format=_number_format(percent), tickCount=5, labelOverlap="greedy")),
        tooltip=tooltip)
    hidden = base.transform_filter("datum.hidden").mark_point(
        shape="diamond", size=45, filled=True, color=MUTED).encode(y=y, x="baseline:Q", tooltip=tooltip)
    return _titled(alt.layer(bars, hidden), title, tr, _frame_height(ROW_HEIGHT * len(data), title))


def grouped_bar_chart(frame: pd.DataFrame, tr: Translator, *, title: str | None = None, x_title: str, y_title: str,
                      group_title: str, percent: bool = True) -> alt.TopLevelMixin:
    """Vertical bars side by side: columns `x` (category label, in order), `group` (label, in order;
    named `group_title` in tooltips), `value` (missing = suppressed: a grey diamond on the baseline)
    and `value_text`."""
    data = frame[["x", "group", "value", "value_text"]].copy()
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype("float64")
    groups = list(dict.fromkeys(data["group"]))
    colour = alt.Color("group:N", title=group_title, sort=groups,
                       scale=alt.Scale(domain=groups, range=list(PALETTE[:len(groups)])),
                       legend=alt.Legend(orient="top"))
    data["baseline"] = 0.0
    x = alt.X("x:N", sort=list(dict.fromkeys(data["x"])), title=x_title, axis=alt.Axis(labelAngle=0))
    offset = alt.XOffset("group:N", sort=groups)
    tooltip = [alt.Tooltip("group:N", title=group_title), alt.Tooltip("x:N", title=x_title),
               alt.Tooltip("value_text:N", title=y_title)]
    bars = alt.Chart(data).mark_bar().encode(
        x=x, xOffset=offset, y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=_number_format(percent))),
        color=colour, tooltip=tooltip)
    hidden = alt.Chart(data).transform_filter("!isValid(datum.value)").mark_point(
        shape="diamond", size=45, filled=True, color=MUTED, opacity=0.8).encode(
        x=x, xOffset=offset, y="baseline:Q", tooltip=tooltip)
    return _titled(alt.layer(bars, hidden), title, tr)


def interval_chart(frame: pd.DataFrame, tr: Translator, *, title: str | None = None, x_title: str, label_title: str,
                   group_title: str, percent: bool = True, reference: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    """Estimates with their 95% intervals, one band per `label` (in order) and one dot per `group`:
    columns label, group, estimate, lo, hi (missing = hidden) and `text` (the tooltip's words);
    `label_title` and `group_title` name those columns in tooltips. A `reference`
    (wording.annotations.survey_frame: value, label, text, source) is a dashed rule across the
    bands with its label in a row of its own above them."""
    data = frame[["label", "group", "estimate", "lo", "hi", "text"]].copy()
    for column in ("estimate", "lo", "hi"):
        data[column] = pd.to_numeric(data[column], errors="coerce").astype("float64")
    labels, groups = list(dict.fromkeys(data["label"])), list(dict.fromkeys(data["group"]))
    referenced = reference is not None and not reference.empty
    rows_drawn = [REFERENCE_ROW, *labels] if referenced else labels
    rows_scale = alt.Scale(domain=rows_drawn) if referenced else alt.Undefined
    # The reference's row is left without a tick or a label.
    axis = alt.Axis(labelLimit=0, values=labels) if referenced else alt.Axis(labelLimit=0)
    y = alt.Y("label:N", sort=labels, title=None, axis=axis, scale=rows_scale)
    offset = alt.YOffset("group:N", sort=groups)
    colour = alt.Color("group:N", title=group_title, sort=groups,
                       scale=alt.Scale(domain=groups, range=list(PALETTE[:len(groups)])),
                       legend=alt.Legend(orient="top", title=None) if len(groups) > 1 else None)
    tooltip = [alt.Tooltip("label:N", title=label_title), alt.Tooltip("group:N", title=group_title),
               alt.Tooltip("text:N", title=x_title)]
    base = alt.Chart(data).transform_filter("isValid(datum.estimate)")
    # Shares on their whole range, 0–100%, so a gap looks as large as it is; means zoom in.
    scale = alt.Scale(domain=[0, 1]) if percent else alt.Scale(zero=False, nice=True)
    x = alt.X("estimate:Q", title=x_title, scale=scale,
              axis=alt.Axis(format=".0%" if percent else ",.2~f", tickCount=8))
    rules = base.mark_rule(strokeWidth=2).encode(y=y, yOffset=offset, x=alt.X("lo:Q", scale=scale), x2="hi:Q",
                                                  color=colour, tooltip=tooltip)
    dots = base.mark_point(filled=True, size=60, opacity=1).encode(y=y, yOffset=offset, x=x, color=colour,
                                                                    tooltip=tooltip)
    layers = [rules, dots]
    if referenced:
        layers += reference_layers(reference, tr, rows_scale, axis, scale)
    rows = len(rows_drawn) * max(len(groups), 1) * BAND + 12
    return _titled(alt.layer(*layers), title, tr, _frame_height(rows, title, legend=len(groups) > 1))


def funnel_chart(frame: pd.DataFrame, tr: Translator, *, title: str | None = None, value_title: str,
                 label_title: str, one_text: str = "") -> alt.TopLevelMixin:
    """The training cascade as steps, each read on one linear scale: how many of a stage there are
    for one of the stage above (coordinators per trainer, hubs per coordinator, people per hub).
    Columns `label` (the step, top first), `value` (the ratio; missing = hidden: a grey diamond at
    zero) and `text` (bar label and tooltip: the ratio with the two counts it comes from). A dashed
    rule marks 1, as many as the stage above, labelled `one_text`: a bar short of it thins out."""
    data = frame[["label", "value", "text"]].copy()
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype("float64")
    data["baseline"] = 0.0
    y = alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=0))
    top = max(float(data["value"].max()) if data["value"].notna().any() else 1.0, 1.0)
    # Room on the right for the label of the longest bar.
    scale = alt.Scale(domain=[0, top * 1.6], nice=False)
    tooltip = [alt.Tooltip("label:N", title=label_title), alt.Tooltip("text:N", title=value_title)]
    base = alt.Chart(data)
    x = alt.X("value:Q", title=value_title, scale=scale, axis=alt.Axis(format=",.1~f", tickCount=6))
    bars = base.transform_filter("isValid(datum.value)").mark_bar(
        cornerRadiusTopRight=2, cornerRadiusBottomRight=2).encode(y=y, x=x, tooltip=tooltip)
    hidden = base.transform_filter("!isValid(datum.value)").mark_point(
        shape="diamond", size=45, filled=True, color=MUTED).encode(y=y, x=alt.X("baseline:Q", scale=scale),
                                                                    tooltip=tooltip)
    labels = base.mark_text(align="left", dx=4, color=INK, font=FONT).encode(
        y=y, x=alt.X("label_x:Q", scale=scale), text="text:N",
    ).transform_calculate(label_x="isValid(datum.value) ? datum.value : 0")
    one = alt.Chart(pd.DataFrame({"one": [1.0], "text": [one_text]}))
    rule = one.mark_rule(color=INK, strokeDash=[4, 3]).encode(x=alt.X("one:Q", scale=scale),
                                                              tooltip=[alt.Tooltip("text:N", title=value_title)])
    layers = [bars, hidden, rule, labels]
    if one_text:
        layers.append(one.mark_text(align="left", baseline="bottom", dx=3, dy=-2, color=MUTED, font=FONT,
                                    fontSize=11).encode(x=alt.X("one:Q", scale=scale), y=alt.value(0), text="text:N"))
    return _titled(alt.layer(*layers), title, tr, _frame_height(int(ROW_HEIGHT * 1.6 * len(data)) + 16, title))


def series_chart(frame: pd.DataFrame, tr: Translator, *, title: str | None = None, x_title: str, y_title: str,
                 series_title: str, bar_series: str | None = None, line_title: str | None = None,
                 yearly: bool = False, events: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    """Series over time with a legend: columns `x` (first day of the month, or of the year when
    `yearly`), `x_label` (its words), `series` (label, in order), `value` and `text` (tooltip). The
    series named `bar_series` is drawn as bars, the others as lines with points. A missing value is
    a suppressed one: a gap with a grey diamond on the baseline (leave out rows that do not apply).
    With a `line_title` the lines count something else than the bars (classes beside people): they
    get an axis of their own on the right, so titled, and the bars' axis on the left is `y_title`.
    `events` are drawn over a monthly chart (event_layers), not over a yearly one."""
    data = frame[["x", "series", "value", "text", "x_label"]].copy()
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype("float64")
    data["baseline"] = 0.0
    series = list(dict.fromkeys(data["series"]))
    colour = alt.Color("series:N", title=series_title, sort=series, legend=alt.Legend(orient="top", title=None),
                       scale=alt.Scale(domain=series, range=list(PALETTE[:len(series)])))
    if yearly:  # one band per year: a year's bar and its points share the band's centre
        x = alt.X("x_label:O", title=x_title, sort=list(dict.fromkeys(data["x_label"])), axis=alt.Axis(labelAngle=0))
    else:
        x = alt.X("yearmonth(x):T", title=x_title,
                  axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap="greedy", labelSeparation=8))
    marked = event_layers(None if yearly else events, tr, data["x"], x_title)
    tooltip = [alt.Tooltip("x_label:N", title=x_title), alt.Tooltip("series:N", title=series_title),
               alt.Tooltip("text:N", title=y_title)]
    two_axes = bar_series is not None and line_title is not None
    is_bar = data["series"] == bar_series

    def y_of(values: pd.Series, title: str, orient: str = "left") -> alt.Y:
        return alt.Y("value:Q", title=title, axis=alt.Axis(format=",d", tickMinStep=1, orient=orient),
                     scale=room_above(values.max(), marked.top_px))

    def diamonds(rows: str | None) -> alt.Chart:
        hidden = alt.Chart(data).transform_filter("!isValid(datum.value)")
        if rows is not None:
            hidden = hidden.transform_filter(rows)
        return hidden.mark_point(shape="diamond", size=45, filled=True, color=MUTED, opacity=0.8).encode(
            x=x, y="baseline:Q", tooltip=tooltip)

    base = alt.Chart(data).transform_filter("isValid(datum.value)")
    lines = base.transform_filter(alt.datum.series != bar_series) if bar_series is not None else base
    if two_axes:
        bar_y = y_of(data["value"][is_bar], y_title)
        line_y = y_of(data["value"][~is_bar], line_title, orient="right")
        line_tooltip = [*tooltip[:2], alt.Tooltip("text:N", title=line_title)]
        left = alt.layer(*marked.behind, base.transform_filter(alt.datum.series == bar_series).mark_bar(
            opacity=0.55).encode(x=x, y=bar_y, color=colour, tooltip=tooltip),
            diamonds(f"datum.series === {_js(bar_series)}"), *marked.front)
        right = alt.layer(lines.mark_line(point=True).encode(x=x, y=line_y, color=colour, tooltip=line_tooltip),
                          diamonds(f"datum.series !== {_js(bar_series)}"))
        return _titled(alt.layer(left, right).resolve_scale(y="independent"), title, tr)
    y = y_of(data["value"], y_title)
    layers = []
    if bar_series is not None:
        layers.append(base.transform_filter(alt.datum.series == bar_series).mark_bar(opacity=0.55).encode(
            x=x, y=y, color=colour, tooltip=tooltip))
    layers.append(lines.mark_line(point=True).encode(x=x, y=y, color=colour, tooltip=tooltip))
    layers.append(diamonds(None))
    return _titled(alt.layer(*marked.behind, *layers, *marked.front), title, tr)


def _js(text: str) -> str:
    """A string as a literal of a Vega expression."""
    return json.dumps(text, ensure_ascii=False)


def cumulative_chart(frame: pd.DataFrame, tr: Translator, *, title: str | None = None, x_title: str, y_title: str,
                     target: float | None = None, target_text: str = "", target_title: str = "",
                     events: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    """A running total by month as an area, with an optional target as a dashed rule: columns
    `month`, `value` (missing = suppressed: a gap with a grey diamond on the baseline),
    `month_label` and `text`; `events` drawn over the months (event_layers)."""
    data = frame[["month", "value", "month_label", "text"]].copy()
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype("float64")
    x = alt.X("yearmonth(month):T", title=None,
              axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap="greedy", labelSeparation=8))
    marked = event_layers(events, tr, data["month"], None)
    goal = float(target) if target is not None and not pd.isna(target) else 0.0
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(format=",d", tickMinStep=1),
              scale=room_above(pd.Series([data["value"].max(), goal]).max(), marked.top_px))
    tooltip = [alt.Tooltip("month_label:N", title=x_title), alt.Tooltip("text:N", title=y_title)]
    data["baseline"] = 0.0
    area = alt.Chart(data).mark_area(line={"color": PALETTE[0]}, color=PALETTE[0], opacity=0.25).encode(
        x=x, y=y, tooltip=tooltip)
    hidden = alt.Chart(data).transform_filter("!isValid(datum.value)").mark_point(
        shape="diamond", size=45, filled=True, color=MUTED, opacity=0.8).encode(x=x, y="baseline:Q", tooltip=tooltip)
    layers = [area, hidden]
    if target is not None and not pd.isna(target):
        goal = pd.DataFrame({"target": [float(target)], "text": [target_text]})
        rule = alt.Chart(goal).mark_rule(color=PALETTE[5], strokeDash=[6, 4], strokeWidth=2).encode(
            y="target:Q", tooltip=[alt.Tooltip("text:N", title=target_title or y_title)])
        label = alt.Chart(goal).mark_text(align="left", baseline="bottom", dx=4, dy=-4, color=PALETTE[5],
                                          font=FONT).encode(y="target:Q", x=alt.value(0), text="text:N")
        layers += [rule, label]
    return _titled(alt.layer(*marked.behind, *layers, *marked.front), title, tr)


def growth_chart(growth: pd.DataFrame, tr: Translator, *, year: int) -> alt.TopLevelMixin:
    """Sites in the network by year (`year`, `joined`, `total`), the chosen `year` darker."""
    data = growth.assign(chosen=growth["year"] == year)
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("year:O", title=tr("map.growth_year"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("total:Q", title=tr("map.growth_total"), axis=alt.Axis(format=",d", tickMinStep=1)),
        opacity=alt.condition("datum.chosen", alt.value(1.0), alt.value(0.45)),
        tooltip=[alt.Tooltip("year:O", title=tr("map.growth_year")),
                 alt.Tooltip("joined:Q", title=tr("map.growth_joined")),
                 alt.Tooltip("total:Q", title=tr("map.growth_total"))],
    ).properties(width="container", height=180)
    return themed(chart, tr)
