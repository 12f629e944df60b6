"""Export layer: the fact sheet's second page, the reach — who lives within reach of an active hub
and where to open the next one: the coverage map of the region (or the country), the hromadas (on the
country's sheet, the regions) with the most people out of reach, and the planner's picks, with how
the figures are made (export.coverage, as on the Coverage page and its files).
"""

from __future__ import annotations

import pandas as pd
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from dashboard.export import coverage, registry
from dashboard.export.sheet import (FRAME_WIDTH, INK, MAP_SHARE, MUTED, chart_png, country_of, image, para,
                                    sheet_place, style, table_style)
from dashboard.export.view import Source, View
from dashboard.wording import coverage as coverage_wording
from dashboard.wording.names import place_name

MAP_SIZE = (420, 360)  # CSS pixels of the coverage map
# Areas (hromadas, or regions) listed, most people out of reach first.
AREAS = 16


def story(src: Source, view: View, region: str | None) -> list:
    """The sheet's second page: who lives within reach of an active hub and where to open the next one —
    the coverage map of the region (or the country), the hromadas (regions) with the most people
    out of reach, and the planner's picks (export.coverage, as on the Coverage page and its files)."""
    tr, f = view.tr, view.filters
    found = coverage.coverage_of(src, f)
    km = coverage_wording.km_text(found.km, tr)
    place = sheet_place(view, region, country_of(src, f.programme))
    title, text = coverage_wording.fact_sheet_lines(found.total.iloc[0], found.plan, found.km, tr, top=0)
    heading = style(11, INK, bold=True, after=2)
    head = [para(tr("export.fs_reach_title", place=place, km=km), style(16, INK, bold=True, after=2)),
            para(tr("coverage.period_note", date=tr.date(f.end)), style(9.5, MUTED, after=6)),
            para(text, style(9.5, INK, after=6))]
    left, right = FRAME_WIDTH * MAP_SHARE, FRAME_WIDTH * (1 - MAP_SHARE) - 6 * mm
    figure = registry.FIGURES["coverage_map"]
    map_png = chart_png(figure.chart(figure.compute(src, f), view), MAP_SIZE)
    areas = coverage.compute_areas(src, f)
    by_area = (areas["level"] == "area").any()
    pair = Table([[para(tr(figure.title_key), heading),
                   para(tr("export.fs_reach_areas" if by_area else "export.fs_reach_regions"), heading)],
                  [image(map_png, left), _reach_areas(areas, view, right)]], colWidths=[left + 6 * mm, right])
    pair.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    plan = [para(tr("coverage.plan_title"), heading), *_reach_plan(found.plan, view, region is None, km)]
    notes = [*coverage.areas_notes(areas, view), tr("coverage.plan_help", km=km)]
    return [*head, pair, Spacer(1, 6), *plan, Spacer(1, 4),
            *[para(n, style(7.5, MUTED, leading=9.5, after=2)) for n in notes]]


def _reach_areas(areas: pd.DataFrame, view: View, width: float) -> list:
    """The view's total, then the AREAS areas (hromadas, or regions) with the most people out
    of reach: name, people, share within reach, people out of reach; how many rows are left out."""
    tr = view.tr
    total = coverage_wording.view_name(tuple(view.filters.regions), view.region_names, tr)
    label = tr("coverage.col_area" if (areas["level"] == "area").any() else "coverage.col_region")
    rows = [[para(label, style(7, MUTED, bold=True))] + [para(tr(f"coverage.{k}"), style(7, MUTED, bold=True, right=True))
                                                        for k in ("col_people", "col_share", "col_out_people")]]
    shown = areas.head(AREAS + 1)
    for i, (_n, r) in enumerate(shown.iterrows()):
        text, number = style(7.5, INK, bold=i == 0), style(7.5, INK, bold=i == 0, right=True)
        rows.append([para(coverage_wording.area_label(r, view.region_names, total, tr), text),
                     para(tr.number(r["people"]), number),
                     para(coverage_wording.share_text(r["share_covered"], tr), number),
                     para(tr.number(r["people_out"]), number)])
    table = Table(rows, colWidths=[width * w for w in (0.37, 0.23, 0.17, 0.23)], repeatRows=1)
    table.setStyle(table_style(("LINEBELOW", (0, 1), (-1, 1), 0.3, MUTED)))
    out = [table]
    if len(areas) > len(shown):
        out.append(para(tr("export.fs_reach_more", n=tr.number(len(areas) - len(shown))),
                      style(7.5, MUTED, leading=9.5)))
    return out


def _reach_plan(plan: pd.DataFrame, view: View, country: bool, km: str) -> list:
    """The planner's picks: rank, settlement, hromada (and region on the country's sheet),
    population, people newly within reach, share within reach with every pick so far."""
    tr = view.tr
    if plan.empty:
        return [para(tr("coverage.plan_none", km=km), style(9, INK))]
    texts = ["col_rank", "col_settlement", "col_hromada", *(["col_region"] if country else [])]
    numbers = ["col_population", "col_new", "col_cumulative_share"]
    rows = [[para(tr(f"coverage.{k}"), style(7, MUTED, bold=True)) for k in texts]
            + [para(tr(f"coverage.{k}"), style(7, MUTED, bold=True, right=True)) for k in numbers]]
    cell, number = style(8, INK), style(8, INK, right=True)
    for r in plan.itertuples(index=False):
        where = [view.region_names.get(r.region_code, r.region_code)] if country else []
        rows.append([para(str(int(r.rank)), cell), para(place_name(r.name_uk, r.region_code, tr), cell),
                     para(place_name(r.hromada, r.region_code, tr) or "—", cell), *[para(w, cell) for w in where],
                     para(tr.number(r.population), number), para(f"+{tr.number(r.new_people)}", number),
                     para(coverage_wording.share_text(r.share_covered, tr), number)])
    widths = [0.06, 0.2, 0.2, *([0.16] if country else []), 0.12, 0.14, 0.12]
    table = Table(rows, colWidths=[FRAME_WIDTH * w / sum(widths) for w in widths], repeatRows=1)
    table.setStyle(table_style())
    return [table]
