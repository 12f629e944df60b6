"""Progress page: each region's figures against its targets, with a status, the whole country, one region's targets; who is left behind."""

import streamlit as st

from dashboard.ui import blocks, frame, gaps, progress

ctx = frame.context()
tr = ctx.tr
blocks.page_header(ctx, "page.progress")
st.caption(tr("progress.intro"))

# 0. The programme's targets, or why there are none
plan = progress.plan(ctx)
if not plan.periods:
    st.info(tr("progress.no_targets"), icon=":material/flag:")

# 1. One region's targets, when the view is one region (a link from the table opens it)
elif len(ctx.filters.regions) == 1:
    progress.region_view(ctx, plan, ctx.filters.regions[0])

# 2. Every region for one figure and period: summary, chart, table, downloads
else:
    period = progress.period_picker(ctx, plan)
    indicator = progress.indicator_picker(ctx, plan, period)
    if indicator is None:
        st.info(tr("progress.no_indicator"), icon=":material/flag:")
    else:
        progress.regions_view(ctx, plan, period, indicator)

# 3. Who is left behind: the region's groups, or the largest gaps across every region
gaps.section(ctx)
blocks.privacy_note(ctx)
