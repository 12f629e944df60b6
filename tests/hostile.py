"""Test helper: the fixture extract with hostile text in every free-text field (AppTest and browser XSS tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from conftest import build_clean

# Payloads a hub registry, a course title or a region name could carry.
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('xss')</script>",
    "[click me](javascript:alert(1))",
    "![tracker](http://evil.example/pixel.png)",
    "<a href='http://evil.example'>link</a>",
    "=HYPERLINK(\"http://evil.example\")",
]


def region_name(j: int, lang: str) -> str:
    """The hostile name of the j-th region of the fixture extract (regions.parquet order)."""
    return f"{PAYLOADS[(j + (lang == 'en')) % len(PAYLOADS)]} {j}"


def build_hostile(folder: Path) -> Path:
    """Write the fixture extract into `folder`, then put a payload into every free-text field:
    hub name, hromada and settlement; region names (uk, en); course titles; partners; the
    quarantine's detail and raw values."""
    folder = build_clean(folder)
    hubs = pd.read_parquet(folder / "hubs.parquet")
    for i, column in enumerate(("name", "hromada", "settlement")):
        hubs[column] = [PAYLOADS[(i + j) % len(PAYLOADS)] + f" {j}" for j in range(len(hubs))]
    hubs.to_parquet(folder / "hubs.parquet", index=False)
    regions = pd.read_parquet(folder / "regions.parquet")
    regions["name_uk"] = [region_name(j, "uk") for j in range(len(regions))]
    regions["name_en"] = [region_name(j, "en") for j in range(len(regions))]
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
