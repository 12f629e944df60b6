"""Hostile and awkward raw files: limits on size, rows, row length and workbook expansion; UTF-16 and
tab-separated text; headers under title rows, grouped two-row headers, data on another sheet.

Every hostile file is generated here; the bombs are small on disk (they compress). Each is read by the
readers (with the peak of Python memory traced) and the worst are run through the whole
`python -m dashboard.clean` command (with the peak resident memory of that process measured):
the run must stop with exit code 1 and a message that names the file and the limit or problem,
never a traceback or a MemoryError, and must leave the previous cleaned folder byte for byte as it
was, with no scratch folder behind. Limits are lowered through the settings' environment variables
where that keeps a test small.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from dashboard.clean import limits as raw_limits
from dashboard.clean import readers
from dashboard.clean.pipeline import run
from dashboard.clean.readers import Chunk, FileProblem, Layout

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "tests" / "fixtures" / "raw_samples"
SALT = b"test-salt"
LIMIT_VARIABLES = ("DASHBOARD_MAX_FILE_MB", "DASHBOARD_MAX_ROWS", "DASHBOARD_MAX_LINE_LENGTH",
                   "DASHBOARD_MAX_XLSX_MB", "DASHBOARD_MAX_XLSX_RATIO")
MiB = 1 << 20

HUBS_HEADER = ["Код хабу", "Програма", "Назва закладу", "Тип закладу", "Область"]
HUB_ROWS = [["ХЦО-00001", "Хаби цифрової освіти", "Брацлавська публічна бібліотека", "публічна бібліотека",
             "Вінницька обл."],
            ["ХЦО-00002", "Хаби цифрової освіти", "Бібліотека-філія", "бібліотека-філія", "м. Київ"]]
PARTICIPANT_HEADER = ["Позначка часу", "Код хабу", "ПІБ учасника", "Телефон", "Рік народження", "Стать",
                      "Статус зайнятості", "Інвалідність", "ВПО", "Тип населеного пункту", "Курс або тема",
                      "Формат", "Дата заняття"]
PARTICIPANT_ROWS = [
    ["17.11.2023 14:03:11", "ХЦО-00001", "Петренко Ганна Іванівна", "+380671234500", "1951", "Жінка",
     "пенсіонер", "ні", "ні", "селище", "Кібербезпека", "групове заняття", "15.11.2023", 3, 8],
    ["18.11.2023 09:12:02", "ХЦО-00002", "Мельник Олег", "", "1950", "Ч", "безробітний", "так", "так",
     "місто", "Електронні послуги Дія", "онлайн", "18.11.2023", 2, None],
]


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    """Every test starts from the settings' defaults, whatever the environment says; the csv
    module's field limit (process-wide) is put back afterwards."""
    for name in LIMIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    field_limit = csv.field_size_limit()
    readers.header_table()  # read the vocabulary before any memory is traced
    __import__("openpyxl")  # imported here, not inside a traced reader call
    yield
    csv.field_size_limit(field_limit)


# ---- helpers -------------------------------------------------------------------------------------

def drain(path: Path) -> tuple[Layout, list[list[str]], list[int], list]:
    """Read a raw file through the readers: (layout, rows, line numbers, bad rows)."""
    _kind, chunks = readers.read(path)
    lay = next(chunks)
    rows, lines, bad = [], [], []
    for chunk in chunks:
        assert isinstance(chunk, Chunk)
        rows += chunk.rows
        lines += chunk.lines
        bad += chunk.bad
    return lay, rows, lines, bad


def problem(path: Path, traced: bool = True) -> tuple[str, int]:
    """(message of the FileProblem reading `path` ends in, peak bytes of Python memory meanwhile,
    or 0 untraced: tracing makes a scan of a million rows ten times slower)."""
    if not traced:
        with pytest.raises(FileProblem) as e:
            drain(path)
        return str(e.value), 0
    tracemalloc.start()
    try:
        with pytest.raises(FileProblem) as e:
            drain(path)
        return str(e.value), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def column(lay: Layout, rows: list[list[str]], name: str) -> list[str]:
    i = list(lay.positions).index(name)
    return [r[i] for r in rows]


