"""`python -m benchmarks.release`: build a release of each size's extract, then time every public page on it.

For each size (default 60,000, 1,000,000 and 10,000,000 people) the demo raw files are generated
and cleaned (reused as `python -m benchmarks` reuses them), a release is built with `python -m
dashboard.release` under GNU `time -v` and approved (without its standard files); then every page
runs in a fresh process in public mode on each size's release alone (benchmarks.pagerun
--release; DASHBOARD_DATA_DIR names a folder that does not exist), each page at every size in
turn before the next page. One table puts the sizes side by side per page; it is printed and
written into docs/benchmarks.md with the builds and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from benchmarks import machine, pipeline
from benchmarks import release_report as report
from benchmarks.__main__ import DEFAULT_WORK, FILTER_REGIONS, SEED, run_worker

SIZES = (60_000, 1_000_000, 10_000_000)
# Folder names by size, shared with `python -m benchmarks` (tiers) and benchmarks.load's default.
NAMES = {60_000: "demo", 1_000_000: "tier1", 10_000_000: "stress"}
RELEASE = "benchmark"  # the release's name in each size's releases folder
APPROVER = "benchmarks@localhost"
SECTION = "benchmark-release"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.release", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="people of each size, smallest first (default 60000 1000000 10000000)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"folder for raw files, extracts and releases, reused between runs (default {DEFAULT_WORK})")
    parser.add_argument("--reuse-clean", action="store_true",
                        help="keep each size's cleaned extract from an earlier run instead of cleaning again")
    parser.add_argument("--reuse-release", action="store_true",
                        help="keep each size's approved release from an earlier run instead of building again")
    parser.add_argument("--pages", nargs="*", help="only these page files (default: every page in dashboard.ui.frame.PAGES)")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    return parser.parse_args(argv)


def name_of(people: int) -> str:
    """The work folders' name of a size: tier1-1000000 (the tiers' names where a tier has that size)."""
    return f"{NAMES.get(people, 'people')}-{people}"


def releases_dir(work: Path, people: int) -> Path:
    """The releases folder of a size in the work folder (benchmarks.load --release takes it)."""
    return work / f"releases-{name_of(people)}"


def extract(work: Path, people: int, reuse: bool) -> Path:
    """The size's cleaned extract in the work folder: generated and cleaned unless `reuse` finds it."""
    raw, folder = work / f"raw-{name_of(people)}", work / f"clean-{name_of(people)}"
    if reuse and (folder / "report.json").exists():
        return folder
    pipeline.generate(raw, people, SEED)
    print(f"cleaning {raw} into {folder} …", flush=True)
    pipeline.clean(raw, folder)
    return folder


def _sidecar(releases: Path) -> Path:
    return releases.with_name(releases.name + ".bench.json")


def build_release(folder: Path, releases: Path, people: int) -> report.BuildCost:
    """Build the release of `folder` into a fresh `releases` folder (timed) and approve it."""
    shutil.rmtree(releases, ignore_errors=True)
    print(f"building a release of {folder} into {releases} …", flush=True)
    seconds, peak = pipeline.run_timed(
        [sys.executable, "-m", "dashboard.release", str(folder), str(releases), "--name", RELEASE],
        dict(os.environ))
    # Approved without its standard files (press kits, fact sheets: minutes whatever the size; the
    # Exports page then makes them on request), so that the build's cost is what grows with people.
    subprocess.run([sys.executable, "-m", "dashboard.release", "--approve", RELEASE, str(releases), "--by", APPROVER,
                    "--no-files"],
                   cwd=machine.ROOT, check=True, capture_output=True)
    cost = report.BuildCost(people, seconds, peak, *release_size(releases / RELEASE))
    _sidecar(releases).write_text(json.dumps(asdict(cost)), encoding="utf-8")
    return cost


def earlier_build(releases: Path) -> report.BuildCost | None:
    """The cost an earlier run measured for the size's approved release, or None (then build anew)."""
    from dashboard.release import catalogue

    entry = catalogue.current(releases)
    if entry is None or entry.name != RELEASE:
        return None
    try:
        return report.BuildCost(**{**json.loads(_sidecar(releases).read_text(encoding="utf-8")), "measured": False})
    except (OSError, ValueError, TypeError):
        return None


