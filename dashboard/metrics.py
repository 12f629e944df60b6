"""Metric layer: the dashboard's figures from query results, protected before they leave."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from dashboard import query
from dashboard.filters import SEGMENTS, Filters
from dashboard.i18n import Translator
from dashboard.privacy import protect, threshold

# Columns of compute_counts that count people: each one goes through privacy.protect.
PEOPLE_COUNTS = ("people", "activities", "coordinators", "pre_people", "pre_7_10", "post_people", "post_7_10")
# The cell key of each of those counts (see privacy.protect).
KEYS = {c: f"{c}_key" for c in PEOPLE_COUNTS}
# Rates and the people counts they are built on (hidden when one of those is suppressed).
RATES = {
    "share_before": ("pre_people", "pre_7_10"),
    "share_after": ("post_people", "post_7_10"),
    "change_pp": ("pre_people", "pre_7_10", "post_people", "post_7_10"),
}
# KPI cards of the Overview, in display order: (key, column of compute_counts, kind); kind
# `people` is a protected count of people, `count` a count of places.
KPIS = (
    ("active_hubs", "hubs", "count"),
    ("library_share", "library_share", "share"),
    ("people", "people", "people"),
    ("activities", "activities", "people"),
    ("coordinators", "coordinators", "people"),
    ("regions", "regions", "count"),
    ("skills", "share_after", "before_after"),
)


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole and not pd.isna(whole) and not pd.isna(part) else float("nan")


def compute_counts(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """One protected row (threshold k, default `privacy.threshold()`) of every Overview figure.

    Columns: people, activities, hubs, regions (of the activities in the view); library_hubs,
    public_libraries, library_share (0..1); coordinators (completed coordinator training);
    pre_people / pre_7_10 and post_people / post_7_10 (people with an overall self-rating before
    / after, and those at 7–10); share_before, share_after (0..1) and change_pp (after − before,
    as a fraction: 0.05 = 5 percentage points).
    """
    totals = query.load_activity_totals(db, f).iloc[0]
    cover = query.load_library_coverage(db, f).iloc[0]
    coordinators = query.load_coordinators(db, f).iloc[0]
    ratings = query.load_self_ratings(db, f).set_index("stage")

    def rating(stage: str, column: str) -> int:
        return int(ratings.loc[stage, column]) if stage in ratings.index else 0

    row = {
        "people": int(totals["people"]),
        "activities": int(totals["activities"]),
        "people_key": int(totals["people_key"]),
        "activities_key": int(totals["activities_key"]),
        "coordinators_key": int(coordinators["completed_key"]),
        "pre_people_key": rating("pre", "people_key"),
        "pre_7_10_key": rating("pre", "people_7_10_key"),
        "post_people_key": rating("post", "people_key"),
        "post_7_10_key": rating("post", "people_7_10_key"),
        "hubs": int(totals["hubs"]),
        "regions": int(totals["regions"]),
        "library_hubs": int(cover["library_hubs"]),
        "public_libraries": None if pd.isna(cover["public_libraries"]) else int(cover["public_libraries"]),
        "coordinators": int(coordinators["completed"]),
        "pre_people": rating("pre", "people"),
        "pre_7_10": rating("pre", "people_7_10"),
        "post_people": rating("post", "people"),
        "post_7_10": rating("post", "people_7_10"),
    }
    row["library_share"] = _share(row["library_hubs"], row["public_libraries"])
    row["share_before"] = _share(row["pre_7_10"], row["pre_people"])
    row["share_after"] = _share(row["post_7_10"], row["post_people"])
    row["change_pp"] = row["share_after"] - row["share_before"]
    return protect(pd.DataFrame([row]), PEOPLE_COUNTS, k=k, rates=RATES, keys=KEYS)


def is_empty(counts: pd.DataFrame) -> bool:
    """True when the view has no activity at all (zero people, not a suppressed small number)."""
    people = counts.iloc[0]["people"]
    return not pd.isna(people) and int(people) == 0


def compute_kpis(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """The KPI cards from two compute_counts rows (previous None = no comparable period).

    Columns: kpi, kind (`count`, `people`, `share`, `before_after`), value, previous, change. For counts the
    change is value − previous; for shares it is in fractions (0.05 = 5 pp); for `before_after`
    `previous` holds the share before training and `change` is after − before.
    """
    now = current.iloc[0]
    before = previous.iloc[0] if previous is not None else None
    rows = []
    for key, column, kind in KPIS:
        value = now[column]
        if kind == "before_after":
            rows.append({"kpi": key, "kind": kind, "value": value,
                         "previous": now["share_before"], "change": now["change_pp"]})
            continue
        last = before[column] if before is not None else pd.NA
        change = value - last if not (pd.isna(value) or pd.isna(last)) else pd.NA
        rows.append({"kpi": key, "kind": kind, "value": value, "previous": last, "change": change})
    return pd.DataFrame(rows)


def has_previous(f: Filters, data_start: dt.date) -> bool:
    """Whether the period before `f` of the same length lies within the data (else no comparison)."""
    return f.previous().start >= data_start


def compute_monthly(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """People and activities in every month of the view, protected (1..k-1 people become missing)."""
    found = query.load_monthly(db, f)
    found["month"] = pd.to_datetime(found["month"])
    # Every month of the period, so a month without classes shows as zero, not as a gap.
    months = pd.DataFrame({"month": pd.date_range(pd.Timestamp(f.start).to_period("M").to_timestamp(),
                                                  pd.Timestamp(f.end), freq="MS")})
    monthly = months.merge(found, on="month", how="left").fillna(
        {"people": 0, "activities": 0, "people_key": 0, "activities_key": 0})
    return protect(monthly, ["people", "activities"], k=k,
                   keys={"people": "people_key", "activities": "activities_key"})


def describe_scope(f: Filters, tr: Translator, region_names: Mapping[str, str]) -> str:
    """The regions and participant group of the view in words; empty when nothing is narrowed."""
    parts = []
    if f.regions:
        parts.append(", ".join(region_names.get(code, code) for code in f.regions))
    for name, (column, _vocab) in SEGMENTS.items():
        values = getattr(f, column)
        if values:
            words = ", ".join(tr.label(name, v) for v in values)
            parts.append(f"{tr(f'filter.{name}').lower()}: {words}")
    return "; ".join(parts)


def headline(counts: pd.DataFrame, f: Filters, tr: Translator, scope: str = "") -> str:
    """A press-ready sentence (or two) about the view, in the translator's language."""
    row = counts.iloc[0]
    start, end = tr.date(f.start), tr.date(f.end)
    if pd.isna(row["people"]):
        return tr("headline.too_few", k=tr.number(threshold()))
    if row["people"] == 0:
        return tr("empty.body", start=start, end=end)
    text = tr(
        "headline.body", start=start, end=end,
        hubs=tr.counted(f"programme.{f.programme}_sites", row["hubs"]),
        regions=tr.counted("plural.regions", row["regions"]),
        people=tr.counted("plural.people", row["people"]),
        activities=tr.counted("plural.activities", row["activities"]),
    )
    if not pd.isna(row["change_pp"]):
        change = round(float(row["change_pp"]) * 100, 1)
        key = "headline.skills_up" if change > 0 else "headline.skills_down" if change < 0 else "headline.skills_same"
        text += " " + tr(key, before=tr.percent(row["share_before"]), after=tr.percent(row["share_after"]),
                         change=tr.points(row["change_pp"]))
    if scope:
        text += " " + tr("headline.scope", scope=scope)
    return text


