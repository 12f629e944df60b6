"""Presentation layer of the Exports page: the download widgets, the release's standard files and the files made on request.

A file of the release's default view (its press kits and fact sheets: dashboard.export.standard)
is handed out as it was written with the release. Any other file is made on request in a turn of
the process's export queue (dashboard.export.queue: DASHBOARD_EXPORT_SLOTS at once, a wait of at
most DASHBOARD_EXPORT_WAIT seconds), and kept for the next visitor of the same view. A chart's
file is made when its button is clicked (the button spins meanwhile); a press kit or a fact
sheet in the page's run after its button is clicked, the page saying the visitor's place in the
line while it waits, and then offered for download.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import settings
from dashboard.export import factsheet, files, presskit, registry, sheet, standard
from dashboard.export.queue import ExportQueue, MadeFiles, QueueTimeout
from dashboard.export.view import View
from dashboard.filters import LANGUAGES, Filters
from dashboard.i18n import translator
from dashboard.markdown import escape_md
from dashboard.privacy import Rule
from dashboard.ui import cache
from dashboard.ui.frame import Context

# Files are a few hundred KB: 64 made files per process stay within tens of MB.
CACHE_ENTRIES = 64
LANG_KEY, FIGURES_KEY, SHEET_KEY = "export_lang", "export_figures", "export_sheet"
WHOLE_COUNTRY = "__all__"  # the fact-sheet choice for the whole country (no ISO code is like it)
ASKED = "_asked"  # suffix of the session key that says a file's button was clicked
# Buttons per chart, in order: (format, icon).
BUTTONS = (("png", ":material/image:"), ("svg", ":material/draw:"), ("csv", ":material/table:"),
           ("xlsx", ":material/grid_on:"))


@st.cache_data(max_entries=4, show_spinner=False)
def _names(folder: str, version: str, rule: Rule, lang: str) -> dict[str, str]:
    regions = cache.source(folder, version, rule).regions()
    return dict(zip(regions["region_code"], regions[f"name_{lang}"]))


def view(ctx: Context, lang: str, f: Filters | None = None) -> View:
    """The export View of the page's filters (or `f`) in the language of the files."""
    return View(filters=f or ctx.filters, lang=lang, region_names=_names(ctx.folder, ctx.version, ctx.rule, lang),
                data_date=ctx.data_date, rule=ctx.rule, release=ctx.release,
                official=cache.official(replace(ctx, filters=f) if f else ctx))


# ---- files made on request, a few at a time ------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _queue(slots: int) -> ExportQueue:
    return ExportQueue(slots)


@st.cache_resource(show_spinner=False)
def made_files() -> MadeFiles:
    """The files this process made on request (shared by its visitors)."""
    return MadeFiles(CACHE_ENTRIES)


def make_file(key: Hashable, build: Callable[[], bytes], on_wait: Callable[[int], None] | None = None,
          on_start: Callable[[], None] | None = None) -> bytes:
    """The file of `key`, made in a turn of the queue unless made already (QueueTimeout: no turn came).

    Every file a visitor asks for is made this way, on any page (the Progress and Coverage pages'
    downloads too), so that the files of a few visitors never take the process from the others."""
    return made_files().make(key, build, _queue(settings.export_slots()), settings.export_wait(), on_wait, on_start)


def _make_here(ctx: Context, key: Hashable, build: Callable[[], bytes]) -> bytes | None:
    """The file of `key`, made in this run while the page says where it stands (waiting for a
    turn, its place in the line; being made); None, with a message, when no turn came in time."""
    tr, note = ctx.tr, st.empty()

    def waiting(ahead: int) -> None:
        note.info(tr("export.waiting", place=tr.number(ahead + 1)), icon=":material/hourglass_top:")

    def started() -> None:
        note.info(tr("export.preparing"), icon=":material/progress_activity:")

    try:
        data = make_file(key, build, waiting, started)
    except QueueTimeout:
        note.warning(tr("export.busy"), icon=":material/hourglass_disabled:")
        return None
    note.empty()
    return data


