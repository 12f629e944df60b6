"""The cleaning pipeline end to end on the bundled raw samples: accounting, rules, privacy, atomicity."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import REPORT, build_clean
from dashboard.clean import assemble
from dashboard.clean.pipeline import PipelineError, check_outputs, run
from dashboard.contract import TABLES, schema

SAMPLES = Path(__file__).parent / "fixtures" / "raw_samples"
SALT = b"test-salt"
ROOT = Path(__file__).resolve().parent.parent

# Personal values of the raw samples that must never reach a cleaned file or the quarantine.
PERSONAL = [
    "Коваленко Олена Петрівна", "Коваленко", "+380 67 123 45 67", "o.kovalenko@example.org", "Шевчук Андрій",
    "Шевчук", "0501112233", "Іванчук Марія", "Іванчук", "m.ivanchuk@example.org", "Петренко", "петренко",
    "+380671234500", "067 123 45 00", "Мельник Олег", "Бондар Ірина", "0991234567", "Ткаченко Василь",
    "HYPERLINK", "671234500", "501112233", "991234567",
]


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "clean"
    run(SAMPLES, out, SALT, progress=False)
    return out


@pytest.fixture(scope="module")
def report(cleaned) -> dict:
    return json.loads((cleaned / "report.json").read_text(encoding="utf-8"))


def table(cleaned: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(cleaned / f"{name}.parquet")


def quarantine(cleaned: Path) -> pd.DataFrame:
    return pd.read_parquet(cleaned / "quarantine.parquet")


def test_every_row_is_accounted_for_per_file(cleaned, report):
    raw_rows = {}
    for p in SAMPLES.iterdir():
        text = p.read_bytes().decode("utf-8-sig" if "cp1251" not in p.name else "cp1251")
        raw_rows[p.name] = sum(1 for line in text.splitlines()[1:] if line.strip())
    assert set(report["files"]) == set(raw_rows)
    q = quarantine(cleaned).groupby("source_file").size()
    for name, entry in report["files"].items():
        assert entry["rows_in"] == raw_rows[name], name
        assert entry["rows_in"] == entry["cleaned"] + entry["quarantined"] + entry["duplicates"], name
        assert entry["quarantined"] == q.get(name, 0) == sum(entry["by_reason"].values()), name


def test_cleaned_counts_match_the_tables(cleaned, report):
    files = report["files"]
    hubs_clean = sum(f["cleaned"] for f in files.values() if f["kind"] == "hubs")
    assert len(table(cleaned, "hubs")) == hubs_clean == 10
    assert len(table(cleaned, "activities")) == files["participants_sample.csv"]["cleaned"] == 3
    assert len(table(cleaned, "trainings")) == files["trainings_sample.csv"]["cleaned"] == 3
    assert report["tables"]["assessments"] == len(table(cleaned, "assessments"))


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_meets_the_contract(cleaned, name):
    frame = table(cleaned, name)
    nullable = {c.name: ("Int64" if c.dtype == "Int64" else "boolean")
                for c in TABLES[name].columns if c.dtype in ("Int64", "boolean")}
    schema(name).validate(frame.astype(nullable))


@pytest.mark.parametrize("source_file, line, reason, words", [
    ("participants_sample.csv", 5, "unknown_hub", ["ХЦО-00099", "'11'"]),
    ("participants_sample.csv", 6, "self_rating_out_of_range", ["7,5"]),
    ("participants_sample.csv", 8, "wrong_field_count", ["16 fields"]),
    ("hubs_sample.csv", 8, "bad_date", ["2023-13-01"]),
    ("hubs_sample.csv", 10, "unknown_region", ["Галицька земля"]),
    ("trainings_sample.csv", 4, "completed_exceeds_enrolled", []),
    ("trainings_sample.csv", 6, "bad_count", ["-3"]),
    ("digigram_sample.csv", 5, "unfinished_test", []),
    ("digigram_sample.csv", 6, "information_out_of_range", ["140"]),
    ("digigram_2024_sample.csv", 5, "basics_out_of_range", ["120"]),
    ("waitlist_sample.csv", 5, "missing_waiting", []),
])
def test_bad_rows_are_quarantined_with_the_right_reason(cleaned, source_file, line, reason, words):
    q = quarantine(cleaned)
    row = q[(q.source_file == source_file) & (q.line == line)]
    assert len(row) == 1
    assert row.iloc[0]["reason"] == reason
    for w in words:
        assert w in row.iloc[0]["detail"]


def test_exact_duplicates_dropped_across_files_and_encodings(report):
    assert report["files"]["hubs_sample.csv"]["duplicates"] == 1  # ХЦО-00002 twice
    assert report["files"]["hubs_sample_cp1251.csv"]["duplicates"] == 9  # the same rows in Windows-1251
    assert report["files"]["participants_sample.csv"]["duplicates"] == 1  # Ткаченко twice


def test_one_person_recognised_across_rows_with_before_and_after(cleaned):
    people = table(cleaned, "participants")
    two = people[people.activities == 2]
    assert len(people) == 2 and len(two) == 1  # Петренко written two ways; Мельник once
    pid = two.iloc[0]["person_id"]
    assert two.iloc[0]["age_band"] == "70_plus" and two.iloc[0]["gender"] == "female"
    a = table(cleaned, "assessments")
    mine = a[(a.person_id == pid) & (a.instrument == "self_rating")].set_index("stage")
    assert mine.loc["pre", "score"] == 3.0  # given at the first activity (15.11)
    assert mine.loc["post", "score"] == 9.0  # the last one given (16.11)
    melnyk = people[people.activities == 1].iloc[0]
    assert melnyk["age_band"] == "70_plus" and melnyk["displaced"] == "yes"
    stages = set(a[(a.person_id == melnyk.person_id)].stage)
    assert stages == {"pre"}  # no after-rating: did not finish


def test_hub_fields_are_normalised(cleaned):
    hubs = table(cleaned, "hubs").set_index("hub_id")
    assert hubs.loc["ХЦО-00004", ["lat", "lon"]].tolist() == [50.489, 30.861]  # swapped pair put right
    assert hubs.loc["ХЦО-00001", ["lat", "lon"]].tolist() == [48.8203, 28.9386]  # decimal commas
    assert str(hubs.loc["ХЦО-00003", "joined_on"].date()) == "2023-11-17"  # Excel serial 45247
    assert hubs.loc["ХЦО-00003", "region_code"] == "UA-32" and hubs.loc["ХЦО-00002", "region_code"] == "UA-30"
    assert hubs.loc["ХЦО-00005", "status"] == "occupied"
    assert hubs.loc["TK-019", "region_code"] == "RU-KEM" and hubs.loc["TK-019", "programme"] == "kem_centres"
    assert hubs.loc["ХЦО-00003", "programme"] == "ua_hubs"  # missing → the file's programme
    assert hubs.loc["ХЦО-00004", "name"] == "Сільська бібліотека <b>нова</b>"  # kept as text


def test_digigram_older_format_has_no_first_area(cleaned):
    a = table(cleaned, "assessments")
    d = a[a.instrument == "digigram"]
    per_person = d.groupby("person_id")["area"].apply(set)
    assert any("basics" not in areas and "safety" in areas for areas in per_person)
    assert not d.score.isna().any()


def all_text(folder: Path) -> str:
    parts = [(folder / "report.json").read_text(encoding="utf-8")]
    for p in folder.glob("*.parquet"):
        frame = pd.read_parquet(p)
        parts += [" ".join(map(str, frame.columns)), frame.astype(str).to_csv(index=False)]
    return "\n".join(parts)


def test_no_personal_value_reaches_any_output(cleaned):
    text = all_text(cleaned)
    for value in PERSONAL:
        assert value not in text, value
    for name in ("full_name", "phone", "birth_year", "coordinator_name", "coordinator_email"):
        assert name not in text
    raw = [json.loads(r) for r in quarantine(cleaned)["raw"]]
    assert not any({"birth_year", "full_name", "phone"} & set(r) for r in raw)


def tree_digest(folder: Path) -> dict[str, str]:
    """Digest of every file, the query-ready copies included (their folder is named by the source
    files' mtimes, so it stands as `_query/*` here)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            parts = p.relative_to(folder).parts
            name = "/".join(("_query", "*", *parts[2:]) if parts[0] == "_query" else parts)
            out[name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def test_same_input_gives_byte_identical_output(cleaned, tmp_path):
    again = tmp_path / "again"
    run(SAMPLES, again, SALT, progress=False)
    assert tree_digest(again) == tree_digest(cleaned)


def test_a_failed_run_leaves_the_previous_output_untouched(cleaned, tmp_path):
    out = tmp_path / "clean"
    shutil.copytree(cleaned, out)
    before = tree_digest(out)
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    (raw / "trainings_broken.csv").write_text("Код групи;Рівень\nT-1;тренер\n", encoding="utf-8")
    from dashboard.clean.readers import FileProblem

    with pytest.raises(FileProblem, match="trainings_broken.csv"):
        run(raw, out, SALT, progress=False)
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".clean-")] == []


