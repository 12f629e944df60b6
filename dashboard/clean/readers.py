"""Pipeline layer: read raw files as delivered (CSV in several encodings, XLSX) into chunks of text.

A reader yields `Chunk`s: the canonical column names, the raw text of each row under them,
and each row's line number, so that every later step can name the row it talks about.
Problems with a whole file raise `FileProblem` with a message that names the file.

Every raw file is untrusted. Its size, its number of rows, the length of each row and, for a
workbook, what its ZIP parts expand to are held to limits (`Limits`, from the DASHBOARD_MAX_*
settings): a workbook is checked from its ZIP directory and a byte scan of its XML before it is
opened, a CSV is read a bounded line at a time and its rows counted as they stream. A file over a
limit ends in a `FileProblem` that names the file, the limit and the setting that raises it.

The header is looked for among the first rows (title rows above it are skipped), a grouped
two-row header (a merged "Самооцінка" over "до" / "після") is combined into the names the
vocabulary knows, and in a workbook the sheet whose header matches is read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import operator
import pyexpat
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from dashboard.clean.normalise import VOCAB_DIR, key
from dashboard.settings import SETTINGS

CHUNK_ROWS = 50_000
# A chunk also ends after this many characters of raw text, so that long rows cannot make one
# chunk (and the frames the pipeline builds from it) large.
CHUNK_CHARS = 1 << 25
SNIFF_BYTES = 1 << 16
MB = 1_000_000
# Title rows (a report's name, its date, a blank line) can sit above the header of an exported
# report; the header is looked for among this many first rows (and the row under the last of
# them, for a grouped two-row header). Ten leave room for a title block; a header further down is
# more likely a second table than a title.
HEADER_SEARCH_ROWS = 10
# Delimiters a CSV may use, in the order a tie is broken (Excel's "Unicode text" uses the tab).
DELIMITERS = (";", "\t", ",")
# Excel's grid holds at most this many rows: a sheet that holds or declares more is not Excel's.
EXCEL_ROWS = 1_048_576
# A workbook has tens of parts. zipfile holds an entry in memory for each part in the ZIP
# directory, so a directory of more parts (or of more bytes) is refused before it is read.
XLSX_MAX_PARTS = 10_000
XLSX_MAX_DIRECTORY = 16 << 20
# Parts smaller than this are not held to the compression ratio (a small part cannot be a bomb).
RATIO_MIN_BYTES = 1 << 20
# openpyxl holds the markup outside rows and shared strings (styles, column widths, merged ranges,
# links) whole in memory: each part may hold at most 1/MARKUP_SHARE of DASHBOARD_MAX_XLSX_MB of it.
MARKUP_SHARE = 16
SCAN_CHUNK = 1 << 20
# The first bytes of an OLE compound file: an .xls, or an .xlsx that Excel encrypted with a password.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

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


@dataclass(frozen=True)
class Limits:
    """What one raw file may hold; each field is read from the setting of `LIMIT_SETTINGS`."""

    file_mb: int
    rows: int
    line: int
    xlsx_mb: int
    xlsx_ratio: int


LIMIT_SETTINGS = {"file_mb": "DASHBOARD_MAX_FILE_MB", "rows": "DASHBOARD_MAX_ROWS",
                  "line": "DASHBOARD_MAX_LINE_LENGTH", "xlsx_mb": "DASHBOARD_MAX_XLSX_MB",
                  "xlsx_ratio": "DASHBOARD_MAX_XLSX_RATIO"}


def limits() -> Limits:
    """The limits on raw files, from the settings; a value that is not a whole number above 0 is refused."""
    values = {}
    for field in fields(Limits):
        name = LIMIT_SETTINGS[field.name]
        raw = SETTINGS[name].get().strip()
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1:
            raise FileProblem(f"{name} must be a whole number above 0, not {raw[:20]!r}")
        values[field.name] = value
    return Limits(**values)


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


@lru_cache(maxsize=None)
def header_groups(kind: str) -> dict[str, frozenset[str]]:
    """Leading words that known headers of two or more columns share (e.g. 'самооцінка' of
    'самооцінка до' and 'самооцінка після'): the top cell of a grouped two-row header."""
    shared: dict[str, set[str]] = {}
    for header, (canonical, _, _) in header_table()[kind].items():
        words = header.split()
        for i in range(1, len(words)):
            shared.setdefault(" ".join(words[:i]), set()).add(canonical)
    return {g: frozenset(cols) for g, cols in shared.items() if len(cols) > 1}


def _header_key(cell: str) -> str:
    return key(cell.lstrip("\ufeff"))


def _missing(kind: str, mapped: set[str]) -> list[str]:
    missing = sorted(required_columns(kind) - mapped)
    # A participant report carries a birth year or an age; one of them is enough.
    if kind == "participants" and not {"birth_year", "age"} & mapped:
        missing.append("birth_year (Рік народження) or age (Вік)")
    return missing


def _example(kind: str, canonical: str) -> str:
    return next(h for h, (c, _, _) in header_table()[kind].items() if c == canonical)


def layout(kind: str, header: list[str], name: str, where: str = "") -> Layout:
    """Map a header row to canonical columns.

    A FileProblem names every problem: a missing required column; a header cell that looks like
    a known column but could not be read (the top of a grouped header that was not combined, e.g.
    'Самооцінка' without its 'до' / 'після'); two columns that name the same one. `where` (where
    the header was looked for) is added to the message.
    """
    table = header_table()[kind]
    positions: dict[str, int] = {}
    unknown, personal = [], set()
    unread: list[tuple[int, str]] = []
    twice: list[str] = []
    for i, cell in enumerate(header):
        hit = table.get(_header_key(cell))
        if hit is None:
            if cell.strip():
                unknown.append(cell.strip()[:80])
                unread.append((i, cell.strip()))
            continue
        canonical, _, is_personal = hit
        if canonical in positions:
            first = positions[canonical]
            twice.append(f"columns {first + 1} '{header[first].strip()[:80]}' and {i + 1} '{cell.strip()[:80]}' "
                         f"both name {canonical} (keep one)")
            continue
        positions[canonical] = i
        if is_personal:
            personal.add(canonical)
    problems = []
    missing = _missing(kind, set(positions))
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    for i, cell in unread:
        k = _header_key(cell)
        for group, cols in header_groups(kind).items():
            left = sorted(cols - set(positions))
            if left and (k == group or k.startswith(group + " ")):
                examples = " / ".join(f"'{_example(kind, c)}'" for c in left)
                problems.append(f"column {i + 1} '{cell[:80]}' looks like {', '.join(left)} but could not be read "
                                f"(a grouped header that could not be combined? name each column in full: {examples})")
                break
    problems += twice
    if problems:
        raise FileProblem(f"{name}: {'; '.join(problems)}{where}")
    return Layout(positions, unknown, frozenset(personal))


# --- finding the header ------------------------------------------------------------------------

def _joined(group: str, sub: str) -> list[str]:
    """Names a group cell and a sub-header can make: 'Самооцінка до', and for 'Самооцінка (1-10)'
    over 'до' also 'Самооцінка до (1-10)'."""
    out = [f"{group} {sub}"]
    if group.endswith(")") and "(" in group:
        at = group.rindex("(")
        out.append(f"{group[:at].strip()} {sub} {group[at:]}")
    return out


def _combined(table: dict, top: list[str], bottom: list[str]) -> list[str]:
    """Column names of a two-row header: a group cell (merged across the columns to its right,
    which are empty in the top row) joined to each sub-header under it, where the vocabulary knows
    the joined name; a cell merged down (empty below) keeps its own name."""
    names, group = [], ""
    for i in range(max(len(top), len(bottom))):
        t = top[i].strip() if i < len(top) else ""
        b = bottom[i].strip() if i < len(bottom) else ""
        if t:
            group = t
        elif not b:
            group = ""
        if not b:
            names.append(t)
            continue
        g = t or group
        if not g:
            names.append(b)
            continue
        hit = next((j for j in _joined(g, b) if _header_key(j) in table), None)
        if hit is None and _header_key(b) in table:
            hit = b
        if hit is None and t and _header_key(t) in table:
            hit = t
        names.append(hit or f"{g} {b}")
    return names


def _score(table: dict, names: list[str]) -> int:
    """How many known columns a header names."""
    return len({table[k][0] for k in map(_header_key, names) if k in table})


@dataclass(frozen=True)
class Header:
    index: int  # 0-based index among the rows looked at of the header's (first) row
    height: int  # 1, or 2 for a grouped header
    names: list[str]
    score: int  # known columns named


def find_header(kind: str, rows: list[list[str]]) -> Header | None:
    """The header among the first rows: the row, or pair of rows of a grouped header, that names
    the most known columns (the first on a tie). A pair counts only where it names more than
    either of its rows alone, so a title row above a header is not taken for a group. With no known
    column at all, the first non-blank row; None when every row is blank."""
    table = header_table()[kind]
    rows = rows[:HEADER_SEARCH_ROWS + 1]
    scores = [_score(table, row) for row in rows]
    best: Header | None = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(c.strip() for c in row):
            continue
        pick = Header(i, 1, list(row), scores[i])
        if i + 1 < len(rows) and any(c.strip() for c in rows[i + 1]):
            names = _combined(table, row, rows[i + 1])
            pair = Header(i, 2, names, _score(table, names))
            if pair.score > max(scores[i], scores[i + 1]):
                pick = pair
        if best is None or pick.score > best.score:
            best = pick
    return best


def _columns(n: int) -> str:
    return f"{n} known column" + ("" if n == 1 else "s")


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
    what = (f"line {start} is longer than" if start >= end else
            f"the row that starts at line {start} runs to line {end}, longer than")
    return FileProblem(f"{name}: {what} {limit:,} characters, the most DASHBOARD_MAX_LINE_LENGTH allows "
                       "(a quote that is never closed runs on to the end of the file); not read")


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
            rows = [row for _, row in top]
            names = rows[-1] if found.height == 1 else _combined(header_table()[kind], rows[-2], rows[-1])
            looked = min(len(head), HEADER_SEARCH_ROWS)
            where = (f" (the header was looked for in {f'lines 1–{looked}' if looked > 1 else 'line 1'}; the "
                     f"closest, line {header_line}, names {_columns(found.score)})")
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


# --- XLSX: checks before the workbook is opened --------------------------------------------------

def _zip_directory(path: Path) -> tuple[int, int] | None:
    """(entries, bytes) of the ZIP central directory from its end record, or None when the end
    record is missing (not a ZIP: zipfile will say so)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - (22 + 0xFFFF)))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        entries, cd_bytes = struct.unpack("<HI", tail[at + 10:at + 16])
        if entries == 0xFFFF or cd_bytes == 0xFFFFFFFF:  # ZIP64: the real counts are in its own record
            locator = tail[at - 20:at] if at >= 20 else b""
            if not locator.startswith(b"PK\x06\x07"):
                return None
            f.seek(struct.unpack("<Q", locator[8:16])[0])
            record = f.read(56)
            if not record.startswith(b"PK\x06\x06") or len(record) < 56:
                return None
            entries, cd_bytes = struct.unpack("<QQ", record[32:48])
    return entries, cd_bytes


