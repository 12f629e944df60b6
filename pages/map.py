"""Impact map page: regions coloured by a chosen figure, hubs as points; a click selects a region."""

import streamlit as st

from dashboard.ui import blocks, frame
from dashboard.ui import map as impact

ctx = frame.context()
tr = ctx.tr
blocks.page_header(ctx, "page.map")
st.caption(tr("map.intro"))

# 1. The figure that colours the regions, and the figures of the view (protected)
metric = impact.metric_picker(ctx)
regions = impact.region_metrics(ctx)
hubs = impact.hub_metrics(ctx)
if regions.empty:  # a programme without any region on record: nothing to draw
    blocks.no_data(ctx)
    st.stop()
impact.selection_bar(ctx)

# 2. A centre network replays its growth: the year control
growth = impact.growth(ctx)
year = impact.growth_year(ctx, growth)
shown_hubs = impact.hubs_by_year(hubs, year, None if growth.empty else int(growth["year"].max()))

# 3. The map across the content width, then the table of regions (or of the selected regions' hubs)
impact.impact_map(ctx, regions, shown_hubs, metric)
table, side = st.columns([2, 1], gap="medium") if year is not None else (st.container(), None)
with table:
    if ctx.filters.regions:
        st.markdown(f"**{tr('map.table_hubs')}**")
        impact.hub_table(ctx, shown_hubs)
    else:
        st.markdown(f"**{tr('map.table_regions')}**")
        impact.region_table(ctx, regions, metric)
    st.caption(tr("map.table_help"))
if side is not None:  # the centres by year beside the table
    with side:
        impact.growth_panel(ctx, growth, year)

# 4. Where the boundaries and reference figures come from; how people counts are protected
st.caption(tr("map.sources"))
blocks.privacy_note(ctx)
