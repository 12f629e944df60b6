"""Export layer: an Export written as PNG, SVG (vl-convert), CSV and XLSX, byte for byte repeatable.

Images: the figure's chart under a title and a subtitle stating the filters, over a footer
with the source line (data date) and the notes, drawn by vl-convert with the bundled Noto Sans
(Cyrillic; SIL Open Font Licence, dashboard/fonts/OFL.txt). Tables: the same words on the
first lines, an empty line, then exactly the numbers drawn. Text cells that a spreadsheet
could run as a formula are neutralised.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import functools
import io
import re
import textwrap
import zlib
from pathlib import Path

import pandas as pd
import vl_convert as vlc
import xlsxwriter

from dashboard import charts
from dashboard.export.registry import Export

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
# Plotting width of an exported chart in CSS pixels: a half-page column in print.
WIDTH = 640
# PNG scale factor: 2 gives 1,300+ px wide images, sharp in print at column width.
SCALE = 2
TITLE_PX, SUBTITLE_PX, FOOTER_PX = 18, 12, 11
LINE_PX = 16  # footer line height
# Average advance of Noto Sans in these texts is about 0.48 em: characters per line for the wrap.
EM_RATIO = 0.48
# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Fixed document properties of the XLSX (its dates are the data date).
XLSX_AUTHOR = "Digital Education Hubs dashboard"
MIME = {
    "png": "image/png", "svg": "image/svg+xml", "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(MIME)
BASE_PPI = 72  # vl-convert's pixels per inch at scale 1
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ids Vega's SVG renderer draws from a process-wide counter (see stable_ids).
_SVG_IDS = re.compile(r"\b(clip|gradient|pattern)(\d+)\b")


@functools.cache
def register_fonts() -> None:
    """Give vl-convert the bundled fonts (once per process), so no text depends on the system."""
    vlc.register_font_directory(str(FONT_DIR))


def neutralise(value: object) -> object:
    """A cell safe for spreadsheets: text starting with = + - @ tab or CR gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _wrap(text: str, width_px: int, font_px: int) -> list[str]:
    chars = max(30, int(width_px / (font_px * EM_RATIO)))
    return textwrap.wrap(text, chars, break_long_words=False, break_on_hyphens=False) or [""]


def fixed_width(node: object, width: int) -> None:
    """Replace every `width: "container"` in a spec (in place) by `width` pixels."""
    # `width: "container"` means "the page's column": a file has no page, so give it a number.
    if isinstance(node, dict):
        if node.get("width") == "container":
            node["width"] = width
        for value in node.values():
            fixed_width(value, width)
    elif isinstance(node, list):
        for value in node:
            fixed_width(value, width)


def spec(export: Export, width: int = WIDTH) -> dict:
    """The Vega-Lite spec of the image: title, subtitle (filters), the chart, source and notes.

    The chart keeps its own data and marks; the title and subtitle belong to a wrapper above
    everything the chart draws (legends included), the source and notes replace the chart's own
    title below it. Both use the full bounds (axis labels included), so every line of text starts
    at the image's left margin.
    """
    inner = copy.deepcopy(export.chart.to_dict())
    top = {key: inner.pop(key) for key in ("$schema", "config", "datasets") if key in inner}
    for key in ("autosize", "padding", "background", "usermeta"):
        inner.pop(key, None)
    fixed_width(inner, width)
    header = {
        "text": export.title, "subtitle": _wrap(export.subtitle, width, SUBTITLE_PX),
        "anchor": "start", "frame": "bounds", "font": charts.FONT, "fontSize": TITLE_PX,
        "fontWeight": "bold", "color": charts.INK, "subtitleFont": charts.FONT,
        "subtitleFontSize": SUBTITLE_PX, "subtitleColor": charts.MUTED, "subtitlePadding": 6, "offset": 16,
    }
    lines = _wrap(export.source, width, FOOTER_PX)
    for note in export.notes:
        lines += _wrap(note, width, FOOTER_PX)
    inner["title"] = {
        "text": lines, "orient": "bottom", "anchor": "start", "frame": "bounds", "font": charts.FONT,
        "fontSize": FOOTER_PX, "fontWeight": "normal", "color": charts.MUTED, "lineHeight": LINE_PX, "offset": 20,
    }
    return {**top, "background": "white", "padding": 16, "title": header, "vconcat": [inner]}


