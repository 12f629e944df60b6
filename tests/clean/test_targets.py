"""The targets kind (dashboard.clean.targets): file names, periods, regions and values as the field
writes them, bad rows quarantined with their reason, and a run of the pipeline with and without one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.clean import normalise as n
from dashboard.clean import readers
from dashboard.clean import targets as t
from dashboard.clean.pipeline import run
from dashboard.clean.transforms import Context

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "raw_samples"
SALT = b"test-salt"


@pytest.mark.parametrize("raw, code", [
    ("2024", "year:2024"), ("2024 рік", "year:2024"), ("2024 р.", "year:2024"),
    ("I квартал 2024", "quarter:2024-Q1"), ("IV квартал 2024 р.", "quarter:2024-Q4"), ("2024-Q3", "quarter:2024-Q3"),
    ("Q2 2024", "quarter:2024-Q2"), ("2024-05", "month:2024-05"),
    ("Етап 2024", "year:2024"), ("Етап 2022–2023", "phase:2022–2023"), ("2022-2023", "phase:2022–2023"),
    ("весь період", "all"), ("All time", "all"),
    ("01.01.2024–31.03.2024", "quarter:2024-Q1"), ("01.07.2024 - 30.09.2024", "quarter:2024-Q3"),
    ("01.01.2024–31.12.2024", "year:2024"), ("2024-05-01–2024-05-31", "month:2024-05"),
    ("01.01.2022–31.12.2023", "phase:2022–2023"), ("", None),
])
def test_periods(raw, code):
    assert t.period(raw) == code


@pytest.mark.parametrize("raw", ["01.01.2024–30.06.2024", "наступного року", "2024-13", "Етап 2025–2024"])
def test_periods_the_app_has_no_view_of(raw):
    with pytest.raises(n.Invalid) as e:
        t.period(raw)
    assert e.value.reason == "unknown_period"


@pytest.mark.parametrize("raw, code", [
    ("Україна", None), ("", None), ("Ukraine", None), ("Сумська обл.", "UA-59"), ("ВІННИЦЬКА", "UA-05"),
    ("Vinnytsia Oblast", "UA-05"),
])
def test_areas(raw, code):
    assert t.area(raw) == code


@pytest.mark.parametrize("raw, indicator, value", [
    ("1013", "people", 1013.0), ("1 200", "activities", 1200.0), ("0", "hubs", 0.0),
    ("80%", "share_after", 0.8), ("80 %", "share_after", 0.8), ("0,8", "share_after", 0.8), ("1", "share_after", 1.0),
])
def test_target_values(raw, indicator, value):
    assert t.target_value(raw, indicator) == pytest.approx(value)


@pytest.mark.parametrize("raw, indicator", [
    ("0,8", "hubs"), ("-50", "people"), ("12,5", "people"), ("80%", "people"), ("80", "share_after"),
    ("120%", "share_after"),
])
def test_bad_target_values(raw, indicator):
    with pytest.raises(n.Invalid) as e:
        t.target_value(raw, indicator)
    assert e.value.reason == "bad_target"


def test_a_target_that_is_no_number():
    with pytest.raises(n.Invalid) as e:
        t.target_value("багато", "people")
    assert e.value.reason == "bad_number"


def test_rows_are_normalised_or_given_a_reason():
    raw = pd.DataFrame({
        "programme": ["Хаби цифрової освіти", "", "", "", "", ""],
        "region": ["Сумська обл.", "Україна", "Неіснуюча область", "Львівська область", "", "Київська область"],
        "period": ["2024", "Етап 2024", "2024", "2024", "", "2024"],
        "indicator": ["Навчено людей", "Частка з самооцінкою 7–10 після навчання", "Навчено людей",
                      "Щось інше", "Навчено людей", "Навчено координаторів"],
        "target": ["1013", "80%", "100", "5", "5", ""],
        "source": ["Обласна програма", "Грантова угода", "", "", "", ""],
    }, dtype=object)
    got = t.targets(raw, Context(SALT, "ua_hubs"))
    assert [r if isinstance(r, str) else None for r in got["reason"]] == [None, None, "unknown_region", "unknown_indicator", "missing_period",
                                      "missing_target"]
    good = got[got["reason"].isna()]
    columns = ["programme", "region_code", "period", "indicator", "target", "source"]
    assert [[v if isinstance(v, (str, float)) and v == v else None for v in row]
            for row in good[columns].values.tolist()] == [
        ["ua_hubs", "UA-59", "year:2024", "people", 1013.0, "Обласна програма"],
        ["ua_hubs", None, "year:2024", "share_after", 0.8, "Грантова угода"]]


def test_file_kinds():
    assert readers.file_kind(Path("targets_2024.csv")) == "targets"
    assert readers.file_kind(Path("Targets.XLSX")) == "targets"
    assert readers.file_kind(Path("hubs_2025.csv")) == "hubs"


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "clean"
    run(SAMPLES, out, SALT, progress=False)
    return out


def test_the_sample_file_is_cleaned_and_reconciled(cleaned):
    report = json.loads((cleaned / "report.json").read_text(encoding="utf-8"))
    entry = report["files"]["targets_sample.csv"]
    # 10 rows: 6 cleaned; a half-year, a share given for a count of hubs, an unknown oblast and a
    # negative target quarantined.
    assert (entry["kind"], entry["rows_in"], entry["cleaned"], entry["quarantined"], entry["duplicates"]) == \
        ("targets", 10, 6, 4, 0)
    assert entry["by_reason"] == {"unknown_period": 1, "bad_target": 2, "unknown_region": 1}
    assert report["tables"]["targets"] == 6
    q = pd.read_parquet(cleaned / "quarantine.parquet")
    mine = q[q["source_file"] == "targets_sample.csv"]
    assert mine[["line", "table", "reason"]].values.tolist() == [
        [8, "targets", "unknown_period"], [9, "targets", "bad_target"], [10, "targets", "unknown_region"],
        [11, "targets", "bad_target"]]
    got = pd.read_parquet(cleaned / "targets.parquet").drop(columns="source")
    assert got.astype(object).where(got.notna(), None).values.tolist() == [
        ["ua_hubs", None, "year:2024", "people", 25000.0],
        ["ua_hubs", None, "year:2024", "share_after", 0.8],
        ["ua_hubs", "UA-05", "quarter:2024-Q1", "people", 250.0],
        ["ua_hubs", "UA-05", "quarter:2024-Q2", "people", 300.0],
        ["ua_hubs", "UA-59", "year:2024", "coordinators", 30.0],
        ["ua_hubs", "UA-59", "year:2024", "people", 1013.0]]


def test_a_target_set_twice_keeps_the_first_and_an_extract_without_targets_cleans(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLES / "hubs_sample.csv", raw)
    run(raw, tmp_path / "without", SALT, progress=False)
    assert pd.read_parquet(tmp_path / "without" / "targets.parquet").empty
    (raw / "targets_plan.csv").write_text(
        "Область;Період;Показник;Ціль\nВінницька обл.;2024;Навчено людей;100\n"
        "Вінницька область;2024 рік;Навчено людей;120\n", encoding="utf-8")
    report = run(raw, tmp_path / "with", SALT, progress=False)
    assert report["files"]["targets_plan.csv"]["by_reason"] == {"duplicate_target": 1}
    assert pd.read_parquet(tmp_path / "with" / "targets.parquet")["target"].tolist() == [100.0]
