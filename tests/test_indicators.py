"""The indicator registry (dashboard/indicators.py): every headline figure's kind, bases and words."""

from __future__ import annotations

import pytest

from dashboard import indicators
from dashboard.i18n import LANGUAGES, catalogue
from dashboard.indicators import INDICATORS, KINDS, Indicator, people_counts, rates

# Catalogue keys the indicator keys replaced: none may come back.
REMOVED_KEYS = [
    *(f"kpi.{k}{suffix}" for k in ("active_hubs", "library_share", "people", "activities", "coordinators", "regions")
      for suffix in ("", "_help")),
    *(f"export.kpi_skills_{k}{suffix}" for k in ("before", "after", "change") for suffix in ("", "_help")),
]


def test_the_registry_holds_the_documented_indicators():
    assert list(INDICATORS) == ["hubs", "hubs_per_100k", "library_hubs", "library_share", "people", "people_per_10k", "people_per_hub",
                                "activities",
                                "coordinators", "regions", "pre_people", "pre_7_10", "post_people", "post_7_10",
                                "share_before", "share_after", "change_pp"]
    assert all(key == indicator.key for key, indicator in INDICATORS.items())


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", list(INDICATORS))
def test_every_indicator_has_a_label_and_a_definition_in_every_language(lang, key):
    messages = catalogue(lang)
    indicator = INDICATORS[key]
    assert (indicator.label, indicator.help) == (f"indicator.{key}", f"indicator.{key}_help")
    for catalogue_key in (indicator.label, indicator.help):
        assert isinstance(messages.get(catalogue_key), str) and messages[catalogue_key].strip(), catalogue_key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_removed_catalogue_keys_stay_removed(lang):
    assert [k for k in REMOVED_KEYS if k in catalogue(lang)] == []


@pytest.mark.parametrize("key", list(INDICATORS))
def test_kinds_bases_and_decimals_are_valid(key):
    indicator = INDICATORS[key]
    assert indicator.kind in KINDS
    assert indicator.decimals >= 0
    # A figure rests only on counts of people; a count of people rests on itself; counts of places on nothing.
    assert all(INDICATORS[b].kind == "people" for b in indicator.bases)
    if indicator.kind == "people":
        assert indicator.bases == (key,) and indicator.decimals == 0
    if indicator.kind == "count":
        assert indicator.bases == ()


@pytest.mark.parametrize("args", [
    ("x", "percentage"),  # not a kind
    ("people", "people", ()),  # a count of people must rest on itself
    ("people", "people", ("activities",)),
])
def test_indicator_refuses_bad_definitions(args):
    with pytest.raises(ValueError):
        Indicator(*args)


@pytest.mark.parametrize("keys, counts, derived", [
    (("hubs", "people", "share_after", "pre_people"), ("people", "pre_people"),
     {"share_after": ("post_people", "post_7_10")}),
    (("people_per_hub", "hubs_per_100k", "library_share", "regions"), (), {"people_per_hub": ("people",)}),
    (("change_pp",), (), {"change_pp": ("pre_people", "pre_7_10", "post_people", "post_7_10")}),
    ((), (), {}),
])
def test_people_counts_and_rates(keys, counts, derived):
    assert people_counts(keys) == counts
    assert rates(keys) == derived


def test_unknown_keys_are_refused():
    with pytest.raises(KeyError):
        people_counts(["visitors"])
    with pytest.raises(KeyError):
        rates(["visitors"])


def test_thresholds_and_base():
    assert (indicators.HIGH_FROM, indicators.LOW_TO, indicators.PER_RESIDENTS) == (7, 4, 100_000)
    assert indicators.LOW_TO < indicators.HIGH_FROM
