"""Export layer: who is left behind — the Progress page's ranked gaps, computed once for the page and its files.

`compute_left_behind(src, f)` gives, for the view's period and programme, one region's groups
(the view's one region) or, for the whole country, every region × group behind the national
gain, ranked (dashboard.metrics.gaps). The figures are the source's self-rating figures: a
release's protected cells in public mode, the live metrics in internal mode; a group hidden by
protection is never listed. Registered as the figure `left_behind` (dashboard.export.registry).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import charts
from dashboard.export.progress import region_codes
from dashboard.export.view import Source, View
from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.metrics import gaps as metrics
from dashboard.wording import gaps as wording
from dashboard.wording.progress import area_name, period_label

COUNTS = ("n_both",)  # the frame's protected counts of people
ALL_PERIOD = "all"  # release.grain.ALL: the period code of all time


def period_of(src: Source, f: Filters) -> str:
    """The code of the source's held period whose days are the view's (all time when none is)."""
    held = src.held_periods(f.programme)
    return next((code for code, span in held.items() if tuple(span) == (f.start, f.end)), ALL_PERIOD)


# Periods the comparison offers: all time, the phases and the years (a quarter's groups are mostly too small to show).
KINDS = ("all", "phase", "year")


def offered_periods(held: dict) -> dict:
    """Of a source's held periods, those the comparison offers: code -> (first day, last day), widest first."""
    return {code: span for code, span in held.items() if code.partition(":")[0] in KINDS}


def opening_period(offered: dict, f: Filters, data_date: dt.date | None) -> str:
    """The period the comparison opens on: the view's own when it is offered, else the data date's
    year, else the widest."""
    own = next((code for code, span in offered.items() if tuple(span) == (f.start, f.end)), None)
    year = f"year:{data_date.year}" if data_date else None
    return own or (year if year in offered else next(iter(offered)))


def compute_left_behind(src: Source, f: Filters) -> pd.DataFrame:
    """The ranked gaps of the view (metrics.gaps.COLUMNS plus `period`, the held period's code):
    the view's one region's groups, every one shown; or, for the whole country or several regions,
    the region × group cells behind the national gain across the programme's regions."""
    one = f.regions[0] if len(f.regions) == 1 else None
    areas = (one,) if one else region_codes(src, f.programme)
    bare = Filters(programme=f.programme, start=f.start, end=f.end)
    national = src.ratings(bare, None).iloc[0]
    cells = src.group_ratings(bare, list(areas))
    found = metrics.compute_gaps(national, cells)
    if one is None:
        found = metrics.left_behind(found)
    return found.assign(period=period_of(src, f))


def _period(frame: pd.DataFrame) -> str:
    return str(frame["period"].iloc[0]) if len(frame) else ALL_PERIOD


def _number(value: object) -> object:
    return None if value is None or pd.isna(value) else round(float(value), metrics.GAP_DECIMALS)


def gaps_file_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """One row per gap, numbers as numbers: region code and name, characteristic, group, people
    rated before and after, the group's and the national gain and the gap, each with its 95%
    bounds, the standing, and the gap as a sentence."""
    tr, names = view.tr, view.region_names
    period = _period(frame)
    columns = {
        "ISO 3166-2": list(frame["area"]),
        tr("gaps.col_region"): [area_name(a, names, tr) for a in frame["area"]],
        tr("gaps.col_dimension"): [tr(f"filter.{d}") for d in frame["dimension"]],
        tr("gaps.col_group"): [tr.label(d, v) for d, v in zip(frame["dimension"], frame["value"])],
        tr("gaps.col_people"): [tr.fewer_than() if pd.isna(n) else int(n) for n in frame["n_both"]],
    }
    for key, column in (("gain_value", "gain_mean"), ("gain_lo", "gain_mean_lo"), ("gain_hi", "gain_mean_hi"),
                        ("national_value", "national_gain"), ("national_lo", "national_lo"),
                        ("national_hi", "national_hi"), ("gap_value", "gap"), ("gap_lo", "gap_lo"),
                        ("gap_hi", "gap_hi")):
        columns[tr(f"gaps.col_{key}")] = [_number(v) for v in frame[column]]
    columns[tr("gaps.col_standing")] = [wording.standing_label(s, tr) for s in frame["standing"]]
    columns[tr("gaps.col_sentence")] = [wording.sentence(r, tr, names, period) for _i, r in frame.iterrows()]
    return pd.DataFrame(columns, dtype=object)


def gaps_chart(frame: pd.DataFrame, view: View):
    """Each gap with its 95% interval, coloured by standing (charts.interval_chart)."""
    tr = view.tr
    one = frame["area"].nunique() == 1 and len(view.filters.regions) == 1
    return charts.interval_chart(wording.chart_frame(frame, tr, view.region_names, one), tr,
                                 x_title=tr("gaps.chart_x"), label_title=tr("gaps.col_group"),
                                 group_title=tr("gaps.col_standing"), percent=False)


def gaps_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """The period compared (or that no group has figures that can be shown), that the filters'
    participant group does not apply when one is chosen, how a gap is computed, and why reach is
    not compared."""
    tr: Translator = view.tr
    head = [tr("gaps.note_period", period=period_label(_period(frame), tr))] if len(frame) else [tr("gaps.note_none")]
    group = [tr("gaps.note_all_people")] if view.filters.segment() else []
    return head + group + wording.notes(tr)
