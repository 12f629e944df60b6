"""Wording layer of the participation and skills pages: chart frames with labels, text alternatives, tables.

Pure functions from protected metric frames to what a reader sees, in the Translator's
language: every count of people through `tr.count` (so a suppressed one reads "fewer than k"),
every share through `tr.percent`, intervals as "a – b".
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard import stats
from dashboard.i18n import Translator
from dashboard.metrics_analytics import CASCADE_RATIOS, CASCADE_STAGES
from dashboard.privacy import threshold

# Vocabulary of each breakdown's labels in the catalogue (participation.topic.*, format.*).
LABELS = {"topic": "participation.topic", "format": "participation.format", "age": "age", "gender": "gender",
          "settlement": "settlement", "employment": "employment", "disability": "disability",
          "displaced": "displaced"}


def is_missing(value: object) -> bool:
    """True for a hidden or unknown figure (None, NaN, pandas NA)."""
    return value is None or bool(pd.isna(value))


def label_of(dimension: str, value: str, tr: Translator, region_names: Mapping[str, str]) -> str:
    """The words for one value of a breakdown: a region's name, a vocabulary word, or the text itself."""
    if dimension == "region":
        return region_names.get(value, value)
    if dimension in LABELS:
        return tr.label_or_code(LABELS[dimension], value)
    return str(value)


def interval(tr: Translator, lo: float, hi: float, percent: bool = True, digits: int = 1) -> str:
    """A 95% interval in words: `12.0% – 15.3%`; `—` when hidden or unknown."""
    if is_missing(lo) or is_missing(hi):
        return "—"
    if percent:
        return tr("skills.interval", lo=tr.percent(lo, digits), hi=tr.percent(hi, digits))
    return tr("skills.interval", lo=tr.number(lo, digits), hi=tr.number(hi, digits))


def estimate(tr: Translator, value: float, lo: float, hi: float, percent: bool = True, digits: int = 1) -> str:
    """An estimate with its interval: `16.9% (95% CI 16.7% – 17.3%)`; `—` when hidden."""
    if is_missing(value):
        return "—"
    shown = tr.percent(value, digits) if percent else tr.number(value, digits)
    if is_missing(lo):
        return shown
    return tr("skills.with_ci", value=shown, ci=interval(tr, lo, hi, percent, digits))


def words_table(columns: Mapping[str, list]) -> pd.DataFrame:
    """A table in words: translated headers -> formatted values."""
    return pd.DataFrame(dict(columns))


# ---- participation --------------------------------------------------------------------------

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
        text += " " + tr("participation.hidden_months", k=tr.number(threshold()))
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


def breakdown_bars(frame: pd.DataFrame, dimension: str, tr: Translator, region_names: Mapping[str, str],
                   value: str = "people") -> pd.DataFrame:
    """Frame of charts.ranked_bar_chart from metrics_analytics.compute_breakdown."""
    values = frame[value]
    texts = [tr.number(v, 1) if value == "per_100k" else tr.count(v) for v in values]
    if value == "per_100k":
        texts = [t if not is_missing(v) else "—" for t, v in zip(texts, values)]
    return pd.DataFrame({"label": [label_of(dimension, v, tr, region_names) for v in frame["value"]],
                         "value": values, "value_text": texts})


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
        text += " " + tr("participation.hidden_note", k=tr.number(threshold()))
    return text


def breakdown_table(frame: pd.DataFrame, dimension: str, tr: Translator, region_names: Mapping[str, str]) -> pd.DataFrame:
    """The table behind a breakdown: value, people, activities, hubs (and per 100,000 for regions)."""
    columns = {tr(f"participation.dim_{dimension}"): [label_of(dimension, v, tr, region_names) for v in frame["value"]],
               tr("col.people"): [tr.count(v) for v in frame["people"]],
               tr("col.activities"): [tr.count(v) for v in frame["activities"]],
               tr("participation.col_hubs"): [tr.number(v) for v in frame["hubs"]]}
    if "per_100k" in frame.columns:
        columns[tr("participation.col_per_100k")] = [tr.number(v, 1) for v in frame["per_100k"]]
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


# ---- skills ---------------------------------------------------------------------------------

