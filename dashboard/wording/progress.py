"""Wording layer of the Progress page: periods, statuses, the progress table, its chart frame and sentences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlencode

import pandas as pd

from dashboard.contract import TARGET_SHARES
from dashboard.filters import FROM_PARAM, LANG_PARAM, PROGRAMME_PARAM, REGION_PARAM, TO_PARAM
from dashboard.i18n import Translator
from dashboard.metrics.progress import COUNTRY, STATUSES, status_counts

# A status is read from its word and its symbol, never from its colour alone.
SYMBOLS = {"on_track": "✓", "at_risk": "!", "off_track": "✗", "suppressed": "…", "no_target": "–"}
PAGE_PATH = "progress"


def period_label(code: str, tr: Translator) -> str:
    """A period code in words: `All time`, `2024`, `Phase 2022–2023`, `Q2 2024`, `May 2024`."""
    kind, _sep, value = code.partition(":")
    if kind == "year":
        return tr("quick.year", year=value)
    if kind == "phase":
        return tr("quick.phase", phase=value)
    if kind == "quarter":
        year, quarter = value.split("-Q")
        return tr("quick.quarter", quarter=quarter, year=year)
    if kind == "month":
        return tr.month(dt.date.fromisoformat(f"{value}-01"))
    return tr("quick.all")


def status_label(status: str, tr: Translator) -> str:
    """A status as its symbol and word: `✓ on track`."""
    return f"{SYMBOLS[status]} {tr(f'progress.status_{status}')}"


def area_name(area: str, names: Mapping[str, str], tr: Translator, summed: bool = False) -> str:
    if area == COUNTRY:
        return tr("progress.national_summed" if summed else "progress.national")
    return names.get(area, area)


def region_link(area: str, lang: str, programme: str, span: tuple[dt.date, dt.date]) -> str:
    """The address of one region's progress in the period (the page's link, codes only)."""
    query = {LANG_PARAM: lang, PROGRAMME_PARAM: programme, FROM_PARAM: span[0].isoformat(),
             TO_PARAM: span[1].isoformat(), REGION_PARAM: area}
    return f"{PAGE_PATH}?{urlencode(query)}"


def _scaled(values: pd.Series, share: bool) -> pd.Series:
    """Counts as they are; shares as per cent (0..100), one decimal, so a column sorts as numbers."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    return (numbers * 100).round(1) if share else numbers


