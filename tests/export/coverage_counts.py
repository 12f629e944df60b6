"""Test helper of tests/export: the coverage figures' tables (coverage, coverage_plan, coverage_map)
for the views of hand_counts.py, counted a second, plain way from data/geo/settlements.csv.

The fixture's hubs have no coordinates (tests/conftest.py), so no hub is on the map: nobody is
within reach, every settlement is out of reach at no known distance, and the planner starts from
nothing. Its candidates are the cities and towns of the view (no hub names a settlement), each
reaching the settlements within 10 km (haversine, R = 6,371 km); at each step the one reaching the
most people still out of reach is picked (ties: the larger settlement, then the smaller id).
Names are in English as the files write them: romanised by dashboard.wording.names.latin, which
tests/wording/test_wording_names.py checks against published spellings. Nothing else here calls
the code under test.
"""

from __future__ import annotations

import csv
import math

from dashboard.geo import SETTLEMENTS_FILE
from dashboard.wording.names import latin

KM = 10.0
PICKS = 10
NAMES = {"UA-05": "Vinnytsia Oblast", "UA-30": "Kyiv", "UA-32": "Kyiv Oblast", "UA-46": "Lviv Oblast"}
AREA_COLUMNS = ["ISO 3166-2", "{label}", "Settlements", "People", "People within reach", "Within reach, %",
                "Rural residents", "Rural residents within reach, %", "People out of reach", "Settlements out of reach"]
PLAN_COLUMNS = ["Rank", "Settlement", "KATOTTG code", "Type", "Hromada", "Region", "ISO 3166-2", "Population",
                "People newly within reach", "Of them rural", "People within reach with the picks so far",
                "Share within reach with the picks so far, %"]
MAP_COLUMNS = ["KATOTTG code", "Settlement", "Type", "Hromada", "Region", "Population", "Nearest active hub, km",
               "Within reach", "In temporarily occupied territory", "A new hub may go here",
               "Rank among the suggested new hubs"]


def _settlements(regions: tuple[str, ...]) -> list[dict]:
    with open(SETTLEMENTS_FILE, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["region_code"] in regions]
    for r in rows:
        r["lat"], r["lon"], r["population"] = float(r["lat"]), float(r["lon"]), int(r["population"])
    return rows


def _km(a: dict, b: dict) -> float:
    p = math.pi / 180
    h = (math.sin((b["lat"] - a["lat"]) * p / 2) ** 2
         + math.cos(a["lat"] * p) * math.cos(b["lat"] * p) * math.sin((b["lon"] - a["lon"]) * p / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _row(iso: str | None, label: str, rows: list[dict]) -> list:
    people = sum(r["population"] for r in rows)
    rural = sum(r["population"] for r in rows if r["settlement_type"] == "village")
    # Nobody within reach: a share of 0.0 where there are people, none where there are not.
    return [iso, label, len(rows), people, 0, 0.0 if people else None, rural, 0.0 if rural else None, people, len(rows)]


def _areas(region: str | None, regions: tuple[str, ...]) -> tuple[list[str], list[list]]:
    """The view (or the region) first, then its regions (or hromadas), most people out of reach
    first, then most people, then by code or name."""
    rows = _settlements(regions)
    if region is None:
        head = _row(None, "All regions", rows)
        groups = {c: [r for r in rows if r["region_code"] == c] for c in regions}
        body = [_row(c, NAMES[c], g) for c, g in groups.items()]
        body.sort(key=lambda r: (-r[8], -r[3], r[0]))
        label = "Region"
    else:
        head = _row(region, NAMES[region], rows)
        groups: dict[str, list[dict]] = {}
        for r in rows:
            groups.setdefault(r["hromada"] or r["name_uk"], []).append(r)
        # Nobody is within reach: most people out of reach is most people; then by the names as
        # written (Cyrillic), shown romanised.
        ordered = sorted(groups.items(), key=lambda item: (-sum(r["population"] for r in item[1]), item[0]))
        body = [_row(None, latin(name), g) for name, g in ordered]
        label = "Hromada"
    return [c.format(label=label) for c in AREA_COLUMNS], [head, *body]


def _greedy(rows: list[dict]) -> list[tuple[dict, int, int]]:
    """(settlement, people newly within reach, of them rural) of each pick."""
    open_people = {r["settlement_id"]: r["population"] for r in rows}
    rural = {r["settlement_id"] for r in rows if r["settlement_type"] == "village"}
    candidates = [c for c in rows if c["settlement_type"] in ("city", "town")]
    reach = {c["settlement_id"]: [r["settlement_id"] for r in rows if _km(c, r) <= KM] for c in candidates}
    picks = []
    for _step in range(PICKS):
        best = min(candidates, key=lambda c: (-sum(open_people[s] for s in reach[c["settlement_id"]]),
                                              -c["population"], c["settlement_id"]))
        reached = reach[best["settlement_id"]]
        gain = sum(open_people[s] for s in reached)
        if gain <= 0:
            break
        picks.append((best, gain, sum(open_people[s] for s in reached if s in rural)))
        for s in reached:
            open_people[s] = 0
    return picks


def _plan(regions: tuple[str, ...]) -> tuple[list[str], list[list]]:
    rows = _settlements(regions)
    total, covered, out = sum(r["population"] for r in rows), 0, []
    for rank, (s, gain, rural) in enumerate(_greedy(rows), start=1):
        covered += gain
        out.append([rank, latin(s["name_uk"]), s["katottg"] or None, s["settlement_type"], latin(s["hromada"]) or "—",
                    NAMES[s["region_code"]], s["region_code"], s["population"], gain, rural, covered,
                    round(covered / total * 100, 1)])
    return PLAN_COLUMNS, out


def _map(regions: tuple[str, ...]) -> tuple[list[str], list[list]]:
    rows = _settlements(regions)
    ranks = {s["settlement_id"]: rank for rank, (s, _g, _r) in enumerate(_greedy(rows), start=1)}
    return MAP_COLUMNS, [[r["katottg"] or None, latin(r["name_uk"]), r["settlement_type"], latin(r["hromada"]) or None,
                          NAMES[r["region_code"]], r["population"] or None, None, "no", "no",
                          "yes" if r["settlement_type"] in ("city", "town") else "no", ranks.get(r["settlement_id"])]
                         for r in rows]


def coverage_tables(region: str | None, regions: tuple[str, ...]) -> dict[str, tuple[list[str], list[list]]]:
    """The three coverage figures of a view of one `region` (None: every one of `regions`)."""
    return {"coverage": _areas(region, regions), "coverage_plan": _plan(regions), "coverage_map": _map(regions)}
