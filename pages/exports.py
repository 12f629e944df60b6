"""Exports page: every registered chart as PNG, SVG, CSV and XLSX; the press kit; region fact sheets."""

import streamlit as st

from dashboard.metrics.overview import is_empty
from dashboard.ui import blocks, cache, exports, frame

ctx = frame.context()
tr = ctx.tr
blocks.page_header(ctx, "page.exports")
st.markdown(tr("export.intro"))

# 1. Nothing to export for an empty selection: say what to widen
if is_empty(cache.counts(ctx)):
    blocks.no_data(ctx)
    st.stop()

# 2. The language of the files and the charts to offer
lang, names = exports.choices(ctx)
if not names:
    st.info(tr("export.none_chosen"), icon=":material/info:")

# 3. Each chart: PNG, SVG, CSV, XLSX and a preview
for name in names:
    exports.figure_row(ctx, name, lang)

# 4. Everything chosen in one ZIP, with the headline figures in words
exports.press_kit(ctx, names, lang)

# 5. One page per region (or the whole country) for ministry officials
exports.fact_sheet(ctx, lang)
blocks.privacy_note(ctx)
