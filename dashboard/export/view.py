"""Export layer: the View — what an exported file shows (filters, protection) and in which words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from dashboard.filters import Filters
from dashboard.i18n import Translator, translator
from dashboard.privacy import Rule


@dataclass(frozen=True)
class View:
    """What an export shows and in which words: filters, language, region names (from the
    extract's regions table), data date, and the privacy Rule its figures are protected with."""

    filters: Filters
    lang: str
    region_names: Mapping[str, str]
    data_date: dt.date | None
    rule: Rule

    @property
    def tr(self) -> Translator:
        return translator(self.lang, self.rule.k)
