"""Participation page: who is reached — by month, course, format, region and group — and the cascade."""

import streamlit as st

from dashboard.metrics.overview import is_empty
from dashboard.ui import blocks, cache, frame, participation

ctx = frame.context()
tr = ctx.tr
blocks.page_header(ctx, "page.participation")
st.caption(tr("participation.intro"))

# 0. The same view as the Overview, or the empty state
if is_empty(cache.counts(ctx)):
    blocks.no_data(ctx)
    st.stop()

# 1. People and classes by month; the running total against the target
blocks.section(ctx, "participation.monthly_title", "participation.monthly_help")
participation.monthly(ctx)
blocks.section(ctx, "participation.cumulative_title", "participation.cumulative_help")
participation.cumulative(ctx)

# 2. By course family and by format
left, right = st.columns(2)
with left:
    blocks.section(ctx, "participation.topic_title", "participation.topic_help")
    participation.breakdown(ctx, "topic")
    participation.courses(ctx)
with right:
    blocks.section(ctx, "participation.format_title", "participation.format_help")
    participation.breakdown(ctx, "format")

# 3. By region, ranked
blocks.section(ctx, "participation.region_title", "participation.region_help")
participation.breakdown(ctx, "region")

# 4. By participant group
blocks.section(ctx, "participation.segment_title", "participation.segment_help")
participation.breakdown(ctx, blocks.segment_picker(ctx, "participation"))

# 5. The training cascade: where does it thin out?
blocks.section(ctx, "participation.cascade_title", "participation.cascade_help")
participation.cascade(ctx)
blocks.privacy_note(ctx)
