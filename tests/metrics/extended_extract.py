"""The fixture extract of tests/conftest.py, extended for the analytics pages' metrics (not a test module).

A Lviv Oblast hub whose 11 people gave a rating before training and none after (a region with no
post ratings), a second Kemerovo group and a Kemerovo centre that keeps a waiting list but never
reported a class. Test modules of this folder take the fixtures by importing them:
`from extended_extract import ext, ext_dir` (pytest puts this folder on sys.path; there is no
conftest.py here, so `from conftest import ...` keeps meaning tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import conftest
from dashboard.filters import Filters
from dashboard.store.database import Database

D = dt.date
Y2024 = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31))
ALL = Filters("ua_hubs", D(2022, 1, 1), D(2025, 6, 30))
KEM = Filters("kem_centres", D(2012, 1, 1), D(2012, 12, 31))
LVIV_HUB = ("ХЦО-00006", "ua_hubs", "Бібліотека-філія с. Зимна Вода", "library_branch", "UA-46", "village",
            D(2024, 1, 10), "active")
EXTRA_GROUPS = [
    # 11 people in Lviv Oblast, one class in June 2024, rated before training only.
    ("L", 11, "ХЦО-00006", "ua_hubs", "25_44", "female", "village", "employed", "no", "yes",
     [(D(2024, 6, 5), "ХЦО-00006", "cybersecurity", "group")]),
    # 12 people at the Kemerovo library in April 2012, the month before its waiting-list report.
    ("M", 12, "TK-001", "kem_centres", "60_69", "female", "city", "retired", "no", "no",
     [(D(2012, 4, 10), "TK-001", "basic_skills", "group")]),
]
LVIV_PRE = [2, 2, 2, 2, 8, 8, 8, 8, 8, 8, 8]
SECOND_CENTRE = ("TK-002", "kem_centres", "Центральная городская библиотека", "public_library", "RU-KEM", "city",
                 D(2011, 3, 1), "active")


def build_extended(folder):
    """Write the conftest extract plus the extra hubs, people, ratings and waiting list above."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conftest, "HUBS", conftest.HUBS + [LVIV_HUB, SECOND_CENTRE])
        mp.setattr(conftest, "GROUPS", conftest.GROUPS + EXTRA_GROUPS)
        conftest.build_clean(folder)
    ratings = pd.read_parquet(folder / "assessments.parquet")
    lviv = pd.DataFrame([dict(person_id=f"L{i:02d}", instrument="self_rating", stage="pre", area="overall",
                              score=float(score), assessed_on=D(2024, 6, 5), hub_id="ХЦО-00006",
                              region_code="UA-46", programme="ua_hubs") for i, score in enumerate(LVIV_PRE, 1)])
    conftest._frame("assessments", pd.concat([ratings, lviv]).to_dict("records")).to_parquet(
        folder / "assessments.parquet", index=False)
    waiting = pd.read_parquet(folder / "waitlist.parquet").to_dict("records")
    waiting.append(dict(hub_id="TK-002", programme="kem_centres", region_code="RU-KEM", month=D(2012, 5, 1), waiting=40))
    conftest._frame("waitlist", waiting).to_parquet(folder / "waitlist.parquet", index=False)
    return folder


@pytest.fixture(scope="module")
def ext_dir(tmp_path_factory):
    """The extended extract, built once per test module that imports it."""
    return build_extended(tmp_path_factory.mktemp("analytics"))


@pytest.fixture
def ext(ext_dir):
    """A Database over the extended extract."""
    database = Database(ext_dir)
    yield database
    database.close()


def values(series: pd.Series) -> list:
    """A column as plain numbers for comparison: None for missing, floats rounded to 9 places."""
    return [None if pd.isna(v) else (round(float(v), 9) if isinstance(v, float) else int(v)) for v in series]
