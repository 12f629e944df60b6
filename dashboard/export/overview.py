"""Export layer: the Overview's figures as exportable charts (key figures table, skill gain bars).

Pure builders like dashboard/charts.py: a small protected frame in, an Altair chart or the
table of the numbers it draws out. Every count of people is the source's `counts` (the
Overview's figures, protected), unchanged; every row is an indicator (dashboard.indicators),
written by the same function as the Overview's cards.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from dashboard import charts
from dashboard.export.view import Source, View
from dashboard.filters import Filters
from dashboard.indicators import INDICATORS
from dashboard.metrics import overview as metrics
from dashboard.wording.overview import kpi_text

PREFIX = "prev_"  # columns of the previous period in the key-figures frame
# Protected counts of people in the key-figures frame (this period and the previous one).
KPI_COUNTS = tuple(metrics.PEOPLE_COUNTS) + tuple(PREFIX + c for c in metrics.PEOPLE_COUNTS)
SKILL_COUNTS = ("pre_people", "pre_7_10", "post_people", "post_7_10")
# Rows of the key-figures table (indicator keys): the Overview's cards, with the before → after
# card as three rows, so every cell holds one number with one unit. The skill rows are not
# compared with the previous period (their change is the before → after row).
SKILL_ROWS = ("share_before", "share_after", "change_pp")
KPI_ROWS = tuple(k for k in metrics.KPI_CARDS if k != metrics.BEFORE_AFTER) + SKILL_ROWS
ROW_PX = 30  # height of a table row in the image: 13 px text with air around it
BAR_PX = 44  # height of a bar of the skill chart


def data_start(src: Source, programme: str) -> dt.date | None:
    """1 January of the programme's first dated record (the app's earliest default date)."""
    spans = src.programme_spans()
    row = spans[spans["programme"] == programme]
    if row.empty or pd.isna(row.iloc[0]["first_day"]):
        return None
    return dt.date(pd.Timestamp(row.iloc[0]["first_day"]).year, 1, 1)


def compute_key_figures(src: Source, f: Filters) -> pd.DataFrame:
    """One protected row: the source's counts of the view, the same with `prev_` for the period
    compared with (`src.previous`; missing when there is none), and `previous_start` /
    `previous_end` (None without a previous period)."""
    current = src.counts(f).reset_index(drop=True)
    start = data_start(src, f.programme)
    before = src.previous(f, start) if start else None
    previous = src.counts(before) if before is not None else None
    out = current.copy()
    for column in current.columns:
        out[PREFIX + column] = previous.iloc[0][column] if previous is not None else pd.NA
    out["previous_start"] = before.start if before is not None else None
    out["previous_end"] = before.end if before is not None else None
    return out


def compute_skills(src: Source, f: Filters) -> pd.DataFrame:
    """One protected row: people with an overall self-rating before / after and those at 7–10,
    the shares at 7–10 (0..1) and their change (a fraction: 0.05 = 5 pp)."""
    counts = src.counts(f)
    return counts[[*SKILL_COUNTS, "share_before", "share_after", "change_pp"]].reset_index(drop=True)


def has_previous(frame: pd.DataFrame) -> bool:
    """Whether a key-figures frame carries a previous period (the data covers one)."""
    return frame.iloc[0]["previous_start"] is not None and not pd.isna(frame.iloc[0]["previous_start"])


def kpi_rows(frame: pd.DataFrame) -> list[dict]:
    """Each key-figures row: key (indicator), kind, value, previous, change (None when missing) and
    compared (whether the view has a previous period at all: without one, a missing previous value
    is no value, not a hidden count)."""
    now, compared = frame.iloc[0], has_previous(frame)
    out = []
    for key in KPI_ROWS:
        value = _num(now[key])
        previous = _num(now[PREFIX + key]) if compared and key not in SKILL_ROWS else None
        change = value - previous if value is not None and previous is not None else None
        out.append({"key": key, "kind": INDICATORS[key].kind, "value": value, "previous": previous,
                    "change": change, "compared": compared})
    return out


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def kpi_label(key: str, tr) -> str:
    """The words of a key-figures row: the indicator's name."""
    return tr(INDICATORS[key].label)


def kpi_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """The key figures as numbers: indicator, value, unit, previous period, change.

    Shares are percentages rounded to one decimal as drawn, their changes percentage points;
    a suppressed count reads "fewer than k" and its change is left empty.
    """
    tr, rows = view.tr, []
    for r in kpi_rows(frame):
        kind = r["kind"]
        if kind in ("share", "change"):
            cell = [None if r[c] is None else round(r[c] * 100, 1) for c in ("value", "previous", "change")]
            unit = tr("export.unit_points") if kind == "change" else "%"
        else:
            cell = [_count(r[c], kind, tr) for c in ("value", "previous")] + [
                None if r["change"] is None else int(r["change"])]
            unit = ""
        rows.append({tr("export.col_indicator"): kpi_label(r["key"], tr), tr("export.col_value"): cell[0],
                     tr("export.col_unit"): unit, tr("export.col_previous"): cell[1],
                     tr("export.col_change"): cell[2]})
    return pd.DataFrame(rows, dtype=object)


