"""Chart layer: the shared Altair theme (fonts, colours, the language's formats) and the sizes
every chart builder shares."""

from __future__ import annotations

import functools

import altair as alt
import vl_convert as vlc

from dashboard.i18n import VEGA_LOCALES, Translator

# Fonts that carry Cyrillic, with fallbacks: a font that is missing must never drop the text.
FONT = "Noto Sans, DejaVu Sans, Liberation Sans, sans-serif"
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
INK, MUTED, GRID = "#1f2933", "#52606d", "#e4e7eb"
THEME_NAME = "hubs"
CHART_HEIGHT = 280

# The height a chart is given includes its axis, legend and title (Streamlit fits the whole
# chart into it), so charts sized by their rows add this much for the frame around them.
FRAME_HEIGHT = 56

THEME: dict = {
    "font": FONT,
    "background": "transparent",
    "view": {"stroke": None},
    # A chart reads as one image whose text alternative is its summary (the page's `alt`) and the
    # table under it: Vega's own descriptions of axes and marks are in English ("X-axis titled
    # ...") and name internal fields, and an empty layer would be an image without a name.
    "aria": False,
    "mark": {"aria": False},
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
