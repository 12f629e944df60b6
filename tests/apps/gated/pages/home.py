"""Test page: nothing to protect."""

import streamlit as st

st.write("HOME")
