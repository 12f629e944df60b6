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
        # A fifth short of what is due by the data date is within what a late report or a slow month
        # explains: at risk, not yet off track.
        Setting("DASHBOARD_PROGRESS_AT_RISK", "0.8",
                "Cut-off between the Progress page's statuses \"at risk\" and \"off track\": an actual "
                "that reaches this share of the part of its target due by the data date is at risk, one "
                "below it off track (a number over 0 and at most 1; 1 leaves no one at risk)."),
        # About two hours on foot or half an hour by a rural bus: the distance within which people are
        # taken to be able to reach a hub.
        Setting("DASHBOARD_COVERAGE_KM", "10",
                "Coverage page: a settlement is within reach when it lies this many kilometres or less, "
                "great-circle, from an active hub (a number over 0 and at most 100)."),
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
        # The cleaning run's database engine works within this budget and spills the rest to disk
        # beside the output folder; the run's own memory (chunks of raw rows) comes on top of it.
        Setting("DASHBOARD_CLEAN_MEMORY_MB", "512",
                "Memory the cleaning run's database engine (DuckDB) may use, in MB; what does not fit "
                "is written to a scratch folder beside the output folder and removed after the run."),
        # Files made on request (press kits, fact sheets, chart files) take seconds of processor time
        # each: without a bound, a few visitors exporting at once starved every page view of the process.
        Setting("DASHBOARD_EXPORT_SLOTS", "1",
                "Most files (press kits, fact sheets, chart files) one app process makes at once on "
                "request; further requests wait their turn. The release's standard files are served "
                "as they are and take no turn."),
        Setting("DASHBOARD_EXPORT_WAIT", "60",
                "Longest wait for a turn to make a file, in seconds; a visitor who waited longer is "
                "told the site is busy and to try again."),
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


def progress_at_risk() -> float:
    """The share of what is due by now that an actual must reach to be "at risk" rather than "off track" (0 < x ≤ 1)."""
    return _positive("DASHBOARD_PROGRESS_AT_RISK", 1, "0.8: 80% of what is due")


def clean_memory_mb() -> int:
    """The cleaning run's DuckDB memory budget, in MB (64..1,000,000)."""
    return _whole("DASHBOARD_CLEAN_MEMORY_MB", 64, 1_000_000)


def coverage_km() -> float:
    """The Coverage page's reach of a hub, in km (0 < x ≤ 100)."""
    return _positive("DASHBOARD_COVERAGE_KM", 100, "kilometres")


def _positive(name: str, high: float, unit: str) -> float:
    """A number over 0 and at most `high` (a decimal comma read as a point)."""
    raw = SETTINGS[name].get().strip()
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw[:20]!r}") from None
    if not 0 < value <= high:
        raise ValueError(f"{name} must be over 0 and at most {high:g} ({unit})")
    return value


def export_slots() -> int:
    """How many files one process makes at once on request (1..16)."""
    return _whole("DASHBOARD_EXPORT_SLOTS", 1, 16)


def export_wait() -> int:
    """The longest wait for a turn to make a file, in seconds (1..3600)."""
    return _whole("DASHBOARD_EXPORT_WAIT", 1, 3600)


def _whole(name: str, low: int, high: int) -> int:
    raw = SETTINGS[name].get().strip()
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw[:20]!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


GEO_DIR = ROOT / "data" / "geo"
