"""End-to-end tests in headless Chromium against the app under `streamlit run` (marker: browser)."""
