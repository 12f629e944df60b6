"""Demo layer: command line — `python -m dashboard.demo RAW_DIR --people N --seed S`.

Besides the raw files it writes a marker, RAW_DIR/.demo.json: the recipe (people, seed, chunk)
and the size and SHA-256 of every file it wrote. The demo's people are invented, so the demo may
be cleaned with a public salt, DEMO_SALT; `python -m dashboard.clean` accepts that salt only for
a folder whose raw files are exactly the ones its marker lists, byte for byte
(`demo_folder_problem`). A folder of real extracts never has the marker, and a demo folder that
real files were added to, or whose files were edited, no longer matches it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from dashboard.demo.generator import CHUNK_PEOPLE, DEFAULT_PEOPLE, DEFAULT_SEED, MAX_PEOPLE, generate

# The public salt of the generated demo (scripts/start.sh cleans the demo with it). Never for
# other data: anyone who knows it turns a name, birth year and phone into that person's key.
DEMO_SALT = "demo-only-salt"
# The marker's name: it starts with a dot, so the pipeline never reads it as a raw file.
MARKER = ".demo.json"
MADE_BY = "python -m dashboard.demo"
HASH_BLOCK = 1 << 20


def fingerprint(path: Path) -> dict[str, object]:
    """Size and SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(HASH_BLOCK):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def write_marker(raw_dir: Path, names: Iterable[str], recipe: dict[str, object]) -> Path:
    """Write RAW_DIR/.demo.json for the files `names` that the generator just wrote (atomically)."""
    record = {"made_by": MADE_BY, **recipe,
              "files": {name: fingerprint(raw_dir / name) for name in sorted(names)}}
    marker = raw_dir / MARKER
    partial = raw_dir / f"{MARKER}.partial"
    partial.write_text(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, marker)
    return marker


def read_marker(raw_dir: Path) -> dict | None:
    """The marker of a demo folder, or None when there is none or it is unreadable."""
    try:
        record = json.loads((raw_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("made_by") == MADE_BY else None


def demo_folder_problem(raw_dir: Path, files: Iterable[Path]) -> str | None:
    """Why `raw_dir`, whose raw files are `files`, is not a demo this command wrote; None when it is.

    It is one when its marker lists exactly these files (by name) with their size and SHA-256.
    """
    record = read_marker(raw_dir)
    if record is None:
        return f"{raw_dir} holds no demo marker ({MARKER}): it was not written by {MADE_BY}"
    listed = record.get("files")
    if not isinstance(listed, dict) or not listed:
        return f"{raw_dir / MARKER} lists no files"
    present = {Path(f).name: Path(f) for f in files}
    extra, missing = sorted(set(present) - set(listed)), sorted(set(listed) - set(present))
    if extra:
        return f"{raw_dir} holds files the demo did not write: {', '.join(extra[:5])}"
    if missing:
        return f"{raw_dir} lacks files the demo wrote: {', '.join(missing[:5])}"
    changed = [name for name, path in sorted(present.items()) if fingerprint(path) != listed[name]]
    if changed:
        return f"{raw_dir}: files changed since the demo wrote them: {', '.join(changed[:5])}"
    return None


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
    # An older marker would vouch for files about to be rewritten: it goes first, the new one last.
    (args.raw_dir / MARKER).unlink(missing_ok=True)
    written = generate(args.raw_dir, args.people, args.seed, settlements, regions, args.chunk,
                       progress=not args.quiet)
    write_marker(args.raw_dir, written, {"people": args.people, "seed": args.seed, "chunk": args.chunk,
                                         "geography": "given" if settlements is not None else "project"})
    for name, rows in sorted(written.items()):
        print(f"{rows:>12,}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
