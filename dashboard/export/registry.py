"""Export layer: the registry of exportable figures and the words every exported file carries.

A `Figure` knows its title, how to take its protected frame from a source (a live extract or a
release: dashboard.export.view.Source) for Filters, how to draw it (an Altair builder of
dashboard/charts.py or a sibling) and which numbers it draws (the table written to CSV and
XLSX). `prepare` turns a figure and a `View` (filters, language, region names, data date,
release) into an `Export`: the chart, the table, a title, a subtitle that states the filters in
words, a source line with the data date or the release, and the notes. The writers in
`dashboard.export.files` turn an Export into PNG, SVG, CSV and XLSX. Registering another
chart is one line: `register(Figure("name", "catalogue.title_key", compute, chart, ...))`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import altair as alt
import pandas as pd

from dashboard import charts
from dashboard.export import analytics, coverage, gaps, hubs, overview, progress, regions
from dashboard.export.view import Source, View
from dashboard.filters import SEGMENTS, Filters
from dashboard.query import annotations
from dashboard.wording import overview as overview_wording
from dashboard.wording.annotations import event_frame, events_note
from dashboard.wording.common import describe_scope

Compute = Callable[[Source, Filters], pd.DataFrame]
Builder = Callable[[pd.DataFrame, View], alt.TopLevelMixin]
Table = Callable[[pd.DataFrame, View], pd.DataFrame]
Notes = Callable[[pd.DataFrame, View], list[str]]


def default_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """The protected frame as written to files: headers from the catalogue's `col.*` where known."""
    tr = view.tr
    names = {c: tr(f"col.{c}") if f"col.{c}" in tr.messages else c for c in frame.columns}
    return frame.rename(columns=names)


@dataclass(frozen=True)
class Figure:
    """One exportable figure.

    - `name`: file-name stem (ASCII), also the key in FIGURES;
    - `title_key`: catalogue key of its title;
    - `compute(src, filters)`: its protected frame, the source's figures unchanged;
    - `chart(frame, view)`: the Altair chart drawn from that frame, in the view's language;
    - `table(frame, view)`: the numbers drawn, with headers in the language; a suppressed count
      reads as the catalogue's "fewer than k", a rate built on it is left empty;
    - `counts`: the frame's columns that are protected counts of people (for the notes);
    - `notes(frame, view)`: notes of its own (suppression and perturbation notes are added);
    - `default`: preselected on the Exports page and in the command-line press kit.
    """

    name: str
    title_key: str
    compute: Compute
    chart: Builder
    table: Table = default_table
    counts: tuple[str, ...] = ()
    notes: Notes | None = None
    default: bool = True


# Every exportable figure, in the order they are offered and written.
FIGURES: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    """Add a figure to FIGURES (a later registration of the same name replaces the earlier one)."""
    FIGURES[figure.name] = figure
    return figure


def default_names() -> list[str]:
    """Names of the figures preselected for a press kit."""
    return [name for name, fig in FIGURES.items() if fig.default]


@dataclass(frozen=True)
class Export:
    """One figure ready to be written: its chart, the numbers drawn and the words around it."""

    figure: Figure
    view: View
    frame: pd.DataFrame
    table: pd.DataFrame
    chart: alt.TopLevelMixin
    title: str
    subtitle: str
    source: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def scope_parts(view: View) -> list[str]:
    """The filters in words: programme, period, regions (or all), participant group (or all)."""
    tr, f = view.tr, view.filters
    bare = {column: () for column, _vocab in SEGMENTS.values()}
    regions = describe_scope(replace(f, **bare), tr, view.region_names)
    segment = describe_scope(replace(f, regions=()), tr, view.region_names)
    return [
        tr(f"programme.{f.programme}"), tr.period(f.start, f.end),
        regions or tr("export.all_regions"), segment or tr("export.all_people"),
    ]


def subtitle(view: View) -> str:
    """One line that states the filters in words (see scope_parts)."""
    return " · ".join(scope_parts(view))


def source_line(view: View) -> str:
    """Where the numbers come from: the release, named with its approval date (a draft: its
    creation date), or the extract with its data date."""
    tr, release = view.tr, view.release
    programme = tr(f"programme.{view.filters.programme}")
    if release is not None:
        approval = release.get("approval")
        key, stamp = ("release.source", approval["at"]) if approval else ("release.source_draft", release["created"])
        day = dt.datetime.fromisoformat(stamp).date()
        return tr(key, programme=programme, name=release["name"], date=tr.date(day))
    date = tr("common.data_date", date=tr.date(view.data_date)) if view.data_date else tr("export.no_date")
    return tr("export.source", programme=programme, date=date)


def privacy_notes(frame: pd.DataFrame, counts: tuple[str, ...], view: View) -> list[str]:
    """The suppression note when a count is hidden, and the perturbation note for counts of people."""
    tr, notes = view.tr, []
    present = [c for c in counts if c in frame.columns]
    if present and frame[present].isna().to_numpy().any():
        notes.append(tr("export.note_hidden", fewer=tr.fewer_than(), k_minus=tr.number(view.rule.k - 1)))
    if present and view.rule.noise > 0:
        notes.append(tr("export.note_noise", d=tr.number(view.rule.noise)))
    return notes


