"""Overview page: the headline, KPI cards and the monthly participation trend for the view."""

import streamlit as st

from dashboard.metrics.overview import is_empty
from dashboard.ui import blocks, frame, network, overview, progress

ctx = frame.context()
blocks.page_header(ctx, "page.overview")

# 1. Figures of the view (protected) and of the previous period, or the empty state; a programme
#    whose data record only its network (Kemerovo's centres) opens on that network's growth
counts, previous = overview.figures(ctx)
if is_empty(counts):
    if overview.records_no_people(ctx):
        overview.network_cards(ctx, counts, previous)
        blocks.section(ctx, "network.growth_title", "network.growth_help")
        network.network_growth(ctx)
        blocks.section(ctx, "network.waitlist_title", "network.waitlist_help")
        network.waitlist(ctx)
        st.stop()
    blocks.no_data(ctx)
    st.stop()

# 2. The sentence for a press release
overview.headline(ctx, counts)

# 3. KPI cards, each against the previous period of the same length
overview.kpi_cards(ctx, counts, previous)

# 4. Progress to the period's targets (nothing when none is set)
progress.overview_card(ctx)

# 5. Participation by month, with its table
overview.trend(ctx)
blocks.privacy_note(ctx)
