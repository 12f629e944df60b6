"""Skills page: self-rated skills and Digigram scores before and after training, with 95% intervals."""

import streamlit as st

from dashboard import metrics, ui
from dashboard import ui_analytics as ua

ctx = ui.context()
tr = ctx.tr
ui.page_header(ctx, "page.skills")
st.caption(tr("skills.intro"))
ua.definitions(ctx, ["skills.def_pre", "skills.def_post", "skills.def_high", "skills.def_low",
                     "skills.def_completion", "skills.def_gain", "skills.def_ci", "skills.def_digigram"])

# 0. The same view as the Overview, or the empty state
if metrics.is_empty(ctx.counts()):
    ui.no_data(ctx)
    st.stop()

# 1. Who gave ratings, and the paired gain
ratings = ua.figures(ctx, "ratings")
ua.rating_cards(ctx, ratings)

# 2. Rating 7–10 and 1–4, before → after
ua.section(ctx, "skills.shares_title", "skills.def_ci")
ua.skill_shares(ctx, ratings)

# 3. The whole distribution of self-ratings
ua.section(ctx, "skills.distribution_title", "skills.def_pre")
ua.distribution(ctx)

# 4. Who gains least?
ua.section(ctx, "skills.segment_title", "skills.segment_help")
ua.by_segment(ctx)

# 5. Digigram test scores per DigComp area
ua.section(ctx, "skills.digigram_title", "skills.def_digigram")
ua.digigram(ctx)
ui.privacy_note(ctx)
