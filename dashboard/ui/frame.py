"""Presentation layer: the shared frame — language, sign-in gate, the filter sidebar (ui.sidebar), page list —
and the page Context (ui.context) it hands every page."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager

from dashboard import filters, privacy
from dashboard.filters import LANG_PARAM, LANGUAGES, PARAMS
from dashboard.i18n import translator
from dashboard.privacy import Rule
from dashboard.settings import ROOT, data_dir
from dashboard.store.database import DataUnavailable, data_version
from dashboard.ui import accessibility, auth, cache, published
from dashboard.ui.context import Context
from dashboard.ui.sidebar import filter_sidebar, history_navigation, quick_label, relabel
from dashboard.wording.common import describe_scope

log = logging.getLogger(__name__)

CONTEXT_KEY = "_dashboard_context"
URL_CHECKED_KEY = "_dashboard_url_checked"
# The browser tab's icon, a file of the app served by the app itself: a Material icon name or an
# emoji would make every visitor's browser fetch it from an outside server (fonts.gstatic.com,
# cdn.jsdelivr.net), and the dashboard must work offline.
FAVICON = Path(__file__).with_name("favicon.png")
# The app's pages: (file, catalogue key of its title, icon); the first is served at "/".
PAGES = (
    ("pages/overview.py", "page.overview", ":material/dashboard:"),
    ("pages/map.py", "page.map", ":material/map:"),
    ("pages/coverage.py", "page.coverage", ":material/radar:"),
    ("pages/participation.py", "page.participation", ":material/groups:"),
    ("pages/progress.py", "page.progress", ":material/flag:"),
    ("pages/skills.py", "page.skills", ":material/trending_up:"),
    ("pages/network.py", "page.network", ":material/hub:"),
    ("pages/exports.py", "page.exports", ":material/download:"),
    ("pages/data_quality.py", "page.data_quality", ":material/fact_check:"),
)


def frame() -> Context | None:
    """Build the shared frame (entry file only): language, data check, filter sidebar.

    Returns the Context, also kept for the pages in session state; None when the extract folder
    cannot be read (the caller then shows `missing_data_page`).
    """
    raw = {k: st.query_params.get_all(k) for k in PARAMS if k in st.query_params}
    first_run = URL_CHECKED_KEY not in st.session_state
    # When the URL decides the filters (codes, or labels of links written before codes); otherwise
    # the widgets decide and the URL follows them.
    link = raw if first_run or history_navigation() else None
    st.session_state[URL_CHECKED_KEY] = True
    # The widget's own label needs the language before the widget exists: take it from the URL.
    label_lang = st.session_state.get(LANG_PARAM) or (raw.get(LANG_PARAM) or ["uk"])[-1]
    lang = st.sidebar.segmented_control(
        translator(label_lang)("lang.label"), LANGUAGES, default="uk", required=True,
        key=LANG_PARAM, bind="query-params", on_change=relabel,
    ) or "uk"
    accessibility.apply(translator(lang))  # the page's language, readable captions, focus rings
    try:
        # Read once per run and passed down: every figure and every sentence about it agree.
        rule = privacy.from_settings()
    except ValueError as exc:  # a bad DASHBOARD_MIN_COUNT or DASHBOARD_NOISE: show nothing rather than guess
        st.error(str(exc), icon=":material/lock:")
        st.stop()
    tr = translator(lang, rule.k)
    # Stops here unless this visitor may see data; the mode banner follows, once k is known.
    access = auth.gate(lang, tr, place=st.sidebar, banner=False)
    release = published.chosen(tr) if access.mode == "public" else None
    if access.mode == "public" and release is None:
        st.session_state[CONTEXT_KEY] = published.NoRelease()
        return None
    if release is not None:
        rule = Rule(**release.manifest["rule"])  # the protection the release was computed with
    elif access.hub_detail:
        # Signed-in staff of internal mode may see the microdata: exact figures, small counts still hidden.
        rule = Rule(k=rule.k, noise=0)
    tr = translator(lang, rule.k)
    st.sidebar.caption(auth.mode_banner(access.mode, lang, rule.k if release is not None else None, tr))
    folder = str(release.folder) if release is not None else str(data_dir())
    try:
        if release is not None:
            version = published.version_of(release)
        else:
            version = data_version(Path(folder))
            cache.database(folder, version)
        ctx, problems = filter_sidebar(folder, version, tr, rule, access.hub_detail,
                                        release.manifest if release is not None else None, link)
    except DataUnavailable as exc:
        log.warning("no readable extract: %s", exc)
        st.session_state[CONTEXT_KEY] = exc
        return None
    except Exception as exc:  # noqa: BLE001 - any other fault: a page that says what to run, details to the log
        log.exception("the data in %s could not be read", folder)
        st.session_state[CONTEXT_KEY] = DataUnavailable(Path(folder), f"unreadable extract ({type(exc).__name__})")
        return None
    if first_run:
        problems = filters.invalid_params(raw, ctx.choices) + problems
    if problems:
        st.warning(tr("filter.invalid", names=", ".join(dict.fromkeys(problems))), icon=":material/link_off:")
    for key in ctx.notices:
        said = _notice(key, ctx)  # a sentence, which may begin with a group's words ("age: 60–69")
        st.info(said[:1].upper() + said[1:], icon=":material/info:")
    st.session_state[CONTEXT_KEY] = ctx
    return ctx


def _notice(key: str, ctx: Context) -> str:
    """What the release shows instead of the view asked for, in words."""
    tr, f = ctx.tr, ctx.filters
    if key == "release.period":
        code = filters.matching_quick(ctx.choices, f.start, f.end)
        return tr(key, period=quick_label(code, tr) if code else tr.period(f.start, f.end))
    if key == "release.regions":
        shown = ctx.region_names.get(f.regions[0], f.regions[0]) if f.regions else tr("release.country")
        return tr(key, shown=shown)
    if key == "release.group":
        group = describe_scope(dataclasses.replace(f, regions=()), tr, ctx.region_names)
        return tr(key, group=group or tr("release.group_all"))
    return tr(key)


def navigation(ctx: Context | None) -> StreamlitPage | GuardedPage:
    """Register the pages (st.navigation) and return the one to run (a GuardedPage: a fault
    ends it with one message, not a traceback).

    Without readable data there is one hidden page that says what to run. Url paths are the
    file names, so links survive a change of language.
    """
    if ctx is None:
        title = translator(st.session_state.get(LANG_PARAM) or "uk")("missing.title")
        return st.navigation([st.Page(missing_data_page, title=title, url_path="setup")], position="hidden")
    pages = [st.Page(str(ROOT / path), title=ctx.tr(key), icon=icon, default=i == 0)
             for i, (path, key, icon) in enumerate(PAGES)]
    return GuardedPage(st.navigation(pages, position="top"))


class GuardedPage:
    """The page st.navigation chose, run so that a fault ends it with one message in the page's
    language (what is wrong, what the operator should run) instead of a traceback; the details
    go to the server log. Streamlit's own stop and rerun signals are not faults and pass."""

    def __init__(self, page: StreamlitPage):
        self.page = page

    def __getattr__(self, name: str) -> object:
        return getattr(self.page, name)

    def run(self) -> None:
        try:
            self.page.run()
        except Exception:  # noqa: BLE001 - st.stop and st.rerun are not Exceptions
            log.exception("page %s failed", getattr(self.page, "url_path", "?"))
            page_fault()