def prepare(figure: Figure, frame: pd.DataFrame, view: View) -> Export:
    """The Export of a figure from its protected frame, in the view's language."""
    tr = view.tr
    own = figure.notes(frame, view) if figure.notes else []
    return Export(
        figure=figure, view=view, frame=frame, table=figure.table(frame, view), chart=figure.chart(frame, view),
        title=tr(figure.title_key), subtitle=subtitle(view), source=source_line(view),
        notes=tuple(own + privacy_notes(frame, figure.counts, view)),
    )


def build(name: str, src: Source, view: View) -> Export:
    """A registered figure of the view, from the source, prepared."""
    figure = FIGURES[name]
    return prepare(figure, figure.compute(src, view.filters), view)


def make_view(src: Source, f: Filters, lang: str) -> View:
    """The View of filters over a source: its rule, region names of the language, data date and release."""
    lang = lang if lang in ("uk", "en") else "uk"
    regions = src.regions()
    names = dict(zip(regions["region_code"], regions[f"name_{lang}"]))
    return View(filters=f, lang=lang, region_names=names, data_date=src.data_date(), rule=src.rule,
                release=src.release, official=src.official(f))


# ---- the Overview's figures ----------------------------------------------------------------

def _monthly(src: Source, f: Filters) -> pd.DataFrame:
    return src.monthly(f)


def _period_events(view: View) -> pd.DataFrame:
    # A broken events file is logged and leaves the file without events (as on the page).
    f = view.filters
    return annotations.period_events(f.programme, f.start, f.end)[0]


def _trend_chart(frame: pd.DataFrame, view: View) -> alt.TopLevelMixin:
    f = view.filters
    events = event_frame(_period_events(view), view.tr, f.start, f.end)
    return charts.trend_chart(overview_wording.trend_frame(frame, view.tr), view.tr, events=events)


def _trend_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    tr = view.tr
    return pd.DataFrame({
        tr("export.col_month"): [pd.Timestamp(m).strftime("%Y-%m") for m in frame["month"]],
        tr("col.people"): [_count_cell(v, tr) for v in frame["people"]],
    })


def _trend_notes(frame: pd.DataFrame, view: View) -> list[str]:
    notes = [events_note(_period_events(view), view.tr)]
    if frame["people"].isna().any():
        notes.append(view.tr("chart.trend_hidden", k=view.tr.number(view.rule.k)))
    return [note for note in notes if note]


def _count_cell(value: object, tr) -> object:
    """A protected count as a file cell: the whole number, or the "fewer than k" text."""
    return tr.fewer_than() if pd.isna(value) else int(value)


register(Figure("participation_trend", "chart.trend_title", _monthly, _trend_chart,
                table=_trend_table, counts=("people",), notes=_trend_notes))
register(Figure("key_figures", "export.kpi_title", overview.compute_key_figures, overview.kpi_chart,
                table=overview.kpi_table, counts=overview.KPI_COUNTS, notes=overview.kpi_notes))
register(Figure("skills", "export.skills_title", overview.compute_skills, overview.skills_chart,
                table=overview.skills_table, counts=overview.SKILL_COUNTS))
register(Figure("region_map", "export.map_title", regions.compute_region_map, regions.region_map_chart,
                table=regions.region_map_table, counts=("people",), notes=regions.map_notes))
# The Participation and Skills pages' charts, offered but not preselected.
register(Figure("people_by_region", "participation.region_title", analytics.compute_by_region,
                analytics.by_region_chart, table=analytics.by_region_table, counts=("people",), default=False))
register(Figure("skill_shares", "skills.shares_title", analytics.compute_ratings, analytics.shares_chart,
                table=analytics.shares_table, counts=analytics.SHARE_BASES, notes=analytics.shares_notes,
                default=False))
# The Progress page's figure: every region and the whole country against their targets, offered but
# not preselected; and one region's targets, which its page and fact sheet write (not offered alone).
register(Figure("progress", "progress.file_title", progress.compute_progress, progress.progress_figure_chart,
                table=progress.progress_table, counts=progress.COUNTS, notes=progress.progress_notes, default=False))
REGION_PROGRESS = Figure("progress_region", "progress.region_file_title", progress.compute_region_progress,
                         progress.region_figure_chart, table=progress.region_table, counts=progress.COUNTS,
                         notes=progress.region_notes, default=False)
# Who is left behind (the Progress page's section): one region's groups, or every region's groups
# behind the national skill gain, offered but not preselected.
register(Figure("left_behind", "gaps.file_title", gaps.compute_left_behind, gaps.gaps_chart,
                table=gaps.gaps_file_table, counts=gaps.COUNTS, notes=gaps.gaps_notes, default=False))
# The Coverage page's figures, offered but not preselected: coverage by region (or hromada), the
# planner's list, and the map with every settlement of the view. Populations are reference data, not
# counts of people trained: nothing in them is protected.
register(Figure("coverage", "coverage.file_title", coverage.compute_areas, coverage.areas_chart,
                table=coverage.areas_table, notes=coverage.areas_notes, default=False))
register(Figure("coverage_plan", "coverage.plan_file_title", coverage.compute_plan, coverage.plan_chart,
                table=coverage.plan_table, notes=coverage.plan_notes, default=False))
register(Figure("coverage_map", "coverage.map_file_title", coverage.compute_map, coverage.map_chart,
                table=coverage.map_table, notes=coverage.map_notes, default=False))
# The hubs of the view, each with how it is on the map (registry coordinates, placed at its
# settlement, or not on the map), offered but not preselected.
register(Figure("hubs", "export.hubs_title", hubs.compute_hubs, hubs.hubs_chart, table=hubs.hubs_table,
                counts=("people",), notes=hubs.hubs_notes, default=False))
