"""Words of the Overview (dashboard.wording.overview): the headline sentence in both languages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.wording.overview import headline

D = dt.date
NA = pd.NA
K = 10


def _counts(people, activities, hubs, regions, before=NA, after=NA) -> pd.DataFrame:
    """A protected compute_counts row as the headline reads it (NA = hidden or no figure)."""
    change = NA if pd.isna(before) or pd.isna(after) else after - before
    return pd.DataFrame([{"people": people, "activities": activities, "hubs": hubs, "regions": regions,
                          "share_before": before, "share_after": after, "change_pp": change}]).astype(
        {"people": "Int64", "activities": "Int64", "hubs": "Int64", "regions": "Int64",
         "share_before": "Float64", "share_after": "Float64", "change_pp": "Float64"})


# The rows of tests/metrics/test_metrics_overview.py's cases (the figures counted by hand there).
VIEWS = {
    "year 2024": (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31)), _counts(21, 30, 2, 2, 0.0, 16 / 19)),
    "one region": (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-05",)),
                   _counts(13, 13, 1, 1, 0.0, 1.0)),
    "zero participants": (Filters("ua_hubs", D(2024, 1, 1), D(2024, 12, 31), regions=("UA-30",)),
                          _counts(0, 0, 0, 0)),
    "small year": (Filters("ua_hubs", D(2023, 1, 1), D(2023, 12, 31)), _counts(NA, NA, 2, 1)),
    "no ratings": (Filters("ua_hubs", D(2025, 1, 1), D(2025, 6, 30)), _counts(15, 15, 1, 1)),
    "other programme": (Filters("kem_centres", D(2012, 1, 1), D(2012, 12, 31)), _counts(NA, NA, 1, 1)),
}


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("name, lang, scope, expected", [
    ("year 2024", "en", "",
     "From 1 January 2024 to 31 December 2024, 2 hubs in 2 regions trained 21 people in "
     "30 classes and consultations. The share rating their digital skills 7–10 out of 10 rose "
     "from 0.0% to 84.2%, by 84.2 percentage points."),
    ("one region", "uk", "Вінницька область",
     "З 1 січня 2024 р. по 31 грудня 2024 р. у 1 хабі в 1 регіоні навчено 13 осіб і проведено "
     "13 занять і консультацій. Частка тих, хто оцінює свої цифрові навички на 7–10 балів із 10, "
     "зросла з 0,0 % до 100,0 %, на 100,0 відсоткового пункту. Вибір: Вінницька область."),
    ("small year", "en", "",
     "This selection has fewer than 10 participants, so no figures are given, to protect them."),
    ("zero participants", "en", "",
     "No class or consultation matching the filters was recorded from 1 January 2024 to 31 December 2024."),
    ("no ratings", "en", "",
     "From 1 January 2025 to 30 June 2025, 1 hub in 1 region trained 15 people in 15 classes and consultations."),
    ("other programme", "uk", "",
     "У цьому виборі менше 10 учасників, тому цифр не наводимо, щоб захистити людей."),
])
def test_headline(name, lang, scope, expected):
    f, counts = VIEWS[name]
    assert _plain(headline(counts, f, Translator(lang, K), scope=scope)) == expected


def test_headline_names_the_k_of_the_translator():
    f, counts = VIEWS["small year"]
    assert "fewer than 5 participants" in headline(counts, f, Translator("en", 5))


def test_a_translator_without_k_writes_no_hidden_count():
    # Like Translator.count(None) and fewer_than(): a sentence about hidden people needs the k they
    # were hidden with, never "fewer than —".
    f, counts = VIEWS["small year"]
    with pytest.raises(ValueError):
        headline(counts, f, Translator("en"))


@pytest.mark.parametrize("lang, before, after, expected", [
    # A press sentence writes the unit in words, with the plural form of the number shown (CLDR:
    # a number with decimals takes "other", i.e. the genitive singular in Ukrainian).
    ("en", 0.17, 0.82, "rose from 17.0% to 82.0%, by 65.0 percentage points."),
    ("uk", 0.17, 0.82, "зросла з 17,0 % до 82,0 %, на 65,0 відсоткового пункту."),
    ("en", 0.50, 0.49, "fell from 50.0% to 49.0%, by 1.0 percentage points."),
    ("uk", 0.50, 0.49, "знизилася з 50,0 % до 49,0 %, на 1,0 відсоткового пункту."),
])
def test_the_change_of_the_share_is_written_in_words(lang, before, after, expected):
    f, _ = VIEWS["year 2024"]
    text = _plain(headline(_counts(21, 30, 2, 2, before, after), f, Translator(lang, K)))
    assert text.endswith(expected)
    assert " pp" not in text and "в. п." not in text


@pytest.mark.parametrize("lang, points, expected", [
    ("uk", 0.01, "1 відсотковий пункт"), ("uk", 0.02, "2 відсоткові пункти"),
    ("uk", 0.05, "5 відсоткових пунктів"), ("uk", 0.21, "21 відсотковий пункт"),
    ("en", 0.01, "1 percentage point"), ("en", -0.02, "2 percentage points"),
    ("en", 0.21, "21 percentage points"),
])
def test_whole_points_take_their_plural_form(lang, points, expected):
    assert _plain(Translator(lang).points_in_words(points, 0)) == expected
