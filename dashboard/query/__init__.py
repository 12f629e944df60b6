"""Query layer: SQL only, values always bound; `scope` holds what every statement shares, then a module per page."""