def release_of(args: argparse.Namespace, people: int) -> report.BuildCost:
    """The size's approved release: the earlier run's with --reuse-release when there is one (its
    extract is then not needed), else built now from the size's extract."""
    releases = releases_dir(args.work, people)
    earlier = earlier_build(releases) if args.reuse_release else None
    return earlier or build_release(extract(args.work, people, args.reuse_clean), releases, people)


def release_size(folder: Path) -> tuple[dict[str, int], float]:
    """Rows of each table (from the manifest) and the MB of the release folder."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rows = {name: int(table["rows"]) for name, table in manifest["tables"].items()}
    return rows, sum(p.stat().st_size for p in folder.iterdir()) / 1024**2


def busiest_regions(releases: Path, n: int) -> list[tuple[str, str, str]]:
    """(code, Ukrainian name, English name) of the `n` regions with most people of all time in the
    default programme, read from the current release (the filter targets of pages and load test)."""
    import duckdb

    from dashboard.filters import DEFAULT_PROGRAMME
    from dashboard.release import catalogue, grain

    folder = catalogue.current(releases).folder
    con = duckdb.connect()
    try:
        return con.execute(
            "SELECT c.area, r.name_uk, r.name_en FROM read_parquet(?) c "
            "JOIN read_parquet(?) r ON r.region_code = c.area "
            "WHERE c.programme = ? AND c.period = 'all' AND c.dim1 = ? AND c.people IS NOT NULL "
            "ORDER BY c.people DESC, c.area LIMIT ?",
            [str(folder / "cells.parquet"), str(folder / "regions.parquet"), DEFAULT_PROGRAMME, grain.NO_DIM, n],
        ).fetchall()
    finally:
        con.close()


def measure_pages(releases: Path, pages: list[tuple[str, bool]], regions: list[str]) -> list[dict]:
    """Each page's pagerun result on the release, each in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for i, (page, first) in enumerate(pages):
            print(f"page {page} on {releases.name} …", flush=True)
            extra = ["--page", page, "--release", str(releases), "--regions", ",".join(regions)]
            results.append(run_worker(Path(tmp) / f"page{i}.json", *extra, *(["--first"] if first else [])))
    return results


def commit() -> str:
    """The checked-out commit, and whether the working tree differs from it (read-only git)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=machine.ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=machine.ROOT,
                           capture_output=True, text=True)
    if head.returncode != 0:
        return "unknown"
    return head.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def render(info: dict[str, str], sizes: list[int], builds: list[report.BuildCost], results: dict[int, list[dict]],
           regions: dict[int, list[str]]) -> str:
    """The section of docs/benchmarks.md: builds, page times side by side, findings, machine."""
    filters = "; ".join(f"{report.people(s)}: {', '.join(regions[s])}" for s in sizes)
    return "\n".join([
        f"### Public pages on a release: {', '.join(report.people(s) for s in sizes)} people\n",
        "Each page in a fresh process, public mode, on the size's approved release alone "
        "(`DASHBOARD_DATA_DIR` names a folder that does not exist); filter changes set the region to each "
        f"of the release's three busiest regions in turn, medians reported ({filters}).\n",
        machine.machine_table(info),
        "#### Release builds (`python -m dashboard.release`, GNU `time -v`)\n", report.build_table(builds),
        "Rows of each table:\n", report.table_rows_table(builds),
        "#### Pages (script time through AppTest; sizes side by side)\n", report.pages_table(sizes, results),
        report.findings(sizes, results),
    ])


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    sizes = sorted(args.sizes)
    info = {**machine.describe(), "commit": commit()}
    args.work.mkdir(parents=True, exist_ok=True)
    registered = machine.registered_pages()
    pages = [(p, p == registered[0]) for p in registered if not args.pages or p in args.pages]
    builds, regions = [], {}
    for size in sizes:
        builds.append(release_of(args, size))
        regions[size] = [code for code, _uk, _en in busiest_regions(releases_dir(args.work, size), FILTER_REGIONS)]
    # Page by page, each at every size in turn: a page's sizes are measured minutes apart, not an
    # hour, so that a change in the machine's load falls on all of them alike.
    results: dict[int, list[dict]] = {size: [] for size in sizes}
    for page in pages:
        for size in sizes:
            results[size] += measure_pages(releases_dir(args.work, size), [page], regions[size])
    info["load average at end"] = machine.load_average()
    body = render(info, sizes, builds, results, regions)
    print("\n" + body)
    if not args.no_docs:
        machine.update_section(SECTION, body)
        print(f"written to {machine.DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
