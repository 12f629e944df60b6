"""Query layer of the Network & capacity page: sites by year, waiting lists, partners."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.query.scope import activity_scope, cell_key, key_sum, record_key, region_clause
from dashboard.store.database import Database


def load_hub_years(db: Database, f: Filters) -> pd.DataFrame:
    """Sites of the programme in the selected regions per year joined (`opened`; year missing = no date).

    Also `closed_now`: of those, how many are closed today (the registry has no closing date).
    """
    params: list[object] = [f.programme]
    regions = region_clause(f, "region_code", params)
    return db.execute(
        "SELECT year(joined_on) AS year, count(*) AS opened,"
        " count(*) FILTER (WHERE status = 'closed') AS closed_now FROM hubs WHERE programme = ?"
        + regions + " GROUP BY 1 ORDER BY 1 NULLS LAST",
        params,
    )


def load_active_hubs_by_year(db: Database, f: Filters) -> pd.DataFrame:
    """Per calendar year of the view: hubs with at least one activity in the view (`active`)."""
    scope, params = activity_scope(f)
    return db.execute(f"WITH act AS ({scope}) SELECT year(activity_date) AS year,"
                      " count(DISTINCT hub_id) AS active FROM act GROUP BY 1 ORDER BY 1", params)


# A waiting-list row's key: the centre and month identify it (the table's key).
_WAITLIST_ID = "w.hub_id || CAST(w.month AS VARCHAR)"


def _waitlist_where(f: Filters, params: list[object]) -> str:
    params += [f.programme, f.end]
    return " w.programme = ? AND CAST(w.month AS DATE) <= ?" + region_clause(f, "w.region_code", params)


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
