"""Export layer: coverage and the planner, computed once for the Coverage page, its files and the fact sheet.

`coverage_of(src, f)` gathers what metrics.coverage needs — the settlements (public reference
data, dashboard.geo), the source's sites (a release's hubs in public mode: places and statuses,
never people), the regions' occupation, the reach (DASHBOARD_COVERAGE_KM) — and returns its
Coverage. Three figures are registered from it: the coverage table (`coverage`), the planner's
list (`coverage_plan`) and the map with every settlement of the view (`coverage_map`).
"""

from __future__ import annotations

import pandas as pd

from dashboard import charts, filters, geo, settings
from dashboard.charts.coverage import coverage_map
from dashboard.export.view import Source, View, source_folder
from dashboard.filters import Filters
from dashboard.geo.placement import default_gazetteer
from dashboard.metrics import coverage as metrics
from dashboard.store.database import data_version
from dashboard.wording import coverage as wording
from dashboard.wording.names import place_name

ISO = "ISO 3166-2"
MEMO_ENTRIES = 4  # views whose coverage is kept for the files of one press kit or fact-sheet run
_MEMO: dict[tuple, metrics.Coverage] = {}


def view_regions(src: Source, f: Filters) -> tuple[str, ...]:
    """The regions of the view: the filter's, or every region of the programme's countries."""
    if f.regions:
        return tuple(f.regions)
    _dates, _phases, countries = filters.spans_by_programme(src.programme_spans())
    regions = src.regions()
    return tuple(sorted(regions.loc[regions["country_code"].isin(countries.get(f.programme, [])), "region_code"]))


def one_region(f: Filters) -> str | None:
    """The view's region when it has exactly one (its table is then by hromada)."""
    return f.regions[0] if len(f.regions) == 1 else None


def coverage_of(src: Source, f: Filters, picks: int = metrics.DEFAULT_PICKS, km: float | None = None) -> metrics.Coverage:
    """Coverage of the view's regions at `km` (default DASHBOARD_COVERAGE_KM) and the planner's
    `picks`, from the source's sites that had joined by the period's end."""
    km = settings.coverage_km() if km is None else km
    folder = source_folder(src)
    version = data_version(folder) if src.release is None else src.release["created"]
    # Only the programme, the period's end and the regions matter: the participant group does not.
    regions = view_regions(src, f)
    key = (type(src).__name__, str(folder), version, f.programme, f.end, regions, km, picks)
    if key not in _MEMO:
        if len(_MEMO) >= MEMO_ENTRIES:
            _MEMO.clear()
        reference = src.regions_reference()
        occupation = dict(zip(reference["region_code"], reference["occupation"]))
        _MEMO[key] = metrics.compute_coverage(geo.load_settlements(), src.sites(f), regions, km, occupation,
                                              default_gazetteer(), picks)
    return _MEMO[key]


# ---- the coverage table -------------------------------------------------------------------------

def compute_areas(src: Source, f: Filters) -> pd.DataFrame:
    """The view and each of its regions, or for one region that region and each hromada
    (metrics.coverage.area_rows)."""
    return metrics.area_rows(coverage_of(src, f), one_region(f))


def _total_name(view: View) -> str:
    return wording.view_name(tuple(view.filters.regions), view.region_names, view.tr)


def areas_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """The region's ISO code, then the coverage table in words (wording.coverage.area_table)."""
    table = wording.area_table(frame, view.tr, view.region_names, _total_name(view))
    codes = [c if level == "region" else None for c, level in zip(frame["region_code"], frame["level"])]
    table.insert(0, ISO, codes)
    return table.astype(object)


