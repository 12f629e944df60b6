"""Filter layer: the one filter state of the app (`Filters`), its URL names and codes, and its validation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from dashboard import contract

# Query-string names of the shared state; the URL is the state, so these are public API.
LANG_PARAM = "lang"
PROGRAMME_PARAM = "programme"
FROM_PARAM = "from"
TO_PARAM = "to"
REGION_PARAM = "region"
# Demographic segment: query-string name -> (participants column, vocabulary).
SEGMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "age": ("age_band", contract.AGE_BANDS),
    "gender": ("gender", contract.GENDERS),
    "settlement": ("settlement_type", contract.SETTLEMENT_TYPES),
    "employment": ("employment", contract.EMPLOYMENT),
    "disability": ("disability", contract.YES_NO),
    "displaced": ("displaced", contract.YES_NO),
}
PARAMS = (LANG_PARAM, PROGRAMME_PARAM, FROM_PARAM, TO_PARAM, REGION_PARAM, *SEGMENTS)
LANGUAGES = ("uk", "en")
DEFAULT_LANGUAGE = "uk"
DEFAULT_PROGRAMME = contract.PROGRAMMES[0]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Phases are written `2022–2023` or `2024` in the trainings table (en dash or hyphen).
_PHASE = re.compile(r"^\s*(\d{4})\s*(?:[–-]\s*(\d{4}))?\s*$")


@dataclass(frozen=True)
class Filters:
    """The view every number follows: programme, inclusive date range, regions and segment.

    An empty tuple means "all". Segment values are vocabulary codes of the participants table.
    """

    programme: str
    start: dt.date
    end: dt.date
    regions: tuple[str, ...] = ()
    age_band: tuple[str, ...] = ()
    gender: tuple[str, ...] = ()
    settlement_type: tuple[str, ...] = ()
    employment: tuple[str, ...] = ()
    disability: tuple[str, ...] = ()
    displaced: tuple[str, ...] = ()

    def segment(self) -> dict[str, tuple[str, ...]]:
        """Participants column -> selected codes, for the segment parts that are set."""
        out = {}
        for column, _vocab in SEGMENTS.values():
            values = getattr(self, column)
            if values:
                out[column] = values
        return out

    def everyone(self) -> Filters:
        """The same programme, period and regions for every participant: no participant group."""
        return replace(self, **{column: () for column in self.segment()})

    def calendar_year(self) -> int | None:
        """The calendar year the period lies within, or None when it spans several (a release's
        figures per hub are of one calendar year, else of all time)."""
        return self.start.year if self.start.year == self.end.year else None

    def days(self) -> int:
        """Length of the period in days, both ends included."""
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The same view for the period of equal length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return replace(self, start=end - dt.timedelta(days=self.days() - 1), end=end)


@dataclass(frozen=True)
class Choices:
    """What each filter may take: the labels shown, the words a link may carry, the date bounds.

    `labels` maps a query-string name to {code: label} in the page's language. The URL carries
    codes (`?region=UA-46&age=60_69`), so a link opens the same view in either language;
    `aliases` maps a name to {text: code} for every text a link may carry: each code, and its
    label in every language, because links written with labels must keep opening their view.
    """

    labels: Mapping[str, Mapping[str, str]]
    first_day: dt.date
    last_day: dt.date
    default_start: dt.date
    default_end: dt.date
    quick: Mapping[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    aliases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def parse_date(text: str) -> dt.date | None:
    """An ISO date `YYYY-MM-DD`, or None when the text is not one."""
    if not isinstance(text, str) or not _ISO_DATE.match(text.strip()):
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def invalid_params(params: Mapping[str, str | Sequence[str]], choices: Choices) -> list[str]:
    """Names of the query-string parameters whose values the app cannot use (they fall back).

    `params` maps a name to one value or a list of values, as the URL gives them. A filter's
    value may be a code or a label in either language (`Choices.aliases`).
    """
    bad = []
    for name in PARAMS:
        if name not in params:
            continue
        values = _as_values(params[name])
        if name == LANG_PARAM:
            ok = all(v in LANGUAGES for v in values)
        elif name in (FROM_PARAM, TO_PARAM):
            days = [parse_date(v) for v in values]
            ok = all(d is not None for d in days)
        else:
            ok = not link_codes(values, choices.aliases.get(name, {}))[1]
        if not ok:
            bad.append(name)
    return bad


def link_aliases(labels: Sequence[Mapping[str, Mapping[str, str]]]) -> dict[str, dict[str, str]]:
    """Query-string name -> {text a link may carry: code}: each code, and its label in each language.

    `labels` holds the `Choices.labels` of each language, the page's own first. A code always
    stands for itself; a label that two codes share stands for the one met first.
    """
    aliases: dict[str, dict[str, str]] = {}
    for by_name in labels:
        for name, options in by_name.items():
            aliases.setdefault(name, {}).update((code, code) for code in options)
    for by_name in labels:
        for name, options in by_name.items():
            for code, label in options.items():
                aliases[name].setdefault(label, code)
    return aliases


def link_codes(values: str | Sequence[str], aliases: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """The codes a link's values stand for (in the link's order, each once), and the values that
    stand for none. Empty values are skipped: `?region=` clears the filter."""
    codes, unknown = [], []
    for value in _as_values(values):
        code = aliases.get(value)
        if code is None:
            unknown.append(value)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def _as_values(values: str | Sequence[str]) -> list[str]:
    values = [values] if isinstance(values, str) else list(values)
    return [v for v in values if v != ""]


def link_period(link: Mapping[str, Sequence[str]], choices: Choices) -> tuple[tuple[dt.date, dt.date], list[str]]:
    """The period a link asks for (`from`, `to`; the last value of each counts), clamped to the
    data's bounds, and the names that fell back: a missing or unreadable date is the programme's
    default one, and a start after the end gives the whole default period (as build_filters)."""
    asked = [parse_date((list(link.get(name, [])) or [""])[-1]) for name in (FROM_PARAM, TO_PARAM)]
    start = _clamp(asked[0] or choices.default_start, choices)
    end = _clamp(asked[1] or choices.default_end, choices)
    if start > end:
        return (choices.default_start, choices.default_end), [FROM_PARAM, TO_PARAM]
    return (start, end), []


def period_params(start: dt.date, end: dt.date, choices: Choices) -> dict[str, list[str]]:
    """The link's `from` and `to` for a period: each date that differs from the programme's default
    as `YYYY-MM-DD`, an empty list (no parameter) for one that does not."""
    return {FROM_PARAM: [] if start == choices.default_start else [start.isoformat()],
            TO_PARAM: [] if end == choices.default_end else [end.isoformat()]}


def build_filters(
    programme: str | None,
    start: dt.date | None,
    end: dt.date | None,
    regions: Sequence[str] = (),
    segment: Mapping[str, Sequence[str]] | None = None,
    *,
    choices: Choices,
) -> tuple[Filters, list[str]]:
    """The Filters for widget values, and the names of the values that fell back to defaults.

    Unknown codes are dropped, dates are clamped to the data's bounds, and a start after the end
    falls back to the default period; `segment` is keyed by query-string name (`age`, ...).
    """
    problems = []
    programmes = choices.labels.get(PROGRAMME_PARAM, {})
    if programme not in programmes:
        if programme is not None:
            problems.append(PROGRAMME_PARAM)
        programme = DEFAULT_PROGRAMME if DEFAULT_PROGRAMME in programmes else next(iter(programmes), DEFAULT_PROGRAMME)
    start = _clamp(start or choices.default_start, choices)
    end = _clamp(end or choices.default_end, choices)
    if start > end:
        problems += [FROM_PARAM, TO_PARAM]
        start, end = choices.default_start, choices.default_end
    kwargs = {"regions": _known(regions, choices.labels.get(REGION_PARAM, {}))}
    for name, (column, vocab) in SEGMENTS.items():
        kwargs[column] = _known((segment or {}).get(name, ()), dict.fromkeys(vocab))
    return Filters(programme=programme, start=start, end=end, **kwargs), problems


def _known(values: Sequence[str], allowed: Mapping[str, object]) -> tuple[str, ...]:
    # Sorted so that the same selection in any order is one cache entry and one query.
    return tuple(sorted({v for v in values if v in allowed}))


def _clamp(day: dt.date, choices: Choices) -> dt.date:
    return min(max(day, choices.first_day), choices.last_day)


def phase_range(phase: str) -> tuple[dt.date, dt.date] | None:
    """Calendar span of a project phase written `2022–2023` or `2024`; None if not of that form."""
    m = _PHASE.match(phase or "")
    if not m:
        return None
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if last < first:
        return None
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def quick_periods(
    default: tuple[dt.date, dt.date], phases: Sequence[str], bounds: tuple[dt.date, dt.date]
) -> dict[str, tuple[dt.date, dt.date]]:
    """Quick picks: `all` (the programme's whole span, `default`), each calendar year in it, each
    project phase.

    Keys are `all`, `year:2024`, `phase:2022–2023`; a phase that equals one calendar year is
    left out (the year already offers it). Ranges are clamped to the programme's own span (as a
    release holds them: release.grain.periods), and that to the data's `bounds`.
    """
    first_day, last_day = max(default[0], bounds[0]), min(default[1], bounds[1])
    picks = {"all": default}
    for year in range(default[0].year, default[1].year + 1):
        picks[f"year:{year}"] = (max(dt.date(year, 1, 1), first_day), min(dt.date(year, 12, 31), last_day))
    for phase in sorted({p for p in phases if p}):
        span = phase_range(phase)
        if span is None or span[0].year == span[1].year:
            continue
        start, end = max(span[0], first_day), min(span[1], last_day)
        if start <= end:
            picks[f"phase:{phase}"] = (start, end)
    return picks


def matching_quick(choices: Choices, start: dt.date, end: dt.date) -> str | None:
    """The quick pick whose range equals [start, end], if any."""
    for key, span in choices.quick.items():
        if span == (start, end):
            return key
    return None


def containing_quick(choices: Choices, start: dt.date, end: dt.date) -> str:
    """The quick pick whose range equals [start, end], else the shortest one that contains it,
    else `all`."""
    exact = matching_quick(choices, start, end)
    if exact is not None:
        return exact
    holding = [(span[1] - span[0], key) for key, span in choices.quick.items() if span[0] <= start and end <= span[1]]
    return min(holding)[1] if holding else "all"


def default_period(
    first: dt.date | None, last: dt.date | None, data_date: dt.date | None
) -> tuple[dt.date, dt.date]:
    """A programme's whole span: the first day of the month of its first record to the data date,
    so that "All time", its trend charts and files start at the data, not months before it.

    A programme that stopped before the data date ends on 31 December of its last year, so
    its quick picks do not run through empty years. Without dates, the data date's year.
    """
    end_of_data = data_date or last or dt.date.today()
    if first is None or last is None:
        return dt.date(end_of_data.year, 1, 1), end_of_data
    end = min(end_of_data, dt.date(last.year, 12, 31)) if last <= end_of_data else last
    return dt.date(first.year, first.month, 1), max(end, first)


def make_choices(
    labels: Mapping[str, Mapping[str, str]],
    spans: Mapping[str, tuple[dt.date | None, dt.date | None]],
    phases: Sequence[str],
    data_date: dt.date | None,
    programme: str,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> Choices:
    """The Choices of one programme: its labels, its default period and quick picks.

    `spans` maps every programme to its first and last dated record; the date bounds cover
    them all, so switching programme never puts a date out of range. `aliases` (link_aliases)
    defaults to the codes and the labels of `labels`' own language.
    """
    defaults = {p: default_period(first, last, data_date) for p, (first, last) in spans.items()}
    if not defaults:
        defaults = {programme: default_period(None, None, data_date)}
    bounds = (min(d[0] for d in defaults.values()), max(d[1] for d in defaults.values()))
    default = defaults.get(programme, bounds)
    return Choices(
        labels=labels, first_day=bounds[0], last_day=bounds[1],
        default_start=default[0], default_end=default[1],
        quick=quick_periods(default, phases, bounds),
        aliases=link_aliases([labels]) if aliases is None else aliases,
    )


def spans_by_programme(spans: pd.DataFrame) -> tuple[dict, dict, dict]:
    """From query.load_programme_spans: programme -> (first, last) dates, -> phases, -> countries."""
    dates, phases, countries = {}, {}, {}
    for row in spans.itertuples():
        first = None if pd.isna(row.first_day) else pd.Timestamp(row.first_day).date()
        last = None if pd.isna(row.last_day) else pd.Timestamp(row.last_day).date()
        dates[row.programme] = (first, last)
        phases[row.programme] = [p for p in _as_list(row.phases) if p]
        countries[row.programme] = _as_list(row.countries)
    return dates, phases, countries


def _as_list(value: object) -> list:
    # DuckDB lists arrive as arrays or lists; an empty one as a missing value.
    return [] if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else list(value)
