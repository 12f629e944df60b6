"""Privacy layer: disclosure control; every count of people shown passes through `protect`.

Two rules work together:

1. **Small-number suppression.** A count of 1..k-1 people (k = DASHBOARD_MIN_COUNT, default
   10, the usual floor of statistical offices for tables of people by region and group) is never
   shown, and neither is a rate built on one. Zero stays zero (a release hides it too where it
   would tell "nobody" from "fewer than k").
2. **Cell-key perturbation** (the method of the Australian Bureau of Statistics' TableBuilder)
   against differencing: every person (and every activity or training group) carries a fixed
   pseudo-random key; a cell's key is the sum of the keys of the records in it, modulo 2^48; a
   shown count is changed by a small amount (at most DASHBOARD_NOISE, default 2; small changes
   common, the largest rare: `change_weights`) that is a fixed function of that cell key; a count whose changed value falls below k is hidden too
   (so a hidden count may be anything from 1 to k-1+noise, and the edge of the hidden band
   tells nothing: a bound "at least k-1" met by differencing no longer pins a hidden cell to
   k-1). The same people always get the
   same change, whichever filters reach them, so repeating or rephrasing a query reveals nothing
   new, while "all ages" minus "60+" no longer gives the exact number under 60: a hidden cell
   cannot be recovered by subtracting shown cells from a shown total, in one table or between
   two views. The cost: a shown count may differ from the exact one by up to the noise, and
   parts need not add up exactly to their total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import settings

# Cell keys live in [0, 2^48): a record's key is 48 bits of a hash of its id (query.scope), a
# cell's key the sum of its records' keys modulo this.
KEY_MODULUS = 2**48


@dataclass(frozen=True)
class Rule:
    """The protection in force: `k` (counts of 1..k-1 people are hidden) and `noise` (the
    largest change perturbation makes to a shown count). Read once per script run or command
    (`from_settings`) and passed down, so every figure and every sentence about it agree."""

    k: int
    noise: int

    def __post_init__(self):
        if self.k < 1:
            raise ValueError("k must be at least 1")
        if self.noise < 0:
            raise ValueError("noise must not be negative")


def from_settings() -> Rule:
    """The Rule of DASHBOARD_MIN_COUNT (default 10) and DASHBOARD_NOISE (default 2); a bad
    value raises ValueError with the setting's name."""
    return Rule(k=settings.min_count(), noise=settings.noise())


def change_weights(d: int) -> list[int]:
    """The perturbation table: relative weights of the changes -d..d: 1 for the largest change
    either way, 6 for every smaller one (for d = 2: +-2 in 1 of 20 cells each, -1, 0 and +1 in 6
    of 20 each). An attacker must still allow the largest change to every count; that every
    count of a sum sits at its largest change at once, which is what pins a hidden cell between
    sums of shown ones, becomes rare, while the smaller changes stay about equally likely, so a
    guess that two counts were changed alike is right in little more than 1 of 4."""
    return [1 if abs(c) == d else 6 for c in range(-d, d + 1)]


