"""Data quality page: what each number stands on — cleaning run, raw files, silent hubs, empty regions."""

import streamlit as st

from dashboard import metrics, ui
from dashboard import ui_analytics as ua
from dashboard.privacy import noise_limit, threshold

ctx = ui.context()
tr = ctx.tr
ui.page_header(ctx, "page.data_quality")
st.markdown(tr("dq.intro"))
st.caption(tr("dq.scope"))
report, quarantine = ctx.report()

# 1. Rows per raw file: read, cleaned, quarantined, duplicates
st.subheader(tr("dq.files"))
summary = metrics.file_summary(report)
if not report:
    st.info(tr("dq.no_report"), icon=":material/description:")
elif summary.empty:
    st.info(tr("dq.no_files"))
else:
    totals = {c: tr.number(summary[c].sum()) for c in ("rows_in", "cleaned", "quarantined", "duplicates")}
    st.markdown(tr("dq.totals", **totals))
    summary["table"] = [tr.label_or_code("kind", kind) for kind in summary["table"]]
    ui.table(summary, {"file": "col.file", "table": "col.table", "extract_date": "col.extract_date",
                       "rows_in": "col.rows_in", "cleaned": "col.cleaned", "quarantined": "col.quarantined",
                       "duplicates": "col.duplicates"}, tr)
    unbalanced = metrics.unbalanced_files(summary)
    if unbalanced:
        st.warning(tr("dq.mismatch", files=ui.escape_md(", ".join(unbalanced))))

# 2. Why rows were quarantined
st.subheader(tr("dq.reasons"))
reasons = metrics.quarantine_reasons(report, quarantine)
if reasons.empty:
    st.info(tr("dq.no_reasons"))
else:
    ui.table(reasons, {"file": "col.file", "reason": "col.reason", "rows": "col.rows"}, tr)
    st.caption(tr("dq.reasons_note"))

# 3. When each cleaned table was written
ua.section(ctx, "dq2.extracts_title", "dq2.extracts_help")
ua.extracts(ctx, report)

# 4. Gaps in the view: hubs that sent no report, regions with no data (these follow the filters)
st.caption(tr("dq2.view_scope"))
ua.section(ctx, "dq2.silent_title", "dq2.silent_help")
ua.silent_hubs(ctx)
ua.section(ctx, "dq2.nodata_title", "dq2.nodata_help")
ua.regions_without_data(ctx)

# 5. How counts of people are protected
st.subheader(tr("dq.privacy_title"))
k = threshold()
st.markdown(tr("privacy.rule", k=tr.number(k), k_minus=tr.number(k - 1), d=tr.number(noise_limit())))
