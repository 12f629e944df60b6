"""Test page: stands for hub-level data; guarded for runs that skip the entry file."""

import streamlit as st

from dashboard.ui import auth

auth.guard_page("uk")
st.write("HUB-LEVEL-DATA")
