"""Release layer: the grain set — which views a release holds, their codes, and the nearest held view of any filters.

A release answers a fixed set of views, each named by four codes:

- `programme`;
- `area`: `""` for the whole country, else one region code;
- `period`: `all` (all time), `year:2024`, `phase:2022–2023` (every project phase),
  `quarter:2024-Q2`, `month:2024-05`: the same keys as the filter frame's quick picks;
- the participant group, as two (dimension, value) pairs: none (`""`, `""` twice), one value of
  one dimension (`age`, `60_69`), or one value of each of two dimensions (`age`/`60_69` and
  `displaced`/`yes`), dimensions in the order of `filters.SEGMENTS`.

Every period holds every group: 26 single values and 277 pairs of the six dimensions give 304
groups, so a programme of 25 regions and 3 years holds at most 26 areas × ~60 periods × 304 groups
(about half a million cells, most of them empty and not written), whatever the number of people.
A view asking for more (several regions, a period that is not one of these, several values of a
dimension, three dimensions) is answered by the nearest held view (`resolve`), with a notice.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from dashboard.filters import SEGMENTS, Filters, phase_range

COUNTRY = ""
NO_DIM = ""
ALL = "all"
DIMENSIONS = tuple(SEGMENTS)  # query-string names, in the filter frame's order
COLUMN_OF = {name: column for name, (column, _vocab) in SEGMENTS.items()}


@dataclass(frozen=True)
class Group:
    """A participant group: up to two (dimension, value) pairs, dimensions in DIMENSIONS order."""

    dim1: str = NO_DIM
    value1: str = NO_DIM
    dim2: str = NO_DIM
    value2: str = NO_DIM

    @property
    def size(self) -> int:
        return (self.dim1 != NO_DIM) + (self.dim2 != NO_DIM)

    def pairs(self) -> list[tuple[str, str]]:
        return [(d, v) for d, v in ((self.dim1, self.value1), (self.dim2, self.value2)) if d]

    def plus(self, dimension: str, value: str) -> Group | None:
        """This group with one more (dimension, value), or None when that is not a held group."""
        pairs = dict(self.pairs())
        if dimension in pairs:
            return self if pairs[dimension] == value else None
        if self.size >= 2:
            return None
        return group_of({**pairs, dimension: value})


def group_of(pairs: dict[str, str]) -> Group:
    """The Group of {dimension: value} (at most two dimensions)."""
    ordered = sorted(pairs.items(), key=lambda p: DIMENSIONS.index(p[0]))
    if len(ordered) > 2:
        raise ValueError("a release holds groups of at most two dimensions")
    flat = [x for pair in ordered for x in pair] + [NO_DIM] * (4 - 2 * len(ordered))
    return Group(*flat)


NO_GROUP = Group()


def dimension_pairs() -> list[tuple[str, str]]:
    """Every pair of two dimensions (DIMENSIONS order): the two-dimension groups' shapes."""
    return list(itertools.combinations(DIMENSIONS, 2))


def groups() -> list[Group]:
    """Every group a release holds: none, each single value, each pair of values of two dimensions."""
    vocab = {name: SEGMENTS[name][1] for name in DIMENSIONS}
    out = [NO_GROUP]
    out += [Group(d, v) for d in DIMENSIONS for v in vocab[d]]
    out += [Group(a, va, b, vb) for a, b in dimension_pairs() for va in vocab[a] for vb in vocab[b]]
    return out


# ---- periods ------------------------------------------------------------------------------------

def period_span(code: str, bounds: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date] | None:
    """The days of a period code within `bounds` (the programme's whole span); None if outside."""
    kind, _sep, value = code.partition(":")
    if kind == ALL:
        start, end = bounds
    elif kind == "year":
        start, end = dt.date(int(value), 1, 1), dt.date(int(value), 12, 31)
    elif kind == "phase":
        span = phase_range(value)
        if span is None:
            return None
        start, end = span
    elif kind == "quarter":
        year, q = value.split("-Q")
        start = dt.date(int(year), 3 * int(q) - 2, 1)
        end = _month_end(dt.date(int(year), 3 * int(q), 1))
    elif kind == "month":
        year, month = value.split("-")
        start = dt.date(int(year), int(month), 1)
        end = _month_end(start)
    else:
        return None
    start, end = max(start, bounds[0]), min(end, bounds[1])
    return (start, end) if start <= end else None


