"""Presentation layer: the only module besides pages/ that imports Streamlit (state, caches, widgets)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager

from dashboard import auth, charts, filters, metrics, query, settings, ui_charts
from dashboard.filters import (
    FROM_PARAM, LANG_PARAM, LANGUAGES, PARAMS, PROGRAMME_PARAM, REGION_PARAM, SEGMENTS, TO_PARAM,
    Choices, Filters,
)
from dashboard.i18n import Translator, translator
from dashboard.privacy import threshold
from dashboard.settings import ROOT, data_dir

# Results are small aggregates (a few KB); 256 filter states per function stay well under
# a few MB, and the bound matters because expired entries are not freed (see NOTES.md).
CACHE_ENTRIES = 256
QUICK_KEY = "quick"  # quick period picks: not in the URL, the dates they set are
CONTEXT_KEY = "_dashboard_context"
URL_CHECKED_KEY = "_dashboard_url_checked"
# Bound widgets write their option labels to the URL; these are re-set on a language switch.
RELABEL_KEYS = (PROGRAMME_PARAM, REGION_PARAM, QUICK_KEY, *SEGMENTS)
# The app's pages: (file, catalogue key of its title, icon); the first is served at "/".
PAGES = (
    ("pages/overview.py", "page.overview", ":material/dashboard:"),
    ("pages/map.py", "page.map", ":material/map:"),
    ("pages/participation.py", "page.participation", ":material/groups:"),
    ("pages/skills.py", "page.skills", ":material/trending_up:"),
    ("pages/network.py", "page.network", ":material/hub:"),
    ("pages/exports.py", "page.exports", ":material/download:"),
    ("pages/data_quality.py", "page.data_quality", ":material/fact_check:"),
)
# Markdown and LaTeX signs that could turn data text into markup (links, emphasis, formulas).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")


# ---- data access (cached per data version and filter state) -------------------------------

@st.cache_resource(max_entries=2, show_spinner=False)
def _database(folder: str, version: str) -> query.Database:
    return query.Database(Path(folder))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _counts(folder: str, version: str, f: Filters, k: int, noise: int) -> pd.DataFrame:
    # `noise` keys the cache: a changed DASHBOARD_NOISE must not be served old figures.
    return metrics.compute_counts(_database(folder, version), f, k)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _monthly(folder: str, version: str, f: Filters, k: int, noise: int) -> pd.DataFrame:
    return metrics.compute_monthly(_database(folder, version), f, k)


@st.cache_data(max_entries=4, show_spinner=False)
def _reference(folder: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    db = _database(folder, version)
    report = query.load_report(Path(folder))
    return query.load_regions(db), query.load_programme_spans(db), report, query.load_quarantine(db)


@dataclass(frozen=True)
class Context:
    """Everything a page needs: language, filters, choices and where the data is."""

    lang: str
    filters: Filters
    choices: Choices
    folder: str
    version: str
    data_date: dt.date | None
    region_names: dict[str, str]
    data_start: dt.date
    k: int  # suppression threshold in force (privacy.threshold)

    @property
    def tr(self) -> Translator:
        return translator(self.lang)

    def counts(self, f: Filters | None = None) -> pd.DataFrame:
        """Protected Overview figures of the view (metrics.compute_counts)."""
        return _counts(self.folder, self.version, f or self.filters, self.k, settings.noise())

    def previous_counts(self) -> pd.DataFrame | None:
        """The same figures for the previous period of equal length, if the data covers it."""
        if not metrics.has_previous(self.filters, self.data_start):
            return None
        return self.counts(self.filters.previous())

    def monthly(self) -> pd.DataFrame:
        """Protected people and activities per month (metrics.compute_monthly)."""
        return _monthly(self.folder, self.version, self.filters, self.k, settings.noise())

    def report(self) -> tuple[dict, pd.DataFrame]:
        """The cleaning report and the quarantine counts per file and reason."""
        _regions, _spans, report, quarantine = _reference(self.folder, self.version)
        return report, quarantine


def _data_date(report: dict) -> dt.date | None:
    return filters.parse_date(str(report.get("data_date", "")))


def _choices(folder: str, version: str, programme: str, tr: Translator) -> tuple[Choices, dict[str, str]]:
    """The Choices of a programme in a language, and the names of all regions in that language."""
    regions, spans, report, _q = _reference(folder, version)
    dates, phases, countries = filters.spans_by_programme(spans)
    names = dict(zip(regions["region_code"], regions[f"name_{tr.lang}"]))
    ordered = regions.sort_values(f"order_{tr.lang}")
    mine = ordered[ordered["country_code"].isin(countries.get(programme, []))]
    labels = {
        PROGRAMME_PARAM: {p: tr(f"programme.{p}") for p in dates},
        REGION_PARAM: {code: names[code] for code in mine["region_code"]},
        **{name: {v: tr.label(name, v) for v in vocab} for name, (_c, vocab) in SEGMENTS.items()},
    }
    choices = filters.make_choices(labels, dates, phases.get(programme, []), _data_date(report), programme)
    return choices, names


# ---- widget callbacks ----------------------------------------------------------------------

def _relabel() -> None:
    # Re-setting a value makes the widget and the URL take the new language's labels;
    # without it the browser keeps the old labels and drops the selection on the way back.
    for key in RELABEL_KEYS:
        if key in st.session_state:
            value = st.session_state[key]
            st.session_state[key] = list(value) if isinstance(value, list) else value


def _programme_changed(folder: str, version: str, lang: str) -> None:
    choices, _names = _choices(folder, version, st.session_state[PROGRAMME_PARAM], translator(lang))
    st.session_state[FROM_PARAM], st.session_state[TO_PARAM] = choices.default_start, choices.default_end
    st.session_state[REGION_PARAM] = []
    st.session_state[QUICK_KEY] = "all"


def _quick_changed(choices: Choices) -> None:
    key = st.session_state.get(QUICK_KEY)
    if key in choices.quick:
        st.session_state[FROM_PARAM], st.session_state[TO_PARAM] = choices.quick[key]


def _dates_changed(choices: Choices) -> None:
    start, end = st.session_state.get(FROM_PARAM), st.session_state.get(TO_PARAM)
    st.session_state[QUICK_KEY] = filters.matching_quick(choices, start, end)


# ---- the shared frame: language, data, filters ---------------------------------------------

def frame() -> Context | None:
    """Build the shared frame (entry file only): language, data check, filter sidebar.

    Returns the Context, also kept for the pages in session state; None when the extract folder
    cannot be read (the caller then shows `missing_data_page`).
    """
    raw = {k: st.query_params.get_all(k) for k in PARAMS if k in st.query_params}
    first_run = URL_CHECKED_KEY not in st.session_state
    st.session_state[URL_CHECKED_KEY] = True
    # The widget's own label needs the language before the widget exists: take it from the URL.
    label_lang = st.session_state.get(LANG_PARAM) or (raw.get(LANG_PARAM) or ["uk"])[-1]
    lang = st.sidebar.segmented_control(
        translator(label_lang)("lang.label"), LANGUAGES, default="uk", required=True,
        key=LANG_PARAM, bind="query-params", on_change=_relabel,
    ) or "uk"
    tr = translator(lang)
    try:
        k = threshold()
    except ValueError as exc:  # a bad DASHBOARD_MIN_COUNT: show nothing rather than guess
        st.error(str(exc), icon=":material/lock:")
        st.stop()
    auth.gate(lang, tr, place=st.sidebar)  # stops here unless this visitor may see data
    folder = str(data_dir())
    version = query.data_version(Path(folder))
    try:
        _database(folder, version)
    except query.DataUnavailable as exc:
        st.session_state[CONTEXT_KEY] = exc
        return None
    ctx, problems = _filter_sidebar(folder, version, tr, k)
    if first_run:
        problems = filters.invalid_params(raw, ctx.choices) + problems
    if problems:
        st.warning(tr("filter.invalid", names=", ".join(dict.fromkeys(problems))), icon=":material/link_off:")
    st.session_state[CONTEXT_KEY] = ctx
    return ctx


def _filter_sidebar(folder: str, version: str, tr: Translator, k: int) -> tuple[Context, list[str]]:
    side = st.sidebar
    side.subheader(tr("filter.header"))
    regions, spans, report, _q = _reference(folder, version)
    programmes = list(filters.spans_by_programme(spans)[0]) or [filters.DEFAULT_PROGRAMME]
    default = programmes.index(filters.DEFAULT_PROGRAMME) if filters.DEFAULT_PROGRAMME in programmes else 0
    programme = side.selectbox(
        tr("filter.programme"), programmes, index=default, format_func=lambda p: tr(f"programme.{p}"),
        key=PROGRAMME_PARAM, bind="query-params", on_change=_programme_changed, args=(folder, version, tr.lang),
    )
    choices, names = _choices(folder, version, programme, tr)
    dates = dict(min_value=choices.first_day, max_value=choices.last_day, format="DD.MM.YYYY",
                 bind="query-params", on_change=_dates_changed, args=(choices,))
    start = side.date_input(tr("filter.from"), value=choices.default_start, key=FROM_PARAM,
                            help=tr("filter.period_help"), **dates)
    end = side.date_input(tr("filter.to"), value=choices.default_end, key=TO_PARAM, **dates)
    side.pills(
        tr("filter.quick"), list(choices.quick), format_func=lambda q: _quick_label(q, tr),
        default=filters.matching_quick(choices, start, end), key=QUICK_KEY,
        on_change=_quick_changed, args=(choices,), label_visibility="collapsed",
    )
    region_labels = choices.labels[REGION_PARAM]
    picked = side.multiselect(
        tr("filter.region"), list(region_labels), format_func=region_labels.get, key=REGION_PARAM,
        bind="query-params", placeholder=tr("filter.region_placeholder"),
    )
    segment = {}
    # Open when a segment is set (from the URL on a first visit, from the widgets afterwards).
    narrowed = any(st.session_state.get(name) or st.query_params.get_all(name) for name in SEGMENTS)
    with side.expander(tr("filter.segment"), expanded=narrowed):
        for name in SEGMENTS:
            labels = choices.labels[name]
            segment[name] = st.multiselect(
                tr(f"filter.{name}"), list(labels), format_func=labels.get, key=name,
                bind="query-params", placeholder=tr("filter.placeholder"),
            )
    f, problems = filters.build_filters(programme, start, end, picked, segment, choices=choices)
    data_date = _data_date(report)
    side.caption(tr("common.data_date", date=tr.date(data_date)) if data_date else tr("common.data_date_unknown"))
    ctx = Context(lang=tr.lang, filters=f, choices=choices, folder=folder, version=version,
                  data_date=data_date, region_names=names, data_start=choices.default_start, k=k)
    return ctx, problems


def _quick_label(key: str, tr: Translator) -> str:
    kind, _sep, value = key.partition(":")
    return tr("quick.all") if kind == "all" else tr(f"quick.{kind}", **{kind: value})


def navigation(ctx: Context | None) -> StreamlitPage:
    """Register the pages (st.navigation) and return the one to run.

    Without readable data there is one hidden page that says what to run. Url paths are the
    file names, so links survive a change of language.
    """
    if ctx is None:
        title = translator(st.session_state.get(LANG_PARAM) or "uk")("missing.title")
        return st.navigation([st.Page(missing_data_page, title=title, url_path="setup")], position="hidden")
    pages = [st.Page(str(ROOT / path), title=ctx.tr(key), icon=icon, default=i == 0)
             for i, (path, key, icon) in enumerate(PAGES)]
    return st.navigation(pages, position="top")


def context() -> Context:
    """The Context the entry file built for this run (pages call this first)."""
    if PagesManager.uses_pages_directory:
        # A deep link as the first request after the server starts: Streamlit has not seen
        # st.navigation yet, finds `pages/` and runs this page file alone, without the entry
        # file. Registering the pages switches that mode off; the rerun goes through the entry.
        st.navigation([st.Page(str(ROOT / path)) for path, _key, _icon in PAGES], position="hidden")
        st.rerun()
    lang = st.session_state.get(LANG_PARAM) or "uk"
    auth.guard_page(lang, translator(lang))  # silent when allowed (the entry's gate ran first)
    ctx = st.session_state.get(CONTEXT_KEY)
    if not isinstance(ctx, Context):
        ctx = frame()
        if ctx is None:
            missing_data_page()
            st.stop()
    return ctx


# ---- page parts ----------------------------------------------------------------------------

def escape_md(text: str) -> str:
    """Text (data names included) made safe to place in Markdown: every markup sign escaped."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def page_header(ctx: Context, title_key: str) -> None:
    """Title, then one line with the period, the selection and the data date."""
    tr, f = ctx.tr, ctx.filters
    st.title(tr(title_key))
    parts = [tr(f"programme.{f.programme}"), tr.period(f.start, f.end)]
    scope = metrics.describe_scope(f, tr, ctx.region_names)
    if scope:
        parts.append(scope)
    parts.append(tr("common.data_date", date=tr.date(ctx.data_date)) if ctx.data_date else tr("common.data_date_unknown"))
    st.caption(escape_md(" · ".join(parts)))


