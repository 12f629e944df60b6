"""Coverage and the planner (dashboard.metrics.coverage) on hand-made settlements and hubs whose
distances and answers are worked out in the comments.

Every point lies on the meridian 30° E, so the great-circle distance between two of them is the
arc of their difference in latitude: R × Δφ, with R = 6,371 km, that is 6,371 × π / 180 =
111.19493 km per degree of latitude. The reach is 10 km throughout.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.geo.placement import Gazetteer
from dashboard.metrics import coverage as m

KM = 10.0
LON = 30.0
KM_PER_DEGREE = 6371 * math.pi / 180  # 111.19493 km


def settlements(rows: list[tuple]) -> pd.DataFrame:
    """A settlements table (as dashboard.geo.load_settlements) from (id, name, type, hromada,
    region, lat, population) rows, every point on the meridian LON; katottg left empty."""
    frame = pd.DataFrame(rows, columns=["settlement_id", "name_uk", "settlement_type", "hromada", "region_code",
                                        "lat", "population"])
    frame.insert(6, "lon", LON)
    frame["katottg"] = ""
    return frame


def sites(rows: list[tuple]) -> pd.DataFrame:
    """A sites table (query.coverage.load_sites) from (hub_id, settlement, hromada, region, lat,
    status) rows, on the meridian LON (a missing lat has no lon either)."""
    frame = pd.DataFrame(rows, columns=["hub_id", "settlement", "hromada", "region_code", "lat", "status"])
    frame["lon"] = np.where(frame["lat"].isna(), np.nan, LON)
    frame["is_library"] = True
    return frame[["hub_id", "settlement", "hromada", "region_code", "lat", "lon", "status", "is_library"]]


# ---- within reach ------------------------------------------------------------------------------

# One active hub H1 at 50.00° N; H2 at 50.30° N is closed and H3 is active but has no point, so
# neither reaches anyone. Distances to H1 (Δφ × 111.19493 km):
#   S1 50.0000°: 0 km                    village   1,000  hromada A  within
#   S2 50.0500°: 0.05   × 111.19 = 5.560  town      2,000  hromada A  within
#   S3 50.0899°: 0.0899 × 111.19 = 9.996  village     300  hromada B  within (just)
#   S4 50.0901°: 0.0901 × 111.19 = 10.019 village     400  hromada B  out (just)
#   S5 50.3000°: 0.3    × 111.19 = 33.358 city      5,000  hromada C  out
#   S6 50.3800°: 0.38   × 111.19 = 42.254 village    no figure (0)  hromada C  out
TOWNS = settlements([
    ("s1", "Перше", "village", "А", "UA-05", 50.0, 1000),
    ("s2", "Друге", "town", "А", "UA-05", 50.05, 2000),
    ("s3", "Третє", "village", "Б", "UA-05", 50.0899, 300),
    ("s4", "Четверте", "village", "Б", "UA-05", 50.0901, 400),
    ("s5", "П'яте", "city", "В", "UA-05", 50.3, 5000),
    ("s6", "Шосте", "village", "В", "UA-05", 50.38, 0),
])
HUBS = sites([
    ("H1", "Перше", "А", "UA-05", 50.0, "active"),
    ("H2", "П'яте", "В", "UA-05", 50.3, "closed"),
    ("H3", "Шосте", "В", "UA-05", None, "active"),
])


def test_distances_and_reach_by_hand():
    found = m.reach(TOWNS, HUBS, KM)
    expected_km = [0.0, 0.05 * KM_PER_DEGREE, 0.0899 * KM_PER_DEGREE, 0.0901 * KM_PER_DEGREE,
                   0.3 * KM_PER_DEGREE, 0.38 * KM_PER_DEGREE]
    assert found["nearest_km"].tolist() == pytest.approx(expected_km, abs=1e-6)
    assert found["nearest_km"].round(3).tolist() == [0.0, 5.56, 9.996, 10.019, 33.358, 42.254]
    assert found["covered"].tolist() == [True, True, True, False, False, False]
    assert found["rural"].tolist() == [True, False, True, True, False, True]
    assert found["no_population"].tolist() == [False, False, False, False, False, True]


def _summary(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        if column.startswith("share"):
            frame[column] = frame[column].astype("Float64")
        elif column not in ("region_code", "area"):
            frame[column] = frame[column].astype("int64")
    return frame


def test_coverage_of_the_whole_view_and_by_hromada():
    reached = m.reach(TOWNS, HUBS, KM)
    # Within reach: S1 + S2 + S3 = 1,000 + 2,000 + 300 = 3,300 of 8,700 people (0.37931); of the
    # villages' 1,000 + 300 + 400 + 0 = 1,700 people, S1 and S3: 1,300 (0.76471).
    total = _summary([dict(settlements=6, no_population=1, out_of_reach=3, people=8700, people_covered=3300,
                           share_covered=3300 / 8700, people_out=5400, rural_people=1700, rural_covered=1300,
                           share_rural=1300 / 1700)])
    pd.testing.assert_frame_equal(m.summarise(reached), total)
    # A: S1, S2 all within (3,000; rural 1,000). B: S3 of S3 + S4 (300 of 700, all rural).
    # C: nobody within; no village people, so no rural share; S6 has no figure.
    by_area = _summary([
        dict(area="А", settlements=2, no_population=0, out_of_reach=0, people=3000, people_covered=3000,
             share_covered=1.0, people_out=0, rural_people=1000, rural_covered=1000, share_rural=1.0),
        dict(area="Б", settlements=2, no_population=0, out_of_reach=1, people=700, people_covered=300,
             share_covered=300 / 700, people_out=400, rural_people=700, rural_covered=300, share_rural=300 / 700),
        dict(area="В", settlements=2, no_population=1, out_of_reach=2, people=5000, people_covered=0,
             share_covered=0.0, people_out=5000, rural_people=0, rural_covered=0, share_rural=None),
    ])
    pd.testing.assert_frame_equal(m.summarise(reached.assign(area=m.area_of(reached)), ["area"]), by_area)


@pytest.mark.parametrize("case, hubs", [
    ("no active hub", sites([("H1", "Перше", "А", "UA-05", 50.0, "suspended"),
                             ("H2", "П'яте", "В", "UA-05", 50.3, "closed")])),
    ("an active hub without a point", sites([("H3", "Перше", "А", "UA-05", None, "active")])),
    ("no hub at all", sites([])),
])
def test_nobody_is_within_reach_without_an_active_hub_on_the_map(case, hubs):
    reached = m.reach(TOWNS, hubs, KM)
    assert not reached["covered"].any(), case
    assert reached["nearest_km"].isna().all(), case
    total = m.summarise(reached).iloc[0]
    assert (total["people"], total["people_covered"], total["share_covered"]) == (8700, 0, 0.0)


def test_a_missing_population_counts_as_no_people():
    towns = TOWNS.astype({"population": "float64"})
    towns.loc[0, "population"] = np.nan  # S1 (1,000 people, within reach) loses its figure
    total = m.summarise(m.reach(towns, HUBS, KM)).iloc[0]
    # 2,000 + 300 of 7,700 people are within reach; S1 and S6 have no figure.
    assert (total["people"], total["people_covered"], total["no_population"]) == (7700, 2300, 2)
    assert total["share_covered"] == pytest.approx(2300 / 7700)


def test_a_view_without_settlements_is_one_row_of_zeros():
    total = m.summarise(m.reach(TOWNS.iloc[:0], HUBS, KM))
    assert total[["settlements", "people", "people_covered"]].iloc[0].tolist() == [0, 0, 0]
    assert pd.isna(total["share_covered"].iloc[0])


def test_residents_aged_60_plus_only_where_every_settlement_has_the_figure():
    towns = TOWNS.assign(**{m.AGE_BASE: [200, 500, 100, 100, None, None]})
    reached = m.reach(towns, HUBS, KM)
    by_area = m.summarise(reached.assign(area=m.area_of(reached)), ["area"]).set_index("area")
    # A: 200 + 500 of 700 within; B: 100 of 200; C: S5 (5,000 people) has no figure: no share.
    assert by_area["share_60_plus"].tolist()[:2] == [1.0, 0.5]
    assert pd.isna(by_area.loc["В", "share_60_plus"])
    assert "share_60_plus" not in m.summarise(m.reach(TOWNS, HUBS, KM)).columns  # no base, no column


def test_hubs_across_a_border_count_and_a_settlement_outside_any_hromada_is_its_own_area():
    towns = settlements([("k1", "Київ", "city", "", "UA-30", 50.0, 1000),
                         ("k2", "Бровари", "city", "Броварська", "UA-32", 50.5, 500)])
    hubs = sites([("H9", "Бровари", "Броварська", "UA-32", 50.05, "active")])  # 5.56 km from Київ
    cov = m.compute_coverage(towns, hubs, ["UA-30"], KM, {}, Gazetteer(towns))
    assert cov.settlements["covered"].tolist() == [True]
    assert cov.hubs["hub_id"].tolist() == ["H9"]  # drawn: it reaches the view
    assert cov.areas[["region_code", "area", "people_covered"]].values.tolist() == [["UA-30", "Київ", 1000]]


# ---- where a new hub may go ---------------------------------------------------------------------

PLACES = settlements([
    ("c1", "Місто", "city", "А", "UA-05", 50.0, 9000),
    ("c2", "Селище", "town", "А", "UA-05", 50.2, 3000),
    ("c3", "Село", "village", "Б", "UA-05", 50.4, 800),        # holds a closed hub
    ("c4", "Хутір", "village", "Б", "UA-05", 50.6, 700),       # holds nothing
    ("c5", "Іванівка", "village", "В", "UA-05", 50.8, 600),     # two villages of one name: the hub's
    ("c6", "Іванівка", "village", "Г", "UA-05", 51.0, 500),     #   hromada tells which
    ("c7", "Прифронтове", "town", "Д", "UA-14", 48.0, 4000),   # holds a hub recorded as occupied
    ("c8", "Сімферополь", "city", "", "UA-43", 45.0, 300000),  # a region occupied in full
])
PLACE_HUBS = sites([
    ("h1", "Село", "Б", "UA-05", 50.4, "closed"),
    ("h2", "Іванівка", "Г громада", "UA-05", 51.0, "active"),
    ("h3", "Іванівка", None, "UA-05", None, "active"),          # no hromada: which Іванівка is unknown
    ("h4", "Прифронтове", "Д", "UA-14", 48.0, "occupied"),
])


def test_the_sites_settlements():
    found = m.hub_settlements(PLACE_HUBS, Gazetteer(PLACES))
    assert found.tolist() == ["c3", "c6", None, "c7"]


def test_candidates_are_towns_and_hub_settlements_outside_occupied_territory():
    found = m.candidate_settlements(PLACES, PLACE_HUBS, Gazetteer(PLACES), {"UA-43": "full", "UA-14": "partial"})
    # c1, c2 city and town; c3 a village with a (closed) hub; c4 a village without any; c5 not the
    # hub's Іванівка; c6 is; c7 holds an occupied hub; c8 lies in a region occupied in full.
    assert dict(zip(PLACES["settlement_id"], found)) == {
        "c1": True, "c2": True, "c3": True, "c4": False, "c5": False, "c6": True, "c7": False, "c8": False}


def test_occupied_territory_by_region_and_by_the_nearest_site():
    # Sites: one recorded as occupied at 48.0°, one active at 48.5°. o1 (48.1°) is 0.1° from the
    # occupied one and 0.4° from the active one: occupied. o2 (48.3°) is nearer the active one
    # (0.2° against 0.3°): not. o3 lies in a region occupied in full, beside the active site.
    towns = settlements([("o1", "О1", "village", "А", "UA-14", 48.1, 100),
                         ("o2", "О2", "village", "А", "UA-14", 48.3, 100),
                         ("o3", "О3", "village", "Б", "UA-43", 48.5, 100)])
    hubs = sites([("h1", None, None, "UA-14", 48.0, "occupied"), ("h2", None, None, "UA-14", 48.5, "active")])
    found = m.occupied_settlements(towns, hubs, {"UA-43": "full", "UA-14": "partial"})
    assert found.tolist() == [True, False, True]


def test_people_in_occupied_territory_count_for_no_pick():
    # V (48.05°, 5,000 people) is nearest the occupied site (0.05° against 0.07° from the closed
    # one at 48.12°): occupied. Town T (48.10°) is nearest the closed site: not occupied, and V lies
    # 0.05° = 5.56 km from it. T would reach 5,100 people, but V's 5,000 cannot be won: T is worth
    # its own 100, behind U's 300 (alone, 98 km away).
    towns = settlements([("v", "V", "village", "А", "UA-14", 48.05, 5000),
                         ("t", "T", "town", "А", "UA-14", 48.10, 100),
                         ("u", "U", "town", "Б", "UA-14", 49.00, 300)])
    hubs = sites([("h1", None, None, "UA-14", 48.0, "occupied"), ("h2", None, None, "UA-14", 48.12, "closed")])
    found = m.compute_coverage(towns, hubs, ["UA-14"], KM, {"UA-14": "partial"}, Gazetteer(towns)).plan
    assert found[["settlement_id", "new_people"]].values.tolist() == [["u", 300], ["t", 100]]


# ---- the planner: each pick accounts for the ones before ----------------------------------------

# No hub yet. Towns X, Y, Z may take a hub (candidates); villages A and B may not.
#   Y 50.00°  town     400      Y–A 0.06° = 6.67 km, Y–X 0.12° = 13.34 km (out of Y's reach)
#   A 50.06°  village  700      A–X 6.67 km
#   X 50.12°  town     200      X–B 6.67 km
#   B 50.18°  village  300
#   Z 51.00°  town     600      alone, 98 km from B
# Alone, X would reach A + X + B = 1,200, Y would reach Y + A = 1,100 and Z 600: ranked by what each
# reaches alone the list would read X, Y, Z. Greedy: X first (1,200); A is then within reach, so Y
# is worth only its own 400 and Z (600) comes second, Y third (400). Everyone is then within
# reach: 1,200, 1,800 and 2,200 of 2,200 people, and no fourth pick would reach anyone.
GREEDY = settlements([
    ("y", "Y", "town", "А", "UA-05", 50.00, 400),
    ("a", "A", "village", "А", "UA-05", 50.06, 700),
    ("x", "X", "town", "А", "UA-05", 50.12, 200),
    ("b", "B", "village", "А", "UA-05", 50.18, 300),
    ("z", "Z", "town", "Б", "UA-05", 51.00, 600),
])


def _plan(towns: pd.DataFrame, hubs: pd.DataFrame, picks: int = m.DEFAULT_PICKS) -> pd.DataFrame:
    reached = m.reach(towns, hubs, KM)
    reached["candidate"] = m.candidate_settlements(reached, hubs, Gazetteer(towns), {}).to_numpy()
    return m.plan_hubs(reached, KM, picks)


def test_the_greedy_order_accounts_for_the_picks_before():
    found = _plan(GREEDY, sites([]))
    expected = pd.DataFrame({
        "rank": [1, 2, 3], "settlement_id": ["x", "z", "y"], "new_people": [1200, 600, 400],
        "new_rural": [1000, 0, 0],  # A and B are villages
        "people_covered": [1200, 1800, 2200],
    })
    pd.testing.assert_frame_equal(found[list(expected.columns)], expected, check_dtype=False)
    assert found["share_covered"].tolist() == pytest.approx([1200 / 2200, 1800 / 2200, 1.0])


def test_people_already_within_reach_are_not_counted_again():
    # An active hub at A (50.06°) already reaches Y, A and X (6.67 km each way; 400 + 700 + 200 =
    # 1,300 people), not B (13.34 km): only B (300, through X) and Z (600) are left. Z first (1,900
    # within reach), then X (2,200); Y, and A (a village with a hub, so a candidate), reach no one new.
    found = _plan(GREEDY, sites([("H", "A", "А", "UA-05", 50.06, "active")]))
    assert found[["settlement_id", "new_people", "people_covered"]].values.tolist() == [["z", 600, 1900],
                                                                                        ["x", 300, 2200]]


def test_the_planner_stops_after_its_picks():
    assert _plan(GREEDY, sites([]), picks=1)["settlement_id"].tolist() == ["x"]
    assert _plan(GREEDY, sites([]), picks=0).empty


@pytest.mark.parametrize("rows, expected", [
    # Equal gains (500 each): the larger settlement first; t2 reaches its own 500, t1 its 100 and
    # v's 400 (0.05° = 5.56 km).
    ([("t1", "T1", "town", "А", "UA-05", 50.0, 100), ("v", "V", "village", "А", "UA-05", 50.05, 400),
      ("t2", "T2", "town", "Б", "UA-05", 51.0, 500)], ["t2", "t1"]),
    # Equal gains and equal size: the smaller settlement_id first, whatever the rows' order.
    ([("t9", "T9", "town", "А", "UA-05", 50.0, 500), ("t3", "T3", "town", "Б", "UA-05", 51.0, 500)], ["t3", "t9"]),
])
def test_ties(rows, expected):
    assert _plan(settlements(rows), sites([]))["settlement_id"].tolist() == expected
