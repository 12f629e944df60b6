"""Query layer: the reference files drawn over charts — dated events and the national digital-skills survey.

Both are CSV files a programme officer edits (data/reference/README.md describes them). They are
checked row by row as they are read: a broken row raises ReferenceFileError naming the file, the
line and the field. Pages and exports read them through `period_events` and `survey_point`, which
never raise: a broken file is logged and leaves the chart without its annotation.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from pathlib import Path

import pandas as pd

from dashboard.contract import PROGRAMMES
from dashboard.filters import parse_date

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = ROOT / "data" / "reference"
EVENTS_FILE = REFERENCE_DIR / "events.csv"
SURVEY_FILE = REFERENCE_DIR / "digital_skills.csv"

EVENT_COLUMNS = ("programme", "start", "end", "kind", "label_uk", "label_en", "source")
# Optional in both files: the source in Ukrainian (`source` is shown where it is blank).
OPTIONAL_COLUMNS = ("source_uk",)
# What an event is: a campaign (drawn as a band), a project phase, or a time of power outages.
EVENT_KINDS = ("campaign", "phase", "outage")
SURVEY_COLUMNS = ("year", "share", "population", "definition_uk", "definition_en", "source", "url")
# The survey samples the adults of Ukraine: it is a reference for the programme that works there.
SURVEY_PROGRAMMES = ("ua_hubs",)
# A mistyped year (2203) or share in per mille is caught; the survey series began in 2019.
SURVEY_YEARS = (1990, 2100)
# Problems listed in one message: enough to fix a file in one pass, short enough to read.
MAX_PROBLEMS = 20
_DMY = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


class ReferenceFileError(ValueError):
    """A reference file that cannot be used: every problem names the file, the line and the field."""

    def __init__(self, path: Path, problems: list[str]):
        self.path, self.problems = Path(path), list(problems)
        shown = self.problems[:MAX_PROBLEMS]
        more = len(self.problems) - len(shown)
        text = "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
        super().__init__(f"{_shown_path(self.path)}: {text}")


def _shown_path(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows as (line number, {column: stripped text}), with OPTIONAL_COLUMNS
    ('' when the file has none); lines starting with `#` and empty lines are skipped. Raises
    ReferenceFileError for a missing file, a file that is not UTF-8 text or a header without the
    columns."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ReferenceFileError(path, ["file not found"]) from None
    except UnicodeDecodeError:
        raise ReferenceFileError(path, ["not UTF-8 text (save it as “CSV UTF-8”)"]) from None
    except OSError as error:
        raise ReferenceFileError(path, [f"cannot be read ({error.strerror})"]) from None
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise ReferenceFileError(path, ["the file is empty: it needs the header " + ",".join(columns)])
    reader = csv.reader([line for _n, line in numbered])
    header = [h.strip() for h in next(reader)]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ReferenceFileError(path, [f"line {numbered[0][0]}: the header lacks the column(s) {', '.join(missing)}"])
    rows = []
    for (line, _text), values in zip(numbered[1:], reader):
        padded = values + [""] * (len(header) - len(values))
        rows.append((line, {name: padded[header.index(name)].strip() if name in header else ""
                            for name in (*columns, *OPTIONAL_COLUMNS)}))
    return rows


def parse_day(text: str) -> dt.date | None:
    """A date written `2022-10-10` (ISO) or `10.10.2022` (as a Ukrainian spreadsheet writes it); None if neither."""
    day = parse_date(text)
    if day is not None:
        return day
    match = _DMY.match(text or "")
    if not match:
        return None
    try:
        return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


def _problem(line: int, field: str, text: str) -> str:
    return f"line {line}, field “{field}”: {text}"


def load_events(path: Path | None = None) -> pd.DataFrame:
    """Every event of the events file, checked: programme ('' = every programme), start, end
    (dt.date; end None for a one-day event), kind (EVENT_KINDS), label_uk, label_en, source, source_uk;
    in the file's order. Raises ReferenceFileError listing every bad row and field."""
    path = path or EVENTS_FILE
    out, problems = [], []
    for line, row in _rows(path, EVENT_COLUMNS):
        found = []
        if row["programme"] and row["programme"] not in PROGRAMMES:
            found.append(_problem(line, "programme", f"“{row['programme']}” is not one of {', '.join(PROGRAMMES)}"
                                  " (leave it blank for every programme)"))
        start = parse_day(row["start"])
        if start is None:
            found.append(_problem(line, "start", f"“{row['start']}” is not a date (write YYYY-MM-DD)"))
        end = parse_day(row["end"]) if row["end"] else None
        if row["end"] and end is None:
            found.append(_problem(line, "end", f"“{row['end']}” is not a date (write YYYY-MM-DD, or leave it"
                                  " blank for a one-day event)"))
        elif start is not None and end is not None and end < start:
            found.append(_problem(line, "end", f"{end.isoformat()} is before the start, {start.isoformat()}"))
        if row["kind"] not in EVENT_KINDS:
            found.append(_problem(line, "kind", f"“{row['kind']}” is not one of {', '.join(EVENT_KINDS)}"))
        for field in ("label_uk", "label_en", "source"):
            if not row[field]:
                found.append(_problem(line, field, "is empty"))
        problems += found
        if not found:
            out.append({**row, "start": start, "end": end})
    if problems:
        raise ReferenceFileError(path, problems)
    return pd.DataFrame(out, columns=[*EVENT_COLUMNS, *OPTIONAL_COLUMNS])