def no_data(ctx: Context) -> None:
    """The empty state: says there is nothing for the selection and what to widen."""
    tr, f = ctx.tr, ctx.filters
    full = (ctx.choices.default_start, ctx.choices.default_end)
    hints = ", ".join(tr(key) for key in metrics.widen_suggestions(f, full))
    st.info(
        f"**{tr('empty.title')}**\n\n{tr('empty.body', start=tr.date(f.start), end=tr.date(f.end))} "
        f"{tr('empty.hint', suggestions=hints)}",
        icon=":material/filter_alt_off:",
    )


def headline(ctx: Context, counts: pd.DataFrame) -> None:
    """The press-ready sentence for the view, in a box that is easy to copy from."""
    tr = ctx.tr
    scope = metrics.describe_scope(ctx.filters, tr, ctx.region_names)
    with st.container(border=True):
        st.markdown(f"**{tr('headline.title')}**", help=tr("headline.help"))
        st.markdown(escape_md(metrics.headline(counts, ctx.filters, tr, scope)))


def kpi_cards(ctx: Context, kpis: pd.DataFrame, compared: bool = True, per_row: int = 4) -> None:
    """One st.metric per KPI row of metrics.compute_kpis, with its definition on hover.

    A before → after card takes two places: its value is two percentages. `compared` False
    adds a line saying why there is no change against a previous period.
    """
    tr = ctx.tr
    rows, widths = [[]], [[]]
    for k in kpis.itertuples(index=False):
        width = 2 if k.kind == "before_after" else 1
        if sum(widths[-1]) + width > per_row:
            rows.append([]), widths.append([])
        rows[-1].append(k), widths[-1].append(width)
    for cards, spans in zip(rows, widths):
        columns = st.columns(spans + [per_row - sum(spans)] if sum(spans) < per_row else spans)
        for col, k in zip(columns, cards):
            value, delta, note = _kpi_text(k, tr)
            col.metric(tr(f"kpi.{k.kpi}"), value, delta, help=tr(f"kpi.{k.kpi}_help"),
                       delta_description=note, border=True)
    if not compared:
        st.caption(tr("kpi.no_previous"))


