"""Pipeline layer: a workbook checked before it is opened — its ZIP directory and a byte scan of its XML.

openpyxl expands a sheet and its shared strings in memory, so an XLSX is held to the limits
(`limits.Limits`) before it is opened: the number and expanded size of its parts and their
compression ratio from the ZIP directory, then its rows, the bytes of each row and shared string
and the markup outside them from a scan that holds nothing in memory. A workbook over a limit ends
in a `FileProblem` that names the file, the limit and the setting that raises it.
"""

from __future__ import annotations

import codecs
import operator
import pyexpat
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dashboard.clean.limits import EXCEL_ROWS, MB, FileProblem, Limits

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


def check_workbook(path: Path, lim: Limits) -> None:
    """Refuse a workbook over a limit, or one whose XML declares a DOCTYPE, before it is opened."""
    try:
        _check_workbook(path, lim)
    except _Doctype:
        raise FileProblem(f"{path.name}: the workbook's XML declares a DOCTYPE, which no spreadsheet writes "
                          "(entities can expand without bound); it was not opened") from None


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
    cap = row_cap(lim)[0]
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


def row_cap(lim: Limits) -> tuple[int, str]:
    """The most rows a sheet may hold, and what sets it."""
    return ((lim.rows, "DASHBOARD_MAX_ROWS allows") if lim.rows < EXCEL_ROWS else
            (EXCEL_ROWS, "an Excel sheet can hold"))


def _check_scan(name: str, part: str, scan: _Scan, lim: Limits) -> None:
    cap, setting = row_cap(lim)
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
