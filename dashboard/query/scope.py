"""Query layer: what every statement shares — the activities and regions of a view, cell keys, named thresholds."""

from __future__ import annotations

from dashboard.filters import SEGMENTS, Filters
from dashboard.indicators import HIGH_FROM, LOW_TO
from dashboard.privacy import KEY_MODULUS
from dashboard.store import prepared

SEGMENT_COLUMNS = {column for column, _vocab in SEGMENTS.values()}


def record_key(column: str) -> str:
    """SQL of a record's cell key: 48 bits of DuckDB's hash of its id (uniform, fixed for the record).

    privacy.protect perturbs a count of people with the sum of the keys of the people in the
    cell, so the same people always get the same noise, whichever view they are reached from.
    People and activities are held by that hash already (see dashboard.store.prepared), so their key is
    read from it; other ids (training groups, partners) are hashed here.
    """
    # hash() is several times cheaper than md5 over millions of rows; a DuckDB release that changed
    # it would give every cell a new fixed noise, which is harmless.
    if column.rsplit(".", 1)[-1] in prepared.HASHED_IDS:
        return f"({column} >> 16)::BIGINT"
    return f"(hash({column}) >> 16)::BIGINT"


def key_sum(column: str) -> str:
    """SQL aggregate of the cell key of the distinct records of `column` (pair it with count(DISTINCT)).

    """
    return cell_key(f"sum(DISTINCT {record_key(column)})")


def cell_key(total: str) -> str:
    """SQL that reduces a sum of record keys to the cell key, an integer in [0, 2^48)."""
    return f"(coalesce({total}, 0)::HUGEINT % {KEY_MODULUS})::BIGINT"


def activity_scope(f: Filters) -> tuple[str, list[object]]:
    """SQL of the activities in the view (programme, period, regions, segment) and its parameters."""
    where = ["a.programme = ?", "CAST(a.activity_date AS DATE) BETWEEN ? AND ?"]
    params: list[object] = [f.programme, f.start, f.end]
    if f.regions:
        where.append("list_contains(?::VARCHAR[], a.region_code)")
        params.append(list(f.regions))
    for column, values in f.segment().items():
        if column not in SEGMENT_COLUMNS:  # column names come from SEGMENTS, never from input
            raise ValueError(f"not a segment column: {column}")
        where.append(f"list_contains(?::VARCHAR[], a.{column})")
        params.append(list(values))
    # The query-ready activities carry their person's segment (dashboard.prepared): no join.
    segments = "".join(f", a.{column}" for column in sorted(SEGMENT_COLUMNS))
    sql = (
        "SELECT a.activity_id, a.person_id, a.hub_id, a.region_code, a.activity_date, a.course, a.topic,"
        f" a.format{segments} FROM activities a WHERE " + " AND ".join(where)
    )
    return sql, params


def region_scope(f: Filters) -> tuple[str, list[object]]:
    """SQL of the programme's regions (those of its hubs' countries) within the region filter."""
    sql = (
        "SELECT region_code, public_libraries FROM regions WHERE country_code IN ("
        " SELECT DISTINCT r.country_code FROM hubs h JOIN regions r ON r.region_code = h.region_code"
        " WHERE h.programme = ?)"
    )
    params: list[object] = [f.programme]
    if f.regions:
        sql += " AND list_contains(?::VARCHAR[], region_code)"
        params.append(list(f.regions))
    return sql, params


def region_clause(f: Filters, column: str, params: list[object]) -> str:
    """SQL ` AND <column> in the selected regions` (empty for all regions); appends its parameter."""
    if not f.regions:
        return ""
    params.append(list(f.regions))
    return f" AND list_contains(?::VARCHAR[], {column})"


def rated_high(score: str) -> str:
    """SQL condition: a self-rating in the 7–10 band (indicators.HIGH_FROM and above)."""
    return f"{score} >= {HIGH_FROM}"


def rated_low(score: str) -> str:
    """SQL condition: a self-rating in the 1–4 band (indicators.LOW_TO and below)."""
    return f"{score} <= {LOW_TO}"
