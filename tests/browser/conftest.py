"""Browser-test fixtures: a non-trivial cleaned extract, the app under `streamlit run`, headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import driver

# Enough people that every region has counts above the suppression threshold, small enough
# to generate and clean in a few seconds.
DEMO_PEOPLE = 3000
RAW_SAMPLES = driver.ROOT / "tests" / "fixtures" / "raw_samples"
SALT = "test"  # the demo's people are invented; a fixed salt keeps the run reproducible


@dataclass(frozen=True)
class AppPage:
    """A registered page (dashboard.ui.PAGES): its file, catalogue key and where it is served."""

    path: str
    key: str
    icon: str
    url_path: str  # "" for the first page, which is served at "/"

    @property
    def name(self) -> str:
        return Path(self.path).stem


def registered_pages() -> list[AppPage]:
    """Every page of the app, read from the registry, so a new page is covered without edits here."""
    from dashboard import ui

    return [AppPage(path, key, icon, "" if i == 0 else Path(path).stem)
            for i, (path, key, icon) in enumerate(ui.PAGES)]


_passed = {"browser": 0}


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and "browser" in report.keywords:
        _passed["browser"] += 1


def pytest_sessionfinish(session, exitstatus):
    """In CI (CI=true), a run that collected the browser tests but ran none of them fails."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and exitstatus == 0 and not _passed["browser"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nCI: no browser test ran (deselected or skipped); CI must run them for real.")


@pytest.fixture(scope="session")
def browser_data(tmp_path_factory) -> Path:
    """A cleaned extract of the committed raw samples plus a seeded demo of DEMO_PEOPLE people."""
    base = tmp_path_factory.mktemp("browser_data")
    raw, clean = base / "raw", base / "clean"
    env = {**os.environ, "DASHBOARD_SALT": SALT}
    subprocess.run([sys.executable, "-m", "dashboard.demo", str(raw), "--people", str(DEMO_PEOPLE), "--quiet"],
                   cwd=driver.ROOT, env=env, check=True, capture_output=True, timeout=120)
    for sample in RAW_SAMPLES.iterdir():
        shutil.copy(sample, raw / sample.name)
    # The whole-country views answered at cleaning time, as a deployment has them; regions run live.
    subprocess.run([sys.executable, "-m", "dashboard.clean", str(raw), str(clean), "--quiet", "--warm-country-only"],
                   cwd=driver.ROOT, env=env, check=True, capture_output=True, timeout=600)
    return clean


@pytest.fixture(scope="session")
def busy_region(browser_data) -> dict[str, str]:
    """The region of the default programme with the most participants: {"code", "uk", "en"}."""
    import duckdb

    from dashboard.filters import DEFAULT_PROGRAMME

    con = duckdb.connect()
    try:
        row = con.execute(
            "SELECT r.region_code, r.name_uk, r.name_en FROM read_parquet(?) p "
            "JOIN read_parquet(?) r USING (region_code) WHERE p.programme = ? "
            "GROUP BY ALL ORDER BY count(*) DESC, 1 LIMIT 1",
            [str(browser_data / "participants.parquet"), str(browser_data / "regions.parquet"), DEFAULT_PROGRAMME],
        ).fetchall()[0]
    finally:
        con.close()
    return {"code": row[0], "uk": row[1], "en": row[2]}


@pytest.fixture(scope="session")
def server(browser_data, tmp_path_factory):
    """The app under `streamlit run` on a free loopback port, stopped at the end of the session."""
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    running = driver.start_server(browser_data, log)
    yield running
    running.stop()


@pytest.fixture(scope="package")
def chromium():
    """Debian's Chromium, headless, through Playwright (never a downloaded browser).

    Package scope: Playwright's sync API must be stopped before other tests (the sign-in tests
    in tests/test_auth.py) start their own.
    """
    from playwright.sync_api import sync_playwright

    if not Path(driver.CHROMIUM).exists():
        pytest.fail(f"{driver.CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=driver.CHROMIUM, args=driver.CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium, server):
    """A fresh browser context and page (no cookies, no state), with uncaught page errors collected."""
    context = chromium.new_context(viewport=driver.VIEWPORT, accept_downloads=True)
    context.set_default_timeout(driver.PAINT_TIMEOUT_MS)
    page = context.new_page()
    page.page_errors = []
    page.on("pageerror", lambda exc: page.page_errors.append(str(exc)))
    yield page
    context.close()
