"""Presentation layer: the blocks every page places — header, empty state, sections, charts with their text, tables, pickers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard.filters import SEGMENTS
from dashboard.i18n import Translator
from dashboard.metrics import overview as metrics
from dashboard.ui.frame import Context
from dashboard.markdown import escape_md
from dashboard.wording.common import describe_scope


def page_header(ctx: Context, title_key: str) -> None:
    """Title, then one line with the period, the selection and the data date."""
    tr, f = ctx.tr, ctx.filters
    st.title(tr(title_key))
    parts = [tr(f"programme.{f.programme}"), tr.period(f.start, f.end)]
    scope = describe_scope(f, tr, ctx.region_names)
    if scope:
        parts.append(scope)
    parts.append(tr("common.data_date", date=tr.date(ctx.data_date)) if ctx.data_date else tr("common.data_date_unknown"))
    st.caption(escape_md(" · ".join(parts)))


def no_data(ctx: Context) -> None:
    """The empty state: says there is nothing for the selection and what to widen."""
    tr, f = ctx.tr, ctx.filters
    full = (ctx.choices.default_start, ctx.choices.default_end)
    hints = ", ".join(tr(key) for key in metrics.widen_suggestions(f, full))
    st.info(
        f"**{tr('empty.title')}**\n\n{tr('empty.body', start=tr.date(f.start), end=tr.date(f.end))} "
        f"{tr('empty.hint', suggestions=hints)}",
        icon=":material/filter_alt_off:",
    )


def privacy_note(ctx: Context) -> None:
    """One line on small-number suppression, under any page that shows counts of people."""
    st.caption(ctx.tr("privacy.note", k_minus=ctx.tr.number(ctx.k - 1)))


def translated_table(frame: pd.DataFrame, columns: dict[str, str], tr: Translator) -> None:
    """A frame with translated headers; numbers and dates written the language's way."""
    shown = frame[list(columns)].rename(columns={c: tr(k) for c, k in columns.items()})
    st.dataframe(localised(shown, tr), hide_index=True, width="stretch", placeholder=MISSING)


# What a table shows for a missing value: the browser's table writes "None" for an empty cell
# whatever the Styler formats, unless its placeholder says otherwise.
MISSING = "—"


def localised(frame: pd.DataFrame, tr: Translator) -> Styler:
    """A table whose numbers and dates stay numbers and dates, so that a click on a header sorts
    them as such (13 before 128 before 1,235), while each cell reads the language's way
    (`1 235`, `17 листопада 2023 р.`); a missing one reads `—`. Columns of text are left as they are.
    Counts of people that may be hidden are not for this table: they read "fewer than k"
    through tr.count (see map.hub_table)."""
    styler = frame.style
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            continue
        if pd.api.types.is_numeric_dtype(column):
            styler = styler.format(tr.number, subset=[name])
        elif column.map(lambda v: isinstance(v, dt.date)).any():
            styler = styler.format(lambda v: tr.date(v) if isinstance(v, dt.date) else MISSING, subset=[name])
    return styler


# Keys of the page-local pickers (not in the URL: they only change what one page shows).
SEGMENT_PICKER = {"participation": "participation_by", "skills": "skills_by"}
PHASE_PICKER = "cascade_phase"


def section(ctx: Context, title_key: str, help_key: str | None = None) -> None:
    """A section heading with its definition one click away (the ⓘ beside it)."""
    st.subheader(ctx.tr(title_key), help=ctx.tr(help_key, k=ctx.tr.number(ctx.k)) if help_key else None)


def chart_block(ctx: Context, chart: dict, summary: str, table: pd.DataFrame) -> None:
    """A chart with its text alternative: the one-line description under it and the table behind it."""
    st.vega_lite_chart(spec=chart, width="stretch", theme=None, alt=summary)
    st.caption(escape_md(summary))
    with st.expander(ctx.tr("chart.table")):
        st.dataframe(table, hide_index=True, width="stretch", placeholder=MISSING)


def segment_picker(ctx: Context, page: str) -> str:
    """A picker of the participant characteristic to compare by (age, gender, ...); returns its name."""
    tr = ctx.tr
    names = list(SEGMENTS)
    picked = st.segmented_control(tr("participation.compare_by"), names, default=names[0], required=True,
                                  format_func=lambda n: tr(f"filter.{n}"), key=SEGMENT_PICKER[page])
    return picked if picked in SEGMENTS else names[0]


def phase_picker(ctx: Context, phases: list[str]) -> str | None:
    """A picker of the project phase of the cascade (None = all phases)."""
    tr = ctx.tr
    options = ["all", *phases]
    picked = st.segmented_control(tr("participation.phase"), options, default="all", required=True,
                                  format_func=lambda p: tr("participation.all_phases") if p == "all"
                                  else tr("quick.phase", phase=p), key=PHASE_PICKER)
    return None if picked in (None, "all") or picked not in phases else picked


def definitions(ctx: Context, keys: list[str]) -> None:
    """An expander listing the definitions behind a page's figures."""
    tr = ctx.tr
    with st.expander(tr("skills.definitions"), icon=":material/menu_book:"):
        k = tr.number(ctx.k)
        st.markdown("\n".join(f"- **{tr(key + '_term')}**: {tr(key, k=k)}" for key in keys))


def table(frame: pd.DataFrame, tr: Translator | None = None) -> None:
    """A table already in words (dashboard.wording), full width, without the index; with `tr`,
    its number and date columns are kept as such and written the language's way (localised)."""
    st.dataframe(frame if tr is None else localised(frame, tr), hide_index=True, width="stretch",
                 placeholder=MISSING)


def static_table(frame: pd.DataFrame) -> None:
    """A short table in words shown whole (no scrolling), for the data-quality notes."""
    # st.table renders every cell as Markdown: a region name like `![x](http://...)` would load
    # an image from that host in every visitor's browser.
    safe = frame.rename(columns=escape_md).map(lambda v: escape_md(v) if isinstance(v, str) else v)
    st.table(safe, hide_index=True)
