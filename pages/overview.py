"""Overview page: the headline, KPI cards and the monthly participation trend for the view."""

import streamlit as st

from dashboard import metrics, ui

ctx = ui.context()
ui.page_header(ctx, "page.overview")

# 1. Figures of the view (protected), or the empty state
counts = ctx.counts()
if metrics.is_empty(counts):
    ui.no_data(ctx)
    st.stop()

# 2. The sentence for a press release
ui.headline(ctx, counts)

# 3. KPI cards, each against the previous period of the same length
previous = ctx.previous_counts()
kpis = metrics.compute_kpis(counts, previous)
ui.kpi_cards(ctx, kpis, compared=previous is not None)

# 4. Participation by month, with its table
ui.trend(ctx, ctx.monthly())
ui.privacy_note(ctx)
