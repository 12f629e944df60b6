"""Query layer of the Participation page: breakdowns, new people per month, the training cascade, targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from dashboard.filters import SEGMENTS, Filters, parse_date
from dashboard.query.scope import activity_scope, key_sum, region_clause
from dashboard.store.database import Database

# What a participation breakdown may group by: name -> (SQL expression, join it needs).
BREAKDOWNS: dict[str, tuple[str, str]] = {
    "topic": ("act.topic", ""),
    "format": ("act.format", ""),
    "region": ("act.region_code", ""),
    "course": ("act.course", ""),
    **{name: (f"act.{column}", "") for name, (column, _vocab) in SEGMENTS.items()},
}
# Courses are free text; the table lists this many, largest first (the rest are counted).
COURSE_LIMIT = 25


def _dimension(name: str) -> tuple[str, str]:
    if name not in BREAKDOWNS:
        raise ValueError(f"not a breakdown: {name}")
    return BREAKDOWNS[name]


def load_breakdown(db: Database, f: Filters, dimension: str) -> pd.DataFrame:
    """Per value of `dimension` (see BREAKDOWNS) in the view: distinct `people`, `activities`, `hubs`.

    A person with activities under two values counts once under each.
    """
    expr, join = _dimension(dimension)
    scope, params = activity_scope(f)
    limit = f" LIMIT {COURSE_LIMIT}" if dimension == "course" else ""
    return db.execute(
        f"WITH act AS ({scope}) SELECT {expr} AS value, count(DISTINCT act.person_id) AS people,"
        f" {key_sum('act.person_id')} AS people_key, count(*) AS activities,"
        f" {key_sum('act.activity_id')} AS activities_key, count(DISTINCT act.hub_id) AS hubs"
        f" FROM act{join} GROUP BY 1 ORDER BY people DESC, value{limit}",
        params,
    )


def count_courses(db: Database, f: Filters) -> int:
    """Number of different course titles in the view."""
    scope, params = activity_scope(f)
    return int(db.execute(
        f"WITH act AS ({scope}) SELECT count(DISTINCT c.course) AS n FROM act"
        " JOIN activities c ON c.activity_id = act.activity_id", params).iloc[0]["n"])


def load_new_people(db: Database, f: Filters) -> pd.DataFrame:
    """Per month: people whose first activity in the view falls in it (`new_people`, with key)."""
    scope, params = activity_scope(f)
    return db.execute(
        f"WITH act AS ({scope}), firsts AS (SELECT person_id, min(activity_date) AS first_day FROM act GROUP BY 1)"
        " SELECT CAST(date_trunc('month', first_day) AS DATE) AS month, count(*) AS new_people,"
        f" {key_sum('person_id')} AS new_people_key FROM firsts GROUP BY 1 ORDER BY 1",
        params,
    )


def load_cascade_trainings(db: Database, f: Filters) -> pd.DataFrame:
    """Per region, phase and level: people who `completed` (with key), `enrolled`, `groups`.

    The Overview's rule: a group belongs to the period of its end date (start date when the end
    is missing); groups without a completion figure add nothing but count in the key and groups.
    """
    params: list[object] = [f.programme, f.start, f.end]
    regions = region_clause(f, "region_code", params)
    return db.execute(
        "SELECT region_code, phase, level, coalesce(sum(completed), 0) AS completed,"
        f" {key_sum('group_id')} AS completed_key, sum(enrolled) AS enrolled, count(*) AS groups"
        " FROM trainings WHERE programme = ?"
        " AND CAST(coalesce(end_date, start_date) AS DATE) BETWEEN ? AND ?" + regions
        + " GROUP BY ALL ORDER BY ALL",
        params,
    )


def load_cascade_reach(db: Database, f: Filters, spans: Sequence[tuple[str, dt.date, dt.date]]) -> pd.DataFrame:
    """Active hubs and people trained per region and phase, with totals over either or both.

    `spans` gives each phase's calendar span; an activity belongs to the first span holding its
    date. Columns: region_code, phase, all_regions / all_phases (1 on total rows), people (key),
    hubs. Rows whose activity lies in no span have phase missing and all_phases 0.
    """
    scope, params = activity_scope(f)
    cases, case_params = [], []
    for name, start, end in spans:
        cases.append("WHEN CAST(activity_date AS DATE) BETWEEN ? AND ? THEN ?")
        case_params += [start, end, name]
    phase = f"CASE {' '.join(cases)} ELSE NULL END" if cases else "CAST(NULL AS VARCHAR)"
    return db.execute(
        f"WITH act AS ({scope}), tagged AS (SELECT person_id, hub_id, region_code, {phase} AS phase FROM act)"
        " SELECT region_code, phase, grouping(region_code) AS all_regions, grouping(phase) AS all_phases,"
        f" count(DISTINCT person_id) AS people, {key_sum('person_id')} AS people_key,"
        " count(DISTINCT hub_id) AS hubs FROM tagged"
        " GROUP BY GROUPING SETS ((region_code, phase), (region_code), (phase), ()) ORDER BY ALL",
        params + case_params,
    )


# Programme targets a programme officer keeps: one row per programme (see the file's header).
TARGETS_FILE = Path(__file__).resolve().parents[1] / "targets.csv"


def load_target(programme: str, path: Path = TARGETS_FILE) -> dict | None:
    """The people-trained target of a programme from `targets.csv`: {target, by, source}; None if
    the file has no usable row for it (no target is drawn then)."""
    try:
        frame = pd.read_csv(path, comment="#", dtype=str, skipinitialspace=True).fillna("")
    except (OSError, ValueError):
        return None
    if not {"programme", "people_target"} <= set(frame.columns):
        return None
    rows = frame[frame["programme"] == programme]
    for row in rows.itertuples(index=False):
        try:
            target = int(str(row.people_target).replace(" ", "").replace(",", ""))
        except ValueError:
            continue
        if target > 0:
            by = parse_date(str(getattr(row, "by", "")))
            return {"target": target, "by": by, "source": str(getattr(row, "source", "")).strip()}
    return None
