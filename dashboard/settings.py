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
        Setting("DASHBOARD_SALT", "",
                "Secret salt for pseudonymous person keys; required by the pipeline outside the demo."),
    )
}


def data_dir() -> Path:
    """Folder of the cleaned extracts: DASHBOARD_DATA_DIR, resolved against the project root."""
    p = Path(SETTINGS["DASHBOARD_DATA_DIR"].get())
    return p if p.is_absolute() else ROOT / p


GEO_DIR = ROOT / "data" / "geo"