def _chart_build(folder: str, version: str, name: str, v: View, fmt: str) -> tuple[Hashable, Callable[[], bytes]]:
    """The key of a chart's file and how to make it."""
    key = ("chart", folder, version, name, v.filters, v.lang, v.rule, fmt)
    return key, lambda: files.write(registry.build(name, cache.source(folder, version, v.rule), v), fmt)


def frame_key(frame: pd.DataFrame) -> int:
    """A key for the numbers of a table a file is made from (with the view, names the file)."""
    return int(pd.util.hash_pandas_object(frame, index=False).sum())


def _chart_file(folder: str, version: str, name: str, v: View, fmt: str) -> bytes:
    """A chart's file (a download's data: made when its button is clicked, in a turn)."""
    return make_file(*_chart_build(folder, version, name, v, fmt))


class _Unreadable(Exception):
    """A standard file that is missing or not the one its manifest records."""


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def _standard_file(folder: str, version: str, path: str, sha256: str) -> bytes:
    # Raises rather than returning None, so an unreadable file is not remembered as such: once
    # the operator puts it back, the next visitor is handed it.
    data = standard.read(Path(folder), path, sha256)
    if data is None:
        raise _Unreadable(path)
    return data


def _prebuilt(ctx: Context, kind: str, v: View, figures: tuple[str, ...] = ()) -> Callable[[], bytes] | None:
    """The release's standard file of that kind for the view, as a download's data; None when
    there is none (live figures, an older release, another view) or it is not intact."""
    found = standard.find(ctx.release, kind, v.lang, v.filters, figures) if ctx.release is not None else None
    if found is None:
        return None
    try:
        _standard_file(ctx.folder, ctx.version, *found)
    except _Unreadable:
        return None
    return functools.partial(_standard_file, ctx.folder, ctx.version, *found)


def _ask(key: str) -> None:
    st.session_state[key + ASKED] = True


def _offer(ctx: Context, key: Hashable, build: Callable[[], bytes], prebuilt: Callable[[], bytes] | None, *,
           label: str, widget: str, file_name: str, mime: str, icon: str, primary: bool = False,
           disabled: bool = False) -> None:
    """The download button of a press kit or a fact sheet: the release's standard file; a file
    made already; else a button of the same words that makes the file (_make_here), then offers it."""
    kind, data = "primary" if primary else "secondary", prebuilt
    if data is None:
        made = made_files().get(key)
        if made is None and st.session_state.pop(widget + ASKED, False) and not disabled:
            made = _make_here(ctx, key, build)
            if made is not None:
                st.success(ctx.tr("export.ready"), icon=":material/check_circle:")
        data = None if made is None else functools.partial(bytes, made)
    if data is None:
        st.button(label, key=f"{widget}_make", on_click=_ask, args=(widget,), icon=icon, type=kind, disabled=disabled)
        return
    st.download_button(label, data, file_name=file_name, mime=mime, key=widget, on_click="ignore", icon=icon,
                       type=kind, disabled=disabled)


# ---- the page's blocks -------------------------------------------------------------------------

def choices(ctx: Context) -> tuple[str, list[str]]:
    """The language of the files and the charts chosen (the preselected ones by default).

    Both widgets are one per interface language (a widget keeps the words it was drawn with):
    switching the interface language makes the files' language follow it and keeps the charts
    chosen (held under FIGURES_KEY).
    """
    tr = ctx.tr
    lang = st.segmented_control(tr("export.file_lang"), LANGUAGES, default=ctx.lang, key=f"{LANG_KEY}_{ctx.lang}",
                                required=True) or ctx.lang
    kept = st.session_state.get(FIGURES_KEY, registry.default_names())
    names = st.multiselect(tr("export.choose"), list(registry.FIGURES),
                           default=[n for n in kept if n in registry.FIGURES],
                           format_func=lambda n: tr(registry.FIGURES[n].title_key), key=f"{FIGURES_KEY}_{ctx.lang}",
                           help=tr("export.choose_help"))
    chosen = [n for n in names if n in registry.FIGURES]
    st.session_state[FIGURES_KEY] = chosen
    return lang, chosen