def _thresholds(d: int) -> np.ndarray:
    """Cell keys below thresholds[i] (and not below thresholds[i-1]) get the change i - d."""
    weights = change_weights(d)
    return np.array([KEY_MODULUS * sum(weights[: i + 1]) // sum(weights) for i in range(len(weights))],
                    dtype="int64")


def changes(cell_keys: Sequence[int] | np.ndarray, d: int) -> np.ndarray:
    """The change of each cell: -d..d by the perturbation table, a fixed function of its key in [0, 2^48)."""
    key = np.asarray(cell_keys, dtype="int64")
    if d == 0:
        return np.zeros(key.shape, dtype="int64")
    return np.searchsorted(_thresholds(d), key, side="right").astype("int64") - d


def perturbation(cell_key: int, d: int) -> int:
    """The change for one cell (see `changes`)."""
    return int(changes([int(cell_key)], d)[0])


def shown_count(count: int, cell_key: int, k: int, d: int) -> int | None:
    """The count a user may see: 0 for 0; None for 1..k-1 and for a count that its change takes
    below k; else count + change (so at least k, and never from fewer than k people)."""
    if count <= 0:
        return 0
    changed = count + perturbation(cell_key, d)
    if count < k or changed < k:
        return None
    return changed


def shown_counts(counts: Sequence[int], cell_keys: Sequence[int], rule: Rule,
                 hide_zero: Sequence[bool] | None = None) -> pd.arrays.IntegerArray:
    """`shown_count` of many cells at once (an `Int64` array, missing where hidden).

    `hide_zero` marks the cells where 0 must look like 1..k-1 (a release's cells that cross a
    participant group: there "nobody" would otherwise tell "somebody" apart from it).
    """
    c = np.asarray(counts, dtype="int64")
    key = np.asarray(cell_keys, dtype="int64")
    shown = np.where(c <= 0, 0, c + changes(key, rule.noise))
    hidden = (c >= 1) & ((c < rule.k) | (shown < rule.k))
    if hide_zero is not None:
        hidden |= np.asarray(hide_zero, dtype=bool) & (c <= 0)
    return pd.arrays.IntegerArray(shown.astype("int64"), hidden)


# A second, independent change from the same cell key (for sums): the key times an odd constant.
_SUM_MIX = 0x9E3779B97F4A7C15 % KEY_MODULUS | 1


def sum_perturbation(cell_keys: Sequence[int], bound: int) -> np.ndarray:
    """Changes of -bound..bound for sums of scores, a fixed function of each cell's key (the key of
    the people the sum is over), independent of the change to their count: a mean shown as such a
    sum over the shown count no longer gives back the exact sum of the scores."""
    key = np.asarray(cell_keys, dtype="int64").astype("uint64")
    if bound == 0:
        return np.zeros(len(key), dtype="int64")
    # Products wrap modulo 2^64, of which 2^48 is a divisor: the low 48 bits are exact.
    with np.errstate(over="ignore"):
        mixed = (key * np.uint64(_SUM_MIX)) & np.uint64(KEY_MODULUS - 1)
    return (mixed * np.uint64(2 * bound + 1) // np.uint64(KEY_MODULUS)).astype("int64") - bound


def keys_of(columns: Sequence[str]) -> dict[str, str]:
    """The usual cell-key column of each count column: `people` -> `people_key`."""
    return {c: f"{c}_key" for c in columns}


def protect(
    frame: pd.DataFrame,
    count_columns: Iterable[str],
    rule: Rule,
    rates: Mapping[str, Iterable[str]] | None = None,
    keys: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A copy of `frame` that is safe to show.

    - `keys` maps every column of `count_columns` to the column holding its cell key (from
      `query.key_sum`); a count without a cell key is refused, so no query can skip perturbation;
    - each count becomes `shown_count(...)`: missing (pandas NA, `Int64`) for 1..k-1 people and
      where the change takes it below `rule.k`, else perturbed by at most `rule.noise`; zero stays zero;
    - `rates` maps a column built from counts (a share, a mean, a change) to the count columns it
      was built from; the rate becomes missing where one of them was suppressed;
    - the key columns are dropped: they never leave the data layer.

    Callers compute rates from the exact counts first, then call this once before anything
    leaves the data layer.
    """
    k, d = rule.k, rule.noise
    counts = list(count_columns)
    keys = dict(keys or {})
    missing = [c for c in counts if c not in frame.columns]
    if missing:
        raise KeyError(f"count columns not in frame: {missing}")
    unkeyed = [c for c in counts if keys.get(c) not in frame.columns]
    if unkeyed:
        raise KeyError(f"counts of people need their cell keys (query.key_sum): {unkeyed}")
    out = frame.copy()
    hidden = pd.DataFrame(False, index=out.index, columns=counts)
    for column in counts:
        values = pd.to_numeric(out[column], errors="coerce").round().astype("Int64")
        cell = pd.to_numeric(out[keys[column]], errors="coerce").fillna(0).astype("int64")
        shown = [pd.NA if pd.isna(v) else shown_count(int(v), int(c), k, d) for v, c in zip(values, cell)]
        out[column] = pd.array([pd.NA if s is None else s for s in shown], dtype="Int64")
        hidden[column] = (values.notna() & out[column].isna()).to_numpy(dtype=bool)
    for rate, bases in (rates or {}).items():
        bases = list(bases)
        unknown = [b for b in bases if b not in hidden.columns]
        if unknown:
            raise KeyError(f"rate {rate!r} is built on columns that are not protected: {unknown}")
        hide = hidden[bases].any(axis=1)
        out[rate] = pd.to_numeric(out[rate], errors="coerce").astype("Float64").mask(hide)
    return out.drop(columns=sorted(set(keys.values()) & set(out.columns)))


def protect_with_intervals(frame: pd.DataFrame, counts: Sequence[str], rates: Mapping[str, Sequence[str]],
                           rule: Rule) -> pd.DataFrame:
    """protect(), where every rate's `_lo`/`_hi` interval columns hide together with the rate."""
    full = dict(rates)
    for rate, bases in rates.items():
        for end in ("_lo", "_hi"):
            if f"{rate}{end}" in frame.columns:
                full[f"{rate}{end}"] = bases
    return protect(frame, counts, rule, rates=full, keys=keys_of(counts))


def is_suppressed(value: object) -> bool:
    """True when a protected count is missing (fewer than k people, or no figure exists)."""
    return value is None or bool(pd.isna(value))
