"""Demo layer: participant report rows — one per person × course — as the online form exports them.

Turns a chunk of people (`people.draw_people`) into Arrow text columns in the header order
of the export, with the field's mess at the rates of `MESS`: the same person written
several ways, spelling variants, unknown hub codes, impossible birth years, out-of-range
ratings and double submissions.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.demo import names, spellings
from dashboard.demo.people import activity_days

HEADER = ["Позначка часу", "Код хабу", "ПІБ учасника", "Телефон", "Рік народження", "Стать",
          "Статус зайнятості", "Інвалідність", "ВПО", "Тип населеного пункту", "Курс або тема",
          "Формат", "Дата заняття", "Самооцінка до (1-10)", "Самооцінка після (1-10)"]
AGE_HEADER = "Вік"  # older form version: age instead of year of birth
# Per-row mess rates (per person where noted).
MESS = {
    "unknown_hub": 0.005, "impossible_birth": 0.002, "bad_rating": 0.003, "duplicate": 0.01,
    "name_lower": 0.06, "name_upper": 0.03, "name_spaces": 0.05, "formula_name": 0.0002,
    "age_70_plus_in_age_form": 0.5, "age_70_plus_in_year_form": 0.001,  # per person aged 70+
    "age_dash": 0.004,  # per person
    "after_blank_midway": 0.3,  # an earlier row's after-rating left blank
}
PHONE_STYLES = (0.5, 0.3, 0.2)  # +380671234500 / 067 123 45 00 / 0671234500
GENDER_SPELLINGS = {0: (("Жінка", 0.7), ("Ж", 0.2), ("F", 0.1)), 1: (("Чоловік", 0.7), ("Ч", 0.2), ("M", 0.1)),
                    2: (("інше", 1.0),), 3: (("", 1.0),)}
EMPLOYMENT = ("працює", "безробітний/шукає роботу", "пенсіонер", "студент", "інше")
YES_NO = ("ні", "так", "")
SETTLEMENT = ("місто", "селище", "село")
COURSES = ("Базові цифрові навички для людей елегантного віку", "Електронні послуги Дія", "Кібербезпека",
           "Базові цифрові навички", "Смартфон для початківців", "Онлайн-банкінг та безпечні платежі",
           "Кібергігієна для всієї родини", "Цифрова грамотність для батьків")
COURSE_SHARES = {"older": (0.48, 0.18, 0.12, 0.08, 0.08, 0.03, 0.02, 0.01),
                 "younger": (0.02, 0.25, 0.20, 0.18, 0.05, 0.10, 0.08, 0.12)}
FORMATS = ("групове заняття", "індивідуальна консультація", "онлайн")
FORMAT_SHARES = (0.68, 0.22, 0.10)
DATE_SHARES = (0.90, 0.08, 0.02)
BAD_RATINGS = ("0", "11", "7,5")
UNKNOWN_HUB_BASE = 90000  # codes above every registered hub


def _text(values) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _rows_ratings(rng, p, person, n_rows) -> tuple[pa.Array, pa.Array]:
    """Before/after text per row: the first row holds the person's before, the last their after."""
    first = np.r_[0, np.cumsum(n_rows)[:-1]]
    k = np.arange(len(person)) - first[person]
    n = n_rows[person]
    b, a = p["before"][person], p["after"][person]
    before = np.where(k == 0, b, b + np.floor((a - b) * k / n)).astype(np.int64)
    after = np.where(k == n - 1, a, b + np.ceil((a - b) * (k + 1) / n)).astype(np.int64)
    blank = ~p["finished"][person] | ((k < n - 1) & (rng.random(len(person)) < MESS["after_blank_midway"]))
    before_t, after_t = _text(before), pc.if_else(pa.array(blank), pa.nulls(len(person), pa.string()), _text(after))
    bad = rng.random(len(person)) < MESS["bad_rating"]
    if bad.any():
        bad_t = pa.array(np.array(BAD_RATINGS)[rng.integers(0, len(BAD_RATINGS), len(person))])
        on_after = bad & ~blank & (rng.random(len(person)) < 0.5)
        before_t = pc.if_else(pa.array(bad & ~on_after), bad_t, before_t)
        after_t = pc.if_else(pa.array(on_after), bad_t, after_t)
    return before_t, after_t


