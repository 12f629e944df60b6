"""Progress page: each region's figures against its targets, with a status, the whole country, one region's targets."""

import streamlit as st

from dashboard.ui import blocks, frame, progress

ctx = frame.context()
tr = ctx.tr
blocks.page_header(ctx, "page.progress")
st.caption(tr("progress.intro"))

# 0. The programme's targets, or why there are none
plan = progress.plan(ctx)
if not plan.periods:
    st.info(tr("progress.no_targets"), icon=":material/flag:")
    st.stop()

# 1. One region's targets, when the view is one region (a link from the table opens it)
if len(ctx.filters.regions) == 1:
    progress.region_view(ctx, plan, ctx.filters.regions[0])
    blocks.privacy_note(ctx)
    st.stop()

# 2. Every region for one figure and period: summary, chart, table, downloads
period = progress.period_picker(ctx, plan)
indicator = progress.indicator_picker(ctx, plan, period)
if indicator is None:
    st.info(tr("progress.no_indicator"), icon=":material/flag:")
    st.stop()
progress.regions_view(ctx, plan, period, indicator)
blocks.privacy_note(ctx)
