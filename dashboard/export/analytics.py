"""Export layer: the analytics pages' charts as exportable figures (people by region, skill shares).

Each figure reuses the page's own metric, chart frame (wording) and builder (charts), so a file
shows what the page shows, the national survey's line beside the skill shares included; the
table written to CSV and XLSX holds the numbers the chart draws, as numbers.
"""

from __future__ import annotations

import pandas as pd

from dashboard import charts
from dashboard.export.view import Source, View
from dashboard.filters import Filters
from dashboard.indicators import INDICATORS
from dashboard.query import annotations
from dashboard.wording import participation as participation_wording
from dashboard.wording import skills as skills_wording
from dashboard.wording.annotations import survey_frame, survey_sentence

# Columns of compute_ratings that the skill-share chart draws (estimate, then its 95% interval).
SHARE_BASES = ("n_pre", "n_post")


def compute_by_region(src: Source, f: Filters) -> pd.DataFrame:
    """People trained per region of the view, protected (the source's breakdown by region)."""
    return src.breakdown(f, "region")


def by_region_chart(frame: pd.DataFrame, view: View):
    """Ranked bars of people trained per region (the Participation page's chart)."""
    tr = view.tr
    bars = participation_wording.breakdown_bars(frame, "region", tr, view.region_names)
    return charts.ranked_bar_chart(bars, tr, value_title=tr("col.people"))


def by_region_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """Region code and name, people trained (or "fewer than k") and people trained per 10,000
    residents, rounded as shown (empty where the count is hidden or the population unknown)."""
    tr, names, rate = view.tr, view.region_names, INDICATORS["people_per_10k"]
    return pd.DataFrame({
        "ISO 3166-2": frame["value"], tr("export.col_region"): [names.get(c, c) for c in frame["value"]],
        tr("col.people"): [tr.fewer_than() if pd.isna(v) else int(v) for v in frame["people"]],
        tr(rate.label): [None if pd.isna(v) else round(float(v), rate.decimals) for v in frame[rate.key]],
    }, dtype=object)


def compute_ratings(src: Source, f: Filters) -> pd.DataFrame:
    """Self-rating figures of everyone in the view, protected (the source's ratings)."""
    return src.ratings(f)


def survey_wave(view: View) -> dict | None:
    """The national survey wave drawn beside the view's skill shares (None outside Ukraine, or when
    its file is broken: that is logged, and the file goes without it, as the page does)."""
    return annotations.survey_point(view.filters.programme, view.filters.end)[0]


def shares_chart(frame: pd.DataFrame, view: View):
    """Shares rating 7–10 and 1–4 before and after training, with 95% intervals (Skills page), and
    the national survey's share of adults with basic or higher digital skills as a dashed line."""
    tr, point = view.tr, survey_wave(view)
    return charts.interval_chart(skills_wording.shares_frame(frame, tr), tr, x_title=tr("skills.share_x"),
                                 label_title=tr("export.col_indicator"), group_title=tr("export.col_stage"),
                                 reference=survey_frame(point, tr) if point else None)


def shares_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """The survey line in words (what it measured, for whom, when, from where), when there is one."""
    point = survey_wave(view)
    return [survey_sentence(point, view.tr)] if point else []


def shares_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """Each share as drawn: what, when, the share and its 95% interval, in percent (one decimal)."""
    tr = view.tr
    data = skills_wording.shares_frame(frame, tr)

    def pct(values: pd.Series) -> list:
        return [None if pd.isna(v) else round(float(v) * 100, 1) for v in values]

    return pd.DataFrame({
        tr("export.col_indicator"): data["label"], tr("export.col_stage"): data["group"],
        tr("export.col_share"): pct(data["estimate"]), tr("export.col_lo"): pct(data["lo"]),
        tr("export.col_hi"): pct(data["hi"]),
    }, dtype=object)
