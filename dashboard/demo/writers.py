"""Demo layer: write raw extracts byte for byte as the field sends them (CSV and XLSX).

CSV rows are assembled column-wise with Arrow compute (quoting only the fields that need
it), then encoded as UTF-8, UTF-8 with BOM or Windows-1251. XLSX workbooks carry fixed
document properties so that the same seed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Windows-1251 has no modifier-letter apostrophe; the field's Windows exports carry `'`.
CP1251_FIXES = str.maketrans({"ʼ": "'"})
# Fixed workbook creation date: XLSX bytes must not depend on the clock.
XLSX_CREATED = dt.datetime(2025, 11, 3, 9, 0, 0)


@dataclass(frozen=True)
class CsvStyle:
    """How one raw CSV file is written: separator, encoding and line ending."""

    sep: str = ","
    encoding: str = "utf-8"  # utf-8, utf-8-sig (with BOM) or cp1251
    newline: str = "\n"


def quote(col: pa.Array, sep: str) -> pa.Array:
    """CSV field text: quoted (inner quotes doubled) only where it holds `sep`, a quote or a newline."""
    col = col if pa.types.is_string(col.type) else pc.cast(col, pa.string())
    needs = pc.match_substring_regex(col, f'[{sep}"\\n]')
    if not pc.any(needs).as_py():
        return col
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, col)


def csv_bytes(columns: list[pa.Array], style: CsvStyle) -> bytes | memoryview:
    """The CSV text of rows given as equal-length columns (nulls written as empty fields)."""
    if not columns or len(columns[0]) == 0:
        return b""
    fields = [quote(c, style.sep) for c in columns]
    fields[-1] = pc.binary_join_element_wise(fields[-1], style.newline, "", null_handling="replace",
                                             null_replacement="")
    lines = pc.binary_join_element_wise(*fields, style.sep, null_handling="replace", null_replacement="")
    if style.encoding == "cp1251":
        lines = pc.replace_substring(lines, "ʼ", "'")
    offsets = np.frombuffer(lines.buffers()[1], np.int32, len(lines) + 1, lines.offset * 4)
    data = memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]]
    if style.encoding == "cp1251":
        return str(data, "utf-8").encode("cp1251")
    return data


class CsvFile:
    """A raw CSV file written in appended chunks: header first, then `write(columns)` calls."""

    def __init__(self, path: Path, header: list[str], style: CsvStyle):
        self.path, self.style, self.rows = path, style, 0
        self._f = open(path, "wb")
        text = style.sep.join(header) + style.newline
        if style.encoding == "cp1251":
            self._f.write(text.translate(CP1251_FIXES).encode("cp1251"))
        else:
            self._f.write(text.encode(style.encoding))

    def write(self, columns: list[pa.Array]) -> None:
        """Append rows given as equal-length Arrow string columns."""
        self._f.write(csv_bytes(columns, self.style))
        self.rows += len(columns[0]) if columns else 0

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_csv(path: Path, header: list[str], rows: list[list[str | None]], style: CsvStyle) -> int:
    """Write a small table given as Python rows; returns the number of rows."""
    columns = [pa.array([r[i] for r in rows], pa.string()) for i in range(len(header))]
    with CsvFile(path, header, style) as f:
        f.write(columns)
    return len(rows)


def write_xlsx(path: Path, header: list[str], rows: list[list[object]], sheet: str = "Реєстр") -> int:
    """Write a one-sheet workbook: text, numbers and real date cells (shown as dd.mm.yyyy)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties({"created": XLSX_CREATED, "author": "", "title": "Реєстр хабів"})
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "dd.mm.yyyy"})
    ws.write_row(0, 0, header, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    wb.close()
    return len(rows)
