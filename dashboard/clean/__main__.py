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

from dashboard.clean.pipeline import PipelineError, run
from dashboard.clean.readers import FileProblem
from dashboard.settings import ROOT

SECRETS = ROOT / ".streamlit" / "secrets.toml"


def salt_from_environment() -> bytes | None:
    """The pseudonymisation salt: DASHBOARD_SALT, else `DASHBOARD_SALT` in Streamlit secrets."""
    value = os.environ.get("DASHBOARD_SALT", "")
    if not value and SECRETS.is_file():
        try:
            value = str(tomllib.loads(SECRETS.read_text(encoding="utf-8")).get("DASHBOARD_SALT", ""))
        except tomllib.TOMLDecodeError:
            value = ""
    return value.encode("utf-8") if value else None


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
    args = parser.parse_args(argv)
    salt = salt_from_environment()
    if salt is None:
        print("error: no pseudonymisation salt: set DASHBOARD_SALT (or DASHBOARD_SALT in "
              ".streamlit/secrets.toml) to a long secret value", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        report = run(args.raw_dir, args.clean_dir, salt, progress=not args.quiet)
    except (FileProblem, PipelineError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 1
    rows_in = sum(f["rows_in"] for f in report["files"].values())
    quarantined = sum(f["quarantined"] for f in report["files"].values())
    duplicates = sum(f["duplicates"] for f in report["files"].values())
    print(f"cleaned {rows_in:,} rows from {len(report['files'])} files in {time.perf_counter() - started:.1f} s: "
          f"{quarantined:,} quarantined, {duplicates:,} duplicates dropped; data date {report['data_date']}; "
          f"wrote {args.clean_dir}", file=sys.stderr)
    if not args.no_warm:
        # In-process and without Streamlit: warm calls the metric functions, not the pages.
        from dashboard import warm

        result = warm.run(args.clean_dir, regions=not args.warm_country_only,
                          log=(lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr)))
        print(f"stored {result['answers']:,} answers of the standard views ({result['views']} views) "
              f"in {result['seconds']:.1f} s", file=sys.stderr)
        for problem in result["problems"][:5]:
            print(f"warning: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