@dataclass
class _Scan:
    """What a byte scan found in one XML part of a workbook."""

    rows: int = 0  # <row> elements
    strings: int = 0  # <si> elements (shared strings)
    longest: int = 0  # bytes of the longest row or shared string
    longest_at: int = 0  # its number (1-based) among the part's rows or strings
    longest_tag: str = "row"
    inside: int = 0  # bytes inside rows and shared strings
    total: int = 0
    declared: int | None = None  # rows the sheet's <dimension> declares
    dimension: str = ""

    def record(self, start: int, end: int, tag: str) -> None:
        """One row or shared string, from byte `start` to `end` (the exact scan)."""
        n = end - start
        self.inside += n
        self.close(start, end, tag)

    def close(self, start: int, end: int, tag: str) -> None:
        """The longest so far, with one more row or shared string: the last one counted."""
        if end - start > self.longest:
            self.longest, self.longest_tag = end - start, tag
            self.longest_at = self.rows if tag == "row" else self.strings

    def close_many(self, starts: list[int], tag: str) -> None:
        """The longest so far, with the records that start at `starts` (the last one still open)."""
        lengths = list(map(operator.sub, starts[1:], starts[:-1]))
        longest = max(lengths)
        if longest > self.longest:
            counted = self.rows if tag == "row" else self.strings
            self.longest, self.longest_tag = longest, tag
            self.longest_at = counted - len(starts) + 1 + lengths.index(longest)

    def declare(self, ref: str) -> None:
        rows = re.search(r"(\d+)\s*$", ref)
        if rows:
            self.dimension, self.declared = ref.strip()[:40], int(rows.group(1))


