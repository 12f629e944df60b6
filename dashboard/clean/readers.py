"""Pipeline layer: read raw files as delivered (CSV in three encodings, XLSX) into chunks of text.

A reader yields `Chunk`s: the canonical column names, the raw text of each row under them,
and each row's line number, so that every later step can name the row it talks about.
Problems with a whole file raise `FileProblem` with a message that names the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard.clean.normalise import VOCAB_DIR, key

CHUNK_ROWS = 50_000
# csv's default 128 KiB field limit turns one runaway quoted field into a crash; 1 MiB is plenty.
FIELD_LIMIT = 1 << 20
SNIFF_BYTES = 1 << 16

# File kind by the start of its name, as the field names them.
KINDS = (
    ("kemerovo_centres", "hubs"), ("centres", "hubs"), ("hubs", "hubs"), ("trainings", "trainings"),
    ("participants", "participants"), ("digigram", "digigram"), ("waitlist", "waitlist"),
    ("partners", "partners"),
)
SUFFIXES = (".csv", ".xlsx")


class FileProblem(Exception):
    """A whole raw file cannot be read; the message names the file and what is wrong."""


@dataclass
class Chunk:
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]
    bad: list[tuple[int, str, str, list[str]]]  # (line, reason, message, values) of unparseable rows


@dataclass(frozen=True)
class Layout:
    """How one file's header maps to canonical columns."""

    positions: dict[str, int]  # canonical → column index
    unknown: list[str]  # header cells that map to nothing (kept out, reported)
    personal: frozenset[str]


def file_kind(path: Path) -> str:
    """The kind of raw file from its name (hubs, trainings, participants, …)."""
    name = path.name.casefold()
    if path.suffix.casefold() not in SUFFIXES:
        raise FileProblem(f"{path.name}: unknown file kind (expected .csv or .xlsx)")
    for prefix, kind in KINDS:
        if name.startswith(prefix):
            return kind
    known = ", ".join(sorted({p for p, _ in KINDS}))
    raise FileProblem(f"{path.name}: unknown file kind (names start with one of: {known})")


@lru_cache(maxsize=None)
def header_table() -> dict[str, dict[str, tuple[str, bool, bool]]]:
    """kind → {header key → (canonical, required, personal)} from vocab/headers.csv."""
    out: dict[str, dict[str, tuple[str, bool, bool]]] = {}
    with open(VOCAB_DIR / "headers.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["kind"], {})[key(r["header"])] = (
                r["canonical"], r["required"] == "yes", r["personal"] == "yes")
    return out


def required_columns(kind: str) -> set[str]:
    return {c for c, req, _ in header_table()[kind].values() if req}


def layout(kind: str, header: list[str], name: str) -> Layout:
    """Map a header row to canonical columns; a missing required column is a FileProblem."""
    table = header_table()[kind]
    positions: dict[str, int] = {}
    unknown, personal = [], set()
    for i, cell in enumerate(header):
        hit = table.get(key(cell.lstrip("\ufeff")))
        if hit is None:
            if cell.strip():
                unknown.append(cell.strip()[:80])
            continue
        canonical, _, is_personal = hit
        positions.setdefault(canonical, i)
        if is_personal:
            personal.add(canonical)
    missing = sorted(required_columns(kind) - set(positions))
    # A participant report carries a birth year or an age; one of them is enough.
    if kind == "participants" and not {"birth_year", "age"} & set(positions):
        missing.append("birth_year (Рік народження) or age (Вік)")
    if missing:
        raise FileProblem(f"{name}: missing required column(s): {', '.join(missing)}")
    return Layout(positions, unknown, frozenset(personal))


def _encoding(path: Path) -> str:
    head = path.open("rb").read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if e.start >= len(head) - 3 and len(head) == SNIFF_BYTES:
            return "utf-8"
    try:
        head.decode("cp1251")
    except UnicodeDecodeError:
        raise FileProblem(f"{path.name}: bytes are neither UTF-8 nor Windows-1251 text") from None
    return "cp1251"


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","


def read_csv(path: Path, kind: str) -> Iterator[Layout | Chunk]:
    """Yield the file's Layout, then its rows in chunks."""
    csv.field_size_limit(FIELD_LIMIT)
    encoding = _encoding(path)
    try:
        with open(path, encoding=encoding, newline="", errors="strict") as f:
            first = f.readline()
            if not first.strip():
                raise FileProblem(f"{path.name}: the file is empty (no header row)")
            delim = _delimiter(first)
            header = next(csv.reader([first], delimiter=delim))
            lay = layout(kind, header, path.name)
            yield lay
            width = len(header)
            reader = csv.reader(f, delimiter=delim)
            chunk = Chunk(list(lay.positions), [], [], [])
            line = 1
            for row in reader:
                start, line = line + 1, reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue  # an empty line holds no record
                if len(row) != width:
                    chunk.bad.append((start, "wrong_field_count",
                                      f"row has {len(row)} fields, the header has {width}", row))
                else:
                    chunk.rows.append([row[i] for i in lay.positions.values()])
                    chunk.lines.append(start)
                if len(chunk.rows) + len(chunk.bad) >= CHUNK_ROWS:
                    yield chunk
                    chunk = Chunk(list(lay.positions), [], [], [])
            yield chunk
    except UnicodeDecodeError as e:
        raise FileProblem(f"{path.name}: undecodable bytes for {encoding} at byte {e.start}") from None
    except csv.Error as e:
        raise FileProblem(f"{path.name}: unreadable CSV near line {line + 1}: {e}") from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, kind: str) -> Iterator[Layout | Chunk]:
    """Yield the first sheet's Layout, then its rows in chunks (cells turned into text)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken workbook
        raise FileProblem(f"{path.name}: not a readable XLSX workbook ({type(e).__name__})") from None
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise FileProblem(f"{path.name}: the workbook's first sheet is empty (no header row)")
    header = [_cell(c) for c in header]
    lay = layout(kind, header, path.name)
    yield lay
    width = len(header)
    chunk = Chunk(list(lay.positions), [], [], [])
    for n, values in enumerate(rows, start=2):
        cells = [_cell(v) for v in values][:width] + [""] * max(0, width - len(values))
        if not any(c.strip() for c in cells):
            continue  # Excel keeps formatted empty rows; they are not records
        chunk.rows.append([cells[i] for i in lay.positions.values()])
        chunk.lines.append(n)
        if len(chunk.rows) >= CHUNK_ROWS:
            yield chunk
            chunk = Chunk(list(lay.positions), [], [], [])
    yield chunk


def read(path: Path) -> tuple[str, Iterator[Layout | Chunk]]:
    """(kind, iterator of Layout then Chunks) for a raw file."""
    kind = file_kind(path)
    if path.stat().st_size == 0:
        raise FileProblem(f"{path.name}: the file is empty")
    reader = read_xlsx if path.suffix.casefold() == ".xlsx" else read_csv
    return kind, reader(path, kind)
