"""Privacy layer: small-number suppression; every count of people shown passes through `protect`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from dashboard import settings

# Default threshold of primary suppression: a count of 1..K-1 people is never shown. Ten is
# the usual floor of statistical offices for tables of people by region and demographic group
# (small enough to keep village-level work visible, large enough that a cell is not a person).
# A deployment sets its own in DASHBOARD_MIN_COUNT (dashboard/settings.py).
K = 10


def threshold() -> int:
    """The k in force: DASHBOARD_MIN_COUNT (default 10); a bad value raises ValueError."""
    return settings.min_count()


def protect(
    frame: pd.DataFrame,
    count_columns: Iterable[str],
    k: int | None = None,
    rates: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """A copy of `frame` that is safe to show: small counts of people become missing.

    - every value of `count_columns` between 1 and k-1 becomes missing (k: `threshold()`) (pandas NA, `Int64`);
      zero stays zero (an empty cell reveals no one);
    - `rates` maps a column built from counts (a share, a mean, a change) to the count columns
      it was built from; the rate becomes missing in every row where one of them was
      suppressed, so a share cannot give a hidden count back.

    Callers compute rates from the exact counts first, then call this once before anything
    leaves the data layer. This is the single choke point for disclosure control: complementary
    suppression (so that a hidden cell cannot be recovered from a total) belongs here too.
    """
    k = threshold() if k is None else k
    if k < 1:
        raise ValueError("k must be at least 1")
    counts = list(count_columns)
    missing = [c for c in counts if c not in frame.columns]
    if missing:
        raise KeyError(f"count columns not in frame: {missing}")
    out = frame.copy()
    hidden = pd.DataFrame(False, index=out.index, columns=counts)
    for column in counts:
        values = pd.to_numeric(out[column], errors="coerce").round().astype("Int64")
        small = values.between(1, k - 1).fillna(False).astype(bool)
        hidden[column] = small
        out[column] = values.mask(small)
    for rate, bases in (rates or {}).items():
        bases = list(bases)
        unknown = [b for b in bases if b not in hidden.columns]
        if unknown:
            raise KeyError(f"rate {rate!r} is built on columns that are not protected: {unknown}")
        hide = hidden[bases].any(axis=1)
        out[rate] = pd.to_numeric(out[rate], errors="coerce").astype("Float64").mask(hide)
    return out


def is_suppressed(value: object) -> bool:
    """True when a protected count is missing (it was 1..k-1 people, or no figure exists)."""
    return value is None or bool(pd.isna(value))


def protect_value(count: int | None, k: int | None = None) -> int | None:
    """One count through `protect`: the count, or None when it is 1..k-1 (or unknown)."""
    frame = protect(pd.DataFrame({"n": [count]}), ["n"], k=k)
    value = frame.loc[0, "n"]
    return None if pd.isna(value) else int(value)