_ROW_RE = re.compile(rb"<row(?=[\s/>])")
_STRING_RE = re.compile(rb"<si(?=[\s/>])")
_PREFIXED_RE = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:row|si)[\s/>]")
_DIMENSION_RE = re.compile(rb"<dimension\s[^>]{0,200}?\bref\s*=\s*[\"']([^\"']{0,40})[\"']")
_DECLARATION_RE = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml\s[^>]{0,200}\?>")
_ENDS = (b"</sheetData", b"</sst")
_SCAN_TAIL = 320  # longer than any match, so no match is cut between two reads


class _Exact(Exception):
    """The fast scan met markup it does not follow: a comment, CDATA, a DOCTYPE, an instruction,
    or rows and strings written with a namespace prefix (<x:row>)."""


class _Stop(Exception):
    """The exact scan has seen enough: a row over the limit, or more rows than allowed."""


class _Doctype(Exception):
    """A part declares a DOCTYPE."""


def _scan_fast(stream, limit: int, cap: int) -> _Scan:
    """Rows, shared strings and their lengths, from the raw bytes of a part (no XML parse).

    A row (or shared string) runs from its start tag to the next one, or to the end of
    <sheetData> (<sst>). Tags are found by literal search: in XML a '<' in text or in an attribute
    is always escaped, so only comments, CDATA and processing instructions could hide one, and
    those (and prefixed tags) send the part to `_scan_exact`. Stops as soon as one row is longer
    than `limit` or the part holds or declares more than `cap` rows.
    """
    s = _Scan()
    buf, base, prev, prev_tag, first = b"", 0, None, "row", None
    declaration, in_data = True, False
    while True:
        data = stream.read(SCAN_CHUNK)
        final = not data
        buf += data
        stop = len(buf) if final else max(0, len(buf) - _SCAN_TAIL)
        skip = 0
        if declaration:  # the <?xml …?> declaration at the very start is the one instruction allowed
            m = _DECLARATION_RE.match(buf)
            skip, declaration = (m.end() if m else 0), False
        if b"<!" in buf or b"<?" in buf[skip:]:
            raise _Exact
        if (b":row" in buf or b":si" in buf) and _PREFIXED_RE.search(buf):
            raise _Exact
        if not in_data:  # a sheet declares its dimension before its rows
            m = _DIMENSION_RE.search(buf)
            if m and m.start() < stop:
                s.declare(m.group(1).decode("ascii", "replace"))
            in_data = (s.declared is not None or 0 <= buf.find(b"<sheetData", 0, stop)
                       or 0 <= buf.find(b"<si", 0, stop))
        ends = [at for at in (buf.find(e) for e in _ENDS) if 0 <= at < stop]
        end_at = base + min(ends) if ends else None
        for pattern, tag in ((_ROW_RE, "row"), (_STRING_RE, "si")):
            starts = [base + m.start() for m in pattern.finditer(buf, 0, stop + _SCAN_TAIL)]
            while starts and starts[-1] >= base + stop:
                starts.pop()
            if not starts:
                continue
            if first is None:
                first = starts[0]
            if prev is not None:  # the record open since the last read ends where this one starts
                s.close(prev, starts[0], prev_tag)
            if tag == "row":
                s.rows += len(starts)
            else:
                s.strings += len(starts)
            if len(starts) > 1:
                s.close_many(starts, tag)
            prev, prev_tag = starts[-1], tag
        if end_at is not None and prev is not None and end_at > prev:
            s.close(prev, end_at, prev_tag)
            prev = None
            s.inside = end_at - first
        buf, base = buf[stop:], base + stop
        if prev is not None and base + len(buf) - prev > limit:
            s.close(prev, base + len(buf), prev_tag)
            break
        if s.rows > cap or (s.declared or 0) > cap or final:
            break
    s.total = base + len(buf)
    if prev is not None:
        s.close(prev, s.total, prev_tag)
        s.inside = s.total - first
    return s


