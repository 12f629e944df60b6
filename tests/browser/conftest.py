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
    """A registered page (dashboard.ui.frame.PAGES): its file, catalogue key and where it is served."""

    path: str
    key: str
    icon: str
    url_path: str  # "" for the first page, which is served at "/"

    @property
    def name(self) -> str:
        return Path(self.path).stem


def registered_pages() -> list[AppPage]:
    """Every page of the app, read from the registry, so a new page is covered without edits here."""
    from dashboard.ui import frame

    return [AppPage(path, key, icon, "" if i == 0 else Path(path).stem)
            for i, (path, key, icon) in enumerate(frame.PAGES)]


class BrowserGate:
    """In CI, every selected browser test must pass: a skip, xfail, error or test left unrun fails the run.

    Outside CI a skip is fine (a developer machine without Chromium). A plugin object rather than
    hooks of this conftest: pytest hands a test's reports only to the conftest files above it,
    and browser tests live outside this folder too (tests/test_auth.py).
    """

    def __init__(self) -> None:
        self.selected: list[str] = []
        self.deselected = 0
        self.passed: set[str] = set()
        self.outcomes: dict[str, str] = {}  # node id → first outcome other than a pass
        self.problems: list[str] = []

    def pytest_deselected(self, items):
        self.deselected += sum(1 for item in items if item.get_closest_marker("browser"))

    def pytest_collection_finish(self, session):
        self.selected = [item.nodeid for item in session.items if item.get_closest_marker("browser")]

    def pytest_runtest_logreport(self, report):
        if "browser" not in report.keywords:
            return
        # An expected failure is not a pass here, even when it happens to pass (xpass).
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        elif report.failed:
            outcome = "failed" if report.when == "call" else f"error in {report.when}"
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            outcome = f"skipped ({reason.removeprefix('Skipped: ')})"
        else:  # passed; only the call of the test itself counts as its pass
            if report.when == "call":
                self.passed.add(report.nodeid)
            return
        self.outcomes.setdefault(report.nodeid, outcome)

    def pytest_sessionfinish(self, session, exitstatus):
        self.problems = [f"{node}: {self.outcomes.get(node, 'not run')}" for node in self.selected
                         if node in self.outcomes or node not in self.passed]
        if not self.selected and self.deselected:
            self.problems.append(f"all {self.deselected} browser tests were deselected")
        if self.problems and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if self.problems:
            terminalreporter.section("CI: browser tests that did not pass", sep="=", red=True, bold=True)
            for line in self.problems:
                terminalreporter.line(line)
            terminalreporter.line("CI (the CI variable is set) must run every browser test for real.")


def pytest_configure(config):
    """In CI (the CI variable set to anything), fail the run unless every selected browser test passed."""
    if os.environ.get("CI") and not config.pluginmanager.has_plugin("browser-gate"):
        config.pluginmanager.register(BrowserGate(), "browser-gate")


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
    # The public pages read an approved release of it, as a public deployment does (driver.start_server).
    releases = driver.releases_of(clean)
    subprocess.run([sys.executable, "-m", "dashboard.release", str(clean), str(releases), "--name", "browser"],
                   cwd=driver.ROOT, env=env, check=True, capture_output=True, timeout=600)
    # Without its standard files (minutes on two cores): the Exports page then makes its files on
    # request, and the standard files are tested on their own (tests/release/test_standard_files.py).
    subprocess.run([sys.executable, "-m", "dashboard.release", "--approve", "browser", str(releases), "--by", "tests",
                    "--no-files"],
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