def test_checks_find_nothing_wrong_in_sound_outputs(cleaned, report, tmp_path):
    assert check_outputs(cleaned, report) == []
    assert check_outputs(build_clean(tmp_path / "fixture"), REPORT) == []


def rewrite(folder: Path, table: str, change) -> None:
    """Rewrite one table of the extract in `folder` after `change(frame)` edited it in place."""
    frame = pd.read_parquet(folder / f"{table}.parquet")
    change(frame)
    frame.to_parquet(folder / f"{table}.parquet", index=False)


def test_checks_find_rows_that_do_not_add_up(tmp_path):
    folder = build_clean(tmp_path / "clean")
    report = copy.deepcopy(REPORT)
    report["files"]["participants_2024.csv"]["rows_in"] = 25392  # one more than 25386 + 4 + 1
    assert check_outputs(folder, report) == [
        "participants_2024.csv: 25392 rows read but 25386 cleaned + 4 quarantined + 1 duplicates = 25391"]


def test_checks_find_region_codes_missing_from_regions(tmp_path):
    folder = build_clean(tmp_path / "clean")

    # Codes that match the contract's pattern, so only the join to regions can catch them.
    def activities(frame):
        frame.loc[[0, 1, 5], "region_code"] = ["UA-99", "UA-99", "UA-01"]

    def hubs(frame):
        frame.loc[frame.hub_id == "TK-001", "region_code"] = "UA-77"

    rewrite(folder, "activities", activities)
    rewrite(folder, "hubs", hubs)
    assert check_outputs(folder, REPORT) == [
        "hubs: 1 row with a region_code not in regions: UA-77 (1)",
        "activities: 3 rows with a region_code not in regions: UA-01 (1), UA-99 (2)"]


