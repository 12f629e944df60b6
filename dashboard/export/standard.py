"""Export layer: a release's standard files — the press kit and the fact sheets of its default view, written once and handed out as they are.

The default view is what every visitor opens first: the default programme over its default
period, the whole country and every participant. Its files are the press kit (the preselected
charts) in each language and the fact sheet of the whole country and of each region in each
language, made by the same functions from the same View as the Exports page makes them, so the
page hands a visitor of that view the file itself instead of making it again.

They are written when the release is approved (`python -m dashboard.release --approve`, or
`--files` for a release approved on the Data quality page), not when it is computed: each file
names the release and the day it was published. `dashboard.release.catalogue.add_files` puts
them in the release's `files/` folder and lists each in the manifest with its SHA-256 and the
view it shows; `find` and `read` look one up for a view and read it back, checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from dashboard import filters
from dashboard.export import factsheet, presskit, registry, sheet
from dashboard.export.view import Source, View
from dashboard.filters import LANGUAGES, Filters
from dashboard.release.build import FILES
from dashboard.release.source import Release

log = logging.getLogger(__name__)

PRESS_KIT, FACT_SHEET = "press_kit", "fact_sheet"


@dataclass(frozen=True)
class Standard:
    """One standard file: what it is, its language and its view (a fact sheet's filters name its
    region; the whole country's none); a press kit's charts."""

    kind: str
    lang: str
    filters: Filters
    figures: tuple[str, ...] = ()

    @property
    def region(self) -> str | None:
        return self.filters.regions[0] if self.filters.regions else None


def default_filters(src: Source) -> Filters:
    """The view a visitor opens first (as the page's filters give it): the default programme
    (else the first) over its default period, the whole country, everyone; as the source holds it."""
    dates, _phases, _countries = filters.spans_by_programme(src.programme_spans())
    programmes = list(dates) or [filters.DEFAULT_PROGRAMME]
    programme = filters.DEFAULT_PROGRAMME if filters.DEFAULT_PROGRAMME in programmes else programmes[0]
    first, last = dates.get(programme, (None, None))
    start, end = filters.default_period(first, last, src.data_date())
    return src.view(Filters(programme=programme, start=start, end=end))[1]


def standard_files(src: Source) -> list[Standard]:
    """Every standard file of the source, in the order they are written: per language, the press
    kit, then the fact sheet of the whole country and of each region (by ISO code)."""
    f = default_filters(src)
    regions = sheet.programme_regions(src, f.programme)["region_code"].sort_values()
    out = []
    for lang in LANGUAGES:
        out.append(Standard(PRESS_KIT, lang, f, tuple(registry.default_names())))
        out += [Standard(FACT_SHEET, lang, replace(f, regions=(code,) if code else ()))
                for code in [None, *regions]]
    return out


def view_of(src: Source, item: Standard, release: Mapping | None = None) -> View:
    """The View the Exports page gives the file, with `release` as the manifest it names."""
    view = registry.make_view(src, item.filters, item.lang)
    return replace(view, release=dict(release)) if release is not None else view


def file_name(src: Source, item: Standard, view: View) -> str:
    """The file's name, as the Exports page names it."""
    if item.kind == PRESS_KIT:
        return presskit.kit_name(view)
    return factsheet.file_name(view, item.region, sheet.country_of(src, item.filters.programme))


def make(src: Source, item: Standard, view: View) -> bytes:
    """The file's bytes, made as the Exports page makes them."""
    if item.kind == PRESS_KIT:
        return presskit.build_kit(src, view, item.figures)
    return factsheet.pdf_bytes(src, view, item.region)


def write(src: Source, folder: Path, release: Mapping | None = None,
          progress: Callable[[str], None] = lambda _m: None) -> dict[str, dict]:
    """Write every standard file into `folder`; returns, per file name, what a manifest records:
    its kind, language, view, charts, size and SHA-256. `release` is the manifest the files name
    (default: the source's own)."""
    listed = {}
    for item in standard_files(src):
        started = time.perf_counter()
        view = view_of(src, item, release)
        name, data = file_name(src, item, view), make(src, item, view)
        (Path(folder) / name).write_bytes(data)
        f = item.filters
        listed[name] = {"kind": item.kind, "lang": item.lang, "programme": f.programme,
                        "from": f.start.isoformat(), "to": f.end.isoformat(), "regions": list(f.regions),
                        "figures": list(item.figures), "bytes": len(data),
                        "sha256": hashlib.sha256(data).hexdigest()}
        progress(f"{name} ({time.perf_counter() - started:.1f} s)")
    return listed


def write_release(folder: Path, manifest: Mapping, out: Path,
                  progress: Callable[[str], None] = lambda _m: None) -> dict[str, dict]:
    """The standard files of the release in `folder`, written into `out`, naming it as `manifest`
    says (the approved manifest, before the files are added to it)."""
    return write(Release(Path(folder)), out, manifest, progress)


def find(manifest: Mapping | None, kind: str, lang: str, f: Filters,
         figures: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """The path (inside the release folder) and SHA-256 of the standard file of that kind, language
    and view (a press kit: of those charts, in that order), or None when the release has none."""
    for path, meta in ((manifest or {}).get("files") or {}).items():
        try:
            if (meta["kind"], meta["lang"], tuple(meta.get("figures", ()))) != (kind, lang, tuple(figures)):
                continue
            held = Filters(programme=meta["programme"], start=dt.date.fromisoformat(meta["from"]),
                           end=dt.date.fromisoformat(meta["to"]), regions=tuple(meta["regions"]))
            if held == f:
                return str(path), str(meta["sha256"])
        except (KeyError, TypeError, ValueError):
            continue  # an entry this version does not read: that file is made on request instead
    return None


def read(folder: Path, path: str, sha256: str) -> bytes | None:
    """The bytes of the standard file `path` of the release in `folder`, or None (logged) when it
    is missing or not the file its manifest records (`sha256`)."""
    parts = PurePosixPath(path).parts
    if len(parts) != 2 or parts[0] != FILES or parts[1] in ("..", "."):
        return None
    try:
        data = (Path(folder) / FILES / parts[1]).read_bytes()
    except OSError as exc:
        log.warning("release %s: standard file %s cannot be read (%s)", Path(folder).name, path, exc)
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        log.warning("release %s: %s is not the file its manifest records", Path(folder).name, path)
        return None
    return data
