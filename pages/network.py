"""Network & capacity page: sites opened and active by year, waiting list against capacity, partners."""

import streamlit as st

from dashboard import ui
from dashboard import ui_analytics as ua

ctx = ui.context()
tr = ctx.tr
ui.page_header(ctx, "page.network")
st.caption(tr("network.intro"))

# 1. How the network grew
ua.section(ctx, "network.growth_title", "network.growth_help")
ua.network_growth(ctx)

# 2. The waiting list and the months needed to clear it
ua.section(ctx, "network.waitlist_title", "network.waitlist_help")
ua.waitlist(ctx)

# 3. Partner institutions and their staff trained
ua.section(ctx, "network.partners_title", "network.partners_help")
ua.partners(ctx)
ui.privacy_note(ctx)
