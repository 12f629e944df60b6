"""Demo layer: command line — `python -m dashboard.demo RAW_DIR --people N --seed S`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from dashboard.demo.generator import CHUNK_PEOPLE, DEFAULT_PEOPLE, DEFAULT_SEED, MAX_PEOPLE, generate


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's arguments."""
    ap = argparse.ArgumentParser(
        prog="python -m dashboard.demo",
        description="Write seeded demo raw extracts (hub registry, training cascade, participant "
                    "reports, Digigram results, Kemerovo centres, waiting list, partners) in the "
                    "field's formats, mess included. Same seed, same bytes.")
    ap.add_argument("raw_dir", type=Path, help="folder to write the raw files into (created if missing)")
    ap.add_argument("--people", type=int, default=DEFAULT_PEOPLE,
                    help=f"people reached over 2022–2025 (default {DEFAULT_PEOPLE:,}; at most {MAX_PEOPLE:,})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    ap.add_argument("--chunk", type=int, default=CHUNK_PEOPLE,
                    help=f"people generated and written per step; bounds memory (default {CHUNK_PEOPLE:,}; "
                         "part of the recipe: another value draws other data)")
    ap.add_argument("--settlements", type=Path, help="settlements CSV instead of data/geo/settlements.csv")
    ap.add_argument("--regions", type=Path, help="regions CSV instead of data/geo/regions.csv")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the generator; prints rows written per file."""
    args = parse_args(argv)
    settlements = pd.read_csv(args.settlements, dtype={"hromada": str, "katottg": str}) if args.settlements else None
    regions = pd.read_csv(args.regions, dtype={"occupation": str}) if args.regions else None
    if (settlements is None) != (regions is None):
        print("give both --settlements and --regions, or neither", file=sys.stderr)
        return 2
    written = generate(args.raw_dir, args.people, args.seed, settlements, regions, args.chunk,
                       progress=not args.quiet)
    for name, rows in sorted(written.items()):
        print(f"{rows:>12,}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