def _count(value: float | None, kind: str, tr) -> object:
    if value is None:
        return tr.fewer_than() if kind == "people" else None
    return int(value)


def kpi_texts(r: dict, tr) -> tuple[str, str, str]:
    """The three cells of a row as drawn: value, previous, change (the Overview card's words)."""
    value, previous, change = kpi_text(r["kind"], r["value"], r["previous"], r["change"], tr)
    if r["key"] in SKILL_ROWS or not r.get("compared", True):
        # No previous period: nothing to write, never "fewer than 10" for a period that is not there.
        return value, "", ""
    return value, previous, change or "—"


def kpi_chart(frame: pd.DataFrame, view: View) -> alt.TopLevelMixin:
    """The key figures as a table image: one row per indicator; value, previous period, change."""
    tr = view.tr
    compared = has_previous(frame)
    columns = [tr("export.col_value")] + ([tr("export.col_previous"), tr("export.col_change")] if compared else [])
    records = []
    for i, r in enumerate(kpi_rows(frame)):
        for column, text in zip(columns, kpi_texts(r, tr)):
            records.append({"indicator": kpi_label(r["key"], tr), "row": i, "column": column, "text": text})
    data = pd.DataFrame(records)
    order = list(dict.fromkeys(data["indicator"]))
    y = alt.Y("indicator:N", sort=order, title=None, axis=alt.Axis(
        domain=False, ticks=False, labelFontSize=13, labelColor=charts.INK, labelPadding=14, grid=False))
    x = alt.X("column:N", sort=columns, title=None, axis=alt.Axis(
        orient="top", domain=False, ticks=False, labelAngle=0, labelFontSize=12, labelColor=charts.MUTED, grid=False))
    stripes = alt.Chart(data).transform_filter("datum.row % 2 == 0").mark_rect(color="#f3f5f7").encode(y=y)
    cells = alt.Chart(data).mark_text(fontSize=13, color=charts.INK).encode(x=x, y=y, text="text:N")
    chart = alt.layer(stripes, cells).properties(width="container", height=ROW_PX * len(order))
    return charts.themed(chart, tr)


def kpi_notes(frame: pd.DataFrame, view: View) -> list[str]:
    """What the previous period is (or that there is none), and what the skill rows mean."""
    tr = view.tr
    now = frame.iloc[0]
    if has_previous(frame):
        first = tr.period(pd.Timestamp(now["previous_start"]).date(), pd.Timestamp(now["previous_end"]).date())
        notes = [tr("export.note_previous", period=first)]
    else:
        notes = [tr("kpi.no_previous")]
    official = [tr("release.official_cards")] if view.official else []
    return official + notes + [tr("export.note_skills")]


def skills_table(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """Before and after training: people with a rating, of them at 7–10, and the share at 7–10 (%)."""
    tr = view.tr
    now = frame.iloc[0]
    rows = []
    for stage in ("pre", "post"):
        share = now["share_before" if stage == "pre" else "share_after"]
        rows.append({
            tr("export.col_stage"): tr(f"export.stage_{stage}"),
            tr("export.col_rated"): _count(_num(now[f"{stage}_people"]), "people", tr),
            tr("export.col_rated_7_10"): _count(_num(now[f"{stage}_7_10"]), "people", tr),
            tr("export.col_share_7_10"): None if pd.isna(share) else round(float(share) * 100, 1),
        })
    return pd.DataFrame(rows, dtype=object)


def skills_chart(frame: pd.DataFrame, view: View) -> alt.TopLevelMixin:
    """Two bars: the share rating their digital skills 7–10 before and after training."""
    tr = view.tr
    now = frame.iloc[0]
    records = []
    for stage, column in (("pre", "share_before"), ("post", "share_after")):
        share, rated = _num(now[column]), now[f"{stage}_people"]
        label = tr(f"export.stage_{stage}_n", n=tr.count(rated))
        if share is not None:
            text = tr.percent(share)
        elif not pd.isna(rated) and int(rated) == 0:
            text = tr("export.no_ratings")
        else:
            text = tr("export.share_hidden", k=tr.number(view.rule.k))
        records.append({"stage": label, "share": share if share is not None else 0.0, "text": text})
    data = pd.DataFrame(records)
    y = alt.Y("stage:N", sort=list(data["stage"]), title=None, axis=alt.Axis(
        domain=False, ticks=False, labelFontSize=13, labelColor=charts.INK, labelPadding=10))
    x = alt.X("share:Q", title=tr("export.skills_axis"), scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format=".0%", tickCount=5))
    bars = alt.Chart(data).mark_bar(color=charts.PALETTE[0], height=BAR_PX * 0.6).encode(x=x, y=y)
    labels = alt.Chart(data).mark_text(align="left", dx=6, fontSize=13, color=charts.INK).encode(
        x=x, y=y, text="text:N")
    chart = alt.layer(bars, labels).properties(width="container", height=BAR_PX * len(data))
    return charts.themed(chart, tr)