def _scan_exact(stream, limit: int, cap: int) -> _Scan:
    """`_scan_fast` by an XML parser (expat), for a part whose markup the fast scan does not follow.
    A DOCTYPE (entities that expand) is refused: no spreadsheet writes one."""
    s = _Scan()
    p = pyexpat.ParserCreate()
    state = {"open": None, "depth": 0, "at": 0, "tag": ""}

    def start(tag: str, attrs: dict) -> None:
        state["depth"] += 1
        local = tag.rpartition(":")[2]
        if state["open"] is None:
            if local in ("row", "si"):
                state.update(open=p.CurrentByteIndex, at=state["depth"], tag=local)
                if local == "row":
                    s.rows += 1
                else:
                    s.strings += 1
            elif local == "dimension":
                s.declare(str(attrs.get("ref", "")))
            if s.rows > cap or (s.declared or 0) > cap:
                raise _Stop
        elif p.CurrentByteIndex - state["open"] > limit:
            raise _Stop

    def end(tag: str) -> None:
        if state["open"] is not None and state["depth"] == state["at"]:
            s.record(state["open"], p.CurrentByteIndex + len(tag) + 3, state["tag"])
            state["open"] = None
        state["depth"] -= 1

    def doctype(*_args) -> None:
        raise _Doctype

    p.StartElementHandler, p.EndElementHandler, p.StartDoctypeDeclHandler = start, end, doctype
    fed = 0
    try:
        while True:
            data = stream.read(SCAN_CHUNK)
            fed += len(data)
            p.Parse(data, not data)
            if state["open"] is not None and fed - state["open"] > limit:
                raise _Stop
            if not data:
                break
    except _Stop:
        if state["open"] is not None:
            s.record(state["open"], fed, state["tag"])
    s.total = fed
    return s


