"""Words of the Network & capacity page (dashboard.wording.network): months to clear a waiting list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.i18n import Translator
from dashboard.wording.network import months_text


@pytest.mark.parametrize("value, trained, reported, expected", [
    (4.26, 12, True, "4.3"), (np.nan, 0, True, "cannot be cleared: no training reported"),
    (np.nan, pd.NA, True, "—"), (np.nan, 0, False, "unknown: the centres sent no class reports"),
])
def test_months_to_clear_words(value, trained, reported, expected):
    assert months_text(value, trained, Translator("en", 10), reported) == expected
