"""Wording layer of the Skills page: interval frames, the distribution, who gains least, text alternatives, tables."""

from __future__ import annotations

import pandas as pd

from dashboard import stats
from dashboard.i18n import Translator
from dashboard.wording.common import estimate, is_missing, words_table


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
        return tr("skills.shares_none", k=tr.k_text())
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
        return tr("skills.shares_none", k=tr.k_text())
    if dist["share"].isna().any():
        parts.append(tr("participation.hidden_note", k=tr.k_text()))
    return " ".join(parts)
