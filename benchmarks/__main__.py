"""`python -m benchmarks`: national-scale data, pipeline cost, every page's script times against the floor.

Tier 1 (default): 1,000,000 participants (about 6,000 hubs and 3,000,000 assessments). Stress tier
(`--tier stress`, on request only): 10,000,000 participants. The table is printed and written into
docs/benchmarks.md with the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import machine, pipeline, report
from dashboard.store import prepared

TIERS = {"tier1": 1_000_000, "stress": 10_000_000}
DEFAULT_WORK = Path(tempfile.gettempdir()) / "hub-benchmarks"
SEED = 2024  # the demo's default: the same people every run
FILTER_REGIONS = 3  # filter changes measured per page (the busiest regions, one cache miss each)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=list(TIERS), default="tier1", help="data size (default tier1)")
    parser.add_argument("--people", type=int, help="participants to generate instead of the tier's number")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"folder for generated raw files and extracts, reused between runs (default {DEFAULT_WORK})")
    parser.add_argument("--raw", type=Path, help="existing raw files to clean instead of generating (left untouched)")
    parser.add_argument("--clean", type=Path,
                        help="existing cleaned extract to measure; skips generating and cleaning (left untouched)")
    parser.add_argument("--reuse-clean", action="store_true",
                        help="keep the work dir's cleaned extract from an earlier run instead of cleaning again")
    parser.add_argument("--replays", type=int, default=3,
                        help="passes of each page's DuckDB replay for the floor, fastest counts (default 3)")
    parser.add_argument("--no-warm", action="store_true",
                        help="measure without stored answers (query-ready tables only; removes earlier answers)")
    parser.add_argument("--warm-country-only", action="store_true",
                        help="store the answers of the whole-country views only (regions then run live)")
    parser.add_argument("--pages", nargs="*", help="only these page files (default: every page in dashboard.ui.frame.PAGES)")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> tuple[Path, list]:
    """The cleaned extract to measure and the pipeline costs measured (or reused) on the way."""
    if args.clean:
        return args.clean, [pipeline.saved_cost(args.clean, "clean")]
    people = args.people or TIERS[args.tier]
    args.work.mkdir(parents=True, exist_ok=True)
    costs = []
    raw = args.raw or args.work / f"raw-{args.tier}-{people}"
    folder = args.work / f"clean-{args.tier}-{people}"
    if args.reuse_clean and (folder / "report.json").exists():
        costs += [pipeline.saved_cost(raw, "generate"), pipeline.saved_cost(folder, "clean")]
    else:
        if args.raw is None:
            costs.append(pipeline.generate(raw, people, SEED))
        print(f"cleaning {raw} into {folder} …", flush=True)
        costs.append(pipeline.clean(raw, folder))
    # Every stored version of the answers (one folder per version of the extract's files).
    shutil.rmtree(prepared.location(folder) / prepared.ANSWERS_DIR, ignore_errors=True)
    if not args.no_warm:
        print(f"storing the answers of the standard views of {folder} …", flush=True)
        costs.append(pipeline.warm(folder, regions=not args.warm_country_only))
    return folder, costs


def run_worker(out: Path, *extra: str) -> dict:
    """One fresh process of benchmarks.pagerun; its JSON result."""
    cmd = [sys.executable, "-m", "benchmarks.pagerun", "--out", str(out), *extra]
    proc = subprocess.run(cmd, cwd=machine.ROOT, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-4000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def measure(folder: Path, pages: list[tuple[str, bool]], regions: list[str], replays: int) -> tuple[dict, list[dict]]:
    """The bare-script floor and each page's worker result, every one in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        print("floor: bare st.write script …", flush=True)
        bare = run_worker(Path(tmp) / "bare.json")
        results = []
        for i, (page, first) in enumerate(pages):
            print(f"page {page} …", flush=True)
            extra = ["--page", page, "--data", str(folder), "--regions", ",".join(regions), "--replays", str(replays)]
            results.append(run_worker(Path(tmp) / f"page{i}.json", *extra, *(["--first"] if first else [])))
    return bare, results


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    info = machine.describe()
    folder, costs = prepare(args)
    rows_by_table = pipeline.table_rows(folder)
    regions = pipeline.busiest_regions(folder, FILTER_REGIONS)
    registered = machine.registered_pages()
    pages = [(p, p == registered[0]) for p in registered if not args.pages or p in args.pages]
    bare, results = measure(folder, pages, regions, args.replays)
    info["load average at end"] = machine.load_average()
    rows = [report.page_row(r, bare["warm_s"]) for r in results]

    data = ", ".join(f"{t} {n:,}" for t, n in rows_by_table.items()
                     if t in ("participants", "activities", "assessments", "hubs"))
    body = "\n".join([
        f"### {args.tier}{' (no stored answers: every query live)' if args.no_warm else ''}: {data}\n",
        f"Extract `{folder}`; filter changes set the region to each of {', '.join(regions)} in turn "
        "(medians reported).\n",
        machine.machine_table(info),
        "#### Pipeline\n", report.pipeline_table(costs),
        "#### Pages (script time through AppTest, each page in a fresh process)\n", report.pages_table(rows),
        "#### Floor\n", report.floor_table(bare, results),
        "#### Targets\n", report.targets_text(rows, costs),
    ])
    print("\n" + body)
    if not args.no_docs:
        machine.update_section(f"benchmark-{args.tier}" + ("-live" if args.no_warm else ""), body)
        print(f"written to {machine.DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
