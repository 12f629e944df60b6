"""Kernel: one entry per headline figure — its column, kind, the counts of people it rests on, decimals, words.

KPI cards, map metrics, the key-figures export, fact sheets and the press kit's definitions all
read an indicator from here: its label and definition (catalogue keys), how it is written
(`kind` and `decimals`) and which protected counts of people it is built on (`bases`: when one
of them is hidden, so is the figure). The thresholds of the self-rating bands and the base of
per-resident rates are defined here once, for the SQL and the words alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Self-ratings are of 10: 7–10 is "rates their skills well", 1–4 "below average".
HIGH_FROM, LOW_TO = 7, 4
# Rates per this many residents: the usual base of regional statistics.
PER_RESIDENTS = 100_000
# People are set against residents per 10,000 (hubs, fewer, per 100,000).
PEOPLE_PER_RESIDENTS = 10_000
# Kinds of figure: `people` (a protected count of people), `count` (of places or rows, exact),
# `share` (0..1, shown as %), `rate` (per hub or per residents), `change` (a difference of
# shares, shown in percentage points).
KINDS = ("people", "count", "share", "rate", "change")


@dataclass(frozen=True)
class Indicator:
    """A figure: `key` is its column in every frame, file and table; `label` and `help` are
    catalogue keys of its name and definition."""

    key: str
    kind: str
    bases: tuple[str, ...] = ()
    decimals: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.key}: unknown kind {self.kind!r}")
        if self.kind == "people" and self.bases != (self.key,):
            raise ValueError(f"{self.key}: a count of people rests on itself")

    @property
    def label(self) -> str:
        return f"indicator.{self.key}"

    @property
    def help(self) -> str:
        return f"indicator.{self.key}_help"


def _people(key: str) -> Indicator:
    return Indicator(key, "people", (key,))


_RATED = ("pre_people", "pre_7_10", "post_people", "post_7_10")

INDICATORS: dict[str, Indicator] = {i.key: i for i in (
    Indicator("hubs", "count"),
    Indicator("hubs_per_100k", "rate", decimals=1),
    Indicator("library_hubs", "count"),
    Indicator("library_share", "share", decimals=1),
    _people("people"),
    Indicator("people_per_10k", "rate", ("people",), decimals=1),
    Indicator("people_per_hub", "rate", ("people",), decimals=1),
    _people("activities"),
    _people("coordinators"),
    Indicator("regions", "count"),
    *(_people(key) for key in _RATED),
    Indicator("share_before", "share", ("pre_people", "pre_7_10"), decimals=1),
    Indicator("share_after", "share", ("post_people", "post_7_10"), decimals=1),
    Indicator("change_pp", "change", _RATED, decimals=1),
)}


def people_counts(keys: Iterable[str]) -> tuple[str, ...]:
    """Those of `keys` that are counts of people (each must pass through privacy.protect)."""
    return tuple(k for k in keys if INDICATORS[k].kind == "people")


def rates(keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each derived figure among `keys` with the counts of people it rests on (for protect)."""
    return {k: INDICATORS[k].bases for k in keys if INDICATORS[k].kind != "people" and INDICATORS[k].bases}