@pytest.mark.parametrize("day, found", [
    ("1999-12-31", "1 row outside 2000-01-01 – 2025-07-01 (found 1999-12-31 – 2025-02-11)"),
    ("2025-07-02", "1 row outside 2000-01-01 – 2025-07-01 (found 2012-05-15 – 2025-07-02)"),
    ("2025-07-01", None),  # the data date (2025-06-30) plus one day is still allowed
])
def test_checks_find_dates_outside_the_sane_range(tmp_path, day, found):
    folder = build_clean(tmp_path / "clean")

    def move(frame):
        frame.loc[0, "activity_date"] = pd.Timestamp(day)

    rewrite(folder, "activities", move)
    assert check_outputs(folder, REPORT) == ([f"activities.activity_date: {found}"] if found else [])


def one_row_too_many(original):
    """`assemble.report_sql` that counts one row more than participant files hold."""
    def report_sql(kind: str) -> str:
        sql = original(kind)
        return sql.replace("count(*) AS rows_in", "count(*) + 1 AS rows_in") if kind == "participants" else sql
    return report_sql


# A real run made to write one bad output: (what is patched, the patch, words the error must hold).
BAD_OUTPUTS = {
    "rows not adding up": (
        "report_sql", one_row_too_many,
        "participants_sample.csv: 8 rows read but 3 cleaned + 3 quarantined + 1 duplicates = 7"),
    "unknown region": (
        "waitlist",
        lambda sql: sql.replace("region_code,", "'UA-99' AS region_code,"),
        "waitlist: 3 rows with a region_code not in regions: UA-99 (3)"),
    "date before 2000": (
        "partners",
        lambda sql: sql.replace("agreement_date::TIMESTAMP_MS",
                                "CASE WHEN partner = 'Regional Blood Centre' THEN DATE '1999-12-31' "
                                "ELSE agreement_date END::TIMESTAMP_MS"),
        "partners.agreement_date: 1 row outside 2000-01-01 – 2024-04-20 (found 1999-12-31 – 2012-10-15)"),
}


