"""Wording layer of the Data quality page: the tables of extracts, hubs off the map, silent hubs and regions without data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from dashboard.contract import SETTLEMENT_TYPES, UNPLACED_REASONS
from dashboard.filters import parse_date
from dashboard.i18n import Translator
from dashboard.wording.common import is_missing, words_table


SCORE_SUFFIX = "_out_of_range"


def reason_text(code: object, tr: Translator) -> str:
    """A quarantine reason code of dashboard/clean in words: its own message ([reason]), or
    "no …" / "unrecognised …" for the codes made from a field's name (`missing_hub_id`,
    `unknown_gender`), or a Digigram area's score out of range; a code the catalogue does not
    know reads "another problem", never the code itself."""
    code = str(code)
    own = tr.messages.get(f"reason.{code}")
    if isinstance(own, str):
        return own
    for family in ("missing", "unknown"):
        field = tr.messages.get(f"reason.field.{code.removeprefix(family + '_')}")
        if code.startswith(family + "_") and isinstance(field, str):
            return tr(f"dq.reason_{family}", field=field)
    area = tr.messages.get(f"skills.area_{code.removesuffix(SCORE_SUFFIX)}")
    if code.endswith(SCORE_SUFFIX) and isinstance(area, str):
        return tr("dq.reason_score", area=area)
    return tr("dq.reason_other")


def extract_table(times: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """When each cleaned table was written, with its rows."""
    return words_table({tr("dq2.col_table"): [tr.label_or_code("dq2.table", t) for t in times["table"]],
                        tr("col.file"): list(times["file"]),
                        tr("col.rows"): [tr.number(v) for v in times["rows"]],
                        tr("dq2.col_written"): [written(w, tr) for w in times["written"]]})


def written(moment: object, tr: Translator) -> str:
    """A file time as the language's date and the 24-hour clock time."""
    if is_missing(moment):
        return "—"
    stamp = pd.Timestamp(moment)
    return tr("dq2.written_at", date=tr.date(stamp.date()), time=stamp.strftime("%H:%M"))


def placement_total(counts: Mapping[object, int], tr: Translator) -> str:
    """The registry's hubs on the map in one sentence: with their own coordinates, placed at their
    settlement, not on the map (`counts` of metrics.quality.compute_placement)."""
    total = sum(counts.values())
    own, settlement = counts.get("coordinates", 0), counts.get("settlement", 0)
    return tr("dq2.placement_total", total=tr.number(total), own=tr.number(own),
              settlement=tr.number(settlement), off=tr.number(total - own - settlement))


def unplaced_reason_text(code: object, tr: Translator) -> str:
    """Why a hub is not on the map, in words (an `unplaced_reason` code); "—" for none."""
    return tr(f"dq2.unplaced_{code}") if isinstance(code, str) and code in UNPLACED_REASONS else "—"


def unplaced_table(unplaced: pd.DataFrame, tr: Translator, region_names: Mapping[str, str]) -> pd.DataFrame:
    """The hubs that are not on the map with why (hub-level detail); show it with blocks.table(…, tr)."""
    def text(v: object) -> str:
        return v if isinstance(v, str) and v else "—"

    return words_table({
        tr("dq2.col_hub"): list(unplaced["hub_id"]), tr("dq2.col_name"): list(unplaced["name"]),
        tr("dq2.col_settlement"): [text(v) for v in unplaced["settlement"]],
        tr("dq2.col_settlement_type"): [tr.label("settlement", t) if isinstance(t, str) and t in SETTLEMENT_TYPES else "—"
                                        for t in unplaced["settlement_type"]],
        tr("dq2.col_hromada"): [text(v) for v in unplaced["hromada"]],
        tr("participation.dim_region"): [region_names.get(c, c) for c in unplaced["region_code"]],
        tr("dq2.col_unplaced_reason"): [unplaced_reason_text(r, tr) for r in unplaced["unplaced_reason"]],
    })


def silent_total(silent: int, active: int, tr: Translator) -> str:
    """The silent hubs of the view in one sentence: `1 of 3 active hubs sent no report in the period.`"""
    return tr.plural("dq2.silent_total", silent, active=tr.plural("dq2.silent_of", active))


