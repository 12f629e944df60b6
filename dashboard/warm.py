"""Answers for the standard views, stored at cleaning time: `python -m dashboard.warm CLEAN_DIR`.

The first visitor of a page on a national extract would otherwise wait for DuckDB to aggregate
every person. This command computes, without Streamlit, the figures every page shows for the
standard views: each programme's default period (the period the app's filter frame opens with,
`filters.make_choices` / `filters.build_filters`), for the whole country and for each of its
regions. It calls the same metric functions the pages call through `dashboard.ui.cache` with the
same arguments (`PAGES` below lists them page by page), on a `Database(folder, record=True)`:
every statement they send is stored with its result next to the query-ready tables, and any later
process on the same extract reads the stored result instead of aggregating again.

A stored answer is the statement's own result over the same files: its name hashes the SQL text
and the typed parameters (`store.database.answer_key`), its folder every cleaned table of the
extract (`store.database.answers_fingerprint`: name, size and mtime of each Parquet file and of
report.json, because a statement may read any of them). So it is used only where the live query
would return the same rows; a rewritten table, or any other view, runs live, and the answers of
earlier versions of the extract are removed when new ones are written. Suppression and noise are
applied to the answers afterwards, as to live results (the statements do not depend on the
privacy rule). A figure this list misses is not wrong, only computed live on first use.

`python -m dashboard.clean` runs this in-process when it has written an extract (unless
`--no-warm`); neither command imports Streamlit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dashboard import filters, privacy
from dashboard.filters import PROGRAMME_PARAM, REGION_PARAM, SEGMENTS, Filters
from dashboard.metrics import map as map_metrics
from dashboard.export import coverage as coverage_figures
from dashboard.export import gaps as gap_figures
from dashboard.export import progress as progress_figures
from dashboard.metrics import network, overview, participation, quality, skills
from dashboard.metrics import progress as progress_metrics
from dashboard.metrics.live import Live
from dashboard.privacy import Rule
from dashboard.query import participation as participation_queries
from dashboard.query import quality as quality_queries
from dashboard.query import reference
from dashboard.store.database import Database, answers_fingerprint, load_report

# The participant characteristic the segment pickers open with (ui.blocks.segment_picker).
DEFAULT_SEGMENT = next(iter(SEGMENTS))
# The waiting-list detail: "region" for the public, "centre" for signed-in internal staff.
WAITLIST_BY = ("all", "region", "centre")


@dataclass(frozen=True)
class View:
    """One standard view: the filters a page opens with, and the start of the programme's default
    period (ui.frame.Context.data_start, which decides whether a previous period is compared)."""

    filters: Filters
    data_start: dt.date


# ---- what each page asks for (mirrors pages/*.py and dashboard/ui/*.py) ----------------------

def _frame(db: Database, view: View, rule: Rule) -> None:
    # ui.cache.reference_tables, run by the filter frame of every page (and the Exports page's
    # region names and fact-sheet country come from the same two tables).
    reference.load_regions(db)
    reference.load_programme_spans(db)
    quality_queries.load_quarantine(db)


def _overview(db: Database, view: View, rule: Rule) -> None:
    f = view.filters
    if overview.is_empty(overview.compute_counts(db, f, rule)):
        return  # the page stops at its empty state
    if overview.has_previous(f, view.data_start):
        overview.compute_counts(db, f.previous(), rule)
    overview.compute_monthly(db, f, rule)


def _map(db: Database, view: View, rule: Rule) -> None:
    whole = replace(view.filters, regions=())  # the map's figures ignore the region filter
    empty = map_metrics.compute_region_metrics(db, whole, rule).empty
    map_metrics.compute_hub_metrics(db, whole, rule)
    if not empty:  # the page stops when the programme has no region on record
        map_metrics.compute_growth(db, view.filters.programme)


def _participation(db: Database, view: View, rule: Rule) -> None:
    f = view.filters
    if overview.is_empty(overview.compute_counts(db, f, rule)):
        return
    overview.compute_monthly(db, f, rule)
    participation.compute_cumulative(db, f, rule)
    for dimension in ("topic", "course", "format", "region", DEFAULT_SEGMENT):
        regions = reference.load_regions_reference(db) if dimension == "region" else None
        participation.compute_breakdown(db, f, rule, dimension, regions=regions)
    participation_queries.count_courses(db, f)
    participation.compute_cascade(db, f, rule)
    reference.load_phases(db, f.programme)


def _skills(db: Database, view: View, rule: Rule) -> None:
    f = view.filters
    if overview.is_empty(overview.compute_counts(db, f, rule)):
        return
    skills.compute_ratings(db, f, rule)
    skills.compute_distribution(db, f, rule)
    skills.compute_ratings(db, f, rule, DEFAULT_SEGMENT)
    skills.compute_digigram(db, f, rule)


def _network(db: Database, view: View, rule: Rule) -> None:
    f = view.filters
    network.compute_network_years(db, f)
    network.undated_sites(db, f)
    if not network.compute_waitlist_months(db, f, rule).empty:  # else the section says "none"
        for by in WAITLIST_BY:
            network.compute_waitlist_latest(db, f, rule, by)
    network.compute_partners(db, f, rule)


def _progress(db: Database, view: View, rule: Rule) -> None:
    # The Progress page and the Overview's card: the actuals of the periods they open with (and of
    # the period before each, the baseline), for the whole country and every region, or for the
    # one region of a region's view (its every period with a target).
    src, f = Live(db, rule), view.filters
    _left_behind(db, view, rule)
    plan = progress_figures.plan_of(f.programme, src.targets(f.programme), src.held_periods(f.programme))
    if not plan.periods:
        return
    data_date = src.data_date()
    opened = {progress_figures.default_period(plan, f.start, f.end, data_date),
              progress_figures.card_period(plan, f.start, f.end, data_date)}
    if len(f.regions) == 1:
        areas = f.regions
        codes = plan.targets["region_code"]
        opened |= set(plan.targets.loc[codes == f.regions[0], "period"]) & set(plan.periods)
    else:
        areas = (progress_figures.COUNTRY, *progress_figures.region_codes(src, f.programme))
    for period in sorted(p for p in opened if p is not None):
        for held in (period, progress_metrics.before(period)):
            if held in plan.held:
                src.progress_actuals(progress_figures.period_filters(plan, held), list(areas))


def _left_behind(db: Database, view: View, rule: Rule) -> None:
    # Who is left behind, below the progress table: the period it opens on, for the view's region
    # or the whole country (ui.gaps).
    src, f = Live(db, rule), view.filters
    offered = gap_figures.offered_periods(src.held_periods(f.programme))
    if not offered:
        return
    start, end = offered[gap_figures.opening_period(offered, f, src.data_date())]
    region = f.regions[:1] if len(f.regions) == 1 else ()
    gap_figures.compute_left_behind(src, Filters(programme=f.programme, start=start, end=end, regions=region))


def _coverage(db: Database, view: View, rule: Rule) -> None:
    # The sites of the view (place and status) and the region reference; the rest is computed from
    # the committed settlements, not read from the extract.
    coverage_figures.coverage_of(Live(db, rule), view.filters)


def _exports(db: Database, view: View, rule: Rule) -> None:
    # The key figures decide the empty state; files are built only on a click (not stored).
    overview.compute_counts(db, view.filters, rule)


def _data_quality(db: Database, view: View, rule: Rule) -> None:
    quality.compute_silent_hubs(db, view.filters)
    quality.compute_regions_without_data(db, view.filters)
    quality.compute_placement(db)


# Page (its file under pages/) -> the figures it computes for a view, in the page's order.
PAGES: dict[str, Callable[[Database, View, Rule], None]] = {
    "frame": _frame,
    "overview": _overview,
    "progress": _progress,
    "map": _map,
    "coverage": _coverage,
    "participation": _participation,
    "skills": _skills,
    "network": _network,
    "exports": _exports,
    "data_quality": _data_quality,
}


# ---- the standard views -----------------------------------------------------------------------

def standard_views(db: Database, regions: bool = True) -> dict[str, list[View]]:
    """Programme -> its standard views: the default period for the whole country, then for each
    region of the programme's countries (unless `regions` is False), as the app's frame builds
    them (ui.sidebar.choices_of, filters.make_choices and filters.build_filters)."""
    dates, phases, countries = filters.spans_by_programme(reference.load_programme_spans(db))
    table = reference.load_regions(db)
    data_date = filters.parse_date(str(load_report(db.folder).get("data_date", "")))
    views = {}
    for programme in list(dates) or [filters.DEFAULT_PROGRAMME]:
        codes = list(table.loc[table["country_code"].isin(countries.get(programme, [])), "region_code"])
        labels = {PROGRAMME_PARAM: {p: p for p in dates} or {programme: programme},
                  REGION_PARAM: {code: code for code in codes}}
        choices = filters.make_choices(labels, dates, phases.get(programme, []), data_date, programme)
        picks = [[]] + ([[code] for code in sorted(codes)] if regions else [])
        views[programme] = [View(filters.build_filters(programme, None, None, pick, choices=choices)[0],
                                 choices.default_start) for pick in picks]
    return views


def _rule() -> Rule:
    # The statements do not depend on the rule (protection is applied to their results), but the
    # deployment's own rule is the faithful choice; a bad setting must not stop the pipeline.
    try:
        return privacy.from_settings()
    except ValueError:
        return Rule(k=10, noise=2)


def run(folder: Path, regions: bool = True, log: Callable[[str], None] = print) -> dict:
    """Store the answers of every page for the standard views of the extract in `folder`.

    Returns counts: programmes, views, answers stored, seconds, and the problems seen (a figure
    that failed is not stored: it runs live later).
    """
    started, problems, count = time.perf_counter(), [], 0
    folder = Path(folder)
    rule = _rule()
    db = Database(folder, record=True)
    try:
        views = standard_views(db, regions)
        for programme, programme_views in views.items():
            for view in programme_views:
                for page, figures in PAGES.items():
                    try:
                        figures(db, view, rule)
                    except Exception as exc:  # noqa: BLE001 - reported, the figure then runs live
                        where = ",".join(view.filters.regions) or "country"
                        problems.append(f"{page} ({programme}, {where}): {type(exc).__name__}: {exc}"[:300])
                count += 1
            log(f"answered {len(PAGES) - 1} pages for {programme} ({len(programme_views)} views)")
        where = db.answers
    finally:
        db.close()
    if where is not None and where.name != answers_fingerprint(folder):
        # The extract changed while its answers were computed: they describe no version of it.
        shutil.rmtree(where, ignore_errors=True)
        problems.append(f"{folder}: the extract changed during the run; no answers kept")
    stored = len(list(where.glob("*.parquet"))) if where is not None and where.is_dir() else 0
    return {"pages": len(PAGES) - 1, "programmes": len(views), "views": count, "answers": stored,
            "seconds": time.perf_counter() - started, "problems": problems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.warm", description=__doc__.splitlines()[0])
    parser.add_argument("clean_dir", type=Path, help="a cleaned extract (python -m dashboard.clean)")
    parser.add_argument("--no-regions", action="store_true", help="the whole country only, not each region")
    args = parser.parse_args(argv)
    if not (args.clean_dir / "activities.parquet").is_file():
        print(f"error: {args.clean_dir}: not a cleaned extract (no activities.parquet)", file=sys.stderr)
        return 2
    result = run(args.clean_dir, regions=not args.no_regions, log=lambda m: print(m, file=sys.stderr))
    print(f"stored {result['answers']:,} answers of {result['views']} views in {result['seconds']:.1f} s",
          file=sys.stderr)
    for problem in result["problems"][:5]:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
