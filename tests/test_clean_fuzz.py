"""Fuzzing the readers and the pipeline: any input ends in clean rows, quarantined rows or a clear error."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.clean.pipeline import run
from dashboard.clean.readers import FileProblem

SAMPLES = Path(__file__).parent / "fixtures" / "raw_samples"
HEADER = ("Позначка часу,Код хабу,ПІБ учасника,Телефон,Рік народження,Стать,Статус зайнятості,Інвалідність,"
          "ВПО,Тип населеного пункту,Курс або тема,Формат,Дата заняття,Самооцінка до (1-10),Самооцінка після (1-10)")
CELLS = st.one_of(
    st.sampled_from(["", "ХЦО-00001", "ХЦО-00099", "1951", "70+", "2030", "Жінка", "M", "так", "село", "онлайн",
                     "17.11.2023", "45247", "2023-13-01", "11", "7,5", "3", "\"", "'", ";", "=cmd()", "\x00"]),
    st.text(max_size=30),
    st.integers(5_000, 2_000_000).map(lambda k: "ab\"\n,;"[k % 6] * k),  # huge fields
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def clean_folder(files: dict[str, bytes]) -> tuple[dict | None, str | None]:
    """Run the pipeline on the hub sample plus `files`; (report, None) or (None, error message)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        shutil.copy(SAMPLES / "hubs_sample.csv", raw)
        for name, data in files.items():
            (raw / name).write_bytes(data)
        try:
            return run(raw, Path(tmp) / "clean", b"fuzz", progress=False), None
        except FileProblem as e:
            return None, str(e)


def assert_accounted(report: dict | None, error: str | None, name: str) -> None:
    if report is None:
        assert error and error.startswith(name), error
        return
    entry = report["files"][name]
    assert entry["rows_in"] == entry["cleaned"] + entry["quarantined"] + entry["duplicates"]


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(data):
    report, error = clean_folder({"participants_fuzz.csv": data})
    assert_accounted(report, error, "participants_fuzz.csv")


@SETTINGS
@given(st.lists(st.lists(CELLS, min_size=13, max_size=17), max_size=8),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]), st.sampled_from([",", ";"]))
def test_random_rows_in_random_encodings(rows, encoding, sep):
    lines = [HEADER.replace(",", sep)]
    for row in rows:
        lines.append(sep.join('"' + c.replace('"', '""') + '"' if (sep in c or '"' in c or "\n" in c) else c
                              for c in row))
    data = "\n".join(lines).encode(encoding, errors="replace")
    report, error = clean_folder({"participants_fuzz.csv": data})
    assert_accounted(report, error, "participants_fuzz.csv")


@SETTINGS
@given(st.sampled_from(["hubs_f.csv", "trainings_f.csv", "digigram_f.csv", "waitlist_f.csv", "partners_f.csv",
                        "kemerovo_centres_f.csv", "hubs_f.xlsx"]),
       st.binary(max_size=600))
def test_random_bytes_for_every_kind(name, data):
    report, error = clean_folder({name: data})
    assert_accounted(report, error, name)