def _looks_like_xml(first: bytes) -> bool:
    first = first.removeprefix(codecs.BOM_UTF8).lstrip()
    return first.startswith(b"<")


def _is_utf16_xml(first: bytes) -> bool:
    return first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"<\x00", b"\x00<"))


def _check_workbook(path: Path, lim: Limits) -> None:
    """Refuse a workbook before openpyxl expands it: too many parts, a total uncompressed size or a
    part's compression ratio over the limits (from the ZIP directory), a sheet that holds or
    declares more rows than allowed, a row or shared string longer than allowed, or too much other
    markup (from a byte scan of each XML part, which holds nothing in memory)."""
    name = path.name
    directory = _zip_directory(path)
    if directory is not None:
        entries, cd_bytes = directory
        if entries > XLSX_MAX_PARTS or cd_bytes > XLSX_MAX_DIRECTORY:
            raise FileProblem(f"{name}: the workbook's ZIP directory lists {entries:,} parts in {cd_bytes:,} bytes, "
                              f"more than the {XLSX_MAX_PARTS:,} parts in {XLSX_MAX_DIRECTORY:,} bytes a workbook "
                              "can have (a fixed limit); it was not opened")
    cap = _row_cap(lim)[0]
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > lim.xlsx_mb * MB:
            raise FileProblem(f"{name}: the workbook expands to {total / MB:,.1f} MB, more than the {lim.xlsx_mb:,} MB "
                              "DASHBOARD_MAX_XLSX_MB allows; it was not opened")
        for i in infos:
            if i.file_size > RATIO_MIN_BYTES and i.file_size > lim.xlsx_ratio * max(i.compress_size, 1):
                raise FileProblem(
                    f"{name}: part {i.filename[:80]} expands {i.file_size / max(i.compress_size, 1):,.0f} times "
                    f"({i.compress_size:,} → {i.file_size:,} bytes), more than the {lim.xlsx_ratio:,} times "
                    "DASHBOARD_MAX_XLSX_RATIO allows (a decompression bomb); it was not opened")
        for i in infos:
            if i.is_dir() or i.file_size == 0:
                continue
            with zf.open(i) as stream:
                first = stream.read(64)
            if not (_looks_like_xml(first) or _is_utf16_xml(first)):
                continue  # an image or other binary part: openpyxl does not parse it
            with zf.open(i) as stream:
                if _is_utf16_xml(first):
                    scan = _scan_exact(stream, lim.line, cap)
                else:
                    try:
                        scan = _scan_fast(stream, lim.line, cap)
                    except _Exact:
                        scan = None
            if scan is None:
                with zf.open(i) as stream:
                    scan = _scan_exact(stream, lim.line, cap)
            _check_scan(name, i.filename[:80], scan, lim)