def csv_text(rows: list[list[object]], sep: str = ";", newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=newline).writerows(rows)
    return out.getvalue()


# Hand-made workbooks (zipfile), for parts no spreadsheet program would write.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"


def _col(i: int) -> str:
    """Excel's letters of the 0-based column i (A, …, Z, AA, …)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def row_xml(n: int, cells: list[object]) -> bytes:
    """One <row> with inline strings and numbers."""
    out = [f'<row r="{n}">']
    for i, v in enumerate(cells):
        ref = f"{_col(i)}{n}"
        if isinstance(v, (int, float)):
            out.append(f'<c r="{ref}"><v>{v}</v></c>')
        elif isinstance(v, tuple):  # ("s", index): a shared string
            out.append(f'<c r="{ref}" t="s"><v>{v[1]}</v></c>')
        elif v:
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
    out.append("</row>")
    return "".join(out).encode()


def hand_workbook(path: Path, sheets: dict[str, object], strings: object = None, dimension: str | None = None,
                  before_rows: bytes = b"", extra_parts: int = 0) -> Path:
    """Write an XLSX by hand. `sheets`: title → rows (lists of cells) or an iterable of <row> bytes;
    `strings`: an iterable of bytes written as the sharedStrings part (streamed, so a bomb never sits
    in memory); `dimension`: the first sheet's declared dimension; `before_rows`: markup put before
    <sheetData>; `extra_parts`: empty parts added to the ZIP."""
    titles = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
            f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(titles)))
        if strings is not None:
            overrides += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        zf.writestr("[Content_Types].xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"))
        zf.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        sheet_list = "".join(f'<sheet name="{t}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, t in enumerate(titles))
        zf.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<sheets>{sheet_list}</sheets></workbook>"))
        rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                       for i in range(len(titles)))
        if strings is not None:
            rels += f'<Relationship Id="rId{len(titles) + 1}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
            f"{rels}</Relationships>"))
        for i, title in enumerate(titles):
            with zf.open(f"xl/worksheets/sheet{i + 1}.xml", "w") as f:
                f.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'.encode())
                if dimension and i == 0:
                    f.write(f'<dimension ref="{dimension}"/>'.encode())
                f.write(before_rows if i == 0 else b"")
                f.write(b"<sheetData>")
                for n, row in enumerate(sheets[title], start=1):
                    f.write(row if isinstance(row, bytes) else row_xml(n, row))
                f.write(b"</sheetData></worksheet>")
        if strings is not None:
            with zf.open("xl/sharedStrings.xml", "w") as f:
                f.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode())
                for part in strings:
                    f.write(part)
                f.write(b"</sst>")
        for k in range(extra_parts):
            zf.writestr(f"customXml/item{k}.xml", b"")
    return path


def shared_string_bomb(mb: int) -> object:
    """One shared string of `mb` MiB of the same letter: it compresses about a thousand times."""
    yield b"<si><t>"
    for _ in range(mb):
        yield b"A" * MiB
    yield b"</t></si>"


def office_workbook(path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list] | None = None) -> Path:
    """A workbook as a spreadsheet program writes it (xlsxwriter): title → rows; `merges`: title →
    [(first_row, first_col, last_row, last_col, text)], 0-based, as Excel merges a grouped header."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    for title, rows in sheets.items():
        ws = wb.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, value)
        for r1, c1, r2, c2, text in (merges or {}).get(title, []):
            ws.merge_range(r1, c1, r2, c2, text)
    wb.close()
    return path


# ---- the whole command ---------------------------------------------------------------------------

# A run of `python -m dashboard.clean` on the samples takes about 200 MB resident (Python, pandas,
# DuckDB, Arrow); the issue measured 2 GB and more for such hostile files before the limits.
PEAK_RSS_MB = 320


