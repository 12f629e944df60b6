"""Test app: an entry file with a pages/ folder; the gate sits between st.navigation and run."""

import streamlit as st

from dashboard.ui import auth

pg = st.navigation([st.Page("pages/home.py", default=True), st.Page("pages/hubs.py")])
auth.gate("uk")
pg.run()
