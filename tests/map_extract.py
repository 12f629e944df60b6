"""Test helper of the map tests (tests/maps, tests/ui): the fixture extract with the map's regions and hubs."""

from __future__ import annotations

import datetime as dt

from conftest import HUBS, _frame, build_clean

from dashboard.contract import LIBRARY_TYPES

D = dt.date
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
# The shared fixture, plus what the map must draw distinctly. Lviv (UA-46) has no population or
# library figure (no data for the rates), Kyiv Oblast (UA-32) is partly occupied, Crimea (UA-43)
# wholly occupied with one hub whose status is `occupied`; every hub has coordinates, and Lviv
# has a hub whose name is markup.
MAP_REGIONS = [
    # code, country, name_uk, name_en, population, public libraries, occupation
    ("UA-05", "UA", "Вінницька область", "Vinnytsia Oblast", 1_500_000, 40, "none"),
    ("UA-32", "UA", "Київська область", "Kyiv Oblast", 1_780_000, 60, "partial"),
    ("UA-30", "UA", "Київ", "Kyiv", 2_950_000, 20, "none"),
    ("UA-46", "UA", "Львівська область", "Lviv Oblast", None, None, "none"),
    ("UA-43", "UA", "Автономна Республіка Крим", "Autonomous Republic of Crimea", 2_033_736, 796, "full"),
    ("RU-KEM", "RU", "Кемеровська область", "Kemerovo Oblast", 2_600_000, 10, "none"),
]
MAP_HUBS = HUBS + [
    ("ХЦО-00006", "ua_hubs", HOSTILE_NAME, "public_library", "UA-46", "city", D(2024, 2, 1), "active"),
    ("ХЦО-00007", "ua_hubs", "Сімферопольська бібліотека", "public_library", "UA-43", "city", D(2021, 5, 1), "occupied"),
    ("TK-002", "kem_centres", "Центр (Новокузнецк)", "public_library", "RU-KEM", "city", D(2011, 6, 1), "active"),
    ("TK-003", "kem_centres", "Центр (Прокопьевск)", "culture_centre", "RU-KEM", "city", D(2012, 9, 1), "closed"),
]
COORDS = {"UA-05": (49.23, 28.47), "UA-32": (50.45, 30.9), "UA-30": (50.45, 30.52), "UA-46": (49.84, 24.03),
          "UA-43": (44.95, 34.1), "RU-KEM": (55.35, 86.09)}
PLACES = {"ХЦО-00001": ("Брацлав", "Брацлавська")}


def build_map_extract(folder):
    """The fixture extract with the map's regions and hubs (see MAP_REGIONS, MAP_HUBS)."""
    build_clean(folder)
    regions = [dict(region_code=c, country_code=cc, name_uk=uk, name_en=en, population=pop,
                    population_year=2022 if pop else None, public_libraries=libs,
                    libraries_year=2023 if libs else None, occupation=occ)
               for c, cc, uk, en, pop, libs, occ in MAP_REGIONS]
    hubs = []
    for i, (h, p, n, t, r, s, j, st) in enumerate(MAP_HUBS):
        lat, lon = COORDS[r]
        settlement, hromada = PLACES.get(h, (None, None))
        hubs.append(dict(hub_id=h, programme=p, name=n, institution_type=t, is_library=t in LIBRARY_TYPES,
                         region_code=r, hromada=hromada, settlement=settlement, settlement_type=s,
                         lat=lat + 0.01 * i, lon=lon, joined_on=j, status=st, coordinator_trained=True))
    _frame("regions", regions).to_parquet(folder / "regions.parquet", index=False)
    _frame("hubs", hubs).to_parquet(folder / "hubs.parquet", index=False)
    return folder