def _month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def periods(bounds: tuple[dt.date, dt.date], phases: Iterable[str]) -> dict[str, tuple[dt.date, dt.date]]:
    """Every period a release holds for a programme whose whole span is `bounds`, with its days.

    Ordered from the widest: all time, the phases, the years, the quarters, the months.
    """
    first, last = bounds
    codes = [ALL] + [f"phase:{name}" for name, _start, _end in phase_spans(phases)]
    codes += [f"year:{y}" for y in range(first.year, last.year + 1)]
    codes += [f"quarter:{y}-Q{q}" for y in range(first.year, last.year + 1) for q in range(1, 5)]
    codes += [f"month:{y}-{m:02d}" for y in range(first.year, last.year + 1) for m in range(1, 13)]
    out = {}
    for code in codes:
        span = period_span(code, bounds)
        if span is not None:
            out[code] = span
    return out


def phase_spans(phases: Iterable[str]) -> list[tuple[str, dt.date, dt.date]]:
    """The phases a release holds as periods of their own, with their calendar spans: those of more
    than one year (a phase of one calendar year is that year, held once, as `year:`)."""
    out = []
    for name in sorted(set(phases)):
        span = phase_range(name)
        if span is not None and span[0].year != span[1].year:
            out.append((name, *span))
    return out


def period_sql(day: str, phases: Sequence[tuple[str, dt.date, dt.date]]) -> tuple[str, list[object]]:
    """SQL of the list of period codes a day (a DATE expression) falls in, and its parameters."""
    parts = [f"'{ALL}'", f"'year:' || year({day})", f"'quarter:' || year({day}) || '-Q' || quarter({day})",
             f"'month:' || strftime({day}, '%Y-%m')"]
    params: list[object] = []
    for name, start, end in phases:
        parts.append(f"CASE WHEN {day} BETWEEN ? AND ? THEN ? END")
        params += [start, end, f"phase:{name}"]
    return f"list_filter([{', '.join(parts)}], lambda x: x IS NOT NULL)", params


# ---- the nearest held view ------------------------------------------------------------------------

@dataclass(frozen=True)
class ViewKey:
    programme: str
    area: str
    period: str
    group: Group


def resolve(f: Filters, held: dict[str, tuple[dt.date, dt.date]]) -> tuple[ViewKey, Filters, list[str]]:
    """The held view nearest to `f`, the Filters of that view, and what was changed (notice keys).

    - several regions: the whole country (`release.regions`);
    - a period that is not a held one: the narrowest held period that contains it, else all time
      (`release.period`);
    - more than two dimensions, or several values of one: the first two dimensions with a single
      value (`release.group`).
    """
    notices = []
    area = f.regions[0] if len(f.regions) == 1 else COUNTRY
    if len(f.regions) > 1:
        notices.append("release.regions")
    period = next((code for code, span in held.items() if span == (f.start, f.end)), None)
    if period is None:
        notices.append("release.period")
        containing = [(span[1] - span[0], code) for code, span in held.items()
                      if span[0] <= f.start and f.end <= span[1]]
        period = min(containing)[1] if containing else ALL
    start, end = held.get(period, (f.start, f.end))
    chosen: dict[str, str] = {}
    for name in DIMENSIONS:
        values = getattr(f, COLUMN_OF[name])
        if not values:
            continue
        if len(values) == 1 and len(chosen) < 2:
            chosen[name] = values[0]
        elif "release.group" not in notices:
            notices.append("release.group")
    group = group_of(chosen)
    segment = {COLUMN_OF[name]: ((chosen[name],) if name in chosen else ()) for name in DIMENSIONS}
    fitted = replace(f, start=start, end=end, regions=(area,) if area else (), **segment)
    return ViewKey(f.programme, area, period, group), fitted, notices
