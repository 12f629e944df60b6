"""Pipeline layer: read raw files as delivered (CSV in several encodings, XLSX) into chunks of text.

A reader yields `Chunk`s: the canonical column names, the raw text of each row under them,
and each row's line number, so that every later step can name the row it talks about.
Problems with a whole file raise `FileProblem` with a message that names the file.

Every raw file is untrusted. Its size, its number of rows, the length of each row and, for a
workbook, what its ZIP parts expand to are held to limits (`Limits`, from the DASHBOARD_MAX_*
settings, `limits.py`): a workbook is checked from its ZIP directory and a byte scan of its XML before it is
opened (`xlsx_check`), a CSV is read a bounded line at a time and its rows counted as they stream. A file over a
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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard.clean import xlsx_check
from dashboard.clean.limits import MB, FileProblem, Limits, limits
from dashboard.clean.normalise import VOCAB_DIR, key

CHUNK_ROWS = 50_000
# A chunk also ends after this many characters of raw text, so that long rows cannot make one
# chunk (and the frames the pipeline builds from it) large.
CHUNK_CHARS = 1 << 25
SNIFF_BYTES = 1 << 16
# Title rows (a report's name, its date, a blank line) can sit above the header of an exported
# report; the header is looked for among this many first rows (and the row under the last of
# them, for a grouped two-row header). Ten leave room for a title block; a header further down is
# more likely a second table than a title.
HEADER_SEARCH_ROWS = 10
# Delimiters a CSV may use, in the order a tie is broken (Excel's "Unicode text" uses the tab).
DELIMITERS = (";", "\t", ",")
# The first bytes of an OLE compound file: an .xls, or an .xlsx that Excel encrypted with a password.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# File kind by the start of its name, as the field names them.
KINDS = (
    ("kemerovo_centres", "hubs"), ("centres", "hubs"), ("hubs", "hubs"), ("trainings", "trainings"),
    ("participants", "participants"), ("digigram", "digigram"), ("waitlist", "waitlist"),
    ("partners", "partners"),
)
SUFFIXES = (".csv", ".xlsx")


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
        xlsx_check.check_workbook(path, lim)
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileProblem:
        raise
    except Exception as e:  # zipfile, expat and openpyxl raise many types for a broken workbook
        raise FileProblem(f"{name}: not a readable XLSX workbook ({type(e).__name__})") from None
    try:
        yield from _read_workbook(wb, name, kind, lim)
    finally:
        wb.close()


def _read_workbook(wb, name: str, kind: str, lim: Limits) -> Iterator[Layout | Chunk]:
    cap, setting = xlsx_check.row_cap(lim)
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
