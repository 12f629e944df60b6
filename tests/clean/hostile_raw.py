"""Test helpers of tests/clean: raw files made to order (CSV text, workbooks written by hand or as a
spreadsheet program writes them, bombs that are small on disk) and the cleaning command run in a
child process held to a memory cap.

Every hostile file is generated; nothing here reads `data/`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from dashboard.clean import readers
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


def default_limits(monkeypatch) -> object:
    """Body of each test module's autouse fixture: every test starts from the settings' defaults,
    whatever the environment says; the csv module's field limit (process-wide) is put back afterwards."""
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


def hubs_sample_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO((SAMPLES / "hubs_sample.csv").read_text(encoding="utf-8")), delimiter=";"))


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
                  before_rows: bytes = b"", extra_parts: int = 0, level: int | None = None) -> Path:
    """Write an XLSX by hand. `sheets`: title → rows (lists of cells) or an iterable of <row> bytes;
    `strings`: an iterable of bytes written as the sharedStrings part (streamed, so a bomb never sits
    in memory); `dimension`: the first sheet's declared dimension; `before_rows`: markup put before
    <sheetData>; `extra_parts`: empty parts added to the ZIP; `level`: zlib's compression level (1 writes
    a bomb of gigabytes in seconds)."""
    titles = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
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


def grouped_participants(group: str, before: str, after: str) -> list[list[object]]:
    """A participant report with a two-row header: every column merged down over two rows, and
    `group` merged across the two rating columns over `before` and `after`."""
    return [PARTICIPANT_HEADER + [group, ""], [""] * len(PARTICIPANT_HEADER) + [before, after],
            *PARTICIPANT_ROWS]


def grouped_merges(group: str) -> list:
    n = len(PARTICIPANT_HEADER)
    return [(0, c, 1, c, PARTICIPANT_HEADER[c]) for c in range(n)] + [(0, n, 0, n + 1, group)]


def row_bomb(rows: int) -> object:
    """The <row> elements of a sheet: the hubs header, then rows 2 … `rows` of one number each
    (about 56 bytes a row; it compresses about seven times)."""
    yield row_xml(1, HUBS_HEADER)
    template = b'<row r="%d"><c r="A%d"><v>%d</v></c></row>'
    for start in range(2, rows + 1, 10_000):
        yield b"".join([template % (n, n, n) for n in range(start, min(start + 10_000, rows + 1))])


# ---- the whole command ---------------------------------------------------------------------------

# A run of `python -m dashboard.clean` on the samples takes about 200 MB resident (Python, pandas,
# DuckDB, Arrow); the issue measured 2 GB and more for such hostile files before the limits.
PEAK_RSS_MB = 320
# Every run here is held to this much data memory (the heap and every private writable mapping), the
# cap under which the issue saw a MemoryError. A cap on the address space would not do: DuckDB and
# Arrow reserve address space they never touch, and a run of the samples aborts under 2.5 GB of it.
MEMORY_CAP_MB = 2500
_WRAPPER = """import resource, subprocess, sys
cap = int(sys.argv[1]) * 1_000_000
r = subprocess.run(sys.argv[2:], preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_DATA, (cap, cap)))
print(f"peak-rss-kb={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
sys.exit(r.returncode)
"""


def clean_command(raw: Path, out: Path, memory_cap_mb: int = MEMORY_CAP_MB,
                  **env: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run the command, held to `memory_cap_mb` of data memory, in a child of a fresh Python that
    reports the child's peak resident memory (RUSAGE_CHILDREN: this wrapper has no other child).
    Returns (result, with the command's own stderr, and peak MB)."""
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DASHBOARD_SALT": "s3cret", **env}
    result = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(memory_cap_mb), sys.executable, "-m", "dashboard.clean", str(raw),
         str(out), "--quiet", "--no-warm"], capture_output=True, text=True, env=environment, cwd=ROOT, timeout=300)
    result.stderr, _, peak_kb = result.stderr.rpartition("peak-rss-kb=")
    return result, int(peak_kb) / 1024


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_refused(raw: Path, previous: Path, tmp_path: Path, words: list[str], memory_cap_mb: int = MEMORY_CAP_MB,
                   peak_mb: int = PEAK_RSS_MB, **env: str) -> str:
    """Run the command on `raw` over a copy of the previous output, held to `memory_cap_mb`; it must
    stop with exit code 1 and a message holding `words` (no traceback), its peak resident memory
    under `peak_mb`, leaving the output as it was and no scratch folder."""
    work = tmp_path / "work"
    work.mkdir()
    out = work / "clean"
    shutil.copytree(previous, out)
    before = tree_digest(out)
    result, peak = clean_command(raw, out, memory_cap_mb, **env)
    message = result.stderr
    assert result.returncode == 1, message
    for w in words:
        assert w in message, (w, message)
    assert "Traceback" not in message and "MemoryError" not in message, message
    assert peak < peak_mb, f"peak resident memory {peak:.0f} MB"
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


_READ_CAPPED = """import resource, sys
from pathlib import Path
from dashboard.clean import readers
from dashboard.clean.readers import FileProblem
import openpyxl
data_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmData:"))
cap = data_kb * 1024 + int(sys.argv[1]) * 1_000_000
resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
try:
    kind, chunks = readers.read(Path(sys.argv[2]))
    rows = sum(len(c.rows) for c in chunks if isinstance(c, readers.Chunk))
    print(f"read {rows} rows")
except FileProblem as e:
    print(e)
"""


def read_capped(path: Path, headroom_mb: int, **env: str) -> subprocess.CompletedProcess:
    """Read `path` through the readers in a child process that may take only `headroom_mb` of data
    memory beyond what it holds once its modules are imported; its output is the FileProblem's
    message or 'read N rows'."""
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-c", _READ_CAPPED, str(headroom_mb), str(path)], capture_output=True,
                          text=True, env=environment, cwd=ROOT, timeout=120)
