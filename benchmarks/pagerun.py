"""Benchmark worker: one page's script runs (cold, warm, filter changes) in a fresh process, as JSON.

Run by `python -m benchmarks` once per page, so every page starts cold: nothing imported by the
app yet, no Streamlit cache, no DuckDB connection. The script runs through Streamlit's AppTest
(the same ScriptRunner the server uses, without a browser). Every statement the page sends to
`store.database.Database.execute` is recorded and, after the page runs, replayed on a fresh connection:
that replay is the raw DuckDB time of the page's aggregates, half of the floor.

With `--release RELEASES_DIR` the page runs as the public side does: public mode on the releases
folder's current release, and DASHBOARD_DATA_DIR pointing at a folder that does not exist, so no
person-level file can be read; nothing is replayed (a release is read without store.database, so
any statement recorded there is the page reaching for an extract).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
WARM_RUNS = 3  # reruns of an unchanged view; the median is reported
REPLAYS = 3  # passes of the DuckDB replay on the fresh connection; the fastest is reported (--replays)
TIMEOUT_S = 900  # one script run at the stress tier may take minutes; AppTest's default is 3 s
BARE_SCRIPT = "import streamlit as st\nst.write('hello')\n"
NO_EXTRACT = ".no-extract-here"  # with --release: DASHBOARD_DATA_DIR, inside the releases folder, never created


class Recorder:
    """Wraps store.database.Database.execute: keeps (sql, params) and seconds of every statement."""

    def __init__(self):
        from dashboard.store import database as query

        self.calls: list[tuple[str, list, float]] = []
        original = query.Database.execute

        def execute(db, sql, params=()):
            start = time.perf_counter()
            try:
                return original(db, sql, params)
            finally:
                self.calls.append((sql, list(params), time.perf_counter() - start))

        query.Database.execute = execute
        self._original = original

    def take(self) -> list[tuple[str, list, float]]:
        calls, self.calls = self.calls, []
        return calls

    def replay(self, folder: Path | None, calls: list[tuple[str, list, float]], passes: int = REPLAYS) -> float:
        """Seconds to run `calls` on a fresh Database (fastest of `passes`), without Streamlit; 0
        without a `folder` (a release) or calls."""
        from dashboard.store import database as query

        if folder is None or not calls:
            return 0.0
        db = query.Database(folder)
        try:
            times = []
            for _ in range(passes):
                start = time.perf_counter()
                for sql, params, _seconds in calls:
                    self._original(db, sql, params)
                times.append(time.perf_counter() - start)
        finally:
            db.close()
        return min(times)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    return time.perf_counter() - start


def _problems(at) -> list[str]:
    return [str(e.value)[:300] for e in at.exception] + [str(e.value)[:300] for e in at.error]


def navigation_mode() -> None:
    """Keep AppTest in st.navigation mode (it would run a page file alone otherwise; streamlit #9446).

    Patches AppTest's PagesManager for the rest of this worker process, which measures one page
    and exits (the tests use their own `navigation_mode` fixture, undone after each test).
    """
    from streamlit.runtime import pages_manager
    from streamlit.testing.v1 import app_test

    base = pages_manager.PagesManager

    class NavigationPagesManager(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            base.uses_pages_directory = False

    app_test.PagesManager = NavigationPagesManager


def measure_page(page: str, first: bool, folder: Path | None, regions: list[str], replays: int = REPLAYS) -> dict:
    """Cold first run, warm reruns and one filter change per region, with query and memory figures."""
    from streamlit.testing.v1 import AppTest

    navigation_mode()
    recorder = Recorder()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    if not first:
        at.switch_page(page)
    cold = _timed_run(at)
    problems = _problems(at)
    default_calls = recorder.take()
    rss_after_cold = _peak_mb()
    warm = [_timed_run(at) for _ in range(WARM_RUNS)]
    warm_calls = recorder.take()
    filters, filter_calls = [], []
    for code in regions:
        at.multiselect(key="region").set_value([code])
        filters.append(_timed_run(at))
        problems += _problems(at)
        filter_calls.append(recorder.take())
    peak = _peak_mb()
    db_default = recorder.replay(folder, default_calls, replays)
    db_filters = [recorder.replay(folder, calls, replays) for calls in filter_calls]
    return {
        "page": page,
        "cold_s": cold,
        "warm_s": statistics.median(warm),
        "filter_s": statistics.median(filters) if filters else None,
        "filter_runs_s": filters,
        "queries_cold": len(default_calls),
        "queries_warm": len(warm_calls),
        "queries_filter": statistics.median(len(c) for c in filter_calls) if filter_calls else 0,
        "page_db_cold_s": sum(c[2] for c in default_calls),
        "page_db_filter_s": statistics.median(sum(c[2] for c in calls) for calls in filter_calls) if filter_calls else 0,
        "floor_db_default_s": db_default,
        "floor_db_filter_s": statistics.median(db_filters) if db_filters else 0.0,
        "rss_after_cold_mb": rss_after_cold,
        "peak_mb": peak,
        "problems": problems,
    }


def measure_bare() -> dict:
    """The Streamlit floor: a one-line `st.write` script, cold and warm, through the same AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(BARE_SCRIPT, default_timeout=TIMEOUT_S)
    cold = _timed_run(at)
    warm = [_timed_run(at) for _ in range(max(WARM_RUNS, 10))]
    return {"page": "bare st.write", "cold_s": cold, "warm_s": statistics.median(warm), "peak_mb": _peak_mb()}


def public_settings(releases: Path) -> dict[str, str]:
    """The settings of a public deployment on the releases folder, with no extract anywhere."""
    missing = releases / NO_EXTRACT
    if missing.exists():
        raise SystemExit(f"{missing} exists: it must not, so that no extract can be read")
    return {"DASHBOARD_MODE": "public", "DASHBOARD_RELEASES_DIR": str(releases), "DASHBOARD_DATA_DIR": str(missing)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", help="page file (ui.PAGES path); omit for the bare-script floor")
    parser.add_argument("--first", action="store_true", help="the page is the default one (served at /)")
    parser.add_argument("--data", type=Path, help="cleaned extract folder")
    parser.add_argument("--release", type=Path,
                        help="releases folder instead of --data: public mode on its current release, no extract")
    parser.add_argument("--regions", default="", help="comma-separated region codes to filter to, one run each")
    parser.add_argument("--replays", type=int, default=REPLAYS, help="passes of the DuckDB replay (fastest counts)")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.page:
        os.environ.update(public_settings(args.release) if args.release else {"DASHBOARD_DATA_DIR": str(args.data)})
        regions = [r for r in args.regions.split(",") if r]
        result = measure_page(args.page, args.first, None if args.release else args.data, regions, args.replays)
    else:
        result = measure_bare()
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
