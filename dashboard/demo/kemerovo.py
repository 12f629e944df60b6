"""Demo layer: the Kemerovo Oblast library computer-literacy centres ("Твой курс"), with their
waiting list and partner organisations, as that programme sends them (Russian headers).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dashboard.demo import calibration as cal
from dashboard.demo import spellings
from dashboard.demo.writers import CsvStyle, write_csv

PROGRAMME = "Твой курс"
CENTRE_HEADER = ["Код центра", "Программа", "Название", "Тип учреждения", "Регион", "Населённый пункт",
                 "Широта", "Долгота", "Дата открытия", "Статус"]
# Real settlements of Kemerovo Oblast (type prefix, name, lat, lon), main centre first.
PLACES = (
    ("г.", "Кемерово", 55.3547, 86.0873), ("г.", "Новокузнецк", 53.7596, 87.1216),
    ("г.", "Прокопьевск", 53.8864, 86.7390), ("г.", "Ленинск-Кузнецкий", 54.6567, 86.1737),
    ("г.", "Междуреченск", 53.6865, 88.0703), ("г.", "Белово", 54.4165, 86.2976),
    ("г.", "Киселёвск", 54.0000, 86.6500), ("г.", "Юрга", 55.7131, 84.9336),
    ("г.", "Анжеро-Судженск", 56.0786, 86.0202), ("г.", "Берёзовский", 55.6667, 86.2500),
    ("г.", "Осинники", 53.6199, 87.3363), ("г.", "Мыски", 53.7125, 87.8056),
    ("г.", "Мариинск", 56.2127, 87.7454), ("г.", "Топки", 55.2764, 85.6153),
    ("г.", "Полысаево", 54.6055, 86.2809), ("г.", "Таштагол", 52.7593, 87.8611),
    ("г.", "Тайга", 56.0622, 85.6207), ("г.", "Калтан", 53.5210, 87.2771),
    ("с.", "Ягуново", 55.4420, 86.0140), ("пгт", "Промышленная", 54.9186, 85.6403),
    ("пгт", "Яя", 56.2000, 86.4333), ("пгт", "Тисуль", 55.7594, 88.3122),
    ("пгт", "Крапивинский", 54.9972, 86.8169), ("г.", "Гурьевск", 54.2859, 85.9476),
    ("г.", "Салаир", 54.2349, 85.8028),
)
TYPES = {"г.": "городская библиотека", "пгт": "городская библиотека", "с.": "сельская библиотека"}
PARTNERS = (
    ("Kemerovo Regional Clinical Hospital", "hospital", "2012-09-01", "140"),
    ("Regional Children's Clinical Hospital", "hospital", "2012-10-15", "85"),
    ("Regional Blood Centre", "hospital", "2012-11-01", "40"),
    ("Novokuznetsk City Hospital No. 1", "hospital", "2013-03-12", "62"),
    ("District centre of social assistance to families and children", "social services", "2012-03-01", ""),
    ("Kemerovo Comprehensive Centre of Social Services", "social services", "2011-11-10", "57"),
    ("Prokopyevsk Social Protection Department", "social services", "2013-02-04", "33"),
    ("Kemerovo City Employment Centre", "employment centre", "2011-06-01", "0"),
    ("Novokuznetsk Employment Centre", "employment centre", "2012-04-16", "21"),
    ("Regional Society of Disabled People", "disability society", "2011-09-20", "18"),
    ("Society of the Blind, Kemerovo branch", "disability society", "2012-06-05", "9"),
    ("Kemerovo Children's Home No. 2", "children's home", "2012-12-03", "12"),
    ("Yurga Orphanage", "children's home", "2013-05-20", "7"),
)
WAITLIST_MONTHS = ("2010-03", "2015-12")


def _open_days(rng: np.random.Generator) -> list[int]:
    days = []
    for year, k in cal.KEMEROVO_OPENINGS.items():
        lo, hi = np.datetime64(f"{year}-01-10", "D"), np.datetime64(f"{year}-12-15", "D")
        drawn = sorted(int(d) for d in rng.integers(lo.astype(int), hi.astype(int), k))
        days += drawn if year != 2010 else [int(np.datetime64("2010-03-01", "D").astype(int))]
    return days


def write_centres(raw_dir: Path, rng: np.random.Generator) -> dict[str, int]:
    """Write `kemerovo_centres.csv` (25 centres opened 2010–2014)."""
    days = np.array(_open_days(rng), np.int64)
    opened = spellings.dates(rng, days, (0.1, 0.85, 0.05)).to_pylist()
    regions = spellings.kemerovo_names(rng, len(days))
    regions[0] = "Кемеровская область"
    rows = []
    for i, (prefix, place, lat, lon) in enumerate(PLACES[: len(days)]):
        name = "Кемеровская областная научная библиотека" if i == 0 else \
            ("Центральная городская библиотека" if prefix != "с." else "Сельская библиотека") + f" ({place})"
        itype = "областная библиотека" if i == 0 else TYPES[prefix]
        status = "Закрыт" if i in (16, 22) else "Активен"
        rows.append([f"TK-{i + 1:03d}", PROGRAMME, name, itype, regions[i], f"{prefix} {place}",
                     f"{lat:.4f}", f"{lon:.4f}", opened[i], status])
    return {"kemerovo_centres.csv": write_csv(raw_dir / "kemerovo_centres.csv", CENTRE_HEADER, rows, CsvStyle())}


def _months() -> np.ndarray:
    a, b = (np.datetime64(m, "M") for m in WAITLIST_MONTHS)
    return np.arange(a, b + 1)


def waiting_counts(rng: np.random.Generator, months: np.ndarray, opened: np.datetime64, main: bool) -> np.ndarray:
    """People waiting per month: a rise to the peak, then a slow fall as new centres open."""
    t = (months - np.datetime64(cal.WAITLIST_PEAK_MONTH, "M")).astype(int).astype(float)
    peak = cal.WAITLIST_PEAK if main else float(rng.integers(40, 160))
    shape = np.where(t <= 0, np.exp(-((t / 9.0) ** 2)), np.exp(-t / 20.0))
    noisy = peak * shape * rng.normal(1.0, 0.02 if main else 0.08, len(t))
    noisy[np.argmin(np.abs(t))] = peak * (1 if main else rng.uniform(0.9, 1.0))
    return np.where(months >= opened, np.round(np.clip(noisy, 0, None)), -1).astype(int)


def write_waitlist(raw_dir: Path, rng: np.random.Generator) -> dict[str, int]:
    """Write `waitlist.csv`: monthly waiting-list counts for the main centre and five others."""
    months = _months()
    rows = []
    for i in range(6):
        opened = np.datetime64("2010-03", "M") if i == 0 else np.datetime64(f"2011-{2 * i + 1:02d}", "M")
        counts = waiting_counts(rng, months, opened, main=i == 0)
        for m, c in zip(months, counts):
            if c >= 0:
                blank = rng.random() < 0.01 and i > 0
                rows.append([f"TK-{i + 1:03d}", str(m), "" if blank else str(c)])
    return {"waitlist.csv": write_csv(raw_dir / "waitlist.csv", ["centre_id", "month", "waiting"], rows, CsvStyle())}


def write_partners(raw_dir: Path) -> dict[str, int]:
    """Write `partners.csv`: hospitals, social services and others with staff trained."""
    rows = [list(p) for p in PARTNERS]
    header = ["partner", "type", "agreement_date", "staff_trained"]
    return {"partners.csv": write_csv(raw_dir / "partners.csv", header, rows, CsvStyle())}
