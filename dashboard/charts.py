"""Chart layer: one shared Altair theme and pure chart builders (small frame in, chart out)."""

from __future__ import annotations

import functools
from typing import NamedTuple

import altair as alt
import pandas as pd
import vl_convert as vlc
from altair.utils.schemapi import UndefinedType

from dashboard.i18n import VEGA_LOCALES, Translator

# Fonts that carry Cyrillic, with fallbacks: a font that is missing must never drop the text.
FONT = "Noto Sans, DejaVu Sans, Liberation Sans, sans-serif"
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
INK, MUTED, GRID = "#1f2933", "#52606d", "#e4e7eb"
THEME_NAME = "hubs"
CHART_HEIGHT = 280

THEME: dict = {
    "font": FONT,
    "background": "transparent",
    "view": {"stroke": None},
    "range": {"category": list(PALETTE)},
    "axis": {
        "labelFont": FONT, "titleFont": FONT, "labelColor": MUTED, "titleColor": INK,
        "labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal",
        "gridColor": GRID, "domainColor": GRID, "tickColor": GRID, "labelLimit": 0,
    },
    "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12, "labelLimit": 0},
    "title": {"font": FONT, "fontSize": 14, "color": INK, "anchor": "start", "fontWeight": "normal"},
    "bar": {"color": PALETTE[0]},
    "line": {"color": PALETTE[0], "strokeWidth": 2},
    "point": {"color": PALETTE[0]},
}


