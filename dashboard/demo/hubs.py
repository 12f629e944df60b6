"""Demo layer: the hub registry — about 6,000 hubs at real settlements, written as the registry exports it.

`build_hubs` draws the hubs (clean values the rest of the generator uses); `write_hubs`
renders them into the raw registry files: a UTF-8-with-BOM CSV, a Windows-1251 CSV and an
XLSX part, with the field's spellings, blanks, swapped coordinates and duplicate rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.demo import calibration as cal
from dashboard.demo import names, spellings
from dashboard.demo.writers import CsvFile, CsvStyle, write_xlsx

PROGRAMME = "Хаби цифрової освіти"
HEADER = ["Код хабу", "Програма", "Назва закладу", "Тип закладу", "Область", "Громада",
          "Населений пункт", "Широта", "Довгота", "Дата приєднання", "Статус",
          "Координатор пройшов навчання", "ПІБ координатора", "Телефон координатора",
          "Email координатора"]
# File parts of the registry: (name, style or None for XLSX, share of hubs).
PARTS = (("hubs_registry.csv", CsvStyle(";", "utf-8-sig"), 0.70),
         ("hubs_update_2024_cp1251.csv", CsvStyle(";", "cp1251", "\r\n"), 0.20),
         ("hubs_update_2025.xlsx", None, 0.10))
# Mess rates in the registry (per row).
MESS = {"blank_programme": 0.03, "html": 0.005, "type_case": 0.03, "blank_coords": 0.03,
        "swapped_coords": 0.005, "decimal_comma": 0.6, "duplicate": 0.01, "status_case": 0.02}
JITTER_DEG, JITTER_PER_SQRT_PEOPLE = 0.002, 0.00002
UNMATCHED_REGIONS = ("Галицька земля", "Слобожанщина", "Поділля")
JOIN_DATE_SHARES = (0.55, 0.25, 0.12, 0.08)
LIBRARY_TYPES = ("публічна бібліотека", "бібліотека-філія")
OTHER_TYPES = ("ЦНАП", "заклад освіти", "будинок культури")
OTHER_TYPE_SHARES = (0.35, 0.45, 0.20)
PREFIX = {"city": "м.", "village": "с."}
TRAINED = (("Так", 50), ("так", 15), ("1", 5), ("yes", 3), ("Ні", 12), ("0", 2), ("no", 1), ("", 12))
# Join windows (ISO start, end) by kind of hub: the network's launch year, then the phases.
JOIN_WINDOWS = {"launch": ("2021-01-15", "2021-12-31"), "phase1": ("2022-10-01", "2023-09-30"),
                "2024": ("2024-01-08", "2024-10-31"), "2025": ("2025-01-08", "2025-08-31")}


def apportion(weights: np.ndarray, total: int) -> np.ndarray:
    """Whole counts summing to `total`, proportional to `weights` (largest remainder)."""
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(int)
    counts[np.argsort(-(exact - counts), kind="stable")[: total - counts.sum()]] += 1
    return counts


def _region_counts(regions: pd.DataFrame, settlements: pd.DataFrame) -> pd.Series:
    ua = regions[(regions["country_code"] == "UA") & regions["region_code"].isin(settlements["region_code"])]
    pop = pd.to_numeric(ua["population"], errors="coerce").astype(float)
    pop = pop.fillna(pop.median()).to_numpy()
    weight = np.where(ua["occupation"].to_numpy() == "full", pop * cal.FULLY_OCCUPIED_WEIGHT, pop)
    return pd.Series(apportion(weight, cal.HUBS_TOTAL), index=ua["region_code"].to_numpy())


def _library_odds(codes: pd.Series, regions: pd.DataFrame) -> np.ndarray:
    """Per hub, the chance its host is a library: the national share, but never more library hubs
    in a region than LIBRARY_CAP of its public libraries (the capital has many hubs, few libraries)."""
    libraries = pd.to_numeric(regions.set_index("region_code")["public_libraries"], errors="coerce")
    hubs_per_region = codes.value_counts()
    cap = cal.LIBRARY_CAP * libraries.reindex(hubs_per_region.index) / hubs_per_region
    odds = cap.clip(upper=cal.LIBRARY_SHARE).fillna(cal.LIBRARY_SHARE)
    return codes.map(odds).to_numpy(float)


def _place_hubs(rng: np.random.Generator, settlements: pd.DataFrame, counts: pd.Series) -> pd.DataFrame:
    """Pick a settlement for every hub, region by region (several hubs in a big town)."""
    picks = []
    for code, k in counts.items():
        pool = settlements[settlements["region_code"] == code]
        # GeoNames writes 0 for "no figure": treat as a village of typical size.
        pop = pd.to_numeric(pool["population"], errors="coerce").replace(0, np.nan).fillna(500).clip(lower=50)
        w = pop.to_numpy(float) ** cal.SETTLEMENT_WEIGHT_POWER
        picks.append(pool.iloc[rng.choice(len(pool), size=int(k), p=w / w.sum())])
    return pd.concat(picks, ignore_index=True)


def _occupied(hubs: pd.DataFrame, occupation: dict[str, str]) -> np.ndarray:
    """Hubs in temporarily occupied territory: whole regions, or a partial region's east/south-east."""
    tot = np.zeros(len(hubs), bool)
    for code, idx in hubs.groupby("region_code").indices.items():
        state = occupation.get(code, "none")
        if state == "full":
            tot[idx] = True
        elif state == "partial":
            share = cal.OCCUPIED_SHARE.get(code, cal.OCCUPIED_SHARE_DEFAULT)
            east = (hubs["lon"].to_numpy()[idx] - hubs["lat"].to_numpy()[idx])
            order = idx[np.argsort(-east, kind="stable")]
            tot[order[: int(round(share * len(idx)))]] = True
    return tot


