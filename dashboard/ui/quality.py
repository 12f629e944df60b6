"""Presentation layer of the Data quality page: the cleaning report, extracts, hubs off the map, silent hubs, regions without data."""

from __future__ import annotations

import streamlit as st

from dashboard.metrics import quality as metrics
from dashboard import settings
from dashboard.release import catalogue, compare
from dashboard.release.build import ReleaseError
from dashboard.ui import auth, cache
from dashboard.ui.blocks import static_table, table, translated_table
from dashboard.ui.frame import Context
from dashboard.wording import quality as wording
from dashboard.markdown import escape_md


def files(ctx: Context, report: dict) -> None:
    """Rows per raw file of the cleaning report: read, cleaned, quarantined, duplicates."""
    tr = ctx.tr
    summary = metrics.file_summary(report)
    if not report:
        st.info(tr("dq.no_report"), icon=":material/description:")
        return
    if summary.empty:
        st.info(tr("dq.no_files"))
        return
    totals = {c: tr.number(summary[c].sum()) for c in ("rows_in", "cleaned", "quarantined", "duplicates")}
    st.markdown(tr("dq.totals", **totals))
    summary["table"] = [tr.label_or_code("kind", kind) for kind in summary["table"]]
    translated_table(summary, {"file": "col.file", "table": "col.table", "extract_date": "col.extract_date",
                               "rows_in": "col.rows_in", "cleaned": "col.cleaned", "quarantined": "col.quarantined",
                               "duplicates": "col.duplicates"}, tr)
    unbalanced = metrics.unbalanced_files(summary)
    if unbalanced:
        st.warning(tr("dq.mismatch", files=escape_md(", ".join(unbalanced))))


def reasons(ctx: Context, report: dict, quarantine) -> None:
    """Quarantined rows per file and reason."""
    tr = ctx.tr
    found = metrics.quarantine_reasons(report, quarantine)
    if found.empty:
        st.info(tr("dq.no_reasons"))
        return
    found["reason"] = [wording.reason_text(code, tr) for code in found["reason"]]
    translated_table(found, {"file": "col.file", "reason": "col.reason", "rows": "col.rows"}, tr)
    st.caption(tr("dq.reasons_note"))


def extracts(ctx: Context, report: dict) -> None:
    """When each cleaned table was written, and its rows."""
    times = metrics.extract_times(ctx.folder, report)
    if times.empty:
        st.info(ctx.tr("dq2.no_files"))
        return
    static_table(wording.extract_table(times, ctx.tr))


def unplaced_hubs(ctx: Context) -> None:
    """How the registry's hubs are on the map, and each hub that is not, with why (extract only)."""
    tr = ctx.tr
    counts, unplaced = cache.placement(ctx)
    st.markdown(wording.placement_total(counts, tr))
    if unplaced.empty:
        st.success(tr("dq2.unplaced_none"), icon=":material/check_circle:")
    elif ctx.hub_detail:
        table(wording.unplaced_table(unplaced, tr, ctx.region_names), tr)
    else:
        st.caption(tr("dq2.silent_public"))


def silent_hubs(ctx: Context) -> None:
    """Active hubs that sent no report in the period, per region (and each hub in internal mode)."""
    tr = ctx.tr
    per_region, silent = cache.silent_hubs(ctx)
    if per_region.empty:
        st.info(tr("dq2.silent_none_active"))
        return
    st.markdown(wording.silent_total(len(silent), per_region["active_hubs"].sum(), tr))
    static_table(wording.silent_table(per_region, tr, ctx.region_names))
    if ctx.hub_detail and len(silent):
        with st.expander(tr("dq2.silent_list")):
            table(wording.silent_list(silent, tr, ctx.region_names), tr)
    else:
        st.caption(tr("dq2.silent_public"))


def regions_without_data(ctx: Context) -> None:
    """Regions of the view where nothing was reported in the period, and the likely reason."""
    tr = ctx.tr
    empty = cache.regions_without_data(ctx)
    if empty.empty:
        st.success(tr("dq2.nodata_none"), icon=":material/check_circle:")
        return
    static_table(wording.nodata_table(empty, tr, ctx.region_names))


def release(ctx: Context) -> None:
    """The release the public figures come from: its name, dates, source and protection."""
    tr, manifest = ctx.tr, ctx.release
    table(wording.release_table(manifest, tr))
    st.caption(tr("dq.release_note"))


def releases(ctx: Context) -> None:
    """Signed-in staff: the releases, a draft beside the current one region by region, and approval."""
    tr = ctx.tr
    root = settings.releases_dir()
    entries = catalogue.releases(root)
    if not entries:
        st.info(tr("dq.releases_none"))
        return
    now = catalogue.current(root)
    static_table(wording.releases_table(entries, now.name if now else None, tr))
    drafts = [e.name for e in entries if not e.approved][::-1]
    if not drafts:
        return
    name = st.selectbox(tr("dq.releases_draft"), drafts, key="release_draft")
    draft = cache.release_source(str(root / name))
    current = cache.release_source(str(now.folder)) if now else None
    changes = compare.compare(current, draft, ctx.filters.programme)
    st.caption(tr("dq.releases_compare", draft=name, current=now.name if now else "—"))
    static_table(wording.release_changes(changes, tr, ctx.region_names))
    by = auth.current_access().user
    if st.button(tr("dq.releases_approve", name=name), key="release_approve", type="primary"):
        try:
            catalogue.approve(root, name, by)
        except ReleaseError as exc:
            st.error(str(exc))
            return
        st.success(tr("dq.releases_approved", name=name))


def privacy_rule(ctx: Context) -> None:
    """How counts of people are protected, with the k and noise in force."""
    tr, rule = ctx.tr, ctx.rule
    st.subheader(tr("dq.privacy_title"))
    st.markdown(tr("privacy.rule", k=tr.number(rule.k), k_minus=tr.number(rule.k - 1), d=tr.number(rule.noise)))
