"""Entry: the shared frame (language, filters, data date), then the page list runs a page."""

import streamlit as st

from dashboard.ui import frame

st.set_page_config(page_title="Digital Education Hubs", page_icon=str(frame.FAVICON), layout="wide")

# Language and filters live here, in the URL, so every page follows them (see frame.PAGES).
ctx = frame.frame()
frame.navigation(ctx).run()
