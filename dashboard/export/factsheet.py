"""Export layer: the two-page region fact sheet (PDF, ReportLab) for a region or the whole country.

Page one, the impact: key figures, the region on the map, the participation trend, the skill gain
and, when targets are set for periods within the view's, the region's progress to them, the share
of people within reach of an active hub and the first places where a new hub would reach the
most, with the filters in words and the data date. Page two, the reach: the coverage map, the
hromadas (on the country's sheet, the regions) with the most people out of reach, and the
planner's list of where to open the next hub. Charts come from the export registry
(`registry.FIGURES`), drawn by vl-convert as PNG at print resolution; text is set in the bundled
Noto Sans (Cyrillic). The PDF's creation date is the data date and ReportLab runs in its
invariant mode, so the same data and filters give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

from dashboard import settings
from dashboard.charts import progress as progress_charts
from dashboard.contract import TARGET_SHARES
from dashboard.export import coverage, overview, progress, reach_sheet, regions, registry
from dashboard.export.sheet import (BLUE, BOLD, FRAME_WIDTH, INK, MAP_SHARE, MARGIN, MUTED, chart_png, country_of, image,
                                    para, programme_regions, register_fonts, sheet_place, style, text_glyphs)
from dashboard.export.view import Source, View, open_source, source_folder
from dashboard.indicators import INDICATORS
from dashboard.metrics import overview as overview_metrics
from dashboard.privacy import Rule
from dashboard.wording import coverage as coverage_wording
from dashboard.wording import overview as overview_wording
from dashboard.wording import progress as progress_wording

# CSS sizes of the charts on the first page (the page places them at its column widths).
MAP_SIZE, SKILLS_SIZE, TREND_SIZE = (400, 260), (150, 130), (760, 170)
# Key-figure tiles: (key of overview.KPI_ROWS, or "skills" for before → after).
TILES = ("people", "activities", "hubs", "coordinators", "library_share", "skills")
# Tiles whose definitions the sheet prints (the others are named fully by their label).
DEFINED = ("people", "activities", "hubs", "coordinators")
AUTHOR = "Digital Education Hubs dashboard"
# Targets on the sheet at most (the rest are on the Progress page): the page must stay one page.
TARGET_ROWS = 4
# Processes for a sheet per region: the target machine has two cores.
WORKERS = 2


def _tiles(key_figures: pd.DataFrame, view: View) -> Table:
    tr = view.tr
    rows = {r["key"]: r for r in overview.kpi_rows(key_figures)}
    cells = []
    for key in TILES:
        if key == "skills":
            before, after = rows["share_before"]["value"], rows["share_after"]["value"]
            value = overview_wording.kpi_text("before_after", after, before, None, tr)[0]
            label = tr("kpi.skills")
        else:
            value, label = overview.kpi_texts(rows[key], tr)[0], overview.kpi_label(key, tr)
        cells.append([para(value, style(17, BLUE, bold=True)), para(label, style(8.5, MUTED))])
    grid = [cells[0:3], cells[3:6]]
    table = Table(grid, colWidths=[FRAME_WIDTH / 3] * 3)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f5f7")),
        ("LINEBELOW", (0, 0), (-1, 0), 3, colors.white), ("LINEAFTER", (0, 0), (1, -1), 3, colors.white),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6), ("LEFTPADDING", (0, 0), (-1, -1), 8),
    ]))
    return table


def region_view(view: View, region: str | None) -> View:
    """The view narrowed to one region (an ISO code), or widened to every region for None."""
    return replace(view, filters=replace(view.filters, regions=(region,) if region else ()))


def story(src: Source, view: View, region: str | None) -> list:
    """The flowables of the sheet of `region` (an ISO code), or of the whole country when None."""
    view = region_view(view, region)
    key = overview.compute_key_figures(src, view.filters)
    trend = registry.FIGURES["participation_trend"]
    monthly = trend.compute(src, view.filters)
    targets = _progress_frame(src, view, region)
    return [*_header(src, view, region, key), *_charts(src, view, region, monthly), *_progress(view, targets),
            *_coverage(src, view), *_notes(view, key, monthly, targets)]


def _header(src: Source, view: View, region: str | None, key: pd.DataFrame) -> list:
    """Title, filters in words, source and data date, the key-figure tiles and the headline."""
    tr = view.tr
    programme, period, _regions, group = registry.scope_parts(view)
    place = sheet_place(view, region, country_of(src, view.filters.programme))
    people = key.iloc[0]["people"]
    empty = not pd.isna(people) and int(people) == 0
    headline = tr("export.fs_none") if empty else overview_wording.headline(key, view.filters, tr)
    return [
        para(tr("export.fs_title", region=place), style(20, INK, bold=True, after=2)),
        para(f"{programme} · {period} · {group}", style(9.5, MUTED)),
        para(registry.source_line(view), style(9.5, MUTED, after=8)),
        _tiles(key, view), Spacer(1, 6),
        para(headline, style(9.5, INK, after=6)),
    ]


def _charts(src: Source, view: View, region: str | None, monthly: pd.DataFrame) -> list:
    """The map beside the skill gain, then the participation trend across the page."""
    tr, f = view.tr, view.filters
    skills, trend = registry.FIGURES["skills"], registry.FIGURES["participation_trend"]
    map_png = chart_png(regions.sheet_map(src, view, region, MAP_SIZE), None)
    skills_png = chart_png(skills.chart(skills.compute(src, f), view), SKILLS_SIZE)
    left, right = FRAME_WIDTH * MAP_SHARE, FRAME_WIDTH * (1 - MAP_SHARE) - 6 * mm
    heading = style(11, INK, bold=True)
    pair = Table([[para(tr("export.fs_map" if region else "export.fs_map_country"), heading),
                   para(tr(skills.title_key), heading)],
                  [image(map_png, left), image(skills_png, right)]], colWidths=[left + 6 * mm, right])
    pair.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [pair, Spacer(1, 4), para(tr(trend.title_key), style(11, INK, bold=True, after=2)),
            image(chart_png(trend.chart(monthly, view), TREND_SIZE), FRAME_WIDTH), Spacer(1, 4)]


def _progress_frame(src: Source, view: View, region: str | None) -> pd.DataFrame:
    """The region's (or the whole country's) targets of periods within the sheet's period; none on
    the sheet of a participant group (targets are for everyone)."""
    f = view.filters
    plan = progress.plan_of(f.programme, src.targets(f.programme), src.held_periods(f.programme))
    within = progress.periods_within(plan, f.start, f.end)
    if not within or f.segment():
        return progress.empty_frame()
    return progress.region_progress(plan, src.progress_actuals, region or progress.COUNTRY, src.data_date(),
                                    settings.progress_at_risk(), within)


class StatusMark(Flowable):
    """A status's symbol drawn as lines (charts.progress.SYMBOL_PATHS: no font has to have it), then its word."""

    SIZE, GAP, FONT_SIZE = 6.5, 4, 8.5  # points

    def __init__(self, status: str, word: str):
        super().__init__()
        self.status, self.word = status, word

    def wrap(self, avail_width, avail_height):
        return avail_width, self.FONT_SIZE * 1.3

    def draw(self):
        ink, size = colors.HexColor(progress_charts.STATUS_TEXT[self.status]), self.SIZE
        self.canv.setStrokeColor(ink)
        self.canv.setLineWidth(1.4)
        self.canv.setLineCap(1)
        for stroke in re.findall(r"M[^M]+", progress_charts.SYMBOL_PATHS[self.status]):
            # Vega's unit square runs -1..1 with y downwards; the page's y runs upwards.
            points = [((1 + float(x)) / 2 * size, (1 - float(y)) / 2 * size + 1)
                      for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", stroke)]
            path = self.canv.beginPath()
            path.moveTo(*points[0])
            for point in points[1:]:
                path.lineTo(*point)
            self.canv.drawPath(path, stroke=1, fill=0)
        self.canv.setFillColor(ink)
        self.canv.setFont(BOLD, self.FONT_SIZE)
        self.canv.drawString(size + self.GAP, 1.5, self.word)


def _status(status: str, tr) -> Flowable:
    """A status cell: a drawn symbol and the word where the symbol is one Noto Sans lacks (✓, ✗),
    else the symbol and word as text."""
    if status in progress_charts.SYMBOL_PATHS and ord(progress_wording.SYMBOLS[status]) not in text_glyphs():
        return StatusMark(status, tr(f"progress.status_{status}"))
    ink = colors.HexColor(progress_charts.STATUS_TEXT[status])
    return para(progress_wording.status_label(status, tr), style(8.5, ink, bold=True))


def _progress(view: View, frame: pd.DataFrame) -> list:
    """The progress block: figure, period, target, actual, per cent achieved and expected by now,
    and status (symbol and word, on its colour) of at most TARGET_ROWS targets; nothing without targets."""
    if frame.empty:
        return []
    tr = view.tr
    head, cell = style(8, MUTED, bold=True), style(8.5, INK)
    columns = ("indicator", "period", "target", "actual", "achieved", "expected", "status")
    rows = [[para(tr(f"progress.col_{k}"), head) for k in columns]]
    shown = frame.head(TARGET_ROWS)
    for r in shown.itertuples(index=False):
        share = r.indicator in TARGET_SHARES
        actual = (tr.percent(r.actual) if share else tr.count(r.actual)) if not pd.isna(r.actual) \
            else ("—" if share else tr.fewer_than())
        target = tr.percent(r.target) if share else tr.number(r.target)
        figure = tr(f"indicator.{r.indicator}") + (f" ({tr('progress.source_summed')})" if r.summed else "")
        rows.append([para(figure, cell), para(progress_wording.period_label(r.period, tr), cell), para(target, cell),
                     para(actual, cell), para(tr.percent(r.achieved), cell), para(tr.percent(r.expected), cell),
                     _status(r.status, tr)])
    widths = [0.27, 0.09, 0.1, 0.11, 0.12, 0.13, 0.18]
    table = Table(rows, colWidths=[FRAME_WIDTH * w for w in widths])
    rules = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, MUTED),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
             ("LEFTPADDING", (0, 0), (-1, -1), 4)]
    for i, s in enumerate(shown["status"], start=1):
        rules.append(("BACKGROUND", (6, i), (6, i), colors.HexColor(progress_charts.STATUS_COLOURS[s])))
    table.setStyle(TableStyle(rules))
    out = [para(tr("progress.fs_title"), style(11, INK, bold=True, after=2)), table]
    if len(frame) > TARGET_ROWS:
        out.append(para(tr("progress.fs_more", n=tr.number(len(frame) - TARGET_ROWS)), style(7.5, MUTED, leading=9.5)))
    return [*out, Spacer(1, 4)]


