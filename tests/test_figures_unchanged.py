"""Every figure a user can see or export, recorded once and compared on every run.

The record (tests/golden/) holds, for the fixture extract and for the default demo, every
text, table cell, chart spec and map layer of every page in both languages for a few views,
and every file of the press kit and the fact sheets. A change of code that is meant to leave
what users see alone must leave this record alone; a change that means to alter a figure
rewrites it (`UPDATE_GOLDEN=1 pytest tests/test_figures_unchanged.py`) and the diff shows
exactly which figures moved.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from conftest import PAGES, ROOT, build_clean, elements, run_app, visible_texts

GOLDEN = ROOT / "tests" / "golden"
# The views recorded on each extract: the default, a region, a participant group, the other
# programme (query strings as a user would share them).
VIEWS = {
    "default": {},
    "region": {"region": "UA-05", "from": "2024-01-01", "to": "2024-12-31"},
    "group": {"age": "60_69", "gender": "female"},
    "kemerovo": {"programme": "kem_centres"},
}
# File times on the Data quality page are when the extract was written, not a figure.
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")


def _texts(at) -> list[str]:
    out = [_CLOCK.sub("HH:MM", t) for t in visible_texts(at)]
    for el in elements(at):
        proto = getattr(el, "proto", None)
        if el.type == "vega_lite_chart" or (proto is not None and hasattr(proto, "spec") and hasattr(proto, "datasets")):
            out.append(json.dumps(json.loads(proto.spec), sort_keys=True, ensure_ascii=False))
        elif el.type == "deck_gl_json_chart" or (proto is not None and hasattr(proto, "json") and "layers" in str(getattr(proto, "json", ""))):
            out.append(json.dumps(json.loads(proto.json), sort_keys=True, ensure_ascii=False))
    return out


def _param_values(params: dict, lang: str, folder: Path) -> dict:
    """Query strings carry labels of their language: turn codes into the labels the app writes."""
    from dashboard.i18n import Translator

    tr = Translator(lang)
    out = {"lang": lang}
    for name, value in params.items():
        if name == "region":
            import pandas as pd

            regions = pd.read_parquet(folder / "regions.parquet")
            out[name] = regions.set_index("region_code").loc[value, f"name_{lang}"]
        elif name in ("age", "gender"):
            out[name] = tr.label(name, value)
        else:
            out[name] = value
    return out


def pages_record(folder: Path) -> dict[str, list[str]]:
    """Every page in both languages for every view of VIEWS: what a user reads and what charts draw."""
    record = {}
    for view, params in VIEWS.items():
        for lang in ("uk", "en"):
            for page in PAGES:
                at = run_app(_param_values(params, lang, folder), page=page)
                assert not at.exception, (view, lang, page, at.exception)
                if params.get("programme") and at.selectbox(key="programme").value != params["programme"]:
                    at.selectbox(key="programme").set_value(params["programme"]).run()
                record[f"page/{view}/{lang}/{page}"] = _texts(at)
    return record


def exports_record(folder: Path, tmp: Path) -> dict[str, list[str]]:
    """Every file of the press kit (text files whole, images by their text) and the fact sheets' text."""
    from pypdf import PdfReader

    from dashboard.export.cli import main

    record = {}
    for lang in ("uk", "en"):
        for view, options in {"default": [], "region": ["--region", "UA-05", "--from", "2024-01-01",
                                                       "--to", "2024-12-31"]}.items():
            kit = tmp / f"kit_{view}_{lang}.zip"
            assert main(["presskit", str(kit), "--data-dir", str(folder), "--lang", lang, *options,
                         *sum((["--figure", n] for n in _figure_names()), [])]) == 0
            with zipfile.ZipFile(kit) as z:
                for name in sorted(z.namelist()):
                    if name.endswith((".csv", ".txt", ".svg")):
                        record[f"kit/{view}/{lang}/{name}"] = z.read(name).decode("utf-8-sig").splitlines()
            sheet = tmp / f"sheet_{view}_{lang}.pdf"
            assert main(["factsheet", str(sheet), "--data-dir", str(folder), "--lang", lang, *options]) == 0
            text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(sheet.read_bytes())).pages)
            record[f"factsheet/{view}/{lang}"] = text.splitlines()
    return record


