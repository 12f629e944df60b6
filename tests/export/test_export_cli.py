"""Command-line tests: `python -m dashboard.export` lists its options, answers bad input with one
clear line and an exit code (never a traceback), and writes the press kit and the fact sheets."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT
from pypdf import PdfReader

from dashboard.export import cli

VINNYTSIA = ["--region", "UA-05", "--from", "2024-01-01", "--to", "2024-12-31",
             "--age", "60_69", "--age", "70_plus", "--gender", "female"]


@pytest.fixture(autouse=True)
def _exact(monkeypatch):
    monkeypatch.setenv("DASHBOARD_NOISE", "0")


def run_module(*args: str, data_dir=None) -> subprocess.CompletedProcess:
    """The real command, as staff run it from the project folder."""
    env = {**os.environ, "DASHBOARD_NOISE": "0"}
    if data_dir:
        env["DASHBOARD_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "dashboard.export", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def main(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse exits on --help and on bad options
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_lists_commands_and_filters():
    top = run_module("--help")
    assert top.returncode == 0 and "presskit" in top.stdout and "factsheet" in top.stdout
    kit = run_module("presskit", "--help")
    assert kit.returncode == 0
    for option in ("--region", "--from", "--to", "--age", "--gender", "--settlement", "--employment",
                   "--disability", "--displaced", "--programme", "--lang", "--data-dir", "--figure", "60_69"):
        assert option in kit.stdout
    assert "--all-regions" in run_module("factsheet", "--help").stdout


@pytest.mark.parametrize("argv, message", [
    (["presskit", "x.zip", "--bogus"], "unrecognized arguments: --bogus"),
    (["presskit", "x.zip", "--age", "sixty"], "invalid choice: 'sixty'"),
    (["presskit", "x.zip", "--from", "2024-13-01"], "not a date of the form YYYY-MM-DD"),
    (["presskit", "x.zip", "--lang", "de"], "invalid choice: 'de'"),
    (["presskit"], "the following arguments are required: OUT.zip"),
    (["unknown"], "invalid choice: 'unknown'"),
    ([], "the following arguments are required"),
])
def test_bad_options_get_a_clear_message(argv, message, capsys):
    code, _out, err = main(argv, capsys)
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize("argv, message", [
    (["presskit", "{out}/k.zip", "--region", "UA-99"], "unknown region code for ua_hubs: UA-99"),
    (["presskit", "{out}/k.zip", "--from", "2024-12-31", "--to", "2024-01-01"], "is after --to"),
    (["presskit", "{out}/missing/k.zip"], "no such folder"),
    (["factsheet", "{out}/f.pdf", "--region", "UA-05", "--region", "UA-32"], "one region"),
    (["factsheet"], "give OUT.pdf, or --all-regions OUTDIR"),
    (["factsheet", "{out}/f.pdf", "--all-regions", "{out}"], "give neither OUT.pdf nor --region"),
])
def test_bad_values_get_a_clear_message(argv, message, clean_dir, tmp_path, capsys):
    argv = [a.format(out=tmp_path) for a in argv] + ["--data-dir", str(clean_dir)]
    code, _out, err = main(argv, capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_data_is_exit_code_1(tmp_path, capsys):
    code, _out, err = main(["presskit", str(tmp_path / "k.zip"), "--data-dir", str(tmp_path / "nowhere")], capsys)
    assert code == 1 and "cannot read the cleaned data" in err and "--data-dir" in err
    assert not (tmp_path / "k.zip").exists()


def test_press_kit_for_vinnytsia_women_60_plus(clean_dir, tmp_path):
    out = tmp_path / "kit.zip"
    done = run_module("presskit", str(out), *VINNYTSIA, "--lang", "uk", data_dir=clean_dir)
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout and "Traceback" not in done.stderr
    kit = zipfile.ZipFile(out)
    assert kit.testzip() is None and "README_uk.txt" in kit.namelist()
    text = kit.read("README_uk.txt").decode()
    assert "Вінницька область" in text and "вік: 60–69, 70+; стать: жінки" in text and "Навчено людей: 12" in text


def test_press_kit_with_chosen_figures_in_english(clean_dir, tmp_path, capsys):
    out = tmp_path / "kit.zip"
    code, stdout, _err = main(["presskit", str(out), "--figure", "skills", "--lang", "en",
                               "--data-dir", str(clean_dir), *VINNYTSIA], capsys)
    assert code == 0 and "wrote" in stdout
    assert zipfile.ZipFile(out).namelist() == ["README_en.txt", "skills_en.png", "skills_en.svg", "skills_en.csv"]


def test_one_fact_sheet(clean_dir, tmp_path, capsys):
    out = tmp_path / "vinnytsia.pdf"
    code, _out, _err = main(["factsheet", str(out), "--region", "UA-05", "--from", "2024-01-01",
                             "--to", "2024-12-31", "--data-dir", str(clean_dir)], capsys)
    assert code == 0
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 2 and "Довідка: Вінницька область" in reader.pages[0].extract_text()


def test_a_fact_sheet_for_every_region_with_one_command(clean_dir, tmp_path):
    done = run_module("factsheet", "--all-regions", str(tmp_path / "sheets"), "--lang", "en",
                      "--from", "2024-01-01", "--to", "2024-12-31", data_dir=clean_dir)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "sheets").iterdir())
    assert names == sorted(f"factsheet_{c}_en.pdf" for c in ("UA", "UA-05", "UA-30", "UA-32", "UA-46"))
    text = PdfReader(tmp_path / "sheets" / "factsheet_UA-46_en.pdf").pages[0].extract_text()
    assert "Fact sheet: Lviv Oblast" in text
