"""Demo layer: invented personal data (names, phones, e-mails) built from common Ukrainian names.

Every person is made from lists of common given names, patronymics and surnames; phone
numbers are a seeded bijection of the person's index, so two people never share one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FEMALE_GIVEN = (
    "Олена", "Ганна", "Марія", "Наталія", "Тетяна", "Ірина", "Світлана", "Людмила", "Валентина",
    "Ольга", "Галина", "Надія", "Любов", "Віра", "Оксана", "Лариса", "Ніна", "Катерина", "Юлія",
    "Вікторія", "Алла", "Раїса", "Зінаїда", "Лідія", "Тамара", "Марʼяна", "Софія", "Ярослава",
    "Мирослава", "Христина", "Анастасія", "Інна", "Жанна", "Василина", "Стефанія", "Уляна",
)
MALE_GIVEN = (
    "Олександр", "Сергій", "Володимир", "Микола", "Іван", "Василь", "Петро", "Михайло", "Андрій",
    "Юрій", "Віктор", "Анатолій", "Олег", "Дмитро", "Богдан", "Григорій", "Степан", "Павло",
    "Ярослав", "Тарас", "Ігор", "Віталій", "Роман", "Євген", "Леонід", "Валерій", "Орест", "Остап",
)
# Father's names as (masculine, feminine) patronymic.
PATRONYMICS = (
    ("Олександрович", "Олександрівна"), ("Сергійович", "Сергіївна"),
    ("Володимирович", "Володимирівна"), ("Миколайович", "Миколаївна"), ("Іванович", "Іванівна"),
    ("Васильович", "Василівна"), ("Петрович", "Петрівна"), ("Михайлович", "Михайлівна"),
    ("Андрійович", "Андріївна"), ("Юрійович", "Юріївна"), ("Вікторович", "Вікторівна"),
    ("Анатолійович", "Анатоліївна"), ("Григорович", "Григорівна"), ("Степанович", "Степанівна"),
    ("Павлович", "Павлівна"), ("Федорович", "Федорівна"), ("Богданович", "Богданівна"),
    ("Ярославович", "Ярославівна"), ("Леонідович", "Леонідівна"), ("Ігорович", "Ігорівна"),
)
SURNAMES = (
    "Коваленко", "Бондаренко", "Шевченко", "Ткаченко", "Кравченко", "Олійник", "Шевчук",
    "Поліщук", "Бондар", "Мельник", "Ткачук", "Марченко", "Лисенко", "Руденко", "Савченко",
    "Петренко", "Клименко", "Павленко", "Кравчук", "Кузьменко", "Пономаренко", "Савчук",
    "Василенко", "Левченко", "Харченко", "Карпенко", "Гончаренко", "Мороз", "Романенко",
    "Литвиненко", "Бойко", "Коваль", "Мазур", "Кушнір", "Гуменюк", "Ковальчук", "Гнатюк",
    "Павлюк", "Федорук", "Дячук", "Назаренко", "Яковенко", "Сидоренко", "Зінченко", "Остапенко",
    "Гаврилюк", "Іваненко", "Рибак", "Панченко", "Мартинюк", "Приходько", "Литвин",
    "Захарченко", "Грищенко", "Головко", "Демченко", "Данилюк", "Кириленко", "Тарасенко",
    "Вакуленко", "Ярошенко", "Гордієнко", "Пилипенко", "Макаренко", "Дорошенко", "Жук",
    "Ковтун", "Сорока", "Гребенюк", "Тимощук", "Онищенко", "Рудь", "Білик", "Швець", "Чорний",
    "Дем'яненко", "Мар'янчук", "Собко", "Нестеренко", "Процик", "Стасюк", "Семенюк", "Юрчук",
    "Андрющенко", "Гайдай", "Кулик", "Мирошниченко", "Вовк", "Лук'яненко", "Середа", "Присяжнюк",
)
# Adjectival surnames change with gender: (masculine, feminine).
SURNAME_PAIRS = (
    ("Ковальський", "Ковальська"), ("Вишневський", "Вишневська"), ("Левицький", "Левицька"),
    ("Яворський", "Яворська"), ("Савицький", "Савицька"), ("Островський", "Островська"),
    ("Грушевський", "Грушевська"), ("Бережний", "Бережна"), ("Сокольський", "Сокольська"),
    ("Заболотний", "Заболотна"),
)
LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "ʼ": "", "’": "",
})
# Mobile operator codes (after the leading 0) of Ukrainian numbers.
OPERATORS = ("50", "66", "95", "99", "67", "68", "96", "97", "98", "63", "73", "93")
# Invented addresses only: reserved example domains.
MAIL_DOMAINS = ("example.org", "example.com", "example.net")


def _surname_tables() -> tuple[pa.Array, pa.Array]:
    male = list(SURNAMES) + [m for m, _ in SURNAME_PAIRS]
    female = list(SURNAMES) + [f for _, f in SURNAME_PAIRS]
    return pa.array(male), pa.array(female)


def full_names(rng: np.random.Generator, female: np.ndarray, patronymic_share: float = 0.85) -> pa.Array:
    """Invented `Surname Given Patronymic` per person (patronymic left out for some)."""
    n = len(female)
    male_s, female_s = _surname_tables()
    s_idx = pa.array(rng.integers(0, len(male_s), n))
    surname = pc.if_else(pa.array(female), female_s.take(s_idx), male_s.take(s_idx))
    given = pc.if_else(pa.array(female),
                       pa.array(FEMALE_GIVEN).take(pa.array(rng.integers(0, len(FEMALE_GIVEN), n))),
                       pa.array(MALE_GIVEN).take(pa.array(rng.integers(0, len(MALE_GIVEN), n))))
    p_idx = pa.array(rng.integers(0, len(PATRONYMICS), n))
    patr = pc.if_else(pa.array(female), pa.array([f for _, f in PATRONYMICS]).take(p_idx),
                      pa.array([m for m, _ in PATRONYMICS]).take(p_idx))
    patr = pc.if_else(pa.array(rng.random(n) < patronymic_share), patr, pa.nulls(n, pa.string()))
    return pc.binary_join_element_wise(surname, given, patr, " ", null_handling="skip")


def phone_parts(index: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(operator index, 7-digit subscriber number) per person; distinct for index < 120M.

    A seeded affine map modulo 12 × 10^7 with a multiplier coprime to it is a bijection, so
    numbers look random yet never repeat.
    """
    space = len(OPERATORS) * 10_000_000
    rng = np.random.default_rng([seed, 7919])
    mult = int(rng.choice([7, 11, 13, 17, 19, 23, 29, 31])) * 1_000_003 + 30  # coprime to 2, 3, 5
    value = (index.astype(np.int64) % space * mult + int(rng.integers(0, space))) % space
    return value // 10_000_000, value % 10_000_000


def phones(op: np.ndarray, number: np.ndarray, style: np.ndarray) -> pa.Array:
    """Phone text in one of three field styles: 0 `+380671234500`, 1 `067 123 45 00`, 2 `0671234500`."""
    code = pa.array(OPERATORS).take(pa.array(op))
    digits = pc.utf8_lpad(pc.cast(pa.array(number), pa.string()), 7, "0")
    part = lambda a, b: pc.utf8_slice_codeunits(digits, a, b)  # noqa: E731
    intl = pc.binary_join_element_wise("+380", code, digits, "")
    spaced = pc.binary_join_element_wise(
        pc.binary_join_element_wise("0", code, ""), part(0, 3), part(3, 5), part(5, 7), " ")
    local = pc.binary_join_element_wise("0", code, digits, "")
    return pc.choose(pa.array(style.astype(np.int8)), intl, spaced, local)


def email(name: str, domain_index: int) -> str:
    """An invented address from a `Surname Given …` name: `o.kovalenko@example.org`."""
    parts = name.lower().split()
    given = parts[1][0].translate(LATIN) if len(parts) > 1 else "x"
    return f"{given}.{parts[0].translate(LATIN)}@{MAIL_DOMAINS[domain_index % len(MAIL_DOMAINS)]}"