@alt.theme.register(THEME_NAME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    # Registered so exports and notebooks can `alt.theme.enable("hubs")`; the app applies
    # the same dict per chart through `themed`, which also sets the language.
    return {"config": THEME}


@functools.cache
def vega_locale(lang: str, months: tuple[str, ...], short_months: tuple[str, ...]) -> dict:
    """Vega number and time locale of a language, with nominative month names for axes."""
    name = VEGA_LOCALES[lang]
    time = dict(vlc.get_time_format_locale(name))
    # d3's uk-UA months are genitive ("листопада"); an axis of months needs "листопад".
    time["months"], time["shortMonths"] = list(months), list(short_months)
    return {"number": vlc.get_format_locale(name), "time": time}


def themed(chart: alt.TopLevelMixin, tr: Translator) -> alt.TopLevelMixin:
    """The chart with the shared theme and the number and date formats of `tr`'s language."""
    months, short = tr.month_names()
    return chart.configure(**THEME, locale=vega_locale(tr.lang, tuple(months), tuple(short)))


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
# Events are labelled in lanes at the top of the plot. The chart's width is the page column's,
# unknown here: lanes are laid out for a laptop's column (wider only adds room), assuming this
# many pixels per character of an 11 px label.
ASSUMED_WIDTH = 640
LABEL_PX, CHAR_PX, LANE_PX = 11, 6.2, 15
LABEL_LIMIT = 220  # pixels: a longer label ends in "…" (the tooltip has it whole)
# A period's shading: a project phase lightly (phases follow one another across most of a
# chart), a campaign or outages more; where two overlap the shading reads darker.
BAND_OPACITY = {"phase": 0.07}
BAND_OPACITY_OTHER = 0.16


class EventLayers(NamedTuple):
    """What draws a chart's events: layers `behind` the data and in `front` of it, and the pixels
    their labels take at the top of the plot (`top_px`, 0 without events)."""

    behind: list
    front: list
    top_px: int


def event_lanes(events: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> tuple[list[int], list[bool]]:
    """Per event (in order of start): the lane of its label (0 = top) so that labels do not
    overlap, and whether it is written to the left of its date (near the right edge)."""
    days = max((last - first).days, 1) / ASSUMED_WIDTH  # days per pixel
    ends: list[pd.Timestamp] = []  # per lane, where its last label ends
    lanes, left = [], []
    for start, label in zip(events["start"], events["label"]):
        width = pd.Timedelta(days=(min(len(label) * CHAR_PX, LABEL_LIMIT) + 8) * days)
        to_left = start + width > last and start - width >= first
        span = (start - width, start) if to_left else (start, start + width)
        lane = next((i for i, end in enumerate(ends) if span[0] >= end), len(ends))
        ends[lane:lane + 1] = [span[1]]
        lanes.append(lane)
        left.append(bool(to_left))
    return lanes, left


def event_layers(events: pd.DataFrame | None, tr: Translator, months: pd.Series, x_title: str | None) -> EventLayers:
    """The layers that draw `events` (wording.annotations.event_frame) on a chart of `months`
    whose time axis is titled `x_title`: behind the data, a shaded band for each period; in
    front, a solid rule at the start of each period, a dashed rule for each one-day event and
    every label, with a white halo. Each carries the event's words in its tooltip."""
    if events is None or events.empty:
        return EventLayers([], [], 0)
    data = events[["start", "end", "label", "dates", "kind", "code", "source"]].sort_values("start", kind="stable")
    data = data.reset_index(drop=True)
    months = pd.to_datetime(months)
    edges = pd.concat([months, data["start"], data["end"].dropna()])
    lanes, left = event_lanes(data, edges.min(), max(edges.max(), months.max() + pd.DateOffset(months=1)))
    data["label_y"] = [4 + lane * LANE_PX for lane in lanes]
    data["to_left"] = left
    data["shade"] = [BAND_OPACITY.get(code, BAND_OPACITY_OTHER) for code in data["code"]]
    x = alt.X("start:T", title=x_title)
    tooltip = [alt.Tooltip("label:N", title=tr("annotation.col_event")),
               alt.Tooltip("dates:N", title=tr("annotation.col_dates")),
               alt.Tooltip("kind:N", title=tr("annotation.col_kind")),
               alt.Tooltip("source:N", title=tr("annotation.col_source"))]
    base = alt.Chart(data)
    periods = base.transform_filter("isValid(datum.end)")
    bands = periods.mark_rect(color=MUTED).encode(x=x, x2="end:T", opacity=alt.Opacity("shade:Q", scale=None),
                                                  tooltip=tooltip)
    edge = periods.mark_rule(color=MUTED, strokeWidth=1).encode(x=x, tooltip=tooltip)
    days = base.transform_filter("!isValid(datum.end)").mark_rule(
        color=INK, strokeDash=[4, 3], strokeWidth=1.5).encode(x=x, tooltip=tooltip)
    y = alt.Y("label_y:Q", scale=None, axis=None)
    labels = []
    for side, align, dx in ((False, "left", 4), (True, "right", -4)):
        side_data = base.transform_filter("datum.to_left" if side else "!datum.to_left")
        for halo in (True, False):
            style = {"stroke": "white", "strokeWidth": 3, "strokeJoin": "round"} if halo else {}
            labels.append(side_data.mark_text(align=align, baseline="top", dx=dx, font=FONT, fontSize=LABEL_PX,
                                              color=INK, limit=LABEL_LIMIT, **style).encode(
                x=x, y=y, text="label:N", tooltip=tooltip))
    return EventLayers([bands], [edge, days, *labels], 4 + (max(lanes) + 1) * LANE_PX)


def room_above(top: float, top_px: int, height: int = CHART_HEIGHT) -> alt.Scale | UndefinedType:
    """A value scale whose top leaves `top_px` pixels above `top` (the largest value drawn), so
    that event labels stand above the data; Undefined (the default scale) without labels."""
    plot = height - FRAME_HEIGHT
    if not top_px or pd.isna(top) or top <= 0 or top_px >= plot:
        return alt.Undefined
    return alt.Scale(domainMax=float(top) * plot / (plot - top_px))


# ---- builders of the analytics pages ---------------------------------------------------------
# Each takes a small frame with display labels already in the chart's language (see
# dashboard/wording/) and returns a themed chart; `title` is drawn above the chart.

ROW_HEIGHT = 24  # pixels per bar of a horizontal chart: Cyrillic labels stay readable
BAND = 18  # pixels of one band in a chart of intervals
# The height a chart is given includes its axis, legend and title (Streamlit fits the whole
# chart into it), so charts sized by their rows add this much for the frame around them.
FRAME_HEIGHT = 56


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


REFERENCE_ROW = " "  # the interval chart's row above its bands that holds a reference's label


def reference_layers(reference: pd.DataFrame, tr: Translator, rows: alt.Scale, axis: alt.Axis, scale: alt.Scale) -> list:
    """A reference value on a chart of estimates: a dashed rule at `value` across the plot and its
    `label` (lines split at a line break) in the chart's top row, on the rule's side with more
    room; the tooltip gives `text` and `source`. `rows`, `axis` and `scale` are the chart's: its
    rows' scale (REFERENCE_ROW first) and axis, and its value scale."""
    data = reference[["value", "label", "text", "source"]].iloc[:1].assign(row=REFERENCE_ROW)
    value = float(data.iloc[0]["value"])
    x = alt.X("value:Q", scale=scale)
    tooltip = [alt.Tooltip("text:N", title=tr("annotation.survey_title")),
               alt.Tooltip("source:N", title=tr("annotation.col_source"))]
    rule = alt.Chart(data).mark_rule(color=INK, strokeDash=[6, 4], strokeWidth=1.5).encode(x=x, tooltip=tooltip)
    right = value > 0.5  # the label reads leftwards from a line in the right half
    texts = []
    for halo in (True, False):
        style = {"stroke": "white", "strokeWidth": 3, "strokeJoin": "round"} if halo else {}
        texts.append(alt.Chart(data).mark_text(
            align="right" if right else "left", dx=-5 if right else 5, baseline="middle", lineBreak="\n",
            font=FONT, fontSize=LABEL_PX, color=INK, **style).encode(
            x=x, y=alt.Y("row:N", scale=rows, axis=axis, title=None), text="label:N", tooltip=tooltip))
    return [rule, *texts]


def funnel_chart(frame: pd.DataFrame, tr: Translator, *, title: str | None = None, value_title: str,
                 label_title: str) -> alt.TopLevelMixin:
    """The training cascade as bars on a logarithmic scale (each stage is many times the one above):
    columns `label` (stage, top first), `value` (missing or 0 = no bar) and `text` (bar label)."""
    data = frame[["label", "value", "text"]].copy()
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype("float64")
    data["drawn"] = data["value"].where(data["value"] >= 1)
    y = alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=0))
    top = max(float(data["drawn"].max()) if data["drawn"].notna().any() else 10.0, 10.0)
    # Room on the right for the label of the longest bar; gridlines at powers of ten only.
    scale = alt.Scale(type="log", domain=[1, top * 8])
    ticks = [10 ** i for i in range(0, len(str(int(top * 8))))]
    base = alt.Chart(data)
    # A bar on a log scale needs an explicit base: the default base, zero, has no logarithm.
    bars = base.transform_filter("isValid(datum.drawn)").transform_calculate(one="1").mark_bar(
        cornerRadiusTopRight=2, cornerRadiusBottomRight=2).encode(
        y=y, x=alt.X("drawn:Q", title=value_title, scale=scale, axis=alt.Axis(format=",d", values=ticks)),
        x2="one:Q", tooltip=[alt.Tooltip("label:N", title=label_title), alt.Tooltip("text:N", title=value_title)])
    labels = base.mark_text(align="left", dx=4, color=INK, font=FONT).encode(
        y=y, x=alt.X("label_x:Q", scale=scale), text="text:N",
    ).transform_calculate(label_x="isValid(datum.drawn) ? datum.drawn : 1")
    return _titled(alt.layer(bars, labels), title, tr, _frame_height(int(ROW_HEIGHT * 1.6 * len(data)), title))