def widen_suggestions(f: Filters, full_period: tuple[dt.date, dt.date]) -> list[str]:
    """Catalogue keys of what to widen when the view has no data (most promising first)."""
    keys = []
    if f.segment():
        keys.append("empty.segment")
    if f.regions:
        keys.append("empty.regions")
    if (f.start, f.end) != tuple(full_period):
        keys.append("empty.period")
    return keys or ["empty.programme"]


# Names the pipeline's report may use for each per-file count (first match wins).
_REPORT_KEYS = {
    "table": ("kind", "table", "target_table", "target"),
    "rows_in": ("rows_in", "rows_read", "read", "raw_rows", "input_rows", "rows"),
    "cleaned": ("cleaned", "rows_cleaned", "rows_clean", "clean", "kept", "rows_out", "written"),
    "quarantined": ("quarantined", "rows_quarantined", "quarantine"),
    "reasons": ("by_reason", "reasons", "quarantined", "quarantine"),
    "extract_date": ("extract_date", "data_date"),
    "duplicates": ("duplicates", "duplicates_dropped", "dropped_duplicates", "duplicate_rows"),
}
FILE_COLUMNS = ("file", "table", "extract_date", "rows_in", "cleaned", "quarantined", "duplicates")
_COUNTS = FILE_COLUMNS[3:]


