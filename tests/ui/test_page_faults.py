"""What every page shows when the data under it is broken (AppTest): a damaged or deleted
query-ready copy is rebuilt and the page shows its figures; an unreadable quarantine costs only
the Data quality page one warning; a deleted extract folder gives the page that says what to run;
a publication interrupted between its renames is undone when the app starts; any other fault ends
the page with one message. Never a traceback, never a server path: the details go to the log."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PAGES, ROOT, build_clean, run_app, visible_texts
from page_tools import cards, internal_mode, rows, table_under

from dashboard.clean.pipeline import run
from dashboard.i18n import Translator
from dashboard.store import prepared, versions
from dashboard.store.database import Database

# These tests check the message a failed page shows: its exception is not re-raised.
pytestmark = pytest.mark.shows_page_faults

SAMPLES = ROOT / "tests" / "fixtures" / "raw_samples"
CLEAN_SALT = b"test-salt"


@pytest.fixture(autouse=True)
def _navigation(navigation_mode, monkeypatch):
    # The extract's faults are met by the live figures of internal mode; public mode reads a
    # release, whose faults tests/release covers.
    internal_mode(monkeypatch)
    return navigation_mode


@pytest.fixture
def extract(tmp_path, monkeypatch) -> Path:
    """A copy of the fixture extract with its query-ready copies, served by the app."""
    folder = build_clean(tmp_path / "clean")
    Database(folder).close()
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    return folder


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def shows_no_internals(at, tmp_path: Path) -> None:
    """No exception element, and no text on screen with a traceback or a path of this server."""
    assert not at.exception, [e.value for e in at.exception]
    for text in visible_texts(at):
        assert "Traceback" not in text and 'File "' not in text, text
        assert str(tmp_path) not in text and str(ROOT) not in text, text


def title(at) -> str:
    return at.title[0].value if at.title else ""


# ---- damaged query-ready copies: rebuilt, every page shows its figures ------------------------

def last_part(folder: Path) -> Path:
    """The last part file of the query-ready activities (part-00005 on the demo, part-00003 here)."""
    return sorted((prepared.location(folder) / "activities").glob("part-*.parquet"))[-1]


def break_copies(folder: Path, fault: str) -> None:
    if fault == "truncated part file":
        truncate(last_part(folder))
    else:
        shutil.rmtree(folder / prepared.QUERY_DIR)


@pytest.mark.parametrize("fault", ["truncated part file", "deleted _query"])
@pytest.mark.parametrize("page", list(PAGES))
def test_a_damaged_query_ready_copy_is_rebuilt_on_every_page(extract, tmp_path, fault, page):
    healthy = run_app({"lang": "en"}, page=page)
    assert not healthy.exception and not healthy.error
    break_copies(extract, fault)
    at = run_app({"lang": "en"}, page=page)
    shows_no_internals(at, tmp_path)
    assert title(at) == Translator("en")(f"page.{page}")
    assert not at.error
    assert cards(at) == cards(healthy)
    assert prepared.intact(prepared.location(extract))


def test_a_copy_damaged_while_the_app_serves_it_is_rebuilt(extract, tmp_path):
    """The same Database goes on serving: the copy under it is rebuilt when a statement fails."""
    healthy = run_app({"lang": "en", "region": "Kyiv Oblast"}, page="participation")
    db = Database(extract)
    try:
        truncate(last_part(extract))
        db.execute("SELECT count(DISTINCT person_id) FROM activities")
    finally:
        db.close()
    at = run_app({"lang": "en", "region": "Kyiv Oblast"}, page="participation")
    shows_no_internals(at, tmp_path)
    assert cards(at) == cards(healthy) and not at.error


# ---- an unreadable quarantine: only the Data quality page says so --------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_a_truncated_quarantine_affects_only_the_data_quality_page(extract, tmp_path, page):
    healthy = run_app({"lang": "en"}, page=page)
    truncate(extract / "quarantine.parquet")
    at = run_app({"lang": "en"}, page=page)
    shows_no_internals(at, tmp_path)
    tr = Translator("en")
    assert title(at) == tr(f"page.{page}") and not at.error
    notice = tr("fault.quarantine", file="quarantine.parquet")
    if page == "data_quality":
        assert [w.value for w in at.warning] == [notice]
        # The reasons come from the cleaning report: the same counts as from the quarantine.
        heading = tr("dq.reasons")
        assert sorted(rows(table_under(at, heading))) == sorted(rows(table_under(healthy, heading)))
    else:
        assert notice not in [w.value for w in at.warning]
        assert cards(at) == cards(healthy)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_the_quarantine_notice_is_in_the_page_language(extract, tmp_path, lang):
    truncate(extract / "quarantine.parquet")
    at = run_app({"lang": lang}, page="data_quality")
    shows_no_internals(at, tmp_path)
    assert [w.value for w in at.warning] == [Translator(lang)("fault.quarantine", file="quarantine.parquet")]
    # What the operator should do, without a command line on the page (the README has it).
    assert "README" in at.warning[0].value and "python -m" not in at.warning[0].value


# ---- no extract: the page that says what to run, without the server's path ----------------------

@pytest.mark.parametrize("lang", ["uk", "en"])
@pytest.mark.parametrize("page", ["overview", "skills", "data_quality"])
def test_an_extract_folder_deleted_between_runs(extract, tmp_path, page, lang):
    assert not run_app({"lang": lang}, page=page).exception
    shutil.rmtree(extract)
    at = run_app({"lang": lang}, page=page)
    shows_no_internals(at, tmp_path)
    tr = Translator(lang)
    assert title(at) == tr("missing.title")
    assert at.error[0].value == tr("missing.body_setting", problem=tr("missing.folder_not_found"))
    assert "python -m dashboard.clean RAW CLEAN" in " ".join(m.value for m in at.markdown)


def test_a_version_folder_deleted_under_its_link_then_a_new_run(tmp_path, monkeypatch):
    clean = tmp_path / "data" / "clean"
    run(SAMPLES, clean, CLEAN_SALT, progress=False)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(clean))
    assert title(run_app({"lang": "en"})) == Translator("en")("page.overview")
    shutil.rmtree(clean.resolve())  # the link is left pointing nowhere
    at = run_app({"lang": "en"})
    shows_no_internals(at, tmp_path)
    assert title(at) == Translator("en")("missing.title")
    run(SAMPLES, clean, CLEAN_SALT, progress=False)  # the operator runs the cleaning again
    at = run_app({"lang": "en"})
    shows_no_internals(at, tmp_path)
    assert title(at) == Translator("en")("page.overview") and at.metric


@pytest.mark.parametrize("broken, named", [("hubs.parquet", "hubs.parquet"), ("regions.parquet", "regions.parquet")])
def test_an_unreadable_core_table_is_named_without_a_path(extract, tmp_path, broken, named):
    truncate(extract / broken)
    at = run_app({"lang": "en"})
    shows_no_internals(at, tmp_path)
    tr = Translator("en")
    assert at.error[0].value == tr("missing.body_setting", problem=tr("missing.tables_unreadable", tables=named))


# ---- a publication interrupted between its renames: undone when the app starts -----------------

def test_an_interrupted_publication_is_undone_at_app_start(extract, tmp_path, monkeypatch):
    healthy = run_app({"lang": "en"})
    done, real = [], versions.rename

    def rename(src, dst):  # the crash: every rename after the first two fails
        if len(done) >= 2:
            raise OSError(5, "injected fault between the renames of a publication")
        done.append(dst)
        real(src, dst)

    with monkeypatch.context() as m:
        m.setattr(versions, "rename", rename)
        with pytest.raises(OSError, match="injected fault"):
            run(SAMPLES, extract, CLEAN_SALT, progress=False)
    assert not extract.exists()  # the extract folder is gone: moved aside, the link never made
    at = run_app({"lang": "en"})
    shows_no_internals(at, tmp_path)
    assert extract.is_dir() and not extract.is_symlink()  # the previous extract is back
    assert title(at) == Translator("en")("page.overview") and cards(at) == cards(healthy)


# ---- any other fault of a page: one message, the details in the log -----------------------------

class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_a_fault_in_a_page_ends_it_with_one_message(extract, tmp_path, monkeypatch, lang):
    original = Database.execute

    def execute(self, sql, params=()):
        if "assessments" in sql:  # the Skills page's statements
            raise duckdb.IOException(f"IO Error: Cannot open file \"{tmp_path}/clean/assessments.parquet\"")
        return original(self, sql, params)

    monkeypatch.setattr(Database, "execute", execute)
    handler = Records()
    logger = logging.getLogger("dashboard")
    logger.addHandler(handler)
    try:
        at = run_app({"lang": lang}, page="skills")
    finally:
        logger.removeHandler(handler)
    shows_no_internals(at, tmp_path)
    tr = Translator(lang)
    assert title(at) == tr("page.skills")
    assert [e.value for e in at.error] == [tr("fault.page")]
    assert any(r.exc_info and str(tmp_path) in str(r.exc_info[1]) for r in handler.records)  # for the operator
    other = run_app({"lang": lang}, page="network")
    shows_no_internals(other, tmp_path)
    assert not other.error


def test_a_fault_in_the_filter_frame_gives_the_setup_page(extract, tmp_path, monkeypatch):
    original = Database.execute

    def execute(self, sql, params=()):
        if "FROM regions" in sql:
            raise duckdb.IOException(f"IO Error: Cannot open file \"{tmp_path}/clean/regions.parquet\"")
        return original(self, sql, params)

    monkeypatch.setattr(Database, "execute", execute)
    at = run_app({"lang": "en"})
    shows_no_internals(at, tmp_path)
    tr = Translator("en")
    assert title(at) == tr("missing.title")
    assert at.error[0].value == tr("missing.body_setting", problem=tr("missing.unreadable"))


# ---- a new cleaning run published while a page runs: the page finishes on the extract it began on ---

def test_a_page_running_across_a_new_cleaning_run_finishes_on_its_extract(tmp_path, monkeypatch):
    import streamlit as st

    from dashboard.metrics import network

    clean = tmp_path / "data" / "clean"
    run(SAMPLES, clean, CLEAN_SALT, progress=False)
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    (raw / "waitlist_sample.csv").unlink()  # the next extract has no waiting list
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(clean))
    params = {"lang": "en", "programme": "Computer literacy centres (Kemerovo Oblast)",
              "from": "2012-01-01", "to": "2012-12-31"}
    before = run_app(params, page="network")
    shows_no_internals(before, tmp_path)
    first = clean.resolve()

    original, published = network.compute_network_years, []

    def publish_meanwhile(*args, **kwargs):  # the page has begun: now the new extract is published
        if not published:
            run(raw, clean, CLEAN_SALT, progress=False)
            published.append(clean.resolve())
        return original(*args, **kwargs)

    monkeypatch.setattr(network, "compute_network_years", publish_meanwhile)
    st.cache_data.clear()  # the figures are computed again, on the connection the run began with
    during = run_app(params, page="network")
    shows_no_internals(during, tmp_path)
    assert not during.error
    assert published and published[0] != first
    assert visible_texts(during) == visible_texts(before)  # all of it from the extract it began on
    after = run_app(params, page="network")  # the next run reads the new extract
    shows_no_internals(after, tmp_path)
    assert visible_texts(after) != visible_texts(before)