@pytest.mark.parametrize("case", list(BAD_OUTPUTS))
def test_a_run_with_a_bad_output_keeps_the_previous_output(cleaned, tmp_path, monkeypatch, case):
    where, patch, words = BAD_OUTPUTS[case]
    if where == "report_sql":
        monkeypatch.setattr(assemble, "report_sql", patch(assemble.report_sql))
    else:
        monkeypatch.setitem(assemble.TABLE_SQL, where, patch(assemble.TABLE_SQL[where]))
    out = tmp_path / "clean"
    shutil.copytree(cleaned, out)
    before = tree_digest(out)
    with pytest.raises(PipelineError, match=re.escape(words)):
        run(SAMPLES, out, SALT, progress=False)
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".clean-")] == []


def test_unknown_columns_are_reported_not_kept(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLES / "hubs_sample.csv", raw)
    (raw / "partners_extra.csv").write_text(
        "partner,type,agreement_date,staff_trained,Contact person\nClinic,hospital,2012-01-01,5,Іван Сірко\n",
        encoding="utf-8")
    out = tmp_path / "clean"
    report = run(raw, out, SALT, progress=False)
    assert report["files"]["partners_extra.csv"]["unknown_columns"] == ["Contact person"]
    assert "Сірко" not in all_text(out)


def test_tables_join_on_their_keys(cleaned):
    con = duckdb.connect()
    orphans = con.execute(f"""
        SELECT count(*) FROM read_parquet('{cleaned}/activities.parquet') a
        LEFT JOIN read_parquet('{cleaned}/hubs.parquet') h USING (hub_id) WHERE h.hub_id IS NULL""").fetchall()[0][0]
    regions = con.execute(f"""
        SELECT count(*) FROM read_parquet('{cleaned}/hubs.parquet') h
        LEFT JOIN read_parquet('{cleaned}/regions.parquet') r USING (region_code)
        WHERE r.region_code IS NULL""").fetchall()[0][0]
    assert orphans == 0 and regions == 0


