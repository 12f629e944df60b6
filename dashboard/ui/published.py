"""Presentation layer: the release a public visitor sees — its choice in the side bar, its version and its caption."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import settings
from dashboard.i18n import Translator
from dashboard.release import catalogue
from dashboard.store.database import DataUnavailable

RELEASE_PARAM = "release"  # public mode: the release shown (default: the current one)


class NoRelease(DataUnavailable):
    """Public mode without an approved release to show."""

    def __init__(self):
        super().__init__(settings.releases_dir(), "no approved release")


def chosen(tr: Translator) -> catalogue.Entry | None:
    """The release a public visitor sees: an approved one, picked in the side bar (kept in the
    link as `?release=NAME`); by default the current one (the approved one created last)."""
    approved = [e for e in catalogue.releases(settings.releases_dir()) if e.approved][::-1]
    if not approved:
        return None
    names = [e.name for e in approved]
    asked = st.query_params.get(RELEASE_PARAM)
    if asked and asked not in names:
        st.warning(tr("release.unknown", name=asked[:64]), icon=":material/link_off:")
    name = st.sidebar.selectbox(tr("release.label"), names, key=RELEASE_PARAM, bind="query-params")
    return approved[names.index(name)] if name in names else approved[0]


def version_of(entry: catalogue.Entry) -> str:
    # A release's tables never change; its approval does (a draft becomes approved).
    approval = entry.manifest.get("approval") or {}
    return f"{entry.name}|{entry.created}|{approval.get('at', 'draft')}"


def release_caption(manifest: dict, tr: Translator) -> str:
    """"Release NAME, published DATE" (or a draft's words) for the page's side."""
    approval = manifest.get("approval") or {}
    if approval:
        return tr("release.caption", name=manifest["name"], date=tr.date(_day(approval.get("at"))))
    return tr("release.caption_draft", name=manifest["name"], date=tr.date(_day(manifest.get("created"))))


def _day(stamp: object) -> dt.date:
    try:
        return dt.datetime.fromisoformat(str(stamp)).date()
    except ValueError:
        return dt.date.today()
