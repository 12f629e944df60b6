"""Query layer of the analytics pages: participation, cascade, skills, network and data-quality SQL.

Every statement runs through `Database.execute` with bound values; the activities in a view
come from `query._activity_scope`, the same SQL the Overview counts from. Column names that
are spliced into SQL come from the fixed dictionaries below, never from input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from dashboard.filters import SEGMENTS, Filters
from dashboard.query import Database, _activity_scope, _region_scope, cell_key, key_sum, record_key

# What a participation breakdown may group by: name -> (SQL expression, join it needs).
BREAKDOWNS: dict[str, tuple[str, str]] = {
    "topic": ("act.topic", ""),
    "format": ("act.format", ""),
    "region": ("act.region_code", ""),
    "course": ("act.course", ""),
    **{name: (f"act.{column}", "") for name, (column, _vocab) in SEGMENTS.items()},
}
# Self-rating thresholds: 7–10 is "rates their skills well", 1–4 "below average" (of 10).
HIGH_FROM, LOW_TO = 7, 4
# Courses are free text; the table lists this many, largest first (the rest are counted).
COURSE_LIMIT = 25
# A waiting-list row's key: the centre and month identify it (the table's key).
_WAITLIST_ID = "w.hub_id || CAST(w.month AS VARCHAR)"


def _dimension(name: str) -> tuple[str, str]:
    if name not in BREAKDOWNS:
        raise ValueError(f"not a breakdown: {name}")
    return BREAKDOWNS[name]


def _region_clause(f: Filters, column: str, params: list[object]) -> str:
    if not f.regions:
        return ""
    params.append(list(f.regions))
    return f" AND list_contains(?::VARCHAR[], {column})"


# ---- participation --------------------------------------------------------------------------

def load_breakdown(db: Database, f: Filters, dimension: str) -> pd.DataFrame:
    """Per value of `dimension` (see BREAKDOWNS) in the view: distinct `people`, `activities`, `hubs`.

    A person with activities under two values counts once under each.
    """
    expr, join = _dimension(dimension)
    scope, params = _activity_scope(f)
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
    scope, params = _activity_scope(f)
    return int(db.execute(
        f"WITH act AS ({scope}) SELECT count(DISTINCT c.course) AS n FROM act"
        " JOIN activities c ON c.activity_id = act.activity_id", params).iloc[0]["n"])


def load_new_people(db: Database, f: Filters) -> pd.DataFrame:
    """Per month: people whose first activity in the view falls in it (`new_people`, with key)."""
    scope, params = _activity_scope(f)
    return db.execute(
        f"WITH act AS ({scope}), firsts AS (SELECT person_id, min(activity_date) AS first_day FROM act GROUP BY 1)"
        " SELECT CAST(date_trunc('month', first_day) AS DATE) AS month, count(*) AS new_people,"
        f" {key_sum('person_id')} AS new_people_key FROM firsts GROUP BY 1 ORDER BY 1",
        params,
    )


def load_regions_reference(db: Database) -> pd.DataFrame:
    """Every region: code, country, population, public libraries and occupation."""
    return db.execute("SELECT region_code, country_code, population, public_libraries, occupation"
                      " FROM regions ORDER BY region_code")


# ---- the training cascade -------------------------------------------------------------------

def load_phases(db: Database, programme: str) -> list[str]:
    """The project phases the programme's trainings name, in order."""
    frame = db.execute("SELECT DISTINCT phase FROM trainings WHERE programme = ? ORDER BY phase", [programme])
    return [p for p in frame["phase"].tolist() if p]


def load_cascade_trainings(db: Database, f: Filters) -> pd.DataFrame:
    """Per region, phase and level: people who `completed` (with key), `enrolled`, `groups`.

    The Overview's rule: a group belongs to the period of its end date (start date when the end
    is missing); groups without a completion figure add nothing but count in the key and groups.
    """
    params: list[object] = [f.programme, f.start, f.end]
    regions = _region_clause(f, "region_code", params)
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
    scope, params = _activity_scope(f)
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


# ---- skills ---------------------------------------------------------------------------------