def _coverage(src: Source, view: View) -> list:
    """The coverage block: the share of people within reach of an active hub (and of rural
    residents) and the planner's first three picks (export.coverage, as on the Coverage page)."""
    found = coverage.coverage_of(src, view.filters)
    title, text = coverage_wording.fact_sheet_lines(found.total.iloc[0], found.plan, found.km, view.tr)
    return [para(title, style(11, INK, bold=True, after=2)), para(text, style(9, INK, leading=11.5)), Spacer(1, 4)]


def _notes(view: View, key: pd.DataFrame, monthly: pd.DataFrame, targets: pd.DataFrame) -> list:
    """Definitions of the tiles' figures, what skill ratings are, how a target's status is decided,
    and the privacy notes."""
    tr = view.tr
    trend = registry.FIGURES["participation_trend"]
    defined = " ".join(f"{overview.kpi_label(k, tr)} — {tr(INDICATORS[k].help)}" for k in DEFINED)
    notes = [f"{tr('export.fs_definitions')}: {defined}", tr("export.note_skills")]
    if len(targets):
        notes.append(progress_wording.rule_note(None, view.data_date, tr, settings.progress_at_risk()))
    hidden = registry.privacy_notes(key, overview_metrics.PEOPLE_COUNTS, view)
    for note in registry.privacy_notes(targets.head(TARGET_ROWS), ("actual",), view):
        hidden += [note] if note not in hidden else []
    notes += hidden
    notes += trend.notes(monthly, view) if trend.notes else []
    return [para(n, style(7.5, MUTED, leading=9.5, after=2)) for n in notes]