def png(export: Export, scale: float = SCALE) -> bytes:
    """The image as PNG at `scale` × (at least 2 for print), white background, with its title,
    filters and source also as PNG text (iTXt `Title`, `Description`, `Source`)."""
    register_fonts()
    # ppi = 72 × scale draws `scale` pixels per CSS pixel and tags the file with that density,
    # so it prints at the chart's intended size.
    image = vlc.vegalite_to_png(spec(export), ppi=BASE_PPI * scale)
    return with_text(image, {"Title": export.title, "Description": export.subtitle, "Source": export.source})


def with_text(image: bytes, texts: dict[str, str]) -> bytes:
    """PNG bytes with UTF-8 text chunks (iTXt) added after the header chunk, in the given order."""
    if image[:8] != PNG_SIGNATURE:
        raise ValueError("not a PNG")
    header_end = 8 + 8 + int.from_bytes(image[8:12], "big") + 4  # signature, IHDR (length, type, data, CRC)
    chunks = b""
    for key, text in texts.items():
        data = key.encode("latin-1") + b"\0\0\0\0\0" + text.encode("utf-8")
        chunks += len(data).to_bytes(4, "big") + b"iTXt" + data + zlib.crc32(b"iTXt" + data).to_bytes(4, "big")
    return image[:header_end] + chunks + image[header_end:]


def svg(export: Export) -> bytes:
    """The image as SVG (text kept as text, in Noto Sans with fallbacks), UTF-8."""
    register_fonts()
    return stable_ids(vlc.vegalite_to_svg(spec(export))).encode("utf-8")


def stable_ids(text: str) -> str:
    """SVG with its clip and gradient ids numbered from 1 in order of appearance.

    Vega numbers them with a counter that lives as long as the process, so the same chart
    would otherwise differ from one export to the next.
    """
    numbers: dict[str, str] = {}

    def renumber(match: re.Match) -> str:
        kind, n = match.group(1), match.group(2)
        key = kind + n
        numbers.setdefault(key, f"{kind}{sum(k.startswith(kind) for k in numbers) + 1}")
        return numbers[key]

    return _SVG_IDS.sub(renumber, text)


def header_lines(export: Export) -> list[str]:
    """The words above a table in CSV and XLSX: title, filters, source, notes."""
    return [export.title, export.subtitle, export.source, *export.notes]


def _cell(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return neutralise(value) if isinstance(value, str) else value


def rows(export: Export) -> list[list[object]]:
    """Every line of the CSV: the header lines, an empty line, the column names, the numbers."""
    table = export.table
    out: list[list[object]] = [[neutralise(line)] for line in header_lines(export)]
    out.append([])
    out.append([neutralise(str(c)) for c in table.columns])
    for record in table.itertuples(index=False):
        out.append([_cell(v) for v in record])
    return out


def csv_bytes(export: Export) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark (so Excel reads Cyrillic), comma, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows(export))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _created(export: Export) -> dt.datetime:
    day = export.view.data_date or dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


def xlsx_bytes(export: Export) -> bytes:
    """The table as XLSX: one sheet, the header lines first, numbers as numbers, fixed properties."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": export.title, "subject": export.subtitle, "author": XLSX_AUTHOR,
                         "comments": export.source, "created": _created(export)})
    sheet = book.add_worksheet(export.figure.name[:31])
    bold = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format({"bold": True, "bottom": 1})
    for i, line in enumerate(header_lines(export)):
        sheet.write_string(i, 0, neutralise(line), bold if i == 0 else None)
    first = len(header_lines(export)) + 1
    table = export.table
    for j, name in enumerate(table.columns):
        sheet.write_string(first, j, neutralise(str(name)), head)
        sheet.set_column(j, j, max(12, min(60, len(str(name)) + 4)))
    for i, record in enumerate(table.itertuples(index=False), start=first + 1):
        for j, value in enumerate(record):
            value = _cell(value)
            if isinstance(value, str):
                sheet.write_string(i, j, value)
            elif value is not None:
                sheet.write_number(i, j, float(value))
    book.close()
    return buffer.getvalue()


WRITERS = {"png": png, "svg": svg, "csv": csv_bytes, "xlsx": xlsx_bytes}


def write(export: Export, fmt: str) -> bytes:
    """The bytes of an export in one of FORMATS."""
    return WRITERS[fmt](export)


def file_name(export: Export, fmt: str) -> str:
    """`participation_trend_uk.png`: the figure, the language, the format (ASCII only)."""
    return f"{export.figure.name}_{export.view.lang}.{fmt}"
