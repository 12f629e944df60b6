"""Pipeline layer: normalisers that turn one raw spelling into one code, date, number or band.

Each normaliser is a pure function of one raw string that returns the clean value or raises
`Invalid` with words a programme officer can act on. `map_unique` applies one to a column by
normalising each distinct value once, which keeps millions of rows fast.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dashboard.contract import AGE_MAX, AGE_MIN
from dashboard.geo.placement import split_settlement

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"

APOSTROPHES = "ʼ’‘`´ʹ′"
# Excel's day 0 is 1899-12-30 (it counts 1900 as a leap year); serials 20000–80000 cover 1954–2119.
EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_SERIAL_RANGE = (20000, 80000)
# Dates before the first programme began or far in the future are typing errors.
DATE_MIN, DATE_MAX = dt.date(2000, 1, 1), dt.date(2035, 12, 31)
# Longest raw value kept in a quarantine record or a free-text field.
MAX_TEXT = 500


class Invalid(ValueError):
    """A raw value that cannot be normalised; `reason` is a stable code for the report."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def key(text: str) -> str:
    """Comparison key: NFC, case-folded, one apostrophe, no dots or commas, single spaces."""
    s = unicodedata.normalize("NFC", text).casefold()
    for a in APOSTROPHES:
        s = s.replace(a, "'")
    s = s.replace("ё", "е").replace(".", " ").replace(",", " ")
    return " ".join(s.split())


def clean_text(text: str) -> str | None:
    """Free text as stored: NFC, no control characters, single spaces, at most MAX_TEXT chars."""
    s = unicodedata.normalize("NFC", text)
    s = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in s)
    s = " ".join(s.split())[:MAX_TEXT]
    return s or None


def _read_vocab(name: str) -> list[dict[str, str]]:
    with open(VOCAB_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=None)
def category_table() -> dict[str, dict[str, str]]:
    """field → {raw key → code}, from vocab/categories.csv."""
    out: dict[str, dict[str, str]] = {}
    for row in _read_vocab("categories.csv"):
        out.setdefault(row["field"], {})[key(row["value"])] = row["code"]
    return out


def category(field: str, raw: str, blank: str | None = None) -> str | None:
    """Code of a raw category value; `blank` is returned for an empty value."""
    k = key(raw)
    if not k:
        return blank
    code = category_table()[field].get(k)
    if code is None:
        raise Invalid(f"unknown_{field}", f"{field}: '{raw[:80]}' is not a known value")
    return code


# --- regions -------------------------------------------------------------------------------

_OBLAST_WORDS = {"область", "обл", "oblast", "oblast'", "region", "обласць", "області", "reg", "province"}
_CITY_WORDS = {"м", "г", "місто", "город", "city", "city of", "misto", "m", "mista"}


@lru_cache(maxsize=None)
def _region_stems() -> dict[tuple[str, str], str]:
    out = {}
    for row in _read_vocab("regions.csv"):
        out[(key(row["stem"]).replace("-", " "), row["kind"])] = row["region_code"]
    return out


@lru_cache(maxsize=4096)
def region(raw: str) -> str:
    """ISO 3166-2 code of a region written any way the field writes it (see vocab/regions.csv)."""
    words = key(raw).replace("-", " ").split()
    oblast = False
    while words and words[-1] in _OBLAST_WORDS:
        words.pop()
        oblast = True
    while words and words[0] in _CITY_WORDS:
        words.pop(0)
    while words and words[-1] in _CITY_WORDS:
        words.pop()
    stem = " ".join(words)
    stems = _region_stems()
    kind = "oblast" if oblast else "city"
    code = stems.get((stem, kind)) or stems.get((stem, "any"))
    if code is None:
        raise Invalid("unknown_region", f"region: '{raw[:80]}' matches no region")
    return code


# --- dates and numbers ---------------------------------------------------------------------

_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%Y/%m/%d", "%Y.%m.%d", "%d-%m-%Y")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$")


_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def date(raw: str) -> dt.date | None:
    """A date from `17.11.2023`, `2023-11-17`, `17/11/2023`, an Excel serial or a timestamp."""
    s = raw.strip()
    return _date(_TIME_SUFFIX.sub("", s)) if s else None


@lru_cache(maxsize=65536)
def _date(s: str) -> dt.date:
    value = None
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        serial = int(float(s))
        if EXCEL_SERIAL_RANGE[0] <= serial <= EXCEL_SERIAL_RANGE[1]:
            value = EXCEL_EPOCH + dt.timedelta(days=serial)
    else:
        m = _DMY.fullmatch(s) or _YMD.fullmatch(s)
        try:
            if m and m.re is _DMY:
                value = dt.date(int(m[3]), int(m[2]), int(m[1]))
            elif m:
                value = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            value = None
        for fmt in () if m else _DATE_FORMATS:
            try:
                value = dt.datetime.strptime(s, fmt).date()
                break
            except ValueError:
                continue
    if value is None:
        raise Invalid("bad_date", f"date: '{s[:40]}' is not a date")
    if not DATE_MIN <= value <= DATE_MAX:
        raise Invalid("bad_date", f"date: '{s[:40]}' is outside {DATE_MIN.year}–{DATE_MAX.year}")
    return value


def month(raw: str) -> dt.date | None:
    """First day of the month from `2012-05`, `05.2012` or any full date."""
    s = raw.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{1,2})[./](\d{4})", s)
    if m:
        y, mo = (m[1], m[2]) if m[1] else (m[4], m[3])
        if 1 <= int(mo) <= 12:
            return date(f"{y}-{int(mo):02d}-01")
        raise Invalid("bad_date", f"month: '{raw[:40]}' is not a month")
    d = date(s)
    return d.replace(day=1) if d else None