def _row_cap(lim: Limits) -> tuple[int, str]:
    """The most rows a sheet may hold, and what sets it."""
    return ((lim.rows, "DASHBOARD_MAX_ROWS allows") if lim.rows < EXCEL_ROWS else
            (EXCEL_ROWS, "an Excel sheet can hold"))


def _check_scan(name: str, part: str, scan: _Scan, lim: Limits) -> None:
    cap, setting = _row_cap(lim)
    if scan.declared is not None and scan.declared > cap:
        raise FileProblem(f"{name}: sheet {part} declares {scan.declared:,} rows (dimension {scan.dimension}), more "
                          f"than the {cap:,} rows {setting}; it was not opened")
    if scan.rows > cap:
        raise FileProblem(f"{name}: sheet {part} holds more than the {cap:,} rows {setting}; it was not opened")
    if scan.longest > lim.line:
        what = (f"row {scan.longest_at:,} of sheet {part}" if scan.longest_tag == "row" else
                f"shared string {scan.longest_at:,} ({part})")
        raise FileProblem(f"{name}: {what} takes more than {lim.line:,} bytes of XML, the most "
                          "DASHBOARD_MAX_LINE_LENGTH allows; it was not opened")
    markup = scan.total - scan.inside
    if markup * MARKUP_SHARE > lim.xlsx_mb * MB:
        raise FileProblem(f"{name}: part {part} holds {markup / MB:,.1f} MB of markup outside rows and strings "
                          f"(styles, merged ranges, links), more than 1/{MARKUP_SHARE} of the {lim.xlsx_mb:,} MB "
                          "DASHBOARD_MAX_XLSX_MB allows; it was not opened")


# --- XLSX: reading -------------------------------------------------------------------------------

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


def _sheet_rows(ws, name: str, max_row: int | None = None) -> Iterator[tuple[int, tuple]]:
    """(row number, values) of a sheet, every row from the first (a gap comes as an empty row);
    an error of openpyxl's is a FileProblem that names the sheet and the row."""
    it = ws.iter_rows(max_row=max_row, values_only=True)
    n = 0
    while True:
        try:
            values = next(it)
        except StopIteration:
            return
        except Exception as e:  # openpyxl raises many types for a broken sheet
            raise FileProblem(f"{name}: sheet '{ws.title}' is unreadable near row {n + 1} "
                              f"({type(e).__name__})") from None
        n += 1
        yield n, values


