"""Metric layer of the Data quality page: the cleaning report per file, quarantine reasons, hubs off the map, silent hubs, empty regions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from dashboard import stats
from dashboard.filters import Filters, parse_date
from dashboard.query import quality as queries
from dashboard.store.database import Database

FILE_COLUMNS = ("file", "table", "extract_date", "rows_in", "cleaned", "quarantined", "duplicates")
_COUNTS = FILE_COLUMNS[3:]


def _report_files(report: Mapping) -> list[tuple[str, Mapping]]:
    """(file name, its entry) of the report's `files` (as `python -m dashboard.clean` writes it)."""
    files = report.get("files") or {}
    if not isinstance(files, Mapping):
        return []
    return [(str(name), info) for name, info in files.items() if isinstance(info, Mapping)]


def _count(value: object) -> int | None:
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
        kind = info.get("kind")
        rows.append({
            "file": name,
            "table": str(kind) if kind is not None else "",
            "extract_date": parse_date(str(info.get("extract_date", ""))),
            **{c: _count(info.get(c)) for c in _COUNTS},
        })
    frame = pd.DataFrame(rows, columns=list(FILE_COLUMNS))
    for column in _COUNTS:
        frame[column] = frame[column].astype("Int64")
    return frame


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
            reasons = info.get("by_reason")
            if isinstance(reasons, Mapping):
                rows += [{"file": name, "reason": str(r), "rows": n} for r, n in reasons.items()]
        out = pd.DataFrame(rows, columns=["file", "reason", "rows"])
    out = out.astype({"rows": "Int64"})
    return out.sort_values(["file", "rows", "reason"], ascending=[True, False, True], ignore_index=True)


def compute_placement(db: Database) -> tuple[dict[str, int], pd.DataFrame]:
    """How the extract's hubs are on the map, and those that are not.

    Returns the number of hubs of each `kind` of queries.load_placement (`coordinates`,
    `settlement` or an `unplaced_reason` code; kinds without hubs are absent) and the hubs off
    the map with their reason (queries.load_unplaced_hubs: hub-level detail). Counts of hubs,
    not of people: exact.
    """
    counts = queries.load_placement(db)
    return dict(zip(counts["kind"], counts["hubs"].astype(int))), queries.load_unplaced_hubs(db)


def compute_silent_hubs(db: Database, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Active hubs that reported nothing in the period: per region (`active_hubs`, `silent`,
    `silent_share`) for regions with active hubs, and the list of those hubs (hub-level detail).
    """
    silent = queries.load_silent_hubs(db, f)
    return silent_by_region(queries.load_region_activity(db, f), silent), silent


def silent_by_region(regions: pd.DataFrame, silent: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per region with active hubs (queries.load_region_activity): `active_hubs`, `silent` (of
    the hubs of queries.load_silent_hubs) and `silent_share`, the largest share first; per value of
    the columns `by` too when both frames have them (a release's periods)."""
    keys = [*by, "region_code"]
    per_region = regions[[*keys, "active_hubs"]].merge(
        silent.groupby(keys).size().rename("silent").reset_index(), on=keys, how="left")
    per_region["silent"] = per_region["silent"].fillna(0).astype("int64")
    per_region = per_region[per_region["active_hubs"] > 0].copy()
    per_region["silent_share"] = stats.share(per_region["silent"], per_region["active_hubs"])
    return per_region.sort_values([*by, "silent_share", "region_code"], ascending=[True] * len(by) + [False, True],
                                  ignore_index=True)


def compute_regions_without_data(db: Database, f: Filters) -> pd.DataFrame:
    """Regions of the view with no activity reported in the period, and why it may be: `reason`
    `occupied` (the whole region is occupied), `no_hubs` (none in the registry), `not_yet` (no
    active hub had joined by the period's end) or `no_reports` (active hubs sent none).
    """
    return regions_without(queries.load_region_activity(db, f))


def regions_without(regions: pd.DataFrame) -> pd.DataFrame:
    """The regions of queries.load_region_activity with no activity, and the likely `reason`."""
    empty = regions[regions["activities"] == 0].copy()
    empty["reason"] = np.select([empty["occupation"] == "full", empty["hubs"] == 0, empty["active_hubs"] == 0],
                                ["occupied", "no_hubs", "not_yet"], "no_reports")
    return empty.reset_index(drop=True)


def extract_times(folder, report: dict) -> pd.DataFrame:
    """When each cleaned table was written (`written`) and its rows (`rows`, from the report)."""
    files = queries.extract_files(folder)
    tables = (report or {}).get("tables") or {}
    files["table"] = files["file"].str.removesuffix(".parquet")
    # The quarantine's rows are the report's `quarantined` total; the report itself has none.
    counts = {**tables, "quarantine": (report or {}).get("quarantined")}
    files["rows"] = pd.array([counts.get(t) if isinstance(counts.get(t), int) else None
                              for t in files["table"]], dtype="Int64")
    return files[["file", "table", "rows", "written"]]
