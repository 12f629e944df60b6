"""Overview page: the headline, KPI cards and the monthly participation trend for the view."""

import streamlit as st

from dashboard.metrics.overview import is_empty
from dashboard.ui import blocks, frame, overview, progress

ctx = frame.context()
blocks.page_header(ctx, "page.overview")

# 1. Figures of the view (protected) and of the previous period, or the empty state
counts, previous = overview.figures(ctx)
if is_empty(counts):
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
