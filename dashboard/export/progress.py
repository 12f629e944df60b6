"""Export layer: progress to targets, computed once for the Progress page, its files and the fact sheet.

Two figures: every region of a view and the whole country against their targets for one figure
and period (`compute_progress`, registered as `progress`), and one region's targets, every figure
and period (`compute_region_progress`, the Progress page's view of one region and the fact
sheet's block). Targets are the programme's plan, public as they are; actuals are the source's
protected figures (a release's cells, or the live metrics), and a per cent is derived only from an
actual that is shown. The status's cut-off is the DASHBOARD_PROGRESS_AT_RISK setting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard import filters, settings
from dashboard.charts.progress import progress_chart
from dashboard.contract import TARGET_INDICATORS, TARGET_SHARES
from dashboard.export.view import Source, View
from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.metrics import progress as metrics
from dashboard.release import grain
from dashboard.wording import progress as wording

COUNTRY = metrics.COUNTRY
# The frame's columns that are protected counts of people (for a share or the active hubs they
# hold those instead: a share is never 1..k-1, and a count of hubs is not hidden).
COUNTS = ("baseline", "actual")
# Columns of a progress frame: metrics.compute_progress's, then what it is for and whether a
# baseline was looked for (a count's period before is held, or a share's value before training).
COLUMNS = ("area", "baseline", "target", "summed", "actual", "achieved", "expected", "status",
           "indicator", "period", "has_baseline")

# The figures of a view's areas for a period: the source's progress_actuals, or a cached one.
Actuals = Callable[[Filters, tuple[str, ...]], pd.DataFrame]


@dataclass(frozen=True)
class Plan:
    """A programme's targets and the periods the source shows that have one."""

    programme: str
    targets: pd.DataFrame  # query.progress.load_targets: region_code (missing = whole country), period, ...
    held: dict  # the source's periods: code -> (first day, last day), widest first
    periods: list[str]  # the held periods with a target, widest first


def plan_of(programme: str, targets: pd.DataFrame, held: dict) -> Plan:
    """The Plan of a programme from its targets and the periods the source holds."""
    return Plan(programme, targets, held, metrics.target_periods(targets, list(held)))


def matching_period(plan: Plan, start: dt.date, end: dt.date) -> str | None:
    """The period with targets whose days are exactly start..end, if any."""
    return next((c for c in plan.periods if tuple(plan.held[c]) == (start, end)), None)


def default_period(plan: Plan, start: dt.date, end: dt.date, data_date: dt.date | None) -> str | None:
    """The period a view opens with: its own when it has targets, else the data date's year when
    that has targets, else the widest with targets; None when the programme has none."""
    year = f"year:{data_date.year}" if data_date else None
    return matching_period(plan, start, end) or (year if year in plan.periods else None) \
        or (plan.periods[0] if plan.periods else None)


def periods_within(plan: Plan, start: dt.date, end: dt.date) -> list[str]:
    """The periods with targets whose days lie within start..end, widest first."""
    return [p for p in plan.periods if start <= plan.held[p][0] and plan.held[p][1] <= end]


def card_period(plan: Plan, start: dt.date, end: dt.date, data_date: dt.date | None) -> str | None:
    """The period of the Overview's card: the view's own when it has targets, else the data date's
    year when it has targets and lies within the view's period (all time holds it); else none."""
    year = f"year:{data_date.year}" if data_date else None
    return matching_period(plan, start, end) or (year if year in periods_within(plan, start, end) else None)


def indicators_of(plan: Plan, period: str, region: str | None = None) -> list[str]:
    """The figures with a target in the period (of `region` when given), in
    contract.TARGET_INDICATORS order (people first)."""
    rows = plan.targets["period"] == period
    if region is not None:
        rows &= plan.targets["region_code"] == region
    present = set(plan.targets.loc[rows, "indicator"])
    return [i for i in TARGET_INDICATORS if i in present]


def period_filters(plan: Plan, period: str) -> Filters:
    """The Filters of a held period: the programme, its days, every region and every participant."""
    start, end = plan.held[period]
    return Filters(programme=plan.programme, start=start, end=end)


