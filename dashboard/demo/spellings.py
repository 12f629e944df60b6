"""Demo layer: how the field writes one value many ways (regions, dates, coordinates, names).

Each helper takes a generator and clean values and returns the text as it appears in the
raw files, with the variants and their weights declared here or in the two CSV files beside
this module (`region_names.csv`, `region_spellings.csv`).
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent
# Oblast spellings by pattern and weight; {uk} Ukrainian adjective, {en_iso} ISO romanised,
# {en} conventional English, {ru} Russian adjective.
OBLAST_PATTERNS = (
    ("{uk} обл.", 40), ("{uk} область", 28), ("{uk}", 12), ("{UK}", 4), ("{uk} обл", 3),
    ("{en_iso} oblast", 4), ("{en} Oblast", 3), ("{ru} обл.", 1),
)
KEMEROVO_SPELLINGS = (("Кемеровская область", 50), ("Кемеровская обл.", 20), ("Кузбасс", 15),
                      ("Kemerovo Oblast", 15))
# Date forms: `17.11.2023`, `2023-11-17`, `17/11/2023`, Excel serial `45247`.
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y")
EXCEL_EPOCH_DAYS = 25569  # days from 1899-12-30 (Excel's day 0) to 1970-01-01
APOSTROPHES = ("'", "’", "ʼ")


def _read(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=None)
def region_table() -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """region_code → (spellings, probabilities) for every Ukrainian region."""
    table: dict[str, dict[str, float]] = {}
    for row in _read("region_names.csv"):
        forms = table.setdefault(row["region_code"], {})
        for pattern, weight in OBLAST_PATTERNS:
            text = pattern.format(UK=row["uk"].upper(), **row)
            forms[text] = forms.get(text, 0) + weight
    for row in _read("region_spellings.csv"):
        forms = table.setdefault(row["region_code"], {})
        forms[row["spelling"]] = forms.get(row["spelling"], 0) + float(row["weight"])
    return {code: (tuple(f), np.array(list(f.values())) / sum(f.values())) for code, f in table.items()}


def region_names(rng: np.random.Generator, codes: list[str] | np.ndarray) -> list[str]:
    """One raw spelling per region code, drawn by the weights of the spelling tables."""
    table = region_table()
    out = []
    for code in codes:
        forms, p = table[code]
        out.append(forms[rng.choice(len(forms), p=p)])
    return out


def kemerovo_names(rng: np.random.Generator, n: int) -> list[str]:
    """Raw spellings of Kemerovo Oblast (Russian, English and the name Кузбасс)."""
    forms, w = zip(*KEMEROVO_SPELLINGS)
    return [forms[i] for i in rng.choice(len(forms), size=n, p=np.array(w) / sum(w))]


def format_days(days: np.ndarray, fmt: str) -> pa.Array:
    """Days since 1970-01-01 as text in a strftime format (each distinct day formatted once)."""
    unique, inverse = np.unique(days, return_inverse=True)
    epoch = dt.date(1970, 1, 1)
    texts = [(epoch + dt.timedelta(days=int(d))).strftime(fmt) for d in unique]
    return pa.array(texts, pa.string()).take(pa.array(inverse.ravel()))


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Seconds since 1970 as the form's timestamp text `17.11.2023 14:03:11`."""
    day, sec = np.divmod(seconds, 86400)
    parts = [pc.utf8_lpad(pc.cast(pa.array(v), pa.string()), 2, "0")
             for v in (sec // 3600, sec // 60 % 60, sec % 60)]
    clock = pc.binary_join_element_wise(*parts, ":")
    return pc.binary_join_element_wise(format_days(day, DATE_FORMATS[0]), clock, " ")


def dates(rng: np.random.Generator, days: np.ndarray, shares: tuple[float, ...]) -> pa.Array:
    """Dates (days since 1970-01-01) written in the field's forms, drawn by `shares`.

    `shares` weighs `17.11.2023`, `2023-11-17`, `17/11/2023` and, when a fourth share is
    given, the Excel serial `45247`.
    """
    p = np.array(shares) / sum(shares)
    pick = rng.choice(len(shares), size=len(days), p=p).astype(np.int8)
    forms = [format_days(days, f) if p[i] > 0 else pa.nulls(len(days), pa.string())
             for i, f in enumerate(DATE_FORMATS[: min(3, len(shares))])]
    if len(shares) > 3:
        forms.append(pc.cast(pa.array(days.astype(np.int64) + EXCEL_EPOCH_DAYS), pa.string()))
    return pc.choose(pa.array(pick), *forms)


def decimal(values: np.ndarray, places: int, comma: np.ndarray) -> pa.Array:
    """Numbers as text with `places` decimals, a decimal comma where `comma` is set; NaN → null."""
    scale = 10**places
    whole = np.round(np.nan_to_num(values) * scale).astype(np.int64)
    sign = np.where(whole < 0, "-", "")
    whole = np.abs(whole)
    ints = pc.cast(pa.array(whole // scale), pa.string())
    fracs = pc.utf8_lpad(pc.cast(pa.array(whole % scale), pa.string()), places, "0")
    sep = pc.if_else(pa.array(comma), ",", ".")
    text = pc.binary_join_element_wise(pa.array(sign), ints, sep, fracs, "")
    return pc.if_else(pa.array(np.isnan(values)), pa.nulls(len(values), pa.string()), text)


def vary_apostrophes(rng: np.random.Generator, text: str) -> str:
    """The same text with its apostrophes written as one of ' ’ ʼ (as typed on different keyboards)."""
    mark = APOSTROPHES[rng.integers(len(APOSTROPHES))]
    for a in APOSTROPHES:
        text = text.replace(a, mark)
    return text


def pick(rng: np.random.Generator, options: tuple[str, ...], shares: tuple[float, ...], n: int) -> pa.Array:
    """`n` values drawn from `options` with probabilities `shares` (normalised)."""
    p = np.array(shares, dtype=float) / sum(shares)
    return pa.array(list(options)).take(pa.array(rng.choice(len(options), size=n, p=p)))
