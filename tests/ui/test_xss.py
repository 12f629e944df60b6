"""Hostile text in every free-text field of the extracts reaches every page as text, never as markup."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import PAGES, elements, run_app
from hostile import build_hostile

# The payloads' markup, unescaped (not preceded by Markdown's backslash escape).
RAW_MARKERS = [re.compile(p) for p in (r"(?<!\\)<img src=x", r"(?<!\\)<script>", r"(?<!\\)\]\(javascript:",
                                         r"(?<!\\)!\[tracker\]", r"(?<!\\)<a href=")]


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    return build_hostile(tmp_path_factory.mktemp("hostile"))


def markdown_sources(at) -> list[str]:
    """Every string a page hands to Streamlit's Markdown renderer (headings, text, captions, alerts,
    the cells and headers of static tables)."""
    kinds = {"title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success"}
    out = []
    for el in elements(at):
        if el.type in kinds:
            out.append(str(el.value))
        if el.type == "metric":
            out += [str(el.label), str(el.help or "")]
        if el.type == "expander":
            out.append(str(el.label))
        if el.type == "table":
            frame = el.value
            out += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    return out


@pytest.mark.parametrize("lang", ["uk", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_hostile_text_is_shown_as_text(hostile_dir, navigation_mode, monkeypatch, page, lang):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(hostile_dir))
    params = {"lang": lang, "from": "2022-01-01", "to": "2025-12-31"}
    at = run_app(params, page=page)
    assert not at.exception, [e.value for e in at.exception]
    for text in markdown_sources(at):
        for marker in RAW_MARKERS:
            assert not marker.search(text), (page, marker.pattern, text[:200])
    for el in elements(at):
        if el.type == "deck_gl_json_chart":
            spec = el.proto.json
            assert "<img" not in json.loads(spec).get("tooltip", {}).get("html", "") if spec else True
