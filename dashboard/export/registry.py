"""Export layer: the registry of exportable figures and the words every exported file carries.

A `Figure` knows its title, how to compute its protected frame from (db, Filters, k), how to
draw it (an Altair builder of dashboard/charts.py or a sibling) and which numbers it draws (the
table written to CSV and XLSX). `prepare` turns a figure and a `View` (filters, language,
region names, data date) into an `Export`: the chart, the table, a title, a subtitle that
states the filters in words, a source line with the data date and the notes. The writers in
`dashboard.export.files` turn an Export into PNG, SVG, CSV and XLSX. Registering another
chart is one line: `register(Figure("name", "catalogue.title_key", compute, chart, ...))`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import altair as alt
import pandas as pd

from dashboard import charts, metrics, query
from dashboard.export import analytics, overview, regions
from dashboard.filters import SEGMENTS, Filters
from dashboard.i18n import Translator, translator
from dashboard.privacy import noise_limit, threshold

Compute = Callable[[query.Database, Filters, int], pd.DataFrame]
Builder = Callable[[pd.DataFrame, Translator], alt.TopLevelMixin]
Table = Callable[[pd.DataFrame, Translator], pd.DataFrame]
Notes = Callable[[pd.DataFrame, Translator], list[str]]


@dataclass(frozen=True)
class View:
    """What an export shows and in which words: filters, language, region names, data date, k."""

    filters: Filters
    lang: str
    region_names: Mapping[str, str]
    data_date: dt.date | None
    k: int

    @property
    def tr(self) -> Translator:
        return translator(self.lang)


def default_table(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The protected frame as written to files: headers from the catalogue's `col.*` where known."""
    names = {c: tr(f"col.{c}") if f"col.{c}" in tr.messages else c for c in frame.columns}
    return frame.rename(columns=names)


@dataclass(frozen=True)
class Figure:
    """One exportable figure.

    - `name`: file-name stem (ASCII), also the key in FIGURES;
    - `title_key`: catalogue key of its title;
    - `compute(db, filters, k)`: its protected frame (every people count through privacy.protect);
    - `chart(frame, tr)`: the Altair chart drawn from that frame;
    - `table(frame, tr)`: the numbers drawn, with headers in the language; a suppressed count
      reads as the catalogue's "fewer than k", a rate built on it is left empty;
    - `counts`: the frame's columns that are protected counts of people (for the notes);
    - `notes(frame, tr)`: notes of its own (suppression and perturbation notes are added);
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
    regions = metrics.describe_scope(replace(f, **bare), tr, view.region_names)
    segment = metrics.describe_scope(replace(f, regions=()), tr, view.region_names)
    return [
        tr(f"programme.{f.programme}"), tr.period(f.start, f.end),
        regions or tr("export.all_regions"), segment or tr("export.all_people"),
    ]


def subtitle(view: View) -> str:
    """One line that states the filters in words (see scope_parts)."""
    return " · ".join(scope_parts(view))


def source_line(view: View) -> str:
    """Where the numbers come from, with the data date."""
    tr = view.tr
    date = tr("common.data_date", date=tr.date(view.data_date)) if view.data_date else tr("export.no_date")
    return tr("export.source", programme=tr(f"programme.{view.filters.programme}"), date=date)


def privacy_notes(frame: pd.DataFrame, counts: tuple[str, ...], view: View) -> list[str]:
    """The suppression note when a count is hidden, and the perturbation note for counts of people."""
    tr, notes = view.tr, []
    present = [c for c in counts if c in frame.columns]
    if present and frame[present].isna().to_numpy().any():
        notes.append(tr("export.note_hidden", fewer=tr.count(None), k_minus=tr.number(view.k - 1)))
    if present and noise_limit() > 0:
        notes.append(tr("export.note_noise", d=tr.number(noise_limit())))
    return notes


def prepare(figure: Figure, frame: pd.DataFrame, view: View) -> Export:
    """The Export of a figure from its protected frame, in the view's language."""
    tr = view.tr
    own = figure.notes(frame, tr) if figure.notes else []
    return Export(
        figure=figure, view=view, frame=frame, table=figure.table(frame, tr), chart=figure.chart(frame, tr),
        title=tr(figure.title_key), subtitle=subtitle(view), source=source_line(view),
        notes=tuple(own + privacy_notes(frame, figure.counts, view)),
    )


def build(name: str, db: query.Database, view: View) -> Export:
    """Compute a registered figure for the view and prepare it (command line and tests)."""
    figure = FIGURES[name]
    return prepare(figure, figure.compute(db, view.filters, view.k), view)


def make_view(db: query.Database, f: Filters, lang: str, k: int | None = None) -> View:
    """The View of filters over a Database: region names of the language and the data date."""
    tr = translator(lang)
    regions = query.load_regions(db)
    names = dict(zip(regions["region_code"], regions[f"name_{tr.lang}"]))
    report = query.load_report(db.folder)
    data_date = _iso_date(report.get("data_date"))
    return View(filters=f, lang=tr.lang, region_names=names, data_date=data_date,
                k=threshold() if k is None else k)


def _iso_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


# ---- the Overview's figures ----------------------------------------------------------------

def _trend_table(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    return pd.DataFrame({
        tr("export.col_month"): [pd.Timestamp(m).strftime("%Y-%m") for m in frame["month"]],
        tr("col.people"): [_count_cell(v, tr) for v in frame["people"]],
    })


def _trend_notes(frame: pd.DataFrame, tr: Translator) -> list[str]:
    if frame["people"].isna().any():
        return [tr("chart.trend_hidden", k=tr.number(threshold()))]
    return []


def _count_cell(value: object, tr: Translator) -> object:
    """A protected count as a file cell: the whole number, or the "fewer than k" text."""
    return tr.count(None) if pd.isna(value) else int(value)


register(Figure("participation_trend", "chart.trend_title", metrics.compute_monthly, charts.trend_chart,
                table=_trend_table, counts=("people",), notes=_trend_notes))
register(Figure("key_figures", "export.kpi_title", overview.compute_key_figures, overview.kpi_chart,
                table=overview.kpi_table, counts=overview.KPI_COUNTS, notes=overview.kpi_notes))
register(Figure("skills", "export.skills_title", overview.compute_skills, overview.skills_chart,
                table=overview.skills_table, counts=overview.SKILL_COUNTS))
if regions.AVAILABLE:  # the Impact map's static choropleth, once the map is in the tree
    register(Figure("region_map", "export.map_title", regions.compute_region_map, regions.region_map_chart,
                    table=regions.region_map_table, counts=("people",), notes=regions.map_notes))
if analytics.AVAILABLE:  # the Participation and Skills pages' charts, offered but not preselected
    register(Figure("people_by_region", "participation.region_title", analytics.compute_by_region,
                    analytics.by_region_chart, table=analytics.by_region_table, counts=("people",), default=False))
    register(Figure("skill_shares", "skills.shares_title", analytics.compute_ratings, analytics.shares_chart,
                    table=analytics.shares_table, counts=analytics.SHARE_BASES, default=False))
