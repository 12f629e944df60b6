"""Links (dashboard/ui/frame.py with filters.link_codes) through AppTest: the URL holds every filter
as a code, so one link opens the same view in either language; links written with labels, in
either language, still open that view and the URL then holds codes; a language switch, a widget
and a click on the map write codes; the browser's back and forward buttons restore the view of
the URL they lead to."""

from __future__ import annotations

import json

import pytest
from conftest import internal_mode, run_app
from map_extract import build_map_extract
from streamlit.proto.WidgetStates_pb2 import WidgetState

from dashboard import maps
from dashboard.ui import frame

YEAR_2024 = {"from": "2024-01-01", "to": "2024-12-31"}
# Women in Vinnytsia Oblast in 2024 (tests/conftest.py GROUPS: group A), as codes.
CODES = {"region": "UA-05", "gender": "female"}
# The same view as links made before links carried codes: the labels of each language.
LABELS = {"uk": {"region": "Вінницька область", "gender": "жінки"},
          "en": {"region": "Vinnytsia Oblast", "gender": "women"}}


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode):
    return app_data


def _view(at) -> tuple:
    """What the page shows, whatever the language: the filters of its Context, the widgets' codes."""
    ctx = at.session_state[frame.CONTEXT_KEY]
    return ctx.filters, at.multiselect(key="region").value, at.multiselect(key="gender").value


def _link(at) -> dict:
    """The filters' part of the URL after the run (the language and dates as they were)."""
    return {k: v for k, v in at.query_params.items() if k not in ("lang", "from", "to")}


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_a_code_link_opens_the_same_view_in_both_languages(lang):
    at = run_app({"lang": lang, **YEAR_2024, **CODES})
    assert not at.exception and not at.warning
    assert _view(at)[1:] == (["UA-05"], ["female"])
    assert _view(at) == _view(run_app({"lang": "uk", **YEAR_2024, **CODES}))
    assert _link(at) == CODES  # left as it was
    assert at.query_params.get("lang", "uk") == lang  # the default language is not written


@pytest.mark.parametrize("lang, link", [
    ("en", LABELS["en"]),
    ("uk", LABELS["uk"]),
    ("en", LABELS["uk"]),  # a Ukrainian link with the language switched in the address
    ("uk", {"region": "UA-05", "gender": "women"}),  # a code beside an English label
], ids=["en labels", "uk labels", "uk labels, en page", "code and label"])
def test_an_old_label_link_opens_the_same_view_and_the_url_then_holds_codes(lang, link):
    at = run_app({"lang": lang, **YEAR_2024, **link})
    assert not at.exception and not at.warning
    assert _view(at) == _view(run_app({"lang": lang, **YEAR_2024, **CODES}))
    assert _link(at) == CODES
    assert at.query_params["from"] == "2024-01-01" and at.query_params.get("lang", "uk") == lang


@pytest.mark.parametrize("link, codes", [
    ({"programme": "Computer literacy centres (Kemerovo Oblast)"}, {"programme": "kem_centres"}),
    ({"programme": "Центри комп’ютерної грамотності (Кемеровська обл.)"}, {"programme": "kem_centres"}),
    ({"programme": "Digital Education Hubs"}, {}),  # the default programme is not written
    ({"age": "70+"}, {"age": "70_plus"}),
    ({"displaced": "не ВПО"}, {"displaced": "no"}),
    ({"disability": "with a disability", "settlement": "село"},
     {"disability": "yes", "settlement": "village"}),
])
def test_every_filter_is_written_as_its_code(link, codes):
    at = run_app({"lang": "en", **link})
    assert not at.exception and not at.warning
    assert _link(at) == codes


def test_a_bad_value_is_still_named_and_dropped_from_the_url():
    at = run_app({"lang": "en", "region": ["Vinnytsia Oblast", "Atlantis"], "age": "60+"})
    assert not at.exception
    assert len(at.warning) == 1 and "region" in at.warning[0].value and "age" in at.warning[0].value
    assert _link(at) == {"region": "UA-05"}


def test_switching_language_keeps_the_codes():
    at = run_app({"lang": "uk", **YEAR_2024, **CODES})
    before = _view(at)
    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    assert _link(at) == CODES  # (the browser writes the language itself: a bound widget)
    assert _view(at) == before
    assert at.multiselect(key="region").format_func("UA-05") == "Vinnytsia Oblast"
    at.segmented_control(key="lang").set_value("uk").run()
    assert _link(at) == CODES and _view(at) == before


def test_widgets_write_codes(monkeypatch):
    internal_mode(monkeypatch)  # several regions at once (a release holds one at most)
    at = run_app({"lang": "en", **YEAR_2024})
    at.multiselect(key="region").set_value(["UA-32", "UA-05"]).run()
    assert not at.exception
    assert at.query_params.get("region") == ["UA-32", "UA-05"]
    at.multiselect(key="gender").set_value(["male"]).run()
    assert _link(at) == {"region": ["UA-32", "UA-05"], "gender": "male"}
    at.multiselect(key="region").set_value([]).run()
    assert _link(at) == {"gender": "male"}  # an emptied filter leaves the URL


def test_history_navigation_restores_the_view_of_the_url(monkeypatch):
    """Back or forward: the URL of the history entry decides, a filter it lacks is cleared; on any
    other run the widgets decide and the URL follows them."""
    at = run_app({"lang": "en", **YEAR_2024, **CODES})
    at.query_params = {"lang": "en", **YEAR_2024, "region": "UA-32"}  # an address the widgets did not write
    at.run()
    assert _view(at)[1:] == (["UA-05"], ["female"]) and _link(at) == CODES
    monkeypatch.setattr(frame, "history_navigation", lambda: True)
    at.query_params = {"lang": "en", **YEAR_2024, "region": "Kyiv Oblast"}
    at.run()
    assert not at.exception
    assert _view(at)[1:] == (["UA-32"], []) and _link(at) == {"region": "UA-32"}


def test_a_click_on_the_map_puts_the_region_code_in_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(build_map_extract(tmp_path)))
    at = run_app({"lang": "en", **YEAR_2024}, page="map")
    deck = at.get("deck_gl_json_chart")[0]
    obj = {"type": "Feature", "properties": {"code": "UA-46", "t": "Lviv Oblast"}}
    selection = {"selection": {"indices": {maps.LAYER_REGIONS: [0]}, "objects": {maps.LAYER_REGIONS: [obj]}}}
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=deck.proto.id, string_value=json.dumps(selection)))
    at._run(states)
    assert not at.exception
    assert at.multiselect(key="region").value == ["UA-46"]
    assert _link(at) == {"region": "UA-46"}
