"""Metric layer of the Skills page: shares 7–10 and 1–4, gains, the distribution and Digigram scores, protected."""

from __future__ import annotations

import pandas as pd

from dashboard import contract, stats
from dashboard.filters import SEGMENTS, Filters
from dashboard.privacy import Rule, keys_of, protect, protect_with_intervals
from dashboard.query import skills as queries
from dashboard.store.database import Database

# Self-rating counts of load_rating_summary, and the shares built on them: share -> (part, whole).
RATING_COUNTS = ("n_pre", "pre_high", "pre_low", "n_post", "post_high", "post_low", "n_both")
RATING_SHARES = {
    "pre_high_share": ("pre_high", "n_pre"), "pre_low_share": ("pre_low", "n_pre"),
    "post_high_share": ("post_high", "n_post"), "post_low_share": ("post_low", "n_post"),
    "completion": ("n_both", "n_pre"),
}
RATING_MEANS = {"pre_mean": ("n_pre",), "post_mean": ("n_post",), "gain_mean": ("n_both",)}
SCORES = tuple(range(1, 11))


def compute_ratings(db: Database, f: Filters, rule: Rule, segment: str | None = None) -> pd.DataFrame:
    """Self-rating figures of the view, per value of `segment` (query-string name) or one `all` row.

    Protected counts RATING_COUNTS; shares RATING_SHARES (0..1) each with a 95% Wilson interval
    (`_lo`, `_hi`); means pre_mean, post_mean and gain_mean (post − pre of people with both, with a
    95% t interval); completion = n_both / n_pre. Rates hide where a count they rest on is hidden.
    """
    values = list(SEGMENTS[segment][1]) if segment else ["all"]
    found = pd.DataFrame({"value": values}).merge(queries.load_rating_summary(db, f, segment), on="value", how="left")
    for column in RATING_COUNTS:
        found[column] = found[column].fillna(0).astype("int64")
        found[f"{column}_key"] = found[f"{column}_key"].fillna(0).astype("int64")
    for column in ("pre_mean", "post_mean", "gain_mean", "gain_sd"):
        found[column] = pd.to_numeric(found[column], errors="coerce").astype("float64")
    for name, (part, whole) in RATING_SHARES.items():
        found = stats.add_share(found, name, part, whole)
    found = stats.add_mean_ci(found, "gain_mean", "n_both", "gain_sd")
    rates = {name: list(pair) for name, pair in RATING_SHARES.items()}
    rates |= {name: list(bases) for name, bases in RATING_MEANS.items()}
    rates["gain_sd"] = ["n_both"]
    return protect_with_intervals(found, RATING_COUNTS, rates, rule)


def compute_distribution(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """People per stage (`pre`, `post`) and self-rating 1–10, with `share` of the stage's raters
    (hidden where the score's count or the stage's total is suppressed); every score listed.
    """
    found = queries.load_rating_distribution(db, f)
    grid = pd.MultiIndex.from_product([list(contract.STAGES), list(SCORES)], names=["stage", "score"]).to_frame(index=False)
    frame = grid.merge(found, on=["stage", "score"], how="left").fillna({"people": 0, "people_key": 0})
    frame = frame.astype({"people": "int64", "people_key": "int64"})
    totals = frame.groupby("stage").agg(raters=("people", "sum"), raters_key=("people_key", stats.combine_keys))
    frame = frame.merge(totals, on="stage")
    frame["share"] = stats.share(frame["people"], frame["raters"])
    return protect(frame, ["people", "raters"], rule, rates={"share": ["people", "raters"]},
                   keys=keys_of(["people", "raters"]))


def compute_digigram(db: Database, f: Filters, rule: Rule) -> pd.DataFrame:
    """Digigram scores per area and stage: `people` tested (protected) and `mean` (percent) with
    its 95% t interval, hidden where `people` is suppressed; every area and stage listed.
    """
    found = queries.load_digigram(db, f)
    grid = pd.MultiIndex.from_product([list(contract.AREAS), list(contract.STAGES)], names=["area", "stage"]).to_frame(index=False)
    frame = grid.merge(found, on=["area", "stage"], how="left").fillna({"people": 0, "people_key": 0})
    frame = frame.astype({"people": "int64", "people_key": "int64", "mean": "float64", "sd": "float64"})
    frame = stats.add_mean_ci(frame, "mean", "people", "sd")
    return protect_with_intervals(frame, ["people"], {"mean": ["people"], "sd": ["people"]}, rule)
