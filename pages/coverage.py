"""Coverage page: who lives within reach of an active hub, and where one new hub would reach the most people."""

import streamlit as st

from dashboard.ui import blocks, coverage, frame

ctx = frame.context()
tr = ctx.tr
blocks.page_header(ctx, "page.coverage")
km = coverage.reach()
coverage.intro(ctx, km)

# 1. Coverage of the view (its region, or every region) and the planner's picks
cov = coverage.figures(ctx, km)
if cov.settlements.empty:
    st.info(tr("coverage.no_settlements"), icon=":material/location_off:")
    st.stop()
coverage.headline(ctx, cov)

# 2. The map: settlements within and out of reach, active hubs, the suggested new hubs
st.subheader(tr("coverage.map_title"))
picks = coverage.picks_picker(ctx)
plan = cov.plan.head(picks)
coverage.map_block(ctx, cov, plan)

# 3. Where to open the next hub: the ranked list
coverage.plan_block(ctx, cov, plan)

# 4. Coverage by region, or by hromada of one region
coverage.area_block(ctx, cov)
coverage.notes(ctx, cov)