def events_in_period(events: pd.DataFrame, programme: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The events of `programme` (and those of every programme) that touch the period start–end,
    both days included, by start date; their dates as in the file (not cut to the period)."""
    if events.empty:
        return events.copy()
    last = events["end"].where(events["end"].notna(), events["start"])
    keep = (events["programme"].isin(["", programme]) & (events["start"] <= end) & (last >= start))
    return events[keep].sort_values("start", kind="stable").reset_index(drop=True)


def _share(text: str) -> float | None:
    cleaned = text.replace("%", "").replace(",", ".").replace("\u00a0", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value / 100 if 0 < value <= 100 else None


def load_survey(path: Path | None = None) -> pd.DataFrame:
    """Every wave of the national digital-skills survey, checked, by year: year (int), share
    (0–1; the file writes percent), population (who was asked, e.g. `18–70`), definition_uk,
    definition_en, source, url, source_uk. Raises ReferenceFileError listing every bad row and field."""
    path = path or SURVEY_FILE
    out, problems, years = [], [], {}
    for line, row in _rows(path, SURVEY_COLUMNS):
        found = []
        year = int(row["year"]) if row["year"].isdigit() else None
        if year is None or not SURVEY_YEARS[0] <= year <= SURVEY_YEARS[1]:
            found.append(_problem(line, "year", f"“{row['year']}” is not a year"))
        elif year in years:
            found.append(_problem(line, "year", f"{year} is already given on line {years[year]}"))
        else:
            years[year] = line
        share = _share(row["share"])
        if share is None:
            found.append(_problem(line, "share", f"“{row['share']}” is not a percentage above 0 and at most 100"))
        for field in ("population", "definition_uk", "definition_en", "source"):
            if not row[field]:
                found.append(_problem(line, field, "is empty"))
        if row["url"] and not row["url"].startswith(("https://", "http://")):
            found.append(_problem(line, "url", f"“{row['url']}” is not a web address (http:// or https://)"))
        problems += found
        if not found:
            out.append({**row, "year": year, "share": share})
    if problems:
        raise ReferenceFileError(path, problems)
    return pd.DataFrame(out, columns=[*SURVEY_COLUMNS, *OPTIONAL_COLUMNS]).sort_values("year").reset_index(drop=True)


def survey_for_year(survey: pd.DataFrame, year: int) -> dict | None:
    """The survey wave to compare a view ending in `year` with: the latest at or before that year,
    else the earliest; None when the survey has no wave."""
    if survey.empty:
        return None
    earlier = survey[survey["year"] <= year]
    row = earlier.iloc[-1] if len(earlier) else survey.iloc[0]
    return {**row.to_dict(), "year": int(row["year"]), "share": float(row["share"])}


def period_events(programme: str, start: dt.date, end: dt.date,
                  path: Path | None = None) -> tuple[pd.DataFrame, str | None]:
    """The events of the period (events_in_period) and None; with a broken events file, no
    events and the problem (logged)."""
    try:
        return events_in_period(load_events(path), programme, start, end), None
    except ReferenceFileError as error:
        log.warning("events not drawn: %s", error)
        return pd.DataFrame(columns=list(EVENT_COLUMNS)), str(error)


def survey_point(programme: str, end: dt.date, path: Path | None = None) -> tuple[dict | None, str | None]:
    """The survey wave drawn for a view of `programme` ending on `end` (survey_for_year; None for
    a programme outside SURVEY_PROGRAMMES) and None; with a broken survey file, None and the
    problem (logged)."""
    if programme not in SURVEY_PROGRAMMES:
        return None, None
    try:
        return survey_for_year(load_survey(path), end.year), None
    except ReferenceFileError as error:
        log.warning("national survey not drawn: %s", error)
        return None, str(error)