def progress_of(plan: Plan, actuals: Actuals, period: str, indicator: str, areas: Sequence[str],
                data_date: dt.date | None, at_risk_from: float) -> pd.DataFrame:
    """metrics.compute_progress of one figure and period for `areas` (COUNTRY first when given),
    with the actuals of the period and, as the baseline, of the period before when it is held.
    Columns COLUMNS."""
    areas = tuple(areas)
    now = actuals(period_filters(plan, period), areas)
    prior = metrics.before(period)
    baselines = actuals(period_filters(plan, prior), areas) if prior in plan.held else None
    span = metrics.span_of(period, plan.held[grain.ALL])
    found = metrics.compute_progress(metrics.targets_of(plan.targets, indicator, period), now, baselines,
                                     indicator, span, data_date, list(areas), at_risk_from)
    return found.assign(indicator=indicator, period=period,
                        has_baseline=indicator in TARGET_SHARES or baselines is not None)


def region_progress(plan: Plan, actuals: Actuals, area: str, data_date: dt.date | None, at_risk_from: float,
                    periods: Sequence[str] | None = None) -> pd.DataFrame:
    """One area's targets (a region, or COUNTRY: the programme as a whole, a count's target summed
    from the regions' when none is set for it), every figure and period with one among `periods`
    (default: all the source shows), widest period first: COLUMNS plus source (who set the target)."""
    periods = list(plan.periods if periods is None else [p for p in plan.periods if p in periods])
    codes = plan.targets["region_code"].fillna(COUNTRY)
    mine = plan.targets[((codes == area) | (area == COUNTRY)) & plan.targets["period"].isin(periods)]
    rows = []
    for period in periods:
        for indicator in TARGET_INDICATORS:
            these = mine[(mine["period"] == period) & (mine["indicator"] == indicator)]
            if these.empty:
                continue
            found = progress_of(plan, actuals, period, indicator, (area,), data_date, at_risk_from)
            if found.iloc[0]["status"] == "no_target":  # a share with only regional targets
                continue
            own = these[codes[these.index] == area]
            rows.append(found.assign(source=own["source"].iloc[0] if len(own) else None))
    if not rows:
        return empty_frame().assign(source=pd.Series(dtype="object"))
    return pd.concat(rows, ignore_index=True)


def empty_frame() -> pd.DataFrame:
    """A progress frame without rows (a programme or period without targets)."""
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c in COUNTS else "object") for c in COLUMNS})


def region_codes(src: Source, programme: str) -> tuple[str, ...]:
    """The codes of the regions of the programme's countries, in code order."""
    _dates, _phases, countries = filters.spans_by_programme(src.programme_spans())
    regions = src.regions()
    return tuple(sorted(regions.loc[regions["country_code"].isin(countries.get(programme, [])), "region_code"]))


# ---- the figures -------------------------------------------------------------------------------

def compute_progress(src: Source, f: Filters) -> pd.DataFrame:
    """Every region of the view (all the programme's without a region filter) and the whole country
    against their targets, for the first figure with a target (people trained first) of the view's
    period, or of the period the Progress page opens with when the view's has none. Targets are
    for all participants: a participant group of the view does not apply."""
    plan = plan_of(f.programme, src.targets(f.programme), src.held_periods(f.programme))
    data_date = src.data_date()
    period = default_period(plan, f.start, f.end, data_date)
    if period is None:
        return empty_frame()
    areas = (COUNTRY, *(f.regions or region_codes(src, f.programme)))
    return progress_of(plan, src.progress_actuals, period, indicators_of(plan, period)[0], areas, data_date,
                       settings.progress_at_risk())


def compute_region_progress(src: Source, f: Filters) -> pd.DataFrame:
    """One region's targets (the view's one region; the whole country otherwise), every figure and
    period the source shows (region_progress)."""
    plan = plan_of(f.programme, src.targets(f.programme), src.held_periods(f.programme))
    area = f.regions[0] if len(f.regions) == 1 else COUNTRY
    return region_progress(plan, src.progress_actuals, area, src.data_date(), settings.progress_at_risk())


