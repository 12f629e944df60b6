"""Coverage page (pages/coverage.py, dashboard/ui/coverage.py) through AppTest, in both languages and
both modes, on the map extract (tests/map_extract.py: hubs at their region's centre, 0.01° of
latitude apart in the order of MAP_HUBS) and the committed settlements (data/geo/settlements.csv).

The expected figures are computed here a second, plain way: the haversine distance of every
settlement to every active hub of 2024 (status `active`, joined by 31 December 2024), and the
planner as a loop that tries every candidate (a city or town of the view; the one hub settlement
of the extract, Брацлав, is a town) at each step.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pyarrow as pa
import pytest
from conftest import run_app
from map_extract import COORDS, MAP_HUBS, build_map_extract
from page_tools import cards, internal_mode, one_slot_export_queue, table_under

from dashboard.export.queue import QueueTimeout
from dashboard.geo import SETTLEMENTS_FILE
from dashboard.i18n import Translator
from dashboard.metrics.live import Live
from dashboard.wording.names import latin

PAGE = "coverage"
KM = 10.0
VIEW_2024 = {"from": "2024-01-01", "to": "2024-12-31"}
UA_REGIONS = ("UA-05", "UA-30", "UA-32", "UA-43", "UA-46")  # the extract's regions of the hubs' country


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p = math.pi / 180
    a = math.sin((lat2 - lat1) * p / 2) ** 2 + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _active_hubs_2024() -> list[tuple[float, float]]:
    out = []
    for i, (_h, programme, _n, _t, region, _s, joined, status) in enumerate(MAP_HUBS):
        if programme == "ua_hubs" and status == "active" and joined <= dt.date(2024, 12, 31):
            out.append((COORDS[region][0] + 0.01 * i, COORDS[region][1]))
    return out


def _settlements() -> pd.DataFrame:
    frame = pd.read_csv(SETTLEMENTS_FILE, dtype={"katottg": str, "hromada": str}, keep_default_na=False)
    hubs = _active_hubs_2024()
    frame["covered"] = [any(_km(lat, lon, a, b) <= KM for a, b in hubs) for lat, lon in zip(frame["lat"], frame["lon"])]
    return frame[frame["region_code"].isin(UA_REGIONS)].reset_index(drop=True)


SETTLEMENTS = _settlements()


def _coverage(region: str | None) -> tuple[int, int]:
    rows = SETTLEMENTS if region is None else SETTLEMENTS[SETTLEMENTS["region_code"] == region]
    return int(rows.loc[rows["covered"], "population"].sum()), int(rows["population"].sum())


def _greedy(region: str, picks: int) -> list[tuple[str, int]]:
    """(name, people newly within reach) of each pick: at each step the candidate reaching the most
    people still out of reach (ties: the larger settlement, then the smaller id)."""
    rows = SETTLEMENTS[SETTLEMENTS["region_code"] == region]
    open_people = {r.settlement_id: (0 if r.covered else r.population) for r in rows.itertuples()}
    points = {r.settlement_id: (r.lat, r.lon) for r in rows.itertuples()}
    candidates = [r for r in rows.itertuples() if r.settlement_type in ("city", "town")]
    out = []
    for _step in range(picks):
        gains = []
        for c in candidates:
            reached = [s for s, (lat, lon) in points.items() if _km(c.lat, c.lon, lat, lon) <= KM]
            gains.append((sum(open_people[s] for s in reached), c.population, c.settlement_id, c.name_uk, reached))
        gain, _size, _id, name, reached = min(gains, key=lambda g: (-g[0], -g[1], g[2]))
        if gain <= 0:
            break
        out.append((name, gain))
        for s in reached:
            open_people[s] = 0
    return out


@pytest.fixture(scope="module")
def coverage_dir(tmp_path_factory):
    return build_map_extract(tmp_path_factory.mktemp("coverage_page"))


@pytest.fixture(autouse=True)
def _data(coverage_dir, monkeypatch, navigation_mode):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(coverage_dir))
    monkeypatch.setenv("DASHBOARD_NOISE", "0")
    return coverage_dir


def _open(monkeypatch, mode: str, params: dict):
    if mode == "internal":
        internal_mode(monkeypatch)
    else:
        # Public mode reads the release's hubs: the extract's own sites are never asked for.
        def refuse(self, f):
            raise AssertionError("public mode read the extract's hubs")

        monkeypatch.setattr(Live, "sites", refuse)
    at = run_app(params, page=PAGE)
    assert not at.exception
    return at


@pytest.mark.parametrize("mode", ["public", "internal"])
@pytest.mark.parametrize("lang", ["uk", "en"])
def test_one_region_its_share_within_reach_and_the_planners_picks(monkeypatch, mode, lang):
    tr = Translator(lang)
    at = _open(monkeypatch, mode, {"lang": lang, **VIEW_2024, "region": "UA-05"})
    covered, people = _coverage("UA-05")
    assert 0 < covered < people  # Vinnytsia and its neighbours are within reach, the rest of the oblast is not
    label, value, line = cards(at)[0]
    assert label == tr("coverage.card_people", km="10")
    assert value == tr.percent(covered / people)
    assert line == tr("coverage.card_of", part=tr.number(covered), whole=tr.number(people))
    assert cards(at)[2][1:] == ("—", tr("coverage.older_none"))  # no population by age exists
    # The hromada table opens with the region itself.
    areas = table_under(at, tr("coverage.table_areas"))
    assert areas.iloc[0][tr("coverage.col_covered")] == covered
    assert areas.iloc[0][tr("coverage.col_people")] == people
    # The planner's ten picks, with the people each brings within reach (names romanised in English).
    expected = _greedy("UA-05", 10)
    plan = table_under(at, tr("coverage.plan_title"))
    names = [latin(n) if lang == "en" else n for n, _g in expected]
    assert list(zip(plan[tr("coverage.col_settlement")], plan[tr("coverage.col_new")])) == \
        list(zip(names, [g for _n, g in expected]))
    assert plan[tr("coverage.col_cumulative")].tolist() == [covered + sum(g for _n, g in expected[:i + 1])
                                                            for i in range(len(expected))]


@pytest.mark.parametrize("mode", ["public", "internal"])
def test_every_region_with_the_address_of_its_own_coverage(monkeypatch, mode):
    tr = Translator("en")
    at = _open(monkeypatch, mode, {"lang": "en", **VIEW_2024})
    table = table_under(at, tr("coverage.table_regions"))
    names = {"UA-05": "Vinnytsia Oblast", "UA-30": "Kyiv", "UA-32": "Kyiv Oblast", "UA-43": "Autonomous Republic of Crimea",
             "UA-46": "Lviv Oblast"}
    found = {row[tr("coverage.col_region")]: (row[tr("coverage.col_covered")], row[tr("coverage.col_people")])
             for _i, row in table.iterrows()}
    expected = {names[c]: _coverage(c) for c in UA_REGIONS} | {tr("coverage.total_country"): _coverage(None)}
    assert found == expected
    # Kyiv's hub joined in 2025 and Crimea's is in occupied territory: nobody there is within reach.
    assert found["Kyiv"][0] == 0 and found["Autonomous Republic of Crimea"][0] == 0
    links = dict(zip(table[tr("coverage.col_region")], table[tr("coverage.col_link")]))
    assert links["Vinnytsia Oblast"] == "coverage?lang=en&programme=ua_hubs&from=2024-01-01&to=2024-12-31&region=UA-05"
    assert pd.isna(links[tr("coverage.total_country")])


def _map_data(at) -> list[pd.DataFrame]:
    """The map's datasets, inline or as Arrow."""
    chart = at.get("vega_lite_chart")[0].proto
    tables = [pd.DataFrame(rows) for rows in json.loads(chart.spec).get("datasets", {}).values()]
    return tables + [pa.ipc.open_stream(named.data.data).read_all().to_pandas() for named in chart.datasets]


