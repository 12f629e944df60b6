"""Release layer: read a release — each page figure of a view from its protected tables, in the live metrics' shapes.

`Release(folder)` reads a release written by dashboard.release.build once (its manifest, and
every table it uses, checked against the manifest's hashes) and answers each figure of the
pages with a frame of exactly the columns and dtypes of the live metric function it stands for
(named in each method's docstring), so the wording and chart code draws either unchanged: it is
a source like dashboard.metrics.live.Live, with the same method names. It reads nothing but the
release folder.

Every figure method takes the Filters of the view and answers the nearest held view (`view`,
that is dashboard.release.grain.resolve). What differs from the live figures, by design:

- in a view with a participant group, 0 people looks like 1..k-1 (missing), as the release
  hides it; a breakdown by a third dimension has every count missing (no such group is held),
  and so do the activity breakdowns (topic, format; course lists none) of a group of two
  dimensions; lists of values (regions, courses) of a group show only the values shown;
- counts of hubs and regions (and the rates on them: hubs per 100,000 residents, people per
  hub) are missing where a group is chosen, so their dtype is `Int64` where the live one is
  `int64`;
- hubs on the map count people of the view's calendar year (of all time when the period spans
  several years), whatever the group, and their activities are not released;
- shares, means and rates are the release's rounded values.
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

from dashboard import contract, stats
from dashboard.filters import SEGMENTS, Filters, parse_date
from dashboard.privacy import Rule
from dashboard.query.participation import COURSE_LIMIT
from dashboard.release import cube, grain
from dashboard.release.build import FORMAT, MANIFEST, ReleaseError
from dashboard.release.protect import INTERVALS, RATE_DECIMALS, SHARE_DECIMALS
from dashboard.release.catalogue import read_manifest
from dashboard.release.sites import SiteFigures

TABLES = ("cells", "months", "items", "digigram", "context", "official", "hubs", "hub_people", "growth",
          "periods", "programmes", "regions")
# Frames of the live metric functions stored per period (dashboard.release.snapshots).
SNAPSHOTS = ("cascade", "waitlist_months", "waitlist_latest", "partners", "silent_hubs", "silent_list",
             "regions_without_data")
# Counts of a cell that are 0 where the cell is not written and no group is chosen.
CELL_ZEROS = frozenset((*cube.CELL_COUNTS, "hubs", "regions"))
ITEM_DIMENSIONS = ("topic", "format", "course")
VOCABULARIES = {"topic": contract.TOPICS, "format": contract.FORMATS,
                **{name: vocab for name, (_column, vocab) in SEGMENTS.items()}}
BREAKDOWN_COLUMNS = ("people", "activities", "hubs")
RATING_COUNTS = ("n_pre", "pre_high", "pre_low", "n_post", "post_high", "post_low", "n_both")
RATING_COLUMNS = (*RATING_COUNTS, "pre_mean", "post_mean", "gain_mean", "gain_sd",
                  *(f"{name}{end}" for name in INTERVALS for end in ("", "_lo", "_hi")),
                  "gain_mean_lo", "gain_mean_hi")
# The Overview's and the map's names of a cell's self-rating counts and shares.
RATED_AS = {"n_pre": "pre_people", "pre_high": "pre_7_10", "n_post": "post_people", "post_high": "post_7_10"}
SHARES_AS = {"pre_high_share": "share_before", "post_high_share": "share_after"}
QUARANTINE_COLUMNS = {"source_file": "str", "table": "str", "reason": "str", "rows": "int64"}
HUB_COLUMNS = ("hub_id", "name", "settlement", "hromada", "region_code", "lat", "lon", "joined_on", "status",
               "is_library")

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


def _rounded(values: np.ndarray, decimals: int) -> pd.arrays.FloatingArray:
    """Numbers rounded to `decimals`, as Float64 (missing where NaN)."""
    return pd.array(np.round(values, decimals), dtype="Float64")


def _change(cells: pd.DataFrame) -> pd.arrays.FloatingArray:
    """Share rating 7–10 after minus before, from the cells' protected counts, rounded like a share."""
    after = stats.share(cells["post_high"], cells["n_post"])
    before = stats.share(cells["pre_high"], cells["n_pre"])
    return _rounded(after - before, SHARE_DECIMALS)


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """A breakdown largest first, as metrics.participation.compute_breakdown orders it."""
    order = pd.to_numeric(frame["people"], errors="coerce").astype("float64").fillna(0.5)
    return frame.assign(_order=order).sort_values(["_order", "value"], ascending=[False, True]) \
        .drop(columns="_order").reset_index(drop=True)


