"""Presentation layer of the Skills page: rating cards, shares before → after, distribution, who gains least, Digigram."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.ui import annotations, cache
from dashboard.ui.blocks import chart_block, segment_picker, table
from dashboard.ui.frame import Context
from dashboard.wording import skills as wording
from dashboard.wording.annotations import survey_frame, survey_sentence, with_sentence
from dashboard.markdown import escape_md
from dashboard.wording.common import interval


def rating_cards(ctx: Context, ratings: pd.DataFrame) -> None:
    """People rated before, after and both (with completion), and the mean paired gain."""
    tr, r = ctx.tr, ratings.iloc[0]
    cols = st.columns(4)
    cols[0].metric(tr("skills.card_pre"), tr.count(r["n_pre"]), help=tr("skills.def_pre"), border=True)
    cols[1].metric(tr("skills.card_post"), tr.count(r["n_post"]), help=tr("skills.def_post"), border=True)
    cols[2].metric(tr("skills.card_both"), tr.count(r["n_both"]), help=tr("skills.def_completion"), border=True,
                   delta=tr("skills.completion_value", share=tr.percent(r["completion"])),
                   delta_color="off", delta_arrow="off")
    cols[3].metric(tr("skills.card_gain"), tr.number(r["gain_mean"], 2) if not pd.isna(r["gain_mean"]) else "—",
                   help=tr("skills.def_gain"), border=True,
                   delta=tr("skills.ci_only", ci=interval(tr, r["gain_mean_lo"], r["gain_mean_hi"], False, 2)),
                   delta_color="off", delta_arrow="off")


def skill_shares(ctx: Context, ratings: pd.DataFrame) -> None:
    """Shares 7–10 and 1–4 before → after with their Wilson intervals, the national survey's share
    of adults with basic or higher digital skills beside them (Ukraine), and the table of every figure."""
    tr, point = ctx.tr, annotations.survey(ctx)
    spec = cache.chart(charts.interval_chart, tr, wording.shares_frame(ratings, tr), x_title=tr("skills.share_x"),
                       label_title=tr("skills.col_band"), group_title=tr("skills.col_stage"),
                       reference=survey_frame(point, tr) if point else None)
    summary = with_sentence(wording.shares_summary(ratings, tr), survey_sentence(point, tr) if point else "")
    chart_block(ctx, spec, summary, wording.ratings_table(ratings, None, tr))


def distribution(ctx: Context) -> None:
    """Self-ratings 1–10 before and after, as shares of the people who gave each."""
    tr, data = ctx.tr, cache.distribution(ctx)
    spec = cache.chart(charts.grouped_bar_chart, tr, wording.distribution_bars(data, tr), x_title=tr("skills.col_score"),
                       y_title=tr("skills.share_y"), group_title=tr("skills.col_stage"))
    chart_block(ctx, spec, wording.distribution_summary(data, tr), wording.distribution_table(data, tr))


def by_segment(ctx: Context) -> None:
    """Who gains least: every self-rating figure per value of a chosen participant characteristic."""
    tr = ctx.tr
    segment = segment_picker(ctx, "skills")
    data = cache.ratings(ctx, segment)
    st.markdown(escape_md(wording.least_gain(data, segment, tr)))
    group = tr(f"filter.{segment}")
    gain = cache.chart(charts.interval_chart, tr, wording.segment_frame(data, segment, "gain", tr),
                       title=tr("skills.gain_title"), x_title=tr("skills.gain_x"), label_title=group,
                       group_title=tr("skills.col_measure"), percent=False)
    point = annotations.survey(ctx, notice=False)  # the shares chart above says when it cannot be read
    high = cache.chart(charts.interval_chart, tr, wording.segment_frame(data, segment, "high", tr),
                       title=tr("skills.high_title"), x_title=tr("skills.share_x"), label_title=group,
                       group_title=tr("skills.col_stage"), reference=survey_frame(point, tr) if point else None)
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(spec=gain, width="stretch", theme=None, alt=tr("skills.gain_title"))
    with right:
        st.vega_lite_chart(spec=high, width="stretch", theme=None,
                           alt=with_sentence(tr("skills.high_title"), survey_sentence(point, tr) if point else ""))
    st.caption(tr("skills.segment_caption", k=tr.number(ctx.k)))
    with st.expander(tr("chart.table")):
        table(wording.ratings_table(data, segment, tr))


def digigram(ctx: Context) -> None:
    """Mean Digigram scores per DigComp area, before and after, with intervals."""
    tr = ctx.tr
    if ctx.filters.segment():
        st.info(tr("skills.digigram_no_segment"), icon=":material/group_off:")
        return
    data = cache.digigram(ctx)
    if pd.to_numeric(data["people"], errors="coerce").fillna(1).eq(0).all():
        st.info(tr("skills.digigram_none"))
        return
    spec = cache.chart(charts.interval_chart, tr, wording.digigram_frame(data, tr), x_title=tr("skills.digigram_x"),
                       label_title=tr("skills.col_area"), group_title=tr("skills.col_stage"), percent=False)
    chart_block(ctx, spec, tr("skills.digigram_caption"), wording.digigram_table(data, tr))
