"""Pipeline layer: read raw files as delivered (CSV in several encodings, here; XLSX, in `xlsx_reader`)
into chunks of text.

A reader yields `Chunk`s: the canonical column names, the raw text of each row under them,
and each row's line number, so that every later step can name the row it talks about.
Problems with a whole file raise `FileProblem` with a message that names the file.

Every raw file is untrusted. Its size, its number of rows, the length of each row and, for a
workbook, what its ZIP parts expand to are held to limits (`Limits`, from the DASHBOARD_MAX_*
settings, `limits.py`): a workbook is checked from its ZIP directory and a byte scan of its XML before it is
opened (`xlsx_check`), a CSV is read a bounded line at a time and its rows counted as they stream. A file over a
limit ends in a `FileProblem` that names the file, the limit and the setting that raises it.

The header is found by `headers` among the first rows of the file (of each sheet of a workbook:
the sheet whose header matches is read); its names, one row or a grouped two-row header combined,
map the columns.
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dashboard.clean.headers import (
    HEADER_SEARCH_ROWS, Header, Layout, closest, find_header, header_groups, header_names, header_table,
    layout, no_header, required_columns,
)
from dashboard.clean.limits import MB, FileProblem, Limits, limits

# Callers import these from here (the header search lives in `headers`).
__all__ = ["CHUNK_ROWS", "Chunk", "FileProblem", "HEADER_SEARCH_ROWS", "Header", "Layout", "file_kind", "find_header",
           "header_groups", "header_table", "layout", "read", "read_csv", "required_columns"]

CHUNK_ROWS = 50_000
# A chunk also ends after this many characters of raw text, so that long rows cannot make one
# chunk (and the frames the pipeline builds from it) large.
CHUNK_CHARS = 1 << 25
SNIFF_BYTES = 1 << 16
# Delimiters a CSV may use, in the order a tie is broken (Excel's "Unicode text" uses the tab).
DELIMITERS = (";", "\t", ",")
# The first bytes of an OLE compound file: an .xls, or an .xlsx that Excel encrypted with a password.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# File kind by the start of its name, as the field names them.
KINDS = (
    ("kemerovo_centres", "hubs"), ("centres", "hubs"), ("hubs", "hubs"), ("trainings", "trainings"),
    ("participants", "participants"), ("digigram", "digigram"), ("waitlist", "waitlist"),
    ("partners", "partners"), ("targets", "targets"),
)
SUFFIXES = (".csv", ".xlsx")


@dataclass
class Chunk:
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]
    bad: list[tuple[int, str, str, list[str]]]  # (line, reason, message, values) of unparseable rows


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


# --- CSV -----------------------------------------------------------------------------------------

def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the first bytes have UTF-16's pattern of NUL bytes: every
    ASCII character (tab, digit, space, line end) has a NUL high byte, at odd offsets in
    little-endian text and at even ones in big-endian; Cyrillic has 0x04 there."""
    sample = head[:4096]
    sample = sample[:len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for high, low, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        zeros = high.count(0)
        if zeros * 20 >= len(high) and low.count(0) * 10 <= zeros:
            try:
                codecs.getincrementaldecoder(codec)().decode(sample, final=False)
            except UnicodeDecodeError:
                return None
            return codec
    return None


def _encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads the byte order from the BOM and drops it
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
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
        raise FileProblem(f"{path.name}: bytes are neither UTF-8 nor Windows-1251 text "
                          "(nor UTF-16)") from None
    return "cp1251"


class _Record:
    """Where the CSV reader is: lines handed to the csv module, and the first line and the
    characters of the row being read."""

    __slots__ = ("lines", "start", "chars")

    def __init__(self) -> None:
        self.lines, self.start, self.chars = 0, 1, 0

    def done(self) -> int:
        """End the row being read; returns its length in characters."""
        n, self.chars, self.start = self.chars, 0, self.lines + 1
        return n


def _too_long(name: str, limit: int, start: int, end: int) -> FileProblem:
    if start >= end:
        return FileProblem(f"{name}: line {start} is longer than {limit:,} characters, the most "
                           "DASHBOARD_MAX_LINE_LENGTH allows; not read")
    return FileProblem(f"{name}: the row that starts at line {start} runs to line {end}, longer than {limit:,} "
                       "characters, the most DASHBOARD_MAX_LINE_LENGTH allows (a quote that is never closed runs on "
                       "to the end of the file); not read")


def _first_lines(f, name: str, limit: int) -> list[str]:
    """The first lines of the file (where the header is looked for), each read with a bounded readline."""
    head: list[str] = []
    while len(head) <= HEADER_SEARCH_ROWS:
        line = f.readline(limit + 1)
        if not line:
            break
        if len(line) > limit:
            raise _too_long(name, limit, len(head) + 1, len(head) + 1)
        head.append(line)
    return head


def _lines(f, head: list[str], name: str, limit: int, rec: _Record) -> Iterator[str]:
    """`head`, then the rest of the file's lines, each read with a bounded readline and counted into
    `rec`; a line or a row (a quoted field can hold line breaks) longer than `limit` characters is a
    FileProblem, raised before the csv module holds it."""
    readline = f.readline
    for line in itertools.chain(head, iter(lambda: readline(limit + 1), "")):
        rec.lines += 1
        rec.chars += len(line)
        if rec.chars > limit:
            raise _too_long(name, limit, rec.start, rec.lines)
        yield line


def _too_many_rows(name: str, limit: int, where: str) -> FileProblem:
    return FileProblem(f"{name}: more than {limit:,} rows, the most DASHBOARD_MAX_ROWS allows "
                       f"(reading stopped at {where})")


def out_of_memory(name: str, where: str, setting: str, allows: str) -> FileProblem:
    """The problem of a file whose reading ran out of memory: the limits let it this far."""
    return FileProblem(f"{name}: ran out of memory {where}, as {setting} lets {allows}; not read (lower the "
                       "setting, or give the cleaning more memory)")


def _records(lines: list[str], delim: str) -> list[list[str]]:
    """The rows of the first lines (a quoted field that runs past them ends the list)."""
    out: list[list[str]] = []
    try:
        for row in csv.reader(lines, delimiter=delim):
            out.append(row)
    except csv.Error:
        pass
    return out


def _csv_header(kind: str, head: list[str]) -> tuple[str, Header | None]:
    """The delimiter and header of a CSV from its first lines: the delimiter whose header names the
    most known columns; on a tie, the one the first line holds most of."""
    first = next((line for line in head if line.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    order = DELIMITERS if any(counts.values()) else (",", ";", "\t")
    best: tuple[tuple, str, Header | None] | None = None
    for rank, delim in enumerate(order):
        found = find_header(kind, _records(head, delim))
        rating = (found.score if found else -1, counts[delim], -rank)
        if best is None or rating > best[0]:
            best = (rating, delim, found)
    assert best is not None
    return best[1], best[2]


def read_csv(path: Path, kind: str, lim: Limits | None = None) -> Iterator[Layout | Chunk]:
    """Yield the file's Layout, then its rows in chunks."""
    lim = lim or limits()
    name = path.name
    # No field is longer than its row, and the row's own limit (which names the setting) comes first.
    csv.field_size_limit(lim.line + 1)
    encoding = _encoding(path)
    rec = _Record()
    try:
        with open(path, encoding=encoding, newline="", errors="strict") as f:
            head = _first_lines(f, name, lim.line)
            delim, found = _csv_header(kind, head)
            if found is None:
                raise FileProblem(f"{name}: the file is empty (no header row)")
            reader = csv.reader(_lines(f, head, name, lim.line, rec), delimiter=delim)
            top = []
            for row in itertools.islice(reader, found.index + found.height):
                top.append((rec.start, row))
                rec.done()
            header_line = top[found.index][0]
            names = header_names(kind, [row for _, row in top], found)
            looked = min(len(head), HEADER_SEARCH_ROWS)
            looked_at = f"lines 1–{looked}" if looked > 1 else "line 1"
            if found.score == 0:
                raise no_header(kind, name, looked_at, len(head) > HEADER_SEARCH_ROWS)
            where = (f" (the header was looked for in {looked_at}; the closest, line {header_line}, "
                     f"{closest(found.score)})")
            lay = layout(kind, names, name, where)
            yield lay
            width = len(names)
            cols = list(lay.positions.values())
            chunk, chars, records = Chunk(list(lay.positions), [], [], []), 0, len(top)
            for row in reader:
                start = rec.start
                records += 1
                if records > lim.rows:
                    raise _too_many_rows(name, lim.rows, f"line {start:,}")
                chars += rec.done()
                if not any(cell.strip() for cell in row):
                    continue  # an empty line holds no record
                if len(row) != width:
                    chunk.bad.append((start, "wrong_field_count",
                                      f"row has {len(row)} fields, the header has {width}", row))
                else:
                    chunk.rows.append([row[i] for i in cols])
                    chunk.lines.append(start)
                if len(chunk.rows) + len(chunk.bad) >= CHUNK_ROWS or chars >= CHUNK_CHARS:
                    yield chunk
                    chunk, chars = Chunk(list(lay.positions), [], [], []), 0
            yield chunk
    except UnicodeDecodeError:
        raise FileProblem(f"{name}: undecodable bytes for {encoding} near line {rec.lines + 1}") from None
    except csv.Error as e:
        raise FileProblem(f"{name}: unreadable CSV near line {max(rec.lines, 1)}: {e}") from None
    except MemoryError:
        raise out_of_memory(name, f"near line {max(rec.lines, 1):,}", "DASHBOARD_MAX_LINE_LENGTH",
                             f"a line hold {lim.line:,} characters") from None


def read(path: Path) -> tuple[str, Iterator[Layout | Chunk]]:
    """(kind, iterator of Layout then Chunks) for a raw file."""
    kind = file_kind(path)
    lim = limits()
    size = path.stat().st_size
    if size == 0:
        raise FileProblem(f"{path.name}: the file is empty")
    if size > lim.file_mb * MB:
        raise FileProblem(f"{path.name}: the file is {size / MB:,.1f} MB, more than the {lim.file_mb:,} MB "
                          "DASHBOARD_MAX_FILE_MB allows; not read")
    reader = xlsx_reader.read_xlsx if path.suffix.casefold() == ".xlsx" else read_csv
    return kind, reader(path, kind, lim)


# Last: the workbook reader takes this module's chunks and problems (an import at the top would be circular).
from dashboard.clean import xlsx_reader  # noqa: E402
