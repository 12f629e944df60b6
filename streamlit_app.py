"""Entry: the shared frame (language, filters, data date), then the page registry runs a page."""

import streamlit as st

from dashboard import ui

st.set_page_config(page_title="Digital Education Hubs", page_icon=":material/school:", layout="wide")

# Language and filters live here, in the URL, so every page follows them (see ui.PAGES).
ctx = ui.frame()
ui.navigation(ctx).run()
