"""Shared words (dashboard.wording.common): estimates with intervals, the view in words, indicator values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.wording.common import describe_scope, estimate, indicator_text

D = dt.date
EN, UK = Translator("en", 10), Translator("uk", 10)


@pytest.mark.parametrize("tr, args, kwargs, expected", [
    (EN, (0.169, 0.1666, 0.1726), {}, "16.9% (95% CI 16.7% – 17.3%)"),
    (UK, (2.5, 2.25, 2.75), {"percent": False, "digits": 2}, "2,50 (95 % ДІ 2,25 – 2,75)"),
    (EN, (pd.NA, 0.1, 0.2), {}, "—"),
    (EN, (0.5, np.nan, np.nan), {}, "50.0%"),
])
def test_interval_words(tr, args, kwargs, expected):
    assert estimate(tr, *args, **kwargs).replace("\u00a0", " ") == expected


@pytest.mark.parametrize("f, names, expected", [
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05", "UA-32"),
             gender=("female",), age_band=("60_69", "70_plus")),
     {"UA-05": "Vinnytsia Oblast", "UA-32": "Kyiv Oblast"},
     "Vinnytsia Oblast, Kyiv Oblast; age: 60–69, 70+; gender: women"),
    (Filters("ua_hubs", D(2024, 1, 1), D(2024, 1, 2)), {}, ""),
])
def test_describe_scope(f, names, expected):
    assert describe_scope(f, EN, names) == expected


@pytest.mark.parametrize("value, key, expected", [
    (1234, "people", "1,234"), (0.17, "library_share", "17.0%"), (0.032, "change_pp", "+3.2 pp"),
    (3.44, "hubs_per_100k", "3.4"), (pd.NA, "share_after", "—"), (None, "hubs", "—"),
])
def test_indicator_text(value, key, expected):
    assert indicator_text(value, key, EN) == expected