def _report_files(report: Mapping) -> list[tuple[str, Mapping]]:
    files = report.get("files") or {}
    if isinstance(files, Mapping):
        return [(str(name), info) for name, info in files.items() if isinstance(info, Mapping)]
    out = []
    for info in files if isinstance(files, list) else []:
        if isinstance(info, Mapping):
            out.append((str(info.get("file") or info.get("name") or info.get("source_file") or "?"), info))
    return out


def _pick(info: Mapping, field: str) -> object:
    for key in _REPORT_KEYS[field]:
        if key in info:
            return info[key]
    return None


def _count(value: object) -> int | None:
    if isinstance(value, Mapping):  # {reason: rows}
        return sum(int(v) for v in value.values() if isinstance(v, (int, float)))
    if isinstance(value, list):  # [{reason, rows}, ...]
        return sum(int(item.get("rows", item.get("count", 0))) for item in value if isinstance(item, Mapping))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return None


def file_summary(report: Mapping) -> pd.DataFrame:
    """Per raw file of the cleaning report: kind of file, extract date, rows in, cleaned,
    quarantined and duplicates.

    Row counts of raw files, not counts of people, so they are shown exactly. A count the report
    does not give is missing.
    """
    rows = []
    for name, info in _report_files(report):
        table = _pick(info, "table")
        extract = _pick(info, "extract_date")
        rows.append({
            "file": name,
            "table": str(table) if table is not None else "",
            "extract_date": dt.date.fromisoformat(extract) if _is_iso_date(extract) else None,
            **{c: _count(_pick(info, c)) for c in _COUNTS},
        })
    frame = pd.DataFrame(rows, columns=list(FILE_COLUMNS))
    for column in _COUNTS:
        frame[column] = frame[column].astype("Int64")
    return frame


def _is_iso_date(value: object) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def unbalanced_files(summary: pd.DataFrame) -> list[str]:
    """Files whose rows read differ from cleaned + quarantined + duplicates (all four known)."""
    known = summary.dropna(subset=list(_COUNTS))
    parts = known["cleaned"] + known["quarantined"] + known["duplicates"]
    return known.loc[known["rows_in"] != parts, "file"].tolist()


def quarantine_reasons(report: Mapping, quarantine: pd.DataFrame) -> pd.DataFrame:
    """Quarantined rows per file and reason (`file`, `reason`, `rows`), largest first.

    From `quarantine.parquet` when it has rows, else from per-reason counts in the report.
    """
    if len(quarantine):
        out = quarantine.rename(columns={"source_file": "file"})[["file", "reason", "rows"]]
    else:
        rows = []
        for name, info in _report_files(report):
            reasons = _pick(info, "reasons")
            if isinstance(reasons, Mapping):
                rows += [{"file": name, "reason": str(r), "rows": n} for r, n in reasons.items()]
            elif isinstance(reasons, list):
                rows += [{"file": name, "reason": str(i.get("reason", "?")), "rows": i.get("rows", i.get("count"))}
                         for i in reasons if isinstance(i, Mapping)]
        out = pd.DataFrame(rows, columns=["file", "reason", "rows"])
    out = out.astype({"rows": "Int64"})
    return out.sort_values(["file", "rows", "reason"], ascending=[True, False, True], ignore_index=True)
