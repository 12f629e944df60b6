"""Presentation layer: the only Streamlit importers besides `pages/` and the entry file; a module per page."""
