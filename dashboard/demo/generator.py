"""Demo layer: the generator's run — hubs, cascade, Kemerovo network, then participants in chunks.

Every part draws from its own seeded stream, so the same seed gives byte-identical files and
a part's output does not shift when another part changes. Participants are generated and
written chunk by chunk (never all rows at once), so memory stays flat as N grows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from dashboard.demo import calibration as cal
from dashboard.demo import cascade, digigram, hubs, kemerovo, reports, targets
from dashboard.demo.people import draw_people, year_hubs
from dashboard.demo.writers import CsvFile, CsvStyle

DEFAULT_PEOPLE = 60_000
DEFAULT_SEED = 2024
CHUNK_PEOPLE = 50_000
# Digigram codes are 6 hex digits: a bijection covers at most 2^24 people.
MAX_PEOPLE = (1 << 24) - 1
# Participant exports per year: file, CSV style, whether the form asked for age (Вік).
PARTICIPANT_FILES = {
    2022: ("participants_2022.csv", CsvStyle(",", "utf-8"), True),
    2023: ("participants_2023.csv", CsvStyle(";", "cp1251", "\r\n"), False),
    2024: ("participants_2024.csv", CsvStyle(",", "utf-8-sig"), False),
    2025: ("participants_2025.csv", CsvStyle(",", "utf-8"), False),
}
# Digigram exports: the 2022–2023 one in the older five-area format.
DIGIGRAM_FILES = {
    2022: ("digigram_2022_2023.csv", CsvStyle(",", "utf-8"), True),
    2023: ("digigram_2022_2023.csv", CsvStyle(",", "utf-8"), True),
    2024: ("digigram_2024.csv", CsvStyle(";", "utf-8"), False),
    2025: ("digigram_2025.csv", CsvStyle(";", "utf-8-sig"), False),
}
STREAMS = {"hubs": 1, "trainings": 2, "kemerovo": 3, "people": 4, "targets": 5}


def stream(seed: int, name: str, *more: int) -> np.random.Generator:
    """The seeded generator of one part of the run (independent of every other part)."""
    return np.random.default_rng([seed, STREAMS[name], *more])


def people_per_year(people: int) -> dict[int, int]:
    """People per year (summing to `people`) by the calibration's year shares."""
    years = list(cal.YEAR_SHARES)
    counts = hubs.apportion(np.array([cal.YEAR_SHARES[y] for y in years]), people)
    return dict(zip(years, (int(c) for c in counts)))


def load_geography() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(settlements, regions) from the project's geography package."""
    from dashboard.geo import load_region_reference, load_settlements

    return load_settlements(), load_region_reference()


def _write_year(raw_dir: Path, year: int, n: int, start: int, hub_table: pd.DataFrame, seed: int,
                chunk: int, files: dict[str, CsvFile], bar: tqdm) -> None:
    yh = year_hubs(hub_table, year)
    hub_ids = pa.array(hub_table["hub_id"].to_numpy(), pa.string())
    pname, pstyle, age_form = PARTICIPANT_FILES[year]
    dname, dstyle, old = DIGIGRAM_FILES[year]
    if pname not in files:
        header = [reports.AGE_HEADER if age_form and h == "Рік народження" else h for h in reports.HEADER]
        files[pname] = CsvFile(raw_dir / pname, header, pstyle)
    if dname not in files:
        files[dname] = CsvFile(raw_dir / dname, digigram.header(old), dstyle)
    for c, lo in enumerate(range(0, n, chunk)):
        size = min(chunk, n - lo)
        rng = stream(seed, "people", year, c)
        p = draw_people(rng, size, start + lo, yh, seed)
        columns, person, day = reports.report_rows(rng, p, hub_ids, yh.end, age_form)
        files[pname].write(columns)
        first = np.r_[0, np.cumsum(p["n_rows"])[:-1]]
        sel = np.flatnonzero(p["digigram"])
        last = first + p["n_rows"] - 1
        files[dname].write(digigram.digigram_rows(
            rng, p["index"][sel], hub_ids.take(pa.array(p["hub"][sel])), day[first[sel]], day[last[sel]],
            p["before"][sel], seed, old, dstyle.sep == ";"))
        bar.update(size)


def generate(raw_dir: Path | str, people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED,
             settlements: pd.DataFrame | None = None, regions: pd.DataFrame | None = None,
             chunk: int = CHUNK_PEOPLE, progress: bool = True) -> dict[str, int]:
    """Write every raw extract into `raw_dir`; returns data rows written per file.

    The files depend only on (people, seed, chunk, geography): the same arguments give the
    same bytes. `settlements`/`regions` default to the project's geography (dashboard.geo).
    """
    if not 0 < people <= MAX_PEOPLE:
        raise ValueError(f"people must be between 1 and {MAX_PEOPLE:,}")
    if chunk < 1:
        raise ValueError("chunk must be at least 1 person")
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    if settlements is None or regions is None:
        settlements, regions = load_geography()
    written: dict[str, int] = {}
    with tqdm(total=people, unit=" people", file=sys.stderr, disable=not progress, desc="demo") as bar:
        bar.set_postfix_str("hubs")
        hub_table = hubs.build_hubs(settlements, regions, stream(seed, "hubs"))
        written |= hubs.write_hubs(raw_dir, hub_table, stream(seed, "hubs", 1), seed)
        written |= cascade.write_trainings(raw_dir, set(regions["region_code"]), stream(seed, "trainings"))
        krng = stream(seed, "kemerovo")
        written |= kemerovo.write_centres(raw_dir, krng) | kemerovo.write_waitlist(raw_dir, krng)
        written |= kemerovo.write_partners(raw_dir)
        written |= targets.write_targets(raw_dir, hub_table, people_per_year(people), stream(seed, "targets"))
        files: dict[str, CsvFile] = {}
        try:
            start = 0
            for year, n in people_per_year(people).items():
                bar.set_postfix_str(f"participants {year}")
                _write_year(raw_dir, year, n, start, hub_table, seed, chunk, files, bar)
                start += n
        finally:
            for f in files.values():
                f.close()
        written |= {name: f.rows for name, f in files.items()}
    return written
