"""Wording layer of the Overview: the headline sentence, KPI card texts, the monthly trend's table and summary."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.indicators import INDICATORS
from dashboard.i18n import Translator


def headline(counts: pd.DataFrame, f: Filters, tr: Translator, scope: str = "") -> str:
    """A press-ready sentence (or two) about the view, in the translator's language."""
    row = counts.iloc[0]
    start, end = tr.date(f.start), tr.date(f.end)
    if pd.isna(row["people"]):
        return tr("headline.too_few", k=tr.k_text())
    if row["people"] == 0:
        return tr("empty.body", start=start, end=end)
    people = tr.counted("plural.people", row["people"])
    activities = tr.counted("plural.activities", row["activities"])
    if pd.isna(row["hubs"]) or pd.isna(row["regions"]):  # a release gives no hub counts for a group
        text = tr("headline.body_group", start=start, end=end, people=people, activities=activities)
    else:
        text = tr("headline.body", start=start, end=end, people=people, activities=activities,
                  hubs=tr.counted(f"programme.{f.programme}_sites", row["hubs"]),
                  regions=tr.counted("plural.regions", row["regions"]))
    if not pd.isna(row["change_pp"]):
        change = round(float(row["change_pp"]) * 100, 1)
        key = "headline.skills_up" if change > 0 else "headline.skills_down" if change < 0 else "headline.skills_same"
        text += " " + tr(key, before=tr.percent(row["share_before"]), after=tr.percent(row["share_after"]),
                         change=tr.points_in_words(row["change_pp"]))
    if scope:
        text += " " + tr("headline.scope", scope=scope)
    return text


def kpi_text(kind: str, value: object, previous: object, change: object,
             tr: Translator) -> tuple[str, str, str | None]:
    """A key figure as written on its Overview card and in the key-figures file: the value, the
    previous period's value and the change (None when there is none).

    `kind` is the indicator's (people, count, share, change) or `before_after` for the card of
    the shares rating 7–10, whose `previous` is the share before training and `value` the share
    after. A hidden count reads "fewer than k"; a change of shares is in percentage points.
    """
    has_change = not (change is None or pd.isna(change))
    if kind == "before_after":
        both = tr("kpi.skills_value", before=tr.percent(previous), after=tr.percent(value))
        return both, tr.percent(previous), tr.points(change)
    if kind == "share":
        return tr.percent(value), tr.percent(previous), tr.points(change) if has_change else None
    if kind == "change":
        return tr.points(value) or "—", "", None
    show = tr.count if kind == "people" else tr.number
    return show(value), show(previous), tr.signed(change) if has_change else None


def kpi_card(k, tr: Translator) -> tuple[str, str, str | None, str | None, str]:
    """A KPI row of metrics.overview.compute_kpis as its card: label, value, change, the note
    under the change (what it is measured against) and the definition shown on hover."""
    value, _previous, change = kpi_text(k.kind, k.value, k.previous, k.change, tr)
    if k.kind == "before_after":
        note = tr("kpi.skills_change") if change is not None else None
        return tr("kpi.skills"), value, change, note, tr("kpi.skills_help")
    indicator = INDICATORS[k.kpi]
    note = tr("kpi.vs_previous") if change is not None else None
    return tr(indicator.label), value, change, note, tr(indicator.help)


def trend_frame(monthly: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The monthly frame with the labels a tooltip and a table show: `month_label`, `people_label`."""
    out = monthly[["month", "people", "activities"]].copy()
    out["month_label"] = [tr.month(m.date()) for m in out["month"]]
    out["people_label"] = [tr.count(v) for v in out["people"]]
    out["activities_label"] = [tr.count(v) for v in out["activities"]]
    return out


def trend_summary(monthly: pd.DataFrame, tr: Translator) -> str:
    """The text alternative of the trend chart: its peak month, and what is left out."""
    people = pd.to_numeric(monthly["people"], errors="coerce")
    if people.notna().any() and people.max() > 0:
        peak = monthly.loc[people.idxmax()]
        text = tr("chart.trend_caption", month=tr.month(peak["month"].date()), people=tr.count(peak["people"]))
    else:
        text = tr("chart.trend_caption_none")
    if monthly["people"].isna().any():
        text += " " + tr("chart.trend_hidden", k=tr.k_text())
    return text


def trend_table(monthly: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The table behind the trend chart, in words of the language (`fewer than 10` kept as text)."""
    data = trend_frame(monthly, tr)
    return pd.DataFrame({
        tr("col.month"): data["month_label"],
        tr("col.people"): data["people_label"],
        tr("col.activities"): data["activities_label"],
    })
