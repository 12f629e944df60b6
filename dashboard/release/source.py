"""Release layer: read a release — each page figure of a view from its protected tables, in the live metrics' shapes.

`Release(folder)` reads a release written by dashboard.release.build once (its tables, checked
against the manifest's hashes, and its views: dashboard.release.tables.ReleaseTables) and answers each figure of the
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

import numpy as np
import pandas as pd

from dashboard import contract, indicators, stats
from dashboard.filters import SEGMENTS, Filters
from dashboard.metrics import progress
from dashboard.query.coverage import SITE_COLUMNS
from dashboard.query.participation import COURSE_LIMIT
from dashboard.release import cube, grain
from dashboard.release.protect import INTERVALS, RATE_DECIMALS, SHARE_DECIMALS
from dashboard.release.sites import SiteFigures
from dashboard.release.tables import BREAKDOWN_COLUMNS, ReleaseTables, group_codes

ITEM_DIMENSIONS = ("topic", "format", "course")
VOCABULARIES = {"topic": contract.TOPICS, "format": contract.FORMATS,
                **{name: vocab for name, (_column, vocab) in SEGMENTS.items()}}
RATING_COUNTS = ("n_pre", "pre_high", "pre_low", "n_post", "post_high", "post_low", "n_both")
RATING_COLUMNS = (*RATING_COUNTS, "pre_mean", "post_mean", "gain_mean", "gain_sd",
                  *(f"{name}{end}" for name in INTERVALS for end in ("", "_lo", "_hi")),
                  "gain_mean_lo", "gain_mean_hi")
# The Overview's and the map's names of a cell's self-rating counts and shares.
RATED_AS = {"n_pre": "pre_people", "pre_high": "pre_7_10", "n_post": "post_people", "post_high": "post_7_10"}
SHARES_AS = {"pre_high_share": "share_before", "post_high_share": "share_after"}
HUB_COLUMNS = ("hub_id", "name", "settlement", "hromada", "region_code", "lat", "lon", "placed", "joined_on",
               "status", "is_library")


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


class Release(ReleaseTables, SiteFigures):
    """One release folder, read once; its figures per view (see the module's docstring)."""

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
        rows = self._months.iloc[self._month_rows.get((key.programme, key.area, key.period, *group_codes(key.group)), [])]
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
        `population` and `people_per_10k`, people per 10,000 residents)."""
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
        found["people_per_10k"] = _rounded(stats.per_residents(found["people"], found["population"],
                                                               indicators.PEOPLE_PER_RESIDENTS), RATE_DECIMALS)
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

    def group_ratings(self, f: Filters, areas: list[str]) -> pd.DataFrame:
        """Self-rating figures of each of `areas` × value of every characteristic in the view's
        period, no other group (as metrics.gaps.compute_group_ratings: area, dimension and its
        RATING_COLUMNS); a group the release hides or does not write has every figure missing."""
        key, _fitted, _notices = self.view(f)
        cells = [(area, name, value) for area in areas for name in grain.DIMENSIONS
                 for value in VOCABULARIES[name]]
        out = self._cells.pick(key.programme, [(a, key.period, grain.Group(d, v)) for a, d, v in cells],
                               ["n_both", "gain_mean", "gain_mean_lo", "gain_mean_hi", "gain_sd"])
        out.insert(0, "value", pd.Series([v for _a, _d, v in cells], dtype="str"))
        out.insert(0, "dimension", pd.Series([d for _a, d, _v in cells], dtype="str"))
        out.insert(0, "area", pd.Series([a for a, _d, _v in cells], dtype="str"))
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
        out["people_per_10k"] = _rounded(stats.per_residents(out["people"], out["population"],
                                                             indicators.PEOPLE_PER_RESIDENTS), RATE_DECIMALS)
        for c, name in SHARES_AS.items():
            out[name] = cells[c]
        out["change_pp"] = _change(cells)
        return out

    def hub_metrics(self, f: Filters) -> pd.DataFrame:
        """Every hub of the programme that had joined by the period's end, with its people (as
        metrics.map.compute_hub_metrics): people of the view's calendar year, or of all time when
        the period spans several years, whatever the group; classes per hub are not released (no column)."""
        _key, fitted, _notices = self.view(f)
        year = fitted.calendar_year()
        period = f"year:{year}" if year is not None else grain.ALL
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

    def sites(self, f: Filters) -> pd.DataFrame:
        """Every site of the programme that had joined by the view's period end, whatever its status:
        place and status (as query.coverage.load_sites)."""
        _key, fitted, _notices = self.view(f)
        joined = self._hubs["joined_on"]
        mine = self._hubs[(self._hubs["programme"] == fitted.programme)
                          & (joined.isna() | (joined <= pd.Timestamp(fitted.end)))]
        return mine.sort_values(["region_code", "hub_id"])[list(SITE_COLUMNS)].reset_index(drop=True)

    # ---- Progress -------------------------------------------------------------------------------

    def progress_actuals(self, f: Filters, areas: list[str]) -> pd.DataFrame:
        """The progress figures of the view's period for each area, from the protected cells with no
        group (as metrics.progress.compute_actuals): people, activities, hubs, shares rating 7–10
        after and before training, and coordinators trained."""
        key, _fitted, _notices = self.view(f)
        cells = self._cells.pick(key.programme, [(area, key.period, grain.NO_GROUP) for area in areas],
                                 ["people", "activities", "hubs", *SHARES_AS])
        coordinators = [self._context.iloc[self._context_at[(key.programme, area, key.period)]]["coordinators"]
                        if (key.programme, area, key.period) in self._context_at else None for area in areas]
        return progress.actuals_frame(pd.DataFrame({
            "area": areas, "people": cells["people"], "activities": cells["activities"], "hubs": cells["hubs"],
            "coordinators": coordinators, "share_after": cells["post_high_share"],
            "share_before": cells["pre_high_share"]}))

    def growth(self, programme: str) -> pd.DataFrame:
        """Sites of the programme by joining year: year, joined, total (as metrics.map.compute_growth)."""
        return self._growth[self._growth["programme"] == programme].drop(columns="programme") \
            .reset_index(drop=True)
