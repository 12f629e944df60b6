"""Presentation layer: the filter sidebar — programme, period, regions, participant group — and the
link that carries it: the URL decides the widgets on a first visit and on the browser's Back and
Forward, the widgets decide the URL otherwise, written in one update per run (one history entry).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import filters
from dashboard.filters import (
    FROM_PARAM, LANGUAGES, PROGRAMME_PARAM, REGION_PARAM, SEGMENTS, TO_PARAM, Choices,
)
from dashboard.i18n import Translator, translator
from dashboard.privacy import Rule
from dashboard.ui import cache, published
from dashboard.ui.context import Context

QUICK_KEY = "quick"  # quick period picks: not in the URL, the dates they set are
# Widgets whose options show labels: the browser holds a selection as the labels it shows, so
# these are re-set on a language switch.
RELABEL_KEYS = (PROGRAMME_PARAM, REGION_PARAM, QUICK_KEY, *SEGMENTS)


def report_date(report: dict) -> dt.date | None:
    return filters.parse_date(str(report.get("data_date", "")))


def choices_of(folder: str, version: str, rule: Rule, programme: str, tr: Translator) -> tuple[Choices, dict[str, str]]:
    """The Choices of a programme in a language, and the names of all regions in that language.

    From a release, the quick picks are the periods it holds (all time, phases, years, quarters,
    months), the only periods a public view can take.
    """
    regions, spans, report, _q = cache.reference_tables(folder, version, rule)
    dates, phases, countries = filters.spans_by_programme(spans)
    names = dict(zip(regions["region_code"], regions[f"name_{tr.lang}"]))
    labels = [_labels(t, dates, regions, countries.get(programme, [])) for t in _translators(tr)]
    choices = filters.make_choices(labels[0], dates, phases.get(programme, []), report_date(report), programme,
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


def history_navigation() -> bool:
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


def relabel() -> None:
    # Re-setting a value makes the widgets take the new language's labels; without it the browser
    # keeps the old labels and drops the selection on the way back. The URL's codes stay as they are.
    for key in RELABEL_KEYS:
        if key in st.session_state:
            value = st.session_state[key]
            st.session_state[key] = list(value) if isinstance(value, list) else value


def _programme_changed(folder: str, version: str, rule: Rule, lang: str) -> None:
    choices, _names = choices_of(folder, version, rule, st.session_state[PROGRAMME_PARAM], translator(lang))
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


def filter_sidebar(folder: str, version: str, tr: Translator, rule: Rule, hub_detail: bool,
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
    choices, names = choices_of(folder, version, rule, programme, tr)
    # A release holds fixed periods: they are picked from a list, and the dates follow (shown, kept
    # in the link, not typed); one region at most, one value of each characteristic.
    held = release is not None
    dates = dict(min_value=choices.first_day, max_value=choices.last_day, format="DD.MM.YYYY",
                 on_change=_dates_changed, args=(choices,), disabled=held)
    cut: list[str] = []  # what a link asked for beyond the release's views (notice keys)
    if link is not None:
        # The link's period, and the quick pick that matches it (none lit when none does); a
        # release, whose periods are picked from a list, shows the narrowest one that holds it,
        # its own dates in the date fields, and says so.
        period, reversed_dates = filters.link_period(link, choices)
        quick = filters.matching_quick(choices, *period)
        if held and quick is None:
            quick = filters.containing_quick(choices, *period)
            period = choices.quick.get(quick, (choices.default_start, choices.default_end))
            cut.append("release.period")
        st.session_state[FROM_PARAM], st.session_state[TO_PARAM] = period
        st.session_state[QUICK_KEY] = quick
    if held:
        now = filters.matching_quick(choices, st.session_state.get(FROM_PARAM), st.session_state.get(TO_PARAM))
        side.selectbox(tr("filter.period"), list(choices.quick), format_func=lambda q: quick_label(q, tr),
                       index=list(choices.quick).index(now) if now in choices.quick else 0, key=QUICK_KEY,
                       on_change=_quick_changed, args=(choices,))
    start = side.date_input(tr("filter.from"), value=choices.default_start, key=FROM_PARAM,
                            help=None if held else tr("filter.period_help"), **dates)
    end = side.date_input(tr("filter.to"), value=choices.default_end, key=TO_PARAM, **dates)
    if not held:
        side.pills(
            tr("filter.quick"), list(choices.quick), format_func=lambda q: quick_label(q, tr),
            default=filters.matching_quick(choices, start, end), key=QUICK_KEY,
            on_change=_quick_changed, args=(choices,), label_visibility="collapsed",
        )
    # No "Select all" (a text Streamlit writes in English): every value selected is no filter at all.
    one = {"max_selections": 1} if held else {}
    if link is not None:
        for name in (REGION_PARAM, *SEGMENTS):
            codes = filters.link_codes(link.get(name, []), choices.aliases.get(name, {}))[0]
            st.session_state[name] = codes[:1] if held else codes
            if held and len(codes) > 1:  # the pickers keep the first of a link's values: say so
                cut.append("release.regions" if name == REGION_PARAM else "release.group")
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
    data_date = report_date(report)
    side.caption(tr("common.data_date", date=tr.date(data_date)) if data_date else tr("common.data_date_unknown"))
    if release is not None:
        side.caption(published.release_caption(release, tr))
    ctx = Context(lang=tr.lang, filters=f, choices=choices, folder=folder, version=version,
                  data_date=data_date, region_names=names, data_start=choices.default_start, rule=rule,
                  hub_detail=hub_detail, release=release, notices=tuple(dict.fromkeys([*cut, *notices])))
    return ctx, problems


def quick_label(key: str, tr: Translator) -> str:
    kind, _sep, value = key.partition(":")
    if kind == "all":
        return tr("quick.all")
    if kind == "quarter":
        year, quarter = value.split("-Q")
        return tr("quick.quarter", quarter=quarter, year=year)
    if kind == "month":
        return tr.month(dt.date.fromisoformat(f"{value}-01"))
    return tr(f"quick.{kind}", **{kind: value})
