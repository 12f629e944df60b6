"""Language layer: one TOML catalogue per language, and numbers and dates in Babel's CLDR formats."""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import functools
import tomllib
from pathlib import Path

import pandas as pd
from babel import Locale
from babel.dates import format_date, format_skeleton, get_month_names
from babel.numbers import format_decimal
from babel.units import format_unit

LANGUAGES = ("uk", "en")
DEFAULT = "uk"
# CLDR locales behind each language: British English writes "17 November 2023" and "17.0%".
BABEL_LOCALES = {"uk": "uk_UA", "en": "en_GB"}
# d3-format / d3-time-format locale names understood by vl_convert, for charts.
VEGA_LOCALES = {"uk": "uk-UA", "en": "en-GB"}
CATALOGUE_DIR = Path(__file__).resolve().parent
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def _flatten(table: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        # A table whose keys are all CLDR plural categories is one plural message, not a section.
        if isinstance(value, dict) and not (value and set(value) <= set(PLURAL_CATEGORIES)):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


@functools.cache
def catalogue(lang: str) -> dict[str, object]:
    """The flattened catalogue of a language: dotted key -> text, or plural category -> text."""
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language: {lang!r}")
    with open(CATALOGUE_DIR / f"{lang}.toml", "rb") as fh:
        return _flatten(tomllib.load(fh))


class Translator:
    """Texts and formats of one language: `t("kpi.people")`, `t.number(25391)`, `t.date(day)`.

    `k` is the suppression threshold of the figures being written (privacy.Rule.k), so that
    "fewer than k" always names the k the figures were protected with; a Translator without
    one writes no protected count.
    """

    def __init__(self, lang: str, k: int | None = None):
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self.k = k
        self.locale = Locale.parse(BABEL_LOCALES[self.lang])
        self.messages = catalogue(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        """The message `key`, with `{name}` placeholders filled from `values`."""
        text = self.messages[key]
        if not isinstance(text, str):
            raise TypeError(f"{key} is a plural message: use plural()")
        return text.format(**values) if values else text

    def plural(self, key: str, count: float, digits: int = 0, **values: object) -> str:
        """The form of plural message `key` that goes with `count` as shown with `digits`
        decimals (CLDR plural rules: uk one/few/many/other, en one/other; `2,0` is not `2`), with
        `{name}` placeholders filled from `values`; `{n}` is the count written the language's way
        unless `values` gives its text (a hidden count: "fewer than 10")."""
        forms = self.messages[key]
        if not isinstance(forms, dict):
            raise TypeError(f"{key} is not a plural message")
        if count is None or pd.isna(count):  # a missing number ("—") takes the general form
            text = str(forms["other"])
        else:
            shown = decimal.Decimal(f"{abs(float(count)):.{digits}f}")
            text = str(forms.get(self.locale.plural_form(shown), forms["other"]))
        return text.format(**{"n": self.number(count, digits), **values}) if "{" in text else text

    def counted(self, key: str, n: float, digits: int = 0) -> str:
        """The number and the word that goes with it: `25 391 осіб`, `1 hub`, `12,5 особи`."""
        return f"{self.number(n, digits)} {self.plural(key, n, digits)}"

    def number(self, value: float | None, digits: int = 0) -> str:
        """A number with the language's grouping and decimal mark; `—` when missing."""
        if value is None or pd.isna(value):
            return "—"
        return format_decimal(value, format=self._pattern(digits), locale=self.locale)

    def count(self, value: float | None) -> str:
        """A protected count of people: the number, or "fewer than 10" when it was suppressed."""
        if value is None or pd.isna(value):
            return self.fewer_than()
        return self.number(value)

    def fewer_than(self) -> str:
        """What a hidden count of people reads: "fewer than 10" (with this Translator's k)."""
        return self("privacy.fewer_than", k=self.k_text())

    def k_text(self) -> str:
        """This Translator's k as a number in words (`10`), for sentences about hidden counts;
        a Translator without k writes none."""
        if self.k is None:
            raise ValueError("this Translator has no k: make it with translator(lang, rule.k)")
        return self.number(self.k)

    def percent(self, share: float | None, digits: int = 1) -> str:
        """A share 0..1 as a percentage: `17,0 %` (uk), `17.0%` (en); `—` when missing or hidden."""
        if share is None or pd.isna(share):
            return "—"
        return format_unit(
            float(share) * 100, "concentr-percent", length="short",
            format=self._pattern(digits), locale=self.locale,
        )

    def signed(self, value: float, digits: int = 0) -> str:
        """A change with its sign: `+6`, `-1 200`, `0`."""
        text = self.number(abs(value), digits)
        if round(value, digits) > 0:
            return f"+{text}"
        if round(value, digits) < 0:
            return f"-{text}"
        return text

    def points(self, change: float | None, digits: int = 1) -> str | None:
        """A change of percentage points with its sign and unit: `+3,2 в. п.`; None when missing."""
        if change is None or pd.isna(change):
            return None
        return self("unit.pp", value=self.signed(float(change) * 100, digits))

    def points_in_words(self, change: float, digits: int = 1) -> str:
        """The size of a change of a share in words, without sign, for sentences:
        `65,0 відсоткового пункту`, `65.0 percentage points` (the sentence says which way)."""
        return self.counted("plural.points", abs(round(float(change) * 100, digits)), digits)

    def date(self, day: dt.date) -> str:
        """A date in words: `17 листопада 2023 р.`, `17 November 2023`."""
        return format_date(day, "long", locale=self.locale)

    def month(self, day: dt.date) -> str:
        """A month and year: `листопад 2023 р.`, `November 2023`."""
        return format_skeleton("yMMMM", day, locale=self.locale)

    def period(self, start: dt.date, end: dt.date) -> str:
        """A date range in words, both ends included."""
        return self("common.period", start=self.date(start), end=self.date(end))

    def label(self, vocabulary: str, code: str) -> str:
        """The word for a vocabulary code, e.g. label("gender", "female") -> `жінки`."""
        return self(f"{vocabulary}.{code}")

    def label_or_code(self, vocabulary: str, code: str) -> str:
        """The word for a code from an open list (file kinds), or the code when it has none."""
        text = self.messages.get(f"{vocabulary}.{code}")
        return text if isinstance(text, str) else str(code)

    def month_names(self) -> tuple[list[str], list[str]]:
        """Stand-alone month names (nominative in uk), full and abbreviated, January first."""
        wide = get_month_names("wide", "stand-alone", locale=self.locale)
        short = get_month_names("abbreviated", "stand-alone", locale=self.locale)
        return [wide[i] for i in range(1, 13)], [short[i] for i in range(1, 13)]

    @functools.cache
    def _pattern(self, digits: int):
        # The locale's own decimal pattern, with the fraction digits fixed (CLDR, not hand-made).
        pattern = copy.copy(self.locale.decimal_formats[None])
        pattern.frac_prec = (digits, digits)
        return pattern


@functools.cache
def translator(lang: str, k: int | None = None) -> Translator:
    """The shared Translator of a language and suppression threshold (unknown languages get the default)."""
    return Translator(lang if lang in LANGUAGES else DEFAULT, k)
