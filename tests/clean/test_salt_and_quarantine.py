"""The demo salt pseudonymises only the generated demo, and the quarantine keeps age bands and dates.

Item 5 of "Public figures from a protected release": the public demo salt must never key real
people (`python -m dashboard.clean` refuses it, exit code 2, for any folder that
`python -m dashboard.demo` did not write, leaving the previous output byte for byte; scripts/start.sh
no longer falls back to it), and `quarantine.parquet` must hold no exact age and no time of day
(`transforms.raw_json` and the `detail` messages). Every expected value is written out by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.clean import __main__ as clean_command
from dashboard.clean import transforms
from dashboard.clean.pipeline import run

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "tests" / "fixtures" / "raw_samples"
START = ROOT / "scripts" / "start.sh"
REAL_SALT = b"a-secret-salt-of-the-ministry-Zq81vLx0Pw3kTn6R"
DEMO_SALT = "demo-only-salt"
DEMO_PEOPLE = 3000  # the generator's smallest comfortable size; about 4 s


# --- the quarantine: bands and dates only --------------------------------------------------------

@pytest.mark.parametrize(("column", "raw", "kept"), [
    # ages: the pipeline's bands (contract AGE_BANDS), else removed
    ("age", "34", "25_44"), ("age", " 24 ", "under_25"), ("age", "45", "45_59"), ("age", "60", "60_69"),
    ("age", "70+", "70_plus"), ("age", "105", "70_plus"), ("age", "-", "unknown"), ("age", "", ""),
    ("age", "7", "(removed)"), ("age", "106", "(removed)"), ("age", "34 роки", "(removed)"),
    ("age", "1951", "(removed)"), ("age", "34.5", "(removed)"),
    # a birth year is personal: never kept, whatever the layout says
    ("birth_year", "1951", "(removed)"), ("birth_year", "", ""),
    # date-times: the date as written, the time of day left out
    ("submitted_at", "17.11.2023 14:03:11", "17.11.2023"), ("submitted_at", "2023-11-17T14:03:22Z", "2023-11-17"),
    ("submitted_at", "2023-11-17 14:03:22.123+02:00", "2023-11-17"), ("submitted_at", "17/11/2023 2:03", "17/11/2023"),
    ("submitted_at", "45247.5868", "45247"), ("submitted_at", "17.11.2023", "17.11.2023"), ("submitted_at", "", ""),
    ("submitted_at", "о 14:03", "(removed)"), ("submitted_at", "14:03:11", "(removed)"),
    ("activity_date", "31.02.2023", "31.02.2023"), ("activity_date", "17 листопада 2023", "(removed)"),
    ("joined_on", "2022-10-03 00:00:00", "2022-10-03"), ("date", "12.05.2024 09:30", "12.05.2024"),
    ("start_date", "01.09.2023", "01.09.2023"), ("end_date", "2023-12-20T18:00", "2023-12-20"),
    ("agreement_date", "15.03.2021 10:00", "15.03.2021"),
    ("month", "2012-05", "2012-05"), ("month", "05.2012", "05.2012"), ("month", "2012-05-03 10:00", "2012-05-03"),
    ("month", "травень 10:00", "(removed)"),
    # everything else as it came
    ("course", "Кібербезпека 14:00", "Кібербезпека 14:00"), ("hub_id", "ХЦО-00099", "ХЦО-00099"),
    ("rating_pre", "34", "34"),
])
def test_quarantine_value(column, raw, kept):
    assert transforms.quarantine_value(column, raw) == kept


def test_raw_json_removes_personal_fields_and_keeps_bands_and_dates():
    raw = pd.DataFrame({"submitted_at": ["17.11.2023 14:03:11", "x"], "full_name": ["Бондар Ірина", "y"],
                        "age": ["34", "z"], "activity_date": ["15.11.2023", "w"], "course": ["Дія", "v"]},
                       dtype=object)
    assert transforms.raw_json(raw, frozenset({"full_name"}), [True, False]) == [
        '{"submitted_at": "17.11.2023", "age": "25_44", "activity_date": "15.11.2023", "course": "Дія"}', None]


PARTICIPANT_HEADER = ("Позначка часу,Код хабу,ПІБ учасника,Телефон,Рік народження,Вік,Стать,Статус зайнятості,"
                      "Інвалідність,ВПО,Тип населеного пункту,Курс або тема,Формат,Дата заняття,"
                      "Самооцінка до (1-10),Самооцінка після (1-10)")
PARTICIPANT_ROWS = [
    # line 2: clean
    "17.11.2023 14:03:11,ХЦО-00001,Петренко Ганна,+380671234500,1951,,Жінка,пенсіонер,ні,ні,селище,"
    "Кібербезпека,групове заняття,15.11.2023,3,8",
    # line 3: unknown hub; an exact age and a submission time to the second
    "18.11.2023 09:20:10,ХЦО-00099,Бондар Ірина,0991234567,,34,Жінка,працює,ні,так,місто,"
    "Електронні послуги Дія,онлайн,18.11.2023,6,7",
    # line 4: an impossible age
    "19.11.2023 10:01:55,ХЦО-00001,Ткаченко Василь,,,7,Чоловік,інше,ні,ні,село,Кібербезпека,онлайн,19.11.2023,5,7",
    # line 5: a birth year that gives age 7
    "20.11.2023 11:00:00,ХЦО-00001,Мельник Олег,,2016,,Чоловік,інше,ні,ні,село,Кібербезпека,онлайн,20.11.2023,5,6",
    # line 6: a submission time the reader does not take (time zone), an exact age
    "2023-11-21T12:34:56Z,ХЦО-00001,Іванчук Марія,,,68,Жінка,пенсіонер,ні,ні,місто,Кібербезпека,"
    "групове заняття,21.11.2023,4,8",
    # line 7: unknown hub, age 70+
    "22.11.2023 08:00:00,ХЦО-00098,Шевчук Андрій,,,70+,Чоловік,пенсіонер,ні,ні,село,Кібербезпека,"
    "групове заняття,22.11.2023,2,5",
    # line 8: an Excel serial with its time of day (the fraction), an exact age
    "45252.5868,ХЦО-00001,Коваль Петро,,,45,Чоловік,працює,ні,ні,місто,Кібербезпека,онлайн,23.11.2023,3,6",
]


def _raw(submitted, hub, age, gender, employment, displaced, place, course, fmt, day, pre, post):
    return {"submitted_at": submitted, "hub_id": hub, "age": age, "gender": gender, "employment": employment,
            "disability": "ні", "displaced": displaced, "settlement_type": place, "course": course,
            "format": fmt, "activity_date": day, "rating_pre": pre, "rating_post": post}


EXPECTED_QUARANTINE = [
    (3, "unknown_hub", "hub_id: 'ХЦО-00099' is not in the hub registry",
     _raw("18.11.2023", "ХЦО-00099", "25_44", "Жінка", "працює", "так", "місто", "Електронні послуги Дія",
          "онлайн", "18.11.2023", "6", "7")),
    (4, "impossible_age", "age: not an age 10–105",
     _raw("19.11.2023", "ХЦО-00001", "(removed)", "Чоловік", "інше", "ні", "село", "Кібербезпека", "онлайн",
          "19.11.2023", "5", "7")),
    (5, "impossible_birth_year", "birth year: not a year, or one that gives an age outside 10–105",
     _raw("20.11.2023", "ХЦО-00001", "", "Чоловік", "інше", "ні", "село", "Кібербезпека", "онлайн",
          "20.11.2023", "5", "6")),
    (6, "bad_date", "date: '2023-11-21…' is not a date",
     _raw("2023-11-21", "ХЦО-00001", "60_69", "Жінка", "пенсіонер", "ні", "місто", "Кібербезпека",
          "групове заняття", "21.11.2023", "4", "8")),
    (7, "unknown_hub", "hub_id: 'ХЦО-00098' is not in the hub registry",
     _raw("22.11.2023", "ХЦО-00098", "70_plus", "Чоловік", "пенсіонер", "ні", "село", "Кібербезпека",
          "групове заняття", "22.11.2023", "2", "5")),
    (8, "bad_date", "date: '45252…' is not a date",
     _raw("45252", "ХЦО-00001", "45_59", "Чоловік", "працює", "ні", "місто", "Кібербезпека", "онлайн",
          "23.11.2023", "3", "6")),
]


@pytest.fixture(scope="module")
def quarantined(tmp_path_factory) -> pd.DataFrame:
    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(SAMPLES / "hubs_sample.csv", raw / "hubs_sample.csv")
    (raw / "participants_ages.csv").write_text("\n".join([PARTICIPANT_HEADER, *PARTICIPANT_ROWS]) + "\n",
                                               encoding="utf-8")
    out = tmp_path_factory.mktemp("clean") / "clean"
    run(raw, out, REAL_SALT, progress=False)
    q = pd.read_parquet(out / "quarantine.parquet")
    return q[q.source_file == "participants_ages.csv"].sort_values("line").reset_index(drop=True)


def test_the_quarantine_shows_the_band_and_the_date_only(quarantined):
    found = [(int(r.line), r.reason, r.detail, json.loads(r.raw)) for r in quarantined.itertuples()]
    assert found == EXPECTED_QUARANTINE


def test_no_exact_age_birth_year_or_time_of_day_reaches_the_quarantine(quarantined):
    text = "\n".join(quarantined["raw"]) + "\n" + "\n".join(quarantined["detail"])
    assert not re.search(r"\d:\d\d", text)  # no time of day at all
    for value in ("09:20:10", "10:01:55", "11:00:00", "12:34:56", "08:00:00", "5868",
                  "2016", "1951", "Бондар", "0991234567"):
        assert value not in text, value
    ages = {json.loads(r)["age"] for r in quarantined["raw"]}
    assert ages == {"25_44", "(removed)", "", "60_69", "70_plus", "45_59"}


# --- the demo salt ---------------------------------------------------------------------------------

def tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder` without following links: files by their bytes' hash, links by target."""
    out = {}
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            p = Path(top) / name
            key = p.relative_to(folder).as_posix()
            if p.is_symlink():
                out[key] = "-> " + os.readlink(p)
            elif p.is_file():
                out[key] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[key] = "dir"
    return out


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_SALT"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def clean(raw: Path, out: Path, *flags: str, salt: str | None = None) -> subprocess.CompletedProcess:
    extra = {} if salt is None else {"DASHBOARD_SALT": salt}
    return subprocess.run([sys.executable, "-m", "dashboard.clean", str(raw), str(out), "--quiet", "--no-warm",
                           *flags], cwd=ROOT, env=environment(**extra), capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A cleaned extract of the raw samples, made with a real secret salt: the output to protect."""
    work = tmp_path_factory.mktemp("previous")
    run(SAMPLES, work / "clean", REAL_SALT, progress=False)
    return work


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A demo written by `python -m dashboard.demo` (raw files and marker)."""
    raw = tmp_path_factory.mktemp("demo") / "raw"
    subprocess.run([sys.executable, "-m", "dashboard.demo", str(raw), "--people", str(DEMO_PEOPLE), "--quiet"],
                   cwd=ROOT, env=environment(), check=True, capture_output=True, timeout=300)
    return raw


def copy_of(folder: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target, symlinks=True)
    return target


def assert_refused(raw: Path, previous: Path, tmp_path: Path, *flags: str, salt: str | None = None,
                   words: tuple[str, ...] = ()) -> None:
    work = copy_of(previous, tmp_path, "work")
    before = tree(work)
    result = clean(raw, work / "clean", *flags, salt=salt)
    assert result.returncode == 2, result.stderr
    assert "the demo salt is public and pseudonymises only the generated demo" in result.stderr
    assert "Set DASHBOARD_SALT" in result.stderr and 'secrets.token_urlsafe(32)' in result.stderr
    assert f"Nothing was written; {work / 'clean'} is as it was." in result.stderr
    for word in words:
        assert word in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(work) == before  # the previous output byte for byte, no scratch folder, no new version


def test_the_demo_salt_is_refused_for_the_raw_samples(previous, tmp_path):
    assert_refused(SAMPLES, previous, tmp_path, salt=DEMO_SALT,
                   words=(f"{SAMPLES} holds no demo marker (.demo.json): "
                          "it was not written by python -m dashboard.demo",))


@pytest.mark.parametrize("salt", [" demo-only-salt", "demo-only-salt\n"])
def test_the_demo_salt_with_spaces_around_it_is_refused_too(previous, tmp_path, salt):
    assert_refused(SAMPLES, previous, tmp_path, salt=salt)


def test_the_demo_salt_flag_is_refused_for_the_raw_samples(previous, tmp_path):
    assert_refused(SAMPLES, previous, tmp_path, "--demo-salt", salt=REAL_SALT.decode())


def test_the_demo_salt_is_refused_for_a_missing_folder(previous, tmp_path):
    assert_refused(tmp_path / "absent", previous, tmp_path, "--demo-salt",
                   words=(f"{tmp_path / 'absent'}: no such folder of raw files",))


def test_a_copied_marker_does_not_make_real_files_a_demo(demo, previous, tmp_path):
    raw = copy_of(SAMPLES, tmp_path, "raw")
    shutil.copy(demo / ".demo.json", raw / ".demo.json")
    assert_refused(raw, previous, tmp_path, "--demo-salt",
                   words=(f"{raw} holds files the demo did not write: digigram_2024_sample.csv",))


def test_real_files_added_to_a_demo_are_refused(demo, previous, tmp_path):
    raw = copy_of(demo, tmp_path, "raw")
    shutil.copy(SAMPLES / "participants_sample.csv", raw / "participants_sample.csv")
    assert_refused(raw, previous, tmp_path, salt=DEMO_SALT,
                   words=(f"{raw} holds files the demo did not write: participants_sample.csv",))


def test_an_edited_demo_file_is_refused(demo, previous, tmp_path):
    raw = copy_of(demo, tmp_path, "raw")
    with open(raw / "participants_2024.csv", "a", encoding="utf-8") as f:
        f.write("17.11.2024 14:03:11,ХЦО-00001,Петренко Ганна,+380671234500,1951\n")
    assert_refused(raw, previous, tmp_path, "--demo-salt",
                   words=(f"{raw}: files changed since the demo wrote them: participants_2024.csv",))


def test_a_demo_file_removed_is_refused(demo, previous, tmp_path):
    raw = copy_of(demo, tmp_path, "raw")
    (raw / "partners.csv").unlink()
    assert_refused(raw, previous, tmp_path, "--demo-salt", words=(f"{raw} lacks files the demo wrote: partners.csv",))


def test_the_demo_salt_from_secrets_toml_is_refused_too(monkeypatch, previous, tmp_path, capsys):
    secrets_toml = tmp_path / "secrets.toml"
    secrets_toml.write_text(f'DASHBOARD_SALT = "{DEMO_SALT}"\n', encoding="utf-8")
    monkeypatch.setattr(clean_command, "SECRETS", secrets_toml)
    monkeypatch.delenv("DASHBOARD_SALT", raising=False)
    work = copy_of(previous, tmp_path, "work")
    before = tree(work)
    assert clean_command.main([str(SAMPLES), str(work / "clean"), "--quiet", "--no-warm"]) == 2
    assert "the demo salt is public" in capsys.readouterr().err
    assert tree(work) == before


def test_the_marker_lists_every_file_the_demo_wrote(demo):
    marker = json.loads((demo / ".demo.json").read_text(encoding="utf-8"))
    assert (marker["made_by"], marker["people"], marker["seed"], marker["chunk"], marker["geography"]) == (
        "python -m dashboard.demo", 3000, 2024, 50000, "project")
    assert set(marker["files"]) == {p.name for p in demo.iterdir() if not p.name.startswith(".")}
    assert set(marker["files"]) == {
        "digigram_2022_2023.csv", "digigram_2024.csv", "digigram_2025.csv", "hubs_registry.csv",
        "hubs_update_2024_cp1251.csv", "hubs_update_2025.xlsx", "kemerovo_centres.csv", "participants_2022.csv",
        "participants_2023.csv", "participants_2024.csv", "participants_2025.csv", "partners.csv",
        "targets_2024_2025.csv", "trainings.csv", "waitlist.csv"}
    trainings = marker["files"]["trainings.csv"]
    data = (demo / "trainings.csv").read_bytes()
    assert trainings == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_the_generated_demo_is_cleaned_with_the_demo_salt(demo, tmp_path):
    result = clean(demo, tmp_path / "clean", "--demo-salt")
    assert result.returncode == 0, result.stderr
    assert "note: cleaning the generated demo (seed 2024, 3000 people) with the demo's public salt" in result.stderr
    assert json.loads((tmp_path / "clean" / "report.json").read_text(encoding="utf-8"))["salt"] == "demo"
    again = clean(demo, tmp_path / "again", salt=DEMO_SALT)  # the same salt given by its value
    assert again.returncode == 0, again.stderr


def test_the_report_says_a_secret_salt_was_used_without_naming_it(previous):
    text = (previous / "clean" / "report.json").read_text(encoding="utf-8")
    assert json.loads(text)["salt"] == "secret"
    assert REAL_SALT.decode() not in text


# --- scripts/start.sh ------------------------------------------------------------------------------

@pytest.fixture
def venv(tmp_path) -> Path:
    """A stand-in virtualenv: pip does nothing, python is this one, streamlit reports its salt."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(
        '#!/bin/sh\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n', encoding="utf-8")
    (bin_dir / "streamlit").write_text('#!/bin/sh\necho "streamlit sees DASHBOARD_SALT=${DASHBOARD_SALT-unset}"\n',
                                       encoding="utf-8")
    for p in bin_dir.iterdir():
        p.chmod(0o755)
    return tmp_path / "venv"


def start(venv: Path, raw: Path, data: Path, **extra: str) -> subprocess.CompletedProcess:
    env = environment(VENV=str(venv), DEMO_RAW=str(raw), DASHBOARD_DATA_DIR=str(data),
                      DASHBOARD_RELEASES_DIR=str(data.parent / "releases"), **extra)
    return subprocess.run(["bash", str(START)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_start_never_puts_the_demo_among_other_files(venv, tmp_path):
    raw = copy_of(SAMPLES, tmp_path, "raw")
    before = tree(raw)
    result = start(venv, raw, tmp_path / "clean")
    assert result.returncode == 2, result.stderr
    assert f"error: {raw} holds files that are not a demo this script generated" in result.stderr
    assert tree(raw) == before and not (tmp_path / "clean").exists()
    assert "streamlit sees" not in result.stdout


def test_start_with_an_extract_in_place_passes_no_salt_to_the_app(venv, tmp_path):
    data = tmp_path / "clean"
    data.mkdir()
    (data / "report.json").write_text("{}\n", encoding="utf-8")
    result = start(venv, tmp_path / "raw", data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "streamlit sees DASHBOARD_SALT=unset"
    assert not (tmp_path / "raw").exists()


def test_start_cleans_its_demo_with_the_demo_salt_and_nothing_else(venv, demo, tmp_path):
    raw = copy_of(demo, tmp_path, "raw")
    result = start(venv, raw, tmp_path / "clean")
    assert result.returncode == 0, result.stderr
    assert "with the demo's public salt" in result.stderr
    assert (tmp_path / "clean" / "report.json").is_file()
    assert result.stdout.strip().endswith("streamlit sees DASHBOARD_SALT=unset")
    # The public pages read a release: the demo's is computed and approved before the app starts.
    from dashboard.release import catalogue

    current = catalogue.current(tmp_path / "releases")
    assert current is not None and current.name.startswith("demo-")


def test_start_refuses_the_demo_salt_once_real_files_join_the_demo(venv, demo, tmp_path):
    raw = copy_of(demo, tmp_path, "raw")
    shutil.copy(SAMPLES / "participants_sample.csv", raw / "participants_sample.csv")
    result = start(venv, raw, tmp_path / "clean")
    assert result.returncode == 2, result.stderr
    assert f"{raw} holds files the demo did not write: participants_sample.csv" in result.stderr
    assert not (tmp_path / "clean").exists()
    assert "streamlit sees" not in result.stdout
