"""Place names in Latin letters (dashboard.wording.names) against their published romanisations:
Ukraine's national system of 2010 as road signs and the State Geocadastre write it, and BGN/PCGN
(without apostrophes) for Kemerovo Oblast's Russian names."""

from __future__ import annotations

import pytest

from dashboard.i18n import Translator
from dashboard.wording.names import latin, place_name


@pytest.mark.parametrize("name, expected", [
    ("Вінниця", "Vinnytsia"), ("Жмеринка", "Zhmerynka"), ("Київ", "Kyiv"), ("Харків", "Kharkiv"),
    ("Запоріжжя", "Zaporizhzhia"), ("Біла Церква", "Bila Tserkva"),
    ("Могилів-Подільський", "Mohyliv-Podilskyi"),
    ("Кам’янець-Подільський", "Kamianets-Podilskyi"), ("Знам'янка", "Znamianka"),  # the apostrophe is dropped
    ("Згурівка", "Zghurivka"),        # зг is zgh, not zh
    ("Єнакієве", "Yenakiieve"), ("Їжакевичі", "Yizhakevychi"), ("Йосипівка", "Yosypivka"),
    ("Ягодин", "Yahodyn"), ("Юрківка", "Yurkivka"),  # є ї й ю я: y at the start of a word only
    ("Щорс", "Shchors"), ("Ізмаїл", "Izmail"), ("Гайсинська", "Haisynska"),
])
def test_ukrainian_names(name, expected):
    assert latin(name) == expected


@pytest.mark.parametrize("name, expected", [
    ("Кемерово", "Kemerovo"), ("Новокузнецк", "Novokuznetsk"), ("Прокопьевск", "Prokopyevsk"),
    ("Ленинск-Кузнецкий", "Leninsk-Kuznetskiy"), ("Киселёвск", "Kiselyovsk"), ("Полысаево", "Polysayevo"),
    ("Анжеро-Судженск", "Anzhero-Sudzhensk"), ("Тайга", "Tayga"),
])
def test_russian_names(name, expected):
    assert latin(name, russian=True) == expected


def test_the_page_language_decides():
    assert place_name("Жмеринка", "UA-05", Translator("uk")) == "Жмеринка"
    assert place_name("Жмеринка", "UA-05", Translator("en")) == "Zhmerynka"
    assert place_name("Прокопьевск", "RU-KEM", Translator("en")) == "Prokopyevsk"
    assert place_name("", "UA-30", Translator("en")) == "" and place_name(None, "UA-30", Translator("en")) == ""
    assert latin("Lviv 2") == "Lviv 2"  # what is not Cyrillic stays as it is
