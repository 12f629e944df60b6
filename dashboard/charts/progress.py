"""Chart layer of the Progress page: per cent of the target achieved per row, against what is expected by now."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.theme import FONT, FRAME_HEIGHT, INK, themed
from dashboard.i18n import Translator

# Okabe–Ito's blue, orange and vermillion (darkened for white text), and greys: told apart with the
# common colour-vision deficiencies, never red beside green. Each status is also a symbol and a word
# (wording.progress.status_word) wherever it is drawn.
STATUS_COLOURS = {"on_track": "#0072B2", "at_risk": "#E69F00", "off_track": "#A04700",
                  "suppressed": "#757575", "no_target": "#E0E0E0"}
# Text on each colour with a contrast of at least 4.5:1 (WCAG AA): white on the dark ones, ink on the light.
STATUS_TEXT = {"on_track": "#FFFFFF", "at_risk": INK, "off_track": "#FFFFFF", "suppressed": "#FFFFFF",
               "no_target": INK}
# The statuses a bar can have: a hidden actual or a missing target has no per cent to draw.
DRAWN = ("on_track", "at_risk", "off_track")
# Each drawn status's symbol as a vector path (a tick, an exclamation mark, a cross on Vega's unit
# square), the same as its text symbol on the page: drawn as a shape, it needs no font that has it.
SYMBOL_PATHS = {"on_track": "M-0.85,0.05L-0.3,0.6L0.85,-0.6", "at_risk": "M0,-0.9L0,0.3M0,0.62L0,0.9",
                "off_track": "M-0.7,-0.7L0.7,0.7M-0.7,0.7L0.7,-0.7"}
BAR_HEIGHT = 22  # pixels per row: 25 oblasts fit a laptop screen
LEGEND_HEIGHT = 44  # pixels of the legend under the chart (its title and one row)
SYMBOL_SIZE, SYMBOL_STROKE = 110, 2.5  # square pixels, pixels
# Room right of the longest bar for its symbol and label (per cent and word), as a share of the axis.
LABEL_ROOM = 1.5


def progress_chart(frame: pd.DataFrame, tr: Translator, *, label_title: str, status_words: dict[str, str],
                   first: int = 0) -> alt.TopLevelMixin:
    """Horizontal bars of `achieved` (per cent of the target) per `label`, the `first` rows in their
    order on top and the others largest first, coloured by status, each followed by its status's
    symbol and `text` (per cent and word), with a tick at `expected` (per cent due by now); the
    legend gives each status's colour, symbol and word. `frame` is wording.progress.chart_frame
    (or region_chart_frame); `status_words` names each status of DRAWN."""
    data = frame[["label", "achieved", "expected", "status", "status_word", "text"]].copy()
    # The symbol and words follow the bar, or the expected tick when the bar stops short of it.
    data["label_at"] = data[["achieved", "expected"]].max(axis=1)
    # The first rows (the whole country; a region's periods) keep their place; the others from the most achieved down.
    rest = data.iloc[first:].sort_values("achieved", ascending=False, kind="stable")
    order = [*data["label"][:first], *rest["label"]]
    value_title, expected_title = tr("progress.chart_x"), tr("progress.chart_expected")
    status_title = tr("progress.col_status")
    top = max([100.0, *data["achieved"].dropna(), *data["expected"].dropna()]) * LABEL_ROOM
    x_scale = alt.Scale(domain=[0, top], nice=False)
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=0))
    tooltip = [alt.Tooltip("label:N", title=label_title),
               alt.Tooltip("achieved:Q", title=value_title, format=".1f"),
               alt.Tooltip("expected:Q", title=expected_title, format=".1f"),
               alt.Tooltip("status_word:N", title=status_title)]
    words = [status_words[s] for s in DRAWN]
    colours = alt.Scale(domain=words, range=[STATUS_COLOURS[s] for s in DRAWN])
    colour = alt.Color("status_word:N", title=status_title, scale=colours,
                       legend=alt.Legend(orient="bottom", symbolStrokeWidth=SYMBOL_STROKE, symbolSize=SYMBOL_SIZE))
    shape = alt.Shape("status_word:N", title=status_title,
                      scale=alt.Scale(domain=words, range=[SYMBOL_PATHS[s] for s in DRAWN]))
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(cornerRadiusTopRight=2, cornerRadiusBottomRight=2).encode(
        x=alt.X("achieved:Q", title=tr("progress.chart_axis"), scale=x_scale, axis=alt.Axis(tickCount=5)),
        color=colour, tooltip=tooltip)
    ticks = base.mark_tick(color=INK, thickness=2).encode(
        x=alt.X("expected:Q", scale=x_scale), tooltip=tooltip)
    symbols = base.mark_point(filled=False, strokeWidth=SYMBOL_STROKE, size=SYMBOL_SIZE, xOffset=10, opacity=1).encode(
        x=alt.X("label_at:Q", scale=x_scale), color=colour, shape=shape, tooltip=tooltip)
    texts = base.mark_text(align="left", dx=20, fontSize=11, color=INK, font=FONT).encode(
        x=alt.X("label_at:Q", scale=x_scale), text="text:N")
    # The height holds the axis and the legend too: the page fits the whole chart into it.
    height = max(BAR_HEIGHT * len(data), 44) + FRAME_HEIGHT + LEGEND_HEIGHT
    chart = alt.layer(bars, ticks, symbols, texts).properties(width="container", height=height)
    return themed(chart, tr)