def _sheet_list(titles: list[str]) -> str:
    return ", ".join(f"'{t}'" for t in titles)


def read_xlsx(path: Path, kind: str, lim: Limits | None = None) -> Iterator[Layout | Chunk]:
    """Yield the Layout of the sheet whose header matches, then its rows in chunks (cells turned into text)."""
    from openpyxl import load_workbook

    lim = lim or limits()
    name = path.name
    with path.open("rb") as f:
        if f.read(8) == OLE_SIGNATURE:
            raise FileProblem(f"{name}: an encrypted workbook or an old .xls file (an OLE file, not the ZIP of an "
                              "XLSX); save it as an .xlsx without a password")
    try:
        _check_workbook(path, lim)
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileProblem:
        raise
    except _Doctype:
        raise FileProblem(f"{name}: the workbook's XML declares a DOCTYPE, which no spreadsheet writes "
                          "(entities can expand without bound); it was not opened") from None
    except Exception as e:  # zipfile, expat and openpyxl raise many types for a broken workbook
        raise FileProblem(f"{name}: not a readable XLSX workbook ({type(e).__name__})") from None
    try:
        yield from _read_workbook(wb, name, kind, lim)
    finally:
        wb.close()


def _read_workbook(wb, name: str, kind: str, lim: Limits) -> Iterator[Layout | Chunk]:
    cap, setting = _row_cap(lim)
    found: list[tuple[str, Header]] = []
    for ws in wb.worksheets:
        # The scan has bounded the sheet; read every row, not only those its dimension declares.
        ws.reset_dimensions()
        rows = [[_cell(v) for v in values] for _, values in _sheet_rows(ws, name, HEADER_SEARCH_ROWS + 1)]
        header = find_header(kind, rows)
        if header is not None:
            found.append((ws.title, header))
    titles = [ws.title for ws in wb.worksheets]
    looked = f"rows 1–{HEADER_SEARCH_ROWS} of sheet{'s' if len(titles) > 1 else ''} {_sheet_list(titles)}"
    if not found:
        raise FileProblem(f"{name}: the workbook holds no header row ({looked} are empty)")
    table = header_table()[kind]
    matching = [(t, h) for t, h in found
                if not _missing(kind, {table[k][0] for k in map(_header_key, h.names) if k in table})]
    if len(matching) > 1:
        raise FileProblem(f"{name}: sheets {_sheet_list([t for t, _ in matching])} each hold a {kind} header; "
                          "only one table is read from a workbook (move the others to files of their own)")
    title, header = matching[0] if matching else max(found, key=lambda f: f[1].score)
    where = (f" (the header was looked for in {looked}; the closest, row {header.index + 1} of '{title}', "
             f"names {_columns(header.score)})")
    lay = layout(kind, header.names, name, where)
    yield lay
    ws = wb[title]
    last_header_row = header.index + header.height
    width = len(header.names)
    cols = list(lay.positions.values())
    chunk, chars = Chunk(list(lay.positions), [], [], []), 0
    for n, values in _sheet_rows(ws, name):
        if n > cap:
            raise FileProblem(f"{name}: sheet '{title}' has more than the {cap:,} rows {setting} "
                              f"(reading stopped at row {n:,})")
        if n <= last_header_row:
            continue
        cells = [_cell(v) for v in values[:width]]
        cells += [""] * (width - len(cells))
        if not any(c.strip() for c in cells):
            continue  # Excel keeps formatted empty rows; they are not records
        chunk.rows.append([cells[i] for i in cols])
        chunk.lines.append(n)
        chars += sum(map(len, cells))
        if len(chunk.rows) >= CHUNK_ROWS or chars >= CHUNK_CHARS:
            yield chunk
            chunk, chars = Chunk(list(lay.positions), [], [], []), 0
    yield chunk


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
    reader = read_xlsx if path.suffix.casefold() == ".xlsx" else read_csv
    return kind, reader(path, kind, lim)