def _ratings_sql(f: Filters, column: str | None) -> tuple[str, list[object]]:
    """Per person of the view with an overall self-rating: pre, post and (if asked) a segment."""
    scope, params = _activity_scope(f)
    segment = f", p.{column} AS value" if column else ", 'all' AS value"
    join = " JOIN participants p ON p.person_id = r.person_id" if column else ""
    sql = (
        f"WITH act AS ({scope}), r AS ("
        " SELECT person_id, max(score) FILTER (WHERE stage = 'pre') AS pre,"
        "  max(score) FILTER (WHERE stage = 'post') AS post FROM assessments"
        " WHERE instrument = 'self_rating' AND area = 'overall'"
        "  AND person_id IN (SELECT person_id FROM act) GROUP BY person_id)"
        f" SELECT r.person_id, r.pre, r.post{segment} FROM r{join}"
    )
    return sql, params


def load_rating_summary(db: Database, f: Filters, segment: str | None = None) -> pd.DataFrame:
    """Self-rating figures of the view, per value of a segment (query-string name) or `all`.

    Counts (each with `_key`): n_pre, pre_high (7–10), pre_low (1–4), n_post, post_high,
    post_low, n_both (people with both). Means: pre_mean, post_mean, gain_mean (post − pre of
    people with both) and gain_sd (sample standard deviation of that gain).
    """
    column = SEGMENTS[segment][0] if segment else None
    rated, params = _ratings_sql(f, column)

    def counted(name: str, condition: str) -> str:
        key = cell_key(f"sum(DISTINCT {record_key('person_id')}) FILTER (WHERE {condition})")
        return f"count(*) FILTER (WHERE {condition}) AS {name}, {key} AS {name}_key"

    parts = [
        counted("n_pre", "pre IS NOT NULL"), counted("pre_high", f"pre >= {HIGH_FROM}"),
        counted("pre_low", f"pre <= {LOW_TO}"), counted("n_post", "post IS NOT NULL"),
        counted("post_high", f"post >= {HIGH_FROM}"), counted("post_low", f"post <= {LOW_TO}"),
        counted("n_both", "pre IS NOT NULL AND post IS NOT NULL"),
        "avg(pre) AS pre_mean", "avg(post) AS post_mean",
        "avg(post - pre) AS gain_mean", "stddev_samp(post - pre) AS gain_sd",
    ]
    return db.execute(f"WITH rated AS ({rated}) SELECT value, {', '.join(parts)} FROM rated"
                      " GROUP BY value ORDER BY value", params)


def load_rating_distribution(db: Database, f: Filters) -> pd.DataFrame:
    """People of the view per stage (`pre`, `post`) and overall self-rating `score` (1–10), with key."""
    scope, params = _activity_scope(f)
    return db.execute(
        f"WITH act AS ({scope}) SELECT stage, CAST(score AS INTEGER) AS score, count(*) AS people,"
        f" {key_sum('person_id')} AS people_key FROM assessments"
        " WHERE instrument = 'self_rating' AND area = 'overall'"
        "  AND person_id IN (SELECT person_id FROM act) GROUP BY ALL ORDER BY ALL",
        params,
    )


def load_digigram(db: Database, f: Filters) -> pd.DataFrame:
    """Digigram scores per stage and area: `people` (key), `mean`, `sd` (percent 0–100).

    Digigram results carry no participant details, so the view is its programme, period and
    regions only: people with a test taken in the period at a hub of the selected regions, with
    all their tests.
    """
    params: list[object] = [f.programme, f.start, f.end]
    regions = _region_clause(f, "region_code", params)
    return db.execute(
        "WITH tested AS (SELECT DISTINCT person_id FROM assessments WHERE instrument = 'digigram'"
        " AND programme = ? AND CAST(assessed_on AS DATE) BETWEEN ? AND ?" + regions + ")"
        f" SELECT stage, area, count(*) AS people, {key_sum('person_id')} AS people_key,"
        " avg(score) AS mean, stddev_samp(score) AS sd FROM assessments"
        " WHERE instrument = 'digigram' AND person_id IN (SELECT person_id FROM tested)"
        " GROUP BY ALL ORDER BY ALL",
        params,
    )


# ---- network and capacity -------------------------------------------------------------------

