"""Demo layer: the training cascade — trainer and coordinator groups per phase and region.

National trainers train each phase region's trainers (`тренер`); those train hub
coordinators (`координатор`) in groups of about 25. The file carries the field's mess:
mixed date forms, region spellings, a capitalised level, completed > enrolled, a blank
completed count, a negative enrolment and one duplicated row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dashboard.demo import calibration as cal
from dashboard.demo import spellings
from dashboard.demo.writers import CsvStyle, write_csv

HEADER = ["Код групи", "Рівень", "Область", "Дата початку", "Дата завершення",
          "Кількість учасників", "Завершили навчання", "Етап проєкту"]
STYLE = CsvStyle(",", "utf-8")
# Window of each phase's groups: trainers first, then coordinators.
WINDOWS = {"2022–2023": (("2022-10-03", "2022-10-28"), ("2022-11-07", "2023-09-29")),
           "2024": (("2024-01-15", "2024-02-23"), ("2024-03-04", "2024-11-29")),
           "2025": (("2025-01-13", "2025-02-21"), ("2025-03-03", "2025-09-26"))}
DATE_SHARES = (0.6, 0.35, 0.05)
LENGTH_DAYS = 4  # a group trains Monday to Friday


def _days(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def phase_regions(phase: str, available: set[str]) -> list[str]:
    """Regions of a phase that the region reference knows (2025: every phase-2024 region)."""
    codes = cal.PHASE_2022_2023 if phase == "2022–2023" else cal.PHASE_2024
    return [c for c in codes if c in available]


def _groups(rng: np.random.Generator, phase: str, regions: list[str]) -> list[dict]:
    """Clean group records of one phase: trainers (one per region) then coordinators."""
    (t0, t1), (c0, c1) = WINDOWS[phase]
    trainer_regions = regions if phase != "2025" else list(rng.choice(regions, cal.TRAINER_GROUPS_2025, replace=False))
    k = cal.COORDINATOR_GROUPS[phase]
    coord_regions = list(regions) + list(rng.choice(regions, max(0, k - len(regions))))
    coord_regions = coord_regions[:k]
    out = []
    for level, regs, (a, b) in (("тренер", trainer_regions, (t0, t1)), ("координатор", coord_regions, (c0, c1))):
        starts = np.sort(rng.integers(_days(a), _days(b) + 1, len(regs)))
        for region, start in zip(regs, starts):
            start -= (start + 3) % 7  # 1970-01-01 was a Thursday: align to Monday
            enrolled = int(rng.integers(2, 5)) if level == "тренер" else int(rng.integers(18, 31))
            completed = enrolled - int(rng.binomial(enrolled, 0.07))
            out.append({"level": level, "region": region, "start": int(start), "enrolled": enrolled,
                        "completed": completed, "phase": phase})
    return out


def _ids(groups: list[dict]) -> list[str]:
    seq: dict[tuple[str, int], int] = {}
    ids = []
    for g in groups:
        year = int(np.datetime64(g["start"], "D").astype("datetime64[Y]").astype(int) + 1970)
        letter = "T" if g["level"] == "тренер" else "K"
        seq[(letter, year)] = seq.get((letter, year), 0) + 1
        width = 2 if letter == "T" else 3
        ids.append(f"{letter}-{year}-{seq[(letter, year)]:0{width}d}")
    return ids


def _mess(rng: np.random.Generator, rows: list[list[str]]) -> list[list[str]]:
    """Rare errors of the cascade sheet, one of each kind."""
    coord = [i for i, r in enumerate(rows) if r[1] == "координатор"]
    a, b, c, d = rng.choice(coord, 4, replace=False)
    rows[a][6] = str(int(rows[a][5]) + 1)  # more completed than enrolled
    rows[b][6] = ""  # completed not reported
    rows[c][1] = "Координатор"
    last = max(coord, key=lambda i: rows[i][0])
    rows[last][5], rows[last][6] = "-3", "0"  # a typing error: quarantined
    rows.insert(int(d) + 1, list(rows[d]))  # the same group pasted twice
    return rows


def write_trainings(raw_dir: Path, available: set[str], rng: np.random.Generator) -> dict[str, int]:
    """Write `trainings.csv`; returns rows written per file."""
    groups = []
    for phase in WINDOWS:
        groups += _groups(rng, phase, phase_regions(phase, available))
    groups.sort(key=lambda g: (g["start"], g["level"] != "тренер", g["region"]))
    ids = _ids(groups)
    starts = np.array([g["start"] for g in groups], np.int64)
    start_t = spellings.dates(rng, starts, DATE_SHARES).to_pylist()
    end_t = spellings.dates(rng, starts + LENGTH_DAYS, DATE_SHARES).to_pylist()
    regions = spellings.region_names(rng, [g["region"] for g in groups])
    rows = [[i, g["level"], r, s, e, str(g["enrolled"]), str(g["completed"]), g["phase"]]
            for i, g, r, s, e in zip(ids, groups, regions, start_t, end_t)]
    rows = _mess(rng, rows)
    return {"trainings.csv": write_csv(raw_dir / "trainings.csv", HEADER, rows, STYLE)}