def _kpi_text(k, tr: Translator) -> tuple[str, str | None, str | None]:
    if k.kind == "before_after":
        value = tr("kpi.skills_value", before=tr.percent(k.previous), after=tr.percent(k.value))
        return value, tr.points(k.change), tr("kpi.skills_change") if not pd.isna(k.change) else None
    has_change = not pd.isna(k.change)
    note = tr("kpi.vs_previous") if has_change else None
    if k.kind == "share":
        return tr.percent(k.value), tr.points(k.change) if has_change else None, note
    value = tr.count(k.value) if k.kind == "people" else tr.number(k.value)
    return value, tr.signed(k.change) if has_change else None, note


def trend(ctx: Context, monthly: pd.DataFrame) -> None:
    """The monthly participation chart with its text alternative (caption + table)."""
    tr = ctx.tr
    st.subheader(tr("chart.trend_title"))
    summary = charts.trend_summary(monthly, tr)
    st.vega_lite_chart(spec=ui_charts.spec("trend_chart", tr.lang, monthly), width="stretch", theme=None, alt=summary)
    st.caption(escape_md(summary))
    with st.expander(tr("chart.table")):
        st.dataframe(charts.trend_table(monthly, tr), hide_index=True, width="stretch")


def privacy_note(ctx: Context) -> None:
    """One line on small-number suppression, under any page that shows counts of people."""
    st.caption(ctx.tr("privacy.note", k_minus=ctx.tr.number(ctx.k - 1)))