def load_hub_years(db: Database, f: Filters) -> pd.DataFrame:
    """Sites of the programme in the selected regions per year joined (`opened`; year missing = no date).

    Also `closed_now`: of those, how many are closed today (the registry has no closing date).
    """
    params: list[object] = [f.programme]
    regions = _region_clause(f, "region_code", params)
    return db.execute(
        "SELECT year(joined_on) AS year, count(*) AS opened,"
        " count(*) FILTER (WHERE status = 'closed') AS closed_now FROM hubs WHERE programme = ?"
        + regions + " GROUP BY 1 ORDER BY 1 NULLS LAST",
        params,
    )


def load_active_hubs_by_year(db: Database, f: Filters) -> pd.DataFrame:
    """Per calendar year of the view: hubs with at least one activity in the view (`active`)."""
    scope, params = _activity_scope(f)
    return db.execute(f"WITH act AS ({scope}) SELECT year(activity_date) AS year,"
                      " count(DISTINCT hub_id) AS active FROM act GROUP BY 1 ORDER BY 1", params)


def _waitlist_where(f: Filters, params: list[object]) -> str:
    params += [f.programme, f.end]
    return " w.programme = ? AND CAST(w.month AS DATE) <= ?" + _region_clause(f, "w.region_code", params)


# Whether a waiting-list centre has ever sent a class report: without any, its capacity is
# unknown rather than zero.
_REPORTED = "EXISTS (SELECT 1 FROM activities r WHERE r.hub_id = w.hub_id AND r.programme = w.programme)"


def _capacity_join() -> str:
    # People trained at the centre in the waiting-list month and the two before it.
    return (" LEFT JOIN activities a ON a.hub_id = w.hub_id AND a.programme = w.programme"
            " AND a.activity_date >= w.month - INTERVAL 2 MONTH AND a.activity_date < w.month + INTERVAL 1 MONTH")


def load_waitlist_months(db: Database, f: Filters) -> pd.DataFrame:
    """Per month up to the period's end: people `waiting` (sum over centres, key), `centres`,
    `trained_3m` — distinct people trained at those centres in that month and the two before —
    and `reported`: whether any of those centres ever sent a class report.
    """
    params: list[object] = []
    where = _waitlist_where(f, params)
    return db.execute(
        "WITH w AS (SELECT * FROM waitlist w WHERE" + where + "),"
        f" waiting AS (SELECT month, sum(waiting) AS waiting, {cell_key(f'sum({record_key(_WAITLIST_ID)})')}"
        "  AS waiting_key, count(*) AS centres FROM w GROUP BY 1),"
        f" trained AS (SELECT w.month, count(DISTINCT a.person_id) AS trained_3m,"
        f"  {key_sum('a.person_id')} AS trained_3m_key, bool_or({_REPORTED}) AS reported"
        f"  FROM w{_capacity_join()} GROUP BY 1)"
        " SELECT CAST(waiting.month AS DATE) AS month, waiting, waiting_key, centres, trained_3m, trained_3m_key,"
        " reported FROM waiting JOIN trained USING (month) ORDER BY month",
        params,
    )


def load_waitlist_latest(db: Database, f: Filters) -> pd.DataFrame:
    """Per centre: its latest waiting-list month up to the period's end, people `waiting` (key) and
    `trained_3m` (distinct people trained there in that month and the two before, key), whether it
    ever `reported` a class, and the centre's name, region and settlement.
    """
    params: list[object] = []
    where = _waitlist_where(f, params)
    return db.execute(
        "WITH w AS (SELECT * FROM waitlist w WHERE" + where + " QUALIFY row_number() OVER"
        " (PARTITION BY w.hub_id ORDER BY w.month DESC) = 1)"
        " SELECT w.hub_id, h.name, h.settlement, w.region_code, CAST(w.month AS DATE) AS month, w.waiting,"
        f" {record_key(_WAITLIST_ID)} AS waiting_key,"
        f" count(DISTINCT a.person_id) AS trained_3m, {key_sum('a.person_id')} AS trained_3m_key,"
        f" bool_or({_REPORTED}) AS reported FROM w LEFT JOIN hubs h ON h.hub_id = w.hub_id{_capacity_join()} GROUP BY ALL ORDER BY w.hub_id",
        params,
    )