def distribution_bars(dist: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Frame of charts.grouped_bar_chart: share of raters per score, before and after."""
    return pd.DataFrame({"x": [str(s) for s in dist["score"]],
                         "group": [tr(f"skills.stage_{s}") for s in dist["stage"]],
                         "value": dist["share"],
                         "value_text": [f"{tr.percent(s)} ({tr.count(p)})" if not is_missing(s) else tr.count(p)
                                        for s, p in zip(dist["share"], dist["people"])]})


def distribution_table(dist: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The table behind the distribution: score, people and share before, people and share after."""
    wide = {stage: dist[dist["stage"] == stage].set_index("score") for stage in ("pre", "post")}
    scores = list(wide["pre"].index)
    columns = {tr("skills.col_score"): [str(s) for s in scores]}
    for stage in ("pre", "post"):
        columns[tr(f"skills.col_people_{stage}")] = [tr.count(wide[stage].loc[s, "people"]) for s in scores]
        columns[tr(f"skills.col_share_{stage}")] = [tr.percent(wide[stage].loc[s, "share"]) for s in scores]
    return words_table(columns)


SHARES = (("high", "skills.band_high"), ("low", "skills.band_low"))


def shares_frame(ratings: pd.DataFrame, tr: Translator, row: int = 0) -> pd.DataFrame:
    """Frame of charts.interval_chart: shares 7–10 and 1–4, before and after, with Wilson intervals."""
    r = ratings.iloc[row]
    out = []
    for band, key in SHARES:
        for stage in ("pre", "post"):
            name = f"{stage}_{band}_share"
            out.append({"label": tr(key), "group": tr(f"skills.stage_{stage}"), "estimate": r[name],
                        "lo": r[f"{name}_lo"], "hi": r[f"{name}_hi"],
                        "text": estimate(tr, r[name], r[f"{name}_lo"], r[f"{name}_hi"])})
    return pd.DataFrame(out)


def segment_frame(ratings: pd.DataFrame, segment: str, measure: str, tr: Translator) -> pd.DataFrame:
    """Frame of charts.interval_chart by segment value. `measure` "gain": mean gain (points) with
    its t interval; "high": share 7–10 before and after with Wilson intervals."""
    out = []
    for r in ratings.itertuples(index=False):
        label = tr.label(segment, r.value)
        if measure == "gain":
            out.append({"label": label, "group": tr("skills.gain"), "estimate": r.gain_mean, "lo": r.gain_mean_lo,
                        "hi": r.gain_mean_hi, "text": estimate(tr, r.gain_mean, r.gain_mean_lo, r.gain_mean_hi, False, 2)})
            continue
        for stage in ("pre", "post"):
            name = f"{stage}_high_share"
            value, lo, hi = getattr(r, name), getattr(r, f"{name}_lo"), getattr(r, f"{name}_hi")
            out.append({"label": label, "group": tr(f"skills.stage_{stage}"), "estimate": value, "lo": lo, "hi": hi,
                        "text": estimate(tr, value, lo, hi)})
    return pd.DataFrame(out, columns=["label", "group", "estimate", "lo", "hi", "text"])


def ratings_table(ratings: pd.DataFrame, segment: str | None, tr: Translator) -> pd.DataFrame:
    """Every self-rating figure per segment value (or the whole view), intervals in words."""
    labels = [tr.label(segment, v) for v in ratings["value"]] if segment else [tr("skills.everyone")] * len(ratings)
    columns = {tr(f"filter.{segment}") if segment else tr("skills.col_group"): labels,
               tr("skills.col_n_pre"): [tr.count(v) for v in ratings["n_pre"]]}
    for stage in ("pre", "post"):
        if stage == "post":
            columns[tr("skills.col_n_post")] = [tr.count(v) for v in ratings["n_post"]]
        for band, _key in SHARES:
            name = f"{stage}_{band}_share"
            columns[tr(f"skills.col_{name}")] = [estimate(tr, v, lo, hi) for v, lo, hi in
                                                zip(ratings[name], ratings[f"{name}_lo"], ratings[f"{name}_hi"])]
    columns[tr("skills.col_n_both")] = [tr.count(v) for v in ratings["n_both"]]
    columns[tr("skills.col_completion")] = [estimate(tr, v, lo, hi) for v, lo, hi in
                                            zip(ratings["completion"], ratings["completion_lo"], ratings["completion_hi"])]
    columns[tr("skills.col_gain")] = [estimate(tr, v, lo, hi, False, 2) for v, lo, hi in
                                      zip(ratings["gain_mean"], ratings["gain_mean_lo"], ratings["gain_mean_hi"])]
    return words_table(columns)


def least_gain(ratings: pd.DataFrame, segment: str, tr: Translator) -> str:
    """Who gains least, in words: the value with the smallest mean gain, and whether its interval
    overlaps the largest gain's (then the difference may be noise)."""
    # "Not stated" is a gap in the records, not a group of people: it is charted, not ranked.
    shown = ratings[(ratings["value"] != "unknown") & pd.to_numeric(ratings["gain_mean"], errors="coerce").notna()]
    if len(shown) < 2:
        return tr("skills.least_none")
    low = shown.loc[pd.to_numeric(shown["gain_mean"]).idxmin()]
    high = shown.loc[pd.to_numeric(shown["gain_mean"]).idxmax()]
    overlap = stats.overlap(low["gain_mean_lo"], low["gain_mean_hi"], high["gain_mean_lo"], high["gain_mean_hi"])
    key = "skills.least_noise" if overlap in (True, None) else "skills.least_real"
    return tr(key, low=tr.label(segment, low["value"]), low_gain=estimate(tr, low["gain_mean"], low["gain_mean_lo"],
                                                                         low["gain_mean_hi"], False, 2),
              high=tr.label(segment, high["value"]),
              high_gain=estimate(tr, high["gain_mean"], high["gain_mean_lo"], high["gain_mean_hi"], False, 2))


def digigram_frame(digigram: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Frame of charts.interval_chart: mean Digigram score per area, before and after (percent 0–100)."""
    return pd.DataFrame({"label": [tr(f"skills.area_{a}") for a in digigram["area"]],
                         "group": [tr(f"skills.stage_{s}") for s in digigram["stage"]],
                         "estimate": digigram["mean"], "lo": digigram["mean_lo"], "hi": digigram["mean_hi"],
                         "text": [estimate(tr, m, lo, hi, False, 1) for m, lo, hi in
                                  zip(digigram["mean"], digigram["mean_lo"], digigram["mean_hi"])]})


def digigram_table(digigram: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The table behind the Digigram chart: area, stage, people tested, mean with interval."""
    return words_table({tr("skills.col_area"): [tr(f"skills.area_{a}") for a in digigram["area"]],
                        tr("skills.col_stage"): [tr(f"skills.stage_{s}") for s in digigram["stage"]],
                        tr("skills.col_tested"): [tr.count(v) for v in digigram["people"]],
                        tr("skills.col_mean"): [estimate(tr, m, lo, hi, False, 1) for m, lo, hi in
                                                zip(digigram["mean"], digigram["mean_lo"], digigram["mean_hi"])]})


def shares_summary(ratings: pd.DataFrame, tr: Translator) -> str:
    """Text alternative of the before → after shares: both bands with intervals, and who has both ratings."""
    r = ratings.iloc[0]
    if is_missing(r["pre_high_share"]) and is_missing(r["post_high_share"]):
        return tr("skills.shares_none", k=tr.number(threshold()))
    return tr("skills.shares_caption",
              high_pre=estimate(tr, r["pre_high_share"], r["pre_high_share_lo"], r["pre_high_share_hi"]),
              high_post=estimate(tr, r["post_high_share"], r["post_high_share_lo"], r["post_high_share_hi"]),
              low_pre=estimate(tr, r["pre_low_share"], r["pre_low_share_lo"], r["pre_low_share_hi"]),
              low_post=estimate(tr, r["post_low_share"], r["post_low_share_lo"], r["post_low_share_hi"]),
              n_pre=tr.count(r["n_pre"]), n_post=tr.count(r["n_post"]))


def distribution_summary(dist: pd.DataFrame, tr: Translator) -> str:
    """Text alternative of the distribution: the most common score before and after."""
    parts = []
    for stage in ("pre", "post"):
        rows = dist[dist["stage"] == stage]
        share = pd.to_numeric(rows["share"], errors="coerce")
        if share.notna().any():
            top = rows.loc[share.idxmax()]
            parts.append(tr(f"skills.mode_{stage}", score=str(top["score"]), share=tr.percent(top["share"])))
    if not parts:
        return tr("skills.shares_none", k=tr.number(threshold()))
    if dist["share"].isna().any():
        parts.append(tr("participation.hidden_note", k=tr.number(threshold())))
    return " ".join(parts)
