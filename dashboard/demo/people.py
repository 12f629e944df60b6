"""Demo layer: people reached by the hubs, drawn in vectorised chunks (one array per attribute).

A chunk is a block of people of one year. Each person gets a hub among the hubs working in
that year's phase regions, a profile (gender, age, place, employment, disability, displacement),
1–4 activities (fewer begun during the winter 2022–23 power outages) and self-ratings before and
after (older and rural people start lower and gain somewhat less); nothing here is text yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.demo import calibration as cal
from dashboard.demo.names import phone_parts

SETTLEMENT_TYPES = ("city", "town", "village")
# Where people come from when not from the hub's own kind of settlement.
OTHER_SETTLEMENT = (0.30, 0.25, 0.45)
# Hubs that joined later than this many days before a year's window ends have no activity yet.
MIN_DAYS_ACTIVE = 45
PHONE_SHARE = 0.92
# Spread of the after-rating around the before-rating on the latent normal scale (sd 1): how
# loosely a person's end follows their start.
RATING_NOISE = 0.4


@dataclass(frozen=True)
class YearHubs:
    """Hubs that can report people in one year, with their draw probabilities."""

    year: int
    index: np.ndarray  # positions in the hubs frame
    p: np.ndarray
    start: np.ndarray  # first possible activity day per eligible hub (days since 1970)
    end: int
    settlement: np.ndarray  # settlement type code per eligible hub


def _day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def year_hubs(hubs: pd.DataFrame, year: int) -> YearHubs:
    """The hubs working in `year`: in that year's phase regions, active or paused, joined in time."""
    start, end = (_day(d) for d in cal.YEAR_WINDOWS[year])
    regions = cal.PHASE_2022_2023 if year <= 2023 else cal.PHASE_2024
    if year >= 2025:
        regions = tuple(hubs.loc[hubs["status"] != "ТОТ", "region_code"].unique())
    ok = (hubs["region_code"].isin(regions) & (hubs["weight"] > 0)
          & (hubs["joined"] <= end - MIN_DAYS_ACTIVE)).to_numpy()
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        raise ValueError(f"no hub can report people in {year}: check the settlements and regions")
    w = hubs["weight"].to_numpy()[idx]
    stype = pd.Categorical(hubs["settlement_type"], categories=SETTLEMENT_TYPES).codes[idx]
    return YearHubs(year, idx, w / w.sum(), np.maximum(hubs["joined"].to_numpy()[idx] + 1, start),
                    end, np.where(stype < 0, 2, stype))


def _choice(rng: np.random.Generator, shares, n: int) -> np.ndarray:
    p = np.asarray(shares, float)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int8)


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    band = _choice(rng, [s for *_, s in cal.AGE_BANDS], n)
    lo = np.array([a for a, _, _ in cal.AGE_BANDS])[band]
    hi = np.array([b for _, b, _ in cal.AGE_BANDS])[band]
    return rng.integers(lo, hi + 1)


