"""Personal values of the raw files (names, phones, e-mails, birth years, participant codes) reach
no cleaned table and no exported file: press kits, fact sheets, every figure's CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import ROOT
from dashboard import privacy
from dashboard.export import files, registry
from dashboard.filters import Filters
from dashboard.metrics.live import Live
from dashboard.query import reference
from dashboard.store.database import Database

pytestmark = pytest.mark.slow

DEMO_PEOPLE = 3000  # every region above the threshold somewhere, generated and cleaned in seconds
SEED = 11
SALT = "pii-scan"
# Raw headers (lower case) whose values are personal, by kind: the demo's and the field's other
# spellings. Read from here, not from the pipeline's vocabulary, so the scan does not trust it.
PERSONAL_HEADERS = {
    "name": ("піб учасника", "піб координатора", "фио координатора", "coordinator name"),
    "phone": ("телефон", "phone", "телефон координатора", "coordinator phone"),
    "email": ("email координатора", "e-mail координатора", "coordinator email"),
    "birth_year": ("рік народження", "year of birth"),
    "code": ("код учасника", "participant code"),
}
# A name of two words and at least this many letters: shorter ones could be a coincidence.
MIN_NAME = 8
# Phones are compared by their last nine digits (the national number without 0 / +380), in
# digit groups of 9..13 digits, so "+380 (67) 123-45-67" and "0671234567" are one phone.
PHONE_DIGITS = 9
# Cleaned tables with one row per person or per person's record: birth years must not be a cell.
PERSON_TABLES = ("participants", "activities", "assessments")
_WORD = re.compile(r"[\w'-]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT_GROUP = re.compile(r"\+?\d[\d ()\-]{7,}\d")


def norm(text: str) -> str:
    """Case, apostrophe forms and runs of white space do not matter when matching."""
    return " ".join(str(text).casefold().replace("’", "'").replace("ʼ", "'").split())


@dataclass
class Personal:
    """The personal values found in the raw files, normalised for matching."""

    names: set[tuple[str, ...]] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    birth_years: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)

    def add(self, kind: str, value: object) -> None:
        text = norm(value) if value is not None else ""
        if kind == "name" and len(text) >= MIN_NAME and len(_WORD.findall(text)) >= 2:
            self.names.add(tuple(_WORD.findall(text)))
        elif kind == "phone" and len(digits := re.sub(r"\D", "", text)) >= PHONE_DIGITS:
            self.phones.add(digits[-PHONE_DIGITS:])
        elif kind == "email" and _EMAIL.fullmatch(text):
            self.emails.add(text)
        elif kind == "birth_year" and re.fullmatch(r"\d{4}", text):
            self.birth_years.add(text)
        elif kind == "code" and len(text) >= 6:
            self.codes.add(text)


# ---- raw files as delivered ------------------------------------------------------------------

def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def raw_rows(path: Path) -> Iterator[dict[str, object]]:
    """The rows of a raw CSV (any of the field's encodings and separators) or XLSX, by lower-case header."""
    if path.suffix.lower() == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [norm(h or "") for h in next(rows, ())]
            yield from (dict(zip(header, row)) for row in rows)
        book.close()
        return
    text = _decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    header = [norm(h) for h in next(reader, [])]
    yield from (dict(zip(header, row)) for row in reader)


def collect_personal(raw: Path) -> Personal:
    """Every personal value of every raw file (by PERSONAL_HEADERS)."""
    kinds = {header: kind for kind, headers in PERSONAL_HEADERS.items() for header in headers}
    found = Personal()
    for path in sorted(raw.iterdir()):
        for row in raw_rows(path):
            for header, value in row.items():
                if header in kinds and value not in (None, ""):
                    found.add(kinds[header], str(value))
    return found


# ---- the scanner -----------------------------------------------------------------------------

def find_personal(texts: list[str], personal: Personal) -> list[tuple[str, str]]:
    """(kind, value) of every personal value in the texts: full names, phones, e-mails and codes.

    Each text is matched on its own (a cell, a line, a page), by whole words, so a name split
    over two cells or a code inside a longer code is not a hit.
    """
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for name in personal.names:
        by_first.setdefault(name[0], []).append(name)
    hits = set()
    for text in texts:
        low = norm(text)
        words = _WORD.findall(low)
        for i, word in enumerate(words):
            for name in by_first.get(word, ()):
                if tuple(words[i:i + len(name)]) == name:
                    hits.add(("name", " ".join(name)))
            if word in personal.codes:
                hits.add(("code", word))
        hits |= {("email", e) for e in _EMAIL.findall(low) if e in personal.emails}
        for group in _DIGIT_GROUP.findall(low):
            digits = re.sub(r"\D", "", group)
            if PHONE_DIGITS <= len(digits) <= 13 and digits[-PHONE_DIGITS:] in personal.phones:
                hits.add(("phone", digits[-PHONE_DIGITS:]))
    return sorted(hits)


def parquet_texts(path: Path) -> list[str]:
    """Every cell of a Parquet file as text, and its column names."""
    frame = pd.read_parquet(path)
    return [str(c) for c in frame.columns] + [str(v) for v in frame.astype(str).to_numpy().ravel()]


def birth_year_cells(path: Path, personal: Personal) -> list[str]:
    """Columns of a cleaned person table with a cell that is a raw birth year (integer keys, row
    numbers of the query-ready copies, left out); for the quarantine, whose line numbers may be
    any number, the fields of its raw values."""
    frame = pd.read_parquet(path)
    if "raw" not in frame.columns:
        return [c for c in frame.columns if frame[c].astype(str).isin(personal.birth_years).any()
                and not (c.endswith("_id") and pd.api.types.is_integer_dtype(frame[c]))]
    return sorted({f"raw.{k}" for raw in frame["raw"].dropna() for k, v in json.loads(raw).items()
                   if str(v).strip() in personal.birth_years})


def _png_texts(data: bytes) -> list[str]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return [f"{k} {v}" for k, v in getattr(image, "text", {}).items()]


def file_texts(name: str, data: bytes) -> list[str]:
    """The texts a person could read in an exported file, by its kind; an unknown kind is an error."""
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt", ".svg", ".json", ".md"):
        return _decode(data).splitlines()
    if suffix == ".xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        props = book.properties
        out = [str(getattr(props, a) or "") for a in ("title", "subject", "creator", "description", "keywords")]
        out += [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                for cell in row if cell is not None]
        return out
    if suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        return [str(v) for v in (reader.metadata or {}).values()] + [p.extract_text() or "" for p in reader.pages]
    if suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [text for member in archive.namelist() for text in file_texts(member, archive.read(member))]
    if suffix == ".png":
        return _png_texts(data)
    raise AssertionError(f"no scanner for files of kind {suffix!r} ({name}): add one to file_texts")


def cleaned_hits(clean: Path, personal: Personal, kinds: set[str]) -> dict[str, list[tuple[str, str]]]:
    """{file: hits of those kinds} for every Parquet file under the cleaned folder and report.json."""
    found = {}
    for path in sorted(clean.rglob("*.parquet")):
        if hits := [h for h in find_personal(parquet_texts(path), personal) if h[0] in kinds]:
            found[str(path.relative_to(clean))] = hits
    report = (clean / "report.json").read_text("utf-8").splitlines()
    if hits := [h for h in find_personal(report, personal) if h[0] in kinds]:
        found["report.json"] = hits
    return found


def scan_files(folder: Path, personal: Personal) -> dict[str, list[tuple[str, str]]]:
    """{file: hits} for every file under `folder` with a personal value in it."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        hits = find_personal(file_texts(path.name, path.read_bytes()), personal)
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found


# ---- fixtures: raw demo, cleaned extract, every export -----------------------------------------

def _start(*args: str) -> subprocess.Popen:
    env = {**os.environ, "DASHBOARD_SALT": SALT}
    return subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _wait(process: subprocess.Popen) -> None:
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, f"{' '.join(process.args[2:4])} failed:\n{output[-3000:]}"


def _run(*args: str) -> None:
    _wait(_start(*args))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path, Personal]:
    """A seeded raw demo, the personal values in it, and its cleaned extract."""
    base = tmp_path_factory.mktemp("pii")
    raw, clean = base / "raw", base / "clean"
    _run("dashboard.demo", str(raw), "--people", str(DEMO_PEOPLE), "--seed", str(SEED), "--quiet")
    _run("dashboard.clean", str(raw), str(clean), "--quiet", "--no-warm")
    return raw, clean, collect_personal(raw)


def busiest_region(clean: Path) -> str:
    people = pd.read_parquet(clean / "participants.parquet", columns=["programme", "region_code"])
    return people.loc[people["programme"] == "ua_hubs", "region_code"].value_counts().index[0]


@pytest.fixture(scope="module")
def exported(demo, tmp_path_factory) -> Path:
    """Every export of the cleaned demo: press kits (all figures; uk whole, en one region and year),
    fact sheets of every region and the country (uk) and of the country (en), and every figure's
    CSV and XLSX for the whole programme and for one region, age band and year, in both languages."""
    _raw, clean, _personal = demo
    out = tmp_path_factory.mktemp("exports")
    region = busiest_region(clean)
    narrow = ["--region", region, "--from", "2024-01-01", "--to", "2024-12-31"]
    figures = [arg for name in registry.FIGURES for arg in ("--figure", name)]
    data = ["--data-dir", str(clean)]
    # The fact sheets take longest: written beside the rest.
    sheets = _start("dashboard.export", "factsheet", "--all-regions", str(out / "sheets"), "--lang", "uk", *data)
    db = Database(clean)
    src = Live(db, privacy.from_settings())  # the deployment's rule, as the command line reads it
    try:
        _run("dashboard.export", "presskit", str(out / "kit_uk.zip"), *figures, "--lang", "uk", *data)
        _run("dashboard.export", "presskit", str(out / "kit_en.zip"), *figures, "--lang", "en", *narrow, *data)
        _run("dashboard.export", "factsheet", str(out / "sheet_en.pdf"), "--lang", "en", *data)
        spans = reference.load_programme_spans(db).set_index("programme")
        first, last = (pd.Timestamp(spans.loc["ua_hubs", c]).date() for c in ("first_day", "last_day"))
        views = {"all": Filters("ua_hubs", first, last),
                 "narrow": Filters("ua_hubs", dt.date(2024, 1, 1), dt.date(2024, 12, 31), regions=(region,),
                                   age_band=("60_69",))}
        for lang in ("uk", "en"):
            for label, f in views.items():
                view = registry.make_view(src, f, lang)
                for name in registry.FIGURES:
                    export = registry.build(name, src, view)
                    for fmt in ("csv", "xlsx"):
                        (out / f"{name}_{label}_{lang}.{fmt}").write_bytes(files.write(export, fmt))
    except BaseException:
        sheets.kill()
        sheets.communicate()
        raise
    finally:
        db.close()
    _wait(sheets)
    return out


# ---- tests -----------------------------------------------------------------------------------

def test_the_raw_demo_holds_personal_values_of_every_kind(demo):
    _raw, _clean, personal = demo
    sizes = {kind: len(values) for kind, values in vars(personal).items()}
    assert all(n >= 20 for n in sizes.values()), sizes


def test_cleaned_extract_holds_no_personal_values(demo):
    _raw, clean, personal = demo
    assert {p.stem for p in clean.glob("*.parquet")} >= {*PERSON_TABLES, "hubs", "quarantine"}
    found = cleaned_hits(clean, personal, {"name", "phone", "email", "code"})
    # The quarantine's participant codes are the next test's.
    found = {name: kept for name, hits in found.items()
             if (kept := [h for h in hits if name != "quarantine.parquet" or h[0] != "code"])}
    assert not found, {name: hits[:5] for name, hits in found.items()}
    person_files = [p for p in clean.rglob("*.parquet") if p.stem in (*PERSON_TABLES, "quarantine")]
    assert len(person_files) >= len(PERSON_TABLES) + 1
    years = {str(p.relative_to(clean)): cols for p in person_files if (cols := birth_year_cells(p, personal))}
    assert not years, f"birth years in cleaned tables: {years}"


def test_quarantine_holds_no_participant_codes(demo):
    _raw, clean, personal = demo
    found = cleaned_hits(clean, personal, {"code"})
    assert not found, {name: hits[:5] for name, hits in found.items()}


def test_exports_hold_no_personal_values(demo, exported):
    _raw, clean, personal = demo
    kinds = {p.suffix for p in exported.rglob("*") if p.is_file()}
    assert kinds == {".zip", ".pdf", ".csv", ".xlsx"}, kinds
    sheets = sorted((exported / "sheets").glob("*.pdf"))
    assert len(sheets) > 20, "fact sheets of every region were not written"
    # The PDF text is read for real: a region's own sheet names the region.
    names = pd.read_parquet(clean / "regions.parquet").set_index("region_code")["name_uk"]
    region = busiest_region(clean)
    sheet = next(p for p in sheets if region in p.name)
    assert norm(names[region]) in norm(" ".join(file_texts(sheet.name, sheet.read_bytes())))
    found = scan_files(exported, personal)
    assert not found, {name: hits[:5] for name, hits in found.items()}


def _planted_values(personal: Personal) -> dict[str, str]:
    """One raw value of each kind, written the way a careless hand would copy it."""
    name = " ".join(sorted(personal.names)[0]).upper().replace(" ", "  ")
    phone = sorted(personal.phones)[0]
    return {"name": name, "phone": f"+380 ({phone[:2]}) {phone[2:5]}-{phone[5:7]}-{phone[7:]}",
            "email": sorted(personal.emails)[0], "code": sorted(personal.codes)[0].upper()}


def _plant(kind: str, source: Path, text: str, target: Path) -> None:
    if kind == "csv":
        target.write_bytes(source.read_bytes() + f"\n{text},1\n".encode("utf-8"))
    elif kind == "xlsx":
        book = openpyxl.load_workbook(source)
        book.worksheets[0].cell(row=book.worksheets[0].max_row + 2, column=1, value=text)
        book.save(target)
    elif kind == "pdf":
        from reportlab.pdfgen import canvas

        from dashboard.export import sheet

        sheet.register_fonts()
        page = canvas.Canvas(str(target), pageCompression=1)
        page.setFont(sheet.FONT, 10)
        for i, line in enumerate(text.split(" · ")):
            page.drawString(72, 720 - 14 * i, line)
        page.save()
    elif kind == "zip":
        with zipfile.ZipFile(source) as kit, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
            for member in kit.namelist():
                copy.writestr(member, kit.read(member))
            copy.writestr("notes.txt", text)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "pdf", "zip", "parquet"])
def test_the_scanner_finds_planted_values(demo, exported, tmp_path, kind):
    """The scans can fail: a personal value copied into a file of each kind is reported."""
    _raw, clean, personal = demo
    planted = _planted_values(personal)
    text = " · ".join(planted.values())
    if kind == "parquet":
        people = pd.read_parquet(clean / "participants.parquet")
        people["note"] = [text] + [""] * (len(people) - 1)
        people["born"] = sorted(personal.birth_years)[0]
        people.to_parquet(tmp_path / "participants.parquet", index=False)
        hits = find_personal(parquet_texts(tmp_path / "participants.parquet"), personal)
        assert birth_year_cells(tmp_path / "participants.parquet", personal) == ["born"]
    else:
        source = {"csv": "key_figures_all_uk.csv", "xlsx": "people_by_region_all_en.xlsx", "pdf": "sheet_en.pdf",
                  "zip": "kit_uk.zip"}[kind]
        folder = tmp_path / "planted"
        folder.mkdir()
        _plant(kind, exported / source, text, folder / f"planted.{kind}")
        hits = scan_files(folder, personal).get(f"planted.{kind}", [])
    assert {k for k, _v in hits} == {"name", "phone", "email", "code"}, hits
