"""Participation page: who is reached — by month, course, format, region and group — and the cascade."""

import streamlit as st

from dashboard import metrics, ui
from dashboard import ui_analytics as ua

ctx = ui.context()
tr = ctx.tr
ui.page_header(ctx, "page.participation")
st.caption(tr("participation.intro"))

# 0. The same view as the Overview, or the empty state
if metrics.is_empty(ctx.counts()):
    ui.no_data(ctx)
    st.stop()

# 1. People and classes by month; the running total against the target
ua.section(ctx, "participation.monthly_title", "participation.monthly_help")
ua.monthly(ctx)
ua.section(ctx, "participation.cumulative_title", "participation.cumulative_help")
ua.cumulative(ctx)

# 2. By course family and by format
left, right = st.columns(2)
with left:
    ua.section(ctx, "participation.topic_title", "participation.topic_help")
    ua.breakdown(ctx, "topic")
    ua.courses(ctx)
with right:
    ua.section(ctx, "participation.format_title", "participation.format_help")
    ua.breakdown(ctx, "format")

# 3. By region, ranked
ua.section(ctx, "participation.region_title", "participation.region_help")
ua.breakdown(ctx, "region")

# 4. By participant group
ua.section(ctx, "participation.segment_title", "participation.segment_help")
ua.breakdown(ctx, ua.segment_picker(ctx, "participation"))

# 5. The training cascade: where does it thin out?
ua.section(ctx, "participation.cascade_title", "participation.cascade_help")
ua.cascade(ctx)
ui.privacy_note(ctx)
