"""Demo layer: the targets oblast library methodologists send — people trained per oblast and year, and the national share.

Each oblast's target for a year is the people its hubs are expected to reach (the year's people
drawn in proportion to its hubs' weights, `people.year_hubs`) scaled to the whole calendar year
and by a planning factor of 0.75–1.35, so some oblasts end ahead of their target and some behind.
The file carries the field's mess: region spellings, periods written `2024`, `2024 рік` and
`Етап 2024`, a target with a thousands space, a half-year (quarantined: no view shows it) and a
repeated row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.demo import calibration as cal
from dashboard.demo import spellings
from dashboard.demo.people import year_hubs
from dashboard.demo.writers import CsvStyle, write_csv

FILE = "targets_2024_2025.csv"
HEADER = ["Програма", "Область", "Період", "Показник", "Ціль", "Джерело"]
STYLE = CsvStyle(";", "utf-8-sig")
YEARS = (2024, 2025)
# A planner's optimism: targets from three quarters to a third more than what is reached.
FACTOR = (0.75, 1.35)
PERIOD_FORMS = ("{year}", "{year} рік", "Етап {year}")
SOURCES = ("Обласна програма розвитку хабів на {year} рік", "План роботи обласної бібліотеки на {year} рік")
PROGRAMME = "Хаби цифрової освіти"


def _days(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def _year_share(year: int) -> float:
    """The share of the calendar year the demo's activities of `year` cover."""
    start, end = cal.YEAR_WINDOWS[year]
    first, last = _days(f"{year}-01-01"), _days(f"{year}-12-31")
    return (min(_days(end), last) - first + 1) / (last - first + 1)


def target_rows(rng: np.random.Generator, hubs: pd.DataFrame, people: dict[int, int]) -> list[list[str]]:
    """Rows of the targets file for the years in YEARS (see the module's docstring)."""
    rows = []
    for year in YEARS:
        yh = year_hubs(hubs, year)
        regions = hubs["region_code"].to_numpy()[yh.index]
        expected = pd.Series(yh.p * people[year], index=regions).groupby(level=0).sum()
        full_year = expected / _year_share(year) * rng.uniform(*FACTOR, len(expected))
        names = spellings.region_names(rng, list(full_year.index))
        for name, value in zip(names, full_year.to_numpy()):
            period = PERIOD_FORMS[int(rng.integers(len(PERIOD_FORMS)))].format(year=year)
            target = int(max(round(value, -1), 10))
            text = f"{target:,}".replace(",", " ") if rng.random() < 0.2 else str(target)
            rows.append([PROGRAMME, name, period, "Навчено людей", text,
                         SOURCES[int(rng.integers(len(SOURCES)))].format(year=year)])
        rows.append([PROGRAMME, "Україна", str(year), "Частка з самооцінкою 7–10 після навчання", "80%",
                     "Грантова угода"])
    rows.append([PROGRAMME, rows[0][1], "01.01.2024–30.06.2024", "Навчено людей", "500",
                 "План роботи обласної бібліотеки"])
    rows.append(list(rows[1]))
    return rows


def write_targets(raw_dir: Path, hubs: pd.DataFrame, people: dict[int, int], rng: np.random.Generator) -> dict[str, int]:
    """Write the targets file; returns {file name: data rows}."""
    rows = target_rows(rng, hubs, people)
    return {FILE: write_csv(raw_dir / FILE, HEADER, rows, STYLE)}
