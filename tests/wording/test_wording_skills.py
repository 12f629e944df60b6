"""Words of the Skills page (dashboard.wording.skills): who gains least, and whether it may be chance."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import Translator
from dashboard.wording.skills import least_gain


def test_who_gains_least_says_when_it_may_be_noise():
    tr = Translator("en", 10)
    frame = pd.DataFrame({"value": ["female", "male", "unknown"], "gain_mean": [2.0, 3.0, 0.1],
                          "gain_mean_lo": [1.8, 2.9, -1.0], "gain_mean_hi": [2.2, 3.1, 1.2]})
    text = least_gain(frame, "gender", tr)
    assert text.startswith("The smallest gain is for women: 2.00") and "unlikely to be chance" in text
    frame.loc[0, "gain_mean_hi"] = 2.95  # now the intervals overlap
    assert "may be chance" in least_gain(frame, "gender", tr)
    assert least_gain(frame.iloc[[0, 2]], "gender", tr) == tr("skills.least_none")  # "not stated" is not ranked
