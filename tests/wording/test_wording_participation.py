"""Words of the Participation page (dashboard.wording.participation): the funnel's labels, the running total's summary."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.i18n import Translator
from dashboard.metrics.participation import CASCADE_STAGES
from dashboard.wording import participation as wording

D = dt.date


def test_funnel_labels():
    tr = Translator("en", 10)
    frame = wording.funnel_frame(pd.DataFrame({"stage": list(CASCADE_STAGES),
                                               "value": pd.array([pd.NA, 117, 1856, 4786, 59732], dtype="Int64"),
                                               "ratio": pd.array([pd.NA, pd.NA, 15.86, 2.58, 12.48], dtype="Float64")}), tr)
    assert frame["text"].tolist() == ["not recorded in the data", "117", "1,856 (× 15.9)", "4,786 (× 2.6)",
                                      "59,732 (× 12.5)"]


def _cumulative(totals: list) -> pd.DataFrame:
    months = pd.date_range("2024-01-01", periods=len(totals), freq="MS")
    return pd.DataFrame({"month": months, "people_total": pd.array(totals, dtype="Int64")})


def test_cumulative_words_with_a_target():
    tr = Translator("en", 10)
    text = wording.cumulative_summary(_cumulative([0, 0, 21, 21, 21, 32, 32, 32, 32, 32, 32, 32]), tr,
                                      {"target": 64, "by": D(2026, 12, 31), "source": "Plan"})
    assert text == ("By December 2024, 32 different people had been trained in this selection. "
                    "Target: 64 people by 31 December 2026; reached 50.0% (source: Plan).")


def test_cumulative_words_name_the_k_of_hidden_months():
    tr = Translator("en", 7)
    text = wording.cumulative_summary(_cumulative([pd.NA, 12]), tr, None)
    assert text.startswith("By February 2024, 12 different people had been trained in this selection.")
    assert "7" in text.split(".", 1)[1]  # the hidden months' note names this Translator's k


def test_a_translator_without_k_writes_no_hidden_count():
    # Like Translator.count(None) and fewer_than(): the hidden months' note needs the k, never "fewer than —".
    with pytest.raises(ValueError):
        wording.cumulative_summary(_cumulative([pd.NA, 12]), Translator("en"), None)