def _employment(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    out = np.empty(len(age), np.int8)
    for group, mask in (("young", age < 25), ("working", (age >= 25) & (age < 60)), ("older", age >= 60)):
        out[mask] = _choice(rng, cal.EMPLOYMENT_BY_AGE[group], int(mask.sum()))
    return out


def _yes_no(rng: np.random.Generator, share: float, n: int) -> np.ndarray:
    """0 = ні, 1 = так, 2 = blank."""
    return _choice(rng, (0.97 * (1 - share), 0.97 * share, 0.03), n)


def _rank_uniform(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Uniform (0, 1) values in the order of `x`: the rank, jittered within its slot."""
    rank = np.empty(len(x))
    rank[np.argsort(x, kind="stable")] = np.arange(len(x))
    return (rank + rng.random(len(x))) / len(x)


def _quantile_rating(shares, u: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.cumsum(shares), u * sum(shares), side="right") + 1


def ratings(rng: np.random.Generator, age: np.ndarray, settlement: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(before, after, finished): self-ratings 1–10 from the calibration distributions.

    A latent start (shifted by age band and settlement type) and a latent end (the start plus the
    group's gain shift and noise) are ranked within the chunk and mapped onto the before and after
    distributions: the shares of each rating hold for the chunk, older and rural people start lower
    and gain somewhat less, a low starter ends lower, and after is never below before.
    """
    n = len(age)
    band = np.searchsorted([lo for lo, _, _ in cal.AGE_BANDS], age, side="right") - 1
    start = (np.asarray(cal.RATING_START_BY_AGE)[band]
             + np.array([cal.RATING_START_BY_SETTLEMENT[t] for t in SETTLEMENT_TYPES])[settlement])
    gain = (np.asarray(cal.RATING_GAIN_BY_AGE)[band]
            + np.array([cal.RATING_GAIN_BY_SETTLEMENT[t] for t in SETTLEMENT_TYPES])[settlement])
    latent_before = start + rng.normal(0, 1, n)
    latent_after = latent_before + gain + rng.normal(0, RATING_NOISE, n)
    before = _quantile_rating(cal.RATING_BEFORE, _rank_uniform(rng, latent_before))
    after = _quantile_rating(cal.RATING_AFTER, _rank_uniform(rng, latent_after))
    finished = rng.random(n) >= cal.NO_AFTER_SHARE
    return np.minimum(before, 10), np.clip(np.maximum(after, before), 1, 10), finished


def draw_people(rng: np.random.Generator, n: int, first_index: int, yh: YearHubs, seed: int) -> dict[str, np.ndarray]:
    """Person-level attributes of `n` people of year `yh.year` (global indices from `first_index`)."""
    index = np.arange(first_index, first_index + n, dtype=np.int64)
    slot = rng.choice(len(yh.index), size=n, p=yh.p)
    gender = _choice(rng, list(cal.GENDER_SHARES.values()), n)  # female, male, other, unknown
    female = (gender == 0) | ((gender >= 2) & (rng.random(n) < 0.67))
    age = _ages(rng, n)
    own = rng.random(n) < cal.SAME_SETTLEMENT_TYPE
    settlement = np.where(own, yh.settlement[slot], _choice(rng, OTHER_SETTLEMENT, n))
    before, after, finished = ratings(rng, age, settlement)
    op, number = phone_parts(index, seed)
    return {
        "index": index, "hub": yh.index[slot], "hub_start": yh.start[slot], "gender": gender,
        "female": female, "age": age, "birth_year": yh.year - age, "settlement": settlement,
        "employment": _employment(rng, age), "disability": _yes_no(rng, cal.DISABILITY_SHARE, n),
        "displaced": _yes_no(rng, cal.DISPLACED_SHARE, n),
        "n_rows": _choice(rng, cal.ACTIVITY_COUNT_SHARES, n) + 1,
        "before": before, "after": after, "finished": finished,
        "has_phone": rng.random(n) < PHONE_SHARE, "phone_op": op, "phone_number": number,
        "digigram": rng.random(n) < cal.DIGIGRAM_SHARE,
    }


def activity_days(rng: np.random.Generator, people: dict[str, np.ndarray], end: int) -> tuple[np.ndarray, np.ndarray]:
    """(person position per row, activity day per row): 1–14 days between a person's activities."""
    n_rows = people["n_rows"].astype(np.int64)
    person = np.repeat(np.arange(len(n_rows)), n_rows)
    first = np.r_[0, np.cumsum(n_rows)[:-1]]
    k = np.arange(len(person)) - first[person]
    gap = np.where(k == 0, 0, rng.integers(1, 15, len(person)))
    offset = np.cumsum(gap) - np.repeat(np.cumsum(gap)[first], n_rows)
    span = offset[np.cumsum(n_rows) - 1]
    room = np.maximum(end - people["hub_start"] - span, 0)
    d0 = _weighted_days(rng, people["hub_start"], people["hub_start"] + room)
    return person, np.minimum(d0[person] + offset, end)


def day_activity(days: np.ndarray) -> np.ndarray:
    """Relative activity of each day (days since 1970): 1, less in the winter 2022–23 outages."""
    out = np.ones(len(days))
    for first, last, share in cal.OUTAGE_ACTIVITY:
        out[(days >= _day(first)) & (days <= _day(last))] = share
    return out


def _weighted_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One day per person in [lo, hi] (inclusive), each day drawn in proportion to its activity."""
    lo, hi = lo.astype(np.int64), hi.astype(np.int64)
    if len(lo) == 0:
        return lo
    first = int(lo.min())
    cum = np.r_[0.0, np.cumsum(day_activity(np.arange(first, int(hi.max()) + 1)))]
    a, b = cum[lo - first], cum[hi - first + 1]
    k = np.searchsorted(cum, a + rng.random(len(lo)) * (b - a), side="right") - 1
    return first + np.clip(k, lo - first, hi - first)
