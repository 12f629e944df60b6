"""Pipeline layer: the targets kind — what a programme plans per region and period — found, read and normalised.

Oblast library methodologists send one row per programme × region × period × indicator: the
region in any spelling (`Україна` or blank for the programme as a whole), the period as a year,
a quarter, a project phase, a span of dates or all time, the indicator in words and the target as
a count or a share (`80%`, `80 %`, `0,8`). Periods become the app's period codes (`all`,
`year:2024`, `phase:2022–2023`, `quarter:2024-Q2`, `month:2024-05`: dashboard.release.grain); a
span of dates that is none of these is quarantined, since no view of the dashboard shows it.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from dashboard.clean import normalise as n
from dashboard.clean.transforms import Context, Rows
from dashboard.contract import TARGET_SHARES

KIND = "targets"
# Largest count a target may set (the contract's range of `target`).
MAX_COUNT = 10_000_000
_YEAR = re.compile(r"(\d{4})(?: рік| року| р| year)?")
_PHASE = re.compile(r"(?:етап|фаза|phase|stage) (\d{4})(?: ?[–-] ?(\d{4}))?|(\d{4}) ?[–-] ?(\d{4})")
_QUARTER = re.compile(r"(\d{4}) ?-? ?q([1-4])|q([1-4]) ?(\d{4})")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_WORDS = re.compile(r"(i|ii|iii|iv|[1-4])(?: -?й)? (?:квартал|кв|quarter) (\d{4})(?: рік| року| р)?")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DAY = r"\d{1,2}[./]\d{1,2}[./]\d{4}|\d{4}-\d{1,2}-\d{1,2}"
_SPAN = re.compile(rf"\s*({_DAY})\s*(?:[–—-]|до|по|to)\s*({_DAY})\s*")


def _span_code(start: dt.date, end: dt.date) -> str | None:
    """The period code of a span of days that is one calendar year, quarter or month, or whole years."""
    if start.day == 1 and end == (end + dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months == 1:
            return f"month:{start:%Y-%m}"
        if months == 3 and start.month % 3 == 1:
            return f"quarter:{start.year}-Q{start.month // 3 + 1}"
        if start.month == 1 and end.month == 12:
            return f"year:{start.year}" if start.year == end.year else f"phase:{start.year}–{end.year}"
    return None


def period(raw: str) -> str | None:
    """The period code of a period as written (`2024 рік`, `I квартал 2024`, `2024-Q3`, `Етап 2024`,
    `01.01.2024–31.03.2024`, `весь період`); a phase of one calendar year is that year."""
    if not raw.strip():
        return None
    if k := n.category_table()["period"].get(n.key(raw)):
        return k
    words = n.key(raw).replace("—", "–")
    if m := _YEAR.fullmatch(words):
        return f"year:{m[1]}"
    if m := _PHASE.fullmatch(words):
        first, last = (m[1], m[2] or m[1]) if m[1] else (m[3], m[4])
        if int(last) > int(first):
            return f"phase:{first}–{last}"
        if first == last:
            return f"year:{first}"
    if m := _QUARTER.fullmatch(words):
        return f"quarter:{m[1]}-Q{m[2]}" if m[1] else f"quarter:{m[4]}-Q{m[3]}"
    if m := _QUARTER_WORDS.fullmatch(words):
        return f"quarter:{m[2]}-Q{_ROMAN[m[1]]}"
    if (m := _MONTH.fullmatch(raw.strip())) and 1 <= int(m[2]) <= 12:
        return f"month:{m[1]}-{int(m[2]):02d}"
    if m := _SPAN.fullmatch(raw):
        start, end = n.date(m[1]), n.date(m[2])
        code = _span_code(start, end) if start and end and start <= end else None
        if code:
            return code
    raise n.Invalid("unknown_period", f"period: '{raw[:40]}' is not a calendar year, quarter, month, "
                                      "project phase or all time")


def area(raw: str) -> str | None:
    """The region code of a target's region; None for the programme as a whole (blank, `Україна`)."""
    k = n.key(raw)
    if not k or k in n.category_table()["area"]:
        return None
    return n.region(raw)


def target_value(raw: str, indicator: str | None) -> float | None:
    """A target as stored: a whole count, or for a share indicator a fraction 0..1 (`80%`, `0,8`)."""
    text = raw.strip()
    if not text or indicator is None:
        return None
    percent = text.endswith("%")
    value = n.number(text.rstrip("%"))
    if value is None:
        raise n.Invalid("bad_target", f"target: '{text[:40]}' is not a number")
    if indicator in TARGET_SHARES:
        share = value / 100 if percent else value
        if not 0 <= share <= 1:
            raise n.Invalid("bad_target", f"target: '{text[:40]}' is not a share (write 80% or 0,8)")
        return share
    if percent or value < 0 or value != int(value) or value > MAX_COUNT:
        raise n.Invalid("bad_target", f"target: '{text[:40]}' is not a whole count of 0 or more")
    return float(value)


def targets(raw: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Targets rows: programme, region_code (None = the programme as a whole), period, indicator, target, source."""
    rows = Rows(raw)
    rows.require("period", "period")
    rows.require("indicator", "indicator")
    rows.require("target", "target")
    indicator = rows.apply(lambda v: n.category("indicator", v), "indicator")
    rows.raw = rows.raw.assign(_indicator=[i or "" for i in indicator])
    return rows.frame(
        programme=rows.apply(lambda v: n.category("programme", v, ctx.programme), "programme"),
        region_code=rows.apply(area, "region"),
        period=rows.apply(period, "period"),
        indicator=indicator,
        target=rows.apply(lambda v, i: target_value(v, i or None), "target", "_indicator"),
        source=rows.apply(n.clean_text, "source"),
    )
