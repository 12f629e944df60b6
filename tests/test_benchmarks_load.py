"""The load test (`python -m benchmarks.load`): the links its visitors follow, the views its
exporters ask for, its report of a run with exporters from made-up results, and an exporter
against a real server on a release of the fixture extract, making files as a browser makes them."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import zipfile
from urllib.parse import parse_qs

import pytest
from pypdf import PdfReader

from benchmarks import load
from benchmarks.wsclient import Session, ViewResult, widget_key
from dashboard.privacy import Rule
from dashboard.release import catalogue
from dashboard.release.build import build

JUNE_2025 = dt.date(2025, 6, 30)
VINNYTSIA_Q1_2024 = "lang=en&from=2024-01-01&to=2024-03-31&region=UA-05"


def test_visitors_links_carry_codes_not_labels():
    mix = load.view_mix(["UA-05", "UA-32"])
    assert len(mix) == 3 * 4  # the whole country and two regions, four periods each
    for query in mix:
        params = parse_qs(query)
        assert params["lang"][0] in ("uk", "en")
        assert params.get("region", ["UA-05"])[0] in ("UA-05", "UA-32")
        assert params.get("age", ["60_69"]) == ["60_69"]
        assert query.isascii(), query


def test_exporters_ask_for_months_quarters_and_years_that_have_ended_by_the_data_date():
    periods = load.export_periods(JUNE_2025)
    # 2023 and 2024 whole (years, 4 quarters, 12 months each); of 2025 two quarters and six months.
    assert len(periods) == 2 * (1 + 4 + 12) + 2 + 6
    assert len(set(periods)) == len(periods) and all(end <= JUNE_2025 for _start, end in periods)
    for period in [(dt.date(2023, 1, 1), dt.date(2023, 12, 31)), (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
                   (dt.date(2024, 2, 1), dt.date(2024, 2, 29)), (dt.date(2025, 6, 1), dt.date(2025, 6, 30))]:
        assert period in periods
    assert (dt.date(2025, 1, 1), dt.date(2025, 12, 31)) not in periods
    mix = load.export_mix(["UA-05", "UA-32", "UA-30", "UA-46", "UA-53", "UA-63"], JUNE_2025)
    assert len(mix) == len(periods) * (1 + load.EXPORT_REGIONS) * 2
    assert {parse_qs(q).get("region", [""])[0] for q in mix} == {"", "UA-05", "UA-32", "UA-30", "UA-46"}


def test_a_widget_key_is_read_from_its_id():
    assert widget_key("$$ID-0123abcd-export_kit_make") == "export_kit_make"
    assert widget_key("$$ID-0123abcd-UA-05-sheet") == "UA-05-sheet"
    assert widget_key("$$ID-0123abcd-None") is None


def _views(seconds: list[float], page: str = "") -> list[ViewResult]:
    return [ViewResult(page, "", load.WARMUP_S + i, s) for i, s in enumerate(seconds)]


def test_the_report_puts_the_visitors_views_without_and_with_exporters_side_by_side():
    idle = load.LoadResult(2, 60, views=_views([0.5, 0.6, 0.7, 0.8]) + [ViewResult("", "", 1.0, 30.0)])
    busy = load.LoadResult(2, 60, views=_views([1.0, 1.2, 1.4, 1.6]), exporters=4, exports=[
        load.ExportResult("press_kit", "q", 20, 3.0, "made"), load.ExportResult("press_kit", "q", 30, 5.0, "made"),
        load.ExportResult("fact_sheet", "q", 25, 61.0, "busy"),
        load.ExportResult("fact_sheet", "q", 35, 0.1, "failed", errors=["fact_sheet: HTTP 404, b''"])])
    text = load.render_exporters(idle, busy, "one process", "One Streamlit process", (1.0, 3.0), "1")
    lines = text.splitlines()
    # The cold view at 1 s is left out; the rest, nearest-rank: p50 0.6 s against 1.2 s.
    assert "| without exporters | 4 | 600 ms | 800 ms | 800 ms | 800 ms | 800 ms |" in lines
    assert "| with 4 exporters | 4 | 1,200 ms | 1,600 ms | 1,600 ms | 1,600 ms | 1,600 ms |" in lines
    assert "| with ÷ without | | 2.0× | 2.0× | 2.0× | 2.0× | 2.0× |" in lines
    assert "The median page view with exporters is **2.0×** the one without (the aim: at most 2×)." in lines
    assert "| `/` | 600 ms | 1,200 ms | 800 ms | 1,600 ms |" in lines
    assert "| press kit, made on request | 2 | 2.0 | 3,000 ms | 5,000 ms | 5,000 ms |" in lines
    assert "| fact sheet, no turn in time | 1 | 1.0 | 61,000 ms | 61,000 ms | 61,000 ms |" in lines
    assert "| fact sheet, failed | 1 | 1.0 | 100 ms | 100 ms | 100 ms |" in lines
    assert "- errors: 1 — first: [\"fact_sheet: HTTP 404, b''\"]" in lines
    assert "1 at a time per process (DASHBOARD_EXPORT_SLOTS)" in text


# ---- an exporter against a real server ---------------------------------------------------------

@pytest.fixture(scope="module")
def server(clean_dir, tmp_path_factory):
    """One `streamlit run` in public mode on an approved release of the fixture extract (no
    standard files: every file is made on request); (url, pids)."""
    base = tmp_path_factory.mktemp("load")
    releases = base / "releases"
    build(clean_dir, releases, "load", Rule(k=10, noise=2))
    catalogue.approve(releases, "load", "tests@example.org")
    url, pids, stop = load.start_single(load.server_env(clean_dir, releases), base / "streamlit.log")
    yield url, pids
    stop()


async def _export(url: str, queries: list[str]) -> list[list[tuple[load.ExportResult, bytes]]]:
    session = Session(url, load.VIEW_TIMEOUT_S)
    await session.open()
    try:
        return [(await load.export_files(session, query))[1] for query in queries]
    finally:
        await session.close()


def test_an_exporter_clicks_to_make_each_file_and_fetches_it(server):
    url, _pids = server
    first, again = asyncio.run(_export(url, [VINNYTSIA_Q1_2024, VINNYTSIA_Q1_2024]))
    (kit, kit_bytes), (sheet, sheet_bytes) = first
    assert (kit.kind, kit.outcome, kit.errors) == ("press_kit", "made", [])
    assert (sheet.kind, sheet.outcome, sheet.errors) == ("fact_sheet", "made", [])
    names = zipfile.ZipFile(io.BytesIO(kit_bytes)).namelist()
    assert names[0] == "README_en.txt" and "key_figures_en.csv" in names
    text = PdfReader(io.BytesIO(sheet_bytes)).pages[0].extract_text()
    assert text.startswith("Fact sheet: Vinnytsia Oblast") and "1 January 2024 – 31 March 2024" in text
    assert kit.size == len(kit_bytes) and sheet.size == len(sheet_bytes)
    # The same view again: both files were kept, and are offered at once (the same bytes).
    assert [(r.outcome, data) for r, data in again] == [("ready", kit_bytes), ("ready", sheet_bytes)]


def test_a_run_with_an_exporter_counts_the_visitors_views_and_the_files(server):
    url, pids = server
    out = load.run_load(url, pids, 1, 12, (0.2, 0.5), load.view_mix(["UA-05"]), 1,
                        ["lang=uk&from=2024-04-01&to=2024-06-30", "lang=en&from=2022-01-01&to=2022-03-31"])
    assert out.views and not [e for v in out.views for e in v.errors] and not out.connect_errors
    assert out.exports and {f.outcome for f in out.exports} <= {"made", "ready", "empty"}
    assert "made" in {f.outcome for f in out.exports}
    assert all(f.started >= 0 for f in out.exports)
