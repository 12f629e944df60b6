"""Pipeline layer: read a raw workbook (XLSX) into chunks of text, as `readers` reads a CSV.

A workbook is checked from its ZIP directory and a byte scan of its XML before it is opened
(`xlsx_check`); the sheet whose header matches is read (a header below title rows, or a grouped
two-row header, is found by `headers`), a bounded number of rows and only the header's columns.
Every problem is a `FileProblem` that names the file, the sheet and, where one applies, the limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from dashboard.clean import xlsx_check
from dashboard.clean.headers import (
    HEADER_SEARCH_ROWS, Header, Layout, closest, find_header, known_columns, layout, missing_columns, no_header,
)
from dashboard.clean.limits import FileProblem, Limits, limits
from dashboard.clean.readers import CHUNK_CHARS, CHUNK_ROWS, OLE_SIGNATURE, Chunk, out_of_memory

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


def _sheet_rows(ws, name: str, limit: int, max_row: int | None = None, max_col: int | None = None
                ) -> Iterator[tuple[int, tuple]]:
    """(row number, values) of a sheet, every row from the first (a gap comes as an empty row), each
    of at most `max_col` cells; an error of openpyxl's (running out of memory too) is a FileProblem that names
    the sheet and the row."""
    it = ws.iter_rows(max_row=max_row, max_col=max_col, values_only=True)
    n = 0
    while True:
        try:
            values = next(it)
        except StopIteration:
            return
        except MemoryError:
            raise out_of_memory(name, f"reading sheet '{ws.title}' near row {n + 1:,}", "DASHBOARD_MAX_LINE_LENGTH",
                                 f"a row take {limit:,} bytes of XML") from None
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
    except MemoryError:
        # openpyxl holds the shared strings and the workbook's other parts whole.
        raise out_of_memory(name, "opening the workbook", "DASHBOARD_MAX_XLSX_MB",
                             f"its parts expand to {lim.xlsx_mb:,} MB") from None
    except Exception as e:  # zipfile, expat and openpyxl raise many types for a broken workbook
        raise FileProblem(f"{name}: not a readable XLSX workbook ({type(e).__name__})") from None
    try:
        yield from _read_workbook(wb, name, kind, lim)
    except MemoryError:
        raise out_of_memory(name, "reading the workbook", "DASHBOARD_MAX_XLSX_MB",
                             f"its parts expand to {lim.xlsx_mb:,} MB") from None
    finally:
        wb.close()


def _sheet_header(wb, name: str, kind: str, lim: Limits) -> tuple[str, Header, str]:
    """(title, header, where it was looked for) of the sheet whose header names every required
    column, else of the sheet whose header comes closest (its layout then names what is missing)."""
    found: list[tuple[str, Header]] = []
    more_rows = False
    for ws in wb.worksheets:
        # The scan has bounded the sheet; read every row, not only those its dimension declares.
        ws.reset_dimensions()
        rows = [[_cell(v) for v in values] for _, values in _sheet_rows(ws, name, lim.line, HEADER_SEARCH_ROWS + 1)]
        more_rows = more_rows or len(rows) > HEADER_SEARCH_ROWS
        header = find_header(kind, rows)
        if header is not None:
            found.append((ws.title, header))
    titles = [ws.title for ws in wb.worksheets]
    looked = f"rows 1–{HEADER_SEARCH_ROWS} of sheet{'s' if len(titles) > 1 else ''} {_sheet_list(titles)}"
    if not found:
        further = (f"; a header below row {HEADER_SEARCH_ROWS} is not looked for: delete the empty rows above it"
                   if more_rows else "")
        raise FileProblem(f"{name}: the workbook holds no header row ({looked} are empty{further})")
    matching = [(t, h) for t, h in found if not missing_columns(kind, known_columns(kind, h.names))]
    if len(matching) > 1:
        raise FileProblem(f"{name}: sheets {_sheet_list([t for t, _ in matching])} each hold a {kind} header; "
                          "only one table is read from a workbook (move the others to files of their own)")
    title, header = matching[0] if matching else max(found, key=lambda f: f[1].score)
    if header.score == 0:
        raise no_header(kind, name, looked, more_rows)
    return title, header, (f" (the header was looked for in {looked}; the closest, row {header.index + 1} of "
                           f"'{title}', {closest(header.score)})")


def _read_workbook(wb, name: str, kind: str, lim: Limits) -> Iterator[Layout | Chunk]:
    cap, setting = xlsx_check.row_cap(lim)
    title, header, where = _sheet_header(wb, name, kind, lim)
    lay = layout(kind, header.names, name, where)
    yield lay
    ws = wb[title]
    last_header_row = header.index + header.height
    # Only the header's columns are read: openpyxl fills a row with empty cells up to its last one,
    # and a row of one cell in column XFD would cost 16,384 of them.
    width = max((i + 1 for i, n in enumerate(header.names) if n.strip()), default=1)
    cols = list(lay.positions.values())
    chunk, chars = Chunk(list(lay.positions), [], [], []), 0
    for n, values in _sheet_rows(ws, name, lim.line, max_col=width):
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
