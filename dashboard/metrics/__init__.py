"""Metric layer: pure, frames in and protected frames out (every count of people through `privacy.protect`); a module per page."""
