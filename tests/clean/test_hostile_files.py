"""Hostile raw files read by the readers: limits on size, rows, row length and workbook expansion;
UTF-16 and tab-separated text; broken workbooks.

Every file is generated (tests/clean/hostile_raw.py); the bombs are small on disk (they compress).
Each is read by the readers with the peak of Python memory traced, and must end in a `FileProblem`
whose message names the file and the limit or problem. The whole command on the worst of them is in
test_hostile_command.py. Limits are lowered through the settings' environment variables where that
keeps a test small.
"""

from __future__ import annotations

import codecs
import csv
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hostile_raw import (
    _MAIN, HUB_ROWS, HUBS_HEADER, LIMIT_VARIABLES, ROOT, MiB, column, csv_text, default_limits, drain, hand_workbook,
    hubs_sample_rows, problem, read_capped, row_bomb, row_xml, shared_string_bomb,
)

from dashboard.clean import headers
from dashboard.clean import limits as raw_limits
from dashboard.clean import readers
from dashboard.clean.readers import FileProblem


@pytest.fixture(autouse=True)
def limits_from_defaults(monkeypatch):
    yield from default_limits(monkeypatch)


# ---- CSV: long lines, long rows, many rows, big files ---------------------------------------------

def test_a_long_line_without_a_delimiter_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "hubs_long_line.csv"
    path.write_bytes(csv_text([HUBS_HEADER, HUB_ROWS[0]]).encode() + b"x" * (3 * MiB) + b"\n")
    message, peak = problem(path)
    assert message == ("hubs_long_line.csv: line 3 is longer than 1,000,000 characters, the most "
                       "DASHBOARD_MAX_LINE_LENGTH allows; not read")
    assert peak < 12 * MiB  # one bounded line (1,000,001 characters) and the reader's buffers


def test_a_long_header_line_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "hubs_long_header.csv"
    path.write_bytes(("Код хабу;" * 400_000).encode() + b"\n" + csv_text(HUB_ROWS).encode())
    message, peak = problem(path)
    assert message == ("hubs_long_header.csv: line 1 is longer than 1,000,000 characters, the most "
                       "DASHBOARD_MAX_LINE_LENGTH allows; not read")
    assert peak < 12 * MiB


def test_a_quote_never_closed_is_a_row_over_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_LINE_LENGTH", "5000")
    path = tmp_path / "hubs_open_quote.csv"
    body = csv_text([HUBS_HEADER, HUB_ROWS[0]]) + 'ХЦО-00003;"Хаби\n' + "ще рядок;\n" * 2000
    path.write_text(body, encoding="utf-8")
    message, _ = problem(path)
    assert message == ("hubs_open_quote.csv: the row that starts at line 3 runs to line 502, longer than 5,000 "
                       "characters, the most DASHBOARD_MAX_LINE_LENGTH allows (a quote that is never closed runs on "
                       "to the end of the file); not read")


