"""Tests of the language layer: catalogues agree, every code has words, CLDR formats per language."""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest
from babel import Locale

from dashboard import contract
from dashboard.filters import SEGMENTS
from dashboard.i18n import BABEL_LOCALES, LANGUAGES, Translator, catalogue
from dashboard.indicators import INDICATORS

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_catalogues_have_identical_keys():
    uk, en = catalogue("uk"), catalogue("en")
    assert set(uk) - set(en) == set(), "keys only in uk.toml"
    assert set(en) - set(uk) == set(), "keys only in en.toml"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_indicator_has_a_name_and_a_definition(lang):
    """The [indicator] section: one name and one definition per figure of dashboard/indicators.py,
    plain texts, and nothing else in that section."""
    messages = catalogue(lang)
    for indicator in INDICATORS.values():
        for key in (indicator.label, indicator.help):
            assert isinstance(messages.get(key), str) and messages[key].strip(), f"{lang}: {key}"
    section = {key for key in messages if key.startswith("indicator.")}
    expected = {key for i in INDICATORS.values() for key in (i.label, i.help)}
    assert section == expected, f"{lang}: [indicator] keys of no figure: {sorted(section - expected)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_indicator_names_replace_the_old_figure_keys(lang):
    """The figures are named only in [indicator]: the old per-page copies are gone."""
    old = {"kpi.people", "kpi.active_hubs", "kpi.library_share", "kpi.activities", "kpi.coordinators",
           "kpi.regions", "export.kpi_skills_before", "export.kpi_skills_after", "export.kpi_skills_change"}
    old |= {f"map.metric_{key}" for key in INDICATORS} | {f"map.help_{key}" for key in INDICATORS}
    assert not old & set(catalogue(lang))


@pytest.mark.parametrize("key", sorted(catalogue("uk")))
def test_messages_have_the_same_placeholders(key):
    def names(value):
        texts = value.values() if isinstance(value, dict) else [value]
        return {n for t in texts for n in PLACEHOLDER.findall(t)}

    assert names(catalogue("uk")[key]) == names(catalogue("en")[key])
    assert isinstance(catalogue("uk")[key], dict) == isinstance(catalogue("en")[key], dict)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_messages_cover_the_language_categories(lang):
    needed = set(Locale.parse(BABEL_LOCALES[lang]).plural_form.tags) | {"other"}
    plurals = {k: v for k, v in catalogue(lang).items() if isinstance(v, dict)}
    assert plurals
    for key, forms in plurals.items():
        assert needed <= set(forms), f"{lang}: {key} lacks {needed - set(forms)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_vocabulary_code_has_words(lang):
    tr = Translator(lang)
    for name, (_column, vocab) in SEGMENTS.items():
        for code in vocab:
            assert tr.label(name, code)
    for programme in contract.PROGRAMMES:
        assert tr(f"programme.{programme}")
        assert tr.plural(f"programme.{programme}_sites", 2)


def test_english_catalogue_has_no_cyrillic():
    cyrillic = re.compile("[\u0400-\u04ff]")
    for key, value in catalogue("en").items():
        texts = value.values() if isinstance(value, dict) else [value]
        assert not any(cyrillic.search(t) for t in texts), key


def test_messages_are_valid_format_strings():
    for lang in LANGUAGES:
        for key, value in catalogue(lang).items():
            for text in value.values() if isinstance(value, dict) else [value]:
                list(string.Formatter().parse(text))  # raises on a stray brace


@pytest.mark.parametrize("lang, number, share, change, day, month", [
    ("uk", "25 391", "17,0 %", "+3,2 в. п.", "17 листопада 2023", "листопад 2023"),
    ("en", "25,391", "17.0%", "+3.2 pp", "17 November 2023", "November 2023"),
])
def test_formats(lang, number, share, change, day, month):
    tr = Translator(lang)
    assert _plain(tr.number(25391)) == number
    assert _plain(tr.percent(0.17)) == share
    assert _plain(tr.points(0.032)) == change
    assert _plain(tr.date(dt.date(2023, 11, 17))).startswith(day)
    assert _plain(tr.month(dt.date(2023, 11, 1))).startswith(month)
    assert tr.number(None) == "—" and tr.percent(float("nan")) == "—" and tr.points(None) is None


def test_ukrainian_uses_a_non_breaking_group_separator():
    assert Translator("uk").number(25391) == "25\u00a0391"


@pytest.mark.parametrize("n, word", [(1, "особу"), (3, "особи"), (5, "осіб"), (11, "осіб"), (21, "особу"),
                                     (24, "особи"), (25391, "особу"), (25395, "осіб")])
def test_ukrainian_plural_forms(n, word):
    assert Translator("uk").plural("plural.people", n) == word


@pytest.mark.parametrize("n, word", [(1, "person"), (2, "people"), (0, "people")])
def test_english_plural_forms(n, word):
    assert Translator("en").plural("plural.people", n) == word


def test_signed_and_suppressed_counts():
    uk, en = Translator("uk", 10), Translator("en", 10)
    assert en.signed(6) == "+6" and en.signed(-1200) == "-1,200" and en.signed(0) == "0"
    assert _plain(uk.signed(-1200)) == "-1 200"
    assert en.count(None) == "fewer than 10" and uk.count(None) == "менше 10"
    assert en.count(12) == "12"
    # "fewer than k" names the k of the rule the figures were protected with ...
    assert Translator("en", 5).count(None) == "fewer than 5" and en.fewer_than() == "fewer than 10"
    # ... and a Translator that was not told k writes no hidden count at all.
    with pytest.raises(ValueError):
        Translator("en").count(None)
    with pytest.raises(ValueError):
        Translator("uk").fewer_than()


def test_unknown_language_falls_back_to_ukrainian():
    assert Translator("xx").lang == "uk"
    with pytest.raises(KeyError):
        catalogue("xx")
