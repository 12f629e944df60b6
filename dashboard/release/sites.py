"""Release layer: a release's site and data-quality figures — the Network page and the data checks, as stored per held period.

Stored per held period as the live metric functions gave them (dashboard.release.snapshots); they
describe sites, training groups, partners and waiting lists: no participant group applies. The
methods are part of `dashboard.release.source.Release`, which holds the tables they read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.filters import Filters
from dashboard.release import grain

WAITLIST_MONTH_COLUMNS = ("month", "waiting", "centres", "trained_3m", "reported", "capacity", "months_to_clear")


class SiteFigures:
    """The Network & capacity and Data quality figures of a Release (see the module's docstring)."""

    def _snapshot(self, table: str, **match: object) -> pd.DataFrame:
        frame = self._snapshots[table]
        if frame.empty:
            return frame
        pick = np.ones(len(frame), dtype=bool)
        for column, value in match.items():
            pick &= (frame[column] == value).to_numpy()
        return frame[pick].drop(columns=list(match)).reset_index(drop=True)

    def cascade(self, f: Filters) -> pd.DataFrame:
        """The training cascade per region and phase of all time (as
        metrics.participation.compute_cascade; its time axis is the phase): of one region, that
        region's rows, which are also its all-regions rows."""
        key, _fitted, _notices = self.view(f)
        rows = self._snapshot("cascade", programme=key.programme)
        if key.area:
            mine = rows[rows["region_code"] == key.area]
            rows = pd.concat([mine.assign(region_code=None), mine], ignore_index=True)
        return rows.sort_values(["region_code", "phase"], na_position="first", ignore_index=True)

    def _registry(self, f: Filters) -> pd.DataFrame:
        key, _fitted, _notices = self.view(f)
        hubs = self._hubs[self._hubs["programme"] == key.programme]
        return hubs[hubs["region_code"] == key.area] if key.area else hubs

    def network_years(self, f: Filters) -> pd.DataFrame:
        """Sites per year (as metrics.network.compute_network_years): opened and in the network from
        the registry; active = hubs with a class in the view that year, from the cells without a group."""
        key, fitted, _notices = self.view(f)
        hubs = self._registry(f)
        opened = pd.to_datetime(hubs["joined_on"]).dt.year.dropna().astype("int64").value_counts()
        years = list(range(min([*opened.index, fitted.start.year]), fitted.end.year + 1))
        frame = pd.DataFrame({"year": pd.array(years, dtype="int64")})
        frame["opened"] = frame["year"].map(opened).fillna(0).astype("int64")
        frame["in_network"] = frame["opened"].cumsum()
        one_year = fitted.start.year == fitted.end.year
        inside = [fitted.start.year <= y <= fitted.end.year for y in years]
        views = [(key.area, key.period if one_year else f"year:{y}", grain.NO_GROUP) for y in years]
        active = self._cells.pick(key.programme, views, ["hubs"])["hubs"]
        frame["active"] = pd.array([a if i else pd.NA for a, i in zip(active, inside)], dtype="Int64")
        return frame

    def undated_sites(self, f: Filters) -> int:
        """Sites of the view's programme and region without a joining date."""
        return int(self._registry(f)["joined_on"].isna().sum())

    def waitlist_months(self, f: Filters) -> pd.DataFrame:
        """The waiting list by month up to the period's end (as metrics.network.compute_waitlist_months)."""
        key, fitted, _notices = self.view(f)
        rows = self._snapshot("waitlist_months", programme=key.programme, area=key.area)
        if rows.empty:
            return pd.DataFrame(columns=WAITLIST_MONTH_COLUMNS)
        rows["month"] = pd.to_datetime(rows["month"])
        return rows[rows["month"] <= pd.Timestamp(fitted.end)].reset_index(drop=True)

    def waitlist_latest(self, f: Filters, by: str) -> pd.DataFrame:
        """The latest waiting list per region or all up to the period's end (as
        metrics.network.compute_waitlist_latest); per centre is not released (internal only)."""
        key, fitted, _notices = self.view(f)
        if by not in ("all", "region"):
            return pd.DataFrame()
        rows = self._snapshot("waitlist_latest", programme=key.programme, area=key.area, end=fitted.end, by=by)
        other = "region_code" if by == "all" else "all"  # the grouping column of the other rows
        return rows.drop(columns=[other], errors="ignore")

    def partners(self, f: Filters) -> pd.DataFrame:
        """Partners per type with an agreement by the period's end (as metrics.network.compute_partners)."""
        key, fitted, _notices = self.view(f)
        return self._snapshot("partners", programme=key.programme, end=fitted.end)

    def silent_hubs(self, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Active hubs that sent no report in the period, per region and each (as
        metrics.quality.compute_silent_hubs)."""
        key, _fitted, _notices = self.view(f)
        per_region = self._snapshot("silent_hubs", programme=key.programme, period=key.period)
        listed = self._snapshot("silent_list", programme=key.programme, period=key.period)
        if key.area:
            per_region = per_region[per_region["region_code"] == key.area].reset_index(drop=True)
            listed = listed[listed["region_code"] == key.area].reset_index(drop=True)
        return per_region, listed

    def regions_without_data(self, f: Filters) -> pd.DataFrame:
        """Regions of the view with nothing reported in the period, and why (as
        metrics.quality.compute_regions_without_data)."""
        key, _fitted, _notices = self.view(f)
        rows = self._snapshot("regions_without_data", programme=key.programme, period=key.period)
        return rows[rows["region_code"] == key.area].reset_index(drop=True) if key.area else rows
