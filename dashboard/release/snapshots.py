"""Release layer: the figures of the network and the data-quality checks, as the live metric functions give them for each held period.

These figures describe sites, training groups, partners and waiting lists rather than people by
group, and depend on the period only (the Network page and the data-quality checks do not follow a
participant group in a release). So the release stores, for every held period of a programme and
the whole country, the frames the live metric functions return — protected by them with the
release's rule — and a view of one region reads its rows. The training cascade is stored once per
programme (all time: its own time axis is the project phase). The programme's targets (not
person data) are stored as the extract has them, for the Progress page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard import stats
from dashboard.filters import Filters
from dashboard.metrics import network, participation, quality
from dashboard.privacy import Rule
from dashboard.query import progress as progress_queries
from dashboard.release import cube
from dashboard.store.database import Database

# The waiting list's groupings a public view shows (per centre is hub-level detail: internal only).
WAITLIST_BY = ("all", "region")


def _tag(frame: pd.DataFrame, **columns: object) -> pd.DataFrame:
    return frame.assign(**columns)[[*columns, *frame.columns]]


def _cascade_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """The cascade's ratios again, from the shown (protected) counts, rounded as shown: the live
    frame builds them from exact counts, from which ratio × base would give an exact count back."""
    out = frame.copy()
    for ratio, (top, bottom) in participation.CASCADE_RATIOS.items():
        value = stats.share(pd.to_numeric(out[top]).astype("float64"), pd.to_numeric(out[bottom]).astype("float64"))
        out[ratio] = pd.array(np.round(value, 2), dtype="Float64")
    return out


def _waitlist_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Capacity and months to clear again, from the shown counts, rounded to one decimal."""
    out = frame.copy()
    trained = pd.to_numeric(out["trained_3m"]).astype("float64")
    reported = out["reported"].fillna(False).astype(bool).to_numpy()
    capacity = np.round(np.where(reported, trained / stats.CAPACITY_MONTHS, np.nan), 1)
    out["capacity"] = pd.array(capacity, dtype="Float64")
    clear = stats.months_to_clear(pd.to_numeric(out["waiting"]).astype("float64"), capacity)
    out["months_to_clear"] = pd.array(np.round(np.where(reported, clear, np.nan), 1), dtype="Float64")
    return out


def _in(f: Filters, area: str | None) -> Filters:
    return dataclasses.replace(f, regions=(area,)) if area else f


def compute(db: Database, programme: str, phases: Sequence[tuple[str, dt.date, dt.date]],
            periods: dict[str, tuple[dt.date, dt.date]], rule: Rule) -> dict[str, pd.DataFrame]:
    """The snapshot tables of one programme: cascade, waitlist_months, waitlist_latest, partners,
    silent_hubs (per region), silent_list (the hubs), regions_without_data."""
    whole = periods["all"]
    everything = Filters(programme=programme, start=whole[0], end=whole[1])
    out: dict[str, list[pd.DataFrame]] = {name: [] for name in (
        "waitlist_latest", "partners", "silent_hubs", "silent_list", "regions_without_data")}
    cascade = _tag(_cascade_rates(participation.compute_cascade(db, everything, rule)), programme=programme)
    # Waiting lists per area: the whole country and each region with a centre that reported one.
    waiting = db.execute("SELECT DISTINCT region_code FROM waitlist WHERE programme = ? ORDER BY 1", [programme])
    areas = [None, *waiting["region_code"]] if len(waiting) else []
    months = [_tag(_waitlist_rates(network.compute_waitlist_months(db, _in(everything, area), rule)),
                   programme=programme, area=area or "") for area in areas]
    ends = sorted({end for _start, end in periods.values()})
    for end in ends:
        f = Filters(programme=programme, start=whole[0], end=end)
        out["partners"].append(_tag(network.compute_partners(db, f, rule), programme=programme, end=end))
    for end in ends:
        for area in areas:
            f = _in(Filters(programme=programme, start=whole[0], end=end), area)
            for by in WAITLIST_BY:
                out["waitlist_latest"].append(_tag(_waitlist_rates(network.compute_waitlist_latest(db, f, rule, by)),
                                                   programme=programme, area=area or "", end=end, by=by))
    silent = cube.load_silent_hubs(db, programme, phases, periods)
    regions = cube.load_region_activity(db, programme, phases, periods)
    out["silent_hubs"].append(_tag(quality.silent_by_region(regions, silent, by=("period",)), programme=programme))
    out["silent_list"].append(_tag(silent, programme=programme))
    out["regions_without_data"].append(_tag(quality.regions_without(regions), programme=programme))
    tables = {name: pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
              for name, parts in out.items()}
    tables["cascade"] = cascade
    # The programme's targets travel with the figures they are set against: a plan, not people.
    tables["targets"] = _tag(progress_queries.load_targets(db, programme), programme=programme)
    tables["waitlist_months"] = pd.concat(months, ignore_index=True) if months else pd.DataFrame()
    return tables
