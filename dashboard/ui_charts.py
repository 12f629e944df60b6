"""Presentation layer of the charts: Vega-Lite specs built once per figures and language.

Building an Altair chart and turning it into a spec costs tens of milliseconds; a spec is kept
per builder, frame and arguments, so a rerun of an unchanged view (or another visitor's) reuses
it. Pages draw specs with `st.vega_lite_chart(spec=...)`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.i18n import translator

# As many specs as the app keeps figure frames (ui.CACHE_ENTRIES); a spec is a few KB.
CACHE_ENTRIES = 256

# Altair validates every schema object as it is created (its "debug mode"), a quarter of a
# chart's build; the app's charts are fixed code whose full specs the chart tests validate.
alt.utils.schemapi.disable_debug_mode()


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _spec(builder: str, lang: str, frame: pd.DataFrame, args: tuple, kwargs: dict) -> dict:
    # Not validated against the Vega-Lite schema here (a third of the time): the chart tests
    # validate every builder's output.
    return getattr(charts, builder)(frame, translator(lang), *args, **kwargs).to_dict(validate=False)


def spec(builder: str, lang: str, frame: pd.DataFrame, *args: object, **kwargs: object) -> dict:
    """The Vega-Lite spec of `charts.<builder>(frame, translator(lang), *args, **kwargs)`."""
    return _spec(builder, lang, frame, args, kwargs)


def chart_spec(ctx, builder: str, frame: pd.DataFrame, *args: object, **kwargs: object) -> dict:
    """The spec of `charts.<builder>(frame, tr, *args, **kwargs)` in the language of `ctx` (a ui.Context)."""
    return _spec(builder, ctx.lang, frame, args, kwargs)
