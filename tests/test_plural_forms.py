"""Counts before nouns take the plural form CLDR gives for the number, in both languages.

Ukrainian has four forms (one: 1, 21, 101; few: 2–4, 22–24; many: 0, 5–20, 25–30; other:
fractions), English two (one: 1; other). Every expected sentence below is written by hand.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.i18n import Translator
from dashboard.wording import map as map_wording
from dashboard.wording import network as network_wording
from dashboard.wording import participation as participation_wording
from dashboard.wording import quality as quality_wording

COUNTS = (1, 2, 5, 21, 11, 0)


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


GROWTH = {
    "uk": ["1 центр до кінця 2015 року; 1 приєднався цього року.",
           "2 центри до кінця 2015 року; 2 приєдналися цього року.",
           "5 центрів до кінця 2015 року; 5 приєдналися цього року.",
           "21 центр до кінця 2015 року; 21 приєднався цього року.",
           "11 центрів до кінця 2015 року; 11 приєдналися цього року.",
           "0 центрів до кінця 2015 року; 0 приєдналися цього року."],
    "en": ["1 centre by the end of 2015; 1 joined that year.",
           "2 centres by the end of 2015; 2 joined that year.",
           "5 centres by the end of 2015; 5 joined that year.",
           "21 centres by the end of 2015; 21 joined that year.",
           "11 centres by the end of 2015; 11 joined that year.",
           "0 centres by the end of 2015; 0 joined that year."],
}

UNDATED = {
    "uk": ["1 заклад не має дати приєднання й не врахований за роками.",
           "2 заклади не мають дати приєднання й не враховані за роками.",
           "5 закладів не мають дати приєднання й не враховані за роками.",
           "21 заклад не має дати приєднання й не врахований за роками.",
           "11 закладів не мають дати приєднання й не враховані за роками.",
           "0 закладів не мають дати приєднання й не враховані за роками."],
    "en": ["1 site has no joining date and is not counted by year.",
           "2 sites have no joining date and are not counted by year.",
           "5 sites have no joining date and are not counted by year.",
           "21 sites have no joining date and are not counted by year.",
           "11 sites have no joining date and are not counted by year.",
           "0 sites have no joining date and are not counted by year."],
}

# n silent of n active hubs: the verb follows the silent hubs, "of N hubs" the active ones.
SILENT = {
    "uk": ["1 з 1 активного хабу не подав звіту за період.",
           "2 з 2 активних хабів не подали звіту за період.",
           "5 з 5 активних хабів не подали звіту за період.",
           "21 з 21 активного хабу не подав звіту за період.",
           "11 з 11 активних хабів не подали звіту за період.",
           "0 з 0 активних хабів не подали звіту за період."],
    "en": ["1 of 1 active hub sent no report in the period.",
           "2 of 2 active hubs sent no report in the period.",
           "5 of 5 active hubs sent no report in the period.",
           "21 of 21 active hubs sent no report in the period.",
           "11 of 11 active hubs sent no report in the period.",
           "0 of 0 active hubs sent no report in the period."],
}

COURSES = {
    "uk": ["Наведено 30 найбільших із 1 назви курсів.",
           "Наведено 30 найбільших із 2 назв курсів.",
           "Наведено 30 найбільших із 5 назв курсів.",
           "Наведено 30 найбільших із 21 назви курсів.",
           "Наведено 30 найбільших із 11 назв курсів.",
           "Наведено 30 найбільших із 0 назв курсів."],
    "en": ["The 30 largest of 1 course title are listed.",
           "The 30 largest of 2 course titles are listed.",
           "The 30 largest of 5 course titles are listed.",
           "The 30 largest of 21 course titles are listed.",
           "The 30 largest of 11 course titles are listed.",
           "The 30 largest of 0 course titles are listed."],
}

WAITING = {
    "uk": ["чекала 1 особа", "чекали 2 особи", "чекали 5 осіб", "чекала 21 особа", "чекали 11 осіб",
           "чекали 0 осіб"],
    "en": ["1 person was waiting", "2 people were waiting", "5 people were waiting", "21 people were waiting",
           "11 people were waiting", "0 people were waiting"],
}

PARTNERS = {
    "uk": [f"Партнерів: {n}, типів: 1." for n in COUNTS],  # the Ukrainian text counts after a colon
    "en": ["1 partner of 1 kind.", "2 partners of 1 kind.", "5 partners of 1 kind.", "21 partners of 1 kind.",
           "11 partners of 1 kind.", "0 partners of 1 kind."],
}


@pytest.mark.parametrize("lang", ["uk", "en"])
@pytest.mark.parametrize("i, n", list(enumerate(COUNTS)))
def test_counted_sentences(lang, i, n):
    tr = Translator(lang, 10)
    assert map_wording.growth_text(n, n, 2015, tr) == GROWTH[lang][i]
    assert network_wording.undated_text(n, tr) == UNDATED[lang][i]
    assert quality_wording.silent_total(n, n, tr) == SILENT[lang][i]
    assert participation_wording.courses_more(30, n, tr) == COURSES[lang][i]
    assert network_wording.waiting_text(n, tr) == WAITING[lang][i]
    partners = pd.DataFrame({"partner_type": ["hospital"], "partners": [n], "staff_trained": [float("nan")],
                             "staff_unknown": [n]})
    if n:  # no partner at all reads "no partner institutions are recorded"
        assert network_wording.partners_summary(partners, tr) == PARTNERS[lang][i]


@pytest.mark.parametrize("lang, n, expected", [
    ("uk", 22, "22 центри до кінця 2015 року; 101 приєднався цього року."),
    ("uk", 25391, "25 391 центр до кінця 2015 року; 101 приєднався цього року."),
    ("en", 1001, "1,001 centres by the end of 2015; 101 joined that year."),
])
def test_large_counts_follow_their_last_digits(lang, n, expected):
    assert _plain(map_wording.growth_text(n, 101, 2015, Translator(lang))) == expected


@pytest.mark.parametrize("lang, per_kind, expected", [
    ("en", [1, 0], "1 partner of 1 kind."),  # a kind with no partner is not counted
    ("en", [2, 1], "3 partners of 2 kinds."),
    ("en", [20, 1], "21 partners of 2 kinds."),
    ("uk", [2, 1], "Партнерів: 3, типів: 2."),
])
def test_partner_kinds(lang, per_kind, expected):
    frame = pd.DataFrame({"partner_type": ["hospital", "other"], "partners": per_kind,
                          "staff_trained": [float("nan")] * 2, "staff_unknown": [0, 0]})
    assert network_wording.partners_summary(frame, Translator(lang, 10)) == expected


@pytest.mark.parametrize("lang, expected", [
    ("uk", "чекали менше 10 осіб"),
    ("en", "fewer than 10 people were waiting"),
])
def test_a_hidden_count_of_people_waiting(lang, expected):
    assert network_wording.waiting_text(None, Translator(lang, 10)) == expected


@pytest.mark.parametrize("lang, value, expected", [
    # A figure shown with one decimal takes the form of that decimal number: CLDR's "other" in uk.
    ("uk", 12.5, "12,5 особи"), ("uk", 1.0, "1,0 особи"), ("uk", None, "— осіб"),
    ("en", 12.5, "12.5 people"), ("en", 1.0, "1.0 people"), ("en", None, "— people"),
])
def test_people_a_month_with_a_decimal(lang, value, expected):
    assert network_wording.people_text(value, Translator(lang, 10), 1) == expected