def _figure_names() -> list[str]:
    from dashboard.export.cli import build_parser

    kit = build_parser()._subparsers._group_actions[0].choices["presskit"]
    figure = next(a for a in kit._actions if a.dest == "figure")
    return list(figure.choices)


def _rounded(node: object) -> object:
    if isinstance(node, float):
        return float(f"{node:.9g}")
    if isinstance(node, dict):
        return {k: _rounded(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_rounded(v) for v in node]
    return node


def _unnamed(spec: dict) -> dict:
    # A dataset's name is a hash of its values: compared through the values themselves.
    if isinstance(spec.get("datasets"), dict):
        spec["datasets"] = [spec["datasets"][name] for name in sorted(spec["datasets"])]
    if isinstance(spec.get("data"), dict):
        spec["data"].pop("name", None)
    return spec


def _normal(lines: list[str]) -> list[str]:
    """Chart specs with floats to 9 significant digits: DuckDB's parallel sums of floats (means,
    standard deviations) may differ in the last bits from run to run; nothing shown does."""
    out = []
    for line in lines:
        if line.startswith("{"):
            line = json.dumps(_unnamed(_rounded(json.loads(line))), sort_keys=True, ensure_ascii=False)
        else:
            try:
                line = f"{float(line):.9g}" if "." in line else line
            except ValueError:
                pass
        out.append(line)
    return out


def _compare(name: str, record: dict[str, list[str]]) -> None:
    path = GOLDEN / f"{name}.json.gz"
    if os.environ.get("UPDATE_GOLDEN") or not path.is_file():
        if os.environ.get("CI") and not path.is_file():
            pytest.fail(f"{path.name} is missing: record it with UPDATE_GOLDEN=1")
        GOLDEN.mkdir(exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False, indent=0, sort_keys=True)
        if not os.environ.get("UPDATE_GOLDEN"):
            pytest.skip(f"recorded {path.name}")
        return
    with gzip.open(path, "rt", encoding="utf-8") as inp:
        expected = json.load(inp)
    if os.environ.get("GOLDEN_OUT"):  # where to write what was found, to compare by hand
        with gzip.open(Path(os.environ["GOLDEN_OUT"]) / f"new_{name}.json.gz", "wt", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False, indent=0, sort_keys=True)
    assert sorted(record) == sorted(expected), "the set of pages and files changed"
    changed = [key for key in expected if _normal(record[key]) != _normal(expected[key])]
    details = []
    for key in changed[:5]:
        was, now = expected[key], record[key]
        diff = [f"  - {a[:200]}\n  + {b[:200]}" for a, b in zip(was, now) if a != b][:3]
        details.append(f"{key} ({len(was)} → {len(now)} lines)\n" + "\n".join(diff))
    assert not changed, f"{len(changed)} recorded outputs changed:\n" + "\n".join(details)


@pytest.fixture
def _app(navigation_mode, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "10")
    monkeypatch.setenv("DASHBOARD_NOISE", "2")
    monkeypatch.setenv("DASHBOARD_MODE", "public")


def test_fixture_figures_unchanged(_app, tmp_path, monkeypatch):
    folder = build_clean(tmp_path / "clean")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    record = pages_record(folder) | exports_record(folder, tmp_path)
    _compare("fixture", record)


@pytest.mark.slow
def test_default_demo_figures_unchanged(_app, tmp_path, monkeypatch):
    from dashboard.clean.__main__ import main as clean
    from dashboard.demo.__main__ import main as demo

    raw, folder = tmp_path / "raw", tmp_path / "clean"
    assert demo([str(raw), "--quiet"]) == 0
    monkeypatch.setenv("DASHBOARD_SALT", "figures-unchanged-test-salt")
    assert clean([str(raw), str(folder), "--no-warm"]) == 0
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    record = pages_record(folder) | exports_record(folder, tmp_path)
    _compare("demo", record)
