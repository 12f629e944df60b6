"""The hubs file: each hub says how it is on the map (registry coordinates, placed at its settlement,
or not on the map), in the table, the notes and the drawing (a hub placed at its settlement is an
open mark), in both languages."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import build_clean
from export_readers import EXACT, VINNYTSIA, view

from dashboard.export import files, registry
from dashboard.metrics.live import Live
from dashboard.privacy import Rule
from dashboard.release import build
from dashboard.release.source import Release
from dashboard.store.database import Database

# Brătslav's point in data/geo/settlements.csv is where the pipeline places a hub of Брацлав.
AT_SETTLEMENT = {"hub_id": "ХЦО-00001", "settlement": "Брацлав", "hromada": "Брацлавська", "lat": 48.82,
                 "lon": 28.94, "placed": "settlement"}
AT_COORDINATES = {"hub_id": "ХЦО-00002", "settlement": "Мар’янівка", "lat": 48.9, "lon": 28.6, "placed": "coordinates"}


@pytest.fixture(scope="module")
def placed_src(tmp_path_factory):
    """The fixture extract with one hub of Vinnytsia Oblast placed at its settlement and one at its
    registry coordinates (the rest, as in the fixture, not on the map)."""
    folder = build_clean(tmp_path_factory.mktemp("placed"))
    hubs = pd.read_parquet(folder / "hubs.parquet")
    for change in (AT_SETTLEMENT, AT_COORDINATES):
        row = hubs["hub_id"] == change["hub_id"]
        for column, value in change.items():
            hubs.loc[row, column] = value
    hubs.to_parquet(folder / "hubs.parquet", index=False)
    db = Database(folder)
    yield Live(db, EXACT)
    db.close()


@pytest.mark.parametrize("lang, words, open_note", [
    ("en", ["placed at settlement", "registry coordinates"],
     "On the map, a hub placed at its settlement is drawn as an open mark, at the settlement's point."),
    ("uk", ["розміщено за населеним пунктом", "координати з реєстру"],
     "На карті хаб, розміщений за населеним пунктом, позначено незафарбованим знаком у точці населеного пункту."),
])
def test_each_hub_says_how_it_is_on_the_map(placed_src, lang, words, open_note):
    export = registry.build("hubs", placed_src, view(placed_src, VINNYTSIA, lang))
    table = export.table
    placed = dict(zip(table[table.columns[2]], table[table.columns[5]]))
    assert placed == {"Брацлавська публічна бібліотека": words[0], "Бібліотека-філія с. Мар’янівка": words[1]}
    settlement = dict(zip(table[table.columns[2]], table[table.columns[3]]))
    assert settlement["Брацлавська публічна бібліотека"] == ("Bratslav" if lang == "en" else "Брацлав")
    assert open_note in export.notes
    assert any(("1" in note and ("settlement" in note or "населеним" in note)) for note in export.notes[:2])


def test_a_hub_placed_at_its_settlement_is_drawn_open(placed_src):
    export = registry.build("hubs", placed_src, view(placed_src, VINNYTSIA, "en"))
    svg = files.svg(export).decode()
    # Two hubs with points: one filled (registry coordinates), one open (its settlement's point).
    marks = re.findall(r'<path[^>]*aria-roledescription="point"[^>]*>', svg) or \
        re.findall(r'<path[^>]*fill-opacity="[^"]*"[^>]*>', svg)
    opacities = sorted(float(m) for m in re.findall(r'fill-opacity="([\d.]+)"', " ".join(marks)))
    assert opacities[:1] == [0.0] and any(o > 0.5 for o in opacities), marks


def test_the_hubs_file_lists_the_unplaced_count(tmp_path):
    db = Database(build_clean(tmp_path))
    try:
        src = Live(db, EXACT)
        export = registry.build("hubs", src, view(src, VINNYTSIA, "en"))
    finally:
        db.close()
    # Neither hub of Vinnytsia Oblast in the fixture has coordinates or a settlement.
    assert "Hubs not on the map (no coordinates in the registry, and their settlement could not be placed): 2. " \
           "The Data quality page gives the reason for each." in export.notes


def test_a_release_gives_every_participant_of_the_year_and_says_so(clean_dir, tmp_path):
    """A release holds people per hub by calendar year, for everyone: under a participant group the
    hubs file gives every participant of the year, and its notes say so."""
    release = Release(build.build(clean_dir, tmp_path, "exact", Rule(k=1, noise=0)))
    export = registry.build("hubs", release, view(release, VINNYTSIA, "en"))
    people = dict(zip(export.table["Hub"], export.table["People trained"]))
    # 2024 at ХЦО-00001: group A's 12 women and P, a man of 70+ (10 March); nobody at ХЦО-00002.
    assert people == {"Брацлавська публічна бібліотека": 13, "Бібліотека-філія с. Мар’янівка": 0}
    assert export.notes[0] == ("People trained at each hub: every participant of 2024, whatever the participant "
                               "group chosen (published figures give hubs by calendar year only).")