def series_chart(frame: pd.DataFrame, tr: Translator, *, title: str | None = None, x_title: str, y_title: str,
                 series_title: str, bar_series: str | None = None, yearly: bool = False,
                 events: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    """Series over time with a legend: columns `x` (first day of the month, or of the year when
    `yearly`), `x_label` (its words), `series` (label, in order), `value` and `text` (tooltip). The
    series named `bar_series` is drawn as bars, the others as lines with points. A missing value is
    a suppressed one: a gap with a grey diamond on the baseline (leave out rows that do not apply).
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
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(format=",d", tickMinStep=1),
              scale=room_above(data["value"].max(), marked.top_px))
    tooltip = [alt.Tooltip("x_label:N", title=x_title), alt.Tooltip("series:N", title=series_title),
               alt.Tooltip("text:N", title=y_title)]
    base = alt.Chart(data).transform_filter("isValid(datum.value)")
    layers = []
    if bar_series is not None:
        layers.append(base.transform_filter(alt.datum.series == bar_series).mark_bar(opacity=0.55).encode(
            x=x, y=y, color=colour, tooltip=tooltip))
    lines = base.transform_filter(alt.datum.series != bar_series) if bar_series is not None else base
    layers.append(lines.mark_line(point=True).encode(x=x, y=y, color=colour, tooltip=tooltip))
    layers.append(alt.Chart(data).transform_filter("!isValid(datum.value)").mark_point(
        shape="diamond", size=45, filled=True, color=MUTED, opacity=0.8).encode(x=x, y="baseline:Q", tooltip=tooltip))
    return _titled(alt.layer(*marked.behind, *layers, *marked.front), title, tr)


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
