"""Wording layer of the Participation page: chart frames with labels, text alternatives, tables."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.i18n import Translator
from dashboard.indicators import INDICATORS
from dashboard.metrics.participation import CASCADE_RATIOS, CASCADE_STAGES
from dashboard.wording.common import is_missing, label_of, words_table


def monthly_series(monthly: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Frame of charts.series_chart from metrics.compute_monthly: people (bars) and activities."""
    rows = []
    for r in monthly.itertuples(index=False):
        for column, key in (("people", "participation.series_people"), ("activities", "participation.series_activities")):
            value = getattr(r, column)
            rows.append({"x": r.month, "series": tr(key), "value": value, "text": tr.count(value),
                         "x_label": tr.month(r.month.date())})
    return pd.DataFrame(rows, columns=["x", "series", "value", "text", "x_label"])


def cumulative_frame(cumulative: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Frame of charts.cumulative_chart from metrics_analytics.compute_cumulative."""
    return pd.DataFrame({"month": cumulative["month"], "value": cumulative["people_total"],
                         "month_label": [tr.month(m.date()) for m in cumulative["month"]],
                         "text": [tr.count(v) for v in cumulative["people_total"]]})


def cumulative_summary(cumulative: pd.DataFrame, tr: Translator, target: Mapping | None) -> str:
    """Text alternative of the running total: where it ends, and against the target if there is one."""
    last = cumulative.iloc[-1] if len(cumulative) else None
    if last is None:
        return tr("participation.cumulative_none")
    text = tr("participation.cumulative_caption", month=tr.month(last["month"].date()), people=tr.count(last["people_total"]))
    if cumulative["people_total"].isna().any():
        text += " " + tr("participation.hidden_months", k=tr.k_text())
    if target:
        reached = last["people_total"]
        share = None if is_missing(reached) else float(reached) / float(target["target"])
        text += " " + tr("participation.target_caption", target=tr.number(target["target"]),
                         by=tr.date(target["by"]) if target.get("by") else "—", share=tr.percent(share),
                         source=target.get("source") or "—")
    return text


def cumulative_table(cumulative: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The table behind the running total: month, new people, people so far."""
    return words_table({tr("col.month"): [tr.month(m.date()) for m in cumulative["month"]],
                        tr("participation.col_new"): [tr.count(v) for v in cumulative["new_people"]],
                        tr("participation.col_total"): [tr.count(v) for v in cumulative["people_total"]]})


def breakdown_bars(frame: pd.DataFrame, dimension: str, tr: Translator, region_names: Mapping[str, str]) -> pd.DataFrame:
    """Frame of charts.ranked_bar_chart from metrics_analytics.compute_breakdown: people per value."""
    return pd.DataFrame({"label": [label_of(dimension, v, tr, region_names) for v in frame["value"]],
                         "value": frame["people"], "value_text": [tr.count(v) for v in frame["people"]]})


def breakdown_summary(frame: pd.DataFrame, dimension: str, tr: Translator, region_names: Mapping[str, str]) -> str:
    """Text alternative of a breakdown: the largest value and the smallest one that can be shown."""
    people = pd.to_numeric(frame["people"], errors="coerce").astype("float64")
    if not people.notna().any() or people.max() <= 0:
        return tr("participation.breakdown_none")
    top = frame.loc[people.idxmax()]
    reached = people[people > 0]  # a value nobody chose is not "the fewest"
    if len(reached) > 1:
        low = frame.loc[reached.idxmin()]
        text = tr("participation.breakdown_caption", top=label_of(dimension, top["value"], tr, region_names),
                  top_people=tr.count(top["people"]), low=label_of(dimension, low["value"], tr, region_names),
                  low_people=tr.count(low["people"]))
    else:
        text = tr("participation.breakdown_only", top=label_of(dimension, top["value"], tr, region_names),
                  top_people=tr.count(top["people"]))
    if people.isna().any():
        text += " " + tr("participation.hidden_note", k=tr.k_text())
    return text


def courses_more(shown: int, total: int, tr: Translator) -> str:
    """How many course titles are listed of how many: `The 30 largest of 41 course titles are listed.`"""
    return tr.plural("participation.courses_more", total, shown=tr.number(shown))


def breakdown_table(frame: pd.DataFrame, dimension: str, tr: Translator, region_names: Mapping[str, str]) -> pd.DataFrame:
    """The table behind a breakdown: value, people, activities, hubs (and people per 10,000 residents
    for regions)."""
    columns = {tr(f"participation.dim_{dimension}"): [label_of(dimension, v, tr, region_names) for v in frame["value"]],
               tr("col.people"): [tr.count(v) for v in frame["people"]],
               tr("col.activities"): [tr.count(v) for v in frame["activities"]],
               tr("participation.col_hubs"): [tr.number(v) for v in frame["hubs"]]}
    if "people_per_10k" in frame.columns:
        rate = INDICATORS["people_per_10k"]
        columns[tr(rate.label)] = [tr.number(v, rate.decimals) for v in frame["people_per_10k"]]
    return words_table(columns)


def funnel_frame(funnel: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Frame of charts.funnel_chart from metrics_analytics.funnel: stage words and "n (× r)" labels."""
    texts = []
    for stage, value, ratio in zip(funnel["stage"], funnel["value"], funnel["ratio"]):
        if stage == "national_trainers":
            texts.append(tr("participation.not_recorded"))
            continue
        count = tr.count(value) if stage in ("trainers", "coordinators", "people") else tr.number(value)
        texts.append(count if is_missing(ratio) else tr("participation.stage_ratio", value=count, ratio=tr.number(ratio, 1)))
    return pd.DataFrame({"label": [tr(f"participation.stage_{s}") for s in funnel["stage"]],
                         "value": funnel["value"], "text": texts})


def ratio_frame(funnel: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Frame of charts.funnel_chart from metrics.participation.funnel: one row per step of the
    cascade (coordinators per trainer, hubs per coordinator, people per hub), its ratio, and the
    ratio in words with the two counts it is built on (`× 15.9: 1,856 from 117`)."""
    values = dict(zip(funnel["stage"], funnel["value"]))
    ratios = dict(zip(funnel["stage"], funnel["ratio"]))
    rows = []
    for ratio, (stage, above) in CASCADE_RATIOS.items():
        counts = [tr.count(values[s]) if s in ("trainers", "coordinators", "people") else tr.number(values[s])
                  for s in (stage, above)]
        shown = not is_missing(ratios[stage])
        ratio_text = tr.number(ratios[stage], 1) if shown else tr("participation.ratio_hidden")
        rows.append({"label": tr(f"participation.{ratio}"), "value": ratios[stage] if shown else pd.NA,
                     "text": tr("participation.step_text", ratio=ratio_text, value=counts[0], above=counts[1])})
    return pd.DataFrame(rows, columns=["label", "value", "text"])


def funnel_summary(funnel: pd.DataFrame, tr: Translator) -> str:
    """Text alternative of the funnel: each stage in words, and where it thins out most."""
    parts = funnel_frame(funnel, tr)
    text = "; ".join(f"{label}: {t}" for label, t in zip(parts["label"], parts["text"])) + "."
    step = funnel.iloc[2:].dropna(subset=["ratio"])  # stages below the coordinators
    step = step[step["stage"] == "hubs"]
    if len(step) and float(step.iloc[0]["ratio"]) < 1:
        text += " " + tr("participation.thin_hubs", ratio=tr.number(step.iloc[0]["ratio"], 2))
    return text


def cascade_table(cascade: pd.DataFrame, phase: str | None, tr: Translator, region_names: Mapping[str, str]) -> pd.DataFrame:
    """The cascade per region for one phase (None = all), thinnest link (active hubs per trained
    coordinator) first; the all-regions row last."""
    rows = cascade[cascade["phase"].isna() if phase is None else cascade["phase"] == phase].copy()
    rows["_total"] = rows["region_code"].isna()
    rows["_order"] = pd.to_numeric(rows["hubs_per_coordinator"], errors="coerce").fillna(float("inf"))
    rows = rows.sort_values(["_total", "_order", "region_code"])
    columns = {tr("participation.dim_region"): [tr("participation.all_regions") if is_missing(c) else region_names.get(c, c)
                                                 for c in rows["region_code"]]}
    for stage in CASCADE_STAGES[1:]:
        people = stage in ("trainers", "coordinators", "people")
        columns[tr(f"participation.stage_{stage}")] = [tr.count(v) if people else tr.number(v) for v in rows[stage]]
    for ratio in CASCADE_RATIOS:
        columns[tr(f"participation.{ratio}")] = [tr.number(v, 1) for v in rows[ratio]]
    return words_table(columns)
