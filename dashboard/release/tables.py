"""Release layer: a release's tables read once and checked against its manifest, its reference tables and the view each request resolves to.

`ReleaseTables(folder)` reads the manifest and every table the pages use (each file's bytes
checked against the manifest's SHA-256), keeps each table indexed by its view codes (programme,
area, period, group) and answers what is not a figure: the regions, programmes and phases, the
held periods, the held view nearest to a request (dashboard.release.grain.resolve), the period
before it and whether its totals are official. dashboard.release.source.Release adds the figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dashboard.filters import Filters, parse_date
from dashboard.privacy import Rule
from dashboard.release import cube, grain
from dashboard.release.build import FORMAT, MANIFEST, ReleaseError
from dashboard.release.catalogue import read_manifest

TABLES = ("cells", "months", "items", "digigram", "context", "official", "hubs", "hub_people", "growth",
          "periods", "programmes", "regions")
# Frames of the live metric functions stored per period (dashboard.release.snapshots).
SNAPSHOTS = ("cascade", "waitlist_months", "waitlist_latest", "partners", "silent_hubs", "silent_list",
             "regions_without_data")
# Tables a release may lack (one computed before they existed reads on without them).
OPTIONAL = ("targets",)
TARGET_COLUMNS = {"programme": "str", "region_code": "str", "period": "str", "indicator": "str",
                  "target": "float64", "source": "str"}
# Counts of a cell that are 0 where the cell is not written and no group is chosen.
CELL_ZEROS = frozenset((*cube.CELL_COUNTS, "hubs", "regions"))
QUARANTINE_COLUMNS = {"source_file": "str", "table": "str", "reason": "str", "rows": "int64"}
# The view codes that index the items table, and the counts kept of each item.
ITEM_KEYS = ("programme", "area", "period", "dim1", "value1", "dimension")
BREAKDOWN_COLUMNS = ("people", "activities", "hubs")

View = tuple[str, str, grain.Group | None]  # area, period, group (None: a group the release does not hold)


def is_release(folder: Path) -> bool:
    """Whether `folder` is a release (it has a manifest) rather than a cleaned extract."""
    return (Path(folder) / MANIFEST).is_file()


def _read(folder: Path, table: str, expected: str) -> pd.DataFrame:
    """The table read from its file, once; ReleaseError when its bytes are not those of the manifest."""
    data = (folder / f"{table}.parquet").read_bytes()
    if hashlib.sha256(data).hexdigest() != expected:
        raise ReleaseError(f"release {folder.name}: {table}.parquet is not the file its manifest records")
    return pd.read_parquet(io.BytesIO(data))


def _rows_by(frame: pd.DataFrame, columns: Sequence[str]) -> dict[tuple, np.ndarray]:
    """Row positions of `frame` per combination of `columns`."""
    return frame.groupby(list(columns), sort=False).indices


def _row_of(frame: pd.DataFrame, columns: Sequence[str]) -> dict[tuple, int]:
    """The row position of each combination of `columns` (unique in `frame`)."""
    return dict(zip(zip(*(frame[c].tolist() for c in columns)), range(len(frame))))


def group_codes(group: grain.Group) -> tuple[str, str, str, str]:
    return group.dim1, group.value1, group.dim2, group.value2


def _before(period: str) -> str | None:
    """The code of the month, quarter or year before a month's, quarter's or year's; else None."""
    kind, _sep, value = period.partition(":")
    if kind == "month":
        day = dt.date.fromisoformat(f"{value}-01") - dt.timedelta(days=1)
        return f"month:{day:%Y-%m}"
    if kind == "quarter":
        year, quarter = (int(x) for x in value.split("-Q"))
        return f"quarter:{year}-Q{quarter - 1}" if quarter > 1 else f"quarter:{year - 1}-Q4"
    if kind == "year":
        return f"year:{int(value) - 1}"
    return None