def _days(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def _join_days(rng: np.random.Generator, region: np.ndarray, tot: np.ndarray, library: np.ndarray) -> np.ndarray:
    """Join date per hub (days since 1970): most in the network's first year; then library hubs of
    the 2022–2023 phase's regions and a few other institutions with the 2024 and 2025 phases."""
    n = len(region)
    phase1, phase24 = np.isin(region, cal.PHASE_2022_2023), np.isin(region, cal.PHASE_2024)
    u = rng.random(n)
    late24, late25 = cal.LATE_JOINS["2024"], cal.LATE_JOINS["2025"]
    kind = np.select([library & phase1 & (u < cal.PHASE1_LIBRARY_JOINS),
                      ~library & phase24 & (u < late24),
                      ~library & (u >= 1 - late25)], ["phase1", "2024", "2025"], "launch")
    # Hubs in occupied territory joined before the occupation cut them off.
    kind = np.where(tot, "launch", kind)
    out = np.empty(n, np.int64)
    for k, (a, b) in JOIN_WINDOWS.items():
        m = kind == k
        out[m] = rng.integers(_days(a), _days(b) + 1, m.sum())
    return out


def _genitive(hromada: str) -> str:
    """`Брацлавська` → `Брацлавської` (feminine adjectives, word by word)."""
    return " ".join(w[:-1] + "ої" if w.endswith("а") else w for w in hromada.split())


def _hub_name(rng: np.random.Generator, itype: str, place: str, hromada: str, prefix: str) -> str:
    u = rng.random()
    if itype == "публічна бібліотека":
        if hromada and u < 0.45:
            return f"{hromada} публічна бібліотека"
        if u < 0.6:
            return f'Центральна бібліотека "{rng.choice(["Світоч", "Джерело", "Читай-місто", "Оберіг"])}"'
        return f"Публічна бібліотека {prefix} {place}"
    if itype == "бібліотека-філія":
        return f"Бібліотека-філія {prefix} {place}" if u < 0.8 else f"Бібліотека-філія №{rng.integers(1, 30)}"
    if itype == "ЦНАП":
        return f"ЦНАП {_genitive(hromada)} громади" if hromada else f"ЦНАП {prefix} {place}"
    if itype == "заклад освіти":
        return f"Ліцей №{rng.integers(1, 40)} {prefix} {place}" if u < 0.5 else f"Гімназія {prefix} {place}"
    return f"Будинок культури {prefix} {place}"


def build_hubs(settlements: pd.DataFrame, regions: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The registry's hubs as clean values: id, region, place, type, status, join date, weight."""
    hubs = _place_hubs(rng, settlements, _region_counts(regions, settlements))
    hubs = hubs.iloc[rng.permutation(len(hubs))].reset_index(drop=True)
    n = len(hubs)
    hubs["hub_id"] = [f"ХЦО-{i:05d}" for i in range(1, n + 1)]
    tot = _occupied(hubs, dict(zip(regions["region_code"], regions["occupation"])))
    lib = rng.random(n) < _library_odds(hubs["region_code"], regions)
    village = hubs["settlement_type"].to_numpy() == "village"
    branch = rng.random(n) < np.where(village, 0.7, 0.4)
    other = np.array(OTHER_TYPES)[rng.choice(3, n, p=OTHER_TYPE_SHARES)]
    hubs["itype"] = np.where(lib, np.where(branch, LIBRARY_TYPES[1], LIBRARY_TYPES[0]), other)
    st, p = zip(*cal.STATUS_SHARES.items())
    hubs["status"] = np.where(tot, "ТОТ", np.array(st)[rng.choice(len(st), n, p=p)])
    hubs["joined"] = _join_days(rng, hubs["region_code"].to_numpy(), tot, lib)
    hubs["hromada"] = hubs["hromada"].fillna("").astype(str)
    town_prefix = np.where(rng.random(n) < 0.8, "смт", "сел.")
    hubs["prefix"] = [PREFIX.get(t, tp) for t, tp in zip(hubs["settlement_type"], town_prefix)]
    hubs["name"] = [_hub_name(rng, t, pl, hr, pr) for t, pl, hr, pr in
                    zip(hubs["itype"], hubs["name_uk"], hubs["hromada"], hubs["prefix"])]
    status_w = hubs["status"].map({"Активний": 1.0, "Призупинено": 0.3}).fillna(0.0).to_numpy()
    hubs["weight"] = rng.lognormal(0.0, 0.7, n) * status_w
    return hubs


def _coordinator(rng: np.random.Generator, n: int, seed: int) -> tuple[list, list, list]:
    female = rng.random(n) < 0.8
    full = names.full_names(rng, female).to_pylist()
    op, num = names.phone_parts(np.arange(100_000_000, 100_000_000 + n), seed)
    phone = names.phones(op, num, rng.integers(0, 3, n)).to_pylist()
    has_name, has_phone, has_mail = rng.random((3, n)) < np.array([[0.85], [0.70], [0.60]])
    mail = [names.email(f, i) if m else "" for i, (f, m) in enumerate(zip(full, has_mail & has_name))]
    return ([f if h else "" for f, h in zip(full, has_name)],
            [p if h else "" for p, h in zip(phone, has_phone & has_name)], mail)


def raw_rows(hubs: pd.DataFrame, rng: np.random.Generator, seed: int) -> list[list[object]]:
    """Registry rows as exported (values still typed: floats, day numbers), mess included."""
    n = len(hubs)
    u = rng.random((8, n))
    regions = spellings.region_names(rng, hubs["region_code"].to_numpy())
    closed = np.flatnonzero(hubs["status"].to_numpy() == "Закрито")
    for i, j in enumerate(closed[: len(UNMATCHED_REGIONS)]):
        regions[j] = UNMATCHED_REGIONS[i]
    # Jitter grows with the settlement (about 4 km in Kyiv, 300 m in a village).
    spread = JITTER_DEG + JITTER_PER_SQRT_PEOPLE * np.sqrt(hubs["population"].to_numpy(float).clip(0))
    lat = hubs["lat"].to_numpy(float) + rng.normal(0, 1, n) * spread
    lon = hubs["lon"].to_numpy(float) + rng.normal(0, 1, n) * spread * 1.5
    swap = u[0] < MESS["swapped_coords"]
    lat, lon = np.where(swap, lon, lat), np.where(swap, lat, lon)
    blank = u[1] < MESS["blank_coords"]
    lat[blank], lon[blank] = np.nan, np.nan
    trained_v, trained_w = zip(*TRAINED)
    trained = rng.choice(len(trained_v), n, p=np.array(trained_w) / sum(trained_w))
    coord_name, coord_phone, coord_mail = _coordinator(rng, n, seed)
    rows = []
    for i, h in enumerate(hubs.itertuples()):
        name = spellings.vary_apostrophes(rng, h.name)
        if u[2, i] < MESS["html"]:
            name = f"<b>{name}</b>" if u[2, i] < MESS["html"] / 2 else name.replace(" ", " <br>", 1)
        itype = h.itype.capitalize() if u[3, i] < MESS["type_case"] else h.itype
        status = h.status.lower() if u[4, i] < MESS["status_case"] else h.status
        place = f"{h.prefix} {spellings.vary_apostrophes(rng, h.name_uk)}"
        programme = "" if u[5, i] < MESS["blank_programme"] else PROGRAMME
        rows.append([h.hub_id, programme, name, itype, regions[i], h.hromada, place, lat[i], lon[i],
                     int(h.joined), status, trained_v[trained[i]], coord_name[i], coord_phone[i], coord_mail[i]])
    return rows


def _as_text(rows: list[list[object]], rng: np.random.Generator, comma_share: float) -> list[list[str]]:
    days = np.array([r[9] for r in rows], np.int64)
    joined = spellings.dates(rng, days, JOIN_DATE_SHARES).to_pylist()
    lat = np.array([r[7] for r in rows], float)
    lon = np.array([r[8] for r in rows], float)
    comma = rng.random(len(rows)) < comma_share
    lat_t = spellings.decimal(lat, 4, comma).to_pylist()
    lon_t = spellings.decimal(lon, 4, comma).to_pylist()
    return [r[:7] + [la, lo, j] + r[10:] for r, la, lo, j in zip(rows, lat_t, lon_t, joined)]


def _as_cells(rows: list[list[object]], rng: np.random.Generator) -> list[list[object]]:
    """XLSX cells: numbers as numbers, most join dates as real date cells, a few typed as text."""
    out = []
    for r in rows:
        day = dt.date(1970, 1, 1) + dt.timedelta(days=int(r[9]))
        joined = day if rng.random() < 0.8 else day.strftime("%d.%m.%Y")
        lat = None if np.isnan(r[7]) else round(float(r[7]), 4)
        lon = None if np.isnan(r[8]) else round(float(r[8]), 4)
        out.append(r[:7] + [lat, lon, joined] + r[10:])
    return out


def _with_duplicates(rows: list, rng: np.random.Generator) -> list:
    out = []
    for r in rows:
        out.append(r)
        if rng.random() < MESS["duplicate"]:
            out.append(list(r))
    return out


def write_hubs(raw_dir: Path, hubs: pd.DataFrame, rng: np.random.Generator, seed: int) -> dict[str, int]:
    """Write the registry parts; returns rows written per file."""
    rows = raw_rows(hubs, rng, seed)
    part = rng.choice(len(PARTS), len(rows), p=[p for *_, p in PARTS])
    written = {}
    for k, (fname, style, _) in enumerate(PARTS):
        mine = [r for r, p in zip(rows, part) if p == k]
        if style is None:
            written[fname] = write_xlsx(raw_dir / fname, HEADER, _with_duplicates(_as_cells(mine, rng), rng))
            continue
        text = _with_duplicates(_as_text(mine, rng, MESS["decimal_comma"] if style.sep == ";" else 0.0), rng)
        with CsvFile(raw_dir / fname, HEADER, style) as f:
            f.write([pa.array([r[i] for r in text], pa.string()) for i in range(len(HEADER))])
        written[fname] = len(text)
    return written
