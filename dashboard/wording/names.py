"""Wording layer, shared: place names in the reader's script — Ukrainian names romanised the official way, Russian ones by BGN/PCGN.

Settlement and hromada names exist in Cyrillic only (the codifier, GeoNames' Russian names for
Kemerovo Oblast). A Ukrainian page shows them as they are; an English one shows them in Latin
letters: Ukrainian by the national transliteration of the Cabinet of Ministers (resolution No. 55
of 27 January 2010, the romanisation of passports and road signs: Вінниця → Vinnytsia, Біла
Церква → Bila Tserkva), Russian by the BGN/PCGN system without its apostrophes (Прокопьевск →
Prokopyevsk). Anything that is not a Cyrillic letter is kept as it is.
"""

from __future__ import annotations

from dashboard.i18n import Translator

UKRAINIAN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia",
}
# At the start of a word these letters are written with a y.
UKRAINIAN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
RUSSIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
# Russian е is ye at the start of a word, after a vowel and after ъ or ь.
RUSSIAN_YE_AFTER = set("аеёиоуыэюяъь")
APOSTROPHES = "'’ʼ`"


def latin(name: str, russian: bool = False) -> str:
    """`name` in Latin letters: Ukrainian by the 2010 national system (зг → zgh, so that it is not
    read as ж), or Russian by BGN/PCGN (see the module's docstring)."""
    table = RUSSIAN if russian else UKRAINIAN
    out, previous = [], ""  # previous: the letter before, lower case; "" at the start of a word
    for char in str(name):
        lower = char.lower()
        if char in APOSTROPHES and previous:
            continue  # an apostrophe within a word is not written, and the word goes on
        if lower not in table:
            out.append(char)
            previous = lower if char.isalpha() else ""
            continue
        if russian:
            value = "ye" if lower == "е" and (not previous or previous in RUSSIAN_YE_AFTER) else table[lower]
        elif not previous and lower in UKRAINIAN_INITIAL:
            value = UKRAINIAN_INITIAL[lower]
        else:
            value = "gh" if lower == "г" and previous == "з" else table[lower]
        if char != lower and value:  # a capital letter: its first Latin letter is a capital
            value = value[0].upper() + value[1:]
        out.append(value)
        previous = lower
    return "".join(out)


def place_name(name: object, region_code: object, tr: Translator) -> str:
    """A settlement's or hromada's name for the page's language: as written in Ukrainian, romanised
    in English (Russian for Kemerovo Oblast, whose names are Russian)."""
    if not isinstance(name, str) or not name:
        return "" if not isinstance(name, str) else name
    if tr.lang == "uk":
        return name
    return latin(name, russian=isinstance(region_code, str) and region_code.startswith("RU-"))