def cli(*args: str, salt: str | None = "s3cret", cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    if salt is not None:
        env["DASHBOARD_SALT"] = salt
    return subprocess.run([sys.executable, "-m", "dashboard.clean", *args, "--quiet", "--no-warm"], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)


def test_command_cleans_the_samples(tmp_path):
    result = cli(str(SAMPLES), str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "cleaned 62 rows from 10 files" in result.stderr  # targets_sample.csv: 10 rows
    assert (tmp_path / "out" / "participants.parquet").is_file()


def bad_inputs(tmp: Path) -> list[tuple[str, Path, str]]:
    """(case, raw folder, words the error must contain)."""
    cases = []

    def folder(name: str, files: dict[str, bytes]) -> Path:
        d = tmp / name
        d.mkdir()
        for fname, data in files.items():
            (d / fname).write_bytes(data)
        return d

    cases.append(("missing folder", tmp / "nope", "no such folder"))
    cases.append(("empty folder", folder("empty", {}), "holds no raw files"))
    cases.append(("empty file", folder("emptyfile", {"hubs_x.csv": b""}), "hubs_x.csv: the file is empty"))
    cases.append(("blank header", folder("blank", {"hubs_x.csv": b"\n\n"}), "hubs_x.csv: the file is empty"))
    cases.append(("unknown kind", folder("kind", {"notes.csv": b"a,b\n1,2\n"}), "notes.csv: unknown file kind"))
    cases.append(("not csv", folder("pdf", {"hubs.pdf": b"%PDF"}), "hubs.pdf: unknown file kind"))
    cases.append(("missing column", folder("col", {"trainings_a.csv": "Код групи;Рівень\nT;тренер\n".encode()}),
                  "trainings_a.csv: missing required column(s): enrolled, region"))
    cases.append(("undecodable", folder("bytes", {"hubs_b.csv": b"\x98\x98\x98;\x98\n"}),
                  "hubs_b.csv: bytes are neither UTF-8 nor Windows-1251"))
    cases.append(("garbage xlsx", folder("xlsx", {"hubs_c.xlsx": b"PK\x03\x04garbage"}),
                  "hubs_c.xlsx: not a readable XLSX workbook"))
    cases.append(("garbage text", folder("garbage", {"participants_g.csv": bytes(b for b in range(1, 256) if b != 0x98) * 3}),
                  "participants_g.csv: missing required column"))
    return cases


def test_command_errors_name_the_file_and_problem(tmp_path):
    for case, raw, words in bad_inputs(tmp_path):
        out = tmp_path / f"out-{case.replace(' ', '-')}"
        result = cli(str(raw), str(out))
        assert result.returncode != 0, case
        assert words in result.stderr, (case, result.stderr)
        assert "Traceback" not in result.stderr, case
        assert not out.exists(), case


def test_command_refuses_to_run_without_a_salt(tmp_path):
    result = cli(str(SAMPLES), str(tmp_path / "out"), salt=None, cwd=tmp_path)
    assert result.returncode == 2 and "DASHBOARD_SALT" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["activities", "assessments"])
@pytest.mark.parametrize("shuffled", [False, True], ids=["in key order", "out of key order"])
def test_a_repeated_key_is_found_in_and_out_of_key_order(cleaned, tmp_path, monkeypatch, name, shuffled):
    """The key check reads batches of a table in key order (a repeat is equal to the row before it,
    also across a batch's edge), and falls back to a grouping for a table out of that order."""
    from dashboard.clean import pipeline

    monkeypatch.setattr(pipeline, "BATCH_ROWS", 2)  # every other row starts a batch
    frame = table(cleaned, name)
    assert len(frame) >= 3 and not frame.duplicated(list(TABLES[name].key)).any()
    # In key order the check needs no database (None would fail if used); out of it, a grouping.
    con = duckdb.connect() if shuffled else None
    intact = tmp_path / "intact.parquet"
    frame.to_parquet(intact)
    pipeline.validate(con, intact, name)
    # Row 1 twice more: its copies fall on both sides of a batch's edge (rows 1 | 2, 3 | …).
    repeated = pd.concat([frame.iloc[:2], frame.iloc[[1, 1]], frame.iloc[2:]], ignore_index=True)
    if shuffled:
        repeated = repeated.iloc[::-1].reset_index(drop=True)
    else:
        assert repeated.sort_values(list(TABLES[name].key), kind="stable").index.tolist() == list(range(len(repeated)))
    path = tmp_path / "repeated.parquet"
    repeated.to_parquet(path)
    with pytest.raises(PipelineError, match=f"cleaned table '{name}' has 2 repeated keys"):
        pipeline.validate(con, path, name)
