"""`python -m dashboard.release CLEAN_DIR RELEASES_DIR --name NAME`: compute a protected release.

`python -m dashboard.release --approve NAME [RELEASES_DIR] --by WHO` approves one and writes its
standard files (the press kits and fact sheets of its default view: dashboard.export.standard;
`--no-files` leaves them out), `python -m dashboard.release --files NAME [RELEASES_DIR]` writes
them for a release approved without them, and `python -m dashboard.release --list [RELEASES_DIR]`
lists the releases. RELEASES_DIR defaults to the DASHBOARD_RELEASES_DIR setting. The privacy rule
is the deployment's (DASHBOARD_MIN_COUNT, DASHBOARD_NOISE) and is recorded in the manifest.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from dashboard import privacy, settings
from dashboard.release import catalogue
from dashboard.release.build import ReleaseError, build
from dashboard.store.database import DataUnavailable


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dashboard.release", description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path,
                        help="CLEAN_DIR RELEASES_DIR to build; RELEASES_DIR alone with --approve or --list")
    parser.add_argument("--name", help="the new release's name, e.g. 2024-annual (lower case, digits, . _ -)")
    parser.add_argument("--approve", metavar="NAME", help="approve the release NAME")
    parser.add_argument("--by", help="who approves (default: the user running the command)")
    parser.add_argument("--no-files", action="store_true",
                        help="with --approve: leave out the standard files (write them later with --files)")
    parser.add_argument("--files", metavar="NAME",
                        help="write the standard files (press kits, fact sheets) of the approved release NAME")
    parser.add_argument("--list", action="store_true", help="list the releases and which is current")
    return parser.parse_args(argv)


def _releases_dir(args: argparse.Namespace, position: int) -> Path:
    return args.folders[position] if len(args.folders) > position else settings.releases_dir()


def _write_files(root: Path, name: str) -> None:
    """Write the standard files of the approved release `name`, saying what each took."""
    from dashboard.export import standard  # the export layer's files; loaded only to write them

    def progress(message: str) -> None:
        print(f"{name}: {message}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    entry = catalogue.add_files(root, name, lambda e, out: standard.write_release(e.folder, e.manifest, out, progress))
    print(f"wrote {len(entry.manifest['files'])} standard files of {name} in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)


def _write_approved_files(root: Path, name: str) -> int:
    """The standard files of a release just approved: a failure says that the approval stands and
    how to write the files later (nothing of them is kept, see catalogue.add_files)."""
    try:
        _write_files(root, name)
    except Exception as exc:  # noqa: BLE001 - whatever stopped the files, the approval is recorded
        reason = str(exc) if isinstance(exc, ReleaseError) else f"{type(exc).__name__}: {exc}"
        print(f"error: {name} is approved and published, but its standard files were not written ({reason}); "
              f"none of them was kept. Write them with: python -m dashboard.release --files {name} {root}",
              file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        if args.list:
            root = _releases_dir(args, 0)
            now = catalogue.current(root)
            for entry in catalogue.releases(root):
                approval = entry.manifest.get("approval") or {}
                state = f"approved by {approval.get('by')} {approval.get('at')}" if entry.approved else "draft"
                mark = "*" if now is not None and entry.name == now.name else " "
                print(f"{mark} {entry.name}  created {entry.created}  {state}")
            return 0
        if args.approve:
            entry = catalogue.approve(_releases_dir(args, 0), args.approve, args.by or getpass.getuser())
            print(f"approved {entry.name} ({entry.manifest['approval']['by']}, {entry.manifest['approval']['at']})",
                  file=sys.stderr)
            if not args.no_files:
                return _write_approved_files(_releases_dir(args, 0), entry.name)
            return 0
        if args.files:
            _write_files(_releases_dir(args, 0), args.files)
            return 0
        if len(args.folders) != 2 or not args.name:
            print("error: give CLEAN_DIR RELEASES_DIR and --name NAME (or --approve NAME, or --list)", file=sys.stderr)
            return 2
        rule = privacy.from_settings()
        folder = build(args.folders[0], args.folders[1], args.name, rule,
                       progress=lambda m: print(m, file=sys.stderr, flush=True))
        print(f"wrote release {args.name} to {folder}; approve it with: python -m dashboard.release "
              f"--approve {args.name} {args.folders[1]}", file=sys.stderr)
        return 0
    except (ReleaseError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DataUnavailable as exc:
        print(f"error: {args.folders[0]}: not a readable cleaned extract ({exc.problem})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
