"""The whole command, `python -m dashboard.clean`, on hostile and awkward raw files.

Each run is a child process held to a cap on its data memory (`hostile_raw.MEMORY_CAP_MB`, the 2.5 GB
under which the issue saw a MemoryError), with its peak resident memory measured. A hostile file must
stop the run with exit code 1 and a message that names the file and the limit or problem, never a
traceback, and must leave the previous cleaned folder byte for byte as it was, with no scratch folder
behind; an awkward but sound file must be cleaned.
"""

from __future__ import annotations

import codecs
import json
import shutil
from pathlib import Path

import duckdb

import pandas as pd
import pytest
from hostile_raw import (
    HUB_ROWS, HUBS_HEADER, PEAK_RSS_MB, ROOT, SALT, SAMPLES, MiB, assert_refused, clean_command, csv_text, default_limits,
    grouped_merges, grouped_participants, hand_workbook, hubs_sample_rows, office_workbook, raw_folder, row_bomb,
    shared_string_bomb, tree_digest,
)

from dashboard.clean.pipeline import run


@pytest.fixture(autouse=True)
def limits_from_defaults(monkeypatch):
    yield from default_limits(monkeypatch)


@pytest.fixture(scope="module")
def previous_clean(tmp_path_factory) -> Path:
    """A cleaned folder from the samples: the output a failed run must leave as it was."""
    out = tmp_path_factory.mktemp("previous") / "clean"
    run(SAMPLES, out, SALT, progress=False)
    return out


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
        ["error: hubs_long_line.csv: line 3 is longer than 1,000,000 characters, the most DASHBOARD_MAX_LINE_LENGTH "
         "allows; not read"]),
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
    "header below the rows looked at": (
        lambda tmp: {"hubs_deep.csv": ("Реєстр хабів\n" * 12 + csv_text([HUBS_HEADER] + HUB_ROWS)).encode()}, {},
        ["error: hubs_deep.csv: missing required column(s): hub_id ('код хабу'), name ('назва закладу'), region "
         "('область'); header not found: none of lines 1–10 names a known column (a header below row 10 is not "
         "looked for: delete the title rows above it)"]),
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
    ratings = pd.read_parquet(out / "assessments.parquet")
    ratings = ratings[ratings.instrument == "self_rating"].sort_values(["stage", "score"])
    assert ratings[["stage", "score"]].values.tolist() == [["post", 8.0], ["pre", 2.0], ["pre", 3.0]]


# ---- the sizes the issue measured -----------------------------------------------------------------

def write_long_line(path: Path) -> Path:
    """A hub registry whose third line is 200 MiB of one letter, with no delimiter and no line break."""
    with path.open("wb") as f:
        f.write(csv_text([HUBS_HEADER, HUB_ROWS[0]]).encode())
        for _ in range(200):
            f.write(b"x" * MiB)
        f.write(b"\n")
    return path


