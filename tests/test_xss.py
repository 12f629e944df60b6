"""Hostile text in every free-text field of the extracts reaches every page as text, never as markup."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import PAGES, build_clean, elements, run_app

# Payloads a hub registry, a course title or a region name could carry.
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('xss')</script>",
    "[click me](javascript:alert(1))",
    "![tracker](http://evil.example/pixel.png)",
    "<a href='http://evil.example'>link</a>",
    "=HYPERLINK(\"http://evil.example\")",
]
# The payloads' markup, unescaped (not preceded by Markdown's backslash escape).
RAW_MARKERS = [re.compile(p) for p in (r"(?<!\\)<img src=x", r"(?<!\\)<script>", r"(?<!\\)\]\(javascript:",
                                         r"(?<!\\)!\[tracker\]", r"(?<!\\)<a href=")]


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    folder = build_clean(tmp_path_factory.mktemp("hostile"))
    hubs = pd.read_parquet(folder / "hubs.parquet")
    for i, column in enumerate(("name", "hromada", "settlement")):
        hubs[column] = [PAYLOADS[(i + j) % len(PAYLOADS)] + f" {j}" for j in range(len(hubs))]
    hubs.to_parquet(folder / "hubs.parquet", index=False)
    regions = pd.read_parquet(folder / "regions.parquet")
    regions["name_uk"] = [f"{PAYLOADS[j % len(PAYLOADS)]} {j}" for j in range(len(regions))]
    regions["name_en"] = [f"{PAYLOADS[(j + 1) % len(PAYLOADS)]} {j}" for j in range(len(regions))]
    regions.to_parquet(folder / "regions.parquet", index=False)
    acts = pd.read_parquet(folder / "activities.parquet")
    acts["course"] = [PAYLOADS[j % len(PAYLOADS)] for j in range(len(acts))]
    acts.to_parquet(folder / "activities.parquet", index=False)
    partners = pd.read_parquet(folder / "partners.parquet")
    partners["partner"] = PAYLOADS[0]
    partners.to_parquet(folder / "partners.parquet", index=False)
    quarantine = pd.read_parquet(folder / "quarantine.parquet")
    quarantine["detail"] = PAYLOADS[1]
    quarantine["raw"] = json.dumps({"name": PAYLOADS[0]})
    quarantine.to_parquet(folder / "quarantine.parquet", index=False)
    return folder


def markdown_sources(at) -> list[str]:
    """Every string a page hands to Streamlit's Markdown renderer (headings, text, captions, alerts)."""
    kinds = {"title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success"}
    out = []
    for el in elements(at):
        if el.type in kinds:
            out.append(str(el.value))
        if el.type == "metric":
            out += [str(el.label), str(el.help or "")]
        if el.type == "expander":
            out.append(str(el.label))
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