class _Cells:
    """The cells' counts and rates as one float matrix (NaN = missing), with a last blank row:
    a few cells are picked in microseconds, where a frame of 70 nullable columns takes milliseconds."""

    def __init__(self, cells: pd.DataFrame):
        self.at = _row_of(cells, cube.KEYS)
        values = cells.drop(columns=list(cube.KEYS))
        self.dtypes = {c: str(values[c].dtype) for c in values.columns}
        self.column = {c: j for j, c in enumerate(values.columns)}
        # Column by column into one array (a frame's own to_numpy of nullable columns is 10–30× slower).
        self.matrix = np.empty((len(values) + 1, len(values.columns)), order="F")
        for j, c in enumerate(values.columns):
            self.matrix[:-1, j] = values[c].array.to_numpy(dtype="float64", na_value=np.nan)
        self.matrix[-1] = np.nan
        self.blank = len(values)

    def pick(self, programme: str, views: Sequence[View], columns: Sequence[str]) -> pd.DataFrame:
        """`columns` of the cell of each (area, period, group), in order.

        A cell not written has 0 people (and activities, ratings, hubs, regions) without a group
        and every value missing with one; a group not held (None) has every value missing.
        """
        rows = [self.blank if g is None else self.at.get((programme, a, p, *group_codes(g)), self.blank)
                for a, p, g in views]
        picked = self.matrix[np.ix_(rows, [self.column[c] for c in columns])]
        nobody = [r == self.blank and g == grain.NO_GROUP for r, (_a, _p, g) in zip(rows, views)]
        zeros = [j for j, c in enumerate(columns) if c in CELL_ZEROS]
        picked[np.ix_(nobody, zeros)] = 0
        return pd.DataFrame({c: pd.array(picked[:, j], dtype=self.dtypes[c]) for j, c in enumerate(columns)})


