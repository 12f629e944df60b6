"""Chart layer: one shared Altair theme and pure chart builders (small frame in, chart out)."""

from __future__ import annotations

import functools

import altair as alt
import pandas as pd
import vl_convert as vlc

from dashboard.i18n import VEGA_LOCALES, Translator
from dashboard.privacy import threshold

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


def trend_frame(monthly: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The monthly frame with the labels a tooltip and a table show: `month_label`, `people_label`."""
    out = monthly[["month", "people", "activities"]].copy()
    out["month_label"] = [tr.month(m.date()) for m in out["month"]]
    out["people_label"] = [tr.count(v) for v in out["people"]]
    out["activities_label"] = [tr.count(v) for v in out["activities"]]
    return out


def trend_chart(monthly: pd.DataFrame, tr: Translator) -> alt.TopLevelMixin:
    """Bars of people learning per month; a suppressed month gets a grey mark on the baseline."""
    data = trend_frame(monthly, tr)
    data["people"] = pd.to_numeric(data["people"], errors="coerce").astype("float64")
    data["hidden"] = data["people"].isna()
    data["baseline"] = 0.0
    data = data[["month", "people", "hidden", "baseline", "month_label", "people_label"]]
    x = alt.X("yearmonth(month):T", title=tr("chart.trend_x"),
              axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap="greedy", labelSeparation=8))
    tooltip = [alt.Tooltip("month_label:N", title=tr("col.month")),
               alt.Tooltip("people_label:N", title=tr("col.people"))]
    base = alt.Chart(data)
    bars = base.mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2).encode(
        x=x, y=alt.Y("people:Q", title=tr("chart.trend_y"), axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=tooltip,
    )
    hidden = base.transform_filter("datum.hidden").mark_point(
        shape="diamond", size=45, filled=True, color=MUTED, opacity=0.8,
    ).encode(x=x, y="baseline:Q", tooltip=tooltip)
    chart = alt.layer(bars, hidden).properties(width="container", height=CHART_HEIGHT)
    return themed(chart, tr)


def trend_summary(monthly: pd.DataFrame, tr: Translator) -> str:
    """The text alternative of the trend chart: its peak month, and what is left out."""
    people = pd.to_numeric(monthly["people"], errors="coerce")
    if people.notna().any() and people.max() > 0:
        peak = monthly.loc[people.idxmax()]
        text = tr("chart.trend_caption", month=tr.month(peak["month"].date()), people=tr.count(peak["people"]))
    else:
        text = tr("chart.trend_caption_none")
    if monthly["people"].isna().any():
        text += " " + tr("chart.trend_hidden", k=tr.number(threshold()))
    return text


def trend_table(monthly: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The table behind the trend chart, in words of the language (`fewer than 10` kept as text)."""
    data = trend_frame(monthly, tr)
    return pd.DataFrame({
        tr("col.month"): data["month_label"],
        tr("col.people"): data["people_label"],
        tr("col.activities"): data["activities_label"],
    })