def _pick_rows(at) -> int:
    """Rows of the map's dataset of picks (the one with a `label`, their rank)."""
    picks = [t for t in _map_data(at) if "label" in t.columns]
    return len(picks[0]) if picks else 0


def test_settlements_in_occupied_territory_are_drawn_apart(monkeypatch):
    # Crimea is occupied in full: every one of its settlements is out of reach there, none elsewhere
    # (its only hub is recorded as occupied, so no settlement of the other regions is nearest to it).
    tr = Translator("en")
    at = _open(monkeypatch, "internal", {"lang": "en", **VIEW_2024})
    word = tr("coverage.kind_occupied")
    occupied = [t for t in _map_data(at) if "kind" in t.columns and (t["kind"] == word).all()]
    assert [len(t) for t in occupied] == [int((SETTLEMENTS["region_code"] == "UA-43").sum())]


def test_fewer_picks_shorten_the_list_and_the_map(monkeypatch):
    tr = Translator("uk")
    at = _open(monkeypatch, "internal", {**VIEW_2024, "region": "UA-05"})
    assert _pick_rows(at) == 10
    at.number_input(key="coverage_picks").set_value(3).run()
    assert not at.exception
    plan = table_under(at, tr("coverage.plan_title"))
    assert list(zip(plan[tr("coverage.col_settlement")], plan[tr("coverage.col_new")])) == _greedy("UA-05", 3)
    assert _pick_rows(at) == 3
    assert str(at.get("vega_lite_chart")[0].proto.alt).startswith("Вінницька область: ")


def test_the_page_offers_its_three_files(monkeypatch):
    tr = Translator("en")
    at = _open(monkeypatch, "public", {"lang": "en", **VIEW_2024, "region": "UA-05"})
    labels = [b.proto.label for b in at.get("download_button")]
    # Four formats each for the map, the planner's list and the coverage table, in that order.
    assert labels == [tr(f"export.button_{fmt}") for fmt in ("png", "svg", "csv", "xlsx")] * 3


def test_the_files_are_made_in_a_turn_of_the_export_queue_and_kept(monkeypatch, downloads):
    busy, written = one_slot_export_queue(monkeypatch)
    _open(monkeypatch, "public", {"lang": "en", **VIEW_2024, "region": "UA-05"})
    name = next(n for n in downloads if n.startswith("coverage_en") and n.endswith(".csv"))
    with busy.turn(1):  # another visitor's file takes the one slot
        with pytest.raises(QueueTimeout):
            downloads[name]()
    first = downloads[name]()
    assert downloads[name]() == first and written == ["csv"]  # made once, kept for the next visitor
