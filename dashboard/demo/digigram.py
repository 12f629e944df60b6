"""Demo layer: Digigram test results — before and after scores per DigComp area for a subset of people.

Older exports (2022–2023) carry five area columns (no "basics of computer literacy");
newer ones carry six. Rows of unfinished tests have blank scores; a few scores exceed 100.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.demo import calibration as cal
from dashboard.demo import spellings

AREA_HEADERS = ("Основи комп'ютерної грамотності", "Інформаційна грамотність", "Комунікація та співпраця",
                "Створення цифрового контенту", "Безпека", "Розв'язання проблем та навчання впродовж життя")
OLD_AREA_HEADERS = AREA_HEADERS[1:5] + ("Розв'язання проблем",)
# Area difficulty: percentage points above or below a person's general level.
AREA_OFFSET = np.array([10.0, 5.0, 3.0, -10.0, -3.0, -6.0])
GAIN_MEAN, GAIN_SD = 18.0, 8.0
MESS = {"unfinished": 0.05, "over_100": 0.003, "blank_area": 0.01, "english_stage": 0.02,
        "decimal": 0.05, "duplicate": 0.01}
STAGES = {"pre": ("до", "before"), "post": ("після", "after")}


def header(old: bool) -> list[str]:
    """Column headers of a Digigram export, older (five areas) or newer (six areas)."""
    areas = OLD_AREA_HEADERS if old else AREA_HEADERS
    return ["Код учасника", "Код хабу", "Дата", "Етап", *areas, "Загальний бал"]


def codes(index: np.ndarray, seed: int) -> pa.Array:
    """Pseudonymous test-platform codes `DG-xxxxxx`: a seeded bijection of the person index (< 2^24)."""
    rng = np.random.default_rng([seed, 2654435761])
    mult = int(rng.integers(1, 2**23)) * 2 + 1  # odd: a bijection modulo 2^24
    value = (index.astype(np.int64) * mult + int(rng.integers(0, 2**24))) % (1 << 24)
    hexes = pc.utf8_lpad(pa.array([format(v, "x") for v in value.tolist()]), 6, "0")
    return pc.binary_join_element_wise("DG-", hexes, "")


def _scores(rng: np.random.Generator, before_rating: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) scores, people × six areas, 0–100."""
    level = 12 + 6.0 * before_rating[:, None] + rng.normal(0, 9, (len(before_rating), 1))
    pre = np.clip(level + AREA_OFFSET + rng.normal(0, 7, (len(before_rating), 6)), 0, 100)
    post = np.clip(pre + np.clip(rng.normal(GAIN_MEAN, GAIN_SD, pre.shape), 0, None), 0, 100)
    return np.round(pre), np.round(post)


def _score_text(rng: np.random.Generator, scores: np.ndarray, comma: bool) -> list[pa.Array]:
    n = len(scores)
    out = []
    for j in range(scores.shape[1]):
        s = scores[:, j].copy()
        over = rng.random(n) < MESS["over_100"] / scores.shape[1]
        s[over] = rng.choice([120.0, 140.0], over.sum())
        half = comma & (rng.random(n) < MESS["decimal"]) & (s < 100)
        s = np.where(half, s + 0.5, s)
        text = spellings.decimal(s, 1, np.full(n, comma))
        text = pc.if_else(pa.array(half), text, _int_text(s))
        blank = rng.random(n) < MESS["blank_area"]
        out.append(pc.if_else(pa.array(blank | np.isnan(s)), pa.nulls(n, pa.string()), text))
    return out


def _int_text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.nan_to_num(values).astype(np.int64)), pa.string())


def digigram_rows(rng: np.random.Generator, index: np.ndarray, hub_codes: pa.Array, first_day: np.ndarray,
                  last_day: np.ndarray, before_rating: np.ndarray, seed: int, old: bool,
                  comma: bool) -> list[pa.Array]:
    """Columns (in `header(old)` order) of before/after rows for the people given, sorted by date."""
    n = len(index)
    pre, post = _scores(rng, before_rating)
    has_post = rng.random(n) >= cal.DIGIGRAM_NO_AFTER
    who = np.r_[np.arange(n), np.flatnonzero(has_post)]
    stage = np.r_[np.zeros(n, int), np.ones(has_post.sum(), int)]
    day = np.where(stage == 0, first_day[who] - rng.integers(0, 2, len(who)),
                   last_day[who] + rng.integers(0, 8, len(who)))
    scores = np.where(stage[:, None] == 0, pre[who], post[who])
    if old:
        scores = scores[:, 1:]
    overall = np.round(scores.mean(axis=1))
    unfinished = rng.random(len(who)) < MESS["unfinished"]
    scores[unfinished], overall[unfinished] = np.nan, np.nan
    english = rng.random(len(who)) < MESS["english_stage"]
    stage_t = np.array([STAGES["pre"][0], STAGES["post"][0], STAGES["pre"][1], STAGES["post"][1]])[stage + 2 * english]
    date_shares = (0.0, 1.0, 0.0) if old else (0.9, 0.1, 0.0)
    take = pa.array(who)
    columns = [codes(index, seed).take(take), hub_codes.take(take), spellings.dates(rng, day, date_shares),
               pa.array(stage_t), *_score_text(rng, scores, comma),
               pc.if_else(pa.array(np.isnan(overall)), pa.nulls(len(who), pa.string()), _int_text(overall))]
    order = np.argsort(day, kind="stable")
    order = np.repeat(order, np.where(rng.random(len(order)) < MESS["duplicate"], 2, 1))
    return [c.take(pa.array(order)) for c in columns]
