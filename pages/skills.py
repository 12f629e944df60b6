"""Skills page: self-rated skills and Digigram scores before and after training, with 95% intervals."""

import streamlit as st

from dashboard.metrics.overview import is_empty
from dashboard.ui import blocks, cache, frame, skills

ctx = frame.context()
tr = ctx.tr
blocks.page_header(ctx, "page.skills")
st.caption(tr("skills.intro"))
blocks.definitions(ctx, ["skills.def_pre", "skills.def_post", "skills.def_high", "skills.def_low",
                         "skills.def_completion", "skills.def_gain", "skills.def_ci", "skills.def_digigram"])

# 0. The same view as the Overview, or the empty state
if is_empty(cache.counts(ctx)):
    blocks.no_data(ctx)
    st.stop()

# 1. Who gave ratings, and the paired gain
ratings = cache.ratings(ctx)
skills.rating_cards(ctx, ratings)

# 2. Rating 7–10 and 1–4, before → after
blocks.section(ctx, "skills.shares_title", "skills.def_ci")
skills.skill_shares(ctx, ratings)

# 3. The whole distribution of self-ratings
blocks.section(ctx, "skills.distribution_title", "skills.def_pre")
skills.distribution(ctx)

# 4. Who gains least?
blocks.section(ctx, "skills.segment_title", "skills.segment_help")
skills.by_segment(ctx)

# 5. Digigram test scores per DigComp area
blocks.section(ctx, "skills.digigram_title", "skills.def_digigram")
skills.digigram(ctx)
blocks.privacy_note(ctx)
