"""Presentation layer: the Context every page is given (language, filters, choices, where the data is)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.filters import Choices, Filters
from dashboard.i18n import Translator, translator
from dashboard.privacy import Rule
from dashboard.store.database import QUARANTINE_TABLE
from dashboard.ui import cache


@dataclass(frozen=True)
class Context:
    """Everything a page needs: language, filters, choices and where the data is."""

    lang: str
    filters: Filters
    choices: Choices
    folder: str
    version: str
    data_date: dt.date | None
    region_names: dict[str, str]
    data_start: dt.date
    rule: Rule  # the protection in force: the release's, or read once per script run (privacy.from_settings)
    hub_detail: bool = False  # hub-level detail may be shown: a signed-in visitor of internal mode
    release: dict | None = None  # public mode: the manifest of the release shown (None: live figures)
    notices: tuple[str, ...] = ()  # what of the asked view the release does not hold (shown once per page)

    @property
    def tr(self) -> Translator:
        """The Translator of the page's language, writing "fewer than k" with the rule's k."""
        return translator(self.lang, self.rule.k)

    @property
    def k(self) -> int:
        return self.rule.k

    def report(self) -> tuple[dict, pd.DataFrame]:
        """The cleaning report and the quarantine counts per file and reason.

        When `quarantine.parquet` cannot be read (the store then gives it empty), the page that
        asked says so; the reasons then come from the report alone.
        """
        _regions, _spans, report, quarantine = cache.reference_tables(self.folder, self.version, self.rule)
        if self.release is None and QUARANTINE_TABLE in cache.database(self.folder, self.version).faults:
            st.warning(self.tr("fault.quarantine", file=f"{QUARANTINE_TABLE}.parquet"), icon=":material/warning:")
        return report, quarantine
