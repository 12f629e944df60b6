"""Pipeline layer: what a raw file may hold (the DASHBOARD_MAX_* settings) and the error a file ends in."""

from __future__ import annotations

from dataclasses import dataclass, fields

from dashboard.settings import SETTINGS

MB = 1_000_000
# Excel's grid holds at most this many rows: a sheet that holds or declares more is not Excel's.
EXCEL_ROWS = 1_048_576


class FileProblem(Exception):
    """A whole raw file cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Limits:
    """What one raw file may hold; each field is read from the setting of `LIMIT_SETTINGS`."""

    file_mb: int
    rows: int
    line: int
    xlsx_mb: int
    xlsx_ratio: int


LIMIT_SETTINGS = {"file_mb": "DASHBOARD_MAX_FILE_MB", "rows": "DASHBOARD_MAX_ROWS",
                  "line": "DASHBOARD_MAX_LINE_LENGTH", "xlsx_mb": "DASHBOARD_MAX_XLSX_MB",
                  "xlsx_ratio": "DASHBOARD_MAX_XLSX_RATIO"}


def limits() -> Limits:
    """The limits on raw files, from the settings; a value that is not a whole number above 0 is refused."""
    values = {}
    for field in fields(Limits):
        name = LIMIT_SETTINGS[field.name]
        raw = SETTINGS[name].get().strip()
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1:
            raise FileProblem(f"{name} must be a whole number above 0, not {raw[:20]!r}")
        values[field.name] = value
    return Limits(**values)
