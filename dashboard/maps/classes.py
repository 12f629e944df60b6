"""Map layer: the classes of the region choropleth (natural breaks cut at round numbers, a
diverging scale for changes), their colours and the legend's words."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.i18n import Translator
from dashboard.metrics.map import DIVERGING_FIGURES, HIDDEN, METRICS, NO_DATA, OCCUPIED_STATE, VALUE, region_states
from dashboard.wording.map import format_value

# Colour-blind-safe ColorBrewer schemes: YlGnBu (sequential) by number of classes, and RdBu
# (diverging, a fall in red, a rise in blue) for changes.
SEQUENTIAL = {
    1: ("#41b6c4",), 2: ("#a1dab4", "#2c7fb8"), 3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
}
DIVERGING = ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac")  # falls | rises
# Regions without a figure: greys, darkest for occupied territory, so none reads as a low value.
STATE_COLOURS = {OCCUPIED_STATE: "#8c8c8c", NO_DATA: "#d0d0d0", HIDDEN: "#e4e4e4"}
MAX_CLASSES = 5


@dataclass(frozen=True)
class Classes:
    """The classes of one metric: value i falls in [breaks[i], breaks[i+1]) (the last is closed)."""

    metric: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]

    def index(self, values: pd.Series) -> pd.Series:
        """Class number of each value (NA stays NA)."""
        v = pd.to_numeric(values, errors="coerce").astype("float64")
        idx = np.searchsorted(np.asarray(self.breaks[1:-1]), v.to_numpy(), side="right")
        return pd.Series(idx, index=values.index, dtype="Int64").mask(v.isna())


def _nice(x: float, up: bool = False) -> float:
    """x rounded to two significant digits (up or to nearest)."""
    if x == 0 or not math.isfinite(x):
        return x
    step = 10 ** (math.floor(math.log10(abs(x))) - 1)
    return (math.ceil(x / step) if up else round(x / step)) * step


def _scale(metric: str) -> float:
    # Shares and changes are classed in the unit they are read in (percent, points).
    return 100.0 if METRICS[metric].kind in ("share", "change") else 1.0


def classify(values: pd.Series, metric: str, tr: Translator) -> Classes:
    """Classes for the regions' values of `metric` (only those with a value to show).

    Sequential metrics: a class of exactly 0 when some region has 0, then up to five classes
    of the positive values at their natural breaks (natural_breaks: regions that differ fall in
    different classes, regions alike in one), each cut at the roundest number between the last
    value of a class and the first of the next (whole numbers for counts). Changes: classes on
    each side of 0 (falls in red, rises in blue).
    """
    s = _scale(metric)
    v = pd.to_numeric(values, errors="coerce").dropna().astype("float64") * s
    if metric in DIVERGING_FIGURES:
        return _diverging(v, metric, tr)
    zero = bool((v == 0).any())
    pos = np.sort(v[v > 0].to_numpy())
    edges: list[float] = []
    if len(pos):
        lo, hi = float(pos[0]), float(pos[-1])
        whole = METRICS[metric].kind in ("count", "people")
        starts = natural_breaks(pos, MAX_CLASSES - zero)
        edges = [lo, *[round_cut(float(pos[j - 1]), float(pos[j]), whole) for j in starts], hi]
    if zero:
        edges = [0.0, *edges] if edges else [0.0, 0.0]
    n_classes = max(len(edges) - 1, 0)
    labels = tuple(_label(edges, i, metric, tr, zero) for i in range(n_classes))
    return Classes(metric, tuple(e / s for e in edges), SEQUENTIAL.get(n_classes, ()), labels)


def natural_breaks(values: np.ndarray, k: int) -> list[int]:
    """Where classes 2..k start among the sorted `values` (positions), for the k classes (at most one
    per distinct value) with the least sum of squared deviations from their means (Fisher's exact
    natural breaks; Jenks's optimisation). Equal values are never split between classes."""
    x = np.sort(np.asarray(values, dtype="float64"))
    n, k = len(x), min(k, len(np.unique(x)))
    if k <= 1:
        return []
    s1, s2 = np.concatenate([[0.0], np.cumsum(x)]), np.concatenate([[0.0], np.cumsum(x * x)])

    def spread(i: int, j: int) -> float:  # sum of squared deviations of x[i:j]
        return s2[j] - s2[i] - (s1[j] - s1[i]) ** 2 / (j - i)

    best = np.full((k + 1, n + 1), np.inf)
    start = np.zeros((k + 1, n + 1), dtype=int)
    best[0, 0] = 0.0
    for c in range(1, k + 1):
        for j in range(c, n + 1):
            for i in range(c - 1, j):
                if (i and x[i - 1] == x[i]) or not np.isfinite(best[c - 1, i]):
                    continue
                total = best[c - 1, i] + spread(i, j)
                if total < best[c, j] - 1e-9:
                    best[c, j], start[c, j] = total, i
    starts, j = [], n
    for c in range(k, 1, -1):
        j = int(start[c, j])
        starts.append(j)
    return sorted(starts)


def round_cut(last: float, first: float, whole: bool = False) -> float:
    """The cut between a class ending at `last` and the next starting at `first` (last < first):
    the number with the fewest significant digits in (last, first], the nearest to their middle
    among those; a whole number when `whole`."""
    middle = (last + first) / 2
    for digits in range(1, 16):
        step = 10.0 ** (math.floor(math.log10(abs(first))) - digits + 1) if first else 1.0
        step = max(step, 1.0) if whole else step
        low, high = math.floor(last / step) + 1, math.floor(first / step)
        if low <= high:
            return round(min(max(round(middle / step), low), high) * step, 12)
    return first


def _diverging(v: pd.Series, metric: str, tr: Translator) -> Classes:
    # Classes on each side of 0 (rises in blue, falls in red), cut at the side's terciles, so
    # that regions that all rose by 55–70 points still differ; a side without values is left out.
    neg, pos = np.sort(-v[v < 0].to_numpy()), np.sort(v[v >= 0].to_numpy())
    fall, rise = _side_edges(neg), _side_edges(pos)
    down = [-e for e in reversed(fall)]  # most negative first, ending at 0
    edges = down[:-1] + rise if down and rise else down or rise
    reds, blues = DIVERGING[:3], DIVERGING[3:]  # the palest of each next to 0
    colours = reds[len(reds) - max(len(fall) - 1, 0):] + blues[:max(len(rise) - 1, 0)]
    digits = 0 if all(float(e).is_integer() for e in edges) else 1
    labels = tuple(tr.signed(lo, digits) if lo == hi else
                   tr("map.class_range", lo=tr.signed(lo, digits), hi=tr.signed(hi, digits))
                   for lo, hi in zip(edges, edges[1:]))
    return Classes(metric, tuple(e / 100 for e in edges), tuple(colours), labels)


def _side_edges(values: np.ndarray) -> list[float]:
    """Edges from 0 outwards of up to three classes of one side's magnitudes (empty: no values)."""
    if not len(values):
        return []
    top = float(values[-1])
    n = min(3, len(np.unique(values)))
    cuts = {_nice(q) for q in np.quantile(values, np.linspace(0, 1, n + 1)[1:-1])}
    return [0.0, *sorted(c for c in cuts if 0 < c < top), top] if top > 0 else [0.0, 0.0]


def _label(breaks: list[float], i: int, metric: str, tr: Translator, zero: bool) -> str:
    s = _scale(metric)
    if zero and i == 0:
        return format_value(0, metric, tr)
    lo, hi = breaks[i] / s, breaks[i + 1] / s
    last = i == len(breaks) - 2
    if METRICS[metric].kind in ("count", "people") and not last:
        hi = max(lo, math.ceil(breaks[i + 1]) - 1)  # whole numbers: 10–24, then 25–…
    if lo == hi:
        return format_value(lo, metric, tr)
    return tr("map.class_range", lo=format_value(lo, metric, tr), hi=format_value(hi, metric, tr))


def legend(classes: Classes, states: pd.Series, tr: Translator) -> list[tuple[str, str]]:
    """(colour, text) of every legend entry: the classes, then each state found among the regions."""
    entries = list(zip(classes.colours, classes.labels))
    for state in (NO_DATA, HIDDEN, OCCUPIED_STATE):
        if (states == state).any():
            entries.append((STATE_COLOURS[state], tr(f"map.state_{state}", k=tr.k_text())))
    return entries


def region_colours(regions: pd.DataFrame, metric: str, classes: Classes) -> pd.Series:
    """Hex colour of each region: its class colour, or the grey of its state."""
    states = region_states(regions, metric)
    idx = classes.index(regions[metric])
    colours = [STATE_COLOURS[s] if s != VALUE else classes.colours[int(i)] for s, i in zip(states, idx)]
    return pd.Series(colours, index=regions.index)
