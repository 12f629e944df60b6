"""Presentation layer of the Exports page: cached file builders and the download widgets.

Files are built only when a button is clicked (Streamlit runs the `data` callable then) and
cached per data version, filters, language and privacy threshold, so a second click, or the
same selection in another session, costs nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace

import streamlit as st

from dashboard.export import factsheet, files, presskit, registry
from dashboard.export.view import View
from dashboard.filters import LANGUAGES, Filters
from dashboard.i18n import translator
from dashboard.privacy import Rule
from dashboard.ui import cache
from dashboard.ui.frame import Context
from dashboard.markdown import escape_md

# Files are a few hundred KB: 64 entries per builder stay within tens of MB.
CACHE_ENTRIES = 64
LANG_KEY, FIGURES_KEY, SHEET_KEY = "export_lang", "export_figures", "export_sheet"
WHOLE_COUNTRY = "__all__"  # the fact-sheet choice for the whole country (no ISO code is like it)
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


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _export_file(folder: str, version: str, name: str, v: View, fmt: str) -> bytes:
    return files.write(registry.build(name, cache.source(folder, version, v.rule), v), fmt)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _kit(folder: str, version: str, v: View, names: tuple[str, ...]) -> bytes:
    return presskit.build_kit(cache.source(folder, version, v.rule), v, names)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _sheet(folder: str, version: str, v: View, region: str | None) -> bytes:
    return factsheet.pdf_bytes(cache.source(folder, version, v.rule), v, region)


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
            tr(f"export.button_{fmt}"), functools.partial(_export_file, ctx.folder, ctx.version, name, v, fmt),
            file_name=f"{name}_{lang}.{fmt}", mime=files.MIME[fmt], key=f"export_{name}_{fmt}", on_click="ignore",
            icon=icon, help=tr("export.download_help", name=title, format=fmt.upper()), width="stretch")
    # The preview is drawn only while its box is open: a closed box costs nothing on a rerun.
    with st.expander(tr("export.preview"), key=f"preview_{name}", on_change="rerun") as box:
        if box.open:
            png = _export_file(ctx.folder, ctx.version, name, v, "png")
            st.image(png, caption=title, width="stretch")


def press_kit(ctx: Context, names: Sequence[str], lang: str) -> None:
    """The press-kit section: what it holds and one download button (disabled with no chart)."""
    tr, v = ctx.tr, view(ctx, lang)
    st.subheader(tr("export.kit_header"))
    st.caption(tr("export.kit_body"))
    st.download_button(
        tr("export.kit_button"), functools.partial(_kit, ctx.folder, ctx.version, v, tuple(names)),
        file_name=presskit.kit_name(v), mime="application/zip", key="export_kit", on_click="ignore",
        icon=":material/folder_zip:", type="primary", disabled=not names)
    if not names:
        st.caption(tr("export.none_chosen"))


def fact_sheet(ctx: Context, lang: str) -> None:
    """The fact-sheet section: a region (or the whole country) and the PDF's download button."""
    tr = ctx.tr
    st.subheader(tr("export.factsheet_header"))
    st.caption(tr("export.factsheet_body"))
    src = cache.source(ctx.folder, ctx.version, ctx.rule)
    codes = list(ctx.choices.labels.get("region", {}))
    country = factsheet.country_of(src, ctx.filters.programme)
    default = ctx.filters.regions[0] if len(ctx.filters.regions) == 1 else WHOLE_COUNTRY
    options = [WHOLE_COUNTRY, *codes]
    picked = st.selectbox(
        tr("export.factsheet_region"), options, index=options.index(default) if default in options else 0,
        format_func=lambda c: factsheet.place_name(view(ctx, ctx.lang), None, country) if c == WHOLE_COUNTRY
        else ctx.region_names.get(c, c), key=f"{SHEET_KEY}_{ctx.lang}")  # one per language, as above
    region = None if picked == WHOLE_COUNTRY else picked
    v = view(ctx, lang, replace(ctx.filters, regions=(region,) if region else ()))
    st.download_button(
        tr("export.factsheet_button"), functools.partial(_sheet, ctx.folder, ctx.version, v, region),
        file_name=factsheet.file_name(v, region, country), mime="application/pdf", key="export_sheet_pdf",
        on_click="ignore", icon=":material/picture_as_pdf:")
