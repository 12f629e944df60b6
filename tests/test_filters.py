"""The filter state (dashboard/filters.py): choices, default periods, phases, query-string checks and
link values (codes, or labels of either language), Filters."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import filters as flt
from dashboard.filters import Filters

D = dt.date

LABELS = {
    "programme": {"ua_hubs": "Хаби цифрової освіти", "kem_centres": "Центри"},
    "region": {"UA-05": "Вінницька область", "UA-32": "Київська область"},
    "age": {"60_69": "60–69", "70_plus": "70+"},
}
LABELS_EN = {
    "programme": {"ua_hubs": "Digital Education Hubs", "kem_centres": "Centres"},
    "region": {"UA-05": "Vinnytsia Oblast", "UA-32": "Kyiv Oblast"},
    "age": {"60_69": "60–69", "70_plus": "70+"},
}
CHOICES = flt.make_choices(
    LABELS, {"ua_hubs": (D(2022, 10, 17), D(2025, 3, 3)), "kem_centres": (D(2012, 5, 15), D(2012, 5, 15))},
    ["2022–2023", "2024", "2025", "bad phase"], D(2025, 6, 30), "ua_hubs",
    aliases=flt.link_aliases([LABELS, LABELS_EN]),
)


def test_choices_bounds_defaults_and_quick_picks():
    # Each programme's time starts on the first day of the month of its first record (ua_hubs:
    # 17 October 2022; kem_centres: 15 May 2012), not on 1 January of that year.
    assert (CHOICES.first_day, CHOICES.last_day) == (D(2012, 5, 1), D(2025, 6, 30))
    assert (CHOICES.default_start, CHOICES.default_end) == (D(2022, 10, 1), D(2025, 6, 30))
    assert CHOICES.quick == {
        "all": (D(2022, 10, 1), D(2025, 6, 30)),
        "year:2022": (D(2022, 10, 1), D(2022, 12, 31)),  # from the programme's first month
        "year:2023": (D(2023, 1, 1), D(2023, 12, 31)),
        "year:2024": (D(2024, 1, 1), D(2024, 12, 31)),
        "year:2025": (D(2025, 1, 1), D(2025, 6, 30)),  # clamped to the data date
        "phase:2022–2023": (D(2022, 10, 1), D(2023, 12, 31)),
    }
    assert flt.matching_quick(CHOICES, D(2024, 1, 1), D(2024, 12, 31)) == "year:2024"
    assert flt.matching_quick(CHOICES, D(2024, 1, 2), D(2024, 12, 31)) is None


def test_quick_picks_are_periods_a_release_holds():
    # A quick pick that a release does not hold as such would be answered by a wider period: every
    # pick is one of the release's periods with the same days (dashboard.release.grain.periods).
    from dashboard.release import grain
    for programme, span in {"ua_hubs": (D(2022, 10, 17), D(2025, 3, 3)),
                            "kem_centres": (D(2010, 3, 9), D(2012, 11, 30))}.items():
        phases = ["2022–2023", "2024", "2025"] if programme == "ua_hubs" else ["2010–2012"]
        choices = flt.make_choices(LABELS, {"ua_hubs": (D(2022, 10, 17), D(2025, 3, 3)),
                                            "kem_centres": (D(2010, 3, 9), D(2012, 11, 30))},
                                   phases, D(2025, 6, 30), programme)
        held = grain.periods(flt.default_period(*span, D(2025, 6, 30)), phases)
        for key, days in choices.quick.items():
            assert held[key] == days, (programme, key)


@pytest.mark.parametrize("phase, expected", [
    ("2022–2023", (D(2022, 1, 1), D(2023, 12, 31))),
    ("2022-2023", (D(2022, 1, 1), D(2023, 12, 31))),
    (" 2024 ", (D(2024, 1, 1), D(2024, 12, 31))),
    ("2024–2022", None), ("phase two", None), ("", None),
])
def test_phase_range(phase, expected):
    assert flt.phase_range(phase) == expected


@pytest.mark.parametrize("params, bad", [
    ({}, []),
    ({"lang": "en", "from": "2024-01-01", "to": ["2024-12-31"], "region": ["Вінницька область"]}, []),
    ({"programme": "kem_centres", "region": ["UA-05", "UA-32"], "age": "70_plus"}, []),  # codes
    ({"programme": "Centres", "region": ["Kyiv Oblast", "UA-05"], "age": "60–69"}, []),  # old links, any language
    ({"region": "ua-05"}, ["region"]),  # codes are written as ISO 3166-2 writes them
    ({"age": "70 plus"}, ["age"]),
    ({"region": "<script>alert(1)</script>"}, ["region"]),
    ({"from": "2024-99-99"}, ["from"]),
    ({"to": "31.12.2024"}, ["to"]),
    ({"age": ";DROP TABLE"}, ["age"]),
    ({"age": ["60–69", "nonsense"]}, ["age"]),
    ({"lang": "de", "programme": "x"}, ["lang", "programme"]),
    ({"region": ""}, []),  # an empty value clears the filter
    ({"unknown": "whatever"}, []),
])
def test_invalid_params(params, bad):
    assert flt.invalid_params(params, CHOICES) == bad


def test_link_aliases_hold_every_code_and_every_label():
    assert flt.link_aliases([LABELS, LABELS_EN])["region"] == {
        "UA-05": "UA-05", "UA-32": "UA-32",
        "Вінницька область": "UA-05", "Київська область": "UA-32",
        "Vinnytsia Oblast": "UA-05", "Kyiv Oblast": "UA-32",
    }
    # A code stands for itself; a label that two codes share, for the one of the first language.
    uk, en = {"x": {"a": "A", "b": "shared"}}, {"x": {"a": "shared", "b": "a"}}
    assert flt.link_aliases([uk, en]) == {"x": {"a": "a", "b": "b", "A": "a", "shared": "b"}}
    assert flt.link_aliases([en, uk]) == {"x": {"a": "a", "b": "b", "shared": "a", "A": "a"}}
    # Without aliases, a Choices takes the codes and the labels of its own language.
    own = flt.make_choices(LABELS, {}, [], D(2025, 6, 30), "ua_hubs")
    assert own.aliases["age"] == {"60_69": "60_69", "70_plus": "70_plus", "60–69": "60_69", "70+": "70_plus"}


@pytest.mark.parametrize("values, codes, unknown", [
    ("UA-05", ["UA-05"], []),
    (["UA-32", "UA-05"], ["UA-32", "UA-05"], []),  # the link's order
    (["Вінницька область"], ["UA-05"], []),
    (["Kyiv Oblast", "Вінницька область"], ["UA-32", "UA-05"], []),
    (["UA-05", "Vinnytsia Oblast", "Вінницька область"], ["UA-05"], []),  # one region, three ways
    (["UA-05", "", "Atlantis", "<b>x</b>"], ["UA-05"], ["Atlantis", "<b>x</b>"]),
    (["", ""], [], []),  # `?region=` clears the filter
    ([], [], []),
    (["vinnytsia oblast", " UA-05"], [], ["vinnytsia oblast", " UA-05"]),
])
def test_link_codes(values, codes, unknown):
    assert flt.link_codes(values, CHOICES.aliases["region"]) == (codes, unknown)


@pytest.mark.parametrize("args, expected, problems", [
    (("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), ["UA-32", "UA-05", "XX"], {"age": ["70_plus", "60_69", "?"]}),
     Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05", "UA-32"), age_band=("60_69", "70_plus")),
     []),
    (("nope", None, None, [], {}), Filters("ua_hubs", D(2022, 10, 1), D(2025, 6, 30)), ["programme"]),
    (("ua_hubs", D(2025, 1, 1), D(2024, 1, 1), [], {}), Filters("ua_hubs", D(2022, 10, 1), D(2025, 6, 30)),
     ["from", "to"]),
    (("ua_hubs", D(2001, 1, 1), D(2030, 1, 1), [], {}), Filters("ua_hubs", D(2012, 5, 1), D(2025, 6, 30)), []),
])
def test_build_filters(args, expected, problems):
    programme, start, end, regions, segment = args
    got, found = flt.build_filters(programme, start, end, regions, segment, choices=CHOICES)
    assert (got, found) == (expected, problems)


def test_filters_are_hashable_and_frozen():
    f = Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",))
    assert hash(f) == hash(Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",)))
    with pytest.raises(AttributeError):
        f.programme = "kem_centres"
    assert f.segment() == {} and Filters("ua_hubs", f.start, f.end, gender=("male",)).segment() == {"gender": ("male",)}



def test_previous_period_has_the_same_length():
    f = Filters("ua_hubs", D(2025, 1, 1), D(2025, 6, 30))
    assert (f.previous().start, f.previous().end) == (D(2024, 7, 4), D(2024, 12, 31))
    assert f.previous().days() == f.days() == 181


def test_every_url_parameter_is_documented_in_the_readme():
    from dashboard.settings import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = readme.split("\n## Links\n", 1)[1].split("\n## ", 1)[0]
    assert [name for name in flt.PARAMS if f"`{name}`" not in links] == []


# CHOICES: ua_hubs from 1 October 2022 to 30 June 2025; the data's bounds from 1 May 2012.
@pytest.mark.parametrize("link, expected", [
    ({}, (D(2022, 10, 1), D(2025, 6, 30))),
    ({"from": ["2024-01-01"], "to": ["2024-12-31"]}, (D(2024, 1, 1), D(2024, 12, 31))),
    ({"from": ["2024-01-01"]}, (D(2024, 1, 1), D(2025, 6, 30))),  # the end a link leaves out: the default
    ({"from": ["2023-01-01", "2024-01-01"]}, (D(2024, 1, 1), D(2025, 6, 30))),  # the last value counts
    ({"from": ["31.12.2024"], "to": ["2024-12-31"]}, (D(2022, 10, 1), D(2024, 12, 31))),
    ({"from": ["2001-01-01"], "to": ["2030-01-01"]}, (D(2012, 5, 1), D(2025, 6, 30))),  # clamped to the bounds
    ({"from": ["2025-01-01"], "to": ["2024-01-01"]}, (D(2022, 10, 1), D(2025, 6, 30))),  # reversed: the default
])
def test_link_period(link, expected):
    reversed_dates = link.get("from") == ["2025-01-01"]  # the one reversed case
    assert flt.link_period(link, CHOICES) == (expected, ["from", "to"] if reversed_dates else [])


def test_period_params_leave_the_default_out():
    assert flt.period_params(D(2022, 10, 1), D(2025, 6, 30), CHOICES) == {"from": [], "to": []}
    assert flt.period_params(D(2024, 1, 1), D(2025, 6, 30), CHOICES) == {"from": ["2024-01-01"], "to": []}
    assert flt.period_params(D(2024, 1, 1), D(2024, 12, 31), CHOICES) == {"from": ["2024-01-01"],
                                                                         "to": ["2024-12-31"]}
    # A link written from them reads back as the same period.
    for start, end in ((D(2024, 1, 1), D(2025, 6, 30)), (D(2022, 10, 1), D(2023, 3, 31))):
        assert flt.link_period(flt.period_params(start, end, CHOICES), CHOICES) == ((start, end), [])


@pytest.mark.parametrize("start, end, expected", [
    (D(2024, 1, 1), D(2024, 12, 31), "year:2024"),
    (D(2024, 3, 1), D(2024, 3, 31), "year:2024"),  # a month: the year that holds it
    (D(2023, 3, 1), D(2024, 3, 31), "all"),  # across two years and outside the phase
    (D(2022, 11, 1), D(2023, 2, 28), "phase:2022–2023"),
])
def test_containing_quick(start, end, expected):
    assert flt.containing_quick(CHOICES, start, end) == expected


@pytest.mark.parametrize("start, end, year", [
    (dt.date(2024, 1, 1), dt.date(2024, 12, 31), 2024),  # a year
    (dt.date(2024, 3, 5), dt.date(2024, 3, 5), 2024),  # one day
    (dt.date(2023, 12, 31), dt.date(2024, 1, 1), None),  # two days across New Year
    (dt.date(2022, 10, 1), dt.date(2025, 11, 6), None),  # all time
])
def test_calendar_year_of_a_period(start, end, year):
    assert Filters("ua_hubs", start, end).calendar_year() == year