def areas_chart(frame: pd.DataFrame, view: View):
    """Share of people within reach per row, the view's total first, then largest first."""
    tr = view.tr
    rows = pd.concat([frame.iloc[:1], frame.iloc[1:].sort_values("share_covered", ascending=False)])
    data = pd.DataFrame({"label": [wording.area_label(r, view.region_names, _total_name(view), tr)
                                   for _i, r in rows.iterrows()],
                         "value": pd.to_numeric(rows["share_covered"], errors="coerce").astype("float64"),
                         "value_text": [wording.share_text(v, tr) for v in rows["share_covered"]]})
    km = wording.km_text(settings.coverage_km(), tr)
    return charts.ranked_bar_chart(data, tr, value_title=tr("coverage.chart_share", km=km), percent=True,
                                   tooltip_title=tr("coverage.col_area" if (frame["level"] == "area").any()
                                                    else "coverage.col_region"))


def areas_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """How the figures are made (wording.coverage.notes)."""
    no_population = int(frame["no_population"].iloc[0]) if len(frame) else 0
    return wording.notes(settings.coverage_km(), view.tr, no_population, older_missing="share_60_plus" not in frame.columns)


# ---- the planner's list -------------------------------------------------------------------------

def compute_plan(src: Source, f: Filters) -> pd.DataFrame:
    """The planner's picks for the view (metrics.coverage.plan_hubs, DEFAULT_PICKS of them)."""
    return coverage_of(src, f).plan


def plan_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """The planner's list in words, with each settlement's KATOTTG code and its region's ISO code."""
    table = wording.plan_table(frame, view.tr, view.region_names)
    table.insert(2, view.tr("coverage.col_katottg"), [k if isinstance(k, str) and k else None for k in frame["katottg"]])
    table.insert(table.columns.get_loc(view.tr("coverage.col_region")) + 1, ISO, frame["region_code"].to_numpy())
    return table.astype(object)


def plan_chart(frame: pd.DataFrame, view: View):
    """People each pick brings within reach, in the order of the picks."""
    tr = view.tr
    data = pd.DataFrame({"label": [f"{r}. {place_name(n, c, tr)}"
                                   for r, n, c in zip(frame["rank"], frame["name_uk"], frame["region_code"])],
                         "value": frame["new_people"].astype("float64"),
                         "value_text": [tr.number(v) for v in frame["new_people"]]})
    return charts.ranked_bar_chart(data, tr, value_title=tr("coverage.col_new"),
                                   tooltip_title=tr("coverage.col_settlement"))


def plan_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """How the picks are made, and where they may go."""
    tr, km = view.tr, wording.km_text(settings.coverage_km(), view.tr)
    return [tr("coverage.plan_help", km=km), tr("coverage.note_candidates")] if len(frame) \
        else [tr("coverage.plan_none", km=km)]


# ---- the map --------------------------------------------------------------------------------------

def compute_map(src: Source, f: Filters) -> pd.DataFrame:
    """Every point of the coverage map (metrics.coverage.map_points)."""
    return metrics.map_points(coverage_of(src, f))


def map_chart(frame: pd.DataFrame, view: View, size: tuple[int, int] | None = None):
    """The coverage map of the frame's settlements (charts.coverage.coverage_map)."""
    km = settings.coverage_km()
    layers = wording.map_layers(frame, view.tr, view.region_names, km)
    regions = sorted(set(frame.loc[frame["layer"] == "settlement", "region_code"]))
    extra = {"width": size[0], "height": size[1]} if size else {}
    return coverage_map(layers["covered"], view.tr, out=layers["out"], occupied=layers["occupied"],
                        hubs=layers["hub"], picks=layers["pick"],
                        kinds=wording.kind_words(view.tr, km), tips=wording.tip_titles(view.tr), regions=regions,
                        **extra)


def map_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """Every settlement of the map in words (wording.coverage.settlement_table)."""
    return wording.settlement_table(frame, view.tr, view.region_names)


def map_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """How the figures are made (the map draws no ages: no word on them)."""
    settlements = frame[frame["layer"] == "settlement"]
    no_population = int((settlements["people"].fillna(0) == 0).sum())
    return wording.notes(settings.coverage_km(), view.tr, no_population, older_missing=False)
