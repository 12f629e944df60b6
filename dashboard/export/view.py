"""Export layer: the View — what an exported file shows (filters, protection) and in which words —
and the sources its figures come from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dashboard.filters import Filters
from dashboard.i18n import Translator, translator
from dashboard.metrics.live import Live
from dashboard.privacy import Rule
from dashboard.release.source import Release
from dashboard.release.tables import is_release
from dashboard.store.database import Database

Source = Live | Release  # where an export takes its figures from (same methods, same frames)


@dataclass(frozen=True)
class View:
    """What an export shows and in which words: filters, language, region names (from the
    source's regions table), data date, the privacy Rule its figures are protected with, and the
    manifest of the release they come from (None: live figures), and whether its headline counts
    are the official totals."""

    filters: Filters
    lang: str
    region_names: Mapping[str, str]
    data_date: dt.date | None
    rule: Rule
    release: dict | None = None
    official: bool = False  # the view's headline counts are the official (exact, published) totals

    @property
    def tr(self) -> Translator:
        return translator(self.lang, self.rule.k)


def source_folder(src: Source) -> Path:
    """The folder a source reads: the release's, or the extract's."""
    return src.folder if isinstance(src, Release) else src.db.folder


def open_source(folder: Path, rule: Rule) -> Source:
    """The source of `folder`: its release when it is one, else its extract, live with `rule`."""
    folder = Path(folder)
    return Release(folder) if is_release(folder) else Live(Database(folder), rule)