def _listed(frame: pd.DataFrame, group: grain.Group) -> pd.Series:
    """Which rows a list of values (regions, courses) shows: with no group every value with people
    (hidden ones too), with a group only those shown (0 and 1..k-1 look the same there)."""
    people = frame["people"]
    return (people != 0).fillna(True) if group == grain.NO_GROUP else people.notna()


def _month_grid(f: Filters) -> pd.Series:
    """The first day of every month of the view's period."""
    start = pd.Timestamp(f.start).to_period("M").to_timestamp()
    return pd.Series(pd.date_range(start, pd.Timestamp(f.end), freq="MS"), name="month").astype("datetime64[us]")


def _codes(group: grain.Group) -> tuple[str, str, str, str]:
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
        matrix = values.astype("float64").to_numpy(na_value=np.nan)
        self.matrix = np.vstack([matrix, np.full((1, matrix.shape[1]), np.nan)])
        self.blank = len(matrix)

    def pick(self, programme: str, views: Sequence[View], columns: Sequence[str]) -> pd.DataFrame:
        """`columns` of the cell of each (area, period, group), in order.

        A cell not written has 0 people (and activities, ratings, hubs, regions) without a group
        and every value missing with one; a group not held (None) has every value missing.
        """
        rows = [self.blank if g is None else self.at.get((programme, a, p, *_codes(g)), self.blank)
                for a, p, g in views]
        picked = self.matrix[np.ix_(rows, [self.column[c] for c in columns])]
        nobody = [r == self.blank and g == grain.NO_GROUP for r, (_a, _p, g) in zip(rows, views)]
        zeros = [j for j, c in enumerate(columns) if c in CELL_ZEROS]
        picked[np.ix_(nobody, zeros)] = 0
        return pd.DataFrame({c: pd.array(picked[:, j], dtype=self.dtypes[c]) for j, c in enumerate(columns)})


