"""Test fixtures: a tiny cleaned extract with known answers, validated against the contract."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard import contract

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--reverse-order", action="store_true",
                     help="run the collected tests last to first (shows that no test depends on another's leftovers)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--reverse-order"):
        items.reverse()


@pytest.fixture(autouse=True)
def _page_faults_fail_the_test(request, monkeypatch):
    """A page that fails shows users one message (ui.frame.GuardedPage); in a test it fails the
    test instead (AppTest's `at.exception`), unless the test is about that message."""
    if request.node.get_closest_marker("shows_page_faults"):
        return
    from dashboard.ui import frame

    def fail() -> None:
        raise  # the page's own exception, which GuardedPage is handling

    monkeypatch.setattr(frame, "page_fault", fail)
DATA_DATE = "2025-06-30"
D = dt.date

REGIONS = [
    # code, country, name_uk, name_en, population, public libraries
    ("UA-05", "UA", "Вінницька область", "Vinnytsia Oblast", 1_500_000, 40),
    ("UA-32", "UA", "Київська область", "Kyiv Oblast", 1_780_000, 60),
    ("UA-30", "UA", "Київ", "Kyiv", 2_950_000, 20),
    ("UA-46", "UA", "Львівська область", "Lviv Oblast", 2_480_000, 30),
    ("RU-KEM", "RU", "Кемеровська область", "Kemerovo Oblast", 2_600_000, 10),
]
HUBS = [
    # hub_id, programme, name, institution_type, region, settlement_type, joined_on, status
    ("ХЦО-00001", "ua_hubs", "Брацлавська публічна бібліотека", "public_library", "UA-05", "town", D(2022, 10, 3), "active"),
    ("ХЦО-00002", "ua_hubs", "Бібліотека-філія с. Мар’янівка", "library_branch", "UA-05", "village", D(2023, 11, 17), "active"),
    ("ХЦО-00003", "ua_hubs", "ЦНАП <b>Бровари</b>", "cnap", "UA-32", "city", D(2024, 2, 1), "active"),
    ("ХЦО-00004", "ua_hubs", "Сільська бібліотека", "public_library", "UA-32", "village", D(2024, 6, 1), "closed"),
    ("ХЦО-00005", "ua_hubs", "Центральна бібліотека \"Світоч\"", "public_library", "UA-30", "city", D(2025, 1, 15), "active"),
    ("TK-001", "kem_centres", "Кемеровская областная научная библиотека", "public_library", "RU-KEM", "city", D(2010, 3, 1), "active"),
]
# Groups of people: (prefix, size, hub of first activity, programme, age, gender, settlement,
# employment, disability, displaced, [(date, hub, topic, format), ...]).
GROUPS = [
    ("A", 12, "ХЦО-00001", "ua_hubs", "60_69", "female", "village", "retired", "no", "no",
     [(D(2024, 3, 12), "ХЦО-00001", "seniors_basics", "group")]),
    ("B", 8, "ХЦО-00003", "ua_hubs", "25_44", "male", "city", "employed", "no", "no",
     [(D(2024, 3, 20), "ХЦО-00003", "e_services", "individual"),
      (D(2024, 4, 17), "ХЦО-00003", "e_services", "individual")]),
    ("C", 5, "ХЦО-00002", "ua_hubs", "45_59", "female", "town", "unemployed", "no", "yes",
     [(D(2023, 11, 15), "ХЦО-00002", "basic_skills", "group")]),
    # One person with several activities in two regions and two years.
    ("P", 1, "ХЦО-00001", "ua_hubs", "70_plus", "male", "village", "retired", "yes", "no",
     [(D(2023, 12, 5), "ХЦО-00001", "basic_skills", "group"),
      (D(2024, 3, 10), "ХЦО-00001", "seniors_basics", "group"),
      (D(2024, 5, 20), "ХЦО-00003", "cybersecurity", "individual")]),
    ("D", 15, "ХЦО-00003", "ua_hubs", "70_plus", "female", "village", "retired", "yes", "no",
     [(D(2025, 2, 11), "ХЦО-00003", "e_services", "online")]),
    ("K", 3, "TK-001", "kem_centres", "45_59", "female", "city", "employed", "no", "no",
     [(D(2012, 5, 15), "TK-001", "basic_skills", "group")]),
]
# Overall self-ratings: prefix -> (pre score, [post score per person, None = no post rating]).
SELF_RATINGS = {
    "A": (3, [8] * 10 + [None, None]),
    "B": (5, [6, 6, 6, 9, 9, 9, 9, 9]),
    "C": (4, [7] * 5),
    "P": (6, [7]),
}
TRAININGS = [
    # group_id, level, region, start, end, enrolled, completed, phase
    ("T-2022-01", "trainer", "UA-05", D(2022, 10, 17), D(2022, 10, 21), 2, 2, "2022–2023"),
    ("K-2023-014", "coordinator", "UA-05", D(2023, 3, 6), D(2023, 3, 10), 25, 23, "2022–2023"),
    ("K-2024-031", "coordinator", "UA-05", D(2024, 4, 8), D(2024, 4, 12), 30, 21, "2024"),
    ("K-2024-032", "coordinator", "UA-32", D(2024, 4, 15), D(2024, 4, 19), 28, None, "2024"),
    ("K-2024-040", "coordinator", "UA-32", D(2024, 9, 2), D(2024, 9, 6), 12, 8, "2024"),
    ("T-2024-02", "trainer", "UA-32", D(2024, 5, 6), D(2024, 5, 10), 5, 5, "2024"),
    ("K-2025-001", "coordinator", "UA-30", D(2025, 3, 3), D(2025, 3, 7), 15, 14, "2025"),
]
TARGETS = [
    # region (None = the programme as a whole), period, indicator, target, source. The data date
    # (30 June 2025) is day 181 of 365 of 2025, so 181/365 of a 2025 count target is due by then.
    (None, "year:2024", "people", 30, "Grant agreement"),      # 21 people in 2024: 70%, off track
    ("UA-05", "year:2024", "people", 10, "Oblast plan"),       # 13 people: 130%, on track
    ("UA-32", "year:2024", "people", 20, "Oblast plan"),       # 9 people: hidden (fewer than 10)
    (None, "year:2024", "share_after", 0.8, "Grant agreement"),
    ("UA-32", "year:2025", "people", 20, "Oblast plan"),       # 15 people of 9.9 due: on track
    ("UA-30", "year:2025", "people", 40, "Oblast plan"),       # nobody yet of 19.8 due: off track
]
# The shape `python -m dashboard.clean` writes (dashboard/clean/pipeline.py).
REPORT = {
    "data_date": DATA_DATE,
    "quarantined": 5,
    "tables": {"hubs": 6, "participants": 41},
    "files": {
        "hubs_2025.csv": {"kind": "hubs", "extract_date": "2025-06-30", "rows_in": 7, "cleaned": 5,
                          "quarantined": 1, "by_reason": {"unknown_region": 1}, "duplicates": 1,
                          "unknown_columns": []},
        "participants_2024.csv": {"kind": "participants", "extract_date": "2024-12-27", "rows_in": 25391,
                                  "cleaned": 25386, "quarantined": 4,
                                  "by_reason": {"unknown_hub": 3, "bad_date": 1}, "duplicates": 1,
                                  "unknown_columns": ["Коментар"]},
    },
}
QUARANTINE = [
    ("hubs_2025.csv", 4, "hubs", "unknown_region", "Region 'Зелена' matches no unit", "{}"),
    ("participants_2024.csv", 12, "participants", "unknown_hub", "Hub ХЦО-00099 not in registry", "{}"),
    ("participants_2024.csv", 13, "participants", "unknown_hub", "Hub ХЦО-00099 not in registry", "{}"),
    ("participants_2024.csv", 14, "participants", "unknown_hub", "Hub ХЦО-00098 not in registry", "{}"),
    ("participants_2024.csv", 20, "participants", "bad_date", "Date 2024-99-99 is not a date", "{}"),
]


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows as a frame with the contract's column order and dtypes, validated by its schema."""
    cols = contract.TABLES[table].columns if table != "quarantine" else contract.QUARANTINE_COLUMNS
    frame = pd.DataFrame(rows, columns=[c.name for c in cols])
    for c in cols:
        frame[c.name] = frame[c.name].astype(c.dtype)
    if table != "quarantine":
        contract.schema(table).validate(frame)
    return frame


def _people() -> tuple[list[dict], list[dict], list[dict]]:
    hub_region = {h[0]: h[4] for h in HUBS}
    participants, activities, assessments = [], [], []
    for prefix, size, hub, programme, age, gender, settlement, employment, disability, displaced, acts in GROUPS:
        for i in range(1, size + 1):
            pid = f"{prefix}{i:02d}"
            dates = [a[0] for a in acts]
            participants.append(dict(
                person_id=pid, hub_id=hub, region_code=hub_region[hub], programme=programme,
                age_band=age, gender=gender, settlement_type=settlement, employment=employment,
                disability=disability, displaced=displaced, first_activity_on=min(dates),
                last_activity_on=max(dates), activities=len(acts)))
            for j, (day, act_hub, topic, fmt) in enumerate(acts):
                activities.append(dict(
                    activity_id=f"{pid}-{j}", person_id=pid, hub_id=act_hub,
                    region_code=hub_region[act_hub], programme=programme, activity_date=day,
                    course=topic.replace("_", " "), topic=topic, format=fmt))
            if prefix in SELF_RATINGS:
                pre, posts = SELF_RATINGS[prefix]
                scores = [("pre", pre, min(dates)), ("post", posts[i - 1], max(dates))]
                for stage, score, day in scores:
                    if score is not None:
                        assessments.append(dict(
                            person_id=pid, instrument="self_rating", stage=stage, area="overall",
                            score=float(score), assessed_on=day, hub_id=hub,
                            region_code=hub_region[hub], programme=programme))
            if prefix == "A" and i <= 2:  # Digigram results must not leak into self-rating figures
                for stage, score in (("pre", 40.0), ("post", 95.0)):
                    assessments.append(dict(
                        person_id=pid, instrument="digigram", stage=stage, area="overall", score=score,
                        assessed_on=min(dates), hub_id=hub, region_code=hub_region[hub], programme=programme))
    return participants, activities, assessments


def build_clean(folder: Path, report: dict | None = REPORT) -> Path:
    """Write the fixture extract (one Parquet per table, quarantine, report.json) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    participants, activities, assessments = _people()
    tables = {
        "regions": [dict(region_code=c, country_code=cc, name_uk=uk, name_en=en, population=pop,
                         population_year=2022, public_libraries=libs, libraries_year=2023,
                         occupation="none") for c, cc, uk, en, pop, libs in REGIONS],
        "hubs": [dict(hub_id=h, programme=p, name=n, institution_type=t,
                      is_library=t in contract.LIBRARY_TYPES, region_code=r, hromada=None,
                      settlement=None, settlement_type=s, lat=None, lon=None, placed=None,
                      unplaced_reason="no_settlement", joined_on=j,
                      status=st, coordinator_trained=True) for h, p, n, t, r, s, j, st in HUBS],
        "trainings": [dict(group_id=g, programme="ua_hubs", level=lv, region_code=r, start_date=s,
                           end_date=e, enrolled=n, completed=c, phase=ph)
                      for g, lv, r, s, e, n, c, ph in TRAININGS],
        "participants": participants,
        "activities": activities,
        "assessments": assessments,
        "waitlist": [dict(hub_id="TK-001", programme="kem_centres", region_code="RU-KEM",
                          month=D(2012, 5, 1), waiting=1000)],
        "partners": [dict(partner_id="p1", programme="kem_centres", partner="Regional hospital",
                          partner_type="hospital", agreement_date=D(2012, 9, 1), staff_trained=140)],
        "targets": [dict(programme="ua_hubs", region_code=r, period=p, indicator=i, target=float(t), source=src)
                    for r, p, i, t, src in TARGETS],
        "quarantine": [dict(zip([c.name for c in contract.QUARANTINE_COLUMNS], q)) for q in QUARANTINE],
    }
    for name, rows in tables.items():
        _frame(name, rows).to_parquet(folder / f"{name}.parquet", index=False)
    if report is not None:
        (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def clean_dir(tmp_path_factory) -> Path:
    """The fixture extract, built once per test session."""
    return build_clean(tmp_path_factory.mktemp("clean"))


@pytest.fixture
def db(clean_dir):
    """A Database over the fixture extract."""
    from dashboard.store.database import Database

    database = Database(clean_dir)
    yield database
    database.close()


@pytest.fixture
def app_data(clean_dir, monkeypatch) -> Path:
    """Point the app at the fixture extract (and, in public mode, at a release of it: run_app)."""
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(clean_dir))
    return clean_dir


# DASHBOARD_RELEASES_DIR during every test unless the test names a folder: run_app then points it
# at an approved release of the extract in DASHBOARD_DATA_DIR, computed with the privacy rule in
# the environment at that moment (built once per extract version and rule, in _RELEASES_ROOT).
AUTO_RELEASE = "<a release of the test's extract>"
RELEASED = dt.datetime(2025, 7, 1, 9, 0, tzinfo=dt.timezone.utc)
_RELEASES_ROOT: list[Path] = []


@pytest.fixture(autouse=True)
def _release_of_the_extract(monkeypatch, tmp_path_factory):
    if not _RELEASES_ROOT:
        _RELEASES_ROOT.append(tmp_path_factory.mktemp("releases"))
    monkeypatch.setenv("DASHBOARD_RELEASES_DIR", AUTO_RELEASE)


def internal_mode(monkeypatch) -> None:
    """Run the app in internal mode, signed in: live figures from the extract (any filter, exact,
    hub-level detail). The extract's own faults and the free filters are met only there; public
    mode reads a release."""
    from dashboard.ui import auth

    monkeypatch.setenv("DASHBOARD_MODE", "internal")
    state = auth.AccessState(mode="internal", status=auth.SIGNED_IN, user="tester@example.org")
    monkeypatch.setattr(auth, "current_access", lambda: state)


def use_extract_release() -> None:
    """When DASHBOARD_RELEASES_DIR is AUTO_RELEASE, point it at a releases folder whose current
    release is the test extract's, under the rule in the environment (monkeypatch restores it)."""
    import hashlib
    import os

    from dashboard import privacy, settings
    from dashboard.privacy import Rule
    from dashboard.release import catalogue
    from dashboard.release.build import build
    from dashboard.store.database import DataUnavailable, data_version

    if os.environ.get("DASHBOARD_MODE", "public").strip().lower() != "public":
        return  # internal mode reads the extract itself
    named = os.environ.get("DASHBOARD_RELEASES_DIR", "")
    if not _RELEASES_ROOT or not (named == AUTO_RELEASE or named.startswith(str(_RELEASES_ROOT[0]))):
        return  # the test named a releases folder of its own
    try:
        rule = privacy.from_settings()
        folder = settings.data_dir()
        version = data_version(folder)
    except (ValueError, DataUnavailable):
        rule, folder, version = Rule(10, 2), None, ""  # the app says what is wrong before it reads a release
    tag = hashlib.sha256(f"{folder}|{version}|{rule.k}|{rule.noise}".encode()).hexdigest()[:16]
    releases = _RELEASES_ROOT[0] / tag
    if folder is not None and not (releases / "extract").is_dir():
        try:
            # Fixed dates: what the pages say of the release does not change with the day the tests run.
            build(folder, releases, "extract", rule, now=RELEASED)
            catalogue.approve(releases, "extract", "tests@example.org", now=RELEASED)
        except DataUnavailable:
            pass  # an extract the app cannot read: public mode then has no release to show
    os.environ["DASHBOARD_RELEASES_DIR"] = str(releases)


# ---- AppTest helpers ---------------------------------------------------------------------------

@pytest.fixture
def downloads(monkeypatch):
    """file name -> the callable of every download button the pages of the test registered (the
    file a click would hand over, made when called)."""
    from streamlit.runtime import media_file_manager as media

    found: dict[str, object] = {}
    original = media.MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(media.MediaFileManager, "add_deferred", record)
    return found



APP = ROOT / "streamlit_app.py"
# Pages registered in streamlit_app.py; tests/ui/test_frame.py checks this list against the registry.
PAGES = {"overview": "pages/overview.py", "map": "pages/map.py", "coverage": "pages/coverage.py",
         "participation": "pages/participation.py", "progress": "pages/progress.py", "skills": "pages/skills.py", "network": "pages/network.py",
         "exports": "pages/exports.py", "data_quality": "pages/data_quality.py"}
TIMEOUT = 30  # seconds: a cold run on two cores imports pandas, Altair and DuckDB
_TEXT_ELEMENTS = {"title", "header", "subheader", "markdown", "caption", "alert", "error", "warning",
                  "info", "success", "text", "code"}


@pytest.fixture
def navigation_mode(monkeypatch):
    """Keep AppTest in st.navigation mode on every run.

    AppTest resets `PagesManager.uses_pages_directory` before each run, finds the `pages/`
    folder and then runs the page file alone (the pre-st.navigation mode), skipping the entry
    file and its sidebar; the browser never does (streamlit issue 9446).
    """
    from streamlit.runtime import pages_manager
    from streamlit.testing.v1 import app_test

    base = pages_manager.PagesManager

    class NavigationPagesManager(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            base.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", NavigationPagesManager)


def run_app(params: dict | None = None, page: str | None = None):
    """Open the app at `page` (default: the first) with the given query string, as a new visitor.

    Page url paths equal the file names, so the page is chosen before the first run, like a
    deep link; the default page is the one served at `/`.
    """
    from streamlit.testing.v1 import AppTest

    use_extract_release()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if page and page != next(iter(PAGES)):
        at.switch_page(PAGES[page])
    at.run()
    return at


def _chart_texts(proto) -> list[str]:
    out = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("title", "description"):
            out.append(node)

    walk(json.loads(proto.spec))
    return out


def elements(at):
    """Every element of the main area and the sidebar, depth first."""
    def walk(node):
        for child in getattr(node, "children", {}).values():
            yield child
            yield from walk(child)

    yield from walk(at.main)
    yield from walk(at.sidebar)


def labels(at) -> list[str]:
    """The interface's own words: headings, widget and card labels, expanders, chart titles."""
    out = []
    for el in elements(at):
        proto = getattr(el, "proto", None)
        if el.type in ("title", "header", "subheader"):
            out.append(el.value)
        elif el.type == "expander":
            out.append(el.label)
        elif el.type == "metric":
            out.append(el.label)
        elif proto is not None and hasattr(proto, "spec") and hasattr(proto, "datasets"):
            out += _chart_texts(proto)
        elif proto is not None and hasattr(proto, "label") and isinstance(getattr(proto, "label"), str):
            out.append(proto.label)
    return [t for t in out if t]


def visible_texts(at) -> list[str]:
    """Every text a user can read or hover: labels, values, help, options, tables, alerts."""
    out = labels(at)
    for el in elements(at):
        proto = getattr(el, "proto", None)
        if el.type in _TEXT_ELEMENTS or el.type in ("error", "warning", "info"):
            out.append(str(el.value))
        if el.type == "metric":
            out += [el.value, el.delta or "", el.help or ""]
        if el.type == "dataframe":
            frame = el.value
            out += [str(c) for c in frame.columns] + [str(v) for v in frame.astype(str).to_numpy().ravel()]
            styled = el.proto.arrow_data.styler.display_values  # what a styled table shows for its numbers
            if styled:
                from streamlit import dataframe_util

                out += [str(v) for v in dataframe_util.convert_arrow_bytes_to_pandas_df(styled).to_numpy().ravel()]
        if proto is not None:
            for attr in ("help", "placeholder", "alt"):
                value = getattr(proto, attr, None)
                if isinstance(value, str):
                    out.append(value)
            options = getattr(proto, "options", None)
            if options is not None and not isinstance(options, str):
                out += [o if isinstance(o, str) else getattr(o, "content", "") for o in options]
    return [t for t in out if t]
