"""Pipeline layer: the command `python -m dashboard.clean RAW_DIR CLEAN_DIR`.

After cleaning it stores the answers of the standard views (dashboard.warm, in this process);
nothing here imports Streamlit or runs a page.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
from pathlib import Path

import duckdb

from dashboard import settings
from dashboard.clean.pipeline import PipelineError, raw_files, run
from dashboard.clean.readers import FileProblem
from dashboard.demo.__main__ import DEMO_SALT, demo_folder_problem, read_marker
from dashboard.settings import ROOT

SECRETS = ROOT / ".streamlit" / "secrets.toml"
MAKE_SALT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def salt_from_environment() -> bytes | None:
    """The pseudonymisation salt: DASHBOARD_SALT, else `DASHBOARD_SALT` in Streamlit secrets."""
    value = os.environ.get("DASHBOARD_SALT", "")
    if not value and SECRETS.is_file():
        try:
            value = str(tomllib.loads(SECRETS.read_text(encoding="utf-8")).get("DASHBOARD_SALT", ""))
        except tomllib.TOMLDecodeError:
            value = ""
    return value.encode("utf-8") if value else None


def is_demo_salt(salt: bytes) -> bool:
    """True for the demo's public salt (spaces around it ignored)."""
    return salt.strip() == DEMO_SALT.encode("utf-8")


def demo_problem(raw_dir: Path) -> str | None:
    """Why the demo salt may not pseudonymise `raw_dir`; None for a demo folder that
    `python -m dashboard.demo` wrote and nobody changed (its marker, file by file)."""
    try:
        files = raw_files(raw_dir)
    except FileProblem as e:
        return str(e)
    return demo_folder_problem(raw_dir, files)


def _warm(folder: Path, args: argparse.Namespace) -> dict:
    """The standard views' answers, stored in the finished extract before it is published."""
    # In-process and without Streamlit: warm calls the metric functions, not the pages.
    from dashboard import warm

    return warm.run(folder, regions=not args.warm_country_only,
                    log=(lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.clean",
        description="Clean raw field extracts into validated, pseudonymised Parquet tables.")
    parser.add_argument("raw_dir", type=Path, help="folder of raw files (hubs*, participants*, …)")
    parser.add_argument("clean_dir", type=Path, help="output folder; replaced only when the run succeeds")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--no-warm", action="store_true",
                        help="do not store the standard views' answers (python -m dashboard.warm) after cleaning")
    parser.add_argument("--warm-country-only", action="store_true",
                        help="store the answers of the whole-country views only, not of each region")
    parser.add_argument("--demo-salt", action="store_true",
                        help="pseudonymise with the demo's public salt instead of DASHBOARD_SALT; accepted only "
                             "for a folder written by python -m dashboard.demo (scripts/start.sh uses it)")
    args = parser.parse_args(argv)
    salt = DEMO_SALT.encode("utf-8") if args.demo_salt else salt_from_environment()
    if salt is None:
        print("error: no pseudonymisation salt: set DASHBOARD_SALT (or DASHBOARD_SALT in "
              f".streamlit/secrets.toml) to a long secret value, e.g. the output of {MAKE_SALT}", file=sys.stderr)
        return 2
    if is_demo_salt(salt):
        # The demo salt is public: with it, a name, birth year and phone give a person's key.
        problem = demo_problem(args.raw_dir)
        if problem:
            print(f"error: the demo salt is public and pseudonymises only the generated demo, and {problem}. "
                  f"Set DASHBOARD_SALT (or DASHBOARD_SALT in .streamlit/secrets.toml) to a secret value of "
                  f"your own, e.g. the output of {MAKE_SALT}, and keep it for every run on this data. "
                  f"Nothing was written; {args.clean_dir} is as it was.", file=sys.stderr)
            return 2
        recipe = read_marker(args.raw_dir) or {}
        print(f"note: cleaning the generated demo (seed {recipe.get('seed')}, {recipe.get('people')} people) "
              "with the demo's public salt", file=sys.stderr)
    try:
        memory_mb = settings.clean_memory_mb()
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    warmed: list[dict] = []
    store_answers = None if args.no_warm else (lambda folder: warmed.append(_warm(folder, args)))
    try:
        report = run(args.raw_dir, args.clean_dir, salt, progress=not args.quiet,
                     salt_kind="demo" if is_demo_salt(salt) else "secret", before_publish=store_answers)
    except (FileProblem, PipelineError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 1
    except (duckdb.OutOfMemoryException, MemoryError):
        print(f"error: the cleaning run ran out of memory (the database engine may use {memory_mb:,} MB, "
              "DASHBOARD_CLEAN_MEMORY_MB, and spills the rest to disk beside the output folder). Free memory "
              f"or disk space, or raise DASHBOARD_CLEAN_MEMORY_MB, and run again. Nothing was written; "
              f"{args.clean_dir} is as it was.", file=sys.stderr)
        return 1
    except duckdb.Error as e:
        first = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
        print(f"error: the database engine failed while assembling the tables ({first}). Nothing was written; "
              f"{args.clean_dir} is as it was.", file=sys.stderr)
        return 1
    rows_in = sum(f["rows_in"] for f in report["files"].values())
    quarantined = sum(f["quarantined"] for f in report["files"].values())
    duplicates = sum(f["duplicates"] for f in report["files"].values())
    print(f"cleaned {rows_in:,} rows from {len(report['files'])} files in {time.perf_counter() - started:.1f} s: "
          f"{quarantined:,} quarantined, {duplicates:,} duplicates dropped; data date {report['data_date']}; "
          f"wrote {args.clean_dir}", file=sys.stderr)
    placement = report.get("placement", {})
    at_settlement = placement.get("settlement", 0)
    off_map = sum(n for kind, n in placement.items() if kind not in ("coordinates", "settlement"))
    if at_settlement or off_map:
        print(f"hubs without coordinates: {at_settlement:,} placed at their settlement, {off_map:,} not on the map "
              "(listed with the reason on the Data quality page)", file=sys.stderr)
    for result in warmed:
        print(f"stored {result['answers']:,} answers of the standard views ({result['views']} views) "
              f"in {result['seconds']:.1f} s", file=sys.stderr)
        for problem in result["problems"][:5]:
            print(f"warning: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
