"""Export layer: the analytics pages' charts as exportable figures (people by region, skill shares).

Each figure reuses the page's own metric (metrics_analytics), chart frame (text_analytics) and
builder (charts), so a file shows what the page shows; the table written to CSV and XLSX holds
the numbers the chart draws, as numbers.
"""

from __future__ import annotations

import pandas as pd

from dashboard import charts, query
from dashboard.export.regions import region_names
from dashboard.filters import Filters
from dashboard.i18n import Translator

try:  # the Participation and Skills pages' layers; the registry leaves these figures out without them
    from dashboard import metrics_analytics as ma
    from dashboard import query_analytics as qa
    from dashboard import text_analytics as ta
except ImportError:  # pragma: no cover - only on a tree without the analytics pages
    ma = qa = ta = None

# True when the analytics layers and the builders used here are in the tree.
AVAILABLE = ma is not None and all(hasattr(charts, b) for b in ("ranked_bar_chart", "interval_chart"))
# Columns of compute_ratings that the skill-share chart draws (estimate, then its 95% interval).
SHARE_BASES = ("n_pre", "n_post")


def compute_by_region(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """People trained per region of the view, protected (metrics_analytics.compute_breakdown)."""
    return ma.compute_breakdown(db, f, "region", k=k, regions=qa.load_regions_reference(db))


def by_region_chart(frame: pd.DataFrame, tr: Translator):
    """Ranked bars of people trained per region (the Participation page's chart)."""
    bars = ta.breakdown_bars(frame, "region", tr, region_names(tr.lang), "people")
    return charts.ranked_bar_chart(bars, tr, None, tr("col.people"))


def by_region_table(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Region code and name, and people trained (or "fewer than k")."""
    names = region_names(tr.lang)
    return pd.DataFrame({
        "ISO 3166-2": frame["value"], tr("export.col_region"): [names.get(c, c) for c in frame["value"]],
        tr("col.people"): [tr.count(None) if pd.isna(v) else int(v) for v in frame["people"]],
    }, dtype=object)


def compute_ratings(db: query.Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """Self-rating figures of everyone in the view, protected (metrics_analytics.compute_ratings)."""
    return ma.compute_ratings(db, f, None, k=k)


def shares_chart(frame: pd.DataFrame, tr: Translator):
    """Shares rating 7–10 and 1–4 before and after training, with 95% intervals (Skills page)."""
    return charts.interval_chart(ta.shares_frame(frame, tr), tr, None, tr("skills.share_x"),
                                 tr("export.col_indicator"), tr("export.col_stage"))


def shares_table(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Each share as drawn: what, when, the share and its 95% interval, in percent (one decimal)."""
    data = ta.shares_frame(frame, tr)

    def pct(values: pd.Series) -> list:
        return [None if pd.isna(v) else round(float(v) * 100, 1) for v in values]

    return pd.DataFrame({
        tr("export.col_indicator"): data["label"], tr("export.col_stage"): data["group"],
        tr("export.col_share"): pct(data["estimate"]), tr("export.col_lo"): pct(data["lo"]),
        tr("export.col_hi"): pct(data["hi"]),
    }, dtype=object)