def table(frame: pd.DataFrame, columns: dict[str, str], tr: Translator) -> None:
    """A frame with translated headers; numbers and dates written the language's way."""
    shown = frame[list(columns)].copy()
    for name in columns:
        if pd.api.types.is_numeric_dtype(shown[name]):
            shown[name] = [tr.number(v) for v in shown[name]]
        elif shown[name].map(lambda v: isinstance(v, dt.date)).any():
            shown[name] = [tr.date(v) if isinstance(v, dt.date) else "—" for v in shown[name]]
    st.dataframe(shown.rename(columns={c: tr(k) for c, k in columns.items()}), hide_index=True, width="stretch")


def missing_data_page() -> None:
    """The page shown instead of the app when the extract folder cannot be read: what to run."""
    exc = st.session_state.get(CONTEXT_KEY)
    tr = translator(st.session_state.get(LANG_PARAM, "uk"))
    folder = str(getattr(exc, "folder", data_dir())).replace("`", "'")
    missing = getattr(exc, "missing", ())
    problem = getattr(exc, "problem", "")
    if problem == "folder not found":
        why = tr("missing.folder_not_found")
    elif missing:
        why = tr("missing.tables_missing", tables=", ".join(f"{t}.parquet" for t in missing))
    else:
        why = tr("missing.unreadable")
    st.title(tr("missing.title"))
    st.error(tr("missing.body", folder=folder, problem=why), icon=":material/folder_off:")
    st.markdown(f"**{tr('missing.steps')}**\n\n1. {tr('missing.step_clean')}\n2. {tr('missing.step_env')}\n"
                f"3. {tr('missing.step_readme')}")


