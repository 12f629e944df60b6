"""Settings layer: every setting, declared once with its name, default and help."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    def get(self) -> str:
        return os.environ.get(self.name, self.default)


SETTINGS = {
    s.name: s
    for s in (
        Setting("DASHBOARD_DATA_DIR", "data/clean",
                "Folder of cleaned extracts the app and tools read (relative to the project root)."),
        Setting("DASHBOARD_RELEASES_DIR", "data/releases",
                "Folder of protected releases (python -m dashboard.release): a public deployment shows the "
                "approved release created last (relative to the project root)."),
        Setting("DASHBOARD_SALT", "",
                "Secret salt for pseudonymous person keys; required by the pipeline outside the demo."),
        Setting("DASHBOARD_MODE", "public",
                "`public`: aggregates only, small counts always suppressed. `internal`: hub-level detail "
                "for ministry staff, behind sign-in (needs an identity provider in .streamlit/secrets.toml)."),
        Setting("DASHBOARD_MIN_COUNT", "10",
                "k: the smallest count of people shown; counts of 1..k-1 are suppressed."),
        Setting("DASHBOARD_BASEMAP", "",
                "`carto` draws Carto's light tiles under the map when they can be reached; empty (the "
                "default) draws boundaries and points with no tiles and no outside requests."),
        Setting("DASHBOARD_NOISE", "2",
                "Largest change the cell-key method makes to a shown count of people (0 turns it off, "
                "which allows exact differencing between views: only for tests and internal use)."),
        # Limits on raw files, so that a hostile or broken file stops the cleaning run with a message
        # instead of exhausting the machine (dashboard/clean/readers.py enforces them).
        Setting("DASHBOARD_MAX_FILE_MB", "10000",
                "Largest raw file (CSV or XLSX) the pipeline reads, in MB (1 MB = 1,000,000 bytes)."),
        Setting("DASHBOARD_MAX_ROWS", "50000000",
                "Most rows in one raw file, title, header and blank rows included (an XLSX sheet holds "
                "at most 1,048,576 whatever this says)."),
        Setting("DASHBOARD_MAX_LINE_LENGTH", "1000000",
                "Longest row of a raw file: a CSV line or quoted multi-line row, header included, in "
                "characters; an XLSX sheet row or shared string, in bytes of its XML."),
        Setting("DASHBOARD_MAX_XLSX_MB", "1000",
                "Largest size an XLSX workbook expands to (its parts uncompressed), in MB; checked in "
                "the ZIP directory before the workbook is opened."),
        Setting("DASHBOARD_MAX_XLSX_RATIO", "100",
                "Largest compression ratio of a part of an XLSX workbook over 1 MB (uncompressed size "
                "÷ compressed size); a higher one is a decompression bomb (real sheets compress 5–20×)."),
    )
}


def data_dir() -> Path:
    """Folder of the cleaned extracts: DASHBOARD_DATA_DIR, resolved against the project root."""
    p = Path(SETTINGS["DASHBOARD_DATA_DIR"].get())
    return p if p.is_absolute() else ROOT / p


def releases_dir() -> Path:
    """Folder of the releases: DASHBOARD_RELEASES_DIR, resolved against the project root."""
    p = Path(SETTINGS["DASHBOARD_RELEASES_DIR"].get())
    return p if p.is_absolute() else ROOT / p


def mode() -> str:
    """Deployment mode, `public` or `internal`; anything else is refused."""
    value = SETTINGS["DASHBOARD_MODE"].get().strip().lower()
    if value not in ("public", "internal"):
        raise ValueError(f"DASHBOARD_MODE must be 'public' or 'internal', not {value[:40]!r}")
    return value


def basemap_enabled() -> bool:
    """Whether the optional light basemap is on: DASHBOARD_BASEMAP=carto (default off, no tiles)."""
    return SETTINGS["DASHBOARD_BASEMAP"].get().strip().lower() == "carto"


def min_count() -> int:
    """k for small-number suppression (at least 2)."""
    raw = SETTINGS["DASHBOARD_MIN_COUNT"].get()
    try:
        k = int(raw)
    except ValueError:
        raise ValueError(f"DASHBOARD_MIN_COUNT must be a whole number, not {raw[:20]!r}") from None
    if k < 2:
        raise ValueError("DASHBOARD_MIN_COUNT must be at least 2")
    return k


def noise() -> int:
    """The largest perturbation of a shown count of people (0..5)."""
    raw = SETTINGS["DASHBOARD_NOISE"].get()
    try:
        d = int(raw)
    except ValueError:
        raise ValueError(f"DASHBOARD_NOISE must be a whole number, not {raw[:20]!r}") from None
    if not 0 <= d <= 5:
        raise ValueError("DASHBOARD_NOISE must be between 0 and 5")
    return d


GEO_DIR = ROOT / "data" / "geo"