def progress_table(progress: pd.DataFrame, indicator: str, tr: Translator, names: Mapping[str, str],
                   links: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The progress of one figure per area in words: region, baseline, target, actual, per cent
    achieved and expected, status (symbol and word); with `links`, each region's address."""
    share = indicator in TARGET_SHARES
    out = pd.DataFrame({
        tr("progress.col_region"): [area_name(a, names, tr, s) for a, s in zip(progress["area"], progress["summed"])],
        tr("progress.col_baseline"): _scaled(progress["baseline"], share),
        tr("progress.col_target"): _scaled(progress["target"], share),
        tr("progress.col_actual"): _scaled(progress["actual"], share),
        tr("progress.col_achieved"): (progress["achieved"] * 100).round(1),
        tr("progress.col_expected"): (progress["expected"] * 100).round(1),
        tr("progress.col_status"): [status_label(s, tr) for s in progress["status"]],
    })
    if links is not None:
        out[tr("progress.col_link")] = [links.get(a) for a in progress["area"]]
    return out


def region_table(rows: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """One region's targets in words: figure, period, baseline, target, actual, per cent, status, source.

    `rows` has indicator, period and the compute_progress columns of the region, plus source.
    """
    share = rows["indicator"].isin(TARGET_SHARES).to_numpy()

    def scale(column: str) -> pd.Series:
        numbers = pd.to_numeric(rows[column], errors="coerce").astype("float64").reset_index(drop=True)
        return numbers.where(~share, (numbers * 100).round(1))

    rows = rows.reset_index(drop=True)
    return pd.DataFrame({
        tr("progress.col_indicator"): [tr(f"indicator.{i}") for i in rows["indicator"]],
        tr("progress.col_period"): [period_label(p, tr) for p in rows["period"]],
        tr("progress.col_baseline"): scale("baseline"),
        tr("progress.col_target"): scale("target"),
        tr("progress.col_actual"): scale("actual"),
        tr("progress.col_achieved"): (rows["achieved"] * 100).round(1),
        tr("progress.col_expected"): (rows["expected"] * 100).round(1),
        tr("progress.col_status"): [status_label(s, tr) for s in rows["status"]],
        tr("progress.col_source"): source_words(rows, tr),
    })


def source_words(rows: pd.DataFrame, tr: Translator) -> list[str]:
    """Who set each target; for the whole country's count without a target of its own, that it is
    the sum of the regions' targets."""
    return [tr("progress.source_summed") if summed else ("" if pd.isna(source) else str(source))
            for source, summed in zip(rows["source"], rows["summed"])]


def chart_frame(progress: pd.DataFrame, tr: Translator, names: Mapping[str, str]) -> pd.DataFrame:
    """Rows of the progress chart of every area (charts.progress.progress_chart): label, achieved and
    expected (per cent), status code and word, and the bar's text (per cent and word: the chart
    draws the symbol); areas without a per cent (no target, hidden actual) are left out."""
    labels = [area_name(a, names, tr, s) for a, s in zip(progress["area"], progress["summed"])]
    return _chart_rows(progress, labels, tr)


def national_rows(progress: pd.DataFrame) -> int:
    """How many rows of chart_frame(progress) are the whole country's (0 or 1): drawn on top."""
    return int(((progress["area"] == COUNTRY) & progress["achieved"].notna()).any())


def region_chart_frame(rows: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Rows of the chart of one region's targets: as chart_frame, one bar per figure and period
    (`rows` as for region_table)."""
    labels = [f"{tr(f'indicator.{i}')}, {period_label(p, tr)}" for i, p in zip(rows["indicator"], rows["period"])]
    return _chart_rows(rows, labels, tr)


def _chart_rows(progress: pd.DataFrame, labels: list[str], tr: Translator) -> pd.DataFrame:
    shown = progress["achieved"].notna().to_numpy()
    kept = progress[shown]
    return pd.DataFrame({
        "label": [label for label, keep in zip(labels, shown) if keep],
        "achieved": (kept["achieved"] * 100).round(1).tolist(),
        "expected": (kept["expected"] * 100).round(1).tolist(),
        "status": kept["status"].tolist(),
        "status_word": [tr(f"progress.status_{s}") for s in kept["status"]],
        "text": [f"{tr.percent(a)} {tr(f'progress.status_{s}')}" for a, s in zip(kept["achieved"], kept["status"])],
    })


def status_words(tr: Translator) -> dict[str, str]:
    """Each status code's word, in STATUSES order, for the chart's legend (which draws the symbol)."""
    return {s: tr(f"progress.status_{s}") for s in STATUSES}


def _value(value: object, share: bool, tr: Translator) -> str:
    if value is None or pd.isna(value):
        return tr.fewer_than() if not share else "—"
    return tr.percent(float(value)) if share else tr.number(float(value))


def summary(progress: pd.DataFrame, indicator: str, period: str, tr: Translator,
            data_date: dt.date | None) -> str:
    """Two sentences: regions by status, and the whole country's actual against its target."""
    counts = status_counts(progress)
    regions = int((progress["area"] != COUNTRY).sum())
    text = tr("progress.summary", period=period_label(period, tr), indicator=tr(f"indicator.{indicator}"),
              regions=tr.number(regions), **{s: tr.number(counts[s]) for s in ("on_track", "at_risk", "off_track")})
    national = progress[progress["area"] == COUNTRY]
    if national.empty or pd.isna(national.iloc[0]["achieved"]):
        return f"{text} {tr('progress.summary_national_hidden')}"
    row, share = national.iloc[0], indicator in TARGET_SHARES
    return f"{text} " + tr("progress.summary_national", actual=_value(row["actual"], share, tr),
                           target=_value(row["target"], share, tr), achieved=tr.percent(row["achieved"]),
                           expected=tr.percent(row["expected"]),
                           date=tr.date(data_date) if data_date else "—")


def rule_note(expected: float | None, data_date: dt.date | None, tr: Translator, at_risk_from: float) -> str:
    """How a status is decided: the share of the target due by the data date (`expected`; None for
    a table of several periods, which has it in a column) and the at-risk cut-off (a share)."""
    due = tr("progress.rule_share", share=tr.percent(expected)) if expected is not None \
        else tr("progress.rule_share_rows", column=tr("progress.col_expected"))
    return tr("progress.rule", date=tr.date(data_date) if data_date else "—", expected=due,
              cutoff=tr.percent(at_risk_from, 0), before=tr("progress.before_period"))


def card_lines(progress: pd.DataFrame, indicator: str, period: str, tr: Translator, area: str = COUNTRY) -> list[str]:
    """The Overview card: the progress of `area` (a region, or the whole country) on `indicator`
    and, for the whole country, the regions by status."""
    mine = progress[progress["area"] == area]
    share = indicator in TARGET_SHARES
    lines = []
    if not mine.empty and not pd.isna(mine.iloc[0]["target"]):
        row = mine.iloc[0]
        words = {"indicator": tr(f"indicator.{indicator}"), "period": period_label(period, tr),
                 "target": _value(row["target"], share, tr), "status": status_label(row["status"], tr)}
        if pd.isna(row["actual"]):  # a hidden actual: no per cent is derived from it
            lines.append(tr("progress.card_line_hidden", **words))
        else:
            lines.append(tr("progress.card_line", actual=_value(row["actual"], share, tr),
                            achieved=tr.percent(row["achieved"]), **words))
    counts = status_counts(progress)
    if area == COUNTRY and sum(counts[s] for s in ("on_track", "at_risk", "off_track")):
        lines.append(tr("progress.card_regions",
                        **{s: tr.number(counts[s]) for s in ("on_track", "at_risk", "off_track")}))
    return lines