def _names(rng, p, person) -> pa.Array:
    """The person's name per row, in the case and spacing that row was typed with."""
    full = names.full_names(rng, p["female"]).take(pa.array(person))
    u = rng.random(len(person))
    full = pc.if_else(pa.array(u < MESS["name_lower"]), pc.utf8_lower(full), full)
    upper = (u >= MESS["name_lower"]) & (u < MESS["name_lower"] + MESS["name_upper"])
    full = pc.if_else(pa.array(upper), pc.utf8_upper(full), full)
    spaced = rng.random(len(person)) < MESS["name_spaces"]
    padded = pc.binary_join_element_wise(pc.replace_substring(full, " ", "  ", max_replacements=1), " ", "")
    full = pc.if_else(pa.array(spaced), padded, full)
    single = p["n_rows"][person] == 1
    formula = pa.array(single & (rng.random(len(person)) < MESS["formula_name"]))
    return pc.if_else(formula, '=HYPERLINK("http://x","y")', full)


def _birth(rng, p, person, age_form: bool) -> pa.Array:
    """Year of birth (or age) per row: `70+` and `-` per person, 1900/2030 (or 3/124) on a few rows."""
    n = len(p["age"])
    old = p["age"] >= 70
    plus = old & (rng.random(n) < MESS["age_70_plus_in_age_form" if age_form else "age_70_plus_in_year_form"])
    dash = rng.random(n) < MESS["age_dash"]
    value = _text(p["age"] if age_form else p["birth_year"])
    value = pc.if_else(pa.array(plus), "70+", value)
    value = pc.if_else(pa.array(dash), "-", value).take(pa.array(person))
    bad = rng.random(len(person)) < MESS["impossible_birth"]
    wrong = np.where(rng.random(len(person)) < 0.5, "1900", "2030") if not age_form else \
        np.where(rng.random(len(person)) < 0.5, "3", "124")
    return pc.if_else(pa.array(bad), pa.array(wrong), value)


def _per_person_choice(rng, table: dict, codes: np.ndarray, person: np.ndarray) -> pa.Array:
    """A spelling per row for a per-person code (e.g. gender → Жінка/Ж/F)."""
    out = pa.nulls(len(person), pa.string())
    row_codes = codes[person]
    for code, options in table.items():
        mask = row_codes == code
        if mask.any():
            words, shares = zip(*options)
            out = pc.if_else(pa.array(mask), spellings.pick(rng, words, shares, len(person)), out)
    return out


def _hub_codes(rng, hub_ids: pa.Array, p, person) -> pa.Array:
    codes = hub_ids.take(pa.array(p["hub"][person]))
    unknown = rng.random(len(person)) < MESS["unknown_hub"]
    fake = pc.binary_join_element_wise("ХЦО-", _text(UNKNOWN_HUB_BASE + rng.integers(0, 9999, len(person))), "")
    return pc.if_else(pa.array(unknown), fake, codes)


def report_rows(rng: np.random.Generator, p: dict, hub_ids: pa.Array, end: int,
                age_form: bool) -> tuple[list[pa.Array], np.ndarray, np.ndarray]:
    """(columns in HEADER order, person position per row, activity day per row), sorted by timestamp."""
    person, day = activity_days(rng, p, end)
    m = len(person)
    lag = np.where(rng.random(m) < 0.6, 0, rng.integers(1, 7, m))
    stamp = (day + lag) * 86400 + rng.integers(8 * 3600, 20 * 3600, m)
    phone = names.phones(p["phone_op"][person], p["phone_number"][person], rng.choice(3, m, p=PHONE_STYLES))
    phone = pc.if_else(pa.array(p["has_phone"][person]), phone, pa.nulls(m, pa.string()))
    older = p["age"][person] >= 60
    course = pc.if_else(pa.array(older), spellings.pick(rng, COURSES, COURSE_SHARES["older"], m),
                        spellings.pick(rng, COURSES, COURSE_SHARES["younger"], m))
    before, after = _rows_ratings(rng, p, person, p["n_rows"])
    columns = [
        spellings.timestamps(stamp),
        _hub_codes(rng, hub_ids, p, person), _names(rng, p, person), phone,
        _birth(rng, p, person, age_form),
        _per_person_choice(rng, GENDER_SPELLINGS, p["gender"], person),
        pa.array(EMPLOYMENT).take(pa.array(p["employment"][person])),
        pa.array(YES_NO).take(pa.array(p["disability"][person])),
        pa.array(YES_NO).take(pa.array(p["displaced"][person])),
        pa.array(SETTLEMENT).take(pa.array(p["settlement"][person])),
        course, spellings.pick(rng, FORMATS, FORMAT_SHARES, m),
        spellings.dates(rng, day, DATE_SHARES), before, after,
    ]
    order = np.argsort(stamp, kind="stable")
    dup = rng.random(m) < MESS["duplicate"]
    order = np.repeat(order, np.where(dup[order], 2, 1))
    take = pa.array(order)
    return [c.take(take) for c in columns], person, day