def write_long_header(path: Path) -> Path:
    """A hub registry whose header line is 200 MiB of 'Код хабу;'."""
    block = ("Код хабу;" * 65_536).encode()
    with path.open("wb") as f:
        for _ in range(200 * MiB // len(block) + 1):
            f.write(block)
        f.write(b"\n" + csv_text(HUB_ROWS).encode())
    return path


# case → (the raw file made in a folder, the error line)
ISSUE_CASES = {
    "200 MB line without a delimiter": (
        lambda tmp: write_long_line(tmp / "hubs_long_line.csv"),
        "error: hubs_long_line.csv: line 3 is longer than 1,000,000 characters, the most DASHBOARD_MAX_LINE_LENGTH "
        "allows; not read"),
    "200 MB header line": (
        lambda tmp: write_long_header(tmp / "hubs_long_header.csv"),
        "error: hubs_long_header.csv: line 1 is longer than 1,000,000 characters, the most DASHBOARD_MAX_LINE_LENGTH "
        "allows; not read"),
    "shared strings bomb of 2 GB": (
        lambda tmp: hand_workbook(tmp / "hubs_bomb.xlsx", {"S": [HUBS_HEADER, [("s", 0)] + HUB_ROWS[0][1:]]},
                                  strings=shared_string_bomb(2000), level=1),
        "error: hubs_bomb.xlsx: the workbook expands to 2,097.2 MB, more than the 1,000 MB DASHBOARD_MAX_XLSX_MB "
        "allows; it was not opened"),
    "row bomb of 3 M rows": (
        lambda tmp: hand_workbook(tmp / "hubs_rows.xlsx", {"S": row_bomb(3_000_000)}, level=1),
        "error: hubs_rows.xlsx: sheet xl/worksheets/sheet1.xml holds more than the 1,048,576 rows an Excel sheet "
        "can hold; it was not opened"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(ISSUE_CASES))
def test_the_issues_files_are_refused_within_the_memory_cap(previous_clean, tmp_path, case):
    """Each file at the size the issue measured it (a 200 MB line was an UnboundLocalError, a 200 MB
    header 2 GB of memory and a MemoryError under a 2.5 GB cap): refused with one line of error, within
    the cap and the resident bound of a run on small files."""
    make, line = ISSUE_CASES[case]
    made = tmp_path / "made"
    made.mkdir()
    path = make(made)
    try:
        raw = raw_folder(tmp_path, {path.name: path})
        message = assert_refused(raw, previous_clean, tmp_path, [line])
        assert message.strip() == line
    finally:
        for big in (path, tmp_path / "raw" / path.name):
            big.unlink(missing_ok=True)  # hundreds of MB: not left for pytest's kept temporary folders


@pytest.mark.slow
def test_a_line_the_raised_limit_lets_through_ends_in_a_message_within_the_cap(previous_clean, tmp_path):
    """With DASHBOARD_MAX_LINE_LENGTH raised above a 40 MB header line and 600 MB of data memory, the
    reader runs out of memory: the run says so and what to lower, and keeps the previous output."""
    raw = raw_folder(tmp_path, {"hubs_long_header.csv": long_header_file()})
    assert_refused(raw, previous_clean, tmp_path, [
        "error: hubs_long_header.csv: ran out of memory near line 1, as DASHBOARD_MAX_LINE_LENGTH lets a line hold "
        "100,000,000 characters; not read (lower the setting, or give the cleaning more memory)"],
        memory_cap_mb=600, peak_mb=600, DASHBOARD_MAX_LINE_LENGTH="100000000")



@pytest.mark.parametrize("fault, words", [
    (lambda: duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB"),
     ["ran out of memory", "DASHBOARD_CLEAN_MEMORY_MB", "512 MB", "is as it was"]),
    (lambda: duckdb.IOException("IO Error: No space left on device"),
     ["the database engine failed", "No space left on device", "is as it was"]),
])
def test_a_database_engine_fault_ends_in_a_message_and_keeps_the_previous_output(
        previous_clean, tmp_path, monkeypatch, capsys, fault, words):
    from dashboard.clean import __main__ as command
    from dashboard.clean import pipeline

    def failing(*_args, **_kwargs):
        raise fault()

    out = tmp_path / "work" / "clean"
    shutil.copytree(previous_clean, out)
    before = tree_digest(out)
    monkeypatch.setenv("DASHBOARD_SALT", "s3cret")
    monkeypatch.setattr(pipeline, "_write_table", failing)  # the step that assembles the cleaned tables
    assert command.main([str(SAMPLES), str(out), "--quiet", "--no-warm"]) == 1
    message = capsys.readouterr().err
    for w in words:
        assert w in message, (w, message)
    assert "Traceback" not in message and str(ROOT) not in message.replace(str(out), "")
    assert tree_digest(out) == before
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".clean-")] == []


@pytest.mark.parametrize("value", ["0", "lots", "63"])
def test_a_bad_memory_setting_is_refused_before_anything_is_read(tmp_path, monkeypatch, capsys, value):
    from dashboard.clean import __main__ as command

    monkeypatch.setenv("DASHBOARD_SALT", "s3cret")
    monkeypatch.setenv("DASHBOARD_CLEAN_MEMORY_MB", value)
    assert command.main([str(SAMPLES), str(tmp_path / "clean"), "--quiet", "--no-warm"]) == 2
    assert "DASHBOARD_CLEAN_MEMORY_MB must be" in capsys.readouterr().err
    assert not (tmp_path / "clean").exists()