def figure_row(ctx: Context, name: str, lang: str) -> None:
    """One chart: its title, four download buttons and a preview of the PNG."""
    tr, v = ctx.tr, view(ctx, lang)
    figure = registry.FIGURES[name]
    title = translator(lang)(figure.title_key)
    # The title on its own line: beside it, the buttons would be too narrow for their words.
    st.markdown(f"**{escape_md(title)}**")
    columns = st.columns(len(BUTTONS))
    for column, (fmt, icon) in zip(columns, BUTTONS):
        column.download_button(
            tr(f"export.button_{fmt}"), functools.partial(_chart_file, ctx.folder, ctx.version, name, v, fmt),
            file_name=f"{name}_{lang}.{fmt}", mime=files.MIME[fmt], key=f"export_{name}_{fmt}", on_click="ignore",
            icon=icon, help=tr("export.download_help", name=title, format=fmt.upper()), width="stretch")
    # The preview is drawn only while its box is open: a closed box costs nothing on a rerun.
    with st.expander(tr("export.preview"), key=f"preview_{name}", on_change="rerun") as box:
        if box.open:
            png = _make_here(ctx, *_chart_build(ctx.folder, ctx.version, name, v, "png"))
            if png is not None:
                st.image(png, caption=title, width="stretch")


def press_kit(ctx: Context, names: Sequence[str], lang: str) -> None:
    """The press-kit section: what it holds and one download button (disabled with no chart)."""
    tr, v, names = ctx.tr, view(ctx, lang), tuple(names)
    st.subheader(tr("export.kit_header"))
    st.caption(tr("export.kit_body"))
    src = cache.source(ctx.folder, ctx.version, v.rule)
    _offer(ctx, ("kit", ctx.folder, ctx.version, v.filters, lang, v.rule, names),
           lambda: presskit.build_kit(src, v, names), _prebuilt(ctx, standard.PRESS_KIT, v, names),
           label=tr("export.kit_button"), widget="export_kit", file_name=presskit.kit_name(v), mime="application/zip",
           icon=":material/folder_zip:", primary=True, disabled=not names)
    if not names:
        st.caption(tr("export.none_chosen"))


def fact_sheet(ctx: Context, lang: str) -> None:
    """The fact-sheet section: a region (or the whole country) and the PDF's download button."""
    tr = ctx.tr
    st.subheader(tr("export.factsheet_header"))
    st.caption(tr("export.factsheet_body"))
    src = cache.source(ctx.folder, ctx.version, ctx.rule)
    codes = list(ctx.choices.labels.get("region", {}))
    country = sheet.country_of(src, ctx.filters.programme)
    default = ctx.filters.regions[0] if len(ctx.filters.regions) == 1 else WHOLE_COUNTRY
    options = [WHOLE_COUNTRY, *codes]
    picked = st.selectbox(
        tr("export.factsheet_region"), options, index=options.index(default) if default in options else 0,
        format_func=lambda c: sheet.sheet_place(view(ctx, ctx.lang), None, country) if c == WHOLE_COUNTRY
        else ctx.region_names.get(c, c), key=f"{SHEET_KEY}_{ctx.lang}")  # one per language, as above
    region = None if picked == WHOLE_COUNTRY else picked
    v = view(ctx, lang, replace(ctx.filters, regions=(region,) if region else ()))
    _offer(ctx, ("sheet", ctx.folder, ctx.version, v.filters, lang, v.rule),
           lambda: factsheet.pdf_bytes(src, v, region), _prebuilt(ctx, standard.FACT_SHEET, v),
           label=tr("export.factsheet_button"), widget="export_sheet_pdf",
           file_name=factsheet.file_name(v, region, country), mime="application/pdf",
           icon=":material/picture_as_pdf:")