def clean_command(raw: Path, out: Path, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run the command in a child of a fresh Python that reports the child's peak resident memory
    (RUSAGE_CHILDREN: this wrapper has no other child). Returns (result, peak MB)."""
    wrapper = ("import resource, subprocess, sys\n"
               "r = subprocess.run(sys.argv[1:])\n"
               "print(f'peak-rss-kb={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr)\n"
               "sys.exit(r.returncode)\n")
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DASHBOARD_SALT": "s3cret", **env}
    result = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-m", "dashboard.clean", str(raw), str(out), "--quiet",
         "--no-warm"], capture_output=True, text=True, env=environment, cwd=ROOT, timeout=300)
    peak = int(result.stderr.rsplit("peak-rss-kb=", 1)[1].split()[0]) / 1024
    return result, peak


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous_clean(tmp_path_factory) -> Path:
    """A cleaned folder from the samples: the output a failed run must leave as it was."""
    out = tmp_path_factory.mktemp("previous") / "clean"
    run(SAMPLES, out, SALT, progress=False)
    return out


def assert_refused(raw: Path, previous: Path, tmp_path: Path, words: list[str], **env: str) -> str:
    """Run the command on `raw` over a copy of the previous output; it must stop with exit code 1
    and a message holding `words`, within the memory bound, leaving the output and no scratch."""
    work = tmp_path / "work"
    work.mkdir()
    out = work / "clean"
    shutil.copytree(previous, out)
    before = tree_digest(out)
    result, peak = clean_command(raw, out, **env)
    message = result.stderr
    assert result.returncode == 1, message
    for w in words:
        assert w in message, (w, message)
    assert "Traceback" not in message and "MemoryError" not in message, message
    assert peak < PEAK_RSS_MB, f"peak resident memory {peak:.0f} MB"
    assert tree_digest(out) == before
    assert [p.name for p in work.iterdir() if p.name.startswith(".clean-")] == []  # no scratch folder left
    return message


def raw_folder(tmp_path: Path, files: dict[str, bytes | Path]) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, data in files.items():
        if isinstance(data, Path):
            shutil.copy(data, raw / name)
        else:
            (raw / name).write_bytes(data)
    return raw


# ---- CSV: long lines, long rows, many rows, big files ---------------------------------------------

def test_a_long_line_without_a_delimiter_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "hubs_long_line.csv"
    path.write_bytes(csv_text([HUBS_HEADER, HUB_ROWS[0]]).encode() + b"x" * (3 * MiB) + b"\n")
    message, peak = problem(path)
    assert message == ("hubs_long_line.csv: line 3 is longer than 1,000,000 characters, the most "
                       "DASHBOARD_MAX_LINE_LENGTH allows (a quote that is never closed runs on to the end of the "
                       "file); not read")
    assert peak < 12 * MiB  # one bounded line (1,000,001 characters) and the reader's buffers


def test_a_long_header_line_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "hubs_long_header.csv"
    path.write_bytes(("Код хабу;" * 400_000).encode() + b"\n" + csv_text(HUB_ROWS).encode())
    message, peak = problem(path)
    assert message.startswith("hubs_long_header.csv: line 1 is longer than 1,000,000 characters")
    assert peak < 12 * MiB


def test_a_quote_never_closed_is_a_row_over_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_LINE_LENGTH", "5000")
    path = tmp_path / "hubs_open_quote.csv"
    body = csv_text([HUBS_HEADER, HUB_ROWS[0]]) + 'ХЦО-00003;"Хаби\n' + "ще рядок;\n" * 2000
    path.write_text(body, encoding="utf-8")
    message, _ = problem(path)
    assert message.startswith("hubs_open_quote.csv: the row that starts at line 3 runs to line 502, longer "
                              "than 5,000 characters, the most DASHBOARD_MAX_LINE_LENGTH allows")


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

def hubs_sample_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO((SAMPLES / "hubs_sample.csv").read_text(encoding="utf-8")), delimiter=";"))


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


# ---- headers: title rows, grouped headers, columns that cannot be read ---------------------------

def test_csv_header_below_title_rows(tmp_path):
    path = tmp_path / "hubs_titled.csv"
    path.write_text("Реєстр хабів цифрової освіти\nстаном на 01.11.2025\n\n" + csv_text([HUBS_HEADER] + HUB_ROWS),
                    encoding="utf-8")
    lay, rows, lines, _ = drain(path)
    assert lines == [5, 6] and column(lay, rows, "hub_id") == ["ХЦО-00001", "ХЦО-00002"]


def test_xlsx_header_below_title_rows(tmp_path):
    path = office_workbook(tmp_path / "hubs_titled.xlsx", {"Реєстр": [
        ["Реєстр хабів цифрової освіти станом на 01.11.2025"], [], HUBS_HEADER, *HUB_ROWS]})
    lay, rows, lines, _ = drain(path)
    assert lines == [4, 5]
    assert column(lay, rows, "region") == ["Вінницька обл.", "м. Київ"]


def grouped_participants(group: str, before: str, after: str) -> list[list[object]]:
    """A participant report with a two-row header: every column merged down over two rows, and
    `group` merged across the two rating columns over `before` and `after`."""
    return [PARTICIPANT_HEADER + [group, ""], [""] * len(PARTICIPANT_HEADER) + [before, after],
            *PARTICIPANT_ROWS]


def grouped_merges(group: str) -> list:
    n = len(PARTICIPANT_HEADER)
    return [(0, c, 1, c, PARTICIPANT_HEADER[c]) for c in range(n)] + [(0, n, 0, n + 1, group)]


@pytest.mark.parametrize("group, before, after", [
    ("Самооцінка", "до", "після"),
    ("Самооцінка (1-10)", "до", "після"),
    ("Self-rating", "before", "after"),
])
def test_a_grouped_two_row_header_is_combined(tmp_path, group, before, after):
    path = office_workbook(tmp_path / "participants_grouped.xlsx", {"Звіт": grouped_participants(group, before, after)},
                           {"Звіт": grouped_merges(group)})
    lay, rows, lines, _ = drain(path)
    assert lay.unknown == []
    assert lines == [3, 4]
    assert column(lay, rows, "rating_pre") == ["3", "2"]
    assert column(lay, rows, "rating_post") == ["8", ""]
    assert column(lay, rows, "hub_id") == ["ХЦО-00001", "ХЦО-00002"]


def test_a_grouped_header_in_a_csv_is_combined(tmp_path):
    path = tmp_path / "participants_grouped.csv"
    path.write_text(csv_text(grouped_participants("Самооцінка", "до", "після")), encoding="utf-8")
    lay, rows, lines, _ = drain(path)
    assert lines == [3, 4] and column(lay, rows, "rating_post") == ["8", ""]


def test_a_grouped_header_that_cannot_be_combined_fails_the_file(tmp_path):
    path = office_workbook(tmp_path / "participants_grouped.xlsx",
                           {"Звіт": grouped_participants("Самооцінка", "до навчання", "після навчання")},
                           {"Звіт": grouped_merges("Самооцінка")})
    message, _ = problem(path)
    assert message == (
        "participants_grouped.xlsx: column 14 'Самооцінка' looks like rating_post, rating_pre but could not be read "
        "(a grouped header that could not be combined? name each column in full: 'самооцінка після (1-10)' / "
        "'самооцінка до (1-10)') (the header was looked for in rows 1–10 of sheet 'Звіт'; the closest, row 1 of "
        "'Звіт', names 13 known columns)")


def test_a_known_column_that_is_named_twice_fails_the_file(tmp_path):
    path = tmp_path / "hubs_twice.csv"
    path.write_text(csv_text([HUBS_HEADER + ["Hub ID"]] + [r + ["X"] for r in HUB_ROWS]), encoding="utf-8")
    message, _ = problem(path)
    assert "hubs_twice.csv: columns 1 'Код хабу' and 6 'Hub ID' both name hub_id (keep one)" in message


# ---- workbooks: which sheet ---------------------------------------------------------------------

def test_data_on_the_second_sheet_is_found(tmp_path):
    path = office_workbook(tmp_path / "hubs_sheets.xlsx", {
        "Інструкція": [["Заповніть аркуш «Дані»"], ["Код хабу — як у реєстрі"]],
        "Дані": [HUBS_HEADER, *HUB_ROWS]})
    lay, rows, lines, _ = drain(path)
    assert lines == [2, 3] and column(lay, rows, "hub_id") == ["ХЦО-00001", "ХЦО-00002"]


def test_no_matching_sheet_names_the_rows_and_sheets_read(tmp_path):
    path = office_workbook(tmp_path / "hubs_sheets.xlsx", {
        "Інструкція": [["Заповніть аркуш «Дані»"]],
        "Дані": [["Звіт"], ["Код хабу", "Назва закладу"], ["ХЦО-00001", "Бібліотека"]]})
    message, _ = problem(path)
    assert message == ("hubs_sheets.xlsx: missing required column(s): region (the header was looked for in rows "
                       "1–10 of sheets 'Інструкція', 'Дані'; the closest, row 2 of 'Дані', names 2 known columns)")


def test_two_matching_sheets_fail_rather_than_drop_one(tmp_path):
    path = office_workbook(tmp_path / "hubs_two.xlsx", {"2024": [HUBS_HEADER, HUB_ROWS[0]],
                                                        "2025": [HUBS_HEADER, HUB_ROWS[1]]})
    message, _ = problem(path)
    assert message == ("hubs_two.xlsx: sheets '2024', '2025' each hold a hubs header; only one table is read from "
                       "a workbook (move the others to files of their own)")


def test_a_workbook_with_only_empty_sheets(tmp_path):
    path = office_workbook(tmp_path / "hubs_blank.xlsx", {"Аркуш1": [], "Аркуш2": []})
    message, _ = problem(path)
    assert message == ("hubs_blank.xlsx: the workbook holds no header row (rows 1–10 of sheets 'Аркуш1', "
                       "'Аркуш2' are empty)")


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


def row_bomb(rows: int) -> object:
    yield row_xml(1, HUBS_HEADER)
    for start in range(2, rows + 1, 10_000):
        yield b"".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>'.encode()
                       for n in range(start, min(start + 10_000, rows + 1)))


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


# ---- the whole command --------------------------------------------------------------------------

def long_line_file() -> bytes:
    return csv_text([HUBS_HEADER, HUB_ROWS[0]]).encode() + b"x" * (20 * MiB) + b"\n"


def long_header_file() -> bytes:
    return ("Код хабу;" * 2_500_000).encode() + b"\n" + csv_text(HUB_ROWS).encode()


def bomb_workbook(tmp: Path) -> Path:
    return hand_workbook(tmp / "hubs_bomb.xlsx", {"S": [HUBS_HEADER, [("s", 0)] + HUB_ROWS[0][1:]]},
                         strings=shared_string_bomb(200))


def ungrouped_workbook(tmp: Path) -> Path:
    return office_workbook(tmp / "participants_grouped.xlsx",
                           {"Звіт": grouped_participants("Самооцінка", "до навчання", "після навчання")},
                           {"Звіт": grouped_merges("Самооцінка")})


# case → (raw files made in a folder, settings, words the error must hold)
COMMAND_CASES = {
    "20 MB line": (
        lambda tmp: {"hubs_long_line.csv": long_line_file()}, {},
        ["error: hubs_long_line.csv: line 3 is longer than 1,000,000 characters", "DASHBOARD_MAX_LINE_LENGTH"]),
    "22 MB header": (
        lambda tmp: {"hubs_long_header.csv": long_header_file()}, {},
        ["error: hubs_long_header.csv: line 1 is longer than 1,000,000 characters"]),
    "shared strings bomb": (
        lambda tmp: {"hubs_bomb.xlsx": bomb_workbook(tmp)}, {},
        ["error: hubs_bomb.xlsx: part xl/sharedStrings.xml expands",
         "more than the 100 times DASHBOARD_MAX_XLSX_RATIO allows (a decompression bomb)"]),
    "shared strings bomb, ratio raised": (
        lambda tmp: {"hubs_bomb.xlsx": bomb_workbook(tmp)}, {"DASHBOARD_MAX_XLSX_RATIO": "100000"},
        ["error: hubs_bomb.xlsx: shared string 1 (xl/sharedStrings.xml) takes more than 1,000,000 bytes of XML, "
         "the most DASHBOARD_MAX_LINE_LENGTH allows"]),
    "shared strings bomb, ratio and row length raised": (
        lambda tmp: {"hubs_bomb.xlsx": bomb_workbook(tmp)},
        {"DASHBOARD_MAX_XLSX_RATIO": "100000", "DASHBOARD_MAX_LINE_LENGTH": "1000000000",
         "DASHBOARD_MAX_XLSX_MB": "100"},
        ["error: hubs_bomb.xlsx: the workbook expands to 209.7 MB, more than the 100 MB DASHBOARD_MAX_XLSX_MB allows"]),
    "row bomb": (
        lambda tmp: {"hubs_rows.xlsx": hand_workbook(tmp / "hubs_rows.xlsx", {"S": row_bomb(1_100_000)})}, {},
        ["error: hubs_rows.xlsx: sheet xl/worksheets/sheet1.xml holds more than the 1,048,576 rows an Excel sheet "
         "can hold"]),
    "many csv rows": (
        lambda tmp: {"hubs_many.csv": csv_text([HUBS_HEADER] + [HUB_ROWS[0]] * 5000).encode()},
        {"DASHBOARD_MAX_ROWS": "1000"},
        ["error: hubs_many.csv: more than 1,000 rows, the most DASHBOARD_MAX_ROWS allows"]),
    "grouped header not combined": (
        lambda tmp: {"hubs_sample.csv": SAMPLES / "hubs_sample.csv",
                     "participants_grouped.xlsx": ungrouped_workbook(tmp)},
        {}, ["error: participants_grouped.xlsx: column 14 'Самооцінка' looks like rating_post, rating_pre but could "
             "not be read"]),
    "no matching sheet": (
        lambda tmp: {"hubs_sheets.xlsx": office_workbook(tmp / "hubs_sheets.xlsx", {
            "Інструкція": [["Заповніть аркуш «Дані»"]], "Дані": [["Звіт"], ["Код хабу", "Назва"]]})}, {},
        ["error: hubs_sheets.xlsx: missing required column(s): name, region (the header was looked for in rows 1–10 "
         "of sheets 'Інструкція', 'Дані'; the closest, row 2 of 'Дані', names 1 known column)"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(COMMAND_CASES))
def test_the_command_refuses_hostile_files_and_keeps_the_previous_output(previous_clean, tmp_path, case):
    make, env, words = COMMAND_CASES[case]
    made = tmp_path / "made"
    made.mkdir()
    raw = raw_folder(tmp_path, make(made))
    assert_refused(raw, previous_clean, tmp_path, words, **env)


@pytest.mark.slow
def test_the_command_cleans_awkward_but_sound_files(tmp_path):
    """Excel's Unicode text (UTF-16LE, tabs, CRLF) for the hub registry; a participant report with a
    title row, on the second sheet, under a grouped two-row header."""
    hubs = codecs.BOM_UTF16_LE + csv_text(hubs_sample_rows(), sep="\t", newline="\r\n").encode("utf-16-le")
    report_sheet = [["Звіт про заняття, листопад 2023"]] + grouped_participants("Самооцінка", "до", "після")
    merges = [(r1 + 1, c1, r2 + 1, c2, text) for r1, c1, r2, c2, text in grouped_merges("Самооцінка")]
    participants = office_workbook(tmp_path / "participants_awkward.xlsx",
                                   {"Інструкція": [["Дані на аркуші «Звіт»"]], "Звіт": report_sheet},
                                   {"Звіт": merges})
    raw = raw_folder(tmp_path, {"hubs_unicode.csv": hubs, "participants_awkward.xlsx": participants})
    out = tmp_path / "clean"
    result, peak = clean_command(raw, out)
    assert result.returncode == 0, result.stderr
    assert "cleaned 11 rows from 2 files" in result.stderr
    assert peak < PEAK_RSS_MB
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["files"]["hubs_unicode.csv"]["rows_in"] == 9
    assert report["files"]["participants_awkward.xlsx"]["rows_in"] == 2
    assert report["files"]["participants_awkward.xlsx"]["unknown_columns"] == []
    import pandas as pd

    ratings = pd.read_parquet(out / "assessments.parquet")
    ratings = ratings[ratings.instrument == "self_rating"].sort_values(["stage", "score"])
    assert ratings[["stage", "score"]].values.tolist() == [["post", 8.0], ["pre", 2.0], ["pre", 3.0]]
