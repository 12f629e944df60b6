"""Wording layer of "who is left behind": a sentence a donor can quote for each gap, the summary, tables, the chart's frame.

Every sentence names the region, the period, the group, its gain with its 95% interval, the
national gain and the gap with its interval, in the language of `tr` (the catalogue's [gaps]
table); numbers are the metric's (dashboard.metrics.gaps), written with two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.i18n import Translator
from dashboard.metrics.gaps import GAP_DECIMALS, left_behind
from dashboard.wording.common import estimate, is_missing, words_table
from dashboard.wording.progress import area_name, period_label

SENTENCES = 5  # sentences written above the table; the rest are in the table and the files


def group_words(dimension: str, value: str, tr: Translator) -> str:
    """A group as the subject of a sentence: `people aged 60–69`, `village residents`."""
    return tr(f"gaps.group.{dimension}.{value}")


def points(value: float, tr: Translator) -> str:
    """A size in points with its word: `1.22 points`, `1,22 бала` (no sign)."""
    return tr.counted("gaps.points", abs(round(float(value), GAP_DECIMALS)), GAP_DECIMALS)


def _signed_interval(lo: float, hi: float, tr: Translator) -> str:
    return tr("skills.interval", lo=tr.signed(lo, GAP_DECIMALS), hi=tr.signed(hi, GAP_DECIMALS))


def _gain(value: float, lo: float, hi: float, tr: Translator) -> str:
    return estimate(tr, value, lo, hi, False, GAP_DECIMALS)


def sentence(row: pd.Series, tr: Translator, region_names: Mapping[str, str], period: str) -> str:
    """One gap as a sentence (a row of metrics.gaps.compute_gaps; `period` a period code)."""
    standing = row["standing"]
    if standing == "behind":  # a shortfall: its interval as sizes of the shortfall, smaller first
        gap_ci = tr("skills.interval", lo=tr.number(-row["gap_hi"], GAP_DECIMALS),
                    hi=tr.number(-row["gap_lo"], GAP_DECIMALS))
    elif standing == "ahead":
        gap_ci = tr("skills.interval", lo=tr.number(row["gap_lo"], GAP_DECIMALS),
                    hi=tr.number(row["gap_hi"], GAP_DECIMALS))
    else:
        gap_ci = _signed_interval(row["gap_lo"], row["gap_hi"], tr)
    gain_ci = tr("skills.interval", lo=tr.number(row["gain_mean_lo"], GAP_DECIMALS),
                 hi=tr.number(row["gain_mean_hi"], GAP_DECIMALS)) if not is_missing(row["gain_mean_lo"]) else "—"
    return tr(f"gaps.sentence_{standing}", region=area_name(row["area"], region_names, tr),
              period=period_label(period, tr), group=group_words(row["dimension"], row["value"], tr),
              gain=points(row["gain_mean"], tr), gain_ci=gain_ci, gap=points(row["gap"], tr), gap_ci=gap_ci,
              national=points(row["national_gain"], tr))


def sentences(found: pd.DataFrame, tr: Translator, region_names: Mapping[str, str], period: str,
              limit: int | None = SENTENCES) -> list[str]:
    """The sentences of the groups behind, surest gap first (at most `limit`)."""
    behind = left_behind(found)
    rows = behind if limit is None else behind.head(limit)
    return [sentence(r, tr, region_names, period) for _i, r in rows.iterrows()]


def summary(found: pd.DataFrame, tr: Translator, region_names: Mapping[str, str], period: str,
            region: str | None) -> str:
    """One line: how many groups of the region are behind (of those shown), or, for the whole
    country (`region` None), how many region × group cells are behind."""
    behind = int((found["standing"] == "behind").sum())
    when = period_label(period, tr)
    if region is None:
        return tr("gaps.summary_country", period=when, n=tr.number(behind)) if behind \
            else tr("gaps.summary_country_none", period=when)
    name = area_name(region, region_names, tr)
    if found.empty:
        return tr("gaps.summary_empty", region=name, period=when, k=tr.k_text())
    total = tr.counted("gaps.groups", len(found))
    if behind:
        return tr("gaps.summary_region", region=name, period=when, behind=tr.number(behind), total=total)
    return tr("gaps.summary_region_none", region=name, period=when, total=tr.number(len(found)))


def standing_label(standing: str, tr: Translator) -> str:
    """The standing in a symbol and words: `▼ gained less`."""
    return tr(f"gaps.standing_{standing}")


def gaps_table(found: pd.DataFrame, tr: Translator, region_names: Mapping[str, str]) -> pd.DataFrame:
    """The ranked list in words: region, characteristic, group, people, gain, national gain, gap
    (each with its interval) and the standing."""
    return words_table({
        tr("gaps.col_region"): [area_name(a, region_names, tr) for a in found["area"]],
        tr("gaps.col_dimension"): [tr(f"filter.{d}") for d in found["dimension"]],
        tr("gaps.col_group"): [tr.label(d, v) for d, v in zip(found["dimension"], found["value"])],
        tr("gaps.col_people"): [tr.count(n) for n in found["n_both"]],
        tr("gaps.col_gain"): [_gain(v, lo, hi, tr) for v, lo, hi in
                              zip(found["gain_mean"], found["gain_mean_lo"], found["gain_mean_hi"])],
        tr("gaps.col_national"): [_gain(v, lo, hi, tr) for v, lo, hi in
                                  zip(found["national_gain"], found["national_lo"], found["national_hi"])],
        tr("gaps.col_gap"): [tr("skills.with_ci", value=tr.signed(g, GAP_DECIMALS), ci=_signed_interval(lo, hi, tr))
                             for g, lo, hi in zip(found["gap"], found["gap_lo"], found["gap_hi"])],
        tr("gaps.col_standing"): [standing_label(s, tr) for s in found["standing"]],
    })


def chart_frame(found: pd.DataFrame, tr: Translator, region_names: Mapping[str, str],
                one_region: bool) -> pd.DataFrame:
    """Frame of charts.interval_chart: each gap with its interval, one band per region × group (the
    group only for one region), coloured by standing."""
    labels = [group_words(d, v, tr) if one_region else f"{area_name(a, region_names, tr)} · {group_words(d, v, tr)}"
              for a, d, v in zip(found["area"], found["dimension"], found["value"])]
    return pd.DataFrame({
        "label": labels, "group": [standing_label(s, tr) for s in found["standing"]],
        "estimate": found["gap"].astype("float64"), "lo": found["gap_lo"].astype("float64"),
        "hi": found["gap_hi"].astype("float64"),
        "text": [tr("skills.with_ci", value=tr.signed(g, GAP_DECIMALS), ci=_signed_interval(lo, hi, tr))
                 for g, lo, hi in zip(found["gap"], found["gap_lo"], found["gap_hi"])],
    }, columns=["label", "group", "estimate", "lo", "hi", "text"])


def notes(tr: Translator) -> list[str]:
    """How a gap is computed and which groups are listed, and why reach is not compared."""
    return [tr("gaps.method", k=tr.k_text()), tr("gaps.reach_missing")]
