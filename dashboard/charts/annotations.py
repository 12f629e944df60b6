"""Chart layer: annotations drawn on charts: dated events on the time lines (labelled in lanes
that do not overlap) and a reference value (the national survey) on charts of estimates."""

from __future__ import annotations

from typing import NamedTuple

import altair as alt
import pandas as pd
from altair.utils.schemapi import UndefinedType

from dashboard.charts.theme import CHART_HEIGHT, FONT, FRAME_HEIGHT, INK, MUTED
from dashboard.i18n import Translator

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
