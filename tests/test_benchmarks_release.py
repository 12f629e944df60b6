"""The release benchmark (`python -m benchmarks.release`): its tables from made-up results, and one
page run in public mode on a release of the fixture extract with no extract on disk."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks import load, pagerun, release
from benchmarks import release_report as report
from dashboard.privacy import Rule
from dashboard.release import catalogue
from dashboard.release.build import build
from dashboard.settings import ROOT


def _result(page: str, cold: float, warm: float, filt: float, peak: float, **extra) -> dict:
    return {"page": page, "cold_s": cold, "warm_s": warm, "filter_s": filt, "peak_mb": peak, "problems": [],
            "queries_cold": 0, "queries_warm": 0, "queries_filter": 0, **extra}


def test_the_pages_table_puts_the_sizes_side_by_side_with_the_ratio():
    results = {60_000: [_result("pages/overview.py", 1.0, 0.020, 0.050, 300)],
               1_000_000: [_result("pages/overview.py", 3.0, 0.030, 0.100, 450)]}
    table = report.pages_table([60_000, 1_000_000], results).splitlines()
    assert table[0] == "| page | measure | 60,000 | 1,000,000 | 1,000,000 ÷ 60,000 |"
    assert "| pages/overview.py | cold first run | 1.00 s | 3.00 s | 3.0× |" in table
    assert "| pages/overview.py | warm rerun | 20 ms | 30 ms | 1.5× |" in table
    assert "| pages/overview.py | filter change | 50 ms | 100 ms | 2.0× |" in table
    assert "| pages/overview.py | peak memory | 300 MB | 450 MB | 1.5× |" in table


def test_a_page_missing_at_one_size_is_a_dash_not_a_crash():
    results = {60_000: [_result("pages/map.py", 1.0, 0.02, 0.05, 300)], 1_000_000: []}
    row = [line for line in report.pages_table([60_000, 1_000_000], results).splitlines()
           if "cold first run" in line][0]
    assert row == "| pages/map.py | cold first run | 1.00 s | — | — |"


def test_the_build_tables_give_time_memory_and_rows_per_size():
    builds = [report.BuildCost(60_000, 39.2, 1134.4, {"cells": 88_397, "months": 519_869}, 6.6),
              report.BuildCost(1_000_000, 412.0, 2048.0, {"cells": 90_000, "months": 530_000}, 7.1, measured=False)]
    lines = report.build_table(builds).splitlines()
    assert lines[2] == "| 60,000 | 39.2 s | 1,134 MB | 608,266 | 2 | 6.6 MB |"
    assert lines[3] == "| 1,000,000 (earlier run) | 412.0 s | 2,048 MB | 620,000 | 2 | 7.1 MB |"
    rows = report.table_rows_table(builds).splitlines()
    assert rows[0] == "| table | 60,000 | 1,000,000 |"
    assert "| cells | 88,397 | 90,000 |" in rows


def test_findings_name_errors_and_statements_sent_to_an_extract():
    fine = {60_000: [_result("pages/overview.py", 1, 0.02, 0.05, 300)]}
    assert report.findings([60_000], fine).startswith("No page showed an error")
    bad = {60_000: [_result("pages/exports.py", 1, 0.02, 0.05, 300, problems=["KeyError: 'people'"], queries_cold=4)]}
    text = report.findings([60_000], bad)
    assert "60,000, pages/exports.py: errors: KeyError: 'people'" in text
    assert "60,000, pages/exports.py: 4 statements sent to the extract's store" in text


def test_work_folders_follow_the_tiers_names():
    assert release.name_of(1_000_000) == "tier1-1000000"
    assert release.name_of(10_000_000) == "stress-10000000"
    assert release.name_of(5_000) == "people-5000"


@pytest.fixture(scope="module")
def releases(clean_dir, tmp_path_factory):
    """A releases folder holding an approved release of the fixture extract (named as the benchmark names it)."""
    folder = tmp_path_factory.mktemp("bench") / "releases"
    build(clean_dir, folder, release.RELEASE, Rule(k=10, noise=2))
    catalogue.approve(folder, release.RELEASE, "tests@example.org")
    return folder


def test_the_busiest_regions_and_the_size_are_read_from_the_release(releases):
    regions = release.busiest_regions(releases, 3)
    assert regions and all(code.startswith("UA-") and uk and en for code, uk, en in regions)
    rows, mb = release.release_size(releases / release.RELEASE)
    assert rows["cells"] > 0 and mb > 0


def test_the_servers_of_a_release_run_public_with_no_extract(releases):
    env = load.server_env(releases / "unused", releases)
    assert env["DASHBOARD_MODE"] == "public" and env["DASHBOARD_RELEASES_DIR"] == str(releases)
    missing = releases / pagerun.NO_EXTRACT
    assert env["DASHBOARD_DATA_DIR"] == str(missing) and not missing.exists()


def test_a_page_runs_on_the_release_alone(releases, tmp_path):
    code = release.busiest_regions(releases, 1)[0][0]
    out = tmp_path / "page.json"
    cmd = [sys.executable, "-m", "benchmarks.pagerun", "--page", "pages/overview.py", "--first",
           "--release", str(releases), "--regions", code, "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["problems"] == []
    assert result["queries_cold"] == result["queries_warm"] == result["queries_filter"] == 0
    assert result["cold_s"] > 0 and len(result["filter_runs_s"]) == 1