def load_partners(db: Database, f: Filters) -> pd.DataFrame:
    """Per partner type: `partners` with an agreement by the period's end (or undated),
    `staff_trained` (sum, key) and `staff_unknown` (partners without a figure).

    Partners are not tied to a region: the region filter does not apply.
    """
    return db.execute(
        "SELECT partner_type, count(*) AS partners, coalesce(sum(staff_trained), 0) AS staff_trained,"
        f" {key_sum('partner_id')} AS staff_trained_key,"
        " count(*) FILTER (WHERE staff_trained IS NULL) AS staff_unknown FROM partners"
        " WHERE programme = ? AND (agreement_date IS NULL OR CAST(agreement_date AS DATE) <= ?)"
        " GROUP BY 1 ORDER BY 1",
        [f.programme, f.end],
    )


# ---- data quality ---------------------------------------------------------------------------

def load_silent_hubs(db: Database, f: Filters) -> pd.DataFrame:
    """Active sites of the programme (selected regions) that had joined by the period's end (or have
    no date) and reported no activity in the period: hub_id, name, settlement, region, joined_on.

    The participant-group filter does not apply: a hub that trained only other groups did report.
    """
    params: list[object] = [f.programme, f.end]
    regions = _region_clause(f, "h.region_code", params)
    params += [f.programme, f.start, f.end]
    return db.execute(
        "SELECT h.hub_id, h.name, h.settlement, h.region_code, CAST(h.joined_on AS DATE) AS joined_on"
        " FROM hubs h WHERE h.programme = ? AND h.status = 'active'"
        " AND (h.joined_on IS NULL OR CAST(h.joined_on AS DATE) <= ?)" + regions
        + " AND h.hub_id NOT IN (SELECT hub_id FROM activities WHERE programme = ?"
        "   AND CAST(activity_date AS DATE) BETWEEN ? AND ?) ORDER BY h.region_code, h.hub_id",
        params,
    )


def load_region_activity(db: Database, f: Filters) -> pd.DataFrame:
    """Every region of the programme's countries (selected regions): its occupation, `hubs` in the
    registry (any status), `active_hubs` (status active and joined by the period's end or undated:
    the hubs expected to report) and `activities` reported in the period.
    """
    regions, params = _region_scope(f)
    return db.execute(
        f"WITH scope AS ({regions}) SELECT s.region_code, r.occupation,"
        " (SELECT count(*) FROM hubs h WHERE h.programme = ? AND h.region_code = s.region_code) AS hubs,"
        " (SELECT count(*) FROM hubs h WHERE h.programme = ? AND h.region_code = s.region_code"
        "   AND h.status = 'active' AND (h.joined_on IS NULL OR CAST(h.joined_on AS DATE) <= ?)) AS active_hubs,"
        " (SELECT count(*) FROM activities a WHERE a.programme = ? AND a.region_code = s.region_code"
        "   AND CAST(a.activity_date AS DATE) BETWEEN ? AND ?) AS activities"
        " FROM scope s JOIN regions r USING (region_code) ORDER BY s.region_code",
        [*params, f.programme, f.programme, f.end, f.programme, f.start, f.end],
    )


def extract_files(folder: Path) -> pd.DataFrame:
    """The cleaned files of the extract folder: `file` name and `written` (local time of last write)."""
    rows = [{"file": p.name, "written": dt.datetime.fromtimestamp(p.stat().st_mtime)}
            for p in sorted(Path(folder).glob("*.parquet")) + [Path(folder) / "report.json"] if p.is_file()]
    return pd.DataFrame(rows, columns=["file", "written"])


# ---- reference files ------------------------------------------------------------------------

# Programme targets a programme officer keeps: one row per programme (see the file's header).
TARGETS_FILE = Path(__file__).resolve().parent / "targets.csv"


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
            by = None
            try:
                by = dt.date.fromisoformat(str(getattr(row, "by", "")).strip())
            except ValueError:
                pass
            return {"target": target, "by": by, "source": str(getattr(row, "source", "")).strip()}
    return None
