"""Query layer of the Skills page: self-ratings per person, their distribution, Digigram scores."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import SEGMENTS, Filters
from dashboard.query.scope import activity_scope, cell_key, key_sum, rated_high, rated_low, record_key, region_clause
from dashboard.store.database import Database


def _ratings_sql(f: Filters, column: str | None) -> tuple[str, list[object]]:
    """Per person of the view with an overall self-rating: pre, post and (if asked) a segment."""
    scope, params = activity_scope(f)
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
        counted("n_pre", "pre IS NOT NULL"), counted("pre_high", rated_high("pre")),
        counted("pre_low", rated_low("pre")), counted("n_post", "post IS NOT NULL"),
        counted("post_high", rated_high("post")), counted("post_low", rated_low("post")),
        counted("n_both", "pre IS NOT NULL AND post IS NOT NULL"),
        "avg(pre) AS pre_mean", "avg(post) AS post_mean",
        "avg(post - pre) AS gain_mean", "stddev_samp(post - pre) AS gain_sd",
    ]
    return db.execute(f"WITH rated AS ({rated}) SELECT value, {', '.join(parts)} FROM rated"
                      " GROUP BY value ORDER BY value", params)


def load_rating_distribution(db: Database, f: Filters) -> pd.DataFrame:
    """People of the view per stage (`pre`, `post`) and overall self-rating `score` (1–10), with key."""
    scope, params = activity_scope(f)
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
    regions = region_clause(f, "region_code", params)
    return db.execute(
        "WITH tested AS (SELECT DISTINCT person_id FROM assessments WHERE instrument = 'digigram'"
        " AND programme = ? AND CAST(assessed_on AS DATE) BETWEEN ? AND ?" + regions + ")"
        f" SELECT stage, area, count(*) AS people, {key_sum('person_id')} AS people_key,"
        " avg(score) AS mean, stddev_samp(score) AS sd FROM assessments"
        " WHERE instrument = 'digigram' AND person_id IN (SELECT person_id FROM tested)"
        " GROUP BY ALL ORDER BY ALL",
        params,
    )