def silent_table(per_region: pd.DataFrame, tr: Translator, region_names: Mapping[str, str]) -> pd.DataFrame:
    """Regions with their active hubs and those that sent no report in the period, most silent first."""
    return words_table({tr("participation.dim_region"): [region_names.get(c, c) for c in per_region["region_code"]],
                        tr("dq2.col_active_hubs"): [tr.number(v) for v in per_region["active_hubs"]],
                        tr("dq2.col_silent"): [tr.number(v) for v in per_region["silent"]],
                        tr("dq2.col_silent_share"): [tr.percent(v) for v in per_region["silent_share"]]})


def silent_list(silent: pd.DataFrame, tr: Translator, region_names: Mapping[str, str]) -> pd.DataFrame:
    """The hubs that sent no report (hub-level detail: internal mode only); show it with blocks.table(…, tr)."""
    return words_table({tr("dq2.col_hub"): list(silent["hub_id"]), tr("dq2.col_name"): list(silent["name"]),
                        tr("dq2.col_settlement"): [s if isinstance(s, str) else "—" for s in silent["settlement"]],
                        tr("participation.dim_region"): [region_names.get(c, c) for c in silent["region_code"]],
                        # dates, not words: the table sorts them as dates and writes them the language's way
                        tr("dq2.col_joined"): [pd.Timestamp(d).date() if not is_missing(d) else None
                                               for d in silent["joined_on"]]})


def nodata_table(empty: pd.DataFrame, tr: Translator, region_names: Mapping[str, str]) -> pd.DataFrame:
    """Regions without any activity in the period, with the likely reason."""
    return words_table({tr("participation.dim_region"): [region_names.get(c, c) for c in empty["region_code"]],
                        tr("dq2.col_hubs"): [tr.number(v) for v in empty["hubs"]],
                        tr("dq2.col_active_hubs"): [tr.number(v) for v in empty["active_hubs"]],
                        tr("dq2.col_reason"): [tr(f"dq2.reason_{r}") for r in empty["reason"]]})


def release_table(manifest: dict, tr: Translator) -> pd.DataFrame:
    """A release's manifest as a two-column table: name, created, published, data date, source, protection."""
    def day(stamp: object) -> str:
        try:
            return tr.date(dt.datetime.fromisoformat(str(stamp)).date())
        except ValueError:
            return "—"

    approval = manifest.get("approval") or {}
    data_date = parse_date(str(manifest.get("data_date", "")))
    rule = manifest.get("rule", {})
    rows = [
        ("dq.release_name", str(manifest.get("name", ""))),
        ("dq.release_created", day(manifest.get("created"))),
        ("dq.release_published", day(approval["at"]) if approval else tr("dq.release_draft")),
        ("dq.release_data_date", tr.date(data_date) if data_date else "—"),
        ("dq.release_source", str((manifest.get("source") or {}).get("fingerprint", "—"))),
        ("dq.release_rule", tr("dq.release_rule_value", k=tr.number(rule.get("k", 0)),
                                d=tr.number(rule.get("noise", 0)))),
    ]
    return pd.DataFrame({tr("dq.release_what"): [tr(k) for k, _v in rows], tr("dq.release_value"): [v for _k, v in rows]})


def releases_table(entries: list, current: str | None, tr: Translator) -> pd.DataFrame:
    """Every release: name, computed, approved (by whom, when) or draft, and which is current."""
    def day(stamp: object) -> str:
        try:
            return tr.date(dt.datetime.fromisoformat(str(stamp)).date())
        except ValueError:
            return "—"

    rows = []
    for e in reversed(entries):
        approval = e.manifest.get("approval") or {}
        state = tr("dq.releases_by", by=approval.get("by", "?"), date=day(approval.get("at"))) if approval \
            else tr("dq.release_draft")
        rows.append({tr("dq.release_name"): e.name + (" ★" if e.name == current else ""),
                     tr("dq.release_created"): day(e.manifest.get("created")), tr("dq.release_published"): state})
    return pd.DataFrame(rows)


def release_changes(changes: pd.DataFrame, tr: Translator, names: Mapping[str, str]) -> pd.DataFrame:
    """A draft against the current release: people of all time per region (the country first)."""
    def count(v: object) -> str:
        return tr.count(None if is_missing(v) else v)

    return pd.DataFrame({
        tr("map.col_region"): [tr("export.all_regions") if is_missing(c) else names.get(c, c) for c in changes["region_code"]],
        tr("dq.releases_current"): [count(v) for v in changes["current"]],
        tr("dq.releases_new"): [count(v) for v in changes["draft"]],
        tr("dq.releases_change"): ["—" if is_missing(v) else tr.signed(v) for v in changes["change"]],
    })
