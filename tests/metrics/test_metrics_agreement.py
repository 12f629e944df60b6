"""The analytics pages' metrics give the same figures as the Overview's, protected the same way.

The extract is tests/metrics/extended_extract.py's.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import conftest
from dashboard.filters import Filters
from dashboard.metrics import network, overview, participation, skills
from dashboard.privacy import Rule
from dashboard.store.database import Database
from extended_extract import ALL, KEM, Y2024, ext, ext_dir  # noqa: F401 (fixtures)
from extended_extract import values as _values

D = dt.date
EXACT = Rule(k=10, noise=0)
PERTURBED = Rule(k=10, noise=2)  # the shown, perturbed figures must agree too
AGREEMENT_VIEWS = [
    Y2024, ALL, Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",)),
    Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), gender=("female",)),
    Filters("ua_hubs", D(2025, 1, 1), D(2025, 6, 30), displaced=("no",)),
    Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31)),
    Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-46",)),
]


def _same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and float(a) == pytest.approx(float(b)))


def _total(cascade: pd.DataFrame) -> pd.Series:
    return cascade[cascade["region_code"].isna() & cascade["phase"].isna()].iloc[0]


@pytest.mark.parametrize("f", AGREEMENT_VIEWS, ids=range(len(AGREEMENT_VIEWS)))
def test_figures_agree_with_the_overview(ext, f):
    rule = PERTURBED
    counts = overview.compute_counts(ext, f, rule).iloc[0]
    assert _same(participation.compute_cumulative(ext, f, rule).iloc[-1]["people_total"], counts["people"])
    total = _total(participation.compute_cascade(ext, f, rule))
    assert _same(total["people"], counts["people"]) and _same(total["hubs"], counts["hubs"])
    assert _same(total["coordinators"], counts["coordinators"])
    ratings = skills.compute_ratings(ext, f, rule).iloc[0]
    for mine, theirs in (("n_pre", "pre_people"), ("pre_high", "pre_7_10"), ("n_post", "post_people"),
                         ("post_high", "post_7_10"), ("pre_high_share", "share_before"),
                         ("post_high_share", "share_after")):
        assert _same(ratings[mine], counts[theirs]), mine
    if len(f.regions) == 1:
        region = participation.compute_breakdown(ext, f, rule, "region")
        assert _same(region["people"].sum() if len(region) else 0, counts["people"])
    if f.start.year == f.end.year:
        years = network.compute_network_years(ext, f).set_index("year")
        assert _same(years.loc[f.start.year, "active"], counts["hubs"])


def test_activities_by_format_add_up_to_the_overview(ext):
    everything = Rule(k=1, noise=0)
    counts = overview.compute_counts(ext, Y2024, everything).iloc[0]
    formats = participation.compute_breakdown(ext, Y2024, everything, "format")
    assert formats["activities"].sum() == counts["activities"] == 41
    assert formats["people"].sum() >= counts["people"]  # a person in two formats counts in each


def test_every_people_count_is_protected(ext):
    """No figure of these functions shows 1..k-1 people (counts of places are exempt); the
    random-extract version over every function is tests/test_privacy_property.py."""
    frames = {
        "cumulative": (participation.compute_cumulative(ext, ALL, EXACT), ["new_people", "people_total"]),
        "breakdown": (participation.compute_breakdown(ext, ALL, EXACT, "age"), ["people", "activities"]),
        "cascade": (participation.compute_cascade(ext, ALL, EXACT), list(participation.CASCADE_PEOPLE)),
        "ratings": (skills.compute_ratings(ext, ALL, EXACT, "employment"), list(skills.RATING_COUNTS)),
        "distribution": (skills.compute_distribution(ext, ALL, EXACT), ["people", "raters"]),
        "digigram": (skills.compute_digigram(ext, ALL, EXACT), ["people"]),
        "waitlist": (network.compute_waitlist_latest(ext, KEM, EXACT, "centre"), ["waiting", "trained_3m"]),
        "partners": (network.compute_partners(ext, KEM, EXACT), ["staff_trained"]),
    }
    for name, (frame, columns) in frames.items():
        values = pd.to_numeric(frame[columns].stack(), errors="coerce").dropna()
        assert not values.between(1, 9).any(), name
        assert not any(c.endswith("_key") for c in frame.columns), name


def test_small_extract_has_no_nan_crash(tmp_path):
    """An extract with hubs but no activity in the view still gives empty, well-formed figures."""
    db = Database(conftest.build_clean(tmp_path / "x"))
    try:
        f = Filters("ua_hubs", D(2030, 1, 1), D(2030, 3, 31))
        assert _values(participation.compute_cumulative(db, f, EXACT)["people_total"]) == [0, 0, 0]
        assert participation.compute_breakdown(db, f, EXACT, "region").empty
        ratings = skills.compute_ratings(db, f, EXACT).iloc[0]
        assert ratings["n_pre"] == 0 and pd.isna(ratings["gain_mean"])
        assert participation.compute_cascade(db, f, EXACT)["people"].tolist() == [0]
    finally:
        db.close()
