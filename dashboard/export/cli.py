"""Export layer: the command line, `python -m dashboard.export presskit|factsheet ...`.

Filters are options with the app's codes (ISO 3166-2 regions, vocabulary codes of the
participant group, ISO dates); the default period is the programme's whole span, as in the
app. A bad option or value is answered with one line on stderr and exit code 2; unreadable data
with exit code 1; nothing ever ends in a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from dashboard import contract, filters, privacy, settings
from dashboard.export import factsheet, presskit, registry, sheet
from dashboard.export.view import Source
from dashboard.filters import SEGMENTS, Filters
from dashboard.metrics.live import Live
from dashboard.store.database import Database, DataUnavailable

PROG = "python -m dashboard.export"
EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
EXAMPLES = """examples:
  python -m dashboard.export presskit kit.zip --region UA-05 --from 2024-01-01 --to 2024-12-31 \\
      --age 60_69 --age 70_plus --gender female --lang uk
  python -m dashboard.export factsheet vinnytsia.pdf --region UA-05 --from 2024-01-01 --to 2024-12-31
  python -m dashboard.export factsheet --all-regions factsheets/ --lang en
"""


class UsageError(Exception):
    """A value the options parser accepted but the data does not (an unknown region, say)."""


def _date(text: str) -> dt.date:
    day = filters.parse_date(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"not a date of the form YYYY-MM-DD: {text[:40]!r}")
    return day


def _filter_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (as in the app's sidebar; default: everything)")
    group.add_argument("--programme", choices=contract.PROGRAMMES, default=filters.DEFAULT_PROGRAMME,
                       help="programme (default: %(default)s)")
    group.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD",
                       help="first day of the period (default: the programme's first year)")
    group.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD",
                       help="last day of the period (default: the data date)")
    group.add_argument("--region", action="append", default=[], metavar="ISO",
                       help="ISO 3166-2 code of a region, e.g. UA-05 (repeat for several)")
    for name, (_column, vocab) in SEGMENTS.items():
        group.add_argument(f"--{name}", action="append", default=[], choices=vocab, metavar="CODE",
                           help=f"participant group: {', '.join(vocab)} (repeat for several)")
    out = parser.add_argument_group("output")
    out.add_argument("--lang", choices=filters.LANGUAGES, default=filters.DEFAULT_LANGUAGE,
                     help="language of the files (default: %(default)s)")
    out.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                     help="folder of cleaned extracts (default: DASHBOARD_DATA_DIR, else data/clean)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of both commands (shared filter options)."""
    parser = argparse.ArgumentParser(
        prog=PROG, allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Press-ready files of the Digital Education Hubs dashboard: a press kit (ZIP of charts as PNG, SVG "
            "and CSV with a text file of headline figures) or two-page region fact sheets (PDF). Small counts of "
            "people are hidden exactly as on screen. Run `python -m dashboard.export COMMAND --help` for the "
            "options of a command.", 88),
        epilog=EXAMPLES)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{presskit,factsheet}")
    kit = commands.add_parser("presskit", help="write a press kit ZIP", allow_abbrev=False,
                              description="Write a press kit: every chosen chart as PNG, SVG and CSV, and README_<lang>.txt.")
    kit.add_argument("out", type=Path, metavar="OUT.zip", help="the ZIP file to write")
    kit.add_argument("--figure", action="append", default=None, choices=list(registry.FIGURES), metavar="NAME",
                     help=f"a chart to include: {', '.join(registry.FIGURES)} (repeat; default: "
                          f"{', '.join(registry.default_names())})")
    _filter_options(kit)
    sheet = commands.add_parser("factsheet", help="write two-page fact sheets (PDF)", allow_abbrev=False,
                                description="Write a two-page fact sheet for one region (--region) or the whole "
                                            "country, or one per region and one for the country (--all-regions DIR).")
    sheet.add_argument("out", type=Path, nargs="?", metavar="OUT.pdf", help="the PDF to write")
    sheet.add_argument("--all-regions", type=Path, metavar="OUTDIR",
                       help="write factsheet_<ISO>_<lang>.pdf for every region, and the whole country, into OUTDIR")
    _filter_options(sheet)
    return parser


def _filters(src: Source, args: argparse.Namespace) -> Filters:
    known = set(sheet.programme_regions(src, args.programme)["region_code"])
    unknown = [code for code in args.region if code not in known]
    if unknown:
        raise UsageError(f"unknown region code for {args.programme}: {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(known))})")
    spans, _phases, _countries = filters.spans_by_programme(src.programme_spans())
    first, last = spans.get(args.programme, (None, None))
    default = filters.default_period(first, last, src.data_date())
    start, end = args.start or default[0], args.end or default[1]
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    segment = {column: tuple(sorted(set(getattr(args, name)))) for name, (column, _v) in SEGMENTS.items()}
    return Filters(programme=args.programme, start=start, end=end, regions=tuple(sorted(set(args.region))), **segment)


def _write(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise UsageError(f"no such folder for {path}: {path.parent}")
    path.write_bytes(data)
    print(f"wrote {path} ({len(data):,} bytes)")


def run(args: argparse.Namespace) -> int:
    """Carry out a parsed command; returns the exit code."""
    folder = args.data_dir or settings.data_dir()
    rule = privacy.from_settings()  # read once: every file of the command is protected alike
    db = Database(folder)
    src = Live(db, rule)
    try:
        f = _filters(src, args)
        view = registry.make_view(src, f, args.lang)
        if args.command == "presskit":
            _write(args.out, presskit.build_kit(src, view, args.figure))
        elif args.all_regions:
            if args.out or f.regions:
                raise UsageError("--all-regions writes every region: give neither OUT.pdf nor --region")
            for path in factsheet.write_all(src, view, args.all_regions):
                print(f"wrote {path}")
        else:
            if args.out is None:
                raise UsageError("give OUT.pdf, or --all-regions OUTDIR")
            if len(f.regions) > 1:
                raise UsageError("a fact sheet is for one region (--region ISO) or the whole country (no --region)")
            _write(args.out, factsheet.pdf_bytes(src, view, f.regions[0] if f.regions else None))
    finally:
        db.close()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, and turn every expected failure into one line and an exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with 2 and a usage line on a bad option
    try:
        return run(args)
    except UsageError as exc:
        parser.exit(EXIT_USAGE, f"{PROG}: error: {exc}\n")
    except DataUnavailable as exc:
        missing = f" (missing: {', '.join(exc.missing)})" if exc.missing else ""
        print(f"{PROG}: error: cannot read the cleaned data in {exc.folder}: {exc.problem}{missing}. "
              "Name the folder with --data-dir or DASHBOARD_DATA_DIR.", file=sys.stderr)
    except ValueError as exc:  # a bad setting (DASHBOARD_MIN_COUNT, DASHBOARD_NOISE)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"{PROG}: error: cannot write: {exc.strerror or exc} ({exc.filename})", file=sys.stderr)
    return EXIT_DATA
