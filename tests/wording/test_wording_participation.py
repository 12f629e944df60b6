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


@pytest.mark.parametrize("lang, expected", [
    ("en", [("Coordinators per trainer", "× —: 1,856 from fewer than 10"),
            ("Active hubs per coordinator", "× 2.6: 4,786 from 1,856"),
            ("People per active hub", "× 12.5: 59,732 from 4,786")]),
    ("uk", [("Координаторів на тренера", "× —: 1 856 з менше 10"),
            ("Активних хабів на координатора", "× 2,6: 4 786 з 1 856"),
            ("Людей на активний хаб", "× 12,5: 59 732 з 4 786")]),
])
def test_cascade_steps_in_words(lang, expected):
    # Trainers hidden (fewer than k): the ratio built on them is hidden too, and drawn as no bar.
    frame = wording.ratio_frame(pd.DataFrame({"stage": list(CASCADE_STAGES),
                                              "value": pd.array([pd.NA, pd.NA, 1856, 4786, 59732], dtype="Int64"),
                                              "ratio": pd.array([pd.NA, pd.NA, pd.NA, 2.58, 12.48], dtype="Float64")}),
                                Translator(lang, 10))
    hidden = "hidden" if lang == "en" else "приховано"
    got = [(label, text.replace("\u00a0", " ").replace("\u202f", " ")) for label, text in zip(frame["label"], frame["text"])]
    assert got == [(label, text.replace("—", hidden)) for label, text in expected]
    assert pd.isna(frame["value"].iloc[0]) and frame["value"].iloc[1:].round(2).tolist() == [2.58, 12.48]


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