class ReleaseTables:
    """One release folder's tables, read once, and its reference tables and views (see the module's docstring)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.manifest = read_manifest(self.folder)
        if self.manifest.get("format") != FORMAT:
            raise ReleaseError(f"release {self.folder.name}: format {self.manifest.get('format')!r}, "
                               f"this dashboard reads format {FORMAT}")
        files = self.manifest.get("tables", {})
        missing = [t for t in (*TABLES, *SNAPSHOTS) if t not in files]
        if missing:
            raise ReleaseError(f"release {self.folder.name}: its manifest lists no {', '.join(missing)}")
        t = {name: _read(self.folder, name, files[name]["sha256"]) for name in TABLES}
        self._snapshots = {name: _read(self.folder, name, files[name]["sha256"]) for name in SNAPSHOTS}
        self._targets = _read(self.folder, "targets", files["targets"]["sha256"]) if "targets" in files \
            else pd.DataFrame({c: pd.Series(dtype=t) for c, t in TARGET_COLUMNS.items()})
        self.rule = Rule(**self.manifest["rule"])
        # Each table is kept without its view codes, which a dict maps to its rows.
        self._cells = _Cells(t["cells"])
        self._month_rows = _rows_by(t["months"], cube.KEYS)
        self._months = t["months"][["month", "new_people", "people_total"]]
        self._item_rows = _rows_by(t["items"], ITEM_KEYS)
        self._items = t["items"][["item", *BREAKDOWN_COLUMNS]].rename(columns={"item": "value"})
        self._digigram_rows = _rows_by(t["digigram"], ("programme", "area", "period"))
        self._digigram = t["digigram"][["test_area", "stage", "people", "mean", "sd", "mean_lo", "mean_hi"]] \
            .rename(columns={"test_area": "area"})
        self._context_at = _row_of(t["context"], ("programme", "area", "period"))
        self._context = t["context"][["library_hubs", "public_libraries", "coordinators", "library_share"]]
        official = t["official"]
        self._official = set(zip(official.loc[official["official"], "programme"],
                                 official.loc[official["official"], "period"]))
        # A release written before hubs had `placed` (how each is on the map) reads on without it.
        self._hubs = t["hubs"] if "placed" in t["hubs"].columns else t["hubs"].assign(placed=pd.Series(dtype="str"))
        self._hub_people_rows = _rows_by(t["hub_people"], ("programme", "period"))
        self._hub_people = t["hub_people"][["hub_id", "people"]]
        self._growth = t["growth"]
        self._programmes = t["programmes"]
        self._regions = t["regions"]
        with duckdb.connect() as con:  # DuckDB's collations, as the live reference orders the names
            con.register("regions", self._regions)
            self._region_names = con.execute(
                "SELECT region_code, country_code, name_uk, name_en,"
                " row_number() OVER (ORDER BY name_uk COLLATE uk) AS order_uk,"
                " row_number() OVER (ORDER BY name_en COLLATE en) AS order_en"
                " FROM regions ORDER BY region_code").df()
        self._held: dict[str, dict[str, tuple[dt.date, dt.date]]] = {}
        for row in t["periods"].itertuples(index=False):
            self._held.setdefault(row.programme, {})[row.period] = (pd.Timestamp(row.start).date(),
                                                                    pd.Timestamp(row.end).date())

    # ---- the release, its reference tables and its views ----------------------------------------

    @property
    def release(self) -> dict:
        """The release's manifest (a live source has None here)."""
        return self.manifest

    def report(self) -> dict:
        """What the pages read of a cleaning report: the manifest (its `data_date` above all)."""
        return dict(self.manifest)

    def quarantine(self) -> pd.DataFrame:
        """Quarantined rows per file and reason (as query.quality.load_quarantine): none, a release
        holds no quarantine."""
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in QUARANTINE_COLUMNS.items()})

    def data_date(self) -> dt.date | None:
        """The date of the extract the release was computed from."""
        return parse_date(str(self.manifest.get("data_date", "")))

    def regions(self) -> pd.DataFrame:
        """The regions with each name's place in its alphabet (as query.reference.load_regions)."""
        return self._region_names.copy()

    def regions_reference(self) -> pd.DataFrame:
        """Every region's code, country, population, public libraries and occupation
        (as query.reference.load_regions_reference)."""
        return self._regions[["region_code", "country_code", "population", "public_libraries", "occupation"]] \
            .sort_values("region_code", ignore_index=True)

    def programme_spans(self) -> pd.DataFrame:
        """Per programme: first and last day, countries, phases (as query.reference.load_programme_spans)."""
        return self._programmes.copy()

    def phases(self, programme: str) -> list[str]:
        """The programme's project phases, in order (as query.reference.load_phases)."""
        found = self._programmes.loc[self._programmes["programme"] == programme, "phases"]
        phases = found.iloc[0] if len(found) else None
        return [] if phases is None or pd.api.types.is_scalar(phases) else [p for p in phases if p]

    def held_periods(self, programme: str) -> dict[str, tuple[dt.date, dt.date]]:
        """The periods the release holds for the programme: code -> (first day, last day), widest first."""
        return dict(self._held.get(programme, {}))

    def view(self, f: Filters) -> tuple[grain.ViewKey, Filters, list[str]]:
        """The held view nearest to `f`, its Filters and the notices of what changed (grain.resolve)."""
        return grain.resolve(f, self._held.get(f.programme, {}))

    def previous(self, f: Filters, data_start: dt.date) -> Filters | None:
        """The view the Overview compares with: the same view in the month, quarter or year before
        the view's; None for all time or a phase, or when the release does not hold that period."""
        _key, fitted, _notices = self.view(f)
        held = self._held.get(f.programme, {})
        for code, span in held.items():
            before = _before(code)
            if span == (fitted.start, fitted.end) and before in held and held[before][0] >= data_start:
                start, end = held[before]
                return replace(fitted, start=start, end=end)
        return None

    def official(self, f: Filters) -> bool:
        """Whether the view's headline counts (people, activities, hubs, regions) are the official,
        exact totals: the whole country with no group, in a period whose totals the release publishes."""
        key, _fitted, _notices = self.view(f)
        whole = key.area == grain.COUNTRY and key.group == grain.NO_GROUP
        return whole and (key.programme, key.period) in self._official

    def _programme_regions(self, programme: str) -> pd.DataFrame:
        """The regions of the programme's countries (those of its hubs), by code."""
        found = self._programmes.loc[self._programmes["programme"] == programme, "countries"]
        countries = [] if found.empty or found.iloc[0] is None else list(found.iloc[0])
        return self._regions[self._regions["country_code"].isin(countries)] \
            .sort_values("region_code", ignore_index=True)

    def _context_of(self, programme: str, period: str, areas: Sequence[str]) -> pd.DataFrame:
        """Library hubs, public libraries, their share and coordinators of each area in the period."""
        rows = [self._context_at[(programme, area, period)] for area in areas]
        return self._context.iloc[rows].reset_index(drop=True)

    def targets(self, programme: str) -> pd.DataFrame:
        """Every target of a programme (as query.progress.load_targets); none in a release without them."""
        found = self._targets[self._targets["programme"] == programme]
        return found[["region_code", "period", "indicator", "target", "source"]].reset_index(drop=True)