@lru_cache(maxsize=65536)
def number(raw: str) -> float | None:
    """A number written with a decimal comma or point, spaces as thousands separators."""
    s = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not s:
        return None
    try:
        value = float(s)
    except ValueError:
        raise Invalid("bad_number", f"number: '{raw[:40]}' is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Invalid("bad_number", f"number: '{raw[:40]}' is not a number")
    return value


def count(raw: str, field: str) -> int | None:
    """A non-negative whole count, or None when blank."""
    v = number(raw)
    if v is None:
        return None
    if v < 0 or v != int(v) or v > 1e7:
        raise Invalid("bad_count", f"{field}: '{raw[:40]}' is not a count of people")
    return int(v)


def score(raw: str, field: str, lo: float, hi: float, whole: bool) -> float | None:
    """A score in [lo, hi] (whole numbers only when `whole`), or None when blank."""
    v = number(raw)
    if v is None:
        return None
    if not lo <= v <= hi or (whole and v != int(v)):
        kind = "whole number " if whole else ""
        raise Invalid(f"{field}_out_of_range", f"{field}: '{raw[:40]}' is not a {kind}score {lo:g}–{hi:g}")
    return v


# --- people --------------------------------------------------------------------------------

AGE_BANDS = ((25, "under_25"), (45, "25_44"), (60, "45_59"), (70, "60_69"), (AGE_MAX + 1, "70_plus"))


def band(age: int) -> str:
    for upper, name in AGE_BANDS:
        if age < upper:
            return name
    return "70_plus"


def age_band(birth_year: str, age: str, year: int) -> str:
    """Age band at `year` from a birth year, or from an age (`70+` allowed); unknown if blank."""
    b, a = birth_year.strip(), age.strip()
    # Forms put an age such as `70+` or `68` into the birth-year column: read it as the age.
    if re.fullmatch(r"\d{1,3}\s*\+?", b) and not a:
        b, a = "", b
    if b and b not in {"-", "—", "–"}:
        if not re.fullmatch(r"(19|20)\d\d", b):
            raise Invalid("impossible_birth_year", f"birth year: '{b[:12]}' is not a year")
        years = year - int(b)
        if not AGE_MIN <= years <= AGE_MAX:
            raise Invalid("impossible_birth_year", f"birth year: {b} gives age {years}")
        return band(years)
    if a and a not in {"-", "—", "–"}:
        m = re.fullmatch(r"(\d{1,3})\s*\+?", a)
        if not m or not AGE_MIN <= int(m[1]) <= AGE_MAX:
            raise Invalid("impossible_age", f"age: '{a[:12]}' is not an age")
        return band(int(m[1]))
    return "unknown"


def person_name(raw: str) -> str:
    """Name as a matching key: case, spacing and apostrophes ignored."""
    return key(raw).replace("'", "")


def phone_digits(raw: str) -> str:
    """The last nine digits of a Ukrainian number (+380 67…, 067…, 67…)."""
    digits = re.sub(r"\D", "", raw)
    return digits[-9:] if len(digits) >= 9 else digits


# --- places --------------------------------------------------------------------------------

# Rough bounding box of every region the programmes work in (Ukraine and Kemerovo).
LAT_RANGE, LON_RANGE = (43.0, 57.5), (21.0, 90.0)


def settlement(raw: str) -> tuple[str | None, str]:
    """(name without its type prefix, settlement type) from `смт Брацлав`, `м.Ковель`, `с. Требухів`, …

    The prefixes are those dashboard.geo.placement reads when it places a hub at its settlement.
    """
    return split_settlement(clean_text(raw) or "")


def coordinates(lat_raw: str, lon_raw: str) -> tuple[float | None, float | None]:
    """(lat, lon) with a swapped pair put right; both None when either is blank."""
    lat, lon = number(lat_raw), number(lon_raw)
    if lat is None or lon is None:
        return None, None

    def inside(a: float, b: float) -> bool:
        return LAT_RANGE[0] <= a <= LAT_RANGE[1] and LON_RANGE[0] <= b <= LON_RANGE[1]

    if inside(lat, lon) and not (inside(lon, lat) and lat < lon):
        return lat, lon
    if inside(lon, lat):
        return lon, lat
    if inside(lat, lon):
        return lat, lon
    raise Invalid("bad_coordinates", f"coordinates: ({lat_raw[:20]}, {lon_raw[:20]}) lie outside the programme area")


@lru_cache(maxsize=None)
def _topic_keywords() -> list[tuple[str, str]]:
    return [(key(r["keyword"]), r["topic"]) for r in _read_vocab("topics.csv")]


@lru_cache(maxsize=4096)
def topic(course: str) -> str:
    """Course family of a course title, by the first keyword of vocab/topics.csv it contains."""
    k = key(course)
    for word, name in _topic_keywords():
        if word in k:
            return name
    return "other"


def map_unique(values: pd.Series, fn: Callable[[str], object]) -> tuple[list, list]:
    """Apply `fn` once per distinct value: (results, errors) aligned with `values`."""
    cache: dict[str, tuple[object, Invalid | None]] = {}
    results, errors = [], []
    for v in values:
        hit = cache.get(v)
        if hit is None:
            try:
                hit = (fn(v), None)
            except Invalid as e:
                hit = (None, e)
            cache[v] = hit
        results.append(hit[0])
        errors.append(hit[1])
    return results, errors