def page_fault() -> None:
    """The message a page ends with when it could not be shown."""
    tr = translator(st.session_state.get(LANG_PARAM) or "uk")
    st.error(tr("fault.page"), icon=":material/error:")


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


def missing_data_page() -> None:
    """The page shown instead of the app when the extract folder cannot be read: what to run."""
    exc = st.session_state.get(CONTEXT_KEY)
    tr = translator(st.session_state.get(LANG_PARAM, "uk"))
    if isinstance(exc, published.NoRelease):
        st.title(tr("release.none_title"))
        st.info(tr("release.none_body"), icon=":material/inventory_2:")
        st.markdown(f"1. {tr('release.none_build')}\n2. {tr('release.none_approve')}\n3. {tr('missing.step_readme')}")
        return
    # The folder is named by its setting, not its path: no server path reaches a page (the log has it).
    missing = getattr(exc, "missing", ())
    unreadable = getattr(exc, "unreadable", ())
    problem = getattr(exc, "problem", "")
    if problem == "folder not found":
        why = tr("missing.folder_not_found")
    elif missing:
        why = tr("missing.tables_missing", tables=", ".join(f"{t}.parquet" for t in missing))
    elif unreadable:
        why = tr("missing.tables_unreadable", tables=", ".join(f"{t}.parquet" for t in unreadable))
    else:
        why = tr("missing.unreadable")
    st.title(tr("missing.title"))
    st.error(tr("missing.body_setting", problem=why), icon=":material/folder_off:")
    st.markdown(f"**{tr('missing.steps')}**\n\n1. {tr('missing.step_clean')}\n2. {tr('missing.step_env')}\n"
                f"3. {tr('missing.step_readme')}")
