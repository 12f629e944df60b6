"""Query layer of "who is left behind": self-rating gains per region and value of one participant characteristic, in one statement."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import SEGMENTS, Filters
from dashboard.query.scope import activity_scope, cell_key, record_key
from dashboard.store.database import Database


def load_region_gains(db: Database, f: Filters, segment: str) -> pd.DataFrame:
    """Per region of the view (a person counts in each region they had an activity in, as a view of
    that one region counts them) and value of `segment` (query-string name): n_both, the people
    with an overall self-rating before and after training, with its cell key `n_both_key`;
    gain_mean and gain_sd, the mean and sample standard deviation of post − pre.

    The same people and figures as query.skills.load_rating_summary of each region alone, for
    every region at once.
    """
    column = SEGMENTS[segment][0]  # a column name of SEGMENTS, never from input
    scope, params = activity_scope(f)
    both = "pre IS NOT NULL AND post IS NOT NULL"
    key = cell_key(f"sum(DISTINCT {record_key('r.person_id')}) FILTER (WHERE {both})")
    sql = (
        f"WITH act AS ({scope}),"
        f" pairs AS (SELECT DISTINCT person_id, region_code, {column} AS value FROM act),"
        " r AS (SELECT person_id, max(score) FILTER (WHERE stage = 'pre') AS pre,"
        "  max(score) FILTER (WHERE stage = 'post') AS post FROM assessments"
        " WHERE instrument = 'self_rating' AND area = 'overall'"
        "  AND person_id IN (SELECT person_id FROM pairs) GROUP BY person_id)"
        " SELECT pairs.region_code, pairs.value,"
        f" count(*) FILTER (WHERE {both}) AS n_both,"
        f" {key} AS n_both_key,"
        f" avg(post - pre) FILTER (WHERE {both}) AS gain_mean,"
        f" stddev_samp(post - pre) FILTER (WHERE {both}) AS gain_sd"
        " FROM r JOIN pairs ON pairs.person_id = r.person_id GROUP BY ALL ORDER BY ALL"
    )
    return db.execute(sql, params)