def _scaled(value: object, share: bool, tr: Translator, hidden: bool) -> object:
    """A file cell: a count as a whole number, a share as per cent (one decimal); a hidden count
    reads "fewer than k", a hidden share or a missing value is left empty."""
    if value is None or pd.isna(value):
        return tr.fewer_than() if hidden and not share else None
    return round(float(value) * 100, 1) if share else int(round(float(value)))


def _percent(value: object) -> object:
    return None if value is None or pd.isna(value) else round(float(value) * 100, 1)


def _figures(frame: pd.DataFrame, tr: Translator) -> dict[str, list]:
    """The columns of a file shared by both figures: baseline, target, actual, per cents, status."""
    share = [i in TARGET_SHARES for i in frame["indicator"]]
    return {
        tr("progress.col_baseline"): [_scaled(v, s, tr, bool(h)) for v, s, h in
                                      zip(frame["baseline"], share, frame["has_baseline"])],
        tr("progress.col_target"): [_scaled(v, s, tr, False) for v, s in zip(frame["target"], share)],
        tr("progress.col_actual"): [_scaled(v, s, tr, True) for v, s in zip(frame["actual"], share)],
        tr("progress.col_achieved"): [_percent(v) for v in frame["achieved"]],
        tr("progress.col_expected"): [_percent(v) for v in frame["expected"]],
        tr("progress.col_status"): [wording.status_label(s, tr) for s in frame["status"]],
    }


def progress_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """Region code and name, then baseline, target and actual (counts, or shares in per cent),
    per cent achieved and expected by now, and the status (symbol and word)."""
    tr, names = view.tr, view.region_names
    regions = {"ISO 3166-2": [a or None for a in frame["area"]],
               tr("export.col_region"): [wording.area_name(a, names, tr, bool(s))
                                         for a, s in zip(frame["area"], frame["summed"])]}
    return pd.DataFrame({**regions, **_figures(frame, tr)}, dtype=object)


def region_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """Figure and period, then as progress_table, and who set the target."""
    tr = view.tr
    named = {tr("progress.col_indicator"): [tr(f"indicator.{i}") for i in frame["indicator"]],
             tr("progress.col_period"): [wording.period_label(p, tr) for p in frame["period"]]}
    source = {tr("progress.col_source"): [s or None for s in wording.source_words(frame, tr)]}
    return pd.DataFrame({**named, **_figures(frame, tr), **source}, dtype=object)


def progress_figure_chart(frame: pd.DataFrame, view: View):
    """Per cent of the target achieved per region and the whole country (charts.progress.progress_chart)."""
    tr = view.tr
    return progress_chart(wording.chart_frame(frame, tr, view.region_names), tr,
                          label_title=tr("progress.col_region"), status_words=wording.status_words(tr),
                          first=wording.national_rows(frame))


def region_figure_chart(frame: pd.DataFrame, view: View):
    """Per cent of each of one region's targets achieved, in the table's order (charts.progress.progress_chart)."""
    tr = view.tr
    rows = wording.region_chart_frame(frame, tr)
    return progress_chart(rows, tr, label_title=tr("progress.col_indicator"), status_words=wording.status_words(tr),
                          first=len(rows))


def progress_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """What the file is for (figure, period), how a status is decided, and that targets are for
    all participants when the view names a group; or that no target is set."""
    tr = view.tr
    if frame.empty:
        return [tr("progress.note_none")]
    row = frame.iloc[0]
    return [tr("progress.note_figure", indicator=tr(f"indicator.{row['indicator']}"),
               period=wording.period_label(row["period"], tr)),
            *_common_notes(float(row["expected"]), view)]


def region_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """How a status is decided, and that targets are for all participants when the view names a
    group; or that no target is set."""
    return _common_notes(None, view) if len(frame) else [view.tr("progress.note_none")]


def _common_notes(expected: float | None, view: View) -> list[str]:
    tr = view.tr
    notes = [wording.rule_note(expected, view.data_date, tr, settings.progress_at_risk())]
    if view.filters.segment():
        notes.append(tr("progress.note_all_people"))
    return notes
