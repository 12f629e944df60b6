"""Wording layer, shared: missing values, estimates with intervals, tables in words, the view in words, Markdown escaping."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.filters import SEGMENTS, Filters
from dashboard.i18n import Translator
from dashboard.indicators import INDICATORS

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


def describe_scope(f: Filters, tr: Translator, region_names: Mapping[str, str]) -> str:
    """The regions and participant group of the view in words; empty when nothing is narrowed."""
    parts = []
    if f.regions:
        parts.append(", ".join(region_names.get(code, code) for code in f.regions))
    for name, (column, _vocab) in SEGMENTS.items():
        values = getattr(f, column)
        if values:
            words = ", ".join(tr.label(name, v) for v in values)
            parts.append(f"{tr(f'filter.{name}').lower()}: {words}")
    return "; ".join(parts)


def indicator_text(value: object, key: str, tr: Translator) -> str:
    """A value of an indicator in the language's words and units: `1 234`, `3,4`, `17,0 %`,
    `+3,2 в. п.`; `—` when missing (a hidden count of people is written by `tr.count`)."""
    indicator = INDICATORS[key]
    if value is None or pd.isna(value):
        return "—"
    if indicator.kind == "share":
        return tr.percent(value, indicator.decimals)
    if indicator.kind == "change":
        return tr.points(value, indicator.decimals) or "—"
    return tr.number(value, indicator.decimals)