class Release(SiteFigures):
    """One release folder, read once; its figures per view (see the module's docstring)."""

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
        self.rule = Rule(**self.manifest["rule"])
        # Each table is kept without its view codes, which a dict maps to its rows.
        self._cells = _Cells(t["cells"])
        self._month_rows = _rows_by(t["months"], cube.KEYS)
        self._months = t["months"][["month", "new_people", "people_total"]]
        self._item_rows = _rows_by(t["items"], ("programme", "area", "period", "dim1", "value1", "dimension"))
        self._items = t["items"][["item", *BREAKDOWN_COLUMNS]].rename(columns={"item": "value"})
        self._digigram_rows = _rows_by(t["digigram"], ("programme", "area", "period"))
        self._digigram = t["digigram"][["test_area", "stage", "people", "mean", "sd", "mean_lo", "mean_hi"]] \
            .rename(columns={"test_area": "area"})
        self._context_at = _row_of(t["context"], ("programme", "area", "period"))
        self._context = t["context"][["library_hubs", "public_libraries", "coordinators", "library_share"]]
        official = t["official"]
        self._official = set(zip(official.loc[official["official"], "programme"],
                                 official.loc[official["official"], "period"]))
        self._hubs = t["hubs"]
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

    # ---- the Overview -----------------------------------------------------------------------------

    def counts(self, f: Filters) -> pd.DataFrame:
        """One row of the Overview's figures (as metrics.overview.compute_counts)."""
        key, _fitted, _notices = self.view(f)
        cell = self._cells.pick(key.programme, [(key.area, key.period, key.group)],
                                ["people", "activities", "hubs", "regions", *RATED_AS, *SHARES_AS])
        context = self._context_of(key.programme, key.period, [key.area]).iloc[0]
        public, share = context["public_libraries"], context["library_share"]
        return pd.DataFrame({
            **{c: cell[c] for c in ("people", "activities", "hubs", "regions")},
            "library_hubs": [int(context["library_hubs"])],
            "public_libraries": [None if pd.isna(public) else int(public)],
            "coordinators": pd.array([context["coordinators"]], dtype="Int64"),
            **{name: cell[c] for c, name in RATED_AS.items()},
            "library_share": [np.nan if pd.isna(share) else float(share)],
            **{name: cell[c] for c, name in SHARES_AS.items()},
            "change_pp": _change(cell),
        })

    def monthly(self, f: Filters) -> pd.DataFrame:
        """People and activities in every month of the view (as metrics.overview.compute_monthly)."""
        key, fitted, _notices = self.view(f)
        months = _month_grid(fitted)
        cells = self._cells.pick(key.programme, [(key.area, f"month:{m:%Y-%m}", key.group) for m in months],
                                 ["people", "activities"])
        return pd.concat([months, cells], axis=1)

    # ---- Participation --------------------------------------------------------------------------

    def cumulative(self, f: Filters) -> pd.DataFrame:
        """People new in each month of the view and trained so far (as
        metrics.participation.compute_cumulative)."""
        key, fitted, _notices = self.view(f)
        rows = self._months.iloc[self._month_rows.get((key.programme, key.area, key.period, *_codes(key.group)), [])]
        grid = _month_grid(fitted).to_frame().merge(rows, on="month", how="left")
        present = grid["month"].isin(rows["month"]).to_numpy()
        # A month nobody new came in keeps the last written month's total (the same people, the same key).
        last = np.maximum.accumulate(np.where(present, np.arange(len(grid)), -1))
        total = grid["people_total"].reindex(last).reset_index(drop=True)
        if key.group == grain.NO_GROUP:
            grid["new_people"] = grid["new_people"].mask(~present, 0)
            total = total.mask(last < 0, 0)
        return grid.assign(people_total=total.array)

    def breakdown(self, f: Filters, dimension: str) -> pd.DataFrame:
        """People, activities and hubs per value of `dimension` (topic, format, course, region or a
        segment name), largest first (as metrics.participation.compute_breakdown; `region` with
        `population` and `per_100k`, people per 100,000 residents)."""
        key, _fitted, _notices = self.view(f)
        if dimension in grain.DIMENSIONS:
            values = list(VOCABULARIES[dimension])
            found = self._cells.pick(key.programme, [(key.area, key.period, key.group.plus(dimension, v))
                                                     for v in values], BREAKDOWN_COLUMNS)
            found.insert(0, "value", pd.Series(values, dtype="str"))
        elif dimension == "region":
            found = self._region_breakdown(key)
        elif dimension in ITEM_DIMENSIONS:
            found = self._item_breakdown(key, dimension)
        else:
            raise ValueError(f"not a breakdown: {dimension}")
        out = _ranked(found)
        return out.head(COURSE_LIMIT) if dimension == "course" else out

    def _region_breakdown(self, key: grain.ViewKey) -> pd.DataFrame:
        regions = self._programme_regions(key.programme)
        if key.area:
            regions = regions[regions["region_code"] == key.area].reset_index(drop=True)
        found = self._cells.pick(key.programme, [(code, key.period, key.group) for code in regions["region_code"]],
                                 BREAKDOWN_COLUMNS)
        found.insert(0, "value", regions["region_code"])
        found["population"] = regions["population"]
        found["per_100k"] = _rounded(stats.per_residents(found["people"], found["population"]), RATE_DECIMALS)
        return found[_listed(found, key.group)]

    def _item_rows_of(self, key: grain.ViewKey, dimension: str) -> pd.DataFrame:
        """The values of `dimension` in the view's cell (none for a group of two dimensions: not held)."""
        found = self._item_rows.get((key.programme, key.area, key.period, key.group.dim1, key.group.value1,
                                     dimension), []) if key.group.size < 2 else []
        return self._items.iloc[found].reset_index(drop=True)

    def _item_breakdown(self, key: grain.ViewKey, dimension: str) -> pd.DataFrame:
        rows = self._item_rows_of(key, dimension)
        if dimension not in VOCABULARIES:
            return rows[_listed(rows, key.group)]
        found = pd.DataFrame({"value": pd.Series(VOCABULARIES[dimension], dtype="str")}) \
            .merge(rows, on="value", how="left")
        if key.group == grain.NO_GROUP:
            found.loc[~found["value"].isin(rows["value"]), list(BREAKDOWN_COLUMNS)] = 0
        return found

    def course_count(self, f: Filters) -> int:
        """How many courses the view has (as query.participation.count_courses): those with people,
        and with a group only those shown; 0 for a group of two dimensions (no courses are held)."""
        key, _fitted, _notices = self.view(f)
        return int(_listed(self._item_rows_of(key, "course"), key.group).sum())

    # ---- Skills ---------------------------------------------------------------------------------

    def ratings(self, f: Filters, segment: str | None = None) -> pd.DataFrame:
        """Self-rating counts, shares with their intervals and means, per value of `segment` (a
        segment name) or one `all` row (as metrics.skills.compute_ratings)."""
        key, _fitted, _notices = self.view(f)
        values = list(SEGMENTS[segment][1]) if segment else ["all"]
        groups = [key.group.plus(segment, v) for v in values] if segment else [key.group]
        out = self._cells.pick(key.programme, [(key.area, key.period, g) for g in groups], RATING_COLUMNS)
        out.insert(0, "value", pd.Series(values, dtype="str"))
        return out

    def distribution(self, f: Filters) -> pd.DataFrame:
        """People per stage and self-rating 1–10, the stage's raters and the share (as
        metrics.skills.compute_distribution)."""
        key, _fitted, _notices = self.view(f)
        pairs = [(stage, score) for stage in contract.STAGES for score in cube.SCORES]
        columns = [*(f"{stage}_{score}" for stage, score in pairs), *(f"n_{stage}" for stage in contract.STAGES),
                   *(f"{stage}_{score}_share" for stage, score in pairs)]
        cell = self._cells.pick(key.programme, [(key.area, key.period, key.group)], columns).iloc[0]
        return pd.DataFrame({
            "stage": pd.Series([stage for stage, _score in pairs], dtype="str"),
            "score": np.array([score for _stage, score in pairs], dtype="int64"),
            "people": pd.array([cell[f"{stage}_{score}"] for stage, score in pairs], dtype="Int64"),
            "raters": pd.array([cell[f"n_{stage}"] for stage, _score in pairs], dtype="Int64"),
            "share": pd.array([cell[f"{stage}_{score}_share"] for stage, score in pairs], dtype="Float64"),
        })

    def digigram(self, f: Filters) -> pd.DataFrame:
        """People tested and mean Digigram score (percent, with its 95% interval) per test area and
        stage (as metrics.skills.compute_digigram; the group does not apply, as there)."""
        key, _fitted, _notices = self.view(f)
        rows = self._digigram.iloc[self._digigram_rows.get((key.programme, key.area, key.period), [])]
        grid = pd.MultiIndex.from_product([list(contract.AREAS), list(contract.STAGES)],
                                          names=["area", "stage"]).to_frame(index=False).astype("str")
        out = grid.merge(rows, on=["area", "stage"], how="left")
        out["people"] = out["people"].fillna(0)  # nobody tested: this table has no group, so 0 is shown
        return out

    # ---- the map --------------------------------------------------------------------------------

    def region_metrics(self, f: Filters) -> pd.DataFrame:
        """Every region of the programme's countries with the map's figures (as
        metrics.map.compute_region_metrics; hubs per 100,000 residents and people per hub from
        the shown values)."""
        key, _fitted, _notices = self.view(f)
        regions = self._programme_regions(key.programme)
        codes = regions["region_code"].tolist()
        cells = self._cells.pick(key.programme, [(code, key.period, key.group) for code in codes],
                                 ["hubs", "people", *RATED_AS, *SHARES_AS])
        context = self._context_of(key.programme, key.period, codes)
        out = pd.DataFrame({
            "region_code": regions["region_code"], "occupation": regions["occupation"],
            "population": pd.array(regions["population"], dtype="Int64"),
            "public_libraries": pd.array(regions["public_libraries"], dtype="Int64"),
            "hubs": cells["hubs"], "library_hubs": pd.array(context["library_hubs"], dtype="Int64"),
            "people": cells["people"], **{name: cells[c] for c, name in RATED_AS.items()},
        })
        out["hubs_per_100k"] = _rounded(stats.per_residents(out["hubs"], out["population"]), RATE_DECIMALS)
        out["library_share"] = context["library_share"]
        out["people_per_hub"] = _rounded(stats.share(out["people"], out["hubs"]), RATE_DECIMALS)
        for c, name in SHARES_AS.items():
            out[name] = cells[c]
        out["change_pp"] = _change(cells)
        return out

    def hub_metrics(self, f: Filters) -> pd.DataFrame:
        """Every hub of the programme that had joined by the period's end, with its people (as
        metrics.map.compute_hub_metrics): people of the view's calendar year, or of all time when
        the period spans several years, whatever the group; classes per hub are not released (no column)."""
        _key, fitted, _notices = self.view(f)
        period = f"year:{fitted.start.year}" if fitted.start.year == fitted.end.year else grain.ALL
        joined = self._hubs["joined_on"]
        hubs = self._hubs[(self._hubs["programme"] == fitted.programme)
                          & (joined.isna() | (joined <= pd.Timestamp(fitted.end)))]
        people = self._hub_people.iloc[self._hub_people_rows.get((fitted.programme, period), [])]
        out = hubs[list(HUB_COLUMNS)].merge(people, on="hub_id", how="left", indicator=True)
        # A hub without a row had nobody in a year when nobody anywhere was (the release lists
        # every hub for every year anyone was trained): 0. A row's missing count stays hidden.
        absent = out.pop("_merge").eq("left_only").to_numpy()
        out["people"] = out["people"].mask(absent, 0)
        return out

    def growth(self, programme: str) -> pd.DataFrame:
        """Sites of the programme by joining year: year, joined, total (as metrics.map.compute_growth)."""
        return self._growth[self._growth["programme"] == programme].drop(columns="programme") \
            .reset_index(drop=True)