def pdf_bytes(src: Source, view: View, region: str | None = None) -> bytes:
    """The fact sheet as PDF bytes: two A4 pages (the impact, then the reach), creation date = the data date."""
    register_fonts()
    buffer = io.BytesIO()
    view = region_view(view, region)
    title = view.tr("export.fs_title", region=sheet_place(view, region, country_of(src, view.filters.programme)))
    day = view.data_date or dt.date(2000, 1, 1)
    stamp = f"D:{day:%Y%m%d}000000+00'00'"
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title, author=AUTHOR, creator=AUTHOR,
                            subject=registry.subtitle(view), invariant=1, lang=view.lang)

    def fixed_date(canvas, _doc):
        canvas.setDateFormatter(lambda *_parts: stamp)

    # Two pages whatever the texts' length: each page's content shrinks to fit the frame if it must.
    pages = [KeepInFrame(FRAME_WIDTH, A4[1] - 2 * MARGIN - 12, content, mode="shrink")
             for content in (story(src, view, region), reach_sheet.story(src, view, region))]
    doc.build([pages[0], PageBreak(), pages[1]], onFirstPage=fixed_date, onLaterPages=fixed_date)
    return buffer.getvalue()


def file_name(view: View, region: str | None, country: str) -> str:
    """`factsheet_UA-05_uk.pdf`; the whole country is `factsheet_UA_uk.pdf`."""
    return f"factsheet_{region or country or 'all'}_{view.lang}.pdf"


@functools.cache
def _worker_source(folder: str, rule: Rule) -> Source:
    """The source a worker process writes its sheets from, opened once per process (a release is
    read and checked whole when opened)."""
    return open_source(Path(folder), rule)


def _write_one(folder: str, rule: Rule, view: View, region: str | None, path: str) -> str:
    Path(path).write_bytes(pdf_bytes(_worker_source(folder, rule), view, region))
    return path


def write_all(src: Source, view: View, folder: Path, workers: int | None = None) -> list[Path]:
    """A fact sheet for every region of the programme and one for the whole country, into `folder`.

    Sheets are written by `workers` processes (default: one per core, at most WORKERS), each
    reopening the source from its folder; the files do not depend on which process wrote them.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    country = country_of(src, view.filters.programme)
    jobs = [(region, folder / file_name(view, region, country))
            for region in [None, *programme_regions(src, view.filters.programme)["region_code"]]]
    workers = workers or min(WORKERS, os.cpu_count() or 1)
    if workers <= 1:
        for region, path in jobs:
            path.write_bytes(pdf_bytes(src, view, region))
        return [path for _region, path in jobs]
    # Spawned, not forked: DuckDB and the chart engine run threads that a fork would not copy.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        origin = str(source_folder(src))
        done = pool.map(_write_one, *zip(*[(origin, src.rule, view, region, str(path)) for region, path in jobs]))
        return [Path(p) for p in done]
