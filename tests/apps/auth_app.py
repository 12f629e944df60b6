"""Test app: the access gate in front of a marker that stands for hub-level data."""

import streamlit as st

from dashboard.ui import auth

MARKER = "HUB-LEVEL-DATA"

lang = st.query_params.get("lang", "uk")
state = auth.gate(lang)
st.write(MARKER)
st.caption(f"access: {state.mode} / {state.status}")
