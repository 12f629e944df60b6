"""Answers for the standard views, stored at cleaning time: `python -m dashboard.warm CLEAN_DIR`.

The first visitor of a page on a national extract would otherwise wait for DuckDB to aggregate
every person. This command opens each page of the app headless (Streamlit's AppTest runs the
same script the server runs) for the standard views: each programme's default period for the
whole country and for each of its regions. Every statement those pages send to the query layer
is stored with its result next to the query-ready tables (`query.Database.record`), and any later
process on the same extract reads the stored result instead of aggregating again.

A stored answer is the statement's own result over the same files (its name hashes the SQL text
and the parameters, its folder the extract's files), so it can only be used where the live query
would return the same rows; any other view runs live. Suppression and noise are applied to the
answers afterwards, as to live results. `python -m dashboard.clean` runs this when it has written
an extract (unless `--no-warm`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from dashboard.store import prepared

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
TIMEOUT_S = 900  # a page's first run on a large extract may take minutes; AppTest's default is 3 s


def navigation_mode() -> None:
    """Keep AppTest in st.navigation mode (it would run a page file alone otherwise; streamlit #9446)."""
    from streamlit.runtime import pages_manager
    from streamlit.testing.v1 import app_test

    base = pages_manager.PagesManager

    class NavigationPagesManager(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            base.uses_pages_directory = False

    app_test.PagesManager = NavigationPagesManager


def _problems(at) -> list[str]:
    return [str(e.value)[:300] for e in at.exception] + [str(e.value)[:300] for e in at.error]


def run(folder: Path, regions: bool = True, log=print) -> dict:
    """Store the answers of every page for the standard views of the extract in `folder`.

    Returns counts: pages, views, script runs, answers stored, seconds, and the problems seen.
    """
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    logger.set_log_level("error")  # a headless run warns about the missing server
    from dashboard.store import database as query
    from dashboard.ui import frame as ui

    # The public pages (an internal deployment's sign-in would stop a headless run; what internal
    # mode adds runs live).
    env = {"DASHBOARD_DATA_DIR": str(Path(folder).resolve()), "DASHBOARD_MODE": "public"}
    before = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    query.Database.record = True
    navigation_mode()
    try:
        return _answer_pages(Path(folder), regions, log, query, ui, AppTest)
    finally:
        query.Database.record = False
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _answer_pages(folder: Path, regions: bool, log, query, ui, AppTest) -> dict:
    started, runs, problems = time.perf_counter(), 0, []
    pages = [path for path, _key, _icon in ui.PAGES]
    views = _views(query, Path(folder))
    for programme, codes in views.items():
        for page in pages:
            at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
            at.switch_page(page)
            at.run()
            if at.selectbox(key="programme").value != programme:
                at.selectbox(key="programme").set_value(programme).run()
            runs += 1
            problems += _problems(at)
            for code in codes if regions else []:
                at.multiselect(key="region").set_value([code]).run()
                runs += 1
                problems += _problems(at)
        log(f"answered {len(pages)} pages for {programme} ({1 + len(codes) if regions else 1} views each)")
    where = prepared.location(folder) / prepared.ANSWERS_DIR
    stored = len(list(where.glob("*.parquet"))) if where.is_dir() else 0
    return {"pages": len(pages), "programmes": len(views), "runs": runs, "answers": stored,
            "seconds": time.perf_counter() - started, "problems": problems}


def _views(query, folder: Path) -> dict[str, list[str]]:
    """Programme -> the codes of its regions (those in its hubs' countries), from the extract."""
    db = query.Database(folder)
    try:
        from dashboard.query import reference

        spans, regions = reference.load_programme_spans(db), reference.load_regions(db)
    finally:
        db.close()
    return {p: sorted(regions.loc[regions["country_code"].isin(list(c)), "region_code"])
            for p, c in zip(spans["programme"], spans["countries"])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.warm", description=__doc__.splitlines()[0])
    parser.add_argument("clean_dir", type=Path, help="a cleaned extract (python -m dashboard.clean)")
    parser.add_argument("--no-regions", action="store_true", help="the whole country only, not each region")
    args = parser.parse_args(argv)
    if not (args.clean_dir / "activities.parquet").is_file():
        print(f"error: {args.clean_dir}: not a cleaned extract (no activities.parquet)", file=sys.stderr)
        return 2
    result = run(args.clean_dir, regions=not args.no_regions, log=lambda m: print(m, file=sys.stderr))
    print(f"stored {result['answers']:,} answers from {result['runs']} page runs in {result['seconds']:.1f} s",
          file=sys.stderr)
    for problem in result["problems"][:5]:
        print(f"warning: a page reported: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
