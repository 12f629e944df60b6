"""Network & capacity page: sites opened and active by year, waiting list against capacity, partners."""

import streamlit as st

from dashboard.ui import blocks, frame, network

ctx = frame.context()
tr = ctx.tr
blocks.page_header(ctx, "page.network")
st.caption(tr("network.intro"))

# 1. How the network grew
blocks.section(ctx, "network.growth_title", "network.growth_help")
network.network_growth(ctx)

# 2. The waiting list and the months needed to clear it
blocks.section(ctx, "network.waitlist_title", "network.waitlist_help")
network.waitlist(ctx)

# 3. Partner institutions and their staff trained
blocks.section(ctx, "network.partners_title", "network.partners_help")
network.partners(ctx)
blocks.privacy_note(ctx)
