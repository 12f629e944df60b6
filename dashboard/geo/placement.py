"""Geo layer: place a hub that has no coordinates at its settlement, or say why it cannot be placed.

Registries often give a hub's settlement (`м. Вінниця`, `смт Брацлав`, `с. Мар’янівка`) and
hromada but no coordinates. A name is matched within the hub's own region, never across
regions, against the official settlements of that region: the settlements table
(data/geo/settlements.csv, which has coordinates) and, for names several settlements of the
region share, every one of them from the KATOTTG codifier (data/geo/namesakes.csv, which has
none). A shared name is resolved by the hromada and then the settlement type the registry
gives; what is still ambiguous is left unplaced, never guessed, and so is a settlement the
codifier knows but the settlements table has no coordinates for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

# How a hub got its point on the map (the hubs table's `placed`), and why it has none.
PLACED = ("coordinates", "settlement")
UNPLACED_REASONS = ("no_region", "no_settlement", "not_found", "ambiguous")
SETTLEMENT_TYPES = ("city", "town", "village")

# Type prefixes as registries write them (Ukrainian and, for the centre networks, Russian).
# Since the 2024 reform urban-type settlements (смт) are селища, and both are `town`.
PREFIXES = {
    "м": "city", "місто": "city", "г": "city", "город": "city",
    "смт": "town", "селище міського типу": "town", "селище": "town", "сел": "town", "с-ще": "town",
    "пгт": "town", "рп": "town", "пос": "town", "посёлок": "town", "поселок": "town", "п": "town",
    "с": "village", "село": "village", "д": "village", "дер": "village", "деревня": "village",
}
# A prefix is followed by a dot, a space or both: `м. Вінниця`, `м.Ковель`, `смт Брацлав`.
_PREFIX = re.compile(
    r"^(?P<prefix>" + "|".join(re.escape(p) for p in sorted(PREFIXES, key=len, reverse=True)) + r")"
    r"(?:\.\s*|\s+|$)(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
# Words around a hromada's own name: `Брацлавська селищна територіальна громада`, `Ковельська МТГ`.
# (As their name_key: no apostrophes.)
HROMADA_WORDS = frozenset({
    "громада", "територіальна", "тг", "отг", "мтг", "стг", "сщтг", "обєднана", "сільська", "селищна",
    "міська", "рада", "hromada", "community", "territorial",
})
APOSTROPHES = "'ʼ’‘`´ʹ′"
DASHES = "‐‑‒–—−"
# Latin letters typed for their Cyrillic twins in Cyrillic names (`Вiнниця` with a Latin i).
_LATIN_TWINS = str.maketrans("aceiopxykmthbï", "асеіорхукмтнвї")
_CYRILLIC = re.compile(r"[а-яёіїєґ]")
_NOT_NAME = re.compile(r"[^\w\s-]|_")


def name_key(text: object) -> str:
    """Comparison key of a settlement name: case, apostrophes (' ʼ ’ or none), dashes and hyphens
    (as spaces), extra spaces, punctuation, ё/е and Latin look-alike letters ignored.

    `Кам'янець-Подільський`, `Кам’янець - Подільський` and `КАМЯНЕЦЬ-ПОДІЛЬСЬКИЙ` share one key.
    """
    if not isinstance(text, str):
        return ""
    s = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    for a in APOSTROPHES:
        s = s.replace(a, "")
    for d in DASHES:
        s = s.replace(d, "-")
    if _CYRILLIC.search(s):
        s = s.translate(_LATIN_TWINS)
    s = _NOT_NAME.sub(" ", s).replace("-", " ")
    return " ".join(s.split())


def hromada_key(text: object) -> str:
    """Comparison key of a hromada: its own name without `громада`, `територіальна`, `сільська`,
    `ТГ`… (`Брацлавська селищна територіальна громада` → `брацлавська`)."""
    return " ".join(w for w in name_key(text).split() if w not in HROMADA_WORDS)


def split_settlement(raw: object) -> tuple[str | None, str]:
    """(name without its type prefix, type) of a settlement as registered: `смт Брацлав` →
    (`Брацлав`, `town`), `м.Ковель` → (`Ковель`, `city`), `місто Стрий` → (`Стрий`, `city`),
    `Вінниця` → (`Вінниця`, `unknown`). The name keeps its own spelling; spaces are tidied."""
    if not isinstance(raw, str):
        return None, "unknown"
    s = " ".join(unicodedata.normalize("NFC", raw).split())
    m = _PREFIX.match(s)
    if m:
        return (m["rest"].strip() or None), PREFIXES[m["prefix"].casefold()]
    return (s or None), "unknown"


def _name_part(name: str) -> str:
    """The name before a comma or bracket: `Іванівка, Вінницький район` → `Іванівка`."""
    return re.split(r"[,(]", name, maxsplit=1)[0]


@dataclass(frozen=True)
class Placement:
    """Where a hub goes: `lat`/`lon` (WGS 84) and `placed`, or no point and the `reason`.

    `settlement_id` names the row of the settlements table the point comes from.
    """

    lat: float | None = None
    lon: float | None = None
    placed: str | None = None
    reason: str | None = None
    settlement_id: str | None = None


class Gazetteer:
    """The official settlements of every region, keyed by region and name, with coordinates
    where the settlements table has them.

    `settlements`: settlement_id, name_uk, settlement_type, hromada, region_code, lat, lon,
    katottg (dashboard.geo.load_settlements). `namesakes`: region_code, name_uk,
    settlement_type, hromada, katottg: every settlement of a region that shares its name with
    another (dashboard.geo.load_namesakes); their coordinates come from `settlements` by KATOTTG
    code, and one that is not there has none.
    """

    def __init__(self, settlements: pd.DataFrame, namesakes: pd.DataFrame | None = None):
        table = settlements.assign(key=settlements["name_uk"].map(name_key))
        if namesakes is None or namesakes.empty:
            official = table
        else:
            shared = namesakes.assign(key=namesakes["name_uk"].map(name_key))
            coords = table[table["katottg"].astype(str) != ""][["katottg", "settlement_id", "lat", "lon"]]
            shared = shared.merge(coords, on="katottg", how="left")
            alone = ~pd.Series(list(zip(table["region_code"], table["key"])), index=table.index).isin(
                set(zip(shared["region_code"], shared["key"])))
            official = pd.concat([shared, table[alone]], ignore_index=True)
        official = official.assign(hromada_key=official["hromada"].map(hromada_key))
        cols = ["settlement_type", "hromada_key", "lat", "lon", "settlement_id"]
        self._index: dict[tuple[str, str], list[tuple]] = {}
        for region, key, *rest in official[["region_code", "key", *cols]].itertuples(index=False, name=None):
            self._index.setdefault((region, key), []).append(tuple(rest))

    def candidates(self, region_code: str, name: str) -> list[tuple]:
        """The region's settlements called `name` (any spelling of it): (type, hromada key, lat,
        lon, settlement_id) each, lat/lon NaN where no coordinates are known."""
        hits = self._index.get((region_code, name_key(name)), [])
        if not hits and _name_part(name) != name:
            hits = self._index.get((region_code, name_key(_name_part(name))), [])
        return hits

    def place(self, region_code: object, settlement: object, settlement_type: object = "unknown",
              hromada: object = None) -> Placement:
        """The settlement of a hub in its region: its coordinates, or the reason there are none.

        Several settlements of the name: those of the hub's hromada (when it names one of
        theirs), then those of its type (when it gives one that any of them has). One left,
        with coordinates: placed. More than one: `ambiguous`. None of the name, or the one left
        has no coordinates: `not_found`.
        """
        if not isinstance(region_code, str) or not region_code:
            return Placement(reason="no_region")
        if not isinstance(settlement, str) or not name_key(settlement):
            return Placement(reason="no_settlement")
        found = self.candidates(region_code, settlement)
        wanted = hromada_key(hromada)
        if wanted and any(c[1] == wanted for c in found):
            found = [c for c in found if c[1] == wanted]
        if settlement_type in SETTLEMENT_TYPES and any(c[0] == settlement_type for c in found):
            found = [c for c in found if c[0] == settlement_type]
        if len(found) > 1:
            return Placement(reason="ambiguous")
        if not found or pd.isna(found[0][2]) or pd.isna(found[0][3]):
            return Placement(reason="not_found")
        _type, _hromada, lat, lon, settlement_id = found[0]
        return Placement(float(lat), float(lon), "settlement", None, settlement_id)


def place_hubs(hubs: pd.DataFrame, gazetteer: Gazetteer) -> pd.DataFrame:
    """`lat`, `lon`, `placed` and `unplaced_reason` of each hub (index kept).

    `hubs` has region_code, settlement (without its prefix), settlement_type, hromada, lat, lon.
    A hub with both coordinates keeps them (`coordinates`); one without is placed at its
    settlement (`settlement`) or keeps none, with the reason. Each distinct hub place is looked
    up once.
    """
    own = hubs["lat"].notna() & hubs["lon"].notna()
    looked: dict[tuple, Placement] = {}
    rows = []
    for has, region, name, kind, hromada, lat, lon in zip(
            own, hubs["region_code"], hubs["settlement"], hubs["settlement_type"], hubs["hromada"],
            hubs["lat"], hubs["lon"]):
        if has:
            rows.append((lat, lon, "coordinates", None))
            continue
        key = (region, name, kind, hromada)
        if key not in looked:
            looked[key] = gazetteer.place(region, name, kind, hromada)
        p = looked[key]
        rows.append((p.lat, p.lon, p.placed, p.reason))
    return pd.DataFrame(rows, index=hubs.index, columns=["lat", "lon", "placed", "unplaced_reason"])


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer of the committed settlements and namesakes (data/geo), built once."""
    from dashboard.geo import load_namesakes, load_settlements

    return Gazetteer(load_settlements(), load_namesakes())