def test_a_row_spread_over_the_first_lines_is_held_to_the_limit_too(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_LINE_LENGTH", "1000")
    path = tmp_path / "hubs_open_quote_early.csv"
    path.write_text(csv_text([HUBS_HEADER]) + 'ХЦО-00003;"' + ("б" * 900 + "\n") * 3 + '";x;y;z\n',
                    encoding="utf-8")
    message, _ = problem(path)
    assert message.startswith("hubs_open_quote_early.csv: the row that starts at line 2 runs to line 3, longer "
                              "than 1,000 characters")


def test_rows_are_counted_against_the_limit_as_they_stream(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_ROWS", "100")
    path = tmp_path / "hubs_many.csv"
    path.write_text(csv_text([HUBS_HEADER] + [HUB_ROWS[0]] * 500), encoding="utf-8")
    message, _ = problem(path)
    assert message == ("hubs_many.csv: more than 100 rows, the most DASHBOARD_MAX_ROWS allows "
                       "(reading stopped at line 101)")
    path.write_text(csv_text([HUBS_HEADER] + [HUB_ROWS[0]] * 99), encoding="utf-8")
    _, rows, lines, _ = drain(path)  # header + 99 rows = 100: allowed
    assert len(rows) == 99 and lines[-1] == 100


def test_a_file_over_the_size_limit_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_FILE_MB", "1")
    path = tmp_path / "participants_big.csv"
    with path.open("wb") as f:  # sparse: 2.5 MB long, nothing written
        f.truncate(2_500_000)
    message, _ = problem(path)
    assert message == ("participants_big.csv: the file is 2.5 MB, more than the 1 MB DASHBOARD_MAX_FILE_MB allows; "
                       "not read")


@pytest.mark.parametrize("value", ["abc", "0", "-5", ""])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused(tmp_path, monkeypatch, value):
    monkeypatch.setenv("DASHBOARD_MAX_ROWS", value)
    path = tmp_path / "hubs_ok.csv"
    path.write_text(csv_text([HUBS_HEADER] + HUB_ROWS), encoding="utf-8")
    message, _ = problem(path)
    assert message == f"DASHBOARD_MAX_ROWS must be a whole number above 0, not {value!r}"


def test_every_limit_is_a_documented_setting():
    from dashboard.settings import SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert set(raw_limits.LIMIT_SETTINGS.values()) == set(LIMIT_VARIABLES)
    for name in LIMIT_VARIABLES:
        assert int(SETTINGS[name].default) > 0 and f"`{name}`" in readme
    assert raw_limits.limits() == raw_limits.Limits(file_mb=10000, rows=50_000_000, line=1_000_000, xlsx_mb=1000,
                                              xlsx_ratio=100)


# ---- CSV: encodings and delimiters ----------------------------------------------------------------


UTF16 = {
    "utf-16-le with BOM (Excel's Unicode text)": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be with BOM": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-16-le without BOM": lambda text: text.encode("utf-16-le"),
    "utf-16-be without BOM": lambda text: text.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", list(UTF16))
def test_utf16_tab_separated_text_is_read(tmp_path, encoding):
    path = tmp_path / "hubs_unicode.csv"
    path.write_bytes(UTF16[encoding](csv_text(hubs_sample_rows(), sep="\t", newline="\r\n")))
    lay, rows, lines, bad = drain(path)
    assert lay.unknown == [] and bad == []
    assert lines == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert column(lay, rows, "hub_id")[:3] == ["ХЦО-00001", "ХЦО-00002", "ХЦО-00003"]
    assert column(lay, rows, "name")[1] == 'Центральна бібліотека "Світоч"'
    assert column(lay, rows, "region")[0] == "Вінницька обл."
    assert column(lay, rows, "coordinator_name")[0] == "Коваленко Олена Петрівна"


@pytest.mark.parametrize("sep, encoding", [("\t", "utf-8"), ("\t", "cp1251"), ("\t", "utf-8-sig"), (",", "utf-8"),
                                           (";", "cp1251")])
def test_every_delimiter_in_every_single_byte_encoding(tmp_path, sep, encoding):
    path = tmp_path / "hubs_sep.csv"
    path.write_bytes(csv_text(hubs_sample_rows(), sep=sep).replace("’", "'").encode(encoding))
    lay, rows, _, bad = drain(path)
    assert len(rows) == 9 and bad == []
    assert column(lay, rows, "settlement")[0] == "смт Брацлав"


def test_utf16_with_a_broken_surrogate_is_named(tmp_path):
    path = tmp_path / "hubs_broken16.csv"
    text = csv_text([HUBS_HEADER] + HUB_ROWS * 3000, sep="\t")
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le") + "\ud800".encode("utf-16-le", "surrogatepass")
                     + "x\n".encode("utf-16-le"))
    message, _ = problem(path)
    assert message.startswith("hubs_broken16.csv: undecodable bytes for utf-16 near line ")


def test_invalid_utf8_after_the_sniffed_start_is_named(tmp_path):
    path = tmp_path / "hubs_late_bytes.csv"
    path.write_bytes(csv_text([HUBS_HEADER] + HUB_ROWS * 1000).encode() + b"\xff\xfe;x\n")
    message, _ = problem(path)
    assert message.startswith("hubs_late_bytes.csv: undecodable bytes for utf-8 near line ")


def test_an_unreadable_csv_names_the_line(tmp_path):
    # csv's own field limit can no longer be reached (the row limit comes first); held low here, its
    # error still ends in a FileProblem that names the line.
    path = tmp_path / "hubs_fields.csv"
    path.write_text(csv_text([HUBS_HEADER] + HUB_ROWS), encoding="utf-8")
    real = csv.field_size_limit
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(readers.csv, "field_size_limit", lambda _n: real(14))
        message, _ = problem(path)
    assert message == "hubs_fields.csv: unreadable CSV near line 2: field larger than field limit (14)"


@pytest.mark.parametrize("data, words", [
    (b"\n\n\n", "the file is empty (no header row)"),
    (b"\xef\xbb\xbf", "the file is empty (no header row)"),
    (b"\x98\x98;\x98\n", "bytes are neither UTF-8 nor Windows-1251 text (nor UTF-16)"),
    ("Код групи;Рівень\nT;тренер\n".encode(),
     "missing required column(s): enrolled, region (the header was looked for in lines 1–2; the closest, line 1, "
     "names 2 known columns)"),
])
def test_csv_file_problems(tmp_path, data, words):
    path = tmp_path / "trainings_x.csv"
    path.write_bytes(data)
    message, _ = problem(path)
    assert message == f"trainings_x.csv: {words}"


def test_empty_file_and_unknown_kinds(tmp_path):
    for name, words in [("hubs_e.csv", "hubs_e.csv: the file is empty"),
                        ("notes.csv", "notes.csv: unknown file kind (names start with one of:"),
                        ("hubs.ods", "hubs.ods: unknown file kind (expected .csv or .xlsx)")]:
        path = tmp_path / name
        path.write_bytes(b"")
        with pytest.raises(FileProblem) as e:
            readers.read(path)
        assert str(e.value).startswith(words)


# ---- workbooks: bombs and broken parts -----------------------------------------------------------

def test_a_shared_strings_bomb_is_refused_from_the_zip_directory(tmp_path):
    path = hand_workbook(tmp_path / "hubs_bomb.xlsx", {"S": [HUBS_HEADER, [("s", 0)] + HUB_ROWS[0][1:]]},
                         strings=shared_string_bomb(40))
    assert path.stat().st_size < 200_000  # 40 MiB of one letter, compressed
    message, peak = problem(path)
    assert message.startswith("hubs_bomb.xlsx: part xl/sharedStrings.xml expands ")
    assert message.endswith("times DASHBOARD_MAX_XLSX_RATIO allows (a decompression bomb); it was not opened")
    assert "more than the 100 times" in message
    assert peak < 4 * MiB


@pytest.mark.parametrize("env, words", [
    ({"DASHBOARD_MAX_XLSX_RATIO": "100000"},
     "hubs_bomb.xlsx: shared string 1 (xl/sharedStrings.xml) takes more than 1,000,000 bytes of XML, the most "
     "DASHBOARD_MAX_LINE_LENGTH allows; it was not opened"),
    ({"DASHBOARD_MAX_XLSX_RATIO": "100000", "DASHBOARD_MAX_XLSX_MB": "10"},
     "hubs_bomb.xlsx: the workbook expands to 41.9 MB, more than the 10 MB DASHBOARD_MAX_XLSX_MB allows; "
     "it was not opened"),
])
def test_each_workbook_limit_stops_the_bomb(tmp_path, monkeypatch, env, words):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = hand_workbook(tmp_path / "hubs_bomb.xlsx", {"S": [HUBS_HEADER, [("s", 0)] + HUB_ROWS[0][1:]]},
                         strings=shared_string_bomb(40))
    message, peak = problem(path)
    assert message == words
    assert peak < 4 * MiB

@pytest.mark.slow
def test_a_row_bomb_over_excels_grid_is_refused_before_it_is_opened(tmp_path):
    path = hand_workbook(tmp_path / "hubs_rows.xlsx", {"S": row_bomb(1_100_000)})
    assert path.stat().st_size < 12 * MiB
    message, _ = problem(path, traced=False)  # its memory is measured in the command's test ("row bomb")
    assert message == ("hubs_rows.xlsx: sheet xl/worksheets/sheet1.xml holds more than the 1,048,576 rows an Excel "
                       "sheet can hold; it was not opened")


def test_sheet_rows_are_held_to_the_rows_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_ROWS", "1000")
    path = hand_workbook(tmp_path / "hubs_rows.xlsx", {"S": row_bomb(5000)})
    message, _ = problem(path)
    assert message == ("hubs_rows.xlsx: sheet xl/worksheets/sheet1.xml holds more than the 1,000 rows "
                       "DASHBOARD_MAX_ROWS allows; it was not opened")


def test_a_declared_dimension_over_the_grid_is_refused(tmp_path):
    path = hand_workbook(tmp_path / "hubs_dim.xlsx", {"S": [HUBS_HEADER, *HUB_ROWS]}, dimension="A1:E3000000")
    message, _ = problem(path)
    assert message == ("hubs_dim.xlsx: sheet xl/worksheets/sheet1.xml declares 3,000,000 rows (dimension A1:E3000000), "
                       "more than the 1,048,576 rows an Excel sheet can hold; it was not opened")


def test_a_dimension_that_understates_the_sheet_loses_no_row_or_column(tmp_path):
    path = hand_workbook(tmp_path / "hubs_dim.xlsx", {"S": [HUBS_HEADER, *HUB_ROWS]}, dimension="A1:B2")
    lay, rows, lines, _ = drain(path)
    assert lines == [2, 3] and column(lay, rows, "region") == ["Вінницька обл.", "м. Київ"]


def test_a_gap_of_empty_rows_is_counted_while_streaming(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_ROWS", "1000")
    path = hand_workbook(tmp_path / "hubs_gap.xlsx", {"S": [row_xml(1, HUBS_HEADER), row_xml(2, HUB_ROWS[0]),
                                                          row_xml(5_000_000, HUB_ROWS[1])]})
    message, _ = problem(path)
    assert message == ("hubs_gap.xlsx: sheet 'S' has more than the 1,000 rows DASHBOARD_MAX_ROWS allows "
                       "(reading stopped at row 1,001)")


def test_a_sheet_row_longer_than_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_LINE_LENGTH", "10000")
    path = hand_workbook(tmp_path / "hubs_wide.xlsx", {"S": [HUBS_HEADER, HUB_ROWS[0],
                                                             [f"ХЦО-{i:05d}" for i in range(2000)]]})
    message, _ = problem(path)
    assert message == ("hubs_wide.xlsx: row 3 of sheet xl/worksheets/sheet1.xml takes more than 10,000 bytes of XML, "
                       "the most DASHBOARD_MAX_LINE_LENGTH allows; it was not opened")


def test_markup_outside_rows_is_held_to_a_share_of_the_workbook_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_XLSX_MB", "1")
    merges = "".join(f'<mergeCell ref="A{n}:B{n}"/>' for n in range(10, 5000)).encode()
    path = hand_workbook(tmp_path / "hubs_markup.xlsx", {"S": [HUBS_HEADER, *HUB_ROWS]}, before_rows=merges)
    message, _ = problem(path)
    assert message.startswith("hubs_markup.xlsx: part xl/worksheets/sheet1.xml holds 0.1 MB of markup outside rows "
                              "and strings (styles, merged ranges, links), more than 1/16 of the 1 MB "
                              "DASHBOARD_MAX_XLSX_MB allows")


def test_a_zip_directory_of_too_many_parts_is_refused(tmp_path):
    path = hand_workbook(tmp_path / "hubs_parts.xlsx", {"S": [HUBS_HEADER, *HUB_ROWS]}, extra_parts=10_000)
    message, _ = problem(path)
    assert message.startswith("hubs_parts.xlsx: the workbook's ZIP directory lists 10,005 parts in ")
    assert message.endswith("more than the 10,000 parts in 16,777,216 bytes a workbook can have (a fixed limit); "
                            "it was not opened")


def test_comments_in_a_part_are_scanned_by_the_parser_and_read(tmp_path):
    path = hand_workbook(tmp_path / "hubs_comment.xlsx", {"S": [HUBS_HEADER, *HUB_ROWS]},
                         before_rows=b"<!-- <row> in a comment is no row -->")
    lay, rows, _, _ = drain(path)
    assert column(lay, rows, "hub_id") == ["ХЦО-00001", "ХЦО-00002"]


def prefixed(xlsx: Path) -> Path:
    """The workbook with its sheet's elements written with a namespace prefix (<x:row>), as some
    writers do: the byte scan hands such a part to the XML parser."""
    with zipfile.ZipFile(xlsx) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace(f'<worksheet xmlns="{_MAIN}">', f'<x:worksheet xmlns:x="{_MAIN}">')
    for tag in ("worksheet", "sheetData", "row", "c", "is", "t", "v", "dimension"):
        sheet = sheet.replace(f"<{tag}>", f"<x:{tag}>").replace(f"<{tag} ", f"<x:{tag} ").replace(
            f"</{tag}>", f"</x:{tag}>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return xlsx


def test_a_sheet_with_prefixed_tags_is_read_and_held_to_the_limits(tmp_path, monkeypatch):
    path = prefixed(hand_workbook(tmp_path / "hubs_prefixed.xlsx", {"S": [HUBS_HEADER, *HUB_ROWS]}))
    assert b"<x:row" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    lay, rows, lines, _ = drain(path)
    assert lines == [2, 3] and column(lay, rows, "hub_id") == ["ХЦО-00001", "ХЦО-00002"]
    monkeypatch.setenv("DASHBOARD_MAX_LINE_LENGTH", "10000")
    path = prefixed(hand_workbook(tmp_path / "hubs_prefixed.xlsx", {"S": [HUBS_HEADER, HUB_ROWS[0],
                                                                          [f"ХЦО-{i:05d}" for i in range(2000)]]}))
    message, _ = problem(path)
    assert message.startswith("hubs_prefixed.xlsx: row 3 of sheet xl/worksheets/sheet1.xml takes more than 10,000 "
                              "bytes of XML")
    monkeypatch.setenv("DASHBOARD_MAX_ROWS", "100")
    path = prefixed(hand_workbook(tmp_path / "hubs_prefixed.xlsx", {"S": row_bomb(500)}))
    message, _ = problem(path)
    assert message.startswith("hubs_prefixed.xlsx: sheet xl/worksheets/sheet1.xml holds more than the 100 rows")


def test_a_doctype_is_refused(tmp_path):
    path = tmp_path / "hubs_doctype.xlsx"
    hand_workbook(path, {"S": [HUBS_HEADER, *HUB_ROWS]})
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet', 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    message, _ = problem(path)
    assert message == ("hubs_doctype.xlsx: the workbook's XML declares a DOCTYPE, which no spreadsheet writes "
                       "(entities can expand without bound); it was not opened")


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("data, words", [
    (b"PK\x03\x04garbage", "not a readable XLSX workbook (BadZipFile)"),
    (b"not a zip at all", "not a readable XLSX workbook (BadZipFile)"),
    (zip_of({"notes.txt": b"hello"}), "not a readable XLSX workbook (KeyError)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
     "an encrypted workbook or an old .xls file (an OLE file, not the ZIP of an XLSX); save it as an .xlsx "
     "without a password"),
])
def test_broken_workbooks(tmp_path, data, words):
    path = tmp_path / "hubs_broken.xlsx"
    path.write_bytes(data)
    message, _ = problem(path)
    assert message == f"hubs_broken.xlsx: {words}"


def test_a_broken_row_is_named_with_its_sheet(tmp_path):
    path = hand_workbook(tmp_path / "hubs_badrow.xlsx", {"S": [row_xml(1, HUBS_HEADER), row_xml(2, HUB_ROWS[0]),
                                                              b'<row r="x3"><c r="A3"><v>1</v></c></row>']})
    message, _ = problem(path)
    assert message == "hubs_badrow.xlsx: sheet 'S' is unreadable near row 3 (ValueError)"


def test_a_part_with_bad_xml_is_named(tmp_path):
    path = hand_workbook(tmp_path / "hubs_badxml.xlsx", {"S": [HUBS_HEADER, *HUB_ROWS]},
                         before_rows=b"<!-- a comment that never ends")
    message, _ = problem(path)
    assert message == "hubs_badxml.xlsx: not a readable XLSX workbook (ExpatError)"


def test_a_row_is_read_only_as_wide_as_its_header(tmp_path, monkeypatch):
    """openpyxl fills a row with empty cells up to its last one: a cell in column XFD (the 16,384th)
    on every row made each row cost 16,384 cells. Past the rows the header is looked for in, rows are
    read only as wide as the header."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    widths: list[int] = []
    get_row = ReadOnlyWorksheet._get_row

    def spy(self, *args, **kwargs):
        row = get_row(self, *args, **kwargs)
        widths.append(len(row))
        return row

    monkeypatch.setattr(ReadOnlyWorksheet, "_get_row", spy)
    far = [row_xml(n, HUB_ROWS[n % 2])[:-len(b"</row>")] + f'<c r="XFD{n}"><v>1</v></c></row>'.encode()
           for n in range(2, 202)]
    path = hand_workbook(tmp_path / "hubs_far.xlsx", {"S": [row_xml(1, HUBS_HEADER), *far]})
    lay, rows, lines, _ = drain(path)
    assert lines == list(range(2, 202)) and column(lay, rows, "hub_id")[:2] == ["ХЦО-00001", "ХЦО-00002"]
    assert sum(w > len(HUBS_HEADER) for w in widths) <= readers.HEADER_SEARCH_ROWS + 1
    assert max(widths) == 16_384  # the rows the header was looked for in


# ---- running out of memory where a raised limit lets a file through -----------------------------

@pytest.mark.slow
def test_a_line_the_raised_limit_lets_through_ends_in_a_message_not_a_memory_error(tmp_path):
    path = tmp_path / "hubs_long_header.csv"
    path.write_bytes(("Код хабу;" * 400_000).encode() + b"\n" + csv_text(HUB_ROWS).encode())
    result = read_capped(path, 50, DASHBOARD_MAX_LINE_LENGTH="1000000000")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip() == (
        "hubs_long_header.csv: ran out of memory near line 1, as DASHBOARD_MAX_LINE_LENGTH lets a line hold "
        "1,000,000,000 characters; not read (lower the setting, or give the cleaning more memory)")


@pytest.mark.slow
def test_a_bomb_the_raised_limits_let_through_ends_in_a_message_not_a_memory_error(tmp_path):
    path = hand_workbook(tmp_path / "hubs_bomb.xlsx", {"S": [HUBS_HEADER, [("s", 0)] + HUB_ROWS[0][1:]]},
                         strings=shared_string_bomb(40), level=1)
    result = read_capped(path, 50, DASHBOARD_MAX_LINE_LENGTH="1000000000", DASHBOARD_MAX_XLSX_RATIO="100000")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip() == (
        "hubs_bomb.xlsx: ran out of memory opening the workbook, as DASHBOARD_MAX_XLSX_MB lets its parts expand to "
        "1,000 MB; not read (lower the setting, or give the cleaning more memory)")


def test_a_cell_of_megabytes_in_the_header_rows_costs_no_copies():
    """The header is looked for in the first rows; a cell of 40 MB there (a shared string or a field
    that raised limits let in) is cut before it is compared, not copied by each comparison."""
    huge = " Код хабу " + "ж" * (40 * MiB)
    rows = [["Реєстр", huge], HUBS_HEADER + [huge], [huge] + HUB_ROWS[0][1:]]
    tracemalloc.start()
    try:
        found = headers.find_header("hubs", rows)
        lay = headers.layout("hubs", found.names, "hubs_huge.csv")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (found.index, found.height, found.score) == (1, 1, 5)
    assert lay.positions == {"hub_id": 0, "programme": 1, "name": 2, "institution_type": 3, "region": 4}
    assert lay.unknown == [huge.strip()[:80]]
    assert peak < MiB
