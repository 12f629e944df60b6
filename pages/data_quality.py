"""Data quality page: what each number stands on — cleaning run, raw files, hubs off the map, silent hubs, empty regions."""

import streamlit as st

from dashboard.ui import blocks, frame, quality

ctx = frame.context()
tr = ctx.tr
blocks.page_header(ctx, "page.data_quality")
st.markdown(tr("dq.intro"))
st.caption(tr("dq.scope"))
if ctx.release is not None:
    # 1–4 in public mode: the release the figures come from (the raw files are for signed-in staff)
    blocks.section(ctx, "dq.release_title", "dq.release_help")
    quality.release(ctx)
else:
    report, quarantine = ctx.report()

    # 1. Rows per raw file: read, cleaned, quarantined, duplicates
    st.subheader(tr("dq.files"))
    quality.files(ctx, report)

    # 2. Why rows were quarantined
    st.subheader(tr("dq.reasons"))
    quality.reasons(ctx, report, quarantine)

    # 3. When each cleaned table was written
    blocks.section(ctx, "dq2.extracts_title", "dq2.extracts_help")
    quality.extracts(ctx, report)

    # 4. Hubs the map cannot place: no coordinates, and a settlement that cannot be found or told apart
    blocks.section(ctx, "dq2.unplaced_title", "dq2.unplaced_help")
    quality.unplaced_hubs(ctx)

# 5. Gaps in the view: hubs that sent no report, regions with no data (these follow the filters)
st.caption(tr("dq2.view_scope"))
blocks.section(ctx, "dq2.silent_title", "dq2.silent_help")
quality.silent_hubs(ctx)
blocks.section(ctx, "dq2.nodata_title", "dq2.nodata_help")
quality.regions_without_data(ctx)

# 6. Signed-in staff: the releases, a draft against the current one, and its approval
if ctx.hub_detail:
    blocks.section(ctx, "dq.releases_title", "dq.releases_help")
    quality.releases(ctx)

# 7. How counts of people are protected
quality.privacy_rule(ctx)
