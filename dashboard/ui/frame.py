"""Presentation layer: the shared frame — language, sign-in gate, filter sidebar, page list — and the page Context."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import filters, privacy
from dashboard.filters import (
    FROM_PARAM, LANG_PARAM, LANGUAGES, PARAMS, PROGRAMME_PARAM, REGION_PARAM, SEGMENTS, TO_PARAM,
    Choices, Filters,
)
from dashboard.i18n import Translator, translator
from dashboard.privacy import Rule
from dashboard.settings import ROOT, data_dir
from dashboard.store.database import QUARANTINE_TABLE, DataUnavailable, data_version
from dashboard.ui import accessibility, auth, cache, published
from dashboard.wording.common import describe_scope

log = logging.getLogger(__name__)

QUICK_KEY = "quick"  # quick period picks: not in the URL, the dates they set are
CONTEXT_KEY = "_dashboard_context"
URL_CHECKED_KEY = "_dashboard_url_checked"
# Widgets whose options show labels: the browser holds a selection as the labels it shows, so
# these are re-set on a language switch.
RELABEL_KEYS = (PROGRAMME_PARAM, REGION_PARAM, QUICK_KEY, *SEGMENTS)
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
    rule: Rule  # the protection in force: the release's, or read once per script run (privacy.from_settings)
    hub_detail: bool = False  # hub-level detail may be shown: a signed-in visitor of internal mode
    release: dict | None = None  # public mode: the manifest of the release shown (None: live figures)
    notices: tuple[str, ...] = ()  # what of the asked view the release does not hold (shown once per page)

    @property
    def tr(self) -> Translator:
        """The Translator of the page's language, writing "fewer than k" with the rule's k."""
        return translator(self.lang, self.rule.k)

    @property
    def k(self) -> int:
        return self.rule.k

    def report(self) -> tuple[dict, pd.DataFrame]:
        """The cleaning report and the quarantine counts per file and reason.

        When `quarantine.parquet` cannot be read (the store then gives it empty), the page that
        asked says so; the reasons then come from the report alone.
        """
        _regions, _spans, report, quarantine = cache.reference_tables(self.folder, self.version, self.rule)
        if self.release is None and QUARANTINE_TABLE in cache.database(self.folder, self.version).faults:
            st.warning(self.tr("fault.quarantine", file=f"{QUARANTINE_TABLE}.parquet"), icon=":material/warning:")
        return report, quarantine


def _data_date(report: dict) -> dt.date | None:
    return filters.parse_date(str(report.get("data_date", "")))


def _choices(folder: str, version: str, rule: Rule, programme: str, tr: Translator) -> tuple[Choices, dict[str, str]]:
    """The Choices of a programme in a language, and the names of all regions in that language.

    From a release, the quick picks are the periods it holds (all time, phases, years, quarters,
    months), the only periods a public view can take.
    """
    regions, spans, report, _q = cache.reference_tables(folder, version, rule)
    dates, phases, countries = filters.spans_by_programme(spans)
    names = dict(zip(regions["region_code"], regions[f"name_{tr.lang}"]))
    labels = [_labels(t, dates, regions, countries.get(programme, [])) for t in _translators(tr)]
    choices = filters.make_choices(labels[0], dates, phases.get(programme, []), _data_date(report), programme,
                                   aliases=filters.link_aliases(labels))
    src = cache.source(folder, version, rule)
    if src.release is not None:
        choices = dataclasses.replace(choices, quick=src.held_periods(programme))
    return choices, names


def _labels(tr: Translator, programmes: Sequence[str], regions: pd.DataFrame,
            countries: Sequence[str]) -> dict[str, dict[str, str]]:
    """Query-string name -> {code: label} in the language of `tr`: the programmes, the regions of
    `countries` (in that language's order) and the participant-group vocabularies."""
    names = dict(zip(regions["region_code"], regions[f"name_{tr.lang}"]))
    ordered = regions.sort_values(f"order_{tr.lang}")
    mine = ordered[ordered["country_code"].isin(countries)]
    return {
        PROGRAMME_PARAM: {p: tr(f"programme.{p}") for p in programmes},
        REGION_PARAM: {code: names[code] for code in mine["region_code"]},
        **{name: {v: tr.label(name, v) for v in vocab} for name, (_c, vocab) in SEGMENTS.items()},
    }


def _translators(tr: Translator) -> list[Translator]:
    # The page's language first: where two codes share a label, its word decides (filters.link_aliases).
    return [tr, *(translator(lang) for lang in LANGUAGES if lang != tr.lang)]


def _history_navigation() -> bool:
    # The browser's back or forward button: the URL of that history entry is the view to show.
    run = get_script_run_ctx()
    return bool(getattr(run, "is_history_navigation", False))


def _write_link(values: Mapping[str, Sequence[str]]) -> None:
    """Put the filters' codes in the URL where they differ from it: one message, one history entry.

    Every filter, the period's dates included, is written here in one update: a widget bound to
    the URL sends a message of its own, and each message is an entry of the browser's history (a
    quick pick that set both dates made two, and Back led to a period nobody chose).
    An empty list drops the parameter (a filter at its default is not written).
    """
    changed = {name: list(codes) for name, codes in values.items() if st.query_params.get_all(name) != list(codes)}
    if changed:
        st.query_params.update(changed)


def _relabel() -> None:
    # Re-setting a value makes the widgets take the new language's labels; without it the browser
    # keeps the old labels and drops the selection on the way back. The URL's codes stay as they are.
    for key in RELABEL_KEYS:
        if key in st.session_state:
            value = st.session_state[key]
            st.session_state[key] = list(value) if isinstance(value, list) else value


def _programme_changed(folder: str, version: str, rule: Rule, lang: str) -> None:
    choices, _names = _choices(folder, version, rule, st.session_state[PROGRAMME_PARAM], translator(lang))
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


def frame() -> Context | None:
    """Build the shared frame (entry file only): language, data check, filter sidebar.

    Returns the Context, also kept for the pages in session state; None when the extract folder
    cannot be read (the caller then shows `missing_data_page`).
    """
    raw = {k: st.query_params.get_all(k) for k in PARAMS if k in st.query_params}
    first_run = URL_CHECKED_KEY not in st.session_state
    # When the URL decides the filters (codes, or labels of links written before codes); otherwise
    # the widgets decide and the URL follows them.
    link = raw if first_run or _history_navigation() else None
    st.session_state[URL_CHECKED_KEY] = True
    # The widget's own label needs the language before the widget exists: take it from the URL.
    label_lang = st.session_state.get(LANG_PARAM) or (raw.get(LANG_PARAM) or ["uk"])[-1]
    lang = st.sidebar.segmented_control(
        translator(label_lang)("lang.label"), LANGUAGES, default="uk", required=True,
        key=LANG_PARAM, bind="query-params", on_change=_relabel,
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
        ctx, problems = _filter_sidebar(folder, version, tr, rule, access.hub_detail,
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
        if ctx.release is not None and len(raw.get(REGION_PARAM, [])) > 1 and "release.regions" not in ctx.notices:
            # The region picker keeps one of a link's regions: say so.
            ctx = dataclasses.replace(ctx, notices=(*ctx.notices, "release.regions"))
    if problems:
        st.warning(tr("filter.invalid", names=", ".join(dict.fromkeys(problems))), icon=":material/link_off:")
    for key in ctx.notices:
        st.info(_notice(key, ctx), icon=":material/info:")
    st.session_state[CONTEXT_KEY] = ctx
    return ctx


def _filter_sidebar(folder: str, version: str, tr: Translator, rule: Rule, hub_detail: bool,
                    release: dict | None = None,
                    link: Mapping[str, Sequence[str]] | None = None) -> tuple[Context, list[str]]:
    """The filter widgets and the Context they give, with the names of values that fell back.

    The URL holds every filter as codes: `link` (the URL's values) sets the widgets when the URL
    decides (see frame), and the widgets' codes are written back to the URL after every run.
    """
    side = st.sidebar
    side.subheader(tr("filter.header"))
    regions, spans, report, _q = cache.reference_tables(folder, version, rule)
    programmes = list(filters.spans_by_programme(spans)[0]) or [filters.DEFAULT_PROGRAMME]
    default = programmes.index(filters.DEFAULT_PROGRAMME) if filters.DEFAULT_PROGRAMME in programmes else 0
    if link is not None:
        # Set before the widget exists, so the link decides; a filter the link lacks goes back
        # to its default (the way back through the browser's history may lead to such a link).
        named = filters.link_aliases([{PROGRAMME_PARAM: {p: t(f"programme.{p}") for p in programmes}}
                                      for t in _translators(tr)])
        asked = filters.link_codes(link.get(PROGRAMME_PARAM, []), named[PROGRAMME_PARAM])[0]
        st.session_state[PROGRAMME_PARAM] = asked[0] if asked else programmes[default]
    programme = side.selectbox(
        tr("filter.programme"), programmes, index=default, format_func=lambda p: tr(f"programme.{p}"),
        key=PROGRAMME_PARAM, on_change=_programme_changed, args=(folder, version, rule, tr.lang),
    )
    choices, names = _choices(folder, version, rule, programme, tr)
    # A release holds fixed periods: they are picked from a list, and the dates follow (shown, kept
    # in the link, not typed); one region at most, one value of each characteristic.
    held = release is not None
    dates = dict(min_value=choices.first_day, max_value=choices.last_day, format="DD.MM.YYYY",
                 on_change=_dates_changed, args=(choices,), disabled=held)
    if link is not None:
        # The link's period, and the quick pick that matches it: none lit when none does, and in a
        # release, whose periods are picked from a list, the narrowest one that holds it.
        period, reversed_dates = filters.link_period(link, choices)
        st.session_state[FROM_PARAM], st.session_state[TO_PARAM] = period
        st.session_state[QUICK_KEY] = (filters.containing_quick(choices, *period) if held
                                       else filters.matching_quick(choices, *period))
    if held:
        now = filters.matching_quick(choices, st.session_state.get(FROM_PARAM), st.session_state.get(TO_PARAM))
        side.selectbox(tr("filter.period"), list(choices.quick), format_func=lambda q: _quick_label(q, tr),
                       index=list(choices.quick).index(now) if now in choices.quick else 0, key=QUICK_KEY,
                       on_change=_quick_changed, args=(choices,))
    start = side.date_input(tr("filter.from"), value=choices.default_start, key=FROM_PARAM,
                            help=None if held else tr("filter.period_help"), **dates)
    end = side.date_input(tr("filter.to"), value=choices.default_end, key=TO_PARAM, **dates)
    if not held:
        side.pills(
            tr("filter.quick"), list(choices.quick), format_func=lambda q: _quick_label(q, tr),
            default=filters.matching_quick(choices, start, end), key=QUICK_KEY,
            on_change=_quick_changed, args=(choices,), label_visibility="collapsed",
        )
    # No "Select all" (a text Streamlit writes in English): every value selected is no filter at all.
    one = {"max_selections": 1} if held else {}
    if link is not None:
        for name in (REGION_PARAM, *SEGMENTS):
            codes = filters.link_codes(link.get(name, []), choices.aliases.get(name, {}))[0]
            st.session_state[name] = codes[:1] if held else codes
    region_labels = choices.labels[REGION_PARAM]
    picked = side.multiselect(
        tr("filter.region"), list(region_labels), format_func=region_labels.get, key=REGION_PARAM,
        placeholder=tr("filter.region_placeholder"), select_all=False, **one,
    )
    segment = {}
    # Open when a segment is set (from the URL on a first visit, from the widgets afterwards).
    narrowed = any(st.session_state.get(name) or st.query_params.get_all(name) for name in SEGMENTS)
    with side.expander(tr("filter.segment"), expanded=narrowed):
        for name in SEGMENTS:
            labels = choices.labels[name]
            segment[name] = st.multiselect(
                tr(f"filter.{name}"), list(labels), format_func=labels.get, key=name,
                placeholder=tr("filter.placeholder"), select_all=False, **one,
            )
    _write_link({PROGRAMME_PARAM: [] if programme == programmes[default] else [programme],
                 **filters.period_params(start, end, choices), REGION_PARAM: picked, **segment})
    f, problems = filters.build_filters(programme, start, end, picked, segment, choices=choices)
    if link is not None:
        problems = reversed_dates + problems
    _key, f, notices = cache.source(folder, version, rule).view(f)
    data_date = _data_date(report)
    side.caption(tr("common.data_date", date=tr.date(data_date)) if data_date else tr("common.data_date_unknown"))
    if release is not None:
        side.caption(published.release_caption(release, tr))
    ctx = Context(lang=tr.lang, filters=f, choices=choices, folder=folder, version=version,
                  data_date=data_date, region_names=names, data_start=choices.default_start, rule=rule,
                  hub_detail=hub_detail, release=release, notices=tuple(notices))
    return ctx, problems


def _notice(key: str, ctx: Context) -> str:
    """What the release shows instead of the view asked for, in words."""
    tr, f = ctx.tr, ctx.filters
    if key == "release.period":
        code = filters.matching_quick(ctx.choices, f.start, f.end)
        return tr(key, period=_quick_label(code, tr) if code else tr.period(f.start, f.end))
    if key == "release.regions":
        shown = ctx.region_names.get(f.regions[0], f.regions[0]) if f.regions else tr("release.country")
        return tr(key, shown=shown)
    if key == "release.group":
        group = describe_scope(dataclasses.replace(f, regions=()), tr, ctx.region_names)
        return tr(key, group=group or tr("release.group_all"))
    return tr(key)


def _quick_label(key: str, tr: Translator) -> str:
    kind, _sep, value = key.partition(":")
    if kind == "all":
        return tr("quick.all")
    if kind == "quarter":
        year, quarter = value.split("-Q")
        return tr("quick.quarter", quarter=quarter, year=year)
    if kind == "month":
        return tr.month(dt.date.fromisoformat(f"{value}-01"))
    return tr(f"quick.{kind}", **{kind: value})


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
