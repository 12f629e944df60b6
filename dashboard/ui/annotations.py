"""Presentation layer: what the pages draw over their charts — the view's events and national survey wave, or a notice."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.query import annotations as reference
from dashboard.ui.frame import Context


def events(ctx: Context, notice: bool = True) -> pd.DataFrame:
    """The events of the view's programme and period (query.annotations.period_events). When the
    events file is broken, none, and (with `notice`) a short notice above the chart; the problem
    is in the server log."""
    f = ctx.filters
    found, problem = reference.period_events(f.programme, f.start, f.end)
    if problem and notice:
        st.warning(ctx.tr("annotation.events_problem"), icon=":material/event_busy:")
    return found


def survey(ctx: Context, notice: bool = True) -> dict | None:
    """The national survey wave to draw beside the view's skill shares (query.annotations.survey_point):
    None for a programme outside Ukraine, or when the survey file is broken (then, with `notice`,
    a short notice above the chart; the problem is in the server log)."""
    f = ctx.filters
    point, problem = reference.survey_point(f.programme, f.end)
    if problem and notice:
        st.warning(ctx.tr("annotation.survey_problem"), icon=":material/info:")
    return point
